// Request bodies for OTLP/HTTP: collected into one Buffer with a hard size cap (one allocation when
// Content-Length is known), and decompressed with the same cap applied to the output (zip bombs stop at the limit).

import type { IncomingMessage } from 'node:http';
import * as zlib from 'node:zlib';
import { DecodeError, TooLargeError } from '../../errors';

/** The client went away (or sent a broken stream) before the body was complete: nobody to answer. */
export class BodyAbortedError extends Error {}

/**
 * Read the whole body of `req`, at most `limit` bytes. Rejects with TooLargeError as soon as the declared
 * Content-Length or the bytes received pass the limit (the caller answers 413 and drains or drops the rest), and
 * with BodyAbortedError when the client aborts. `alloc` gives the buffer of a body whose length is declared.
 */
export function readBody(req: IncomingMessage, limit: number, alloc: (n: number) => Buffer = Buffer.allocUnsafe): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = req.headers['content-length'];
    const length = declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : -1;
    if (length > limit) {
      reject(new TooLargeError(`request body of ${length} bytes is larger than max_request_body_size (${limit} bytes)`));
      return;
    }
    let fixed: Buffer | undefined = length >= 0 ? alloc(length) : undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    let done = false;

    const finish = (err: Error | undefined, body?: Buffer) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      req.off('close', onClose);
      if (err) reject(err);
      else resolve(body!);
    };
    const onData = (chunk: Buffer) => {
      const next = received + chunk.length;
      if (next > limit) {
        fixed = undefined;
        chunks.length = 0;
        req.pause();
        finish(new TooLargeError(`request body is larger than max_request_body_size (${limit} bytes)`));
        return;
      }
      if (fixed) {
        if (next > fixed.length) {
          finish(new DecodeError('request body is longer than its Content-Length'));
          return;
        }
        chunk.copy(fixed, received);
      } else {
        chunks.push(chunk);
      }
      received = next;
    };
    const onEnd = () => {
      if (fixed) {
        if (received !== fixed.length) finish(new BodyAbortedError('request body shorter than its Content-Length'));
        else finish(undefined, fixed);
      } else {
        finish(undefined, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
      }
    };
    const onError = (e: Error) => finish(new BodyAbortedError(`request body stream failed: ${e.message}`));
    const onAborted = () => finish(new BodyAbortedError('client aborted the request'));
    const onClose = () => {
      if (!req.complete) finish(new BodyAbortedError('connection closed before the request body was complete'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
    req.on('close', onClose);
  });
}

/** Content-Encoding values otelcol-ts can decode ('' = none). */
export const SUPPORTED_ENCODINGS = ['', 'identity', 'gzip', 'deflate', 'zlib'] as const;

/** confighttp's default compression_algorithms (the Go list; zstd, snappy, lz4 are rejected at request time). */
export const GO_DEFAULT_COMPRESSION_ALGORITHMS = ['', 'gzip', 'zstd', 'zlib', 'snappy', 'deflate', 'lz4', 'x-snappy-framed'];

type Inflate = (buf: zlib.InputType, opts: zlib.ZlibOptions, cb: (err: Error | null, out: Buffer) => void) => void;

function inflateWith(fn: Inflate, body: Buffer, limit: number, encoding: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    fn(body, { maxOutputLength: Math.max(1, limit) }, (err, out) => {
      if (!err) {
        resolve(out);
        return;
      }
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        reject(new TooLargeError(`decompressed request body is larger than max_request_body_size (${limit} bytes)`));
      } else {
        reject(new DecodeError(`failed to decompress ${encoding} request body: ${err.message}`));
      }
    });
  });
}

/**
 * Decode `body` per its Content-Encoding, the output capped at `limit` bytes. `encoding` must already be
 * lowercased and trimmed; unknown encodings must be rejected before calling this.
 */
export function decompress(body: Buffer, encoding: string, limit: number): Promise<Buffer> {
  switch (encoding) {
    case '':
    case 'identity':
      return Promise.resolve(body);
    case 'gzip':
      return inflateWith(zlib.gunzip as Inflate, body, limit, 'gzip');
    case 'deflate':
    case 'zlib':
      // Like Go's confighttp, "deflate" is the zlib format (RFC 1950).
      return inflateWith(zlib.inflate as Inflate, body, limit, encoding);
    default:
      return Promise.reject(new DecodeError(`unsupported Content-Encoding: ${encoding}`));
  }
}
