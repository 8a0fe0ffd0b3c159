// Text renderings of a MetricBatch as the Go debug exporter prints them: `normal` (internal/normal/metrics.go:
// one line per data point, `name{k=v,k2=v2} value`) and `detailed` (internal/otlptext/metrics.go: the full dump
// with every data point's details per type). Read only through the MetricBatch accessors; numbers formatted
// with Go's %v / %f (go-format.ts).

import type { MetricBatch, MetricType } from '../../pdata/metrics';
import { goFixed, goFloat } from './go-format';
import { attrPairs, attrsSuffix, Buf, formatTimestamp, groupBy, idString, scopeDetails } from './text-marshaler';

const DATA_TYPE: Record<MetricType, string> = {
  empty: 'Empty',
  gauge: 'Gauge',
  sum: 'Sum',
  histogram: 'Histogram',
  exponential_histogram: 'ExponentialHistogram',
  summary: 'Summary',
};
const TEMPORALITY = ['Unspecified', 'Delta', 'Cumulative'];

/** pmetric AggregationTemporality.String(): "" for a value outside the enum. */
function temporality(t: number): string {
  return TEMPORALITY[t] ?? '';
}

/** Resources → scopes → metrics → data points, by index. */
function structure(b: MetricBatch): { scopesOf: number[][]; metricsOf: number[][] } {
  return {
    scopesOf: groupBy(b.scopeCount, b.resourceCount, (s) => b.scopeResource(s)),
    metricsOf: groupBy(b.metricCount, b.scopeCount, (m) => b.metricScope(m)),
  };
}

function points(b: MetricBatch, m: number): number[] {
  const first = b.metricFirstPoint(m);
  const n = b.metricPointCount(m);
  const out: number[] = [];
  for (let p = first; p < first + n; p++) out.push(p);
  return out;
}

/** Exponential histogram bucket boundary factor: ln(2) · 2^-scale (Go: math.Ldexp(math.Ln2, -scale)). */
function expFactor(scale: number): number {
  return Math.LN2 * Math.pow(2, -scale);
}

// ---------------------------------------------------------------- normal

function normalValue(b: MetricBatch, type: MetricType, p: number): string {
  switch (type) {
    case 'gauge':
    case 'sum': {
      const vt = b.pointValueType(p);
      return vt === 'int' ? String(b.pointIntValue(p)) : vt === 'double' ? goFloat(b.pointDoubleValue(p)) : '';
    }
    case 'histogram': {
      let v = `count=${b.pointCount(p)}`;
      if (b.pointHasSum(p)) v += ` sum=${goFloat(b.pointSum(p))}`;
      if (b.pointHasMin(p)) v += ` min=${goFloat(b.pointMin(p))}`;
      if (b.pointHasMax(p)) v += ` max=${goFloat(b.pointMax(p))}`;
      const bounds = b.pointExplicitBounds(p);
      b.pointBucketCounts(p).forEach((c, i) => {
        v += ` ${i < bounds.length ? `le${goFloat(bounds[i]!)}=` : ''}${c}`;
      });
      return v;
    }
    case 'exponential_histogram': {
      let v = `count=${b.pointCount(p)}`;
      if (b.pointHasSum(p)) v += ` sum=${goFloat(b.pointSum(p))}`;
      if (b.pointHasMin(p)) v += ` min=${goFloat(b.pointMin(p))}`;
      if (b.pointHasMax(p)) v += ` max=${goFloat(b.pointMax(p))}`;
      const factor = expFactor(b.pointScale(p));
      const neg = b.pointBucketsCounts(p, 'negative');
      const negOff = b.pointBucketsOffset(p, 'negative');
      for (let j = neg.length - 1; j >= 0; j--) v += ` le${goFloat(-Math.exp((negOff + j) * factor))}=${neg[j]}`;
      const zero = b.pointZeroCount(p);
      if (zero !== 0n) v += ` zero=${zero}`;
      const pos = b.pointBucketsCounts(p, 'positive');
      const posOff = b.pointBucketsOffset(p, 'positive');
      for (let j = 0; j < pos.length; j++) v += ` le${goFloat(Math.exp((posOff + j + 1) * factor))}=${pos[j]}`;
      return v;
    }
    case 'summary': {
      let v = `count=${b.pointCount(p)} sum=${goFixed(b.pointSum(p))}`;
      for (const q of b.pointQuantiles(p)) v += ` q${goFloat(q.quantile)}=${goFloat(q.value)}`;
      return v;
    }
    default:
      return '';
  }
}

/** verbosity normal: a line per resource and scope, one line per data point. */
export function marshalMetricsNormal(b: MetricBatch): string {
  const out: string[] = [];
  const { scopesOf, metricsOf } = structure(b);
  scopesOf.forEach((scopes, r) => {
    const url = b.resourceSchemaUrl(r);
    out.push(`ResourceMetrics #${r}${url ? ' [' + url + ']' : ''}${attrsSuffix(b.resourceAttributes(r))}`);
    scopes.forEach((s, j) => {
      out.push(`ScopeMetrics #${j}${scopeDetails(b.scopeName(s), b.scopeVersion(s), b.scopeSchemaUrl(s))}${attrsSuffix(b.scopeAttributes(s))}`);
      for (const m of metricsOf[s]!) {
        const type = b.metricType(m);
        if (type === 'empty') continue;
        const name = b.metricName(m);
        for (const p of points(b, m)) out.push(`${name}{${attrPairs(b.pointAttributes(p)).join(',')}} ${normalValue(b, type, p)}`);
      }
    });
  });
  return out.length ? out.join('\n') + '\n' : '';
}

// ---------------------------------------------------------------- detailed

function exemplars(buf: Buf, b: MetricBatch, p: number): void {
  const n = b.pointExemplarCount(p);
  if (n === 0) return;
  buf.entry('Exemplars:');
  for (let e = 0; e < n; e++) {
    buf.entry(`Exemplar #${e}`);
    buf.entry(`     -> Trace ID: ${idString(b.exemplarTraceIdHex(p, e))}`);
    buf.entry(`     -> Span ID: ${idString(b.exemplarSpanIdHex(p, e))}`);
    buf.entry(`     -> Timestamp: ${formatTimestamp(b.exemplarTimeUnixNano(p, e))}`);
    const vt = b.exemplarValueType(p, e);
    if (vt === 'int') buf.entry(`     -> Value: ${b.exemplarIntValue(p, e)}`);
    else if (vt === 'double') buf.entry(`     -> Value: ${goFixed(b.exemplarDoubleValue(p, e))}`);
    buf.attributes('     -> FilteredAttributes', b.exemplarFilteredAttributes(p, e));
  }
}

function pointHeader(buf: Buf, b: MetricBatch, kind: string, i: number, p: number): void {
  buf.entry(`${kind} #${i}`);
  buf.attributes('Data point attributes', b.pointAttributes(p));
  buf.entry(`StartTimestamp: ${formatTimestamp(b.pointStartTimeUnixNano(p))}`);
  buf.entry(`Timestamp: ${formatTimestamp(b.pointTimeUnixNano(p))}`);
}

function countSumMinMax(buf: Buf, b: MetricBatch, p: number): void {
  buf.entry(`Count: ${b.pointCount(p)}`);
  if (b.pointHasSum(p)) buf.entry(`Sum: ${goFixed(b.pointSum(p))}`);
  if (b.pointHasMin(p)) buf.entry(`Min: ${goFixed(b.pointMin(p))}`);
  if (b.pointHasMax(p)) buf.entry(`Max: ${goFixed(b.pointMax(p))}`);
}

function dataPoints(buf: Buf, b: MetricBatch, m: number, type: MetricType): void {
  const ps = points(b, m);
  switch (type) {
    case 'gauge':
    case 'sum':
      if (type === 'sum') {
        buf.entry(`     -> IsMonotonic: ${b.metricIsMonotonic(m)}`);
        buf.entry(`     -> AggregationTemporality: ${temporality(b.metricAggregationTemporality(m))}`);
      }
      ps.forEach((p, i) => {
        pointHeader(buf, b, 'NumberDataPoints', i, p);
        const vt = b.pointValueType(p);
        if (vt === 'int') buf.entry(`Value: ${b.pointIntValue(p)}`);
        else if (vt === 'double') buf.entry(`Value: ${goFixed(b.pointDoubleValue(p))}`);
        exemplars(buf, b, p);
      });
      return;
    case 'histogram':
      buf.entry(`     -> AggregationTemporality: ${temporality(b.metricAggregationTemporality(m))}`);
      ps.forEach((p, i) => {
        pointHeader(buf, b, 'HistogramDataPoints', i, p);
        countSumMinMax(buf, b, p);
        b.pointExplicitBounds(p).forEach((x, j) => buf.entry(`ExplicitBounds #${j}: ${goFixed(x)}`));
        b.pointBucketCounts(p).forEach((c, j) => buf.entry(`Buckets #${j}, Count: ${c}`));
        exemplars(buf, b, p);
      });
      return;
    case 'exponential_histogram':
      buf.entry(`     -> AggregationTemporality: ${temporality(b.metricAggregationTemporality(m))}`);
      ps.forEach((p, i) => {
        pointHeader(buf, b, 'ExponentialHistogramDataPoints', i, p);
        countSumMinMax(buf, b, p);
        const factor = expFactor(b.pointScale(p));
        const neg = b.pointBucketsCounts(p, 'negative');
        const negOff = b.pointBucketsOffset(p, 'negative');
        for (let k = 0; k < neg.length; k++) {
          const pos = neg.length - k - 1;
          const index = negOff + pos;
          const lower = Math.exp(index * factor);
          const upper = Math.exp((index + 1) * factor);
          buf.entry(`Bucket [${goFixed(-upper)}, ${goFixed(-lower)}), Count: ${neg[pos]}`);
        }
        const zero = b.pointZeroCount(p);
        if (zero !== 0n) buf.entry(`Bucket [0, 0], Count: ${zero}`);
        const posB = b.pointBucketsCounts(p, 'positive');
        const posOff = b.pointBucketsOffset(p, 'positive');
        for (let k = 0; k < posB.length; k++) {
          const index = posOff + k;
          buf.entry(`Bucket (${goFixed(Math.exp(index * factor))}, ${goFixed(Math.exp((index + 1) * factor))}], Count: ${posB[k]}`);
        }
        exemplars(buf, b, p);
      });
      return;
    case 'summary':
      ps.forEach((p, i) => {
        pointHeader(buf, b, 'SummaryDataPoints', i, p);
        buf.entry(`Count: ${b.pointCount(p)}`);
        buf.entry(`Sum: ${goFixed(b.pointSum(p))}`);
        b.pointQuantiles(p).forEach((q, j) => buf.entry(`QuantileValue #${j}: Quantile ${goFixed(q.quantile)}, Value ${goFixed(q.value)}`));
      });
      return;
    default:
      return;
  }
}

/** verbosity detailed: the otlptext dump. */
export function marshalMetricsDetailed(b: MetricBatch): string {
  const buf = new Buf();
  const { scopesOf, metricsOf } = structure(b);
  scopesOf.forEach((scopes, r) => {
    buf.entry(`ResourceMetrics #${r}`);
    buf.entry(`Resource SchemaURL: ${b.resourceSchemaUrl(r)}`);
    buf.attributes('Resource attributes', b.resourceAttributes(r));
    scopes.forEach((s, j) => {
      buf.entry(`ScopeMetrics #${j}`);
      buf.entry(`ScopeMetrics SchemaURL: ${b.scopeSchemaUrl(s)}`);
      buf.entry(`InstrumentationScope ${b.scopeName(s)} ${b.scopeVersion(s)}`);
      buf.attributes('InstrumentationScope attributes', b.scopeAttributes(s));
      metricsOf[s]!.forEach((m, k) => {
        const type = b.metricType(m);
        buf.entry(`Metric #${k}`);
        buf.entry('Descriptor:');
        buf.entry(`     -> Name: ${b.metricName(m)}`);
        buf.entry(`     -> Description: ${b.metricDescription(m)}`);
        buf.entry(`     -> Unit: ${b.metricUnit(m)}`);
        buf.entry(`     -> DataType: ${DATA_TYPE[type]}`);
        buf.attributes('     -> Metadata', b.metricMetadata(m));
        dataPoints(buf, b, m, type);
      });
    });
  });
  return buf.text();
}
