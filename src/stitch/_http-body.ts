import type { IncomingMessage } from 'node:http';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';

const gzipAsync = promisify(gzip);

/** Bodies smaller than this go as they are: gzip would save less than its headers cost. */
const GZIP_MIN_BYTES = 1024;

export interface HttpBody {
  status: 200 | 206 | 416;
  body: Uint8Array;
  headers: Record<string, string>;
}

/**
 * The body of a GET for `body`: one byte range when the request asks for one (206, or 416 when it
 * lies outside), else gzip when the client accepts it (level 1: served chunks are computed per
 * request, so speed matters more than the last bytes). Ranges address the identity bytes, so a
 * ranged reply is never compressed.
 */
export async function httpBody(req: IncomingMessage, body: Uint8Array): Promise<HttpBody> {
  const range = req.headers.range;
  if (range !== undefined) {
    const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    // Several ranges, or another unit: the whole body (a server may ignore Range).
    if (m && (m[1] !== '' || m[2] !== '')) {
      const n = body.byteLength;
      let from: number, to: number;
      if (m[1] === '') {
        from = Math.max(0, n - Number(m[2]));
        to = n - 1;
      } else {
        from = Number(m[1]);
        to = m[2] === '' ? n - 1 : Math.min(n - 1, Number(m[2]));
      }
      if (from >= n || to < from) return { status: 416, body: new Uint8Array(0), headers: { 'content-range': `bytes */${n}` } };
      return { status: 206, body: body.subarray(from, to + 1), headers: { 'content-range': `bytes ${from}-${to}/${n}` } };
    }
  }
  const accepts = String(req.headers['accept-encoding'] ?? '');
  if (body.byteLength >= GZIP_MIN_BYTES && /\bgzip\b/.test(accepts)) {
    return { status: 200, body: await gzipAsync(body, { level: 1 }), headers: { 'content-encoding': 'gzip' } };
  }
  return { status: 200, body, headers: {} };
}
