import { describe, expect, it } from 'vitest';
import { chunkPlan, contentRange, receivedBytes, uploadUrl, UploadProtocolError } from '../../src/core/registry/blob-upload.js';

describe('uploadUrl', () => {
  const req = 'http://127.0.0.1:5000/v2/team/app/blobs/uploads/';

  it('resolves a relative Location against the request and keeps its _state', () => {
    expect(uploadUrl('/v2/team/app/blobs/uploads/5f1c?_state=abc%3D', req)).toBe('http://127.0.0.1:5000/v2/team/app/blobs/uploads/5f1c?_state=abc%3D');
  });

  it('takes an absolute Location as it is (another host may serve uploads)', () => {
    expect(uploadUrl('https://uploads.example/session/1?x=y', req)).toBe('https://uploads.example/session/1?x=y');
  });

  it('adds parameters beside the ones the registry put there', () => {
    const u = new URL(uploadUrl('/v2/a/blobs/uploads/1?_state=s', req, { digest: 'sha256:' + 'a'.repeat(64) }));
    expect(u.searchParams.get('_state')).toBe('s');
    expect(u.searchParams.get('digest')).toBe('sha256:' + 'a'.repeat(64));
  });

  it('uses the first of several Location headers', () => {
    expect(uploadUrl(['/one', '/two'], req)).toBe('http://127.0.0.1:5000/one');
  });

  it('is an error without a Location', () => {
    expect(() => uploadUrl(undefined, req)).toThrow(UploadProtocolError);
    expect(() => uploadUrl('', req)).toThrow(/without a Location header/);
  });
});

describe('contentRange', () => {
  it('gives inclusive offsets without a unit', () => {
    expect(contentRange(0, 1000)).toBe('0-999');
    expect(contentRange(1000, 1)).toBe('1000-1000');
  });

  it('refuses an empty chunk', () => {
    expect(() => contentRange(5, 0)).toThrow(RangeError);
  });
});

describe('receivedBytes', () => {
  it('reads distribution\'s bare range and the bytes= form', () => {
    expect(receivedBytes('0-999999')).toBe(1_000_000);
    expect(receivedBytes('bytes=0-99')).toBe(100);
    expect(receivedBytes(['0-9'])).toBe(10);
  });

  it('is undefined without a header, and an error for a malformed one', () => {
    expect(receivedBytes(undefined)).toBeUndefined();
    expect(() => receivedBytes('0-')).toThrow(/malformed Range header "0-"/);
    expect(() => receivedBytes('bytes 0-9/10')).toThrow(UploadProtocolError);
  });
});

describe('chunkPlan', () => {
  it('covers the blob in contiguous chunks, the last one short', () => {
    expect(chunkPlan(10, 4)).toEqual([
      [0, 4],
      [4, 4],
      [8, 2],
    ]);
    expect(chunkPlan(8, 4)).toEqual([
      [0, 4],
      [4, 4],
    ]);
    expect(chunkPlan(0, 4)).toEqual([]);
  });
});
