// An OTLP/gRPC unary client over node:http2, for `grpc_client: http2` (an otelcol-ts key; grpc-js stays the
// default). Why: grpc-js copies every outgoing message into a new framed buffer (a fresh 7 MB buffer per 8192-span
// batch: page faults and V8 external-memory GCs) on top of its per-call machinery; this client writes the 5-byte
// gRPC message header and then the batch's own pieces (encodeViews: views of the requests' bytes) to the stream,
// no copy at all. Measured in the gateway load test: ≈ 1.4–1.5× the spans per CPU-second of grpc-js
// (docs/PERFORMANCE.md). What it does not do (use grpc-js for these): resolve a DNS name to several addresses and
// balance over them (`balancer_name`), `wait_for_ready` (a call fails fast while disconnected; the retry helper
// retries it).
//
// Protocol (gRPC over HTTP/2): POST :path /<service>/<method>, content-type application/grpc, te: trailers,
// grpc-timeout, grpc-encoding; the status comes in the trailers (or in the headers of a trailers-only answer),
// grpc-message percent-encoded, grpc-status-details-bin base64; an HTTP status other than 200 maps to a gRPC code as
// the gRPC spec says (http-grpc-status-mapping).

import * as http2 from 'node:http2';
import * as net from 'node:net';
import * as zlib from 'node:zlib';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { GrpcStatus } from '../../errors';
import type { LoadedTls } from '../internal/tls';
import { grpcStatusFromGrpcHttp } from '../internal/status-map';
import { totalLength } from '../../pdata/wire';

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);

/** What an Export call ended with: a status (0 = OK), its message and details, and the response message. */
export interface H2CallResult {
  code: number;
  details: string;
  /** grpc-status-details-bin, decoded. */
  statusDetails?: Buffer;
  /** The response message (without its 5-byte header), when the call succeeded. */
  response?: Buffer;
}

export interface H2ClientOptions {
  /** host:port, or unix:<path>. */
  target: string;
  tls?: LoadedTls;
  /** https without explicit TLS files (system roots). */
  https: boolean;
  authority?: string;
  userAgent: string;
  /** Extra request headers (metadata; `-bin` values already base64). */
  headers: Record<string, string>;
  gzip: boolean;
  /** HTTP/2 flow-control window (stream and connection). */
  window: number;
  keepalive?: { timeMs: number; timeoutMs: number };
}

function percentDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export class H2GrpcClient {
  private session: http2.ClientHttp2Session | undefined;
  private pinger: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly o: H2ClientOptions) {}

  private connect(): http2.ClientHttp2Session {
    const s = this.session;
    if (s !== undefined && !s.closed && !s.destroyed) return s;
    const o = this.o;
    const settings = { initialWindowSize: o.window };
    let session: http2.ClientHttp2Session;
    if (o.target.startsWith('unix:')) {
      const path = o.target.slice('unix:'.length);
      session = http2.connect('http://localhost', { settings, createConnection: () => net.connect(path) });
    } else if (o.tls || o.https) {
      const t = o.tls;
      session = http2.connect(`https://${o.target}`, {
        settings,
        ca: t?.ca,
        cert: t?.cert,
        key: t?.key,
        minVersion: t?.minVersion,
        maxVersion: t?.maxVersion,
        servername: t?.servername || undefined,
        rejectUnauthorized: t ? t.rejectUnauthorized : true,
      });
    } else {
      session = http2.connect(`http://${o.target}`, { settings });
    }
    session.on('error', () => undefined); // surfaces on the streams; the next call reconnects
    session.on('connect', () => {
      try {
        session.setLocalWindowSize(o.window);
      } catch {
        // closed meanwhile
      }
    });
    session.on('close', () => {
      if (this.session === session) this.session = undefined;
    });
    session.on('goaway', () => {
      if (this.session === session) this.session = undefined;
    });
    if (o.keepalive) this.keepalive(session, o.keepalive);
    session.unref();
    this.session = session;
    return session;
  }

  private keepalive(session: http2.ClientHttp2Session, k: { timeMs: number; timeoutMs: number }): void {
    clearInterval(this.pinger);
    this.pinger = setInterval(() => {
      if (session.destroyed) return;
      const timer = setTimeout(() => session.destroy(), k.timeoutMs);
      timer.unref();
      session.ping((err) => {
        clearTimeout(timer);
        if (err) session.destroy();
      });
    }, k.timeMs);
    this.pinger.unref();
  }

  /** One unary call: `pieces` back to back are the request message. Never rejects: failures are a status. */
  async call(path: string, pieces: readonly Uint8Array[], timeoutMs: number, signal: AbortSignal): Promise<H2CallResult> {
    if (this.closed) return { code: GrpcStatus.UNAVAILABLE, details: 'client closed' };
    let body = pieces;
    let compressed = 0;
    if (this.o.gzip) {
      body = [await gzip(Buffer.concat(pieces as Uint8Array[]))];
      compressed = 1;
    }
    const prefix = Buffer.allocUnsafe(5);
    prefix[0] = compressed;
    prefix.writeUInt32BE(totalLength(body), 1);

    const headers: http2.OutgoingHttpHeaders = {
      ...this.o.headers,
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
      'user-agent': this.o.userAgent,
      'grpc-accept-encoding': 'identity,gzip',
    };
    if (this.o.authority) headers[':authority'] = this.o.authority;
    if (compressed) headers['grpc-encoding'] = 'gzip';
    if (timeoutMs > 0) headers['grpc-timeout'] = `${Math.max(1, Math.ceil(timeoutMs))}m`;

    return new Promise<H2CallResult>((resolve) => {
      let done = false;
      let req: http2.ClientHttp2Stream | undefined;
      const finish = (r: H2CallResult) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (req && !req.closed) req.close(http2.constants.NGHTTP2_CANCEL);
        resolve(r);
      };
      const onAbort = () => finish({ code: GrpcStatus.CANCELLED, details: 'call cancelled' });
      const timer = timeoutMs > 0 ? setTimeout(() => finish({ code: GrpcStatus.DEADLINE_EXCEEDED, details: 'Deadline exceeded' }), timeoutMs) : undefined;
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        req = this.connect().request(headers);
      } catch (e) {
        finish({ code: GrpcStatus.UNAVAILABLE, details: (e as Error).message });
        return;
      }
      let httpStatus = 0;
      let status: { code: number; details: string; bin?: Buffer } | undefined;
      let encoding = 'identity';
      const chunks: Buffer[] = [];
      const readStatus = (h: http2.IncomingHttpHeaders) => {
        const st = h['grpc-status'];
        if (st === undefined) return;
        const msg = h['grpc-message'];
        const bin = h['grpc-status-details-bin'];
        status = {
          code: Number(st),
          details: typeof msg === 'string' ? percentDecode(msg) : '',
          bin: typeof bin === 'string' ? Buffer.from(bin, 'base64') : undefined,
        };
      };
      req.on('response', (h) => {
        httpStatus = Number(h[':status']);
        const enc = h['grpc-encoding'];
        if (typeof enc === 'string') encoding = enc;
        readStatus(h); // trailers-only
      });
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('trailers', (h) => readStatus(h));
      req.on('error', (e: NodeJS.ErrnoException) => {
        const refused = e.code === 'ECONNREFUSED' || e.code === 'ENOENT' || e.code === 'ECONNRESET' || e.code === 'ERR_HTTP2_GOAWAY_SESSION';
        finish({ code: refused || httpStatus === 0 ? GrpcStatus.UNAVAILABLE : GrpcStatus.INTERNAL, details: e.message });
      });
      req.on('close', () => {
        if (done) return;
        if (status === undefined) {
          if (httpStatus !== 0 && httpStatus !== 200) finish({ code: grpcStatusFromGrpcHttp(httpStatus), details: `received HTTP status ${httpStatus}` });
          else finish({ code: httpStatus === 0 ? GrpcStatus.UNAVAILABLE : GrpcStatus.INTERNAL, details: 'stream closed without a gRPC status' });
          return;
        }
        const st = status;
        if (st.code !== 0) {
          finish({ code: st.code, details: st.details, statusDetails: st.bin });
          return;
        }
        const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        if (all.length === 0) {
          finish({ code: 0, details: '' });
          return;
        }
        if (all.length < 5 || all.readUInt32BE(1) !== all.length - 5) {
          finish({ code: GrpcStatus.INTERNAL, details: 'malformed response message framing' });
          return;
        }
        const msg = all.subarray(5);
        if (all[0] === 1) {
          if (encoding !== 'gzip') {
            finish({ code: GrpcStatus.INTERNAL, details: `response compressed with unsupported encoding ${encoding}` });
            return;
          }
          gunzip(msg).then(
            (out) => finish({ code: 0, details: '', response: out }),
            (e: Error) => finish({ code: GrpcStatus.INTERNAL, details: `failed to decompress the response: ${e.message}` }),
          );
          return;
        }
        finish({ code: 0, details: '', response: msg });
      });
      req.write(prefix);
      for (const p of body) req.write(Buffer.isBuffer(p) ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength));
      req.end();
    });
  }

  close(): void {
    this.closed = true;
    clearInterval(this.pinger);
    this.session?.close();
    this.session = undefined;
  }
}

/** A grpc-js ServiceError-shaped value for the shared classification (classifyGrpcError). */
export function asServiceError(r: H2CallResult): grpc.ServiceError {
  const metadata = new grpc.Metadata();
  if (r.statusDetails) metadata.set('grpc-status-details-bin', r.statusDetails);
  const err = new Error(`${r.code} ${r.details}`) as grpc.ServiceError;
  err.code = r.code;
  err.details = r.details;
  err.metadata = metadata;
  return err;
}
