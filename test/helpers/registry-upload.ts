// Puts hand-made images into a test registry with plain HTTP calls (the distribution API,
// independent of tsdock's client), for images no tool would build: malicious layers,
// configs that lie about diff IDs.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function putBlob(registryUrl: string, repo: string, data: Buffer): Promise<string> {
  const digest = sha(data);
  const start = await fetch(`${registryUrl}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`upload start: ${start.status}`);
  const loc = new URL(start.headers.get('location')!, registryUrl);
  loc.searchParams.set('digest', digest);
  const put = await fetch(loc, { method: 'PUT', body: new Uint8Array(data), headers: { 'content-type': 'application/octet-stream' } });
  if (put.status !== 201) throw new Error(`upload put: ${put.status} ${await put.text()}`);
  return digest;
}

export interface UploadedImage {
  manifestDigest: string;
  layerDigests: string[];
}

/**
 * Uploads an OCI image made of the given uncompressed layer tars. diffIds defaults to the
 * true ones; pass others to make a config that lies.
 */
export async function uploadImage(registryUrl: string, repoTag: string, layerTars: Buffer[], opts: { diffIds?: string[] } = {}): Promise<UploadedImage> {
  const [repo, tag] = repoTag.split(':') as [string, string];
  const layers = [];
  for (const tar of layerTars) {
    const gz = gzipSync(tar);
    layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: await putBlob(registryUrl, repo, gz), size: gz.length });
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['sh'] },
      rootfs: { type: 'layers', diff_ids: opts.diffIds ?? layerTars.map(sha) },
      history: layerTars.map(() => ({ created_by: 'test layer' })),
    }),
  );
  const configDesc = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: await putBlob(registryUrl, repo, config), size: config.length };
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: configDesc, layers }));
  const res = await fetch(`${registryUrl}/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    body: new Uint8Array(manifest),
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
  });
  if (res.status !== 201) throw new Error(`manifest put: ${res.status} ${await res.text()}`);
  return { manifestDigest: sha(manifest), layerDigests: layers.map((l) => l.digest) };
}
