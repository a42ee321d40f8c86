import { TsdockError, type ErrorKind } from '../errors.js';
// IPv4 addresses and subnets as unsigned 32-bit numbers: parsing, formatting, overlap tests.
// Pure; tsdock's networks are IPv4 only.

export class CidrError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

export interface Ipv4Subnet {
  /** The network address (host bits cleared). */
  network: number;
  prefix: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function isIpv4(text: string): boolean {
  return parseIpv4(text) !== undefined;
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** `10.1.2.0/24`; with `strict`, host bits must be zero (Docker: "invalid subnet"). */
export function parseSubnet(text: string, strict = false): Ipv4Subnet {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text.trim());
  const ip = m ? parseIpv4(m[1]!) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (ip === undefined || !(prefix >= 0 && prefix <= 32)) throw new CidrError(`invalid CIDR address: ${text}`);
  const network = (ip & mask(prefix)) >>> 0;
  if (strict && network !== ip) throw new CidrError(`invalid subnet ${text}: it has host bits set (the network address is ${formatIpv4(network)}/${prefix})`);
  return { network, prefix };
}

export function formatSubnet(s: Ipv4Subnet): string {
  return `${formatIpv4(s.network)}/${s.prefix}`;
}

export function subnetSize(s: Ipv4Subnet): number {
  return 2 ** (32 - s.prefix);
}

export function subnetContains(s: Ipv4Subnet, ip: number): boolean {
  return ((ip & mask(s.prefix)) >>> 0) === s.network;
}

export function subnetsOverlap(a: Ipv4Subnet, b: Ipv4Subnet): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return ((a.network & mask(p)) >>> 0) === ((b.network & mask(p)) >>> 0);
}

/** The first host address, Docker's default gateway of a subnet. */
export function firstHost(s: Ipv4Subnet): number {
  return s.network + 1;
}

/** The subnets of `size` bits inside `base`, in order. */
export function* splitSubnet(base: Ipv4Subnet, size: number): Generator<Ipv4Subnet> {
  if (size < base.prefix || size > 32) return;
  const step = 2 ** (32 - size);
  for (let n = base.network; n < base.network + subnetSize(base); n += step) yield { network: n >>> 0, prefix: size };
}

/** `10.88.0.5/16` -> address and prefix length. */
export function splitAddress(cidr: string): { ip: string; prefixLength: number } {
  const [ip, len] = cidr.split('/');
  return { ip: ip ?? '', prefixLength: Number(len ?? 32) };
}
