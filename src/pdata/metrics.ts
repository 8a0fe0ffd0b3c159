// API CONTRACT STUB (issue #4) — the metrics-pdata helper replaces the bodies; the public signatures below are
// what every other component codes against and MUST stay as they are (additions are fine).
//
// MetricBatch: metrics held as columns in SharedArrayBuffers (layout in ./layout.ts, same design as TraceBatch),
// decoded lazily from ExportMetricsServiceRequest bytes. Addressed by index, in wire order:
//   resource r in [0, resourceCount), scope s in [0, scopeCount), metric m in [0, metricCount),
//   data point p in [0, dataPointCount). Points of one metric are contiguous; metrics of one scope are contiguous.
// Items (what batching and self-metrics count) are DATA POINTS, as in the Go collector.

import { UnsupportedError } from '../errors';
import type { Attributes, DecodeOptions, EncodeOptions } from './traces';

export type MetricType = 'empty' | 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';
export const AggregationTemporality = { UNSPECIFIED: 0, DELTA: 1, CUMULATIVE: 2 } as const;
/** For number points and exemplars: which oneof value is set. */
export type NumberValueType = 'none' | 'int' | 'double';

export interface MetricBatchTransfer {
  readonly kind: 'metrics';
  readonly buffers: readonly SharedArrayBuffer[];
  readonly meta: readonly number[];
}

const ni = (): never => {
  throw new UnsupportedError('MetricBatch: not implemented yet');
};

export class MetricBatch {
  static decode(bytes: Uint8Array, opts?: DecodeOptions): MetricBatch { void bytes; void opts; return ni(); }
  static fromJSON(body: string | Uint8Array): MetricBatch { void body; return ni(); }
  static concat(batches: readonly MetricBatch[]): MetricBatch { void batches; return ni(); }
  static empty(): MetricBatch { return ni(); }
  static fromTransfer(t: MetricBatchTransfer): MetricBatch { void t; return ni(); }

  get signal(): 'metrics' { return 'metrics'; }
  /** Data points. */
  get itemCount(): number { return 0; }
  get dataPointCount(): number { return 0; }
  get metricCount(): number { return 0; }
  get scopeCount(): number { return 0; }
  get resourceCount(): number { return 0; }
  get byteSize(): number { return 0; }

  encode(opts?: EncodeOptions): Uint8Array { void opts; return ni(); }
  toJSON(): string { return ni(); }
  /** Data points [start, end) with their metric (name, type, temporality... repeated), scope and resource. */
  slice(start: number, end: number): MetricBatch { void start; void end; return ni(); }
  clone(): MetricBatch { return ni(); }
  /** Keep data points for which keep(p) is true; metrics left with no point are removed (filter processor). */
  filterDataPoints(keep: (p: number) => boolean): MetricBatch { void keep; return ni(); }
  /** Keep whole metrics for which keep(m) is true. */
  filterMetrics(keep: (m: number) => boolean): MetricBatch { void keep; return ni(); }
  toTransfer(): MetricBatchTransfer { return ni(); }

  // ---- resources and scopes (same meaning as TraceBatch)
  resourceAttributes(r: number): Attributes { void r; return ni(); }
  resourceSchemaUrl(r: number): string { void r; return ni(); }
  resourceDroppedAttributesCount(r: number): number { void r; return ni(); }
  scopeResource(s: number): number { void s; return ni(); }
  scopeName(s: number): string { void s; return ni(); }
  scopeVersion(s: number): string { void s; return ni(); }
  scopeAttributes(s: number): Attributes { void s; return ni(); }
  scopeDroppedAttributesCount(s: number): number { void s; return ni(); }
  scopeSchemaUrl(s: number): string { void s; return ni(); }

  // ---- metrics
  metricScope(m: number): number { void m; return ni(); }
  metricResource(m: number): number { void m; return ni(); }
  metricName(m: number): string { void m; return ni(); }
  metricDescription(m: number): string { void m; return ni(); }
  metricUnit(m: number): string { void m; return ni(); }
  metricType(m: number): MetricType { void m; return ni(); }
  /** Sum/histogram/exponential histogram temporality (0 for gauge/summary). */
  metricAggregationTemporality(m: number): number { void m; return ni(); }
  metricIsMonotonic(m: number): boolean { void m; return ni(); }
  metricMetadata(m: number): Attributes { void m; return ni(); }
  metricFirstPoint(m: number): number { void m; return ni(); }
  metricPointCount(m: number): number { void m; return ni(); }
  setMetricName(m: number, name: string): void { void m; void name; ni(); }

  // ---- data points (any type)
  pointMetric(p: number): number { void p; return ni(); }
  pointAttributes(p: number): Attributes { void p; return ni(); }
  pointStartTimeUnixNano(p: number): bigint { void p; return ni(); }
  pointTimeUnixNano(p: number): bigint { void p; return ni(); }
  pointFlags(p: number): number { void p; return ni(); }
  // number points (gauge, sum)
  pointValueType(p: number): NumberValueType { void p; return ni(); }
  pointIntValue(p: number): bigint { void p; return ni(); }
  pointDoubleValue(p: number): number { void p; return ni(); }
  /** The value as a double whatever its type (int converted); NaN when none. */
  pointValue(p: number): number { void p; return ni(); }
  // histogram, exponential histogram, summary
  pointCount(p: number): bigint { void p; return ni(); }
  /** Summary sum is always present; histogram sums have explicit presence (pointHasSum). */
  pointSum(p: number): number { void p; return ni(); }
  pointHasSum(p: number): boolean { void p; return ni(); }
  pointMin(p: number): number { void p; return ni(); }
  pointHasMin(p: number): boolean { void p; return ni(); }
  pointMax(p: number): number { void p; return ni(); }
  pointHasMax(p: number): boolean { void p; return ni(); }
  pointBucketCounts(p: number): bigint[] { void p; return ni(); }
  pointExplicitBounds(p: number): number[] { void p; return ni(); }
  pointScale(p: number): number { void p; return ni(); }
  pointZeroCount(p: number): bigint { void p; return ni(); }
  pointZeroThreshold(p: number): number { void p; return ni(); }
  /** Exponential histogram buckets; `side` 'positive' | 'negative'. */
  pointBucketsOffset(p: number, side: 'positive' | 'negative'): number { void p; void side; return ni(); }
  pointBucketsCounts(p: number, side: 'positive' | 'negative'): bigint[] { void p; void side; return ni(); }
  /** Whether the positive/negative Buckets message is present on the wire. */
  pointHasBuckets(p: number, side: 'positive' | 'negative'): boolean { void p; void side; return ni(); }
  pointQuantiles(p: number): Array<{ quantile: number; value: number }> { void p; return ni(); }
  // exemplars
  pointExemplarCount(p: number): number { void p; return ni(); }
  exemplarTimeUnixNano(p: number, e: number): bigint { void p; void e; return ni(); }
  exemplarValueType(p: number, e: number): NumberValueType { void p; void e; return ni(); }
  exemplarIntValue(p: number, e: number): bigint { void p; void e; return ni(); }
  exemplarDoubleValue(p: number, e: number): number { void p; void e; return ni(); }
  exemplarTraceIdHex(p: number, e: number): string { void p; void e; return ni(); }
  exemplarSpanIdHex(p: number, e: number): string { void p; void e; return ni(); }
  exemplarFilteredAttributes(p: number, e: number): Attributes { void p; void e; return ni(); }
}
