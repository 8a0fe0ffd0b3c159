// OTTL contexts: which paths and enums a condition may use, and how each path reads the columnar batch.
// Path names, types and enum values are upstream's (contrib pkg/ottl/contexts/ottl{resource,scope,span,
// spanevent,metric,datapoint,log} and internal/ctx*):
//
//   resource   attributes[...], dropped_attributes_count, schema_url
//   scope      name, version, attributes[...], dropped_attributes_count, schema_url
//   span       name, kind (.string, .deprecated_string), status.code, status.message, trace_id(.string),
//              span_id(.string), parent_span_id(.string), trace_state(["key"]), start_time_unix_nano,
//              end_time_unix_nano, start_time, end_time, attributes[...], dropped_{attributes,events,links}_count
//   spanevent  name, time_unix_nano, time, attributes[...], dropped_attributes_count
//   metric     name, description, unit, type, aggregation_temporality, is_monotonic, metadata[...]
//   datapoint  attributes[...], start_time_unix_nano, time_unix_nano, start_time, time, value_double,
//              value_int, flags, count, sum, bucket_counts, explicit_bounds, scale, zero_count,
//              positive.offset, positive.bucket_counts, negative.offset, negative.bucket_counts
//   log        body (["key"]...), body.string, attributes[...], severity_number, severity_text,
//              time_unix_nano, observed_time_unix_nano, time, observed_time, flags, trace_id(.string),
//              span_id(.string), dropped_attributes_count, event_name
//
// A path may name its context (newer OTTL: `span.name`, `log.body`, `datapoint.attributes["x"]`) or not
// (`name`); the higher contexts are reached with their prefix in both styles: `resource.…`, `scope.…` or
// `instrumentation_scope.…`, and `metric.…` from a data point, `span.…` from a span event.
//
// Each context also says how to find the resource, scope (and metric / span) of an item, so the compiler can
// evaluate resource- or scope-only parts of a condition once per resource/scope of a batch.

import type { FieldNode, PathNode } from './ast';
import type { TraceBatch } from '../pdata/traces';
import type { MetricBatch } from '../pdata/metrics';
import type { LogBatch } from '../pdata/logs';
import { anyValueAsString } from '../processors/internal/any-value';
import { OttlCompileError } from './errors';
import {
  attributesGetter, LEVEL_ITEM, LEVEL_PARENT, LEVEL_RESOURCE, LEVEL_SCOPE, type CompiledKey, type Fn, type Getter, indexValue,
} from './getter';
import { OttlId, OttlList, OttlRuntimeError, OttlTime, fromAnyValue, type OttlValue } from './values';

export type ContextName = 'resource' | 'scope' | 'span' | 'spanevent' | 'metric' | 'datapoint' | 'log';
export const CONTEXT_NAMES: readonly ContextName[] = ['resource', 'scope', 'span', 'spanevent', 'metric', 'datapoint', 'log'];

/** Compiles the keys of a path segment (key expressions are compiled by the compiler). */
export type KeyCompiler = (field: FieldNode) => CompiledKey[];

/** An index mapping from the item (i, j) to the row of a higher-level object; null = the item itself. */
type Ix = ((b: any, i: number, j: number) => number) | null;

/** Resolves the fields of one kind of object (span, resource, ...) starting at `fields[at]`. */
type Resolver = (path: PathNode, at: number, ix: Ix, level: number, keys: KeyCompiler) => Getter;

export interface ContextDef {
  readonly name: ContextName;
  /** "Span", "DataPoint"... for messages. */
  readonly label: string;
  /** Path prefixes that name this context itself (`span.name`). */
  readonly selfNames: readonly string[];
  readonly itemLevel: number;
  readonly self: Resolver;
  /** Higher contexts by prefix: resolver, index mapping and level. */
  readonly higher: Readonly<Record<string, { readonly resolve: Resolver; readonly ix: Ix; readonly level: number }>>;
  readonly enums: Readonly<Record<string, number>>;
  /** For caching per level: the row at that level of item (i, j), and the number of rows in a batch. */
  readonly levelIndex: ReadonlyArray<Fn | undefined>;
  readonly levelCount: ReadonlyArray<((b: any) => number) | undefined>;
}

// ---------------------------------------------------------------- helpers

const via = (ix: Ix, acc: (b: any, k: number) => any): Fn => (ix === null ? (b, i) => acc(b, i) : (b, i, j) => acc(b, ix(b, i, j)));
/** Like via, but the accessor also gets the item (i, j) — for key expressions evaluated on the item. */
const viaItem = (ix: Ix, acc: (b: any, k: number, i: number, j: number) => any): Fn =>
  ix === null ? (b, i, j) => acc(b, i, i, j) : (b, i, j) => acc(b, ix(b, i, j), i, j);

function pathError(path: PathNode, at: number, label: string, valid: readonly string[]): never {
  const seg = path.fields[at];
  const name = seg ? seg.name : path.fields[at - 1]?.name ?? '';
  throw new OttlCompileError(
    `segment "${name}" from path "${path.text}" is not a valid path for the ${label} context (valid: ${valid.join(', ')})`,
    path.pos,
  );
}

/** The segment at `at` must be the last one and have no keys (unless allowed). */
function leaf(path: PathNode, at: number, label: string, keysAllowed = false): void {
  const f = path.fields[at]!;
  if (!keysAllowed && f.keys.length) throw new OttlCompileError(`path "${path.text}": "${f.name}" cannot be indexed`, path.pos);
  if (path.fields.length > at + 1) throw new OttlCompileError(`path "${path.text}": "${f.name}" has no field "${path.fields[at + 1]!.name}" in the ${label} context`, path.pos);
}

function unsupported(path: PathNode, what: string): never {
  throw new OttlCompileError(`path "${path.text}" (${what}) is not supported in conditions by otelcol-ts`, path.pos);
}

const ZERO16 = new Uint8Array(16);
const ZERO8 = new Uint8Array(8);

function idBytes(hexStr: string, len: number): Uint8Array {
  if (hexStr === '') return len === 16 ? ZERO16 : ZERO8;
  return Uint8Array.from(Buffer.from(hexStr, 'hex'));
}

const ZEROS32 = '0'.repeat(32);
const ZEROS16 = '0'.repeat(16);

/** `trace_id`, `trace_id.string` (and span ids) from a hex accessor returning '' when absent. */
function idGetter(path: PathNode, at: number, ix: Ix, level: number, label: string, kind: 'trace' | 'span', hex: (b: any, k: number) => string): Getter {
  const len = kind === 'trace' ? 16 : 8;
  const zeros = kind === 'trace' ? ZEROS32 : ZEROS16;
  const next = path.fields[at + 1];
  if (next) {
    if (next.name !== 'string') pathError(path, at + 1, label, ['string']);
    leaf(path, at + 1, label);
    if (path.fields[at]!.keys.length) leaf(path, at, label);
    const f = via(ix, (b, k) => hex(b, k) || zeros);
    return { t: 'str', f, getStr: f, level };
  }
  leaf(path, at, label);
  return { t: 'ov', f: via(ix, (b, k) => new OttlId(kind, idBytes(hex(b, k), len))), level };
}

function nanosGetter(ix: Ix, level: number, acc: (b: any, k: number) => bigint): Getter {
  return { t: 'i64', f: via(ix, acc), level };
}
function timeGetter(ix: Ix, level: number, acc: (b: any, k: number) => bigint): Getter {
  return { t: 'ov', f: via(ix, (b, k) => new OttlTime(acc(b, k))), level };
}
function strGetter(ix: Ix, level: number, acc: (b: any, k: number) => string): Getter {
  const f = via(ix, acc);
  return { t: 'str', f, getStr: f, level };
}
function numGetter(ix: Ix, level: number, acc: (b: any, k: number) => number): Getter {
  return { t: 'num', f: via(ix, acc), level };
}

// ---------------------------------------------------------------- resource and scope (every batch type)

const RESOURCE_FIELDS = ['attributes', 'dropped_attributes_count', 'schema_url'];

const resolveResource: Resolver = (path, at, ix, level, keys) => {
  const f = path.fields[at];
  if (!f) throw new OttlCompileError(`path "${path.text}": a resource is an object; use resource.attributes[...], resource.dropped_attributes_count or resource.schema_url`, path.pos);
  switch (f.name) {
    case 'attributes':
      leaf(path, at, 'Resource', true);
      return attributesGetter(via(ix, (b, k) => b.resourceAttributes(k)), keys(f), level);
    case 'dropped_attributes_count':
      leaf(path, at, 'Resource');
      return numGetter(ix, level, (b, k) => b.resourceDroppedAttributesCount(k));
    case 'schema_url':
      leaf(path, at, 'Resource');
      return strGetter(ix, level, (b, k) => b.resourceSchemaUrl(k));
    default:
      return pathError(path, at, 'Resource', RESOURCE_FIELDS);
  }
};

const SCOPE_FIELDS = ['name', 'version', 'attributes', 'dropped_attributes_count', 'schema_url'];

const resolveScope: Resolver = (path, at, ix, level, keys) => {
  const f = path.fields[at];
  if (!f) throw new OttlCompileError(`path "${path.text}": an instrumentation scope is an object; use one of its fields (${SCOPE_FIELDS.join(', ')})`, path.pos);
  switch (f.name) {
    case 'name':
      leaf(path, at, 'Instrumentation Scope');
      return strGetter(ix, level, (b, k) => b.scopeName(k));
    case 'version':
      leaf(path, at, 'Instrumentation Scope');
      return strGetter(ix, level, (b, k) => b.scopeVersion(k));
    case 'attributes':
      leaf(path, at, 'Instrumentation Scope', true);
      return attributesGetter(via(ix, (b, k) => b.scopeAttributes(k)), keys(f), level);
    case 'dropped_attributes_count':
      leaf(path, at, 'Instrumentation Scope');
      return numGetter(ix, level, (b, k) => b.scopeDroppedAttributesCount(k));
    case 'schema_url':
      leaf(path, at, 'Instrumentation Scope');
      return strGetter(ix, level, (b, k) => b.scopeSchemaUrl(k));
    default:
      return pathError(path, at, 'Instrumentation Scope', SCOPE_FIELDS);
  }
};

// ---------------------------------------------------------------- span

const KIND_STRING = ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'];
const KIND_DEPRECATED = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];

const SPAN_FIELDS = [
  'name', 'kind', 'kind.string', 'kind.deprecated_string', 'status.code', 'status.message', 'trace_id', 'trace_id.string', 'span_id',
  'span_id.string', 'parent_span_id', 'parent_span_id.string', 'trace_state', 'trace_state["key"]', 'start_time_unix_nano',
  'end_time_unix_nano', 'start_time', 'end_time', 'attributes', 'dropped_attributes_count', 'dropped_events_count', 'dropped_links_count',
];

const TRACESTATE_KEY = /^(?:[a-z0-9][_0-9a-z\-*/]{0,255}|[a-z0-9][_0-9a-z\-*/]{0,240}@[a-z][_0-9a-z\-*/]{0,13})$/;
const TRACESTATE_VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/** W3C trace-state lookup like go.opentelemetry.io/otel/trace.ParseTraceState + Get: nil when unparsable, "" when absent. */
export function traceStateGet(raw: string, key: string): string | null {
  if (raw === '') return '';
  const members = raw.split(',');
  let found = '';
  const seen = new Set<string>();
  let count = 0;
  for (const m of members) {
    const t = m.replace(/^[ \t]+|[ \t]+$/g, '');
    if (t === '') continue;
    const eq = t.indexOf('=');
    if (eq <= 0) return null;
    const k = t.slice(0, eq);
    const v = t.slice(eq + 1);
    if (!TRACESTATE_KEY.test(k) || !TRACESTATE_VALUE.test(v) || seen.has(k)) return null;
    seen.add(k);
    if (++count > 32) return null;
    if (k === key) found = v;
  }
  return found;
}

const resolveSpan: Resolver = (path, at, ix, level, keys) => {
  const L = 'Span';
  const f = path.fields[at];
  if (!f) throw new OttlCompileError(`path "${path.text}": a span is an object; use one of its fields`, path.pos);
  const next = path.fields[at + 1];
  switch (f.name) {
    case 'name':
      leaf(path, at, L);
      return strGetter(ix, level, (b: TraceBatch, k) => b.name(k));
    case 'kind':
      if (f.keys.length) leaf(path, at, L);
      if (next) {
        leaf(path, at + 1, L);
        if (next.name === 'string') return strGetter(ix, level, (b: TraceBatch, k) => KIND_STRING[b.kind(k)] ?? '');
        if (next.name === 'deprecated_string') return strGetter(ix, level, (b: TraceBatch, k) => KIND_DEPRECATED[b.kind(k)] ?? '');
        return pathError(path, at + 1, L, ['string', 'deprecated_string']);
      }
      return numGetter(ix, level, (b: TraceBatch, k) => b.kind(k));
    case 'status':
      if (f.keys.length) leaf(path, at, L);
      if (!next) unsupported(path, 'the status object; use status.code or status.message');
      leaf(path, at + 1, L);
      if (next.name === 'code') return numGetter(ix, level, (b: TraceBatch, k) => b.statusCode(k));
      if (next.name === 'message') return strGetter(ix, level, (b: TraceBatch, k) => b.statusMessage(k));
      return pathError(path, at + 1, L, ['code', 'message']);
    case 'trace_id':
      return idGetter(path, at, ix, level, L, 'trace', (b: TraceBatch, k) => b.traceIdHex(k));
    case 'span_id':
      return idGetter(path, at, ix, level, L, 'span', (b: TraceBatch, k) => b.spanIdHex(k));
    case 'parent_span_id':
      return idGetter(path, at, ix, level, L, 'span', (b: TraceBatch, k) => b.parentSpanIdHex(k));
    case 'trace_state': {
      leaf(path, at, L, true);
      const ks = keys(f);
      if (ks.length === 0) return strGetter(ix, level, (b: TraceBatch, k) => b.traceState(k));
      if (ks.length !== 1) throw new OttlCompileError('must provide exactly 1 key when accessing trace_state', path.pos);
      const key = ks[0]!;
      if (key.k === 'int') throw new OttlCompileError('trace_state indexing type must be a string', path.pos);
      return {
        t: 'ov',
        level,
        f: viaItem(ix, (b: TraceBatch, k, i, j) => {
          const name = key.k === 'str' ? key.v : key.g(b, i, j);
          if (typeof name !== 'string') throw new OttlRuntimeError('trace_state indexing type must be a string');
          return traceStateGet(b.traceState(k), name);
        }),
      };
    }
    case 'start_time_unix_nano':
      leaf(path, at, L);
      return nanosGetter(ix, level, (b: TraceBatch, k) => b.startTimeUnixNano(k));
    case 'end_time_unix_nano':
      leaf(path, at, L);
      return nanosGetter(ix, level, (b: TraceBatch, k) => b.endTimeUnixNano(k));
    case 'start_time':
      leaf(path, at, L);
      return timeGetter(ix, level, (b: TraceBatch, k) => b.startTimeUnixNano(k));
    case 'end_time':
      leaf(path, at, L);
      return timeGetter(ix, level, (b: TraceBatch, k) => b.endTimeUnixNano(k));
    case 'attributes':
      leaf(path, at, L, true);
      return attributesGetter(via(ix, (b: TraceBatch, k) => b.spanAttributes(k)), keys(f), level);
    case 'dropped_attributes_count':
      leaf(path, at, L);
      return numGetter(ix, level, (b: TraceBatch, k) => b.droppedAttributesCount(k));
    case 'dropped_events_count':
      leaf(path, at, L);
      return numGetter(ix, level, (b: TraceBatch, k) => b.droppedEventsCount(k));
    case 'dropped_links_count':
      leaf(path, at, L);
      return numGetter(ix, level, (b: TraceBatch, k) => b.droppedLinksCount(k));
    case 'events':
    case 'links':
      return unsupported(path, `the span's ${f.name} list`);
    case 'cache':
      return unsupported(path, 'the transform cache');
    default:
      return pathError(path, at, L, SPAN_FIELDS);
  }
};

// ---------------------------------------------------------------- span event (item = span i, event j)

const SPANEVENT_FIELDS = ['name', 'time_unix_nano', 'time', 'attributes', 'dropped_attributes_count'];

const resolveSpanEvent: Resolver = (path, at, _ix, level, keys) => {
  const L = 'SpanEvent';
  const f = path.fields[at];
  if (!f) throw new OttlCompileError(`path "${path.text}": a span event is an object; use one of its fields`, path.pos);
  switch (f.name) {
    case 'name': {
      leaf(path, at, L);
      const fn: Fn = (b: TraceBatch, i, j) => b.eventName(i, j);
      return { t: 'str', f: fn, getStr: fn, level };
    }
    case 'time_unix_nano':
      leaf(path, at, L);
      return { t: 'i64', f: (b: TraceBatch, i, j) => b.eventTimeUnixNano(i, j), level };
    case 'time':
      leaf(path, at, L);
      return { t: 'ov', f: (b: TraceBatch, i, j) => new OttlTime(b.eventTimeUnixNano(i, j)), level };
    case 'attributes':
      leaf(path, at, L, true);
      return attributesGetter((b: TraceBatch, i, j) => b.eventAttributes(i, j), keys(f), level);
    case 'dropped_attributes_count':
      leaf(path, at, L);
      return { t: 'num', f: (b: TraceBatch, i, j) => b.eventDroppedAttributesCount(i, j), level };
    default:
      return pathError(path, at, L, [...SPANEVENT_FIELDS, 'span.*']);
  }
};

// ---------------------------------------------------------------- metric

const METRIC_TYPE: Readonly<Record<string, number>> = { empty: 0, gauge: 1, sum: 2, histogram: 3, exponential_histogram: 4, summary: 5 };
const METRIC_FIELDS = ['name', 'description', 'unit', 'type', 'aggregation_temporality', 'is_monotonic', 'metadata'];

const resolveMetric: Resolver = (path, at, ix, level, keys) => {
  const L = 'Metric';
  const f = path.fields[at];
  if (!f) throw new OttlCompileError(`path "${path.text}": a metric is an object; use one of its fields (${METRIC_FIELDS.join(', ')})`, path.pos);
  switch (f.name) {
    case 'name':
      leaf(path, at, L);
      return strGetter(ix, level, (b: MetricBatch, k) => b.metricName(k));
    case 'description':
      leaf(path, at, L);
      return strGetter(ix, level, (b: MetricBatch, k) => b.metricDescription(k));
    case 'unit':
      leaf(path, at, L);
      return strGetter(ix, level, (b: MetricBatch, k) => b.metricUnit(k));
    case 'type':
      leaf(path, at, L);
      return numGetter(ix, level, (b: MetricBatch, k) => METRIC_TYPE[b.metricType(k)] ?? 0);
    case 'aggregation_temporality':
      leaf(path, at, L);
      return {
        t: 'ov',
        level,
        f: via(ix, (b: MetricBatch, k) => {
          const t = b.metricType(k);
          return t === 'sum' || t === 'histogram' || t === 'exponential_histogram' ? BigInt(b.metricAggregationTemporality(k)) : null;
        }),
      };
    case 'is_monotonic':
      leaf(path, at, L);
      return { t: 'ov', level, f: via(ix, (b: MetricBatch, k) => (b.metricType(k) === 'sum' ? b.metricIsMonotonic(k) : null)) };
    case 'metadata':
      leaf(path, at, L, true);
      return attributesGetter(via(ix, (b: MetricBatch, k) => b.metricMetadata(k)), keys(f), level);
    case 'data_points':
      return unsupported(path, 'the data point list; use a datapoint condition');
    case 'cache':
      return unsupported(path, 'the transform cache');
    default:
      return pathError(path, at, L, METRIC_FIELDS);
  }
};

// ---------------------------------------------------------------- data point

const DATAPOINT_FIELDS = [
  'attributes', 'start_time_unix_nano', 'time_unix_nano', 'start_time', 'time', 'value_double', 'value_int', 'flags', 'count', 'sum',
  'bucket_counts', 'explicit_bounds', 'scale', 'zero_count', 'positive.offset', 'positive.bucket_counts', 'negative.offset',
  'negative.bucket_counts',
];

function pointType(b: MetricBatch, p: number): string {
  return b.metricType(b.pointMetric(p));
}
const isNumberType = (t: string): boolean => t === 'gauge' || t === 'sum';

const resolveDataPoint: Resolver = (path, at, ix, level, keys) => {
  const L = 'DataPoint';
  const f = path.fields[at];
  if (!f) throw new OttlCompileError(`path "${path.text}": a data point is an object; use one of its fields`, path.pos);
  const ov = (acc: (b: MetricBatch, p: number) => OttlValue): Getter => ({ t: 'ov', level, f: via(ix, acc) });
  switch (f.name) {
    case 'attributes':
      leaf(path, at, L, true);
      return attributesGetter(via(ix, (b: MetricBatch, k) => b.pointAttributes(k)), keys(f), level);
    case 'start_time_unix_nano':
      leaf(path, at, L);
      return nanosGetter(ix, level, (b: MetricBatch, k) => b.pointStartTimeUnixNano(k));
    case 'time_unix_nano':
      leaf(path, at, L);
      return nanosGetter(ix, level, (b: MetricBatch, k) => b.pointTimeUnixNano(k));
    case 'start_time':
      leaf(path, at, L);
      return timeGetter(ix, level, (b: MetricBatch, k) => b.pointStartTimeUnixNano(k));
    case 'time':
      leaf(path, at, L);
      return timeGetter(ix, level, (b: MetricBatch, k) => b.pointTimeUnixNano(k));
    case 'value_double':
      leaf(path, at, L);
      return ov((b, p) => (isNumberType(pointType(b, p)) ? b.pointDoubleValue(p) : null));
    case 'value_int':
      leaf(path, at, L);
      return ov((b, p) => (isNumberType(pointType(b, p)) ? b.pointIntValue(p) : null));
    case 'flags':
      leaf(path, at, L);
      return numGetter(ix, level, (b: MetricBatch, k) => b.pointFlags(k));
    case 'count':
      leaf(path, at, L);
      return ov((b, p) => {
        const t = pointType(b, p);
        return t === 'histogram' || t === 'exponential_histogram' || t === 'summary' ? b.pointCount(p) : null;
      });
    case 'sum':
      leaf(path, at, L);
      return ov((b, p) => {
        const t = pointType(b, p);
        return t === 'histogram' || t === 'exponential_histogram' || t === 'summary' ? (b.pointHasSum(p) ? b.pointSum(p) : 0) : null;
      });
    case 'bucket_counts':
      leaf(path, at, L);
      return ov((b, p) => (pointType(b, p) === 'histogram' ? new OttlList(b.pointBucketCounts(p)) : null));
    case 'explicit_bounds':
      leaf(path, at, L);
      return ov((b, p) => (pointType(b, p) === 'histogram' ? new OttlList(b.pointExplicitBounds(p)) : null));
    case 'scale':
      leaf(path, at, L);
      return ov((b, p) => (pointType(b, p) === 'exponential_histogram' ? BigInt(b.pointScale(p)) : null));
    case 'zero_count':
      leaf(path, at, L);
      return ov((b, p) => (pointType(b, p) === 'exponential_histogram' ? b.pointZeroCount(p) : null));
    case 'positive':
    case 'negative': {
      const side = f.name;
      const next = path.fields[at + 1];
      if (f.keys.length) leaf(path, at, L);
      if (!next) return unsupported(path, `the ${side} buckets object; use ${side}.offset or ${side}.bucket_counts`);
      leaf(path, at + 1, L);
      if (next.name === 'offset') return ov((b, p) => (pointType(b, p) === 'exponential_histogram' ? BigInt(b.pointBucketsOffset(p, side)) : null));
      if (next.name === 'bucket_counts') return ov((b, p) => (pointType(b, p) === 'exponential_histogram' ? new OttlList(b.pointBucketsCounts(p, side)) : null));
      return pathError(path, at + 1, L, ['offset', 'bucket_counts']);
    }
    case 'quantile_values':
    case 'exemplars':
      return unsupported(path, `the data point's ${f.name}`);
    case 'cache':
      return unsupported(path, 'the transform cache');
    default:
      return pathError(path, at, L, [...DATAPOINT_FIELDS, 'metric.*']);
  }
};

// ---------------------------------------------------------------- log record

const LOG_FIELDS = [
  'body', 'body.string', 'attributes', 'severity_number', 'severity_text', 'time_unix_nano', 'observed_time_unix_nano', 'time',
  'observed_time', 'flags', 'trace_id', 'trace_id.string', 'span_id', 'span_id.string', 'dropped_attributes_count', 'event_name',
];

const VALUE_TYPE_NAMES: Readonly<Record<string, string>> = {
  empty: 'Empty', string: 'Str', bool: 'Bool', int: 'Int', double: 'Double', bytes: 'Bytes', array: 'Slice', kvlist: 'Map',
};

const resolveLog: Resolver = (path, at, ix, level, keys) => {
  const L = 'Log';
  const f = path.fields[at];
  if (!f) throw new OttlCompileError(`path "${path.text}": a log record is an object; use one of its fields`, path.pos);
  switch (f.name) {
    case 'body': {
      const next = path.fields[at + 1];
      if (next) {
        if (f.keys.length) leaf(path, at, L);
        if (next.name !== 'string') return pathError(path, at + 1, L, ['string']);
        leaf(path, at + 1, L);
        return strGetter(ix, level, (b: LogBatch, k) => {
          const s = b.bodyString(k);
          return s !== undefined ? s : anyValueAsString(b.body(k));
        });
      }
      const ks = keys(f);
      if (ks.length === 0) {
        return { t: 'ov', level, f: via(ix, (b: LogBatch, k) => fromAnyValue(b.body(k))), getStr: via(ix, (b: LogBatch, k) => b.bodyString(k)) };
      }
      return {
        t: 'ov',
        level,
        f: viaItem(ix, (b: LogBatch, k, i, j) => {
          const t = b.bodyType(k);
          if (t !== 'kvlist' && t !== 'array') throw new OttlRuntimeError(`log bodies of type ${VALUE_TYPE_NAMES[t] ?? t} cannot be indexed`);
          const body = fromAnyValue(b.body(k));
          return indexValue(body, ks, 0, b, i, j);
        }),
      };
    }
    case 'attributes':
      leaf(path, at, L, true);
      return attributesGetter(via(ix, (b: LogBatch, k) => b.logAttributes(k)), keys(f), level);
    case 'severity_number':
      leaf(path, at, L);
      return numGetter(ix, level, (b: LogBatch, k) => b.severityNumber(k));
    case 'severity_text':
      leaf(path, at, L);
      return strGetter(ix, level, (b: LogBatch, k) => b.severityText(k));
    case 'time_unix_nano':
      leaf(path, at, L);
      return nanosGetter(ix, level, (b: LogBatch, k) => b.timeUnixNano(k));
    case 'observed_time_unix_nano':
      leaf(path, at, L);
      return nanosGetter(ix, level, (b: LogBatch, k) => b.observedTimeUnixNano(k));
    case 'time':
      leaf(path, at, L);
      return timeGetter(ix, level, (b: LogBatch, k) => b.timeUnixNano(k));
    case 'observed_time':
      leaf(path, at, L);
      return timeGetter(ix, level, (b: LogBatch, k) => b.observedTimeUnixNano(k));
    case 'flags':
      leaf(path, at, L);
      return numGetter(ix, level, (b: LogBatch, k) => b.flags(k));
    case 'trace_id':
      return idGetter(path, at, ix, level, L, 'trace', (b: LogBatch, k) => b.traceIdHex(k));
    case 'span_id':
      return idGetter(path, at, ix, level, L, 'span', (b: LogBatch, k) => b.spanIdHex(k));
    case 'dropped_attributes_count':
      leaf(path, at, L);
      return numGetter(ix, level, (b: LogBatch, k) => b.droppedAttributesCount(k));
    case 'event_name':
      leaf(path, at, L);
      return strGetter(ix, level, (b: LogBatch, k) => b.eventName(k));
    case 'cache':
      return unsupported(path, 'the transform cache');
    default:
      return pathError(path, at, L, LOG_FIELDS);
  }
};

// ---------------------------------------------------------------- enums

const SPAN_ENUMS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};

const METRIC_ENUMS: Record<string, number> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
  METRIC_DATA_TYPE_NONE: 0,
  METRIC_DATA_TYPE_GAUGE: 1,
  METRIC_DATA_TYPE_SUM: 2,
  METRIC_DATA_TYPE_HISTOGRAM: 3,
  METRIC_DATA_TYPE_EXPONENTIAL_HISTOGRAM: 4,
  METRIC_DATA_TYPE_SUMMARY: 5,
};

const DATAPOINT_ENUMS: Record<string, number> = { ...METRIC_ENUMS, FLAG_NONE: 0, FLAG_NO_RECORDED_VALUE: 1 };

const LOG_ENUMS: Record<string, number> = { SEVERITY_NUMBER_UNSPECIFIED: 0 };
['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].forEach((name, g) => {
  LOG_ENUMS[`SEVERITY_NUMBER_${name}`] = g * 4 + 1;
  for (let n = 2; n <= 4; n++) LOG_ENUMS[`SEVERITY_NUMBER_${name}${n}`] = g * 4 + n;
});

// ---------------------------------------------------------------- context table

const scopeNames = ['scope', 'instrumentation_scope'];

function withScopeAliases<T>(v: T): Record<string, T> {
  return { scope: v, instrumentation_scope: v };
}

const spanRes: Fn = (b: TraceBatch, i) => b.spanResource(i);
const spanScope: Fn = (b: TraceBatch, i) => b.spanScope(i);
const metricRes: Fn = (b: MetricBatch, m) => b.metricResource(m);
const metricScope: Fn = (b: MetricBatch, m) => b.metricScope(m);
const pointMetric: Fn = (b: MetricBatch, p) => b.pointMetric(p);
const pointRes: Fn = (b: MetricBatch, p) => b.metricResource(b.pointMetric(p));
const pointScope: Fn = (b: MetricBatch, p) => b.metricScope(b.pointMetric(p));
const logRes: Fn = (b: LogBatch, i) => b.logResource(i);
const logScope: Fn = (b: LogBatch, i) => b.logScope(i);
const resCount = (b: any): number => b.resourceCount;
const scopeCount = (b: any): number => b.scopeCount;

export const CONTEXTS: Readonly<Record<ContextName, ContextDef>> = {
  resource: {
    name: 'resource',
    label: 'Resource',
    selfNames: ['resource'],
    itemLevel: LEVEL_RESOURCE,
    self: resolveResource,
    higher: {},
    enums: {},
    levelIndex: [],
    levelCount: [],
  },
  scope: {
    name: 'scope',
    label: 'Instrumentation Scope',
    selfNames: scopeNames,
    itemLevel: LEVEL_SCOPE,
    self: resolveScope,
    higher: { resource: { resolve: resolveResource, ix: (b, s) => b.scopeResource(s), level: LEVEL_RESOURCE } },
    enums: {},
    levelIndex: [(b, s) => b.scopeResource(s)],
    levelCount: [resCount],
  },
  span: {
    name: 'span',
    label: 'Span',
    selfNames: ['span'],
    itemLevel: LEVEL_ITEM,
    self: resolveSpan,
    higher: {
      resource: { resolve: resolveResource, ix: spanRes, level: LEVEL_RESOURCE },
      ...withScopeAliases({ resolve: resolveScope, ix: spanScope, level: LEVEL_SCOPE }),
    },
    enums: SPAN_ENUMS,
    levelIndex: [spanRes, spanScope],
    levelCount: [resCount, scopeCount],
  },
  spanevent: {
    name: 'spanevent',
    label: 'SpanEvent',
    selfNames: ['spanevent'],
    itemLevel: LEVEL_ITEM,
    self: resolveSpanEvent,
    higher: {
      resource: { resolve: resolveResource, ix: spanRes, level: LEVEL_RESOURCE },
      ...withScopeAliases({ resolve: resolveScope, ix: spanScope, level: LEVEL_SCOPE }),
      span: { resolve: resolveSpan, ix: (_b, i) => i, level: LEVEL_PARENT },
    },
    enums: SPAN_ENUMS,
    levelIndex: [spanRes, spanScope, (_b, i) => i],
    levelCount: [resCount, scopeCount, (b: TraceBatch) => b.spanCount],
  },
  metric: {
    name: 'metric',
    label: 'Metric',
    selfNames: ['metric'],
    itemLevel: LEVEL_ITEM,
    self: resolveMetric,
    higher: {
      resource: { resolve: resolveResource, ix: metricRes, level: LEVEL_RESOURCE },
      ...withScopeAliases({ resolve: resolveScope, ix: metricScope, level: LEVEL_SCOPE }),
    },
    enums: METRIC_ENUMS,
    levelIndex: [metricRes, metricScope],
    levelCount: [resCount, scopeCount],
  },
  datapoint: {
    name: 'datapoint',
    label: 'DataPoint',
    selfNames: ['datapoint'],
    itemLevel: LEVEL_ITEM,
    self: resolveDataPoint,
    higher: {
      resource: { resolve: resolveResource, ix: pointRes, level: LEVEL_RESOURCE },
      ...withScopeAliases({ resolve: resolveScope, ix: pointScope, level: LEVEL_SCOPE }),
      metric: { resolve: resolveMetric, ix: pointMetric, level: LEVEL_PARENT },
    },
    enums: DATAPOINT_ENUMS,
    levelIndex: [pointRes, pointScope, pointMetric],
    levelCount: [resCount, scopeCount, (b: MetricBatch) => b.metricCount],
  },
  log: {
    name: 'log',
    label: 'Log',
    selfNames: ['log'],
    itemLevel: LEVEL_ITEM,
    self: resolveLog,
    higher: {
      resource: { resolve: resolveResource, ix: logRes, level: LEVEL_RESOURCE },
      ...withScopeAliases({ resolve: resolveScope, ix: logScope, level: LEVEL_SCOPE }),
    },
    enums: LOG_ENUMS,
    levelIndex: [logRes, logScope],
    levelCount: [resCount, scopeCount],
  },
};

/**
 * The context a path's first segment names (`span.name` → span, `resource.attributes` → resource), or
 * undefined when the path has no context prefix (`name`) — a prefix counts only when more segments follow.
 */
export function pathContextPrefix(path: PathNode): ContextName | undefined {
  if (path.fields.length < 2 || path.fields[0]!.keys.length) return undefined;
  const n = path.fields[0]!.name;
  if (n === 'instrumentation_scope') return 'scope';
  return (CONTEXT_NAMES as readonly string[]).includes(n) ? (n as ContextName) : undefined;
}

/** Compile a path in context `ctx` into a getter. */
export function compilePath(ctx: ContextDef, path: PathNode, keys: KeyCompiler): Getter {
  const first = path.fields[0]!;
  if (path.fields.length >= 2 && first.keys.length === 0) {
    if (ctx.selfNames.includes(first.name)) return ctx.self(path, 1, null, ctx.itemLevel, keys);
    const h = ctx.higher[first.name];
    if (h) return h.resolve(path, 1, h.ix, h.level, keys);
  } else if (path.fields.length === 1 && first.keys.length === 0 && (ctx.selfNames.includes(first.name) || ctx.higher[first.name])) {
    throw new OttlCompileError(`path "${path.text}" names a whole ${first.name}; use one of its fields`, path.pos);
  }
  return ctx.self(path, 0, null, ctx.itemLevel, keys);
}

