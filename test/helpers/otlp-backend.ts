// A real OTLP backend for traces, metrics and logs, independent of otelcol-ts's code: a grpc-js server
// (TraceService / MetricsService / LogsService Export, raw-Buffer (de)serializers) and a node:http(s) server
// (POST /v1/traces, /v1/metrics, /v1/logs; protobuf or JSON; gzip / deflate or not), both on 127.0.0.1 with a
// random port. Requests are decoded with the protobufjs oracle into the canonical form of
// test/oracle/otlp-oracle.ts and recorded with their signal, headers and encoding. test/helpers/capture-backend.ts
// (the e2e tests' backend) is a view over this one.
//
// HTTP paths: by default any path is accepted and its signal is read from its last segment (".../metrics" →
// metrics, ".../logs" → logs, anything else → traces, so custom `traces_endpoint`s work); with
// `strictPaths: true` only /v1/traces, /v1/metrics and /v1/logs are served (others: 404, not recorded).
//
// It can be told how to answer the next requests (any transport and signal), e.g.
//   be.script({ grpcCode: 14 }, { grpcCode: 14 })          // UNAVAILABLE twice, then OK
//   be.script({ grpcCode: 8, retryDelaySeconds: 1 })         // RESOURCE_EXHAUSTED with google.rpc.RetryInfo
//   be.script({ httpStatus: 503, retryAfter: '1' })          // HTTP 503 with Retry-After
//   be.script({ httpStatus: 400, message: 'bad' })           // HTTP 400 with a google.rpc.Status body
//   be.script({ partial: { rejected: 2, message: 'x' } })   // success with a partial success body
//   be.script({ hang: true })                                // never answers (timeouts)

import * as grpc from '@grpc/grpc-js';
import * as http from 'node:http';
import * as https from 'node:https';
import type * as http2 from 'node:http2';
import * as zlib from 'node:zlib';
import * as protobuf from 'protobufjs';
import { TEST_SERVER_CERT_PEM, TEST_SERVER_KEY_PEM } from './test-certs';
import {
  ExportLogsServiceRequest,
  ExportLogsServiceResponse,
  ExportMetricsServiceRequest,
  ExportMetricsServiceResponse,
  ExportTraceServiceRequest,
  ExportTraceServiceResponse,
  oracleDecodeLogs,
  oracleDecodeMetrics,
  oracleDecodeTraces,
} from '../oracle/otlp-oracle';

export type BackendSignal = 'traces' | 'metrics' | 'logs';
export const BACKEND_SIGNALS: readonly BackendSignal[] = ['traces', 'metrics', 'logs'];

type Canonical = Record<string, unknown>;
type Rows = Array<Record<string, unknown>>;

interface SignalSpec {
  grpcPath: string;
  httpPath: string;
  request: protobuf.Type;
  response: protobuf.Type;
  decode(bytes: Uint8Array): Canonical;
  /** Field of Export*PartialSuccess (protobufjs / JSON name). */
  rejectedKey: string;
  /** Items in a canonical request: spans, data points, log records. */
  count(req: Canonical | undefined): number;
}

const list = (v: unknown): Rows => (Array.isArray(v) ? (v as Rows) : []);

/** Data points of one canonical metric, whatever its type. */
function metricPoints(m: Record<string, unknown>): Rows {
  for (const k of ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary']) {
    const d = m[k] as Record<string, unknown> | undefined;
    if (d) return list(d['dataPoints']);
  }
  return [];
}

function countNested(req: Canonical | undefined, outer: string, inner: string, leaf: (x: Record<string, unknown>) => number): number {
  let n = 0;
  for (const r of list(req?.[outer])) for (const s of list(r[inner])) n += leaf(s);
  return n;
}

export const SIGNAL_SPECS: Readonly<Record<BackendSignal, SignalSpec>> = {
  traces: {
    grpcPath: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    httpPath: '/v1/traces',
    request: ExportTraceServiceRequest,
    response: ExportTraceServiceResponse,
    decode: oracleDecodeTraces,
    rejectedKey: 'rejectedSpans',
    count: (req) => countNested(req, 'resourceSpans', 'scopeSpans', (s) => list(s['spans']).length),
  },
  metrics: {
    grpcPath: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
    httpPath: '/v1/metrics',
    request: ExportMetricsServiceRequest,
    response: ExportMetricsServiceResponse,
    decode: oracleDecodeMetrics,
    rejectedKey: 'rejectedDataPoints',
    count: (req) => countNested(req, 'resourceMetrics', 'scopeMetrics', (s) => list(s['metrics']).reduce((n, m) => n + metricPoints(m).length, 0)),
  },
  logs: {
    grpcPath: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
    httpPath: '/v1/logs',
    request: ExportLogsServiceRequest,
    response: ExportLogsServiceResponse,
    decode: oracleDecodeLogs,
    rejectedKey: 'rejectedLogRecords',
    count: (req) => countNested(req, 'resourceLogs', 'scopeLogs', (s) => list(s['logRecords']).length),
  },
};

export const TRACE_EXPORT_PATH = SIGNAL_SPECS.traces.grpcPath;
export const METRICS_EXPORT_PATH = SIGNAL_SPECS.metrics.grpcPath;
export const LOGS_EXPORT_PATH = SIGNAL_SPECS.logs.grpcPath;

/** Items (spans / data points / log records) in a canonical request of `signal`. */
export function countItems(signal: BackendSignal, req: Canonical | undefined): number {
  return SIGNAL_SPECS[signal].count(req);
}

const rpcRoot = protobuf.Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
            Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
          },
        },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: 'int32', id: 1 },
                message: { type: 'string', id: 2 },
                details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
              },
            },
            RetryInfo: { fields: { retry_delay: { type: 'google.protobuf.Duration', id: 1 } } },
          },
        },
      },
    },
  },
});
const RpcStatus = rpcRoot.lookupType('google.rpc.Status');
const RetryInfo = rpcRoot.lookupType('google.rpc.RetryInfo');

/** google.rpc.Status bytes, optionally with a RetryInfo detail. */
export function encodeRpcStatus(code: number, message: string, retryDelaySeconds?: number): Buffer {
  const details = [];
  if (retryDelaySeconds !== undefined) {
    const secs = Math.floor(retryDelaySeconds);
    const ri = RetryInfo.encode(RetryInfo.fromObject({ retry_delay: { seconds: secs, nanos: Math.round((retryDelaySeconds - secs) * 1e9) } })).finish();
    details.push({ type_url: 'type.googleapis.com/google.rpc.RetryInfo', value: ri });
  }
  return Buffer.from(RpcStatus.encode(RpcStatus.fromObject({ code, message, details })).finish());
}

// ---------------------------------------------------------------------------------------------------------
// OTLP/JSON → canonical form: JSON ids are hex strings (any case) and bytesValue is base64 (OTLP/HTTP spec);
// everything else (int64 as string or number, enums as numbers or names, lowerCamelCase keys) protobufjs's
// fromObject understands. We convert, re-encode with the oracle and decode again so JSON and protobuf requests
// end up in exactly the same canonical form.

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

/** Decode an OTLP/JSON Export<Signal>ServiceRequest body into the oracle's canonical form. */
export function decodeJsonRequest(text: string, signal: BackendSignal = 'traces'): Canonical {
  const parsed: unknown = JSON.parse(text);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('JSON body is not an object');
  const spec = SIGNAL_SPECS[signal];
  const msg = spec.request.fromObject(jsonToProtoObject(parsed) as Record<string, unknown>);
  return spec.decode(spec.request.encode(msg).finish());
}

// ---------------------------------------------------------------------------------------------------------

export interface Answer {
  /** gRPC status to fail with (HTTP requests get the matching HTTP status). */
  grpcCode?: number;
  /** Attach a google.rpc.RetryInfo with this delay (gRPC). */
  retryDelaySeconds?: number;
  /** HTTP status to answer with (gRPC requests get UNAVAILABLE for 5xx/429, INVALID_ARGUMENT otherwise). */
  httpStatus?: number;
  retryAfter?: string;
  /** Error message (gRPC details / google.rpc.Status message in the HTTP body). */
  message?: string;
  /** Answer success with a partial success (rejected_spans / rejected_data_points / rejected_log_records). */
  partial?: { rejected: number; message: string };
  /** Never answer. */
  hang?: boolean;
  /** HTTP: answer 200 with this body and content type instead of an Export*ServiceResponse. */
  rawBody?: { contentType: string; body: Buffer };
}

/** Whether an answer refuses the request (a scripted error status). */
export function isRefusal(a: Answer): boolean {
  return a.grpcCode !== undefined || a.httpStatus !== undefined;
}

export interface BackendRequest {
  /** 0-based arrival index over all recorded requests. */
  index: number;
  transport: 'grpc' | 'http';
  signal: BackendSignal;
  /** HTTP path (query included), or the gRPC method path. */
  path: string;
  /** Lowercased request headers (gRPC: metadata). */
  headers: Record<string, string>;
  /** HTTP content type (lowercased, no parameters), or "application/grpc". */
  contentType: string;
  /** HTTP Content-Encoding ("" when none). For gRPC see `grpcStreams`. */
  contentEncoding: string;
  /** The decompressed body. */
  body: Buffer;
  /** Canonical decoded request (undefined when it could not be decoded). */
  decoded: Canonical | undefined;
  /** Why it could not be decoded (undefined when it was). */
  error?: string;
  /** Items in the request: spans, data points or log records (0 when it could not be decoded). */
  itemCount: number;
  /** Spans in a traces request (0 for other signals). */
  spanCount: number;
  /** How it was answered. */
  answer: Answer;
}

export interface BackendOptions {
  /** Serve gRPC and HTTPS with the test server certificate (test/helpers/test-certs.ts). */
  tls?: boolean;
  /** HTTP: serve only /v1/traces, /v1/metrics, /v1/logs (404 otherwise). */
  strictPaths?: boolean;
}

const identity = (b: Buffer) => b;

export class OtlpBackend {
  readonly requests: BackendRequest[] = [];
  /** Headers of every HTTP/2 stream the gRPC server saw (grpc-js hides grpc-encoding from handlers). */
  readonly grpcStreams: Array<Record<string, string>> = [];
  private answers: Answer[] = [];
  private waiters: Array<() => void> = [];
  private listeners: Array<(r: BackendRequest) => void> = [];
  private hung: Array<() => void> = [];
  private grpcServer!: grpc.Server;
  private httpServer!: http.Server;
  grpcPort = 0;
  httpPort = 0;
  readonly tls: boolean;
  private readonly strictPaths: boolean;
  private closed = false;

  static async start(opts: BackendOptions = {}): Promise<OtlpBackend> {
    const be = new OtlpBackend(opts);
    await be.listen();
    return be;
  }

  private constructor(opts: BackendOptions) {
    this.tls = !!opts.tls;
    this.strictPaths = !!opts.strictPaths;
  }

  get grpcEndpoint(): string {
    return `127.0.0.1:${this.grpcPort}`;
  }
  get httpEndpoint(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.httpPort}`;
  }

  /** Answers for the next requests, in order; afterwards requests succeed. */
  script(...answers: Answer[]): void {
    this.answers.push(...answers);
  }

  /** Drop answers not used yet. */
  clearScript(): void {
    this.answers.length = 0;
  }

  /** Called synchronously for every recorded request. */
  onRequest(listener: (r: BackendRequest) => void): void {
    this.listeners.push(listener);
  }

  /** Requests answered with success, decoded fine, in arrival order (optionally of one signal). */
  acceptedRequests(signal?: BackendSignal): BackendRequest[] {
    return this.requests.filter((r) => r.decoded && !isRefusal(r.answer) && !r.answer.hang && (!signal || r.signal === signal));
  }

  /** Canonical requests of `signal` that were accepted. */
  decoded(signal: BackendSignal): Canonical[] {
    return this.acceptedRequests(signal).map((r) => r.decoded!);
  }

  /** Items of `signal` in accepted requests. */
  itemCount(signal: BackendSignal): number {
    return this.acceptedRequests(signal).reduce((n, r) => n + r.itemCount, 0);
  }

  async waitForRequests(n: number, ms = 5000): Promise<void> {
    await this.waitUntil(() => this.requests.length >= n, ms, () => `backend: expected ${n} requests, got ${this.requests.length}`);
  }

  /** Resolves once at least `n` items of `signal` were accepted. */
  async waitForItems(signal: BackendSignal, n: number, ms = 5000): Promise<void> {
    await this.waitUntil(() => this.itemCount(signal) >= n, ms, () => `backend: expected ${n} ${signal} items, got ${this.itemCount(signal)}`);
  }

  async waitUntil(cond: () => boolean, ms: number, what: () => string): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (this.closed) throw new Error(`closed while waiting: ${what()}`);
      const left = end - Date.now();
      if (left <= 0) {
        const errors = this.requests.filter((r) => r.error !== undefined).map((r) => r.error);
        throw new Error(what() + (errors.length ? `; decode errors: ${errors.join('; ')}` : ''));
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  private record(r: Omit<BackendRequest, 'index'>): BackendRequest {
    const full: BackendRequest = { index: this.requests.length, ...r };
    this.requests.push(full);
    for (const l of this.listeners) l(full);
    const ws = this.waiters;
    this.waiters = [];
    // Let the response go out before waiters run.
    setImmediate(() => ws.forEach((w) => w()));
    return full;
  }

  private next(): Answer {
    return this.answers.shift() ?? {};
  }

  /** Export*ServiceResponse bytes: empty, or with a partial success. */
  private responseBytes(signal: BackendSignal, answer: Answer): Buffer {
    if (!answer.partial) return Buffer.alloc(0);
    const spec = SIGNAL_SPECS[signal];
    const msg = spec.response.fromObject({ partialSuccess: { [spec.rejectedKey]: answer.partial.rejected, errorMessage: answer.partial.message } });
    return Buffer.from(spec.response.encode(msg).finish());
  }

  private grpcHandler(signal: BackendSignal): grpc.handleUnaryCall<Buffer, Buffer> {
    const spec = SIGNAL_SPECS[signal];
    return (call, callback) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(call.metadata.getMap())) headers[k.toLowerCase()] = Buffer.isBuffer(v) ? v.toString() : String(v);
      let decoded: Canonical | undefined;
      let error: string | undefined;
      try {
        decoded = spec.decode(call.request);
      } catch (e) {
        error = `grpc protobuf decode: ${(e as Error).message}`;
      }
      const answer = this.next();
      const itemCount = spec.count(decoded);
      this.record({
        transport: 'grpc', signal, path: spec.grpcPath, headers, contentType: 'application/grpc', contentEncoding: headers['grpc-encoding'] ?? '',
        body: call.request, decoded, error, itemCount, spanCount: signal === 'traces' ? itemCount : 0, answer,
      });
      if (answer.hang) {
        this.hung.push(() => callback({ code: grpc.status.UNAVAILABLE, details: 'backend closing' }));
        return;
      }
      const code = answer.grpcCode ?? (answer.httpStatus ? (answer.httpStatus >= 500 || answer.httpStatus === 429 ? 14 : 3) : undefined);
      if (code !== undefined) {
        const md = new grpc.Metadata();
        const message = answer.message ?? 'refused by the test backend';
        if (answer.retryDelaySeconds !== undefined) md.set('grpc-status-details-bin', encodeRpcStatus(code, message, answer.retryDelaySeconds));
        callback({ code, details: message, metadata: md });
        return;
      }
      if (!decoded) {
        callback({ code: grpc.status.INVALID_ARGUMENT, details: error ?? 'cannot decode the request' });
        return;
      }
      callback(null, this.responseBytes(signal, answer));
    };
  }

  private async listen(): Promise<void> {
    this.grpcServer = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
    for (const signal of BACKEND_SIGNALS) {
      const path = SIGNAL_SPECS[signal].grpcPath;
      this.grpcServer.addService(
        {
          Export: {
            path,
            requestStream: false,
            responseStream: false,
            requestSerialize: identity,
            requestDeserialize: identity,
            responseSerialize: identity,
            responseDeserialize: identity,
          },
        } as grpc.ServiceDefinition,
        { Export: this.grpcHandler(signal) as grpc.UntypedHandleCall },
      );
    }
    this.grpcPort = await new Promise<number>((resolve, reject) =>
      this.grpcServer.bindAsync(
        '127.0.0.1:0',
        this.tls
          ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(TEST_SERVER_CERT_PEM), private_key: Buffer.from(TEST_SERVER_KEY_PEM) }])
          : grpc.ServerCredentials.createInsecure(),
        (err, port) => (err ? reject(err) : resolve(port)),
      ),
    );
    // Peek at the raw HTTP/2 streams to see grpc-encoding (grpc-js strips it from the call metadata).
    const servers = (this.grpcServer as unknown as { http2Servers?: Map<http2.Http2Server, unknown> }).http2Servers;
    for (const s of servers?.keys() ?? []) {
      s.prependListener('stream', (_stream: http2.ServerHttp2Stream, h: http2.IncomingHttpHeaders) => {
        const rec: Record<string, string> = {};
        for (const [k, v] of Object.entries(h)) rec[k] = String(v);
        this.grpcStreams.push(rec);
      });
    }

    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.handleHttp(req, res);
    this.httpServer = this.tls ? https.createServer({ cert: TEST_SERVER_CERT_PEM, key: TEST_SERVER_KEY_PEM }, handler) : http.createServer(handler);
    this.httpServer.keepAliveTimeout = 5000;
    await new Promise<void>((resolve) => this.httpServer.listen(0, '127.0.0.1', resolve));
    this.httpPort = (this.httpServer.address() as { port: number }).port;
  }

  /** The signal an HTTP path is for; undefined when strict and not one of /v1/{traces,metrics,logs}. */
  private signalForPath(path: string): BackendSignal | undefined {
    if (this.strictPaths) return BACKEND_SIGNALS.find((s) => SIGNAL_SPECS[s].httpPath === path);
    const last = path.slice(path.lastIndexOf('/') + 1);
    return last.includes('metrics') ? 'metrics' : last.includes('logs') ? 'logs' : 'traces';
  }

  private handleHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const url = req.url ?? '';
      const signal = req.method === 'POST' ? this.signalForPath(url.split('?')[0]!) : undefined;
      if (!signal) {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('test backend: only POST /v1/traces, /v1/metrics, /v1/logs');
        return;
      }
      const spec = SIGNAL_SPECS[signal];
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
      const contentEncoding = (headers['content-encoding'] ?? '').trim().toLowerCase();
      const contentType = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const isJson = contentType === 'application/json';
      const isProto = contentType === 'application/x-protobuf' || contentType === 'application/protobuf';
      let body = Buffer.concat(chunks);
      let decoded: Canonical | undefined;
      let error: string | undefined;
      let failStatus = 400;
      try {
        if (contentEncoding === 'gzip') body = zlib.gunzipSync(body);
        else if (contentEncoding === 'deflate') body = zlib.inflateSync(body);
        else if (contentEncoding !== '' && contentEncoding !== 'identity') throw new Error(`unsupported content-encoding ${contentEncoding}`);
      } catch (e) {
        error = `http decompress: ${(e as Error).message}`;
      }
      if (error === undefined) {
        if (!isJson && !isProto) {
          error = `unsupported content-type ${JSON.stringify(contentType)}`;
          failStatus = 415;
        } else {
          try {
            decoded = isJson ? decodeJsonRequest(body.toString('utf8'), signal) : spec.decode(body);
          } catch (e) {
            error = `http ${contentType} decode: ${(e as Error).message}`;
          }
        }
      }
      const answer = this.next();
      const itemCount = spec.count(decoded);
      this.record({
        transport: 'http', signal, path: url, headers, contentType, contentEncoding, body, decoded, error, itemCount,
        spanCount: signal === 'traces' ? itemCount : 0, answer,
      });
      if (answer.hang) {
        this.hung.push(() => res.destroy());
        return;
      }
      const status = answer.httpStatus ?? (answer.grpcCode !== undefined ? (answer.grpcCode === 14 ? 503 : 400) : undefined);
      if (status !== undefined) {
        const h: Record<string, string> = { 'Content-Type': 'application/x-protobuf' };
        if (answer.retryAfter !== undefined) h['Retry-After'] = answer.retryAfter;
        res.writeHead(status, h);
        res.end(answer.message !== undefined ? encodeRpcStatus(status === 400 ? 3 : 14, answer.message) : undefined);
        return;
      }
      if (!decoded) {
        res.writeHead(failStatus, { 'Content-Type': 'application/x-protobuf' });
        res.end(encodeRpcStatus(3, error ?? 'cannot decode the request'));
        return;
      }
      if (answer.rawBody) {
        res.writeHead(200, { 'Content-Type': answer.rawBody.contentType });
        res.end(answer.rawBody.body);
        return;
      }
      if (isJson) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const ps = answer.partial ? { partialSuccess: { [spec.rejectedKey]: String(answer.partial.rejected), errorMessage: answer.partial.message } } : {};
        res.end(JSON.stringify(ps));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf' });
      res.end(this.responseBytes(signal, answer));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const h of this.hung.splice(0)) h();
    for (const w of this.waiters.splice(0)) w();
    await Promise.race([
      new Promise<void>((resolve) => this.grpcServer.tryShutdown(() => resolve())),
      new Promise<void>((resolve) => setTimeout(resolve, 500)),
    ]);
    this.grpcServer.forceShutdown();
    this.httpServer.closeAllConnections();
    await new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
  }
}
