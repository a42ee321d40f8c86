/** What went wrong talking to a registry, phrased for the user with the next step to take. */
export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

export class UnauthorizedError extends RegistryError {}
export class NotFoundError extends RegistryError {}

export interface RegistryErrorBody {
  errors?: { code?: string; message?: string; detail?: unknown }[];
}

/** First error code and message of a distribution-spec error body, if the body is one. */
export function describeErrorBody(text: string): { code?: string; message?: string } {
  try {
    const body = JSON.parse(text) as RegistryErrorBody;
    const first = body.errors?.[0];
    if (first) return { code: first.code, message: first.message };
  } catch {
    /* not JSON: plain-text error page */
  }
  return {};
}
