// Seeded random ExportMetricsServiceRequest objects (protobufjs fromObject form: ids/bytes as Buffer, 64-bit
// integers as decimal strings) covering every metric type and field of the current metrics proto: int and
// double values, exemplars with both value types, flags, explicit presence of histogram sum/min/max
// (present zeros included), negative scales and offsets, empty buckets, NaN/Infinity doubles, unicode names,
// metadata, present default values. Also the accessor -> canonical-object converter and the normalization
// used to compare a MetricBatch with the protobufjs oracle.
//
// Usage: const obj = randomMetricsRequest(mulberry32(seed)); const bytes = oracleEncodeMetrics(obj);

import type { MetricBatch } from '../../src/pdata/metrics';
import type { Attributes } from '../../src/pdata/traces';
import { mulberry32, randomAnyValue, randomString, canonicalValue, type Rng } from './random-traces';

export { mulberry32 };
export type { Rng };

const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
const chance = (rng: Rng, p: number): boolean => rng() < p;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[int(rng, xs.length)];

function maybe(rng: Rng, obj: Record<string, unknown>, key: string, gen: () => unknown, p = 0.7): void {
  if (chance(rng, p)) obj[key] = gen();
}

const INT64S = ['0', '1', '-1', '9223372036854775807', '-9223372036854775808', '4294967296', '-4294967297', '2147483648', '-2147483649'];
function randomInt64(rng: Rng): string {
  if (chance(rng, 0.4)) return pick(rng, INT64S);
  const v = BigInt(int(rng, 2 ** 31)) * BigInt(int(rng, 2 ** 31)) * (chance(rng, 0.3) ? -1n : 1n);
  return BigInt.asIntN(64, v).toString();
}
function randomU64(rng: Rng): string {
  if (chance(rng, 0.25)) return pick(rng, ['0', '1', '18446744073709551615', '1700000000000000000', '4294967295', '4294967296']);
  return (BigInt(int(rng, 2 ** 31)) * BigInt(int(rng, 2 ** 20))).toString();
}
function randomTime(rng: Rng): string {
  if (chance(rng, 0.1)) return pick(rng, ['0', '18446744073709551615']);
  return (1700000000000000000n + BigInt(int(rng, 2 ** 31)) * BigInt(int(rng, 2 ** 20))).toString();
}
function smallU64(rng: Rng): string {
  return chance(rng, 0.8) ? String(int(rng, 1000)) : randomU64(rng);
}
const DOUBLES = [0, -0, NaN, Infinity, -Infinity, 1.5, -2.25, 5e-324, Number.MAX_VALUE, 0.1, 1e-9];
function randomDouble(rng: Rng): number {
  return chance(rng, 0.4) ? pick(rng, DOUBLES) : (rng() - 0.5) * 1e6;
}
function randomBytes(rng: Rng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let k = 0; k < n; k++) b[k] = int(rng, 256);
  return b;
}
function randomId(rng: Rng, n: number): Buffer {
  return chance(rng, 0.1) ? Buffer.alloc(0) : randomBytes(rng, n);
}

export function randomAttributes(rng: Rng, max: number): Array<Record<string, unknown>> {
  const n = int(rng, max + 1);
  const out = [];
  for (let k = 0; k < n; k++) {
    const kv: Record<string, unknown> = { key: chance(rng, 0.7) ? `attr.${k}.${int(rng, 5)}` : randomString(rng) };
    if (!chance(rng, 0.05)) kv.value = chance(rng, 0.6) ? { stringValue: pick(rng, ['GET', '200', 'host-1', 'ünï', '']) } : randomAnyValue(rng);
    out.push(kv);
  }
  return out;
}

function setValue(rng: Rng, o: Record<string, unknown>, pNone = 0.1): void {
  const r = rng();
  if (r < pNone) return;
  if (r < pNone + (1 - pNone) / 2) o.asDouble = randomDouble(rng);
  else o.asInt = randomInt64(rng);
}

export function randomExemplar(rng: Rng): Record<string, unknown> {
  const x: Record<string, unknown> = {};
  x.filteredAttributes = randomAttributes(rng, 2);
  maybe(rng, x, 'timeUnixNano', () => randomTime(rng), 0.8);
  setValue(rng, x);
  maybe(rng, x, 'spanId', () => randomId(rng, 8), 0.7);
  maybe(rng, x, 'traceId', () => randomId(rng, 16), 0.7);
  return x;
}

function exemplars(rng: Rng): Array<Record<string, unknown>> | undefined {
  if (!chance(rng, 0.3)) return undefined;
  const n = int(rng, 4);
  const out = [];
  for (let k = 0; k < n; k++) out.push(randomExemplar(rng));
  return out;
}

function common(rng: Rng, p: Record<string, unknown>): void {
  p.attributes = randomAttributes(rng, 4);
  maybe(rng, p, 'startTimeUnixNano', () => randomTime(rng), 0.7);
  maybe(rng, p, 'timeUnixNano', () => randomTime(rng), 0.9);
  maybe(rng, p, 'flags', () => pick(rng, [0, 1, 2, 0xffffffff]), 0.3);
}

export function randomNumberPoint(rng: Rng): Record<string, unknown> {
  const p: Record<string, unknown> = {};
  common(rng, p);
  setValue(rng, p);
  const ex = exemplars(rng);
  if (ex) p.exemplars = ex;
  return p;
}

export function randomHistogramPoint(rng: Rng): Record<string, unknown> {
  const p: Record<string, unknown> = {};
  common(rng, p);
  maybe(rng, p, 'count', () => smallU64(rng), 0.8);
  maybe(rng, p, 'sum', () => (chance(rng, 0.2) ? 0 : randomDouble(rng)), 0.7);
  const nb = int(rng, 7);
  if (nb > 0 || chance(rng, 0.3)) p.explicitBounds = Array.from({ length: Math.max(0, nb - 1) }, () => randomDouble(rng));
  if (nb > 0) p.bucketCounts = Array.from({ length: nb }, () => smallU64(rng));
  const ex = exemplars(rng);
  if (ex) p.exemplars = ex;
  maybe(rng, p, 'min', () => (chance(rng, 0.2) ? 0 : randomDouble(rng)), 0.5);
  maybe(rng, p, 'max', () => (chance(rng, 0.2) ? 0 : randomDouble(rng)), 0.5);
  return p;
}

function randomBuckets(rng: Rng): Record<string, unknown> {
  const b: Record<string, unknown> = {};
  maybe(rng, b, 'offset', () => pick(rng, [0, -1, 1, -2147483648, 2147483647, -37, 12]), 0.8);
  const n = int(rng, 6);
  if (n > 0) b.bucketCounts = Array.from({ length: n }, () => smallU64(rng));
  return b;
}

export function randomExpHistogramPoint(rng: Rng): Record<string, unknown> {
  const p: Record<string, unknown> = {};
  common(rng, p);
  maybe(rng, p, 'count', () => smallU64(rng), 0.8);
  maybe(rng, p, 'sum', () => (chance(rng, 0.2) ? 0 : randomDouble(rng)), 0.7);
  maybe(rng, p, 'scale', () => pick(rng, [0, -1, -10, 3, 20, -2147483648, 2147483647]), 0.8);
  maybe(rng, p, 'zeroCount', () => smallU64(rng), 0.6);
  maybe(rng, p, 'positive', () => randomBuckets(rng), 0.7);
  maybe(rng, p, 'negative', () => randomBuckets(rng), 0.4);
  const ex = exemplars(rng);
  if (ex) p.exemplars = ex;
  maybe(rng, p, 'min', () => (chance(rng, 0.2) ? 0 : randomDouble(rng)), 0.5);
  maybe(rng, p, 'max', () => (chance(rng, 0.2) ? 0 : randomDouble(rng)), 0.5);
  maybe(rng, p, 'zeroThreshold', () => pick(rng, [0, 1e-9, -0, NaN]), 0.4);
  return p;
}

export function randomSummaryPoint(rng: Rng): Record<string, unknown> {
  const p: Record<string, unknown> = {};
  common(rng, p);
  maybe(rng, p, 'count', () => smallU64(rng), 0.8);
  maybe(rng, p, 'sum', () => randomDouble(rng), 0.8);
  const n = int(rng, 5);
  if (n > 0) {
    p.quantileValues = Array.from({ length: n }, () => {
      const q: Record<string, unknown> = {};
      maybe(rng, q, 'quantile', () => pick(rng, [0, 0.5, 0.9, 0.99, 1]), 0.9);
      maybe(rng, q, 'value', () => randomDouble(rng), 0.9);
      return q;
    });
  }
  return p;
}

const METRIC_NAMES = ['http.server.duration', 'process.cpu.time', 'jvm.memory.used', 'requests_total', 'ünïcödé.metric', '指标', 'x'.repeat(120), ''];
const UNITS = ['', 'ms', 's', 'By', '{request}', '1', 'µs'];
export type MetricKind = 'empty' | 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary';
const KINDS: MetricKind[] = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary', 'empty'];

export interface RandomMetricsOptions {
  maxResources?: number;
  maxScopes?: number;
  maxMetrics?: number;
  maxPoints?: number;
  /** Only these metric types. */
  kinds?: readonly MetricKind[];
}

export function randomMetric(rng: Rng, o: RandomMetricsOptions = {}): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  maybe(rng, m, 'name', () => (chance(rng, 0.5) ? pick(rng, METRIC_NAMES) : randomString(rng)), 0.95);
  maybe(rng, m, 'description', () => randomString(rng), 0.4);
  maybe(rng, m, 'unit', () => pick(rng, UNITS), 0.6);
  const kinds = o.kinds ?? KINDS;
  const kind = kinds[int(rng, kinds.length)];
  const np = int(rng, (o.maxPoints ?? 5) + 1);
  const points = (gen: (r: Rng) => Record<string, unknown>): Array<Record<string, unknown>> => Array.from({ length: np }, () => gen(rng));
  const temporality = (d: Record<string, unknown>): void => maybe(rng, d, 'aggregationTemporality', () => pick(rng, [0, 1, 2]), 0.85);
  switch (kind) {
    case 'gauge':
      m.gauge = { dataPoints: points(randomNumberPoint) };
      break;
    case 'sum': {
      const d: Record<string, unknown> = { dataPoints: points(randomNumberPoint) };
      temporality(d);
      maybe(rng, d, 'isMonotonic', () => chance(rng, 0.6), 0.7);
      m.sum = d;
      break;
    }
    case 'histogram': {
      const d: Record<string, unknown> = { dataPoints: points(randomHistogramPoint) };
      temporality(d);
      m.histogram = d;
      break;
    }
    case 'exponentialHistogram': {
      const d: Record<string, unknown> = { dataPoints: points(randomExpHistogramPoint) };
      temporality(d);
      m.exponentialHistogram = d;
      break;
    }
    case 'summary':
      m.summary = { dataPoints: points(randomSummaryPoint) };
      break;
    default:
      break;
  }
  if (chance(rng, 0.25)) m.metadata = randomAttributes(rng, 2);
  return m;
}

/** A random ExportMetricsServiceRequest in protobufjs fromObject form. */
export function randomMetricsRequest(rng: Rng, o: RandomMetricsOptions = {}): Record<string, unknown> {
  const resourceMetrics = [];
  const nr = int(rng, (o.maxResources ?? 3) + 1);
  for (let r = 0; r < nr; r++) {
    const rm: Record<string, unknown> = {};
    if (chance(rng, 0.9)) {
      const res: Record<string, unknown> = { attributes: randomAttributes(rng, 4) };
      maybe(rng, res, 'droppedAttributesCount', () => int(rng, 4), 0.2);
      rm.resource = res;
    }
    const scopeMetrics = [];
    const ns = int(rng, (o.maxScopes ?? 2) + 1);
    for (let s = 0; s < ns; s++) {
      const sm: Record<string, unknown> = {};
      if (chance(rng, 0.85)) {
        const sc: Record<string, unknown> = {};
        maybe(rng, sc, 'name', () => randomString(rng), 0.9);
        maybe(rng, sc, 'version', () => pick(rng, ['', '1.2.3', '0.52.1']), 0.6);
        sc.attributes = randomAttributes(rng, 2);
        maybe(rng, sc, 'droppedAttributesCount', () => int(rng, 3), 0.2);
        sm.scope = sc;
      }
      const nm = int(rng, (o.maxMetrics ?? 4) + 1);
      sm.metrics = Array.from({ length: nm }, () => randomMetric(rng, o));
      maybe(rng, sm, 'schemaUrl', () => pick(rng, ['', 'https://opentelemetry.io/schemas/1.21.0']), 0.3);
      scopeMetrics.push(sm);
    }
    rm.scopeMetrics = scopeMetrics;
    maybe(rng, rm, 'schemaUrl', () => pick(rng, ['', 'https://opentelemetry.io/schemas/1.24.0']), 0.3);
    resourceMetrics.push(rm);
  }
  return { resourceMetrics };
}

/** Hand-written edge cases (protobufjs fromObject form). */
export function edgeCaseMetricsRequests(): Array<[string, Record<string, unknown>]> {
  const tid = Buffer.alloc(16, 0xab);
  const sid = Buffer.alloc(8, 0xcd);
  const wrap = (metrics: unknown[]): Record<string, unknown> => ({ resourceMetrics: [{ scopeMetrics: [{ metrics }] }] });
  return [
    ['empty request', {}],
    ['resource without scope metrics', { resourceMetrics: [{ resource: { attributes: [{ key: 'a', value: { stringValue: 'b' } }] } }] }],
    ['scope without metrics', { resourceMetrics: [{ scopeMetrics: [{ scope: { name: 's' } }, {}] }] }],
    ['empty metric (no data)', wrap([{ name: 'nodata', unit: 'ms' }, {}])],
    ['metrics with empty data messages', wrap([{ name: 'g', gauge: {} }, { name: 's', sum: {} }, { name: 'h', histogram: {} }, { name: 'e', exponentialHistogram: {} }, { name: 'q', summary: {} }])],
    ['present default values', wrap([
      { name: '', description: '', unit: '', sum: { aggregationTemporality: 0, isMonotonic: false, dataPoints: [{ startTimeUnixNano: '0', timeUnixNano: '0', asInt: '0', flags: 0, exemplars: [{ timeUnixNano: '0', asDouble: 0, spanId: Buffer.alloc(0), traceId: Buffer.alloc(0) }] }] } },
      { histogram: { aggregationTemporality: 0, dataPoints: [{ count: '0', sum: 0, min: 0, max: 0, flags: 0, bucketCounts: ['0'], explicitBounds: [] }] } },
      { exponentialHistogram: { dataPoints: [{ count: '0', sum: -0, scale: 0, zeroCount: '0', zeroThreshold: 0, positive: {}, negative: { offset: 0 }, min: -0, max: 0 }] } },
      { summary: { dataPoints: [{ count: '0', sum: 0, quantileValues: [{}, { quantile: 0, value: 0 }] }] } },
      { gauge: { dataPoints: [{ asDouble: 0 }, { asDouble: -0 }, {}] } },
    ])],
    ['extremes', wrap([
      { name: 'int extremes', gauge: { dataPoints: [{ asInt: '9223372036854775807' }, { asInt: '-9223372036854775808' }, { asInt: '-1' }] } },
      { name: 'double extremes', gauge: { dataPoints: [{ asDouble: NaN }, { asDouble: Infinity }, { asDouble: -Infinity }, { asDouble: 5e-324 }] } },
      { name: 'hist', histogram: { aggregationTemporality: 2, dataPoints: [{ count: '18446744073709551615', sum: NaN, min: -Infinity, max: Infinity, bucketCounts: ['18446744073709551615', '0', '4294967296'], explicitBounds: [-Infinity, NaN] }] } },
      { name: 'exp', exponentialHistogram: { aggregationTemporality: 1, dataPoints: [{ scale: -2147483648, positive: { offset: -2147483648, bucketCounts: ['18446744073709551615', '0'] }, negative: { offset: 2147483647 }, flags: 0xffffffff }] } },
      { name: 'ex', sum: { dataPoints: [{ asDouble: 1, exemplars: [{ asInt: '-9223372036854775808', traceId: tid, spanId: sid, filteredAttributes: [{ key: 'k', value: { intValue: '-1' } }] }, { asDouble: NaN }] }] } },
    ])],
    ['metadata and unicode', wrap([
      { name: '日本語', description: '😀 emoji', unit: 'µs', metadata: [{ key: 'm', value: { stringValue: 'v' } }, { key: 'n' }], gauge: { dataPoints: [{ asInt: '1', attributes: [{ key: 'ключ', value: { stringValue: 'значение' } }] }] } },
    ])],
  ];
}

// ---------------------------------------------------------------- canonical form

const AV_KEYS = new Set(['stringValue', 'boolValue', 'intValue', 'doubleValue', 'bytesValue', 'arrayValue', 'kvlistValue']);
/** Keys with explicit presence (kept even when they hold a default value), by context. */
const KEEP: Record<string, Set<string>> = {
  metric: new Set(['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary']),
  hdp: new Set(['sum', 'min', 'max']),
  ndp: new Set(['asDouble', 'asInt']),
  ex: new Set(['asDouble', 'asInt']),
};

function childCtx(ctx: string, key: string): string {
  if (key === 'metrics') return 'metric';
  if (ctx === 'metric') {
    if (key === 'gauge' || key === 'sum') return 'ndata';
    if (key === 'histogram' || key === 'exponentialHistogram') return 'hdata';
    if (key === 'summary') return 'sdata';
    return '';
  }
  if (key === 'dataPoints') return ctx === 'ndata' ? 'ndp' : ctx === 'hdata' ? 'hdp' : 'sdp';
  if (key === 'exemplars') return 'ex';
  return '';
}

/**
 * Normalize an oracle canonical object (or ours) for comparison: drop fields holding their default value
 * ('', 0, '0', false, {}, []) except where presence is observable (AnyValue members, the metric data oneof,
 * histogram sum/min/max, number point and exemplar values); drop Resource.entityRefs (kept raw, not exposed).
 */
export function normalizeMetrics(v: unknown, ctx = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => normalizeMetrics(x, ctx));
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    const keep = KEEP[ctx];
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === 'entityRefs') continue;
      const n = normalizeMetrics(x, childCtx(ctx, k));
      if (!AV_KEYS.has(k) && !(keep && keep.has(k))) {
        if (n === '' || n === 0 || n === '0' || n === false || n === undefined) continue;
        if (n && typeof n === 'object' && Object.keys(n).length === 0) continue;
      }
      if (n === undefined) continue;
      out[k] = n;
    }
    return out;
  }
  return v;
}

function canonicalAttrs(a: Attributes): unknown[] | undefined {
  const out = [];
  for (let j = 0; j < a.length; j++) out.push({ key: a.key(j), value: canonicalValue(a.value(j)) });
  return out.length ? out : undefined;
}

const nonEmpty = <T>(xs: T[]): T[] | undefined => (xs.length ? xs : undefined);

function canonicalExemplars(b: MetricBatch, p: number): unknown[] | undefined {
  const out = [];
  for (let e = 0; e < b.pointExemplarCount(p); e++) {
    const x: Record<string, unknown> = {
      filteredAttributes: canonicalAttrs(b.exemplarFilteredAttributes(p, e)),
      timeUnixNano: b.exemplarTimeUnixNano(p, e).toString(),
    };
    const vt = b.exemplarValueType(p, e);
    if (vt === 'double') x.asDouble = b.exemplarDoubleValue(p, e);
    else if (vt === 'int') x.asInt = b.exemplarIntValue(p, e).toString();
    x.spanId = b.exemplarSpanIdHex(p, e);
    x.traceId = b.exemplarTraceIdHex(p, e);
    out.push(x);
  }
  return nonEmpty(out);
}

/** One data point through the accessors, in the oracle's canonical shape. */
export function canonicalPoint(b: MetricBatch, p: number): Record<string, unknown> {
  const type = b.metricType(b.pointMetric(p));
  const o: Record<string, unknown> = {
    attributes: canonicalAttrs(b.pointAttributes(p)),
    startTimeUnixNano: b.pointStartTimeUnixNano(p).toString(),
    timeUnixNano: b.pointTimeUnixNano(p).toString(),
  };
  switch (type) {
    case 'gauge':
    case 'sum': {
      const vt = b.pointValueType(p);
      if (vt === 'double') o.asDouble = b.pointDoubleValue(p);
      else if (vt === 'int') o.asInt = b.pointIntValue(p).toString();
      o.exemplars = canonicalExemplars(b, p);
      break;
    }
    case 'histogram':
      o.count = b.pointCount(p).toString();
      if (b.pointHasSum(p)) o.sum = b.pointSum(p);
      o.bucketCounts = nonEmpty(b.pointBucketCounts(p).map(String));
      o.explicitBounds = nonEmpty(b.pointExplicitBounds(p));
      o.exemplars = canonicalExemplars(b, p);
      if (b.pointHasMin(p)) o.min = b.pointMin(p);
      if (b.pointHasMax(p)) o.max = b.pointMax(p);
      break;
    case 'exponential_histogram': {
      o.count = b.pointCount(p).toString();
      if (b.pointHasSum(p)) o.sum = b.pointSum(p);
      o.scale = b.pointScale(p);
      o.zeroCount = b.pointZeroCount(p).toString();
      for (const side of ['positive', 'negative'] as const) {
        if (!b.pointHasBuckets(p, side)) continue;
        o[side] = { offset: b.pointBucketsOffset(p, side), bucketCounts: nonEmpty(b.pointBucketsCounts(p, side).map(String)) };
      }
      o.exemplars = canonicalExemplars(b, p);
      if (b.pointHasMin(p)) o.min = b.pointMin(p);
      if (b.pointHasMax(p)) o.max = b.pointMax(p);
      o.zeroThreshold = b.pointZeroThreshold(p);
      break;
    }
    case 'summary':
      o.count = b.pointCount(p).toString();
      o.sum = b.pointSum(p);
      o.quantileValues = nonEmpty(b.pointQuantiles(p));
      break;
    default:
      break;
  }
  o.flags = b.pointFlags(p);
  return o;
}

const DATA_KEY: Record<string, string> = {
  gauge: 'gauge', sum: 'sum', histogram: 'histogram', exponential_histogram: 'exponentialHistogram', summary: 'summary',
};

/** One metric through the accessors (with its points), in the oracle's canonical shape. */
export function canonicalMetric(b: MetricBatch, m: number): Record<string, unknown> {
  const o: Record<string, unknown> = { name: b.metricName(m), description: b.metricDescription(m), unit: b.metricUnit(m) };
  const type = b.metricType(m);
  if (type !== 'empty') {
    const points = [];
    for (let p = b.metricFirstPoint(m); p < b.metricFirstPoint(m) + b.metricPointCount(m); p++) points.push(canonicalPoint(b, p));
    const data: Record<string, unknown> = { dataPoints: nonEmpty(points) };
    if (type === 'sum' || type === 'histogram' || type === 'exponential_histogram') data.aggregationTemporality = b.metricAggregationTemporality(m);
    if (type === 'sum') data.isMonotonic = b.metricIsMonotonic(m);
    o[DATA_KEY[type]] = data;
  }
  o.metadata = canonicalAttrs(b.metricMetadata(m));
  return o;
}

/** Read a whole batch back through the accessors into the oracle's canonical object shape. */
export function metricBatchToCanonical(b: MetricBatch): Record<string, unknown> {
  const resourceMetrics = [];
  for (let r = 0; r < b.resourceCount; r++) {
    const scopeMetrics = [];
    for (let s = 0; s < b.scopeCount; s++) {
      if (b.scopeResource(s) !== r) continue;
      const metrics = [];
      for (let m = 0; m < b.metricCount; m++) if (b.metricScope(m) === s) metrics.push(canonicalMetric(b, m));
      scopeMetrics.push({
        scope: {
          name: b.scopeName(s),
          version: b.scopeVersion(s),
          attributes: canonicalAttrs(b.scopeAttributes(s)),
          droppedAttributesCount: b.scopeDroppedAttributesCount(s),
        },
        metrics: nonEmpty(metrics),
        schemaUrl: b.scopeSchemaUrl(s),
      });
    }
    resourceMetrics.push({
      resource: {
        attributes: canonicalAttrs(b.resourceAttributes(r)),
        droppedAttributesCount: b.resourceDroppedAttributesCount(r),
      },
      scopeMetrics: nonEmpty(scopeMetrics),
      schemaUrl: b.resourceSchemaUrl(r),
    });
  }
  return { resourceMetrics: nonEmpty(resourceMetrics) };
}

/**
 * A normalized canonical request flattened to one record per data point (and one per metric without points):
 * its resource, scope, metric shell (the metric without data points) and point. What slicing must preserve.
 */
export interface FlatPoint { resource: unknown; rsSchema: unknown; scope: unknown; ssSchema: unknown; metric: unknown; point: unknown }
export function flattenMetrics(o: any): FlatPoint[] {
  const out: FlatPoint[] = [];
  for (const rm of o.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        const shell: Record<string, unknown> = { ...m };
        let points: unknown[] = [];
        for (const k of ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary']) {
          if (!(k in m)) continue;
          const { dataPoints, ...rest } = m[k] as { dataPoints?: unknown[] };
          shell[k] = rest;
          points = dataPoints ?? [];
        }
        const base = { resource: rm.resource, rsSchema: rm.schemaUrl, scope: sm.scope, ssSchema: sm.schemaUrl, metric: shell };
        if (points.length === 0) out.push({ ...base, point: null });
        for (const point of points) out.push({ ...base, point });
      }
    }
  }
  return out;
}
