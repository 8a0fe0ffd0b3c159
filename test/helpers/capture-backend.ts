// A real OTLP trace backend for end-to-end tests, independent of otelcol-ts's own code: a grpc-js server
// (TraceService/Export with raw-Buffer (de)serializers) and a node:http server (POST /v1/traces, protobuf or
// JSON, optionally gzip/deflate). Every request is decoded with the protobufjs oracle into its canonical form
// (ids and bytes as lowercase hex, int64 as decimal strings, enums as numbers) and recorded.
//
//   const be = await CaptureBackend.start();
//   ... point a collector's otlp exporter at be.grpcEndpoint (host:port), otlphttp at be.httpEndpoint (http://host:port)
//   await be.waitForSpans(25, 5000);
//   be.spans()        // flattened spans of accepted requests, in arrival order
//   be.failNext(2)    // the next 2 requests (either transport) are refused: gRPC UNAVAILABLE / HTTP 503
//   await be.close();

import * as grpc from '@grpc/grpc-js';
import * as http from 'node:http';
import * as zlib from 'node:zlib';
import { ExportTraceServiceRequest, oracleDecodeTraces } from '../oracle/otlp-oracle';

export const TRACE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** One request as the backend saw it. */
export interface CapturedRequest {
  /** 0-based arrival index over all requests (accepted and refused). */
  index: number;
  transport: 'grpc' | 'http';
  /** HTTP path, or the gRPC method path. */
  path: string;
  /** HTTP content-type (lowercased, without parameters), or "application/grpc". */
  contentType: string;
  /** HTTP content-encoding or gRPC grpc-encoding ("" when none). */
  contentEncoding: string;
  /** HTTP headers or gRPC metadata (lowercased keys). */
  headers: Record<string, string>;
  /** Size of the (decompressed) request message in bytes. */
  bodyBytes: number;
  /** Number of spans in the request (0 when it could not be decoded). */
  spanCount: number;
  /** Canonical decoded ExportTraceServiceRequest (undefined when decoding failed). */
  decoded: CanonicalRequest | undefined;
  /** true when the backend refused the request on purpose (failNext). Refused requests' spans are not in spans(). */
  refused: boolean;
  /** Decoding problem, if any (the request was answered 400 / INVALID_ARGUMENT). */
  error?: string;
}

/** Canonical ExportTraceServiceRequest, as produced by oracleDecodeTraces. */
export interface CanonicalRequest {
  resourceSpans?: CanonicalResourceSpans[];
}
export interface CanonicalResourceSpans {
  resource?: { attributes?: CanonicalKeyValue[]; droppedAttributesCount?: number };
  scopeSpans?: CanonicalScopeSpans[];
  schemaUrl?: string;
}
export interface CanonicalScopeSpans {
  scope?: { name?: string; version?: string; attributes?: CanonicalKeyValue[] };
  spans?: CanonicalSpan[];
  schemaUrl?: string;
}
export interface CanonicalSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  traceState?: string;
  flags?: number;
  name?: string;
  kind?: number;
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
  attributes?: CanonicalKeyValue[];
  events?: unknown[];
  links?: unknown[];
  status?: { code?: number; message?: string };
  [k: string]: unknown;
}
export interface CanonicalKeyValue {
  key: string;
  value?: CanonicalAnyValue;
}
export interface CanonicalAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values?: CanonicalAnyValue[] };
  kvlistValue?: { values?: CanonicalKeyValue[] };
  bytesValue?: string;
}

/** One span of an accepted request with its resource and scope. */
export interface CapturedSpan {
  requestIndex: number;
  resource: CanonicalResourceSpans['resource'];
  scope: CanonicalScopeSpans['scope'];
  span: CanonicalSpan;
}

export interface FailOptions {
  /** gRPC status code to answer with (default UNAVAILABLE = 14). */
  grpcCode?: number;
  /** HTTP status to answer with (default 503). */
  httpStatus?: number;
  /** Retry-After seconds (HTTP header) when set. */
  retryAfterSeconds?: number;
}

/** Plain JS value of a canonical AnyValue (int64 stays a decimal string, bytes stay hex). */
export function anyValue(v: CanonicalAnyValue | undefined): unknown {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return v.intValue;
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.bytesValue !== undefined) return v.bytesValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(anyValue);
  if (v.kvlistValue !== undefined) return attrsOf(v.kvlistValue.values);
  // An AnyValue with no field set (empty value) is "" in string form for our purposes.
  return undefined;
}

/** Attributes as a plain object. Throws on a duplicated key (OTLP forbids it and our tests must notice). */
export function attrsOf(kvs: CanonicalKeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of kvs ?? []) {
    if (Object.prototype.hasOwnProperty.call(out, kv.key)) throw new Error(`duplicate attribute key ${JSON.stringify(kv.key)}`);
    out[kv.key] = anyValue(kv.value);
  }
  return out;
}

/** Number of spans in a canonical request. */
export function countSpans(req: CanonicalRequest | undefined): number {
  let n = 0;
  for (const rs of req?.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
  return n;
}

// ---------------------------------------------------------------------------------------------------------
// OTLP/JSON → canonical form: JSON ids are hex strings and bytesValue is base64 (OTLP/HTTP spec); everything
// else (int64 as string or number, enums as numbers or names, lowerCamelCase keys) protobufjs's fromObject
// understands. We convert, re-encode with the oracle and decode again so JSON and protobuf requests end up in
// exactly the same canonical form.

const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

function jsonToProtoObject(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => jsonToProtoObject(x));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = jsonToProtoObject(x, k);
    return out;
  }
  if (typeof v === 'string' && ID_KEYS.has(key)) {
    if (!/^([0-9a-fA-F]{2})*$/.test(v)) throw new Error(`${key} is not hex: ${JSON.stringify(v)}`);
    return Buffer.from(v, 'hex');
  }
  if (typeof v === 'string' && key === 'bytesValue') return Buffer.from(v, 'base64');
  return v;
}

/** Decode an OTLP/JSON ExportTraceServiceRequest body into the oracle's canonical form. */
export function canonicalFromJson(body: string): CanonicalRequest {
  const parsed = JSON.parse(body);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('JSON body is not an object');
  const msg = ExportTraceServiceRequest.fromObject(jsonToProtoObject(parsed) as Record<string, unknown>);
  return oracleDecodeTraces(ExportTraceServiceRequest.encode(msg).finish()) as CanonicalRequest;
}

// ---------------------------------------------------------------------------------------------------------

interface Waiter {
  check: () => boolean;
  resolve: () => void;
  reject: (e: Error) => void;
}

export class CaptureBackend {
  /** host:port of the gRPC server (for an `otlp` exporter's endpoint). */
  readonly grpcEndpoint: string;
  /** http://host:port of the HTTP server (for an `otlphttp` exporter's endpoint; traces go to /v1/traces). */
  readonly httpEndpoint: string;
  /** Every request received, refused ones included, in arrival order. */
  readonly requests: CapturedRequest[] = [];

  private failRemaining = 0;
  private failOpts: FailOptions = {};
  private waiters: Waiter[] = [];

  private constructor(
    private readonly grpcServer: grpc.Server,
    private readonly httpServer: http.Server,
    grpcPort: number,
    httpPort: number,
  ) {
    this.grpcEndpoint = `127.0.0.1:${grpcPort}`;
    this.httpEndpoint = `http://127.0.0.1:${httpPort}`;
  }

  static async start(): Promise<CaptureBackend> {
    const grpcServer = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
    const httpServer = http.createServer();
    const grpcPort = await new Promise<number>((resolve, reject) =>
      grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(0, '127.0.0.1', () => resolve());
    });
    const httpPort = (httpServer.address() as { port: number }).port;
    const be = new CaptureBackend(grpcServer, httpServer, grpcPort, httpPort);
    be.installGrpc();
    be.installHttp();
    return be;
  }

  /** Refuse the next `n` requests (gRPC UNAVAILABLE / HTTP 503 unless overridden). */
  failNext(n: number, opts: FailOptions = {}): void {
    this.failRemaining = n;
    this.failOpts = opts;
  }

  /** Requests that were accepted (not refused, decoded fine). */
  accepted(): CapturedRequest[] {
    return this.requests.filter((r) => !r.refused && r.error === undefined);
  }

  /** Requests the backend could not decode: always a bug in the sender. */
  decodeErrors(): CapturedRequest[] {
    return this.requests.filter((r) => r.error !== undefined);
  }

  /** All spans of accepted requests, flattened, in arrival order. */
  spans(): CapturedSpan[] {
    const out: CapturedSpan[] = [];
    for (const r of this.accepted()) {
      for (const rs of r.decoded?.resourceSpans ?? []) {
        for (const ss of rs.scopeSpans ?? []) {
          for (const span of ss.spans ?? []) out.push({ requestIndex: r.index, resource: rs.resource, scope: ss.scope, span });
        }
      }
    }
    return out;
  }

  spanCount(): number {
    let n = 0;
    for (const r of this.accepted()) n += r.spanCount;
    return n;
  }

  /** Resolves with spans() once at least `n` spans were accepted; rejects after `timeoutMs`. */
  waitForSpans(n: number, timeoutMs: number): Promise<CapturedSpan[]> {
    return this.waitFor(() => this.spanCount() >= n, timeoutMs, () => `${n} spans`).then(() => this.spans());
  }

  /** Resolves once at least `n` requests (accepted or refused) arrived; rejects after `timeoutMs`. */
  waitForRequests(n: number, timeoutMs: number): Promise<CapturedRequest[]> {
    return this.waitFor(() => this.requests.length >= n, timeoutMs, () => `${n} requests`).then(() => this.requests);
  }

  private waitFor(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(
          new Error(
            `capture backend: timed out after ${timeoutMs} ms waiting for ${what()}; have ${this.spanCount()} spans in ` +
              `${this.accepted().length} accepted of ${this.requests.length} requests` +
              (this.decodeErrors().length ? `; decode errors: ${this.decodeErrors().map((r) => r.error).join('; ')}` : ''),
          ),
        );
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  private notify(): void {
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.check()) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  private takeFailure(): FailOptions | undefined {
    if (this.failRemaining <= 0) return undefined;
    this.failRemaining--;
    return this.failOpts;
  }

  private record(r: Omit<CapturedRequest, 'index'>): CapturedRequest {
    const full = { index: this.requests.length, ...r };
    this.requests.push(full);
    // Let the response go out before waiters run.
    setImmediate(() => this.notify());
    return full;
  }

  private installGrpc(): void {
    const identity = (b: Buffer) => b;
    const definition: grpc.ServiceDefinition = {
      Export: {
        path: TRACE_EXPORT_PATH,
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    };
    const handler: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(call.metadata.getMap())) headers[k.toLowerCase()] = Buffer.isBuffer(v) ? v.toString('hex') : String(v);
      const base = {
        transport: 'grpc' as const,
        path: TRACE_EXPORT_PATH,
        contentType: 'application/grpc',
        contentEncoding: headers['grpc-encoding'] ?? '',
        headers,
        bodyBytes: call.request.length,
      };
      const fail = this.takeFailure();
      if (fail) {
        this.record({ ...base, spanCount: 0, decoded: undefined, refused: true });
        callback({ code: fail.grpcCode ?? grpc.status.UNAVAILABLE, details: 'capture backend: refused on purpose (failNext)' });
        return;
      }
      let decoded: CanonicalRequest;
      try {
        decoded = oracleDecodeTraces(call.request) as CanonicalRequest;
      } catch (e) {
        this.record({ ...base, spanCount: 0, decoded: undefined, refused: false, error: `grpc protobuf decode: ${(e as Error).message}` });
        callback({ code: grpc.status.INVALID_ARGUMENT, details: (e as Error).message });
        return;
      }
      this.record({ ...base, spanCount: countSpans(decoded), decoded, refused: false });
      callback(null, Buffer.alloc(0)); // an empty ExportTraceServiceResponse: full success
    };
    this.grpcServer.addService(definition, { Export: handler as grpc.UntypedHandleCall });
  }

  private installHttp(): void {
    this.httpServer.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('error', () => res.destroy());
      req.on('end', () => this.handleHttp(req, res, Buffer.concat(chunks)));
    });
  }

  private handleHttp(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): void {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    const path = (req.url ?? '/').split('?')[0]!;
    const contentType = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const contentEncoding = (headers['content-encoding'] ?? '').trim().toLowerCase();
    const reply = (status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': type, ...extra });
      res.end(body);
    };
    if (req.method !== 'POST' || path !== '/v1/traces') {
      reply(404, 'text/plain', 'capture backend: only POST /v1/traces');
      return;
    }
    let body: Buffer;
    try {
      if (contentEncoding === '' || contentEncoding === 'identity') body = raw;
      else if (contentEncoding === 'gzip') body = zlib.gunzipSync(raw);
      else if (contentEncoding === 'deflate') body = zlib.inflateSync(raw);
      else throw new Error(`unsupported content-encoding ${contentEncoding}`);
    } catch (e) {
      this.record({
        transport: 'http', path, contentType, contentEncoding, headers, bodyBytes: raw.length, spanCount: 0, decoded: undefined, refused: false,
        error: `http decompress: ${(e as Error).message}`,
      });
      reply(400, 'text/plain', (e as Error).message);
      return;
    }
    const base = { transport: 'http' as const, path, contentType, contentEncoding, headers, bodyBytes: body.length };
    const isJson = contentType === 'application/json';
    const responseType = isJson ? 'application/json' : 'application/x-protobuf';
    const fail = this.takeFailure();
    if (fail) {
      this.record({ ...base, spanCount: 0, decoded: undefined, refused: true });
      const extra: Record<string, string> = fail.retryAfterSeconds !== undefined ? { 'retry-after': String(fail.retryAfterSeconds) } : {};
      reply(fail.httpStatus ?? 503, 'text/plain', 'capture backend: refused on purpose (failNext)', extra);
      return;
    }
    let decoded: CanonicalRequest;
    try {
      if (isJson) decoded = canonicalFromJson(body.toString('utf8'));
      else if (contentType === 'application/x-protobuf' || contentType === 'application/protobuf') decoded = oracleDecodeTraces(body) as CanonicalRequest;
      else {
        this.record({ ...base, spanCount: 0, decoded: undefined, refused: false, error: `unsupported content-type ${JSON.stringify(contentType)}` });
        reply(415, 'text/plain', 'unsupported content type');
        return;
      }
    } catch (e) {
      this.record({ ...base, spanCount: 0, decoded: undefined, refused: false, error: `http ${contentType} decode: ${(e as Error).message}` });
      reply(400, 'text/plain', (e as Error).message);
      return;
    }
    this.record({ ...base, spanCount: countSpans(decoded), decoded, refused: false });
    reply(200, responseType, isJson ? '{}' : Buffer.alloc(0));
  }

  async close(): Promise<void> {
    for (const w of this.waiters) w.reject(new Error('capture backend closed while waiting'));
    this.waiters = [];
    this.grpcServer.forceShutdown();
    this.httpServer.closeAllConnections();
    await new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
  }
}
