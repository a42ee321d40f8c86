// The registry transport trusts the extra CAs that bin/tsdock hands on as TSDOCK_EXTRA_CA_CERTS
// (instead of letting Node parse NODE_EXTRA_CA_CERTS at every start), on top of Node's roots:
// an HTTPS server on 127.0.0.1 whose self-signed certificate is in that file is trusted, one
// whose certificate is not is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

let dir: string;
const servers: Server[] = [];

/** A self-signed certificate for 127.0.0.1 (key and cert PEM files in `dir`). */
function selfSigned(name: string): { key: string; cert: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '1', '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { key, cert };
}

async function serve(files: { key: string; cert: string }): Promise<string> {
  const server = createServer({ key: await readFile(files.key), cert: await readFile(files.cert) }, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Docker-Distribution-Api-Version': 'registry/2.0' });
    res.end('{}');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsdock-tls-'));
});

afterAll(async () => {
  for (const s of servers) s.close();
  await rm(dir, { recursive: true, force: true });
});

describe('TSDOCK_EXTRA_CA_CERTS', () => {
  it('trusts the certificates in the file, and only those beyond Node\'s roots', async () => {
    const trusted = selfSigned('trusted-registry');
    const stranger = selfSigned('unknown-registry');
    const trustedUrl = await serve(trusted);
    const strangerUrl = await serve(stranger);
    process.env.TSDOCK_EXTRA_CA_CERTS = trusted.cert;
    // Loaded after the variable is set: the HTTPS agent reads the file on its first TLS connection.
    const { httpRequest } = await import('../../src/core/registry/http-transport.js');
    const ok = await httpRequest(`${trustedUrl}/v2/`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('{}');
    await expect(httpRequest(`${strangerUrl}/v2/`)).rejects.toThrow(/cannot reach 127\.0\.0\.1:\d+: (SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT)/);
    delete process.env.TSDOCK_EXTRA_CA_CERTS;
  });
});
