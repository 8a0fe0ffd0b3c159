// OTLP/JSON for metrics.
//
// jsonToMetricsRequest: OTLP/JSON ExportMetricsServiceRequest → protobuf bytes, written straight from the parsed
// JSON (so JSON input reuses the binary decode path), with the same rules as traces (./otlp-json.ts,
// ./json/from-json.ts): hex exemplar ids in either case, int64/fixed64/uint64 as strings or numbers (exact
// beyond 2^53), AGGREGATION_TEMPORALITY_* names or numbers, snake_case accepted, unknown keys ignored,
// "NaN"/"Infinity"/"-Infinity" doubles, null = absent. Presence as in the proto: histogram and exponential
// histogram sum/min/max are proto3 `optional` and the number/exemplar value and the metric data are oneofs,
// so a present 0 (or empty message) is written and absent stays absent. Fields go in field-number order,
// repeated numbers packed (byte-identical to protobufjs). Errors: DecodeError naming the JSON path.
//
// metricBatchToJSON: MetricBatch → OTLP/JSON text through MetricBatch's public accessors (lowercase hex,
// int64/fixed64 as decimal strings, enums as integers, lowerCamelCase, defaults omitted, presence kept).

import type { MetricBatch } from './metrics';
import type { ProtoWriter } from './json/proto-writer';
import {
  type Obj, convertJsonRequest, get, enumNames, writeMessage, writeRepeatedMessages, writeString, writeUint32,
  writeFixed64, writeSfixed64Present, writeDouble, writeDoublePresent, writePackedFixed64, writePackedDouble,
  writePackedUint64, writeSint32, writeEnum, writeBool, writeHexId, encodeResource, encodeScope, encodeAttributes,
} from './json/from-json';
import { attributesJSON, batchJSON, doubleJSON, isAbsentId, isPositiveZero, type SignalShape } from './json/to-json';

// ---------------------------------------------------------------------------------------------------------
// JSON → protobuf

/** Parse an OTLP/JSON ExportMetricsServiceRequest (text or UTF-8 bytes) into ExportMetricsServiceRequest protobuf bytes. */
export function jsonToMetricsRequest(body: string | Uint8Array): Uint8Array {
  return convertJsonRequest(body, encodeRoot);
}

const TEMPORALITY_NAMES = enumNames({
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
});

function encodeRoot(w: ProtoWriter, o: Obj): void {
  writeRepeatedMessages(w, 1, get(o, 'resourceMetrics', 'resource_metrics'), 'resourceMetrics', 3, encodeResourceMetrics);
}

function encodeResourceMetrics(w: ProtoWriter, o: Obj): void {
  writeMessage(w, 1, o.resource, 'resource', 2, encodeResource);
  writeRepeatedMessages(w, 2, get(o, 'scopeMetrics', 'scope_metrics'), 'scopeMetrics', 3, encodeScopeMetrics);
  writeString(w, 3, get(o, 'schemaUrl', 'schema_url'), 'schemaUrl');
}

function encodeScopeMetrics(w: ProtoWriter, o: Obj): void {
  writeMessage(w, 1, o.scope, 'scope', 1, encodeScope);
  writeRepeatedMessages(w, 2, o.metrics, 'metrics', 2, encodeMetric);
  writeString(w, 3, get(o, 'schemaUrl', 'schema_url'), 'schemaUrl');
}

// Metric.data oneof members: field numbers.
const D_GAUGE = 5;
const D_SUM = 7;
const D_HISTOGRAM = 9;
const D_EXP_HISTOGRAM = 10;
const D_SUMMARY = 11;

function encodeMetric(w: ProtoWriter, o: Obj): void {
  writeString(w, 1, o.name, 'name');
  writeString(w, 2, o.description, 'description');
  writeString(w, 3, o.unit, 'unit');
  // The data oneof: the last recognised non-null key (like AnyValue and the Go collector's decoder).
  let which = 0;
  let val: unknown;
  for (const k in o) {
    let t: number;
    switch (k) {
      case 'gauge':
        t = D_GAUGE;
        break;
      case 'sum':
        t = D_SUM;
        break;
      case 'histogram':
        t = D_HISTOGRAM;
        break;
      case 'exponentialHistogram':
      case 'exponential_histogram':
        t = D_EXP_HISTOGRAM;
        break;
      case 'summary':
        t = D_SUMMARY;
        break;
      default:
        continue;
    }
    const x = o[k];
    if (x === null || x === undefined) continue;
    which = t;
    val = x;
  }
  switch (which) {
    case D_GAUGE:
      writeMessage(w, D_GAUGE, val, 'gauge', 2, encodeGauge);
      break;
    case D_SUM:
      writeMessage(w, D_SUM, val, 'sum', 2, encodeSum);
      break;
    case D_HISTOGRAM:
      writeMessage(w, D_HISTOGRAM, val, 'histogram', 2, encodeHistogram);
      break;
    case D_EXP_HISTOGRAM:
      writeMessage(w, D_EXP_HISTOGRAM, val, 'exponentialHistogram', 2, encodeExpHistogram);
      break;
    case D_SUMMARY:
      writeMessage(w, D_SUMMARY, val, 'summary', 2, encodeSummary);
      break;
  }
  encodeAttributes(w, 12, o.metadata, 'metadata');
}

function dataPoints(o: Obj): unknown {
  return get(o, 'dataPoints', 'data_points');
}

function temporality(w: ProtoWriter, o: Obj): void {
  writeEnum(w, 2, get(o, 'aggregationTemporality', 'aggregation_temporality'), TEMPORALITY_NAMES, 'aggregationTemporality');
}

function encodeGauge(w: ProtoWriter, o: Obj): void {
  writeRepeatedMessages(w, 1, dataPoints(o), 'dataPoints', 1, encodeNumberPoint);
}

function encodeSum(w: ProtoWriter, o: Obj): void {
  writeRepeatedMessages(w, 1, dataPoints(o), 'dataPoints', 1, encodeNumberPoint);
  temporality(w, o);
  writeBool(w, 3, get(o, 'isMonotonic', 'is_monotonic'), 'isMonotonic');
}

function encodeHistogram(w: ProtoWriter, o: Obj): void {
  writeRepeatedMessages(w, 1, dataPoints(o), 'dataPoints', 2, encodeHistogramPoint);
  temporality(w, o);
}

function encodeExpHistogram(w: ProtoWriter, o: Obj): void {
  writeRepeatedMessages(w, 1, dataPoints(o), 'dataPoints', 2, encodeExpHistogramPoint);
  temporality(w, o);
}

function encodeSummary(w: ProtoWriter, o: Obj): void {
  writeRepeatedMessages(w, 1, dataPoints(o), 'dataPoints', 2, encodeSummaryPoint);
}

// The as_double | as_int oneof of NumberDataPoint and Exemplar: the last recognised non-null key wins.
const V_NONE = 0;
const V_DOUBLE = 1;
const V_INT = 2;
let valueKind = V_NONE;
let valueJson: unknown;

function scanValue(o: Obj): void {
  valueKind = V_NONE;
  valueJson = undefined;
  for (const k in o) {
    let t: number;
    if (k === 'asDouble' || k === 'as_double') t = V_DOUBLE;
    else if (k === 'asInt' || k === 'as_int') t = V_INT;
    else continue;
    const x = o[k];
    if (x === null || x === undefined) continue;
    valueKind = t;
    valueJson = x;
  }
}

function times(w: ProtoWriter, o: Obj): void {
  writeFixed64(w, 2, get(o, 'startTimeUnixNano', 'start_time_unix_nano'), 'startTimeUnixNano');
  writeFixed64(w, 3, get(o, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano');
}

function encodeNumberPoint(w: ProtoWriter, o: Obj): void {
  times(w, o);
  scanValue(o);
  const kind = valueKind;
  const v = valueJson;
  if (kind === V_DOUBLE) writeDoublePresent(w, 4, v, 'asDouble');
  writeRepeatedMessages(w, 5, o.exemplars, 'exemplars', 1, encodeExemplar);
  if (kind === V_INT) writeSfixed64Present(w, 6, v, 'asInt');
  encodeAttributes(w, 7, o.attributes, 'attributes');
  writeUint32(w, 8, o.flags, 'flags');
}

function encodeExemplar(w: ProtoWriter, o: Obj): void {
  writeFixed64(w, 2, get(o, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano');
  scanValue(o);
  const kind = valueKind;
  const v = valueJson;
  if (kind === V_DOUBLE) writeDoublePresent(w, 3, v, 'asDouble');
  writeHexId(w, 4, get(o, 'spanId', 'span_id'), 8, 'spanId');
  writeHexId(w, 5, get(o, 'traceId', 'trace_id'), 16, 'traceId');
  if (kind === V_INT) writeSfixed64Present(w, 6, v, 'asInt');
  encodeAttributes(w, 7, get(o, 'filteredAttributes', 'filtered_attributes'), 'filteredAttributes');
}

function encodeHistogramPoint(w: ProtoWriter, o: Obj): void {
  times(w, o);
  writeFixed64(w, 4, o.count, 'count');
  writeDoublePresent(w, 5, o.sum, 'sum');
  writePackedFixed64(w, 6, get(o, 'bucketCounts', 'bucket_counts'), 'bucketCounts');
  writePackedDouble(w, 7, get(o, 'explicitBounds', 'explicit_bounds'), 'explicitBounds');
  writeRepeatedMessages(w, 8, o.exemplars, 'exemplars', 1, encodeExemplar);
  encodeAttributes(w, 9, o.attributes, 'attributes');
  writeUint32(w, 10, o.flags, 'flags');
  writeDoublePresent(w, 11, o.min, 'min');
  writeDoublePresent(w, 12, o.max, 'max');
}

function encodeExpHistogramPoint(w: ProtoWriter, o: Obj): void {
  encodeAttributes(w, 1, o.attributes, 'attributes');
  times(w, o);
  writeFixed64(w, 4, o.count, 'count');
  writeDoublePresent(w, 5, o.sum, 'sum');
  writeSint32(w, 6, o.scale, 'scale');
  writeFixed64(w, 7, get(o, 'zeroCount', 'zero_count'), 'zeroCount');
  writeMessage(w, 8, o.positive, 'positive', 1, encodeBuckets);
  writeMessage(w, 9, o.negative, 'negative', 1, encodeBuckets);
  writeUint32(w, 10, o.flags, 'flags');
  writeRepeatedMessages(w, 11, o.exemplars, 'exemplars', 1, encodeExemplar);
  writeDoublePresent(w, 12, o.min, 'min');
  writeDoublePresent(w, 13, o.max, 'max');
  writeDouble(w, 14, get(o, 'zeroThreshold', 'zero_threshold'), 'zeroThreshold');
}

function encodeBuckets(w: ProtoWriter, o: Obj): void {
  writeSint32(w, 1, o.offset, 'offset');
  writePackedUint64(w, 2, get(o, 'bucketCounts', 'bucket_counts'), 'bucketCounts');
}

function encodeSummaryPoint(w: ProtoWriter, o: Obj): void {
  times(w, o);
  writeFixed64(w, 4, o.count, 'count');
  writeDouble(w, 5, o.sum, 'sum');
  writeRepeatedMessages(w, 6, get(o, 'quantileValues', 'quantile_values'), 'quantileValues', 1, encodeQuantile);
  encodeAttributes(w, 7, o.attributes, 'attributes');
  writeUint32(w, 8, o.flags, 'flags');
}

function encodeQuantile(w: ProtoWriter, o: Obj): void {
  writeDouble(w, 1, o.quantile, 'quantile');
  writeDouble(w, 2, o.value, 'value');
}

// ---------------------------------------------------------------------------------------------------------
// MetricBatch → JSON

const METRICS: SignalShape = { fn: 'metricBatchToJSON', resourcesKey: 'resourceMetrics', scopesKey: 'scopeMetrics', itemsKey: 'metrics', itemName: 'metric' };

/** OTLP/JSON text of a MetricBatch (lowercase hex ids, int64 as strings, enums as integers, defaults omitted). */
export function metricBatchToJSON(b: MetricBatch): string {
  return batchJSON(b, METRICS, b.metricCount, (m) => b.metricScope(m), (m) => metricJSON(b, m));
}

const DATA_KEYS: Readonly<Record<string, string>> = {
  gauge: 'gauge',
  sum: 'sum',
  histogram: 'histogram',
  exponential_histogram: 'exponentialHistogram',
  summary: 'summary',
};

function metricJSON(b: MetricBatch, m: number): string {
  let out = '{';
  let c = '';
  const name = b.metricName(m);
  if (name !== '') {
    out += '"name":' + JSON.stringify(name);
    c = ',';
  }
  const desc = b.metricDescription(m);
  if (desc !== '') {
    out += c + '"description":' + JSON.stringify(desc);
    c = ',';
  }
  const unit = b.metricUnit(m);
  if (unit !== '') {
    out += c + '"unit":' + JSON.stringify(unit);
    c = ',';
  }
  const type = b.metricType(m);
  const key = DATA_KEYS[type];
  if (key !== undefined) {
    // The data message is printed even when empty: it is what says which kind of metric this is.
    out += c + '"' + key + '":{';
    c = ',';
    let dc = '';
    const first = b.metricFirstPoint(m);
    const n = b.metricPointCount(m);
    if (n > 0) {
      out += '"dataPoints":[';
      for (let p = first; p < first + n; p++) {
        if (p > first) out += ',';
        switch (type) {
          case 'gauge':
          case 'sum':
            out += numberPointJSON(b, p);
            break;
          case 'histogram':
            out += histogramPointJSON(b, p);
            break;
          case 'exponential_histogram':
            out += expHistogramPointJSON(b, p);
            break;
          default:
            out += summaryPointJSON(b, p);
        }
      }
      out += ']';
      dc = ',';
    }
    if (type === 'sum' || type === 'histogram' || type === 'exponential_histogram') {
      const t = b.metricAggregationTemporality(m);
      if (t !== 0) {
        out += dc + '"aggregationTemporality":' + t;
        dc = ',';
      }
    }
    if (type === 'sum' && b.metricIsMonotonic(m)) out += dc + '"isMonotonic":true';
    out += '}';
  }
  const md = attributesJSON(b.metricMetadata(m), 'metadata');
  if (md !== '') out += c + md;
  return out + '}';
}

/** The fields every point type shares that come first: attributes, start and time (as `,"k":v` pieces). */
function pointHead(b: MetricBatch, p: number): string {
  let out = '';
  const a = attributesJSON(b.pointAttributes(p), 'attributes');
  if (a !== '') out += ',' + a;
  const start = b.pointStartTimeUnixNano(p);
  if (start !== 0n) out += ',"startTimeUnixNano":"' + start + '"';
  const time = b.pointTimeUnixNano(p);
  if (time !== 0n) out += ',"timeUnixNano":"' + time + '"';
  return out;
}

/** `{...}` from `,"k":v,...` pieces. */
function obj(fields: string): string {
  return fields === '' ? '{}' : '{' + fields.slice(1) + '}';
}

function flagsField(b: MetricBatch, p: number): string {
  const f = b.pointFlags(p);
  return f !== 0 ? ',"flags":' + f : '';
}

function countField(b: MetricBatch, p: number): string {
  const n = b.pointCount(p);
  return n !== 0n ? ',"count":"' + n + '"' : '';
}

function numberPointJSON(b: MetricBatch, p: number): string {
  let out = pointHead(b, p);
  const vt = b.pointValueType(p);
  if (vt === 'double') out += ',"asDouble":' + doubleJSON(b.pointDoubleValue(p));
  else if (vt === 'int') out += ',"asInt":"' + b.pointIntValue(p) + '"';
  out += exemplarsJSON(b, p);
  out += flagsField(b, p);
  return obj(out);
}

function histogramPointJSON(b: MetricBatch, p: number): string {
  let out = pointHead(b, p) + countField(b, p);
  if (b.pointHasSum(p)) out += ',"sum":' + doubleJSON(b.pointSum(p));
  if (b.pointBucketCountsLength(p) > 0) out += ',"bucketCounts":' + u64ArrayJSON(b.pointBucketCounts(p));
  const bounds = b.pointExplicitBounds(p);
  if (bounds.length > 0) {
    out += ',"explicitBounds":[';
    for (let k = 0; k < bounds.length; k++) out += (k > 0 ? ',' : '') + doubleJSON(bounds[k]);
    out += ']';
  }
  out += exemplarsJSON(b, p);
  out += flagsField(b, p);
  if (b.pointHasMin(p)) out += ',"min":' + doubleJSON(b.pointMin(p));
  if (b.pointHasMax(p)) out += ',"max":' + doubleJSON(b.pointMax(p));
  return obj(out);
}

function expHistogramPointJSON(b: MetricBatch, p: number): string {
  let out = pointHead(b, p) + countField(b, p);
  if (b.pointHasSum(p)) out += ',"sum":' + doubleJSON(b.pointSum(p));
  const scale = b.pointScale(p);
  if (scale !== 0) out += ',"scale":' + scale;
  const zc = b.pointZeroCount(p);
  if (zc !== 0n) out += ',"zeroCount":"' + zc + '"';
  for (const side of SIDES) {
    if (!b.pointHasBuckets(p, side)) continue;
    let bk = '';
    const off = b.pointBucketsOffset(p, side);
    if (off !== 0) bk += ',"offset":' + off;
    const counts = b.pointBucketsCounts(p, side);
    if (counts.length > 0) bk += ',"bucketCounts":' + u64ArrayJSON(counts);
    out += ',"' + side + '":' + obj(bk);
  }
  out += flagsField(b, p);
  out += exemplarsJSON(b, p);
  if (b.pointHasMin(p)) out += ',"min":' + doubleJSON(b.pointMin(p));
  if (b.pointHasMax(p)) out += ',"max":' + doubleJSON(b.pointMax(p));
  const zt = b.pointZeroThreshold(p);
  if (!isPositiveZero(zt)) out += ',"zeroThreshold":' + doubleJSON(zt);
  return obj(out);
}

const SIDES = ['positive', 'negative'] as const;

function summaryPointJSON(b: MetricBatch, p: number): string {
  let out = pointHead(b, p) + countField(b, p);
  const sum = b.pointSum(p);
  if (!isPositiveZero(sum)) out += ',"sum":' + doubleJSON(sum);
  const qs = b.pointQuantiles(p);
  if (qs.length > 0) {
    out += ',"quantileValues":[';
    for (let k = 0; k < qs.length; k++) {
      let q = '';
      if (!isPositiveZero(qs[k].quantile)) q += ',"quantile":' + doubleJSON(qs[k].quantile);
      if (!isPositiveZero(qs[k].value)) q += ',"value":' + doubleJSON(qs[k].value);
      out += (k > 0 ? ',' : '') + obj(q);
    }
    out += ']';
  }
  out += flagsField(b, p);
  return obj(out);
}

function u64ArrayJSON(a: readonly bigint[]): string {
  let out = '[';
  for (let k = 0; k < a.length; k++) out += (k > 0 ? ',"' : '"') + a[k] + '"';
  return out + ']';
}

/** `,"exemplars":[...]`, or '' when the point has none. */
function exemplarsJSON(b: MetricBatch, p: number): string {
  const n = b.pointExemplarCount(p);
  if (n === 0) return '';
  let out = ',"exemplars":[';
  for (let e = 0; e < n; e++) {
    let x = '';
    const fa = attributesJSON(b.exemplarFilteredAttributes(p, e), 'filteredAttributes');
    if (fa !== '') x += ',' + fa;
    const t = b.exemplarTimeUnixNano(p, e);
    if (t !== 0n) x += ',"timeUnixNano":"' + t + '"';
    const vt = b.exemplarValueType(p, e);
    if (vt === 'double') x += ',"asDouble":' + doubleJSON(b.exemplarDoubleValue(p, e));
    else if (vt === 'int') x += ',"asInt":"' + b.exemplarIntValue(p, e) + '"';
    const sid = b.exemplarSpanIdHex(p, e);
    if (!isAbsentId(sid)) x += ',"spanId":"' + sid + '"';
    const tid = b.exemplarTraceIdHex(p, e);
    if (!isAbsentId(tid)) x += ',"traceId":"' + tid + '"';
    out += (e > 0 ? ',' : '') + obj(x);
  }
  return out + ']';
}
