// The e2e tests' OTLP backend: a view over test/helpers/otlp-backend.ts (grpc-js Trace/Metrics/LogsService Export
// and node:http POST /v1/traces, /v1/metrics, /v1/logs — protobuf or JSON, gzip/deflate — every request decoded
// with the protobufjs oracle into its canonical form: ids and bytes as lowercase hex, int64 as decimal strings,
// enums as numbers), with flattened spans / data points / log records and waits on them.
//
//   const be = await CaptureBackend.start();
//   ... point a collector's otlp exporter at be.grpcEndpoint (host:port), otlphttp at be.httpEndpoint (http://host:port)
//   await be.waitForSpans(25, 5000);            // or waitForDataPoints / waitForLogRecords
//   be.spans()        // flattened spans of accepted requests, in arrival order (dataPoints(), logRecords())
//   be.failNext(2)    // the next 2 requests (any transport and signal) are refused: gRPC UNAVAILABLE / HTTP 503
//   await be.close();

import { countItems, decodeJsonRequest, isRefusal, OtlpBackend, type BackendRequest, type BackendSignal } from './otlp-backend';

export { TRACE_EXPORT_PATH, METRICS_EXPORT_PATH, LOGS_EXPORT_PATH } from './otlp-backend';
export type { BackendSignal } from './otlp-backend';

/** One request as the backend saw it. */
export interface CapturedRequest {
  /** 0-based arrival index over all requests (accepted and refused). */
  index: number;
  transport: 'grpc' | 'http';
  signal: BackendSignal;
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
  /** Number of spans in the request (0 for other signals, or when it could not be decoded). */
  spanCount: number;
  /** Spans, data points or log records in the request (0 when it could not be decoded). */
  itemCount: number;
  /** Canonical decoded Export<Signal>ServiceRequest (undefined when decoding failed). */
  decoded: CanonicalRequest | undefined;
  /** true when the backend refused the request on purpose (failNext). Refused requests' items are not in spans() etc. */
  refused: boolean;
  /** Decoding problem, if any (the request was answered 400 / 415 / INVALID_ARGUMENT). */
  error?: string;
}

/** Canonical Export*ServiceRequest, as produced by the oracle (one of the three lists is set). */
export interface CanonicalRequest {
  resourceSpans?: CanonicalResourceSpans[];
  resourceMetrics?: CanonicalResourceMetrics[];
  resourceLogs?: CanonicalResourceLogs[];
}
export interface CanonicalResource {
  attributes?: CanonicalKeyValue[];
  droppedAttributesCount?: number;
}
export interface CanonicalScope {
  name?: string;
  version?: string;
  attributes?: CanonicalKeyValue[];
}
export interface CanonicalResourceSpans {
  resource?: CanonicalResource;
  scopeSpans?: CanonicalScopeSpans[];
  schemaUrl?: string;
}
export interface CanonicalScopeSpans {
  scope?: CanonicalScope;
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
export interface CanonicalResourceMetrics {
  resource?: CanonicalResource;
  scopeMetrics?: Array<{ scope?: CanonicalScope; metrics?: CanonicalMetric[]; schemaUrl?: string }>;
  schemaUrl?: string;
}
/** A metric: name, description, unit, metadata and one of gauge / sum / histogram / exponentialHistogram / summary. */
export interface CanonicalMetric {
  name?: string;
  description?: string;
  unit?: string;
  [k: string]: unknown;
}
/** A data point of any type (attributes, times, and asInt/asDouble or count/sum/buckets/quantiles...). */
export interface CanonicalDataPoint {
  attributes?: CanonicalKeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  [k: string]: unknown;
}
export interface CanonicalResourceLogs {
  resource?: CanonicalResource;
  scopeLogs?: Array<{ scope?: CanonicalScope; logRecords?: CanonicalLogRecord[]; schemaUrl?: string }>;
  schemaUrl?: string;
}
export interface CanonicalLogRecord {
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  severityNumber?: number;
  severityText?: string;
  body?: CanonicalAnyValue;
  attributes?: CanonicalKeyValue[];
  traceId?: string;
  spanId?: string;
  flags?: number;
  eventName?: string;
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
  resource: CanonicalResource | undefined;
  scope: CanonicalScope | undefined;
  span: CanonicalSpan;
}

/** One data point of an accepted request with its metric (without its data), scope and resource. */
export interface CapturedDataPoint {
  requestIndex: number;
  resource: CanonicalResource | undefined;
  scope: CanonicalScope | undefined;
  /** The metric's name, description, unit, metadata; `type` is the data field (gauge, sum, ...) with its other fields (temporality, monotonic). */
  metric: { name?: string; description?: string; unit?: string; type: string; data: Record<string, unknown>; metadata?: CanonicalKeyValue[] };
  point: CanonicalDataPoint;
}

/** One log record of an accepted request with its resource and scope. */
export interface CapturedLogRecord {
  requestIndex: number;
  resource: CanonicalResource | undefined;
  scope: CanonicalScope | undefined;
  logRecord: CanonicalLogRecord;
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
  // An AnyValue with no field set (empty value).
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

/** Number of spans in a canonical traces request. */
export function countSpans(req: CanonicalRequest | undefined): number {
  return countItems('traces', req as Record<string, unknown> | undefined);
}

/** Decode an OTLP/JSON Export<Signal>ServiceRequest body into the oracle's canonical form. */
export function canonicalFromJson(body: string, signal: BackendSignal = 'traces'): CanonicalRequest {
  return decodeJsonRequest(body, signal) as CanonicalRequest;
}

const METRIC_DATA_KEYS = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'];

export class CaptureBackend {
  /** Every request received, refused ones included, in arrival order. */
  readonly requests: CapturedRequest[] = [];

  private constructor(private readonly be: OtlpBackend) {
    be.onRequest((r) => this.requests.push(toCaptured(r)));
  }

  static async start(): Promise<CaptureBackend> {
    return new CaptureBackend(await OtlpBackend.start({ strictPaths: true }));
  }

  /** host:port of the gRPC server (for an `otlp` exporter's endpoint). */
  get grpcEndpoint(): string {
    return this.be.grpcEndpoint;
  }

  /** http://host:port of the HTTP server (for an `otlphttp` exporter's endpoint; data goes to /v1/<signal>). */
  get httpEndpoint(): string {
    return this.be.httpEndpoint;
  }

  /** Refuse the next `n` requests (gRPC UNAVAILABLE / HTTP 503 unless overridden). */
  failNext(n: number, opts: FailOptions = {}): void {
    this.be.clearScript();
    for (let i = 0; i < n; i++) {
      this.be.script({
        grpcCode: opts.grpcCode ?? 14,
        httpStatus: opts.httpStatus ?? 503,
        retryAfter: opts.retryAfterSeconds !== undefined ? String(opts.retryAfterSeconds) : undefined,
        message: 'capture backend: refused on purpose (failNext)',
      });
    }
  }

  /** Requests that were accepted (not refused, decoded fine), optionally of one signal. */
  accepted(signal?: BackendSignal): CapturedRequest[] {
    return this.requests.filter((r) => !r.refused && r.error === undefined && (!signal || r.signal === signal));
  }

  /** Requests the backend could not decode: always a bug in the sender. */
  decodeErrors(): CapturedRequest[] {
    return this.requests.filter((r) => r.error !== undefined);
  }

  /** All spans of accepted requests, flattened, in arrival order. */
  spans(): CapturedSpan[] {
    const out: CapturedSpan[] = [];
    for (const r of this.accepted('traces')) {
      for (const rs of r.decoded?.resourceSpans ?? []) {
        for (const ss of rs.scopeSpans ?? []) {
          for (const span of ss.spans ?? []) out.push({ requestIndex: r.index, resource: rs.resource, scope: ss.scope, span });
        }
      }
    }
    return out;
  }

  /** All data points of accepted requests, flattened, in arrival order. */
  dataPoints(): CapturedDataPoint[] {
    const out: CapturedDataPoint[] = [];
    for (const r of this.accepted('metrics')) {
      for (const rm of r.decoded?.resourceMetrics ?? []) {
        for (const sm of rm.scopeMetrics ?? []) {
          for (const m of sm.metrics ?? []) {
            const type = METRIC_DATA_KEYS.find((k) => m[k] !== undefined) ?? 'empty';
            const { dataPoints, ...data } = (m[type] as Record<string, unknown> | undefined) ?? {};
            const metric = { name: m.name, description: m.description, unit: m.unit, type, data, metadata: m['metadata'] as CanonicalKeyValue[] | undefined };
            for (const point of (dataPoints as CanonicalDataPoint[] | undefined) ?? []) {
              out.push({ requestIndex: r.index, resource: rm.resource, scope: sm.scope, metric, point });
            }
          }
        }
      }
    }
    return out;
  }

  /** All log records of accepted requests, flattened, in arrival order. */
  logRecords(): CapturedLogRecord[] {
    const out: CapturedLogRecord[] = [];
    for (const r of this.accepted('logs')) {
      for (const rl of r.decoded?.resourceLogs ?? []) {
        for (const sl of rl.scopeLogs ?? []) {
          for (const logRecord of sl.logRecords ?? []) out.push({ requestIndex: r.index, resource: rl.resource, scope: sl.scope, logRecord });
        }
      }
    }
    return out;
  }

  spanCount(): number {
    return this.itemCount('traces');
  }

  dataPointCount(): number {
    return this.itemCount('metrics');
  }

  logRecordCount(): number {
    return this.itemCount('logs');
  }

  private itemCount(signal: BackendSignal): number {
    let n = 0;
    for (const r of this.accepted(signal)) n += r.itemCount;
    return n;
  }

  /** Resolves with spans() once at least `n` spans were accepted; rejects after `timeoutMs`. */
  waitForSpans(n: number, timeoutMs: number): Promise<CapturedSpan[]> {
    return this.waitFor(() => this.spanCount() >= n, timeoutMs, () => `${n} spans`).then(() => this.spans());
  }

  /** Resolves with dataPoints() once at least `n` data points were accepted; rejects after `timeoutMs`. */
  waitForDataPoints(n: number, timeoutMs: number): Promise<CapturedDataPoint[]> {
    return this.waitFor(() => this.dataPointCount() >= n, timeoutMs, () => `${n} data points`).then(() => this.dataPoints());
  }

  /** Resolves with logRecords() once at least `n` log records were accepted; rejects after `timeoutMs`. */
  waitForLogRecords(n: number, timeoutMs: number): Promise<CapturedLogRecord[]> {
    return this.waitFor(() => this.logRecordCount() >= n, timeoutMs, () => `${n} log records`).then(() => this.logRecords());
  }

  /** Resolves once at least `n` requests (accepted or refused) arrived; rejects after `timeoutMs`. */
  waitForRequests(n: number, timeoutMs: number): Promise<CapturedRequest[]> {
    return this.waitFor(() => this.requests.length >= n, timeoutMs, () => `${n} requests`).then(() => this.requests);
  }

  private waitFor(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
    return this.be.waitUntil(
      check,
      timeoutMs,
      () =>
        `capture backend: timed out after ${timeoutMs} ms waiting for ${what()}; have ${this.spanCount()} spans, ` +
        `${this.dataPointCount()} data points, ${this.logRecordCount()} log records in ${this.accepted().length} accepted of ` +
        `${this.requests.length} requests`,
    );
  }

  close(): Promise<void> {
    return this.be.close();
  }
}

function toCaptured(r: BackendRequest): CapturedRequest {
  return {
    index: r.index,
    transport: r.transport,
    signal: r.signal,
    path: r.path.split('?')[0]!,
    contentType: r.contentType,
    contentEncoding: r.contentEncoding,
    headers: r.headers,
    bodyBytes: r.body.length,
    spanCount: r.spanCount,
    itemCount: r.itemCount,
    decoded: r.decoded as CanonicalRequest | undefined,
    refused: isRefusal(r.answer),
    error: r.error,
  };
}
