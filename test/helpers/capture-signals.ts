// A real OTLP backend for traces, metrics and logs in end-to-end tests, independent of otelcol-ts's code: a
// grpc-js server (TraceService / MetricsService / LogsService Export with raw-Buffer (de)serializers) and a
// node:http server (POST /v1/traces, /v1/metrics, /v1/logs; protobuf or JSON; optionally gzip/deflate). Every
// request is decoded with the protobufjs oracle into its canonical form (ids and bytes as lowercase hex, int64
// as decimal strings, enums as numbers) and recorded. Also: flatteners that turn canonical requests into one
// row per data point / log record / span with its resource, scope (and metric), to compare what an SDK sent
// with what the backend got whatever the batching in between.
//
//   const be = await SignalBackend.start();
//   ... otlp exporter → be.grpcEndpoint (host:port), otlphttp → be.httpEndpoint (http://host:port)
//   await be.waitForItems('metrics', 40, 5000);
//   flattenMetrics(be.decoded('metrics'))
//   await be.close();

import * as grpc from '@grpc/grpc-js';
import * as http from 'node:http';
import * as zlib from 'node:zlib';
import * as assert from 'node:assert/strict';
import type * as protobuf from 'protobufjs';
import {
  ExportLogsServiceRequest,
  ExportMetricsServiceRequest,
  ExportTraceServiceRequest,
  oracleDecodeLogs,
  oracleDecodeMetrics,
  oracleDecodeTraces,
} from '../oracle/otlp-oracle';

export type SignalName = 'traces' | 'metrics' | 'logs';
export const SIGNAL_NAMES: readonly SignalName[] = ['traces', 'metrics', 'logs'];

type Canonical = Record<string, unknown>;

interface SignalSpec {
  grpcPath: string;
  httpPath: string;
  type: protobuf.Type;
  decode: (b: Uint8Array) => Canonical;
  count: (req: Canonical) => number;
}

const SPECS: Record<SignalName, SignalSpec> = {
  traces: {
    grpcPath: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    httpPath: '/v1/traces',
    type: ExportTraceServiceRequest,
    decode: oracleDecodeTraces,
    count: (r) => flattenSpans([r]).length,
  },
  metrics: {
    grpcPath: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
    httpPath: '/v1/metrics',
    type: ExportMetricsServiceRequest,
    decode: oracleDecodeMetrics,
    count: (r) => flattenMetrics([r]).length,
  },
  logs: {
    grpcPath: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
    httpPath: '/v1/logs',
    type: ExportLogsServiceRequest,
    decode: oracleDecodeLogs,
    count: (r) => flattenLogs([r]).length,
  },
};

export interface SignalRequest {
  index: number;
  signal: SignalName;
  transport: 'grpc' | 'http';
  path: string;
  /** Lowercased, without parameters; "application/grpc" for gRPC. */
  contentType: string;
  contentEncoding: string;
  headers: Record<string, string>;
  bodyBytes: number;
  /** Spans / data points / log records. */
  itemCount: number;
  decoded: Canonical | undefined;
  error?: string;
}

// ---------------------------------------------------------------------------------------------------------
// Flattening canonical requests.

type Obj = Record<string, unknown>;
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const obj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});

/** One row per data point / log record / span, with proto3 defaults dropped (dropDefaults). */
export interface FlatContext {
  resource: Obj;
  resourceSchemaUrl: string | undefined;
  scope: Obj;
  scopeSchemaUrl: string | undefined;
}
export interface FlatPoint extends FlatContext {
  /** The metric without its data: name, description, unit, metadata, type, temporality, monotonicity. */
  metric: { name: string; description?: string; unit?: string; metadata?: unknown; type: string; aggregationTemporality?: number; isMonotonic?: boolean };
  /** The canonical data point. */
  point: Obj;
}
export interface FlatLog extends FlatContext {
  record: Obj;
}
export interface FlatSpan extends FlatContext {
  span: Obj;
}

// Fields whose presence means something even with a zero value: the oneofs (AnyValue, number point and
// exemplar values) and proto3 `optional` fields (histogram sum/min/max). Every other scalar at its proto3
// default (false, 0, "0", "") is the same as absent, whether or not a writer put it on the wire (the SDK's JSON
// writer sends isMonotonic: false and scale: 0; a protobuf writer omits them).
const PRESENCE_KEYS = new Set(['asInt', 'asDouble', 'sum', 'min', 'max', 'stringValue', 'boolValue', 'intValue', 'doubleValue', 'bytesValue']);

/** A canonical message with proto3 default scalars removed (see PRESENCE_KEYS); arrays keep every element. */
export function dropDefaults<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => (x && typeof x === 'object' ? dropDefaults(x) : x)) as T;
  if (v && typeof v === 'object') {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v as Obj)) {
      if (!PRESENCE_KEYS.has(k) && (x === false || x === 0 || x === '0' || x === '' || x === undefined)) continue;
      // An empty AnyValue body is the same as none: Go's pdata cannot tell them apart (and always writes the
      // body field); the SDK's JSON writer sends `body: {}` for a record without a body, its protobuf writer nothing.
      if (k === 'body' && x && typeof x === 'object' && Object.keys(x).length === 0) continue;
      out[k] = x && typeof x === 'object' ? dropDefaults(x) : x;
    }
    return out as T;
  }
  return v;
}

const METRIC_TYPES = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;

export function flattenMetrics(reqs: readonly Canonical[]): FlatPoint[] {
  const out: FlatPoint[] = [];
  for (const req of reqs.map(dropDefaults)) {
    for (const rm of arr(req.resourceMetrics)) {
      for (const sm of arr(rm.scopeMetrics)) {
        for (const m of arr(sm.metrics)) {
          const type = METRIC_TYPES.find((t) => m[t] !== undefined) ?? 'empty';
          const data = obj(m[type]);
          const metric: FlatPoint['metric'] = { name: String(m.name ?? ''), type };
          if (m.description !== undefined) metric.description = m.description as string;
          if (m.unit !== undefined) metric.unit = m.unit as string;
          if (m.metadata !== undefined) metric.metadata = m.metadata;
          if (data.aggregationTemporality !== undefined) metric.aggregationTemporality = data.aggregationTemporality as number;
          if (data.isMonotonic !== undefined) metric.isMonotonic = data.isMonotonic as boolean;
          for (const point of arr(data.dataPoints)) {
            out.push({
              resource: obj(rm.resource),
              resourceSchemaUrl: rm.schemaUrl as string | undefined,
              scope: obj(sm.scope),
              scopeSchemaUrl: sm.schemaUrl as string | undefined,
              metric,
              point,
            });
          }
        }
      }
    }
  }
  return out;
}

export function flattenLogs(reqs: readonly Canonical[]): FlatLog[] {
  const out: FlatLog[] = [];
  for (const req of reqs.map(dropDefaults)) {
    for (const rl of arr(req.resourceLogs)) {
      for (const sl of arr(rl.scopeLogs)) {
        for (const record of arr(sl.logRecords)) {
          out.push({ resource: obj(rl.resource), resourceSchemaUrl: rl.schemaUrl as string | undefined, scope: obj(sl.scope), scopeSchemaUrl: sl.schemaUrl as string | undefined, record });
        }
      }
    }
  }
  return out;
}

export function flattenSpans(reqs: readonly Canonical[]): FlatSpan[] {
  const out: FlatSpan[] = [];
  for (const req of reqs.map(dropDefaults)) {
    for (const rs of arr(req.resourceSpans)) {
      for (const ss of arr(rs.scopeSpans)) {
        for (const span of arr(ss.spans)) {
          out.push({ resource: obj(rs.resource), resourceSchemaUrl: rs.schemaUrl as string | undefined, scope: obj(ss.scope), scopeSchemaUrl: ss.schemaUrl as string | undefined, span });
        }
      }
    }
  }
  return out;
}

/** JSON with object keys sorted (undefined members dropped): a stable identity for comparing rows as multisets. */
export function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => {
    if (x && typeof x === 'object' && !Array.isArray(x)) {
      const o: Obj = {};
      for (const k of Object.keys(x).sort()) o[k] = (x as Obj)[k];
      return o;
    }
    return x;
  });
}

/** Rows sorted by their stable JSON (so two multisets compare with deepEqual whatever the arrival order). */
export function sortRows<T>(rows: readonly T[]): T[] {
  return [...rows].map((r) => [stableJson(r), r] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((x) => x[1]);
}

// ---------------------------------------------------------------------------------------------------------
// OTLP/JSON → canonical form (ids hex, bytesValue base64 in OTLP/JSON; protobufjs fromObject does the rest).

const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

function jsonToProtoObject(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => jsonToProtoObject(x));
  if (v && typeof v === 'object') {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v as Obj)) out[k] = jsonToProtoObject(x, k);
    return out;
  }
  if (typeof v === 'string' && ID_KEYS.has(key)) {
    if (!/^([0-9a-fA-F]{2})*$/.test(v)) throw new Error(`${key} is not hex: ${JSON.stringify(v)}`);
    return Buffer.from(v, 'hex');
  }
  if (typeof v === 'string' && key === 'bytesValue') return Buffer.from(v, 'base64');
  return v;
}

export function canonicalFromJsonBody(signal: SignalName, body: string): Canonical {
  const parsed = JSON.parse(body);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('JSON body is not an object');
  const spec = SPECS[signal];
  const msg = spec.type.fromObject(jsonToProtoObject(parsed) as Obj);
  return spec.decode(spec.type.encode(msg).finish());
}

// ---------------------------------------------------------------------------------------------------------

interface Waiter {
  check: () => boolean;
  resolve: () => void;
  reject: (e: Error) => void;
}

export class SignalBackend {
  readonly grpcEndpoint: string;
  readonly httpEndpoint: string;
  readonly requests: SignalRequest[] = [];
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

  static async start(): Promise<SignalBackend> {
    const grpcServer = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
    const httpServer = http.createServer();
    const grpcPort = await new Promise<number>((resolve, reject) =>
      grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(0, '127.0.0.1', () => resolve());
    });
    const be = new SignalBackend(grpcServer, httpServer, grpcPort, (httpServer.address() as { port: number }).port);
    be.installGrpc();
    httpServer.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('error', () => res.destroy());
      req.on('end', () => be.handleHttp(req, res, Buffer.concat(chunks)));
    });
    return be;
  }

  accepted(signal?: SignalName): SignalRequest[] {
    return this.requests.filter((r) => r.error === undefined && (signal === undefined || r.signal === signal));
  }
  decodeErrors(): SignalRequest[] {
    return this.requests.filter((r) => r.error !== undefined);
  }
  /** Canonical requests of one signal, in arrival order. */
  decoded(signal: SignalName): Canonical[] {
    return this.accepted(signal).map((r) => r.decoded!);
  }
  itemCount(signal: SignalName): number {
    return this.accepted(signal).reduce((n, r) => n + r.itemCount, 0);
  }
  points(): FlatPoint[] {
    return flattenMetrics(this.decoded('metrics'));
  }
  logRecords(): FlatLog[] {
    return flattenLogs(this.decoded('logs'));
  }
  spans(): FlatSpan[] {
    return flattenSpans(this.decoded('traces'));
  }

  /** Resolves once at least `n` items of `signal` were accepted; rejects after timeoutMs. */
  waitForItems(signal: SignalName, n: number, timeoutMs: number): Promise<void> {
    return this.waitFor(() => this.itemCount(signal) >= n, timeoutMs, () => `${n} ${signal} items`);
  }

  private waitFor(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        const have = SIGNAL_NAMES.map((s) => `${this.itemCount(s)} ${s}`).join(', ');
        const errs = this.decodeErrors().map((r) => r.error);
        reject(new Error(`signal backend: timed out after ${timeoutMs} ms waiting for ${what()}; have ${have} in ${this.requests.length} requests${errs.length ? `; errors: ${errs.join('; ')}` : ''}`));
      }, timeoutMs);
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
      this.waiters.push(w);
    });
  }

  private record(r: Omit<SignalRequest, 'index'>): void {
    this.requests.push({ index: this.requests.length, ...r });
    setImmediate(() => {
      const still: Waiter[] = [];
      for (const w of this.waiters) (w.check() ? w.resolve() : still.push(w));
      this.waiters = still;
    });
  }

  private installGrpc(): void {
    const identity = (b: Buffer) => b;
    for (const signal of SIGNAL_NAMES) {
      const spec = SPECS[signal];
      const definition: grpc.ServiceDefinition = {
        Export: { path: spec.grpcPath, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
      };
      const handler: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(call.metadata.getMap())) headers[k.toLowerCase()] = Buffer.isBuffer(v) ? v.toString('hex') : String(v);
        const base = { signal, transport: 'grpc' as const, path: spec.grpcPath, contentType: 'application/grpc', contentEncoding: headers['grpc-encoding'] ?? '', headers, bodyBytes: call.request.length };
        let decoded: Canonical;
        try {
          decoded = spec.decode(call.request);
        } catch (e) {
          this.record({ ...base, itemCount: 0, decoded: undefined, error: `grpc ${signal} decode: ${(e as Error).message}` });
          callback({ code: grpc.status.INVALID_ARGUMENT, details: (e as Error).message });
          return;
        }
        this.record({ ...base, itemCount: spec.count(decoded), decoded });
        callback(null, Buffer.alloc(0));
      };
      this.grpcServer.addService(definition, { Export: handler as grpc.UntypedHandleCall });
    }
  }

  private handleHttp(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): void {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    const path = (req.url ?? '/').split('?')[0]!;
    const contentType = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const contentEncoding = (headers['content-encoding'] ?? '').trim().toLowerCase();
    const reply = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    const signal = SIGNAL_NAMES.find((s) => SPECS[s].httpPath === path);
    if (req.method !== 'POST' || !signal) {
      reply(404, 'text/plain', 'signal backend: only POST /v1/traces, /v1/metrics, /v1/logs');
      return;
    }
    const base = { signal, transport: 'http' as const, path, contentType, contentEncoding, headers };
    let body: Buffer;
    try {
      if (contentEncoding === '' || contentEncoding === 'identity') body = raw;
      else if (contentEncoding === 'gzip') body = zlib.gunzipSync(raw);
      else if (contentEncoding === 'deflate') body = zlib.inflateSync(raw);
      else throw new Error(`unsupported content-encoding ${contentEncoding}`);
    } catch (e) {
      this.record({ ...base, bodyBytes: raw.length, itemCount: 0, decoded: undefined, error: `http decompress: ${(e as Error).message}` });
      reply(400, 'text/plain', (e as Error).message);
      return;
    }
    const isJson = contentType === 'application/json';
    let decoded: Canonical;
    try {
      if (isJson) decoded = canonicalFromJsonBody(signal, body.toString('utf8'));
      else if (contentType === 'application/x-protobuf' || contentType === 'application/protobuf') decoded = SPECS[signal].decode(body);
      else throw new Error(`unsupported content-type ${JSON.stringify(contentType)}`);
    } catch (e) {
      this.record({ ...base, bodyBytes: body.length, itemCount: 0, decoded: undefined, error: `http ${signal} ${contentType} decode: ${(e as Error).message}` });
      reply(400, 'text/plain', (e as Error).message);
      return;
    }
    this.record({ ...base, bodyBytes: body.length, itemCount: SPECS[signal].count(decoded), decoded });
    reply(200, isJson ? 'application/json' : 'application/x-protobuf', isJson ? '{}' : Buffer.alloc(0));
  }

  async close(): Promise<void> {
    for (const w of this.waiters) w.reject(new Error('signal backend closed while waiting'));
    this.waiters = [];
    this.grpcServer.forceShutdown();
    this.httpServer.closeAllConnections();
    await new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
  }
}

/** Wait until no new request arrived for `quietMs` (bounded by maxMs): lets late duplicates show up. */
export async function settleBackend(be: SignalBackend, quietMs: number, maxMs = 5000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = be.requests.length;
  let since = Date.now();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    if (be.requests.length !== last) {
      last = be.requests.length;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
  }
}

/** Canonical KeyValue list → plain object (int64 stays a decimal string, bytes hex). */
export function kvObject(kvs: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of arr(kvs)) out[String(kv.key)] = anyPlain(obj(kv.value));
  return out;
}

/** Canonical AnyValue → plain JS value. */
export function anyPlain(v: Obj | undefined): unknown {
  if (!v) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return v.intValue;
  if ('doubleValue' in v) return v.doubleValue;
  if ('bytesValue' in v) return v.bytesValue;
  if ('arrayValue' in v) return arr(obj(v.arrayValue).values).map((x) => anyPlain(x));
  if ('kvlistValue' in v) return kvObject(obj(v.kvlistValue).values);
  return undefined;
}

/**
 * `got` and `want` hold the same rows (as multisets, by stable JSON). On failure the message lists the rows
 * only one side has (first 5 each) rather than a full structural diff.
 */
export function assertSameRows(got: readonly unknown[], want: readonly unknown[], what: string): void {
  const count = (rows: readonly unknown[]) => {
    const m = new Map<string, number>();
    for (const r of rows) {
      const k = stableJson(r);
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    return m;
  };
  const g = count(got);
  const w = count(want);
  const missing: string[] = [];
  const extra: string[] = [];
  for (const [k, n] of w) for (let i = g.get(k) ?? 0; i < n; i++) missing.push(k);
  for (const [k, n] of g) for (let i = w.get(k) ?? 0; i < n; i++) extra.push(k);
  if (missing.length || extra.length) {
    const show = (xs: string[]) => xs.slice(0, 5).map((x) => `    ${x}`).join('\n') + (xs.length > 5 ? `\n    … ${xs.length - 5} more` : '');
    throw new assert.AssertionError({
      message: `${what}: ${got.length} rows, expected ${want.length}; ${missing.length} expected rows missing, ${extra.length} unexpected rows\n  missing:\n${show(missing)}\n  unexpected:\n${show(extra)}`,
    });
  }
}
