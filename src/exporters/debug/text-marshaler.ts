// Text renderings of a TraceBatch as the Go debug exporter prints them: `normal` (internal/normal: one line per
// span) and `detailed` (internal/otlptext: the full dump). Read only through the TraceBatch accessors. The pieces
// shared with the metrics and logs renderings (metrics-marshaler.ts, logs-marshaler.ts) are exported here.

import type { AnyValue, Attributes, TraceBatch, ValueType } from '../../pdata/traces';

const TYPE_NAMES: Record<ValueType, string> = {
  empty: 'Empty',
  string: 'Str',
  bool: 'Bool',
  int: 'Int',
  double: 'Double',
  bytes: 'Bytes',
  array: 'Slice',
  kvlist: 'Map',
};

const KIND_NAMES = ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'];
const STATUS_NAMES = ['Unset', 'Ok', 'Error'];

/** pcommon float64AsString: like JS number-to-string, with Go's names for the specials. */
function floatString(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return 'Infinity';
  if (f === -Infinity) return '-Infinity';
  return String(f);
}

export function typeOf(v: AnyValue): ValueType {
  if ('stringValue' in v) return 'string';
  if ('boolValue' in v) return 'bool';
  if ('intValue' in v) return 'int';
  if ('doubleValue' in v) return 'double';
  if ('bytesValue' in v) return 'bytes';
  if ('arrayValue' in v) return 'array';
  if ('kvlistValue' in v) return 'kvlist';
  return 'empty';
}

const b64 = (u: Uint8Array): string => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64');

/** Go's json encoding of Value.AsRaw(): maps with sorted keys, bytes as base64, no HTML escaping. */
function rawJSON(v: AnyValue): string {
  switch (typeOf(v)) {
    case 'string':
      return JSON.stringify((v as { stringValue: string }).stringValue);
    case 'bool':
      return String((v as { boolValue: boolean }).boolValue);
    case 'int':
      return String((v as { intValue: bigint }).intValue);
    case 'double':
      return floatString((v as { doubleValue: number }).doubleValue);
    case 'bytes':
      return JSON.stringify(b64((v as { bytesValue: Uint8Array }).bytesValue));
    case 'array':
      return `[${(v as { arrayValue: AnyValue[] }).arrayValue.map(rawJSON).join(',')}]`;
    case 'kvlist': {
      const m = new Map<string, AnyValue>();
      for (const [k, x] of (v as { kvlistValue: Array<[string, AnyValue]> }).kvlistValue) m.set(k, x);
      const keys = [...m.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${keys.map((k) => `${JSON.stringify(k)}:${rawJSON(m.get(k)!)}`).join(',')}}`;
    }
    default:
      return 'null';
  }
}

/** pcommon Value.AsString. */
export function valueAsString(v: AnyValue): string {
  switch (typeOf(v)) {
    case 'string':
      return (v as { stringValue: string }).stringValue;
    case 'bool':
      return String((v as { boolValue: boolean }).boolValue);
    case 'int':
      return String((v as { intValue: bigint }).intValue);
    case 'double':
      return floatString((v as { doubleValue: number }).doubleValue);
    case 'bytes':
      return b64((v as { bytesValue: Uint8Array }).bytesValue);
    case 'array':
    case 'kvlist':
      return rawJSON(v);
    default:
      return '';
  }
}

/** otlptext valueToString: `Str(value)`. */
function valueToString(attrs: Attributes, j: number): string {
  return `${TYPE_NAMES[attrs.type(j)]}(${valueAsString(attrs.value(j))})`;
}

/** otlptext valueToString of a standalone value (a log body): `Str(value)`, `Empty()`. */
export function typedValueString(v: AnyValue): string {
  return `${TYPE_NAMES[typeOf(v)]}(${valueAsString(v)})`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** pcommon Timestamp.String(): Go's time.Time.String() in UTC, e.g. "2020-02-11 20:26:13.000000789 +0000 UTC". */
export function formatTimestamp(nanos: bigint): string {
  const ms = nanos / 1_000_000n;
  const frac = nanos % 1_000_000_000n;
  const d = new Date(Number(ms - (ms % 1000n)));
  let fs = frac.toString().padStart(9, '0').replace(/0+$/, '');
  fs = fs ? '.' + fs : '';
  return (
    `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}${fs} +0000 UTC`
  );
}

/** pcommon TraceID/SpanID String(): "" for an all-zero (empty) id. */
export function idString(hex: string): string {
  return /^0*$/.test(hex) ? '' : hex;
}

/** Children indices grouped by parent: `parentOf(i)` for i in [0, count), over `parents` parents, in order. */
export function groupBy(count: number, parents: number, parentOf: (i: number) => number): number[][] {
  const out: number[][] = Array.from({ length: parents }, () => []);
  for (let i = 0; i < count; i++) out[parentOf(i)]?.push(i);
  return out;
}

/** Resources → their scopes → their spans, by index (scopes and spans are contiguous per parent). */
function structure(b: TraceBatch): { scopesOf: number[][]; spanRange: Array<[number, number]> } {
  const scopesOf: number[][] = Array.from({ length: b.resourceCount }, () => []);
  for (let s = 0; s < b.scopeCount; s++) scopesOf[b.scopeResource(s)]?.push(s);
  const spanRange: Array<[number, number]> = Array.from({ length: b.scopeCount }, () => [0, 0]);
  let i = 0;
  for (let s = 0; s < b.scopeCount; s++) {
    const start = i;
    while (i < b.spanCount && b.spanScope(i) === s) i++;
    spanRange[s] = [start, i];
  }
  return { scopesOf, spanRange };
}

// ---------------------------------------------------------------- normal

export function attrPairs(attrs: Attributes): string[] {
  const out: string[] = [];
  for (let j = 0; j < attrs.length; j++) out.push(`${attrs.key(j)}=${valueAsString(attrs.value(j))}`);
  return out;
}

export function attrsSuffix(attrs: Attributes): string {
  const p = attrPairs(attrs);
  return p.length ? ' ' + p.join(' ') : '';
}

export function scopeDetails(name: string, version: string, schemaUrl: string): string {
  let d = name;
  if (version) d += '@' + version;
  if (schemaUrl) d += (d ? ' ' : '') + '[' + schemaUrl + ']';
  return d ? ' ' + d : '';
}

/** verbosity normal: a line per resource and scope, one line per span (name, trace id, span id, attributes). */
export function marshalNormal(b: TraceBatch): string {
  const out: string[] = [];
  const { scopesOf, spanRange } = structure(b);
  scopesOf.forEach((scopes, r) => {
    const url = b.resourceSchemaUrl(r);
    out.push(`ResourceTraces #${r}${url ? ' [' + url + ']' : ''}${attrsSuffix(b.resourceAttributes(r))}`);
    scopes.forEach((s, j) => {
      out.push(`ScopeTraces #${j}${scopeDetails(b.scopeName(s), b.scopeVersion(s), b.scopeSchemaUrl(s))}${attrsSuffix(b.scopeAttributes(s))}`);
      const [start, end] = spanRange[s]!;
      for (let i = start; i < end; i++) {
        const a = b.spanAttributes(i);
        out.push(`${b.name(i)} ${idString(b.traceIdHex(i))} ${idString(b.spanIdHex(i))}${a.length ? ' ' + attrPairs(a).join(' ') : ''}`);
      }
    });
  });
  return out.length ? out.join('\n') + '\n' : '';
}

// ---------------------------------------------------------------- detailed

export class Buf {
  readonly lines: string[] = [];
  entry(s: string): void {
    this.lines.push(s);
  }
  attr(name: string, value: string): void {
    this.lines.push(`    ${name.padEnd(15)}: ${value}`);
  }
  /** logEntry + "\n" joins: the whole dump. */
  text(): string {
    return this.lines.length ? this.lines.join('\n') + '\n' : '';
  }
  attributes(header: string, attrs: Attributes): void {
    if (attrs.length === 0) return;
    this.entry(`${header}:`);
    let prefix = '     ->';
    const parts = header.split('->');
    if (parts.length > 1) prefix = parts[0] + prefix;
    for (let j = 0; j < attrs.length; j++) this.entry(`${prefix} ${attrs.key(j)}: ${valueToString(attrs, j)}`);
  }
}

/** verbosity detailed: the otlptext dump. */
export function marshalDetailed(b: TraceBatch): string {
  const buf = new Buf();
  const { scopesOf, spanRange } = structure(b);
  scopesOf.forEach((scopes, r) => {
    buf.entry(`ResourceSpans #${r}`);
    buf.entry(`Resource SchemaURL: ${b.resourceSchemaUrl(r)}`);
    buf.attributes('Resource attributes', b.resourceAttributes(r));
    scopes.forEach((s, j) => {
      buf.entry(`ScopeSpans #${j}`);
      buf.entry(`ScopeSpans SchemaURL: ${b.scopeSchemaUrl(s)}`);
      buf.entry(`InstrumentationScope ${b.scopeName(s)} ${b.scopeVersion(s)}`);
      buf.attributes('InstrumentationScope attributes', b.scopeAttributes(s));
      const [start, end] = spanRange[s]!;
      for (let i = start; i < end; i++) {
        buf.entry(`Span #${i - start}`);
        buf.attr('Trace ID', idString(b.traceIdHex(i)));
        buf.attr('Parent ID', idString(b.parentSpanIdHex(i)));
        buf.attr('ID', idString(b.spanIdHex(i)));
        buf.attr('Name', b.name(i));
        buf.attr('Kind', KIND_NAMES[b.kind(i)] ?? '');
        const ts = b.traceState(i);
        if (ts) buf.attr('TraceState', ts);
        buf.attr('Start time', formatTimestamp(b.startTimeUnixNano(i)));
        buf.attr('End time', formatTimestamp(b.endTimeUnixNano(i)));
        buf.attr('Status code', STATUS_NAMES[b.statusCode(i)] ?? '');
        buf.attr('Status message', b.statusMessage(i));
        buf.attr('DroppedAttributesCount', String(b.droppedAttributesCount(i)));
        buf.attr('DroppedEventsCount', String(b.droppedEventsCount(i)));
        buf.attr('DroppedLinksCount', String(b.droppedLinksCount(i)));
        buf.attributes('Attributes', b.spanAttributes(i));
        const ne = b.eventCount(i);
        if (ne > 0) {
          buf.entry('Events:');
          for (let e = 0; e < ne; e++) {
            buf.entry(`SpanEvent #${e}`);
            buf.entry(`     -> Name: ${b.eventName(i, e)}`);
            buf.entry(`     -> Timestamp: ${formatTimestamp(b.eventTimeUnixNano(i, e))}`);
            buf.entry(`     -> DroppedAttributesCount: ${b.eventDroppedAttributesCount(i, e)}`);
            buf.attributes('     -> Attributes:', b.eventAttributes(i, e));
          }
        }
        const nl = b.linkCount(i);
        if (nl > 0) {
          buf.entry('Links:');
          for (let l = 0; l < nl; l++) {
            buf.entry(`SpanLink #${l}`);
            buf.entry(`     -> Trace ID: ${idString(b.linkTraceIdHex(i, l))}`);
            buf.entry(`     -> ID: ${idString(b.linkSpanIdHex(i, l))}`);
            buf.entry(`     -> TraceState: ${b.linkTraceState(i, l)}`);
            buf.entry(`     -> DroppedAttributesCount: ${b.linkDroppedAttributesCount(i, l)}`);
            buf.attributes('     -> Attributes:', b.linkAttributes(i, l));
          }
        }
      }
    });
  });
  return buf.lines.length ? buf.lines.join('\n') + '\n' : '';
}
