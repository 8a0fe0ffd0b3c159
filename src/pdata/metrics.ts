// MetricBatch: metrics held as columns in SharedArrayBuffers (layout in ./layout.ts, METRICS section; same
// design as TraceBatch), decoded lazily from ExportMetricsServiceRequest bytes. Addressed by index, in wire order:
//   resource r in [0, resourceCount), scope s in [0, scopeCount), metric m in [0, metricCount),
//   data point p in [0, dataPointCount). Points of one metric are contiguous; metrics of one scope are contiguous.
// Items (what batching and self-metrics count) are DATA POINTS, as in the Go collector.
//
// How it works (details in metrics-decode.ts / metrics-encode.ts / metrics-gather.ts, on the modules shared by
// the three signals: batch-base.ts, encode-common.ts, gather-common.ts):
//   * decode copies the request into a shared byte arena once, validates all of it and indexes resources,
//     scopes, metrics and data points (times, values, counts, sums, min/max with presence, array ranges);
//     attributes, metadata and exemplars are parsed into their tables when first read; repeated numbers
//     (bucket counts, bounds, buckets, quantiles) are parsed from the raw bytes by their accessors.
//   * encode copies untouched bytes; modified messages are rewritten field by field; a batch nobody modified
//     encodes to its original bytes.
//   * slice/concat/filter*/clone build new batches (new buffers), copying only the bytes they keep. A metric
//     split by slice/filterDataPoints is repeated (name, description, unit, type, temporality, monotonic,
//     metadata) around each piece, like the Go batch processor's split.
//   * toTransfer/fromTransfer hand the SharedArrayBuffers to another thread (a hand-off, as TraceBatch).

import { DecodeError } from '../errors';
import type { Attributes, DecodeOptions } from './traces';
import {
  decodeMetricsRequest, parseExemplars, forEachFixed64, forEachPacked64, readBuckets, readQuantiles,
  type MetricParts,
} from './metrics-decode';
import { encodeMetricParts } from './metrics-encode';
import { concatMetricParts, sliceMetricParts, filterPointParts, filterMetricParts } from './metrics-gather';
import { AttrView, ensureAttrs } from './attributes';
import { BatchBase, sharedTable } from './batch-base';
import { OWNER_METRIC, OWNER_EXEMPLAR, pointOwner, markMetricDirty } from './metrics-attrs';
import { utf8, utf8Interned, utf8Length, u64ToBigInt, i64ToBigInt, bitsToDouble } from './wire';
import {
  Arena, Table, LAYOUT_VERSION,
  MX_VERSION, MX_ARENA_USED, MX_RESOURCES, MX_SCOPES, MX_METRICS, MX_POINTS, MX_ATTRS, MX_EXEMPLARS,
  MX_ORIG_LEN, MX_ATTR_HINT, MX_LENGTH,
  R_STRIDE, C_STRIDE, C_RESOURCE, C_FIRST_METRIC, C_METRIC_COUNT,
  A_STRIDE,
  MT_STRIDE, MT_NAME_OFF, MT_NAME_LEN, MT_DESC_OFF, MT_DESC_LEN, MT_UNIT_OFF, MT_UNIT_LEN, MT_TYPE,
  MT_TEMPORALITY, MT_FIRST_POINT, MT_POINT_COUNT, MT_SCOPE, MT_BITS, MB_MONOTONIC, MD_NAME,
  MTYPE_GAUGE, MTYPE_SUM, MTYPE_HISTOGRAM, MTYPE_EXP_HISTOGRAM, MTYPE_SUMMARY,
  DP_STRIDE, DP_OFF, DP_LEN, DP_START_LO, DP_START_HI, DP_TIME_LO, DP_TIME_HI, DP_V0, DP_V1, DP_COUNT_LO,
  DP_COUNT_HI, DP_SUM_LO, DP_SUM_HI, DP_MIN_LO, DP_MIN_HI, DP_MAX_LO, DP_MAX_HI, DP_ZCOUNT_LO, DP_ZCOUNT_HI,
  DP_ZTHRESH_LO, DP_ZTHRESH_HI, DP_SCALE, DP_FLAGS, DP_A_OFF, DP_A_LEN, DP_B_OFF, DP_B_LEN, DP_A_N, DP_B_N,
  DP_EXEMPLAR_N, DP_EXEMPLAR_FIRST, DP_METRIC, DP_BITS,
  PB_INT, PB_DOUBLE, PB_SUM, PB_MIN, PB_MAX, PB_A, PB_B,
  EX_STRIDE, EX_TIME_LO, EX_TIME_HI, EX_V0, EX_V1, EX_SID_OFF, EX_SID_LEN, EX_TID_OFF, EX_TID_LEN, EX_BITS,
  XB_INT, XB_DOUBLE,
} from './layout';

export type MetricType = 'empty' | 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';
export const AggregationTemporality = { UNSPECIFIED: 0, DELTA: 1, CUMULATIVE: 2 } as const;
/** For number points and exemplars: which oneof value is set. */
export type NumberValueType = 'none' | 'int' | 'double';

export interface MetricBatchTransfer {
  readonly kind: 'metrics';
  readonly buffers: readonly SharedArrayBuffer[];
  readonly meta: readonly number[];
}

const TYPE_NAMES: MetricType[] = ['empty', 'gauge', 'sum', 'histogram', 'exponential_histogram', 'summary'];

/** What MetricBatch needs from src/pdata/otlp-json-metrics.ts (loaded lazily: that module imports this one). */
interface OtlpJsonMetricsModule {
  jsonToMetricsRequest(body: string | Uint8Array): Uint8Array;
  metricBatchToJSON(b: MetricBatch): string;
}

export class MetricBatch extends BatchBase implements MetricParts {
  private _metrics: Table;
  private _points: Table;
  private _exemplars: Table;

  private constructor(p: MetricParts | null, lazy: readonly MetricBatch[] | null = null) {
    super(p, lazy);
    this._metrics = p?.metrics as Table;
    this._points = p?.points as Table;
    this._exemplars = p?.exemplars as Table;
  }
  /** @internal the metric tables (see layout.ts; the others are BatchBase's); not part of the API. */
  get metrics(): Table {
    return this.own()._metrics;
  }
  /** @internal */
  get points(): Table {
    return this.own()._points;
  }
  /** @internal */
  get exemplars(): Table {
    return this.own()._exemplars;
  }
  protected gatherLazy(parts: readonly BatchBase[]): void {
    const p = concatMetricParts(parts as MetricBatch[]);
    this._metrics = p.metrics;
    this._points = p.points;
    this._exemplars = p.exemplars;
    this.adopt(p);
  }

  /** Decode an ExportMetricsServiceRequest. Throws DecodeError (OTELTS_ERR_DECODE) on malformed input. */
  static decode(bytes: Uint8Array, opts?: DecodeOptions): MetricBatch {
    if (!(bytes instanceof Uint8Array)) throw new DecodeError('request body must be bytes');
    const b = new MetricBatch(decodeMetricsRequest(bytes));
    if (opts?.eager === true) b.parseAll();
    return b;
  }
  /** Decode an OTLP/JSON ExportMetricsServiceRequest (text or UTF-8 bytes). Throws DecodeError. */
  static fromJSON(body: string | Uint8Array): MetricBatch {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const json = require('./otlp-json-metrics') as OtlpJsonMetricsModule;
    return MetricBatch.decode(json.jsonToMetricsRequest(body));
  }
  /** Every data point of `batches`, in order (batching). Resources are never merged across batches. */
  static concat(batches: readonly MetricBatch[]): MetricBatch {
    if (batches.length === 0) return MetricBatch.empty();
    return new MetricBatch(concatMetricParts(batches));
  }
  /** concat without copying now (see TraceBatch.concatLazy): the caller hands `batches` over. */
  static concatLazy(batches: readonly MetricBatch[]): MetricBatch {
    if (batches.length < 2) return batches.length === 0 ? MetricBatch.empty() : batches[0]!;
    return new MetricBatch(null, BatchBase.flatten(batches));
  }
  static empty(): MetricBatch {
    return new MetricBatch(decodeMetricsRequest(new Uint8Array(0)));
  }
  static fromTransfer(t: MetricBatchTransfer): MetricBatch {
    const m = t?.meta;
    if (!t || t.kind !== 'metrics' || !m || m.length < MX_LENGTH || m[MX_VERSION] !== LAYOUT_VERSION || t.buffers?.length !== 7) {
      throw new TypeError('not a MetricBatchTransfer of this layout version');
    }
    const [a, r, c, mt, pt, at, ex] = t.buffers;
    return new MetricBatch({
      arena: new Arena(0, m[MX_ARENA_USED], a),
      res: sharedTable(R_STRIDE, r, m[MX_RESOURCES]),
      scopes: sharedTable(C_STRIDE, c, m[MX_SCOPES]),
      metrics: sharedTable(MT_STRIDE, mt, m[MX_METRICS]),
      points: sharedTable(DP_STRIDE, pt, m[MX_POINTS]),
      attrs: sharedTable(A_STRIDE, at, m[MX_ATTRS]),
      exemplars: sharedTable(EX_STRIDE, ex, m[MX_EXEMPLARS]),
      origLen: m[MX_ORIG_LEN],
      attrHint: m[MX_ATTR_HINT],
    });
  }

  get signal(): 'metrics' {
    return 'metrics';
  }
  /** Data points. */
  get itemCount(): number {
    return this.lazy !== null ? this.lazyItems() : this._points.rows;
  }
  get dataPointCount(): number {
    return this.itemCount;
  }
  get metricCount(): number {
    return this.metrics.rows;
  }
  /** Bytes this batch holds (wire bytes + columns): what memory bounds count. */
  get byteSize(): number {
    if (this.lazy !== null) return this.lazyBytes();
    return (
      this.arena.bytes + this.res.buf.byteLength + this.scopes.buf.byteLength + this.metrics.buf.byteLength +
      this.points.buf.byteLength + this.attrs.buf.byteLength + this.exemplars.buf.byteLength
    );
  }

  /** @internal ExportMetricsServiceRequest protobuf (`encode()`, BatchBase). */
  protected encodeParts(fromColumns: boolean): Buffer {
    return encodeMetricParts(this, fromColumns);
  }
  /** OTLP/JSON text. */
  toJSON(): string {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const json = require('./otlp-json-metrics') as OtlpJsonMetricsModule;
    return json.metricBatchToJSON(this);
  }
  /**
   * Data points [start, end) with their metric (name, type, temporality... repeated), scope and resource.
   * A metric without points goes with the slice holding its position (the last slice when at the end), so
   * consecutive slices [0, a), [a, b), ..., [z, n) hold every metric exactly once. Scopes and resources left
   * without metrics are dropped.
   */
  slice(start: number, end: number): MetricBatch {
    const n = this.points.rows;
    start = Math.max(0, Math.min(n, Math.trunc(start) || 0));
    end = Math.max(start, Math.min(n, Math.trunc(end) || 0));
    return new MetricBatch(sliceMetricParts(this, start, end));
  }
  clone(): MetricBatch {
    return new MetricBatch(concatMetricParts([this]));
  }
  /** Keep data points for which keep(p) is true; metrics left with no point are removed (filter processor). */
  filterDataPoints(keep: (p: number) => boolean): MetricBatch {
    const n = this.points.rows;
    const mask = new Uint8Array(n);
    for (let p = 0; p < n; p++) mask[p] = keep(p) ? 1 : 0;
    return new MetricBatch(filterPointParts(this, mask));
  }
  /** Keep whole metrics for which keep(m) is true. */
  filterMetrics(keep: (m: number) => boolean): MetricBatch {
    const n = this.metrics.rows;
    const mask = new Uint8Array(n);
    for (let m = 0; m < n; m++) mask[m] = keep(m) ? 1 : 0;
    return new MetricBatch(filterMetricParts(this, mask));
  }
  /** SharedArrayBuffers + numbers for postMessage: a hand-off (see TraceBatch.toTransfer). */
  toTransfer(): MetricBatchTransfer {
    const meta: number[] = new Array<number>(MX_LENGTH).fill(0);
    meta[MX_VERSION] = LAYOUT_VERSION;
    meta[MX_ARENA_USED] = this.arena.used;
    meta[MX_RESOURCES] = this.res.rows;
    meta[MX_SCOPES] = this.scopes.rows;
    meta[MX_METRICS] = this.metrics.rows;
    meta[MX_POINTS] = this.points.rows;
    meta[MX_ATTRS] = this.attrs.rows;
    meta[MX_EXEMPLARS] = this.exemplars.rows;
    meta[MX_ORIG_LEN] = this.origLen;
    meta[MX_ATTR_HINT] = this.attrHint;
    const buffers = [this.arena.ownBuffer(), this.res.buf, this.scopes.buf, this.metrics.buf, this.points.buf, this.attrs.buf, this.exemplars.buf];
    return { kind: 'metrics', buffers: buffers as SharedArrayBuffer[], meta };
  }

  /** Parse every attribute list and exemplar into the tables (what `{eager: true}` does at decode). */
  parseAll(): void {
    this.parseResourceScopeAttrs();
    for (let m = 0; m < this.metrics.rows; m++) ensureAttrs(this, OWNER_METRIC, m);
    for (let p = 0; p < this.points.rows; p++) {
      const type = this.typeOf(p);
      ensureAttrs(this, pointOwner(type), p);
      const n = this.points.i32[p * DP_STRIDE + DP_EXEMPLAR_N];
      if (n === 0) continue;
      const xf = this.exemplarFirst(p);
      for (let x = xf; x < xf + n; x++) ensureAttrs(this, OWNER_EXEMPLAR, x);
    }
  }

  // ---- scopes (resource and scope accessors: BatchBase)
  /** Index of the first metric of scope s, and how many (metrics of a scope are contiguous). */
  scopeFirstMetric(s: number): number {
    return this.scopes.i32[this.checkScope(s) + C_FIRST_METRIC];
  }
  scopeMetricCount(s: number): number {
    return this.scopes.i32[this.checkScope(s) + C_METRIC_COUNT];
  }

  // ---- metrics
  metricScope(m: number): number {
    return this.metrics.i32[this.mb(m) + MT_SCOPE];
  }
  metricResource(m: number): number {
    return this.scopes.i32[this.metrics.i32[this.mb(m) + MT_SCOPE] * C_STRIDE + C_RESOURCE];
  }
  metricName(m: number): string {
    const mb = this.mb(m);
    return utf8Interned(this.arena.buf, this.metrics.i32[mb + MT_NAME_OFF], this.metrics.i32[mb + MT_NAME_LEN]);
  }
  metricDescription(m: number): string {
    const mb = this.mb(m);
    return utf8(this.arena.buf, this.metrics.i32[mb + MT_DESC_OFF], this.metrics.i32[mb + MT_DESC_LEN]);
  }
  metricUnit(m: number): string {
    const mb = this.mb(m);
    return utf8Interned(this.arena.buf, this.metrics.i32[mb + MT_UNIT_OFF], this.metrics.i32[mb + MT_UNIT_LEN]);
  }
  metricType(m: number): MetricType {
    return TYPE_NAMES[this.metrics.i32[this.mb(m) + MT_TYPE]];
  }
  /** Sum/histogram/exponential histogram temporality (0 for gauge/summary). */
  metricAggregationTemporality(m: number): number {
    return this.metrics.i32[this.mb(m) + MT_TEMPORALITY];
  }
  metricIsMonotonic(m: number): boolean {
    return (this.metrics.i32[this.mb(m) + MT_BITS] & MB_MONOTONIC) !== 0;
  }
  metricMetadata(m: number): Attributes {
    this.mb(m);
    return new AttrView(this, OWNER_METRIC, m);
  }
  metricFirstPoint(m: number): number {
    return this.metrics.i32[this.mb(m) + MT_FIRST_POINT];
  }
  metricPointCount(m: number): number {
    return this.metrics.i32[this.mb(m) + MT_POINT_COUNT];
  }
  setMetricName(m: number, name: string): void {
    const mb = this.mb(m);
    const len = utf8Length(name);
    const off = len === 0 ? -1 : this.arena.appendString(name, len);
    this.metrics.i32[mb + MT_NAME_OFF] = off;
    this.metrics.i32[mb + MT_NAME_LEN] = len;
    markMetricDirty(this, m, MD_NAME);
  }

  // ---- data points (any type)
  pointMetric(p: number): number {
    return this.points.i32[this.pb(p) + DP_METRIC];
  }
  pointAttributes(p: number): Attributes {
    this.pb(p);
    return new AttrView(this, pointOwner(this.typeOf(p)), p);
  }
  pointStartTimeUnixNano(p: number): bigint {
    const pb = this.pb(p);
    return u64ToBigInt(this.points.u32[pb + DP_START_LO], this.points.u32[pb + DP_START_HI]);
  }
  pointTimeUnixNano(p: number): bigint {
    const pb = this.pb(p);
    return u64ToBigInt(this.points.u32[pb + DP_TIME_LO], this.points.u32[pb + DP_TIME_HI]);
  }
  /** Time in milliseconds since the epoch, as a double (no BigInt). */
  pointTimeMs(p: number): number {
    const pb = this.pb(p);
    return (this.points.u32[pb + DP_TIME_HI] * 4294967296 + this.points.u32[pb + DP_TIME_LO]) / 1e6;
  }
  pointFlags(p: number): number {
    return this.points.u32[this.pb(p) + DP_FLAGS];
  }
  // number points (gauge, sum)
  pointValueType(p: number): NumberValueType {
    const bits = this.points.i32[this.pb(p) + DP_BITS];
    if (!this.isNumber(p)) return 'none';
    return bits & PB_INT ? 'int' : bits & PB_DOUBLE ? 'double' : 'none';
  }
  pointIntValue(p: number): bigint {
    const pb = this.pb(p);
    if (!this.isNumber(p) || (this.points.i32[pb + DP_BITS] & PB_INT) === 0) return 0n;
    return i64ToBigInt(this.points.u32[pb + DP_V0], this.points.u32[pb + DP_V1]);
  }
  pointDoubleValue(p: number): number {
    const pb = this.pb(p);
    if (!this.isNumber(p) || (this.points.i32[pb + DP_BITS] & PB_DOUBLE) === 0) return 0;
    return bitsToDouble(this.points.u32[pb + DP_V0], this.points.u32[pb + DP_V1]);
  }
  /** The value as a double whatever its type (int converted); NaN when none. */
  pointValue(p: number): number {
    const pb = this.pb(p);
    if (!this.isNumber(p)) return NaN;
    const bits = this.points.i32[pb + DP_BITS];
    const u = this.points.u32;
    if (bits & PB_DOUBLE) return bitsToDouble(u[pb + DP_V0], u[pb + DP_V1]);
    if (bits & PB_INT) return this.points.i32[pb + DP_V1] * 4294967296 + u[pb + DP_V0];
    return NaN;
  }
  // histogram, exponential histogram, summary
  pointCount(p: number): bigint {
    const pb = this.pb(p);
    return u64ToBigInt(this.points.u32[pb + DP_COUNT_LO], this.points.u32[pb + DP_COUNT_HI]);
  }
  /** Summary sum is always present; histogram sums have explicit presence (pointHasSum). */
  pointSum(p: number): number {
    const pb = this.pb(p);
    return bitsToDouble(this.points.u32[pb + DP_SUM_LO], this.points.u32[pb + DP_SUM_HI]);
  }
  pointHasSum(p: number): boolean {
    const pb = this.pb(p);
    const type = this.typeOf(p);
    if (type === MTYPE_SUMMARY) return true;
    if (type !== MTYPE_HISTOGRAM && type !== MTYPE_EXP_HISTOGRAM) return false;
    return (this.points.i32[pb + DP_BITS] & PB_SUM) !== 0;
  }
  pointMin(p: number): number {
    const pb = this.pb(p);
    return bitsToDouble(this.points.u32[pb + DP_MIN_LO], this.points.u32[pb + DP_MIN_HI]);
  }
  pointHasMin(p: number): boolean {
    return (this.points.i32[this.pb(p) + DP_BITS] & PB_MIN) !== 0;
  }
  pointMax(p: number): number {
    const pb = this.pb(p);
    return bitsToDouble(this.points.u32[pb + DP_MAX_LO], this.points.u32[pb + DP_MAX_HI]);
  }
  pointHasMax(p: number): boolean {
    return (this.points.i32[this.pb(p) + DP_BITS] & PB_MAX) !== 0;
  }
  pointBucketCounts(p: number): bigint[] {
    const pb = this.pb(p);
    const out: bigint[] = [];
    if (this.typeOf(p) !== MTYPE_HISTOGRAM) return out;
    const d = this.points.i32;
    const push = (lo: number, hi: number): void => {
      out.push(u64ToBigInt(lo, hi));
    };
    if (d[pb + DP_A_OFF] >= 0) forEachPacked64(this.arena.u8, d[pb + DP_A_OFF], d[pb + DP_A_LEN], push);
    else if (d[pb + DP_A_N] > 0) forEachFixed64(this.arena.u8, d[pb + DP_OFF], d[pb + DP_LEN], 6, push);
    return out;
  }
  /** Number of bucket counts (histogram) without parsing them. */
  pointBucketCountsLength(p: number): number {
    return this.typeOf(p) === MTYPE_HISTOGRAM ? this.points.i32[this.pb(p) + DP_A_N] : 0;
  }
  pointExplicitBounds(p: number): number[] {
    const pb = this.pb(p);
    const out: number[] = [];
    if (this.typeOf(p) !== MTYPE_HISTOGRAM) return out;
    const d = this.points.i32;
    const push = (lo: number, hi: number): void => {
      out.push(bitsToDouble(lo, hi));
    };
    if (d[pb + DP_B_OFF] >= 0) forEachPacked64(this.arena.u8, d[pb + DP_B_OFF], d[pb + DP_B_LEN], push);
    else if (d[pb + DP_B_N] > 0) forEachFixed64(this.arena.u8, d[pb + DP_OFF], d[pb + DP_LEN], 7, push);
    return out;
  }
  pointScale(p: number): number {
    return this.points.i32[this.pb(p) + DP_SCALE];
  }
  pointZeroCount(p: number): bigint {
    const pb = this.pb(p);
    return u64ToBigInt(this.points.u32[pb + DP_ZCOUNT_LO], this.points.u32[pb + DP_ZCOUNT_HI]);
  }
  pointZeroThreshold(p: number): number {
    const pb = this.pb(p);
    return bitsToDouble(this.points.u32[pb + DP_ZTHRESH_LO], this.points.u32[pb + DP_ZTHRESH_HI]);
  }
  /** Exponential histogram buckets; `side` 'positive' | 'negative'. */
  pointBucketsOffset(p: number, side: 'positive' | 'negative'): number {
    const r = this.bucketsRange(p, side);
    return r < 0 ? 0 : readBuckets(this.arena.u8, this.points.i32[r], this.points.i32[r + 1]).offset;
  }
  pointBucketsCounts(p: number, side: 'positive' | 'negative'): bigint[] {
    const r = this.bucketsRange(p, side);
    if (r < 0) return [];
    const c = readBuckets(this.arena.u8, this.points.i32[r], this.points.i32[r + 1]).counts;
    const out: bigint[] = [];
    for (let k = 0; k < c.length; k += 2) out.push(u64ToBigInt(c[k], c[k + 1]));
    return out;
  }
  /** Whether the positive/negative Buckets message is present on the wire. */
  pointHasBuckets(p: number, side: 'positive' | 'negative'): boolean {
    return this.bucketsRange(p, side) >= 0;
  }
  pointQuantiles(p: number): Array<{ quantile: number; value: number }> {
    const pb = this.pb(p);
    const out: Array<{ quantile: number; value: number }> = [];
    if (this.typeOf(p) !== MTYPE_SUMMARY || this.points.i32[pb + DP_A_N] === 0) return out;
    const q = readQuantiles(this.arena.u8, this.points.i32[pb + DP_OFF], this.points.i32[pb + DP_LEN]);
    for (let k = 0; k < q.length; k += 7) out.push({ quantile: bitsToDouble(q[k], q[k + 1]), value: bitsToDouble(q[k + 2], q[k + 3]) });
    return out;
  }
  // exemplars
  pointExemplarCount(p: number): number {
    return this.points.i32[this.pb(p) + DP_EXEMPLAR_N];
  }
  exemplarTimeUnixNano(p: number, e: number): bigint {
    const xb = this.xb(p, e);
    return u64ToBigInt(this.exemplars.u32[xb + EX_TIME_LO], this.exemplars.u32[xb + EX_TIME_HI]);
  }
  exemplarValueType(p: number, e: number): NumberValueType {
    const bits = this.exemplars.i32[this.xb(p, e) + EX_BITS];
    return bits & XB_INT ? 'int' : bits & XB_DOUBLE ? 'double' : 'none';
  }
  exemplarIntValue(p: number, e: number): bigint {
    const xb = this.xb(p, e);
    if ((this.exemplars.i32[xb + EX_BITS] & XB_INT) === 0) return 0n;
    return i64ToBigInt(this.exemplars.u32[xb + EX_V0], this.exemplars.u32[xb + EX_V1]);
  }
  exemplarDoubleValue(p: number, e: number): number {
    const xb = this.xb(p, e);
    if ((this.exemplars.i32[xb + EX_BITS] & XB_DOUBLE) === 0) return 0;
    return bitsToDouble(this.exemplars.u32[xb + EX_V0], this.exemplars.u32[xb + EX_V1]);
  }
  exemplarTraceIdHex(p: number, e: number): string {
    const xb = this.xb(p, e);
    return this.hexAt(this.exemplars.i32[xb + EX_TID_OFF], this.exemplars.i32[xb + EX_TID_LEN]);
  }
  exemplarSpanIdHex(p: number, e: number): string {
    const xb = this.xb(p, e);
    return this.hexAt(this.exemplars.i32[xb + EX_SID_OFF], this.exemplars.i32[xb + EX_SID_LEN]);
  }
  exemplarFilteredAttributes(p: number, e: number): Attributes {
    return new AttrView(this, OWNER_EXEMPLAR, this.xb(p, e) / EX_STRIDE, p);
  }

  // ---- internals
  private mb(m: number): number {
    if (!(m >= 0 && m < this.metrics.rows)) throw new RangeError(`metric index ${m} out of range [0, ${this.metrics.rows})`);
    return m * MT_STRIDE;
  }
  private pb(p: number): number {
    if (!(p >= 0 && p < this.points.rows)) throw new RangeError(`data point index ${p} out of range [0, ${this.points.rows})`);
    return p * DP_STRIDE;
  }
  /** MTYPE_* of the metric of point p (p checked by the caller). */
  private typeOf(p: number): number {
    return this.metrics.i32[this.points.i32[p * DP_STRIDE + DP_METRIC] * MT_STRIDE + MT_TYPE];
  }
  private isNumber(p: number): boolean {
    const t = this.typeOf(p);
    return t === MTYPE_GAUGE || t === MTYPE_SUM;
  }
  /** Base index (into points.i32) of the (off, len) pair of the side's Buckets, or -1 when absent. */
  private bucketsRange(p: number, side: 'positive' | 'negative'): number {
    const pb = this.pb(p);
    if (this.typeOf(p) !== MTYPE_EXP_HISTOGRAM) return -1;
    const bits = this.points.i32[pb + DP_BITS];
    if (side === 'positive') return bits & PB_A ? pb + DP_A_OFF : -1;
    return bits & PB_B ? pb + DP_B_OFF : -1;
  }
  private exemplarFirst(p: number): number {
    const pb = p * DP_STRIDE;
    let f = this.points.i32[pb + DP_EXEMPLAR_FIRST];
    if (f < 0) {
      f = parseExemplars(this, p, this.typeOf(p));
      this.points.i32[pb + DP_EXEMPLAR_FIRST] = f;
    }
    return f;
  }
  /** Base index of exemplar e of point p in exemplars.i32. */
  private xb(p: number, e: number): number {
    const pb = this.pb(p);
    const n = this.points.i32[pb + DP_EXEMPLAR_N];
    if (!(e >= 0 && e < n)) throw new RangeError(`exemplar index ${e} out of range [0, ${n})`);
    return (this.exemplarFirst(p) + e) * EX_STRIDE;
  }
}
