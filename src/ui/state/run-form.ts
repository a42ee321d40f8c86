import { validateName, DEFAULT_RUN_NETWORK, runRequest, splitCommandLine, type RunOptions } from '../../core/index.js';
import { editField } from './text-prompt.js';

/** The run form's fields, in Tab order. */
export const RUN_FIELDS = ['name', 'command', 'env', 'ports', 'volumes', 'memory', 'network'] as const;
export type RunField = (typeof RUN_FIELDS)[number];

export const RUN_FIELD_LABELS: Record<RunField, string> = {
  name: 'name',
  command: 'command',
  env: 'env',
  ports: 'ports',
  volumes: 'volumes',
  memory: 'memory',
  network: 'network',
};

/** What each field takes, shown beside an empty one. */
export const RUN_FIELD_HINTS: Record<RunField, string> = {
  name: 'random when empty',
  command: "the image's when empty; quotes as in a shell",
  env: 'KEY=value …',
  ports: '8080:80 127.0.0.1:5353:53/udp …',
  volumes: '/host:/ctr[:ro] name:/ctr …',
  memory: '64m, 1g (no limit when empty)',
  network: 'bridge, none, host or a network name',
};

export interface RunForm {
  /** The image to run, as the Images pane names it. */
  image: string;
  values: Record<RunField, string>;
  /** Index into RUN_FIELDS of the field being edited. */
  focus: number;
  /** The cursor in the focused field (code points; undefined: at the end). */
  cursor?: number;
  /** Problems by field, and `form` for those of the whole request or of the engine. */
  errors: Partial<Record<RunField | 'form', string>>;
  submitting: boolean;
}

export function newRunForm(image: string): RunForm {
  return {
    image,
    values: { name: '', command: '', env: '', ports: '', volumes: '', memory: '', network: DEFAULT_RUN_NETWORK },
    focus: 0,
    errors: {},
    submitting: false,
  };
}

/** What a valid form asks the engine for. */
export interface RunSpec {
  image: string;
  name?: string;
  cmd: string[];
  options: RunOptions;
}

const words = (s: string) => s.split(/[\s,]+/).filter(Boolean);

/** The form's values as run options (detached: no tty, no stdin). */
function optionsOf(values: Record<RunField, string>): RunOptions {
  return {
    env: words(values.env),
    publish: words(values.ports),
    volume: words(values.volumes),
    memory: values.memory.trim() || undefined,
    network: values.network.trim() || undefined,
  };
}

/**
 * Checks every field with the same core code `tsdock run` uses, so the form refuses exactly
 * what the CLI would, and says which field is wrong. Returns the spec, or the problems.
 */
export function validateRunForm(form: RunForm): { spec: RunSpec } | { errors: RunForm['errors'] } {
  const v = form.values;
  const errors: RunForm['errors'] = {};
  const check = (field: RunField, fn: () => void) => {
    try {
      fn();
    } catch (err) {
      errors[field] = (err as Error).message;
    }
  };
  const name = v.name.trim();
  if (name) check('name', () => validateName(name));
  let cmd: string[] = [];
  check('command', () => {
    cmd = splitCommandLine(v.command);
  });
  check('env', () => {
    for (const e of words(v.env)) if (e.startsWith('=')) throw new Error(`invalid environment variable "${e}": the name is empty`);
  });
  const options = optionsOf(v);
  // Each field alone first, so the message lands beside the field that caused it.
  check('volumes', () => runRequest(form.image, [], { volume: options.volume }));
  check('memory', () => runRequest(form.image, [], { memory: options.memory }));
  check('network', () => runRequest(form.image, [], { network: options.network }));
  check('ports', () => runRequest(form.image, [], { publish: options.publish }));
  if (Object.keys(errors).length === 0) {
    // Then together: ports with --network none conflict, for one.
    try {
      runRequest(form.image, cmd, options);
    } catch (err) {
      errors[options.publish?.length ? 'ports' : 'form'] = (err as Error).message;
    }
  }
  if (Object.keys(errors).length > 0) return { errors };
  return { spec: { image: form.image, ...(name && { name }), cmd, options } };
}

/** What a key does to the form: edits the focused field, moves, or asks to submit or cancel. */
export type RunFormKey = { form: RunForm; effect?: undefined } | { form: RunForm; effect: 'submit'; spec: RunSpec } | { form: RunForm; effect: 'cancel' };

export function runFormKey(form: RunForm, command: 'nextField' | 'prevField' | 'submitForm' | 'cancelForm' | undefined, key: string, raw: string): RunFormKey {
  if (form.submitting) return command === 'cancelForm' ? { form, effect: 'cancel' } : { form };
  switch (command) {
    case 'nextField':
      return { form: { ...form, focus: (form.focus + 1) % RUN_FIELDS.length, cursor: undefined } };
    case 'prevField':
      return { form: { ...form, focus: (form.focus - 1 + RUN_FIELDS.length) % RUN_FIELDS.length, cursor: undefined } };
    case 'submitForm': {
      const result = validateRunForm(form);
      if ('errors' in result) {
        const first = RUN_FIELDS.findIndex((f) => result.errors[f] !== undefined);
        return { form: { ...form, errors: result.errors, focus: first >= 0 ? first : form.focus, cursor: first >= 0 && first !== form.focus ? undefined : form.cursor } };
      }
      return { form: { ...form, errors: {}, submitting: true }, effect: 'submit', spec: result.spec };
    }
    case 'cancelForm':
      return { form, effect: 'cancel' };
  }
  const field = RUN_FIELDS[form.focus]!;
  const r = editField(form.values[field], form.cursor, key, raw);
  if (r.kind !== 'edit') return { form };
  if (r.text === form.values[field]) return { form: { ...form, cursor: r.cursor } };
  // Editing a field clears its complaint (and the form's): it is checked again on Enter.
  const { [field]: _field, form: _form, ...errors } = form.errors;
  return { form: { ...form, values: { ...form.values, [field]: r.text }, cursor: r.cursor, errors } };
}
