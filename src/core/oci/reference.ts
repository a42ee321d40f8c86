import { TsdockError } from '../errors.js';
// Image references, parsed and normalized the way Docker does it
// (github.com/distribution/reference v0.6: ParseNormalizedNamed + TagNameOnly).
//
// Grammar:
//   reference := name [ ":" tag ] [ "@" digest ]
//   name      := [ domain "/" ] path
//   domain    := host [ ":" port ]           host: DNS-ish name, IPv4, or [IPv6]
//   path      := component ( "/" component )*
//   component := [a-z0-9]+ ( ( [._] | __ | -+ ) [a-z0-9]+ )*
//   tag       := [\w][\w.-]{0,127}
//   digest    := algorithm ":" hex           hex: 32+ hex digits (exact per known algorithm)

export interface ImageReference {
  readonly domain: string;
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

export type InvalidReferenceReason =
  | 'empty'
  | 'hex-identifier'
  | 'uppercase'
  | 'invalid-domain'
  | 'invalid-name'
  | 'invalid-tag'
  | 'invalid-digest'
  | 'too-long';

export class InvalidReferenceError extends TsdockError {
  override readonly name = 'InvalidReferenceError';
  constructor(
    readonly input: string,
    readonly reason: InvalidReferenceReason,
    message: string,
  ) {
    super('invalid-argument', message);
  }
}

export const DEFAULT_DOMAIN = 'docker.io';
export const DEFAULT_TAG = 'latest';
/** Docker Hub's historical name; still accepted in references and canonicalized away. */
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
/** Where docker.io's registry API actually lives. */
const DOCKER_HUB_ENDPOINT = 'registry-1.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
/**
 * distribution/reference v0.6 limits the repository path (not the domain) to
 * 255 characters; older versions counted the domain too, which rejected names
 * the registry itself accepts.
 */
export const MAX_PATH_LENGTH = 255;

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6_ADDRESS = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN_AND_PORT_RE = new RegExp(`^(?:${DOMAIN_NAME}|${IPV6_ADDRESS})(?::[0-9]+)?$`);
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const PATH_RE = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG_RE = /^\w[\w.-]{0,127}$/;
const DIGEST_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const HEX_IDENTIFIER_RE = /^[a-f0-9]{64}$/;

/** Registered OCI algorithms must use exactly this many lowercase hex digits. */
const KNOWN_DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = {
  sha256: 64,
  sha384: 96,
  sha512: 128,
};

/** Why `s` is not a valid digest, or undefined when it is. */
function digestProblem(s: string): string | undefined {
  const sep = s.indexOf(':');
  const want = sep === -1 ? undefined : KNOWN_DIGEST_HEX_LENGTH[s.slice(0, sep)];
  if (want !== undefined) {
    // Registered algorithms are stricter than the grammar: exact length, lowercase.
    const hex = s.slice(sep + 1);
    if (hex.length === want && /^[a-f0-9]+$/.test(hex)) return undefined;
    return `${s.slice(0, sep)} digests need exactly ${want} lowercase hex digits after the ":"`;
  }
  if (!DIGEST_RE.test(s)) {
    return 'expected "<algorithm>:<hex>", e.g. "sha256:" followed by 64 lowercase hex digits';
  }
  return undefined;
}

/** True for a well-formed content digest such as `sha256:<64 lowercase hex>`. */
export function isDigest(s: string): boolean {
  return digestProblem(s) === undefined;
}

/**
 * Docker's domain heuristic: the first '/'-separated component names a
 * registry only if it looks like a host (has '.' or ':', is "localhost", or has
 * uppercase letters, which a repository path may never contain). Otherwise the
 * reference is on Docker Hub, where single-component names live under library/.
 */
function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  let domain = DEFAULT_DOMAIN;
  let remainder = name;
  if (slash !== -1) {
    const first = name.slice(0, slash);
    if (
      first === 'localhost' ||
      first === LEGACY_DEFAULT_DOMAIN ||
      /[.:]/.test(first) ||
      first.toLowerCase() !== first
    ) {
      domain = first === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : first;
      remainder = name.slice(slash + 1);
    }
  }
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) {
    remainder = OFFICIAL_REPO_PREFIX + remainder;
  }
  return { domain, remainder };
}

/**
 * Parses a reference as `docker pull` would: fills in docker.io and library/,
 * and adds the tag "latest" when neither a tag nor a digest is given. A
 * reference with both a tag and a digest keeps both.
 */
export function parseReference(input: string): ImageReference {
  function fail(reason: InvalidReferenceReason, detail: string): never {
    throw new InvalidReferenceError(input, reason, `invalid image reference "${input}": ${detail}`);
  }

  if (input === '') {
    fail('empty', 'the reference is empty; give an image name such as "busybox" or "registry:5000/team/app:1.0"');
  }
  if (HEX_IDENTIFIER_RE.test(input)) {
    // An image ID, not a name; Docker refuses these to avoid ambiguity.
    throw new InvalidReferenceError(
      input,
      'hex-identifier',
      `invalid repository name (${input}), cannot specify 64-byte hexadecimal strings; ` +
        'refer to an image by name, or prefix it with a registry (e.g. "docker.io/<hex>")',
    );
  }

  const { domain, remainder } = splitDockerDomain(input);

  // Past the domain, '@' can only start the digest and ':' only the tag.
  const at = remainder.indexOf('@');
  const nameAndTag = at === -1 ? remainder : remainder.slice(0, at);
  const digest = at === -1 ? undefined : remainder.slice(at + 1);
  const colon = nameAndTag.indexOf(':');
  const path = colon === -1 ? nameAndTag : nameAndTag.slice(0, colon);
  const tag = colon === -1 ? undefined : nameAndTag.slice(colon + 1);

  if (path.toLowerCase() !== path) {
    fail('uppercase', `repository name must be lowercase (got "${path}"); try "${path.toLowerCase()}"`);
  }
  if (!DOMAIN_AND_PORT_RE.test(domain)) {
    fail(
      'invalid-domain',
      `"${domain}" is not a valid registry host; use a hostname, IPv4 address or [IPv6] address, optionally with ":port"`,
    );
  }
  if (!PATH_RE.test(path)) {
    fail(
      'invalid-name',
      `repository name "${path}" is malformed; use lowercase letters and digits separated by ".", "_", "__" or "-", ` +
        'with "/" between components (no empty, leading or trailing separators)',
    );
  }
  if (path.length > MAX_PATH_LENGTH) {
    fail('too-long', `repository name must not be more than ${MAX_PATH_LENGTH} characters (got ${path.length})`);
  }
  if (tag !== undefined && !TAG_RE.test(tag)) {
    fail(
      'invalid-tag',
      tag === ''
        ? 'the tag after ":" is empty; drop the ":" or give a tag such as "latest"'
        : `tag "${tag}" is invalid; tags are 1-128 characters of [A-Za-z0-9_.-] and must not start with "." or "-"`,
    );
  }
  if (digest !== undefined) {
    const problem = digestProblem(digest);
    if (problem !== undefined) fail('invalid-digest', `digest "${digest}" is invalid: ${problem}`);
  }

  if (tag === undefined && digest === undefined) return { domain, path, tag: DEFAULT_TAG };
  return {
    domain,
    path,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

function suffix(ref: ImageReference): string {
  return (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest !== undefined ? `@${ref.digest}` : '');
}

/** Fully qualified form, e.g. `docker.io/library/busybox:latest`. */
export function formatReference(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}${suffix(ref)}`;
}

/**
 * The repository in Docker's short form: docker.io and (for single-level
 * official images) library/ are dropped; other registries stay explicit.
 */
export function familiarName(ref: ImageReference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return `${ref.domain}/${ref.path}`;
  if (ref.path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const rest = ref.path.slice(OFFICIAL_REPO_PREFIX.length);
    // library/a/b is not an official image, so it keeps its prefix.
    if (!rest.includes('/')) return rest;
  }
  return ref.path;
}

/** Short form with tag and/or digest, e.g. `busybox:latest`. */
export function familiarString(ref: ImageReference): string {
  return familiarName(ref) + suffix(ref);
}

/** The host serving a domain's registry API: Docker Hub's lives elsewhere. */
export function registryEndpointHost(domain: string): string {
  return domain === DEFAULT_DOMAIN ? DOCKER_HUB_ENDPOINT : domain;
}
