import { TsdockError } from '../errors.js';
/**
 * Container names: Docker's `adjective_surname` generator and its name rule.
 * Generated names honour people who shaped computing and science; every entry is lowercase
 * ASCII so a generated name always passes validateName.
 */

export const ADJECTIVES: readonly string[] = [
  'admiring', 'adoring', 'agile', 'amazing', 'amused', 'ardent', 'astute', 'awesome',
  'blissful', 'bold', 'boring', 'brave', 'bright', 'busy', 'calm', 'candid',
  'charming', 'cheerful', 'clever', 'cool', 'curious', 'dapper', 'daring', 'dazzling',
  'determined', 'diligent', 'dreamy', 'eager', 'earnest', 'ecstatic', 'elastic', 'elated',
  'elegant', 'eloquent', 'epic', 'exciting', 'fervent', 'festive', 'fearless', 'focused',
  'friendly', 'frosty', 'funny', 'gallant', 'gentle', 'gifted', 'glowing', 'goofy',
  'gracious', 'great', 'happy', 'hardy', 'heuristic', 'hopeful', 'humble', 'intelligent',
  'inventive', 'jolly', 'jovial', 'keen', 'kind', 'laughing', 'lively', 'loving',
  'lucid', 'magical', 'merry', 'mighty', 'modest', 'musing', 'mystifying', 'nervous',
  'nifty', 'nimble', 'nostalgic', 'optimistic', 'patient', 'peaceful', 'pensive', 'playful',
  'plucky', 'practical', 'priceless', 'quirky', 'quizzical', 'radiant', 'relaxed', 'resilient',
  'romantic', 'serene', 'sharp', 'sleepy', 'snappy', 'spirited', 'stoic', 'sunny',
  'tender', 'thirsty', 'thoughtful', 'tranquil', 'trusting', 'upbeat', 'vibrant', 'vigilant',
  'vigorous', 'wizardly', 'witty', 'wonderful', 'youthful', 'zealous', 'zen',
];

export const SURNAMES: readonly string[] = [
  // computing and programming languages
  'allen', 'babbage', 'backus', 'bartik', 'bernerslee', 'bosak', 'cerf', 'church',
  'codd', 'conway', 'corbato', 'dahl', 'dijkstra', 'engelbart', 'estrin', 'feigenbaum',
  'floyd', 'goldberg', 'goldwasser', 'gray', 'hamming', 'hartmanis', 'hellman', 'hoare',
  'hopper', 'iverson', 'kahan', 'kahn', 'kay', 'kernighan', 'knuth', 'lamport',
  'lampson', 'liskov', 'lovelace', 'mccarthy', 'milner', 'minsky', 'naur', 'newell',
  'nygaard', 'pike', 'perlis', 'postel', 'rabin', 'ritchie', 'rivest', 'shamir',
  'stallman', 'stroustrup', 'sutherland', 'tarjan', 'thompson', 'torvalds', 'turing', 'valiant',
  'wirth', 'wozniak', 'yao', 'zuse', 'diffie', 'hamilton', 'jennings', 'kleinrock',
  'metcalfe', 'moore', 'noyce', 'shannon', 'spaerckjones', 'wilkes', 'wing', 'sammet',
  'hollerith', 'aiken', 'eckert', 'mauchly', 'kildall', 'thacker', 'bell', 'brooks',
  'lions', 'mcilroy', 'raymond', 'joy', 'wall', 'vanrossum', 'matsumoto', 'hejlsberg',
  'eich', 'lerdorf', 'ousterhout', 'stonebraker', 'wheeler', 'perlman', 'khan', 'goodall',
  // mathematics
  'agnesi', 'archimedes', 'banach', 'bernoulli', 'boole', 'cantor', 'cauchy', 'chebyshev',
  'dedekind', 'descartes', 'euclid', 'euler', 'fermat', 'fibonacci', 'fourier', 'galois',
  'gauss', 'germain', 'godel', 'hilbert', 'hypatia', 'jacobi', 'kolmogorov', 'kovalevskaya',
  'lagrange', 'laplace', 'leibniz', 'lobachevsky', 'mirzakhani', 'napier', 'neumann', 'noether',
  'pascal', 'poincare', 'ramanujan', 'riemann', 'robinson', 'turan', 'tao', 'weil',
  'wiles', 'johnson', 'vaughan', 'blackwell', 'erdos', 'nash', 'mandelbrot', 'grothendieck',
  // physics and astronomy
  'bardeen', 'bohr', 'born', 'bose', 'burnell', 'chandrasekhar', 'curie', 'dirac',
  'einstein', 'faraday', 'fermi', 'feynman', 'franklin', 'galileo', 'hawking', 'heisenberg',
  'hertz', 'hubble', 'kepler', 'leavitt', 'maxwell', 'meitner', 'newton', 'pauli',
  'planck', 'raman', 'rubin', 'rutherford', 'sagan', 'saha', 'schrodinger', 'tesla',
  'wu', 'yalow', 'volta', 'ampere', 'ohm', 'kelvin', 'joule', 'boltzmann',
  'copernicus', 'herschel', 'payne', 'shockley', 'cannon', 'fleming', 'mayer', 'goeppert', 'bethe',
  // chemistry, biology and medicine
  'avogadro', 'darwin', 'elion', 'hodgkin', 'lavoisier', 'mendel', 'mendeleev', 'pasteur',
  'mcclintock', 'crick', 'watson', 'salk', 'sabin', 'lister', 'jenner', 'harvey',
  'levimontalcini', 'carson', 'goodenough', 'doudna', 'charpentier', 'sanger', 'pauling', 'nobel',
  'dalton', 'priestley', 'cavendish', 'hooke', 'leeuwenhoek', 'linnaeus', 'wallace', 'yonath',
  // engineering and invention
  'sinclair', 'brunel', 'edison', 'lamarr', 'marconi', 'morse', 'stephenson', 'watt',
  'wright', 'kilby', 'sikorsky', 'tsiolkovsky', 'korolev', 'goddard', 'vonbraun', 'ride',
];

/** Steve Wozniak is not boring: moby rerolls this one pair, and so do we. */
const FORBIDDEN = 'boring_wozniak';

/** Docker tries a generated name this many times (the last five with a digit) before giving up. */
const ATTEMPTS = 6;

export class NameGenerationError extends TsdockError {
  override readonly name = 'NameGenerationError';
  constructor() {
    super('conflict', `could not generate a free container name after ${ATTEMPTS} attempts: give one with --name`);
  }
}

export class InvalidContainerNameError extends TsdockError {
  override readonly name = 'InvalidContainerNameError';
  constructor(readonly input: string) {
    super('invalid-argument', `Invalid container name (${input}), only ${NAME_CHARS} are allowed`);
  }
}

const NAME_CHARS = '[a-zA-Z0-9][a-zA-Z0-9_.-]';
// Docker's RestrictedNamePattern: note the `+`, so a name has at least two characters.
const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

function pick<T>(list: readonly T[], random: () => number): T {
  return list[Math.min(list.length - 1, Math.floor(random() * list.length))]!;
}

/** moby's GetRandomName: `adjective_surname`, plus one random digit on every retry. */
export function randomName(retry: number, random: () => number = Math.random): string {
  let name: string;
  do {
    name = `${pick(ADJECTIVES, random)}_${pick(SURNAMES, random)}`;
  } while (name === FORBIDDEN);
  if (retry > 0) name += String(Math.min(9, Math.floor(random() * 10)));
  return name;
}

/**
 * A name no existing container has, the way Docker picks one: up to six random names, the
 * retries with a digit appended. When all are taken, Docker falls back to the container's short
 * ID; pass `fallbackId` for that, otherwise NameGenerationError is thrown.
 */
export function generateName(
  taken: (name: string) => boolean,
  random: () => number = Math.random,
  fallbackId?: string,
): string {
  for (let retry = 0; retry < ATTEMPTS; retry++) {
    const name = randomName(retry, random);
    if (!taken(name)) return name;
  }
  if (fallbackId !== undefined) return fallbackId.slice(0, 12);
  throw new NameGenerationError();
}

/**
 * Checks a user-given name against Docker's rule and returns it without the leading '/' Docker
 * accepts (and stores); tsdock stores names bare.
 */
export function validateName(name: string): string {
  const bare = name.startsWith('/') ? name.slice(1) : name;
  if (!NAME_PATTERN.test(bare)) throw new InvalidContainerNameError(name);
  return bare;
}
