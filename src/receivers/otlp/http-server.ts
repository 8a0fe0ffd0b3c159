// OTLP/HTTP server on node:http, after the Go receiver (otlphttp.go + confighttp):
//   POST <path> with Content-Type application/x-protobuf or application/json (parameters ignored),
//   Content-Encoding gzip / deflate / zlib (others: 400), body capped at max_request_body_size while streaming and
//   after decompression (413), answer in the request's content type.
// Errors: unknown path 404 (text), wrong method 405 (text, `Allow: POST`), wrong content type 415 (text), malformed
// body 400, consumer errors their own status; error bodies are google.rpc.Status in the request's content type,
// with `Retry-After` on retryable 429/503. Differences from Go (written reasons): too large is 413 (Go answers 400
// from its MaxBytesReader), Content-Encoding is matched case-insensitively, `identity` is accepted.

import type * as http from 'node:http';
import type { Logger } from '../../component/types';
import { DecodeError, OtelTsError, TooLargeError } from '../../errors';
import { BufferPool } from '../../pdata/buffer-pool';
import { BodyAbortedError, decompress, GO_DEFAULT_COMPRESSION_ALGORITHMS, readBody, SUPPORTED_ENCODINGS } from './body';
import { DEFAULT_HTTP_ENDPOINT, type HttpProtocolConfig } from './config';
import { Cors } from './cors';
import { closeHttp, createHttpServer, listenHttp } from './http-listen';
import { DEFAULT_MAX_REQUEST_BODY_SIZE } from './server-config';
import { receiverErrorToWire, rpcStatusJson, encodeRpcStatus, type WireError } from './status';

export type HttpFormat = 'proto' | 'json';
export type HttpResult = { ok: true; proto: () => Buffer; json: () => string } | { ok: false; error: WireError };
export type HttpHandler = (body: Buffer, format: HttpFormat) => Promise<HttpResult>;

export interface HttpRoute {
  path: string;
  handler: HttpHandler;
  /**
   * Where an uncompressed protobuf body of a declared length is read (default: a pooled buffer). `release` is
   * called once the request is answered, whatever became of the body.
   */
  protoBody?: { alloc(n: number): Buffer; release(body: Buffer): void };
}

const PROTO_CT = 'application/x-protobuf';
const JSON_CT = 'application/json';

/** Media type of a Content-Type header, lowercased, without parameters; '' when absent or malformed. */
export function mediaType(header: string | undefined): string {
  if (!header) return '';
  const semi = header.indexOf(';');
  const t = (semi < 0 ? header : header.slice(0, semi)).trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(t) ? t : '';
}

/** The path of a request target (origin-form `/v1/traces?x`, or absolute-form `http://host/v1/traces` via proxies). */
export function requestPath(url: string | undefined): string {
  let u = url ?? '/';
  if (!u.startsWith('/')) {
    const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(u);
    u = m ? u.slice(m[0].length) || '/' : u;
  }
  const q = u.search(/[?#]/);
  return q < 0 ? u : u.slice(0, q);
}

/** Request bodies (64 KiB to 16 MiB, at most 32 MiB idle): see src/pdata/buffer-pool.ts for why. */
const bodyBuffers = new BufferPool<ArrayBuffer>((n) => new ArrayBuffer(n), 64 << 10, 16 << 20, 32 << 20);

export class OtlpHttpServer {
  private server: http.Server | undefined;
  private stopping = false;
  private boundAddress: string | undefined;
  private boundPort = 0;
  private readonly routes: Map<string, HttpRoute>;
  private readonly limit: number;
  private readonly cors: Cors | undefined;
  private readonly encodings: Set<string>;
  private readonly responseHeaders: Array<[string, string]>;
  /** Called when the server fails after it started listening (the receiver reports a permanent error). */
  onFatal: ((err: Error) => void) | undefined;

  constructor(
    private readonly cfg: HttpProtocolConfig,
    routes: readonly HttpRoute[],
    private readonly logger: Logger,
    private readonly what: string,
  ) {
    this.routes = new Map(routes.map((r) => [r.path, r]));
    this.limit = cfg.max_request_body_size > 0 ? cfg.max_request_body_size : DEFAULT_MAX_REQUEST_BODY_SIZE;
    this.cors = cfg.cors && Cors.enabled(cfg.cors) ? new Cors(cfg.cors) : undefined;
    if (cfg.cors && !Cors.enabled(cfg.cors) && cfg.cors.allowed_headers.length > 0) {
      logger.warn('The CORS configuration specifies allowed headers but no allowed origins, and is therefore ignored.');
    }
    this.encodings = new Set((cfg.compression_algorithms ?? GO_DEFAULT_COMPRESSION_ALGORITHMS).map((e) => e.trim().toLowerCase()));
    this.encodings.add('');
    this.responseHeaders = cfg.response_headers;
  }

  get address(): string | undefined {
    return this.boundAddress;
  }

  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<void> {
    const server = createHttpServer(
      this.cfg.tls,
      this.what,
      { readTimeout: this.cfg.read_timeout, readHeaderTimeout: this.cfg.read_header_timeout, idleTimeout: this.cfg.idle_timeout },
      (req, res) => this.onRequest(req, res),
    );
    const { address, port } = await listenHttp(server, this.cfg.endpoint || DEFAULT_HTTP_ENDPOINT, this.cfg.transport, `${this.what} HTTP server`);
    server.on('error', (err) => {
      this.logger.error('OTLP/HTTP server failed', { error: err.message });
      this.onFatal?.(err);
    });
    this.server = server;
    this.boundAddress = address;
    this.boundPort = port;
    this.logger.info('Starting HTTP server', { endpoint: address });
  }

  async shutdown(graceMs: number): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.stopping = true;
    await closeHttp(server, graceMs);
  }

  // ---- request handling

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.on('error', () => undefined);
    this.handle(req, res).catch((e) => {
      // Never crash and never leak a stack: answer a generic 500 if nothing was sent yet.
      this.logger.error('OTLP/HTTP request failed unexpectedly', { error: e instanceof Error ? e.message : String(e) });
      if (!res.headersSent && !res.destroyed) this.sendText(res, 500, 'internal error');
      else res.destroy();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    for (const [k, v] of this.responseHeaders) res.setHeader(k, v);
    if (this.cors && this.cors.handle(req, res)) return;

    const route = this.routes.get(requestPath(req.url));
    if (!route) {
      this.sendText(res, 404, '404 page not found');
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      this.sendText(res, 405, '405 method not allowed, supported: [POST]');
      return;
    }
    const ct = mediaType(req.headers['content-type']);
    const format: HttpFormat | undefined = ct === PROTO_CT ? 'proto' : ct === JSON_CT ? 'json' : undefined;
    if (!format) {
      this.sendText(res, 415, `415 unsupported media type, supported: [${JSON_CT}, ${PROTO_CT}]`);
      return;
    }
    const encoding = String(req.headers['content-encoding'] ?? '').trim().toLowerCase();
    if (!this.encodings.has(encoding) && encoding !== 'identity') {
      this.sendError(res, format, receiverErrorToWire(new DecodeError(`unsupported Content-Encoding: ${encoding}`)));
      return;
    }
    if (!(SUPPORTED_ENCODINGS as readonly string[]).includes(encoding)) {
      this.sendError(
        res,
        format,
        receiverErrorToWire(new DecodeError(`unsupported Content-Encoding: ${encoding} (otelcol-ts decodes gzip, deflate and zlib)`)),
      );
      return;
    }

    // Bodies of a declared length are read into pooled buffers, given back once the request is answered: the
    // receiver's decoders copy what they keep (decode, frame, JSON), so nothing refers to a body afterwards. A
    // route may read uncompressed protobuf bodies into buffers of its own (the worker pool's part buffers).
    const own = format === 'proto' && (encoding === '' || encoding === 'identity') ? route.protoBody : undefined;
    let leased: ArrayBuffer | undefined;
    let owned: Buffer | undefined;
    const alloc = (n: number): Buffer => {
      if (n < bodyBuffers.minBytes || n > bodyBuffers.maxBytes) return Buffer.allocUnsafe(n);
      if (own !== undefined) return (owned = own.alloc(n));
      leased = bodyBuffers.take(n);
      return Buffer.from(leased, 0, n);
    };
    try {
      await this.handleBody(req, res, format, encoding, route.handler, alloc);
    } finally {
      if (leased !== undefined) bodyBuffers.give(leased);
      if (owned !== undefined) own!.release(owned);
    }
  }

  private async handleBody(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    format: HttpFormat,
    encoding: string,
    handler: HttpHandler,
    alloc: (n: number) => Buffer,
  ): Promise<void> {
    let body: Buffer;
    try {
      body = await readBody(req, this.limit, alloc);
      body = await decompress(body, encoding, this.limit);
    } catch (e) {
      if (e instanceof BodyAbortedError) {
        // The client is gone or broke the stream: nothing useful to answer.
        if (!res.headersSent) res.destroy();
        return;
      }
      if (e instanceof TooLargeError) {
        // Stop reading: the rest of the body is not wanted and the connection is not reusable.
        res.setHeader('Connection', 'close');
      }
      this.sendError(res, format, receiverErrorToWire(e instanceof OtelTsError ? e : new DecodeError(String(e))));
      return;
    }

    const result = await handler(body, format);
    if (!result.ok) {
      this.sendError(res, format, result.error);
      return;
    }
    if (format === 'proto') this.send(res, 200, PROTO_CT, result.proto());
    else this.send(res, 200, JSON_CT, Buffer.from(result.json(), 'utf8'));
  }

  private send(res: http.ServerResponse, status: number, contentType: string, body: Buffer): void {
    if (res.headersSent || res.destroyed) return;
    if (this.stopping || !this.cfg.keep_alives_enabled) res.setHeader('Connection', 'close');
    res.setHeader('Content-Type', contentType);
    res.setHeader('Content-Length', body.length);
    res.statusCode = status;
    res.end(body);
  }

  private sendText(res: http.ServerResponse, status: number, text: string): void {
    this.send(res, status, 'text/plain; charset=utf-8', Buffer.from(text + '\n', 'utf8'));
  }

  private sendError(res: http.ServerResponse, format: HttpFormat, err: WireError): void {
    if ((err.httpStatus === 429 || err.httpStatus === 503) && err.retryAfterSeconds !== undefined) {
      res.setHeader('Retry-After', String(Math.max(0, Math.ceil(err.retryAfterSeconds))));
    }
    const st = { code: err.grpcCode, message: err.message, retryAfterSeconds: err.retryAfterSeconds };
    if (format === 'proto') this.send(res, err.httpStatus, PROTO_CT, encodeRpcStatus(st));
    else this.send(res, err.httpStatus, JSON_CT, Buffer.from(rpcStatusJson(st), 'utf8'));
  }
}
