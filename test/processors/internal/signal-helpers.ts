// Test helpers for the metrics and logs sides of the processors: build real MetricBatches / LogBatches from a
// compact description through the protobufjs oracle, read them back (after processing) through the oracle,
// and capture what a processor forwards.

import { MetricBatch } from '../../../src/pdata/metrics';
import { LogBatch } from '../../../src/pdata/logs';
import type { TraceBatch } from '../../../src/pdata/traces';
import type { LogsConsumer, MetricsConsumer, TracesConsumer } from '../../../src/component/types';
import type { Logger } from '../../../src/component/types';
import { oracleDecodeLogs, oracleDecodeMetrics, oracleEncodeLogs, oracleEncodeMetrics } from '../../oracle/otlp-oracle';
import { Dbl, type RawAttr } from '../helpers';

export function pbValue(v: RawAttr): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'bigint') return { intValue: v.toString() };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (v instanceof Dbl) return { doubleValue: v.v };
  if (v instanceof Uint8Array) return { bytesValue: v };
  return { arrayValue: { values: v.map(pbValue) } };
}

export function pbAttrs(a: Record<string, RawAttr> | undefined): Array<Record<string, unknown>> {
  return Object.entries(a ?? {}).map(([key, value]) => ({ key, value: pbValue(value) }));
}

let clock = 1n;
const nextTime = () => String(1_700_000_000_000_000_000n + clock++);

// ---------------------------------------------------------------- metrics

export type MetricKind = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';

export interface PointSpec {
  attributes?: Record<string, RawAttr>;
}
export interface MetricSpec {
  name: string;
  type?: MetricKind;
  description?: string;
  unit?: string;
  /** The points, or how many points without attributes. */
  points: PointSpec[] | number;
}
export interface MScopeSpec {
  name?: string;
  version?: string;
  metrics: MetricSpec[];
}
export interface MResourceSpec {
  attributes?: Record<string, RawAttr>;
  scopes: MScopeSpec[];
}

function pointFor(type: MetricKind, p: PointSpec, k: number): Record<string, unknown> {
  const base = { attributes: pbAttrs(p.attributes), startTimeUnixNano: '1700000000000000000', timeUnixNano: nextTime() };
  switch (type) {
    case 'gauge':
      return { ...base, asDouble: k + 0.5 };
    case 'sum':
      return { ...base, asInt: String(k * 10) };
    case 'histogram':
      return { ...base, count: '3', sum: 4.5, bucketCounts: ['1', '2'], explicitBounds: [1], min: 0, max: 3 };
    case 'exponential_histogram':
      return { ...base, count: '2', sum: 3, scale: 2, zeroCount: '1', positive: { offset: 1, bucketCounts: ['1'] } };
    case 'summary':
      return { ...base, count: '4', sum: 8, quantileValues: [{ quantile: 0.5, value: 2 }] };
  }
}

function metricFor(m: MetricSpec): Record<string, unknown> {
  const type = m.type ?? 'gauge';
  const specs = typeof m.points === 'number' ? Array.from({ length: m.points }, () => ({})) : m.points;
  const dataPoints = specs.map((p, k) => pointFor(type, p, k));
  const shell = { name: m.name, description: m.description ?? `about ${m.name}`, unit: m.unit ?? '1' };
  switch (type) {
    case 'gauge':
      return { ...shell, gauge: { dataPoints } };
    case 'sum':
      return { ...shell, sum: { dataPoints, aggregationTemporality: 2, isMonotonic: true } };
    case 'histogram':
      return { ...shell, histogram: { dataPoints, aggregationTemporality: 1 } };
    case 'exponential_histogram':
      return { ...shell, exponentialHistogram: { dataPoints, aggregationTemporality: 2 } };
    case 'summary':
      return { ...shell, summary: { dataPoints } };
  }
}

/** The ExportMetricsServiceRequest (protobufjs fromObject form) for the given resources. */
export function metricsObject(resources: MResourceSpec[]): Record<string, unknown> {
  return {
    resourceMetrics: resources.map((r) => ({
      resource: { attributes: pbAttrs(r.attributes) },
      scopeMetrics: r.scopes.map((sc) => ({ scope: { name: sc.name ?? '', version: sc.version ?? '' }, metrics: sc.metrics.map(metricFor) })),
    })),
  };
}

export function metricsRequest(resources: MResourceSpec[]): Uint8Array {
  return oracleEncodeMetrics(metricsObject(resources));
}

export function makeMetrics(resources: MResourceSpec[]): MetricBatch {
  return MetricBatch.decode(metricsRequest(resources));
}

/** A batch of `n` gauge points in one metric, resource and scope. */
export function pointsBatch(n: number, name = 'm', attrs: Record<string, RawAttr> = {}): MetricBatch {
  return makeMetrics([
    { attributes: { 'service.name': 'svc' }, scopes: [{ name: 'lib', metrics: [{ name, points: Array.from({ length: n }, () => ({ attributes: attrs })) }] }] },
  ]);
}

const DATA_FIELDS = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;

export interface FlatPoint {
  resource: unknown;
  resourceSchemaUrl: unknown;
  scope: unknown;
  scopeSchemaUrl: unknown;
  /** The metric without its data points (name, description, unit, type, temporality, monotonicity, metadata). */
  shell: Record<string, unknown>;
  point: Record<string, unknown>;
}

type Obj = Record<string, unknown>;
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

/** Every data point of a request, flattened with its resource, scope (and their schema URLs) and metric shell (oracle decode). */
export function flattenPoints(bytes: Uint8Array): FlatPoint[] {
  const obj = oracleDecodeMetrics(bytes);
  const out: FlatPoint[] = [];
  for (const rm of arr(obj.resourceMetrics)) {
    for (const sm of arr(rm.scopeMetrics)) {
      for (const metric of arr(sm.metrics)) {
        const field = DATA_FIELDS.find((f) => metric[f] !== undefined);
        const data = (field ? metric[field] : {}) as Obj;
        const { dataPoints, ...dataShell } = data;
        const shell: Obj = { ...metric };
        if (field) shell[field] = dataShell;
        for (const point of arr(dataPoints))
          out.push({ resource: rm.resource ?? null, resourceSchemaUrl: rm.schemaUrl ?? '', scope: sm.scope ?? null, scopeSchemaUrl: sm.schemaUrl ?? '', shell, point });
      }
    }
  }
  return out;
}

/** Data point attributes after processing, `{ key: canonical AnyValue }` per point in order, via the oracle. */
export function pointAttributesOf(batch: MetricBatch): Array<Record<string, unknown>> {
  return flattenPoints(batch.encode()).map(({ point }) => attrsObject(point.attributes));
}

// ---------------------------------------------------------------- logs

export interface RecordSpec {
  body?: RawAttr;
  severityNumber?: number;
  severityText?: string;
  attributes?: Record<string, RawAttr>;
}
export interface LScopeSpec {
  name?: string;
  version?: string;
  records: RecordSpec[] | number;
}
export interface LResourceSpec {
  attributes?: Record<string, RawAttr>;
  scopes: LScopeSpec[];
}

export function logsObject(resources: LResourceSpec[]): Record<string, unknown> {
  return {
    resourceLogs: resources.map((r) => ({
      resource: { attributes: pbAttrs(r.attributes) },
      scopeLogs: r.scopes.map((sc) => ({
        scope: { name: sc.name ?? '', version: sc.version ?? '' },
        logRecords: (typeof sc.records === 'number' ? Array.from({ length: sc.records }, (): RecordSpec => ({})) : sc.records).map((rec) => {
          const t = nextTime();
          return {
            timeUnixNano: t,
            observedTimeUnixNano: t,
            severityNumber: rec.severityNumber ?? 0,
            severityText: rec.severityText ?? '',
            body: rec.body === undefined ? { stringValue: `record ${t}` } : pbValue(rec.body),
            attributes: pbAttrs(rec.attributes),
          };
        }),
      })),
    })),
  };
}

export function logsRequest(resources: LResourceSpec[]): Uint8Array {
  return oracleEncodeLogs(logsObject(resources));
}

export function makeLogs(resources: LResourceSpec[]): LogBatch {
  return LogBatch.decode(logsRequest(resources));
}

/** A batch of `n` log records in one resource and scope. */
export function recordsBatch(n: number, attrs: Record<string, RawAttr> = {}): LogBatch {
  return makeLogs([{ attributes: { 'service.name': 'svc' }, scopes: [{ name: 'lib', records: Array.from({ length: n }, () => ({ attributes: attrs })) }] }]);
}

export interface FlatRecord {
  resource: unknown;
  resourceSchemaUrl: unknown;
  scope: unknown;
  scopeSchemaUrl: unknown;
  record: Record<string, unknown>;
}

/** Every log record of a request, flattened with its resource and scope (oracle decode). */
export function flattenRecords(bytes: Uint8Array): FlatRecord[] {
  const obj = oracleDecodeLogs(bytes);
  const out: FlatRecord[] = [];
  for (const rl of arr(obj.resourceLogs)) {
    for (const sl of arr(rl.scopeLogs)) {
      for (const record of arr(sl.logRecords))
        out.push({ resource: rl.resource ?? null, resourceSchemaUrl: rl.schemaUrl ?? '', scope: sl.scope ?? null, scopeSchemaUrl: sl.schemaUrl ?? '', record });
    }
  }
  return out;
}

/** Log record attributes after processing, per record in order, via the oracle. */
export function recordAttributesOf(batch: LogBatch): Array<Record<string, unknown>> {
  return flattenRecords(batch.encode()).map(({ record }) => attrsObject(record.attributes));
}

// ---------------------------------------------------------------- common

export function attrsObject(kvs: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of arr(kvs)) out[kv.key as string] = kv.value ?? {};
  return out;
}

/** A consumer of any signal that keeps every batch it is given; `fail` makes it reject. */
export class Capturing<B extends { itemCount: number }> implements TracesConsumer, MetricsConsumer, LogsConsumer {
  readonly batches: B[] = [];
  fail: Error | undefined;
  constructor(readonly capabilities = { mutatesData: false }) {}
  private async take(b: unknown): Promise<void> {
    if (this.fail) throw this.fail;
    this.batches.push(b as B);
  }
  consumeTraces(b: TraceBatch): Promise<void> {
    return this.take(b);
  }
  consumeMetrics(b: MetricBatch): Promise<void> {
    return this.take(b);
  }
  consumeLogs(b: LogBatch): Promise<void> {
    return this.take(b);
  }
  get counts(): number[] {
    return this.batches.map((b) => b.itemCount);
  }
}

/** A logger keeping its records (to check warnings). */
export function capturingLogger(): Logger & { records: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> } {
  const records: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
  const mk = (): Logger & { records: typeof records } => ({
    records,
    debug: (msg, fields) => void records.push({ level: 'debug', msg, fields }),
    info: (msg, fields) => void records.push({ level: 'info', msg, fields }),
    warn: (msg, fields) => void records.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => void records.push({ level: 'error', msg, fields }),
    child: () => mk(),
  });
  return mk();
}
