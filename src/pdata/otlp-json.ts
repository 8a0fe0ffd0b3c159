// OTLP/JSON for traces.
//
// jsonToTraceRequest: OTLP/JSON ExportTraceServiceRequest → protobuf bytes, written straight from the parsed
// JSON (so JSON input reuses the binary decode path). Follows the proto3 JSON mapping with the OTLP deviations
// (docs/specification.md "JSON Protobuf Encoding" of opentelemetry-proto) and the Go collector's leniency:
//   - ids are hex (either case), '' = absent; trace ids 16 bytes, span ids 8 bytes;
//   - int64/fixed64 as decimal strings or numbers, exactly (numbers beyond 2^53 are re-read from the text);
//   - enums as integers or names; lowerCamelCase or snake_case keys; unknown keys ignored;
//   - bytesValue base64 (standard or URL-safe, padding optional); doubles as numbers, numeric strings,
//     "NaN", "Infinity", "-Infinity"; null means absent.
// Fields are written in field-number order with proto3 defaults omitted, like protobufjs and Go.
// Anything invalid throws DecodeError naming the JSON path of the bad value.
//
// traceBatchToJSON: TraceBatch → OTLP/JSON text (lowercase hex ids, int64 as strings, enums as integers,
// lowerCamelCase keys, proto3 defaults and empty messages omitted), through TraceBatch's public accessors.

import { DecodeError, GrpcStatus, OtelTsError } from '../errors';
import type { AnyValue, Attributes, TraceBatch } from './traces';
import { BigLiteral, parseJsonExact } from './json/exact-parse';
import { ProtoWriter, TWO32 } from './json/proto-writer';

// ---------------------------------------------------------------------------------------------------------
// JSON → protobuf

type Obj = Record<string, unknown>;

/** Nesting limit for arrayValue/kvlistValue (bounded recursion; real data nests a few levels). */
export const MAX_ANYVALUE_DEPTH = 128;

/** A bad value; `segs` collects the JSON path innermost-first while the error unwinds. */
class FieldError {
  readonly segs: string[] = [];
  constructor(readonly msg: string, field: string) {
    if (field !== '') this.segs.push(field);
  }
}

/** Thrown (as a value) when an int64 number literal lost precision in JSON.parse: re-read exactly. */
const NEED_EXACT = { needExact: true };

function fail(msg: string, field: string): never {
  throw new FieldError(msg, field);
}

function wrap(e: unknown, seg: string): unknown {
  if (e instanceof FieldError) e.segs.push(seg);
  return e;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof BigLiteral) return `the number ${v.digits}`;
  switch (typeof v) {
    case 'string':
      return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
    case 'number':
      return `the number ${v}`;
    case 'boolean':
      return `${v}`;
    default:
      return 'an object';
  }
}

/** Parse an OTLP/JSON ExportTraceServiceRequest (text or UTF-8 bytes) into ExportTraceServiceRequest protobuf bytes. */
export function jsonToTraceRequest(body: string | Uint8Array): Uint8Array {
  let text: string;
  if (typeof body === 'string') text = body;
  else if (body instanceof Uint8Array) text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  else throw new DecodeError('OTLP/JSON: body must be a string or bytes');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // tolerate a UTF-8 byte order mark
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw new DecodeError(`OTLP/JSON: invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    return encodeRequest(root, false, text.length >>> 1);
  } catch (e) {
    if (e !== NEED_EXACT) throw toDecodeError(e);
  }
  // An int64 given as a JSON number beyond 2^53: JSON.parse rounded it, so read the text again keeping digits.
  try {
    return encodeRequest(parseJsonExact(text), true, text.length >>> 1);
  } catch (e) {
    throw toDecodeError(e);
  }
}

function toDecodeError(e: unknown): DecodeError {
  if (e instanceof FieldError) {
    const path = e.segs.reverse().join('.');
    return new DecodeError(path === '' ? `OTLP/JSON: ${e.msg}` : `OTLP/JSON: ${path}: ${e.msg}`);
  }
  if (e instanceof DecodeError) return e;
  // Not expected (e.g. stack exhaustion on absurd nesting): still a 400 for the sender, with the cause kept.
  return new DecodeError(`OTLP/JSON: cannot convert request: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

let exactMode = false;

function encodeRequest(root: unknown, exact: boolean, sizeHint: number): Uint8Array {
  exactMode = exact;
  const w = new ProtoWriter(sizeHint);
  try {
    const o = asObject(root, '');
    if (o === null) fail('expected a JSON object, got null', '');
    const arr = asArray(get(o, 'resourceSpans', 'resource_spans'), 'resourceSpans');
    if (arr !== null) {
      let i = 0;
      try {
        for (; i < arr.length; i++) {
          const rs = asElement(arr[i]);
          w.tag(1, 2);
          const st = w.begin(3);
          encodeResourceSpans(w, rs);
          w.end(st, 3);
        }
      } catch (e) {
        throw wrap(e, `resourceSpans[${i}]`);
      }
    }
    return w.finish();
  } catch (e) {
    w.release();
    throw e;
  }
}

function get(o: Obj, camel: string, snake: string): unknown {
  const v = o[camel];
  return v !== undefined ? v : o[snake];
}

/** null/undefined → null (absent); a non-array object → it; anything else fails. */
function asObject(v: unknown, field: string): Obj | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object' || Array.isArray(v) || v instanceof BigLiteral) fail(`expected an object, got ${describe(v)}`, field);
  return v as Obj;
}

/** An element of a repeated message field: must be an object. */
function asElement(v: unknown): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof BigLiteral) fail(`expected an object, got ${describe(v)}`, '');
  return v as Obj;
}

function asArray(v: unknown, field: string): unknown[] | null {
  if (v === null || v === undefined) return null;
  if (!Array.isArray(v)) fail(`expected an array, got ${describe(v)}`, field);
  return v;
}

function readString(v: unknown, field: string): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  fail(`expected a string, got ${describe(v)}`, field);
}

function writeString(w: ProtoWriter, fieldNo: number, v: unknown, field: string): void {
  const s = readString(v, field);
  if (s !== '') {
    w.tag(fieldNo, 2);
    w.string(s);
  }
}

function readUint32(v: unknown, field: string): number {
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return v;
  } else if (typeof v === 'string') {
    if (/^[0-9]{1,20}$/.test(v)) {
      const n = Number(v);
      if (n <= 0xffffffff) return n;
      fail(`${v} is out of range for an unsigned 32-bit integer`, field);
    }
  } else if (v === null || v === undefined) {
    return 0;
  }
  fail(`expected an unsigned 32-bit integer, got ${describe(v)}`, field);
}

function writeUint32(w: ProtoWriter, fieldNo: number, v: unknown, field: string): void {
  const n = readUint32(v, field);
  if (n !== 0) {
    w.tag(fieldNo, 0);
    w.uvarint32(n);
  }
}

function writeFixed32(w: ProtoWriter, fieldNo: number, v: unknown, field: string): void {
  const n = readUint32(v, field);
  if (n !== 0) {
    w.tag(fieldNo, 5);
    w.fixed32(n);
  }
}

const SPAN_KIND_NAMES: Readonly<Record<string, number>> = Object.assign(Object.create(null), {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
});
const STATUS_CODE_NAMES: Readonly<Record<string, number>> = Object.assign(Object.create(null), {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
});

/** An enum: an int32 (unknown numbers are kept, proto3 enums are open) or one of the names. */
function writeEnum(w: ProtoWriter, fieldNo: number, v: unknown, names: Readonly<Record<string, number>>, field: string): void {
  let n: number;
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) fail(`expected an enum number (32-bit integer) or name, got ${describe(v)}`, field);
    n = v;
  } else if (typeof v === 'string') {
    const m = names[v];
    if (m === undefined) fail(`unknown enum name ${JSON.stringify(v)} (expected one of ${Object.keys(names).join(', ')} or a number)`, field);
    n = m;
  } else if (v === null || v === undefined) {
    return;
  } else {
    fail(`expected an enum number or name, got ${describe(v)}`, field);
  }
  if (n === 0) return;
  w.tag(fieldNo, 0);
  if (n > 0) w.uvarint32(n);
  else w.varint64(n >>> 0, 0xffffffff); // negative int32: sign-extended to 64 bits
}

// 64-bit values are produced into these two halves (unsigned 32-bit each) to avoid allocating.
let L = 0;
let H = 0;

/** Parse an optionally signed decimal string into L:H (magnitude). 0 = ok, 1 = syntax, 2 = ≥ 2^64. Returns sign via `neg`. */
let neg = false;
function parseDecimal(s: string): number {
  let i = 0;
  neg = false;
  if (s.charCodeAt(0) === 45 /* - */) {
    neg = true;
    i = 1;
  }
  const n = s.length;
  if (i === n) return 1;
  let lo = 0;
  let hi = 0;
  let overflow = false;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return 1;
    if (overflow) continue;
    lo = lo * 10 + d;
    const carry = Math.floor(lo / TWO32);
    lo -= carry * TWO32;
    hi = hi * 10 + carry;
    if (hi >= TWO32) overflow = true;
  }
  if (overflow) return 2;
  L = lo;
  H = hi;
  return 0;
}

/** Magnitude of a non-negative safe integer, or of an exact integral double via BigInt, into L:H. */
function splitMagnitude(m: number): boolean {
  if (m <= Number.MAX_SAFE_INTEGER) {
    H = Math.floor(m / TWO32);
    L = m - H * TWO32;
    return true;
  }
  if (m >= 18446744073709551616) return false;
  const b = BigInt(m);
  L = Number(b & 0xffffffffn);
  H = Number(b >> 32n);
  return true;
}

/** Reads an int64 (signed) or fixed64 (unsigned) JSON value into L:H (two's complement). False when absent. */
function read64(v: unknown, signed: boolean, field: string): boolean {
  let status: number;
  if (typeof v === 'string') {
    status = parseDecimal(v);
  } else if (typeof v === 'number') {
    if (!Number.isInteger(v)) fail(`expected an integer, got ${describe(v)}`, field);
    if (!Number.isSafeInteger(v) && !exactMode) throw NEED_EXACT;
    neg = v < 0;
    status = splitMagnitude(neg ? -v : v) ? 0 : 2;
  } else if (v instanceof BigLiteral) {
    status = parseDecimal(v.digits);
  } else if (v === null || v === undefined) {
    return false;
  } else {
    fail(`expected a ${signed ? '64-bit integer' : 'non-negative 64-bit integer'} (number or decimal string), got ${describe(v)}`, field);
  }
  const shown = v instanceof BigLiteral ? v.digits : String(v);
  if (status === 1) fail(`expected a decimal integer, got ${describe(v)}`, field);
  if (status === 2) fail(`${shown} is out of range for a ${signed ? 'signed' : 'unsigned'} 64-bit integer`, field);
  if (neg && (L !== 0 || H !== 0)) {
    if (!signed) fail(`${shown} is out of range for an unsigned 64-bit integer`, field);
    // magnitude ≤ 2^63
    if (H > 0x80000000 || (H === 0x80000000 && L !== 0)) fail(`${shown} is out of range for a signed 64-bit integer`, field);
    // two's complement negation of H:L
    if (L === 0) {
      H = (TWO32 - H) % TWO32;
    } else {
      L = TWO32 - L;
      H = TWO32 - 1 - H;
    }
  } else if (signed && H >= 0x80000000) {
    fail(`${shown} is out of range for a signed 64-bit integer`, field);
  }
  return true;
}

function writeFixed64(w: ProtoWriter, fieldNo: number, v: unknown, field: string): void {
  if (read64(v, false, field) && (L !== 0 || H !== 0)) {
    w.tag(fieldNo, 1);
    w.fixed64(L, H);
  }
}

const DOUBLE_RE = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

function readDouble(v: unknown, field: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    if (DOUBLE_RE.test(v)) return Number(v);
  } else if (v instanceof BigLiteral) {
    return Number(v.digits);
  }
  fail(`expected a number or one of "NaN", "Infinity", "-Infinity", got ${describe(v)}`, field);
}

// Hex digit values, -1 for anything else.
const HEX = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX[65 + c] = 10 + c;
  HEX[97 + c] = 10 + c;
}

/** A hex id of `nbytes` bytes as a length-delimited field; '' or null = absent. */
function writeHexId(w: ProtoWriter, fieldNo: number, v: unknown, nbytes: number, field: string): void {
  if (v === null || v === undefined || v === '') return;
  if (typeof v !== 'string') fail(`expected a hex string, got ${describe(v)}`, field);
  if (v.length !== nbytes * 2) fail(`expected ${nbytes * 2} hex characters, got ${v.length}`, field);
  w.tag(fieldNo, 2);
  w.uvarint32(nbytes);
  w.ensure(nbytes);
  const b = w.buf;
  let p = w.pos;
  for (let k = 0; k < v.length; k += 2) {
    const c1 = v.charCodeAt(k);
    const c2 = v.charCodeAt(k + 1);
    const h = c1 < 128 ? HEX[c1] : -1;
    const l = c2 < 128 ? HEX[c2] : -1;
    if (h < 0 || l < 0) fail(`invalid hex character ${JSON.stringify(h < 0 ? v[k] : v[k + 1])} at ${h < 0 ? k : k + 1}`, field);
    b[p++] = (h << 4) | l;
  }
  w.pos = p;
}

const B64_RE = /^[A-Za-z0-9+/_-]*={0,2}$/;

function writeBase64(w: ProtoWriter, fieldNo: number, v: unknown, field: string): void {
  let bytes: Buffer;
  if (v === '') {
    bytes = Buffer.alloc(0);
  } else if (typeof v === 'string') {
    const padded = v.endsWith('=');
    if (!B64_RE.test(v) || v.length % 4 === 1 || (padded && v.length % 4 !== 0)) fail('expected base64 (standard or URL-safe alphabet)', field);
    bytes = Buffer.from(v, 'base64');
  } else {
    fail(`expected a base64 string, got ${describe(v)}`, field);
  }
  w.tag(fieldNo, 2);
  w.uvarint32(bytes.length);
  w.raw(bytes);
}

// ---- messages (each writes its fields in field-number order)

function encodeResourceSpans(w: ProtoWriter, o: Obj): void {
  const res = asObject(o.resource, 'resource');
  if (res !== null) {
    w.tag(1, 2);
    const st = w.begin(2);
    try {
      encodeResource(w, res);
    } catch (e) {
      throw wrap(e, 'resource');
    }
    w.end(st, 2);
  }
  const arr = asArray(get(o, 'scopeSpans', 'scope_spans'), 'scopeSpans');
  if (arr !== null) {
    let i = 0;
    try {
      for (; i < arr.length; i++) {
        const ss = asElement(arr[i]);
        w.tag(2, 2);
        const st = w.begin(3);
        encodeScopeSpans(w, ss);
        w.end(st, 3);
      }
    } catch (e) {
      throw wrap(e, `scopeSpans[${i}]`);
    }
  }
  writeString(w, 3, get(o, 'schemaUrl', 'schema_url'), 'schemaUrl');
}

function encodeResource(w: ProtoWriter, o: Obj): void {
  encodeAttributes(w, 1, o.attributes);
  writeUint32(w, 2, get(o, 'droppedAttributesCount', 'dropped_attributes_count'), 'droppedAttributesCount');
  const refs = asArray(get(o, 'entityRefs', 'entity_refs'), 'entityRefs');
  if (refs !== null) {
    let i = 0;
    try {
      for (; i < refs.length; i++) {
        const r = asElement(refs[i]);
        w.tag(3, 2);
        const st = w.begin(1);
        writeString(w, 1, get(r, 'schemaUrl', 'schema_url'), 'schemaUrl');
        writeString(w, 2, r.type, 'type');
        encodeRepeatedString(w, 3, get(r, 'idKeys', 'id_keys'), 'idKeys');
        encodeRepeatedString(w, 4, get(r, 'descriptionKeys', 'description_keys'), 'descriptionKeys');
        w.end(st, 1);
      }
    } catch (e) {
      throw wrap(e, `entityRefs[${i}]`);
    }
  }
}

function encodeRepeatedString(w: ProtoWriter, fieldNo: number, v: unknown, field: string): void {
  const arr = asArray(v, field);
  if (arr === null) return;
  for (let i = 0; i < arr.length; i++) {
    const s = arr[i];
    if (typeof s !== 'string') fail(`expected a string, got ${describe(s)}`, `${field}[${i}]`);
    w.tag(fieldNo, 2);
    w.string(s);
  }
}

function encodeScopeSpans(w: ProtoWriter, o: Obj): void {
  const scope = asObject(o.scope, 'scope');
  if (scope !== null) {
    w.tag(1, 2);
    const st = w.begin(1);
    try {
      writeString(w, 1, scope.name, 'name');
      writeString(w, 2, scope.version, 'version');
      encodeAttributes(w, 3, scope.attributes);
      writeUint32(w, 4, get(scope, 'droppedAttributesCount', 'dropped_attributes_count'), 'droppedAttributesCount');
    } catch (e) {
      throw wrap(e, 'scope');
    }
    w.end(st, 1);
  }
  const arr = asArray(o.spans, 'spans');
  if (arr !== null) {
    let i = 0;
    try {
      for (; i < arr.length; i++) {
        const sp = asElement(arr[i]);
        w.tag(2, 2);
        const st = w.begin(2);
        encodeSpan(w, sp);
        w.end(st, 2);
      }
    } catch (e) {
      throw wrap(e, `spans[${i}]`);
    }
  }
  writeString(w, 3, get(o, 'schemaUrl', 'schema_url'), 'schemaUrl');
}

function encodeSpan(w: ProtoWriter, o: Obj): void {
  writeHexId(w, 1, get(o, 'traceId', 'trace_id'), 16, 'traceId');
  writeHexId(w, 2, get(o, 'spanId', 'span_id'), 8, 'spanId');
  writeString(w, 3, get(o, 'traceState', 'trace_state'), 'traceState');
  writeHexId(w, 4, get(o, 'parentSpanId', 'parent_span_id'), 8, 'parentSpanId');
  writeString(w, 5, o.name, 'name');
  writeEnum(w, 6, o.kind, SPAN_KIND_NAMES, 'kind');
  writeFixed64(w, 7, get(o, 'startTimeUnixNano', 'start_time_unix_nano'), 'startTimeUnixNano');
  writeFixed64(w, 8, get(o, 'endTimeUnixNano', 'end_time_unix_nano'), 'endTimeUnixNano');
  encodeAttributes(w, 9, o.attributes);
  writeUint32(w, 10, get(o, 'droppedAttributesCount', 'dropped_attributes_count'), 'droppedAttributesCount');
  const events = asArray(o.events, 'events');
  if (events !== null) {
    let i = 0;
    try {
      for (; i < events.length; i++) {
        const ev = asElement(events[i]);
        w.tag(11, 2);
        const st = w.begin(1);
        writeFixed64(w, 1, get(ev, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano');
        writeString(w, 2, ev.name, 'name');
        encodeAttributes(w, 3, ev.attributes);
        writeUint32(w, 4, get(ev, 'droppedAttributesCount', 'dropped_attributes_count'), 'droppedAttributesCount');
        w.end(st, 1);
      }
    } catch (e) {
      throw wrap(e, `events[${i}]`);
    }
  }
  writeUint32(w, 12, get(o, 'droppedEventsCount', 'dropped_events_count'), 'droppedEventsCount');
  const links = asArray(o.links, 'links');
  if (links !== null) {
    let i = 0;
    try {
      for (; i < links.length; i++) {
        const ln = asElement(links[i]);
        w.tag(13, 2);
        const st = w.begin(1);
        writeHexId(w, 1, get(ln, 'traceId', 'trace_id'), 16, 'traceId');
        writeHexId(w, 2, get(ln, 'spanId', 'span_id'), 8, 'spanId');
        writeString(w, 3, get(ln, 'traceState', 'trace_state'), 'traceState');
        encodeAttributes(w, 4, ln.attributes);
        writeUint32(w, 5, get(ln, 'droppedAttributesCount', 'dropped_attributes_count'), 'droppedAttributesCount');
        writeFixed32(w, 6, ln.flags, 'flags');
        w.end(st, 1);
      }
    } catch (e) {
      throw wrap(e, `links[${i}]`);
    }
  }
  writeUint32(w, 14, get(o, 'droppedLinksCount', 'dropped_links_count'), 'droppedLinksCount');
  const status = asObject(o.status, 'status');
  if (status !== null) {
    w.tag(15, 2);
    const st = w.begin(1);
    try {
      writeString(w, 2, status.message, 'message');
      writeEnum(w, 3, status.code, STATUS_CODE_NAMES, 'code');
    } catch (e) {
      throw wrap(e, 'status');
    }
    w.end(st, 1);
  }
  writeFixed32(w, 16, o.flags, 'flags');
}

function encodeAttributes(w: ProtoWriter, fieldNo: number, v: unknown): void {
  const arr = asArray(v, 'attributes');
  if (arr === null) return;
  let i = 0;
  try {
    for (; i < arr.length; i++) {
      const kv = asElement(arr[i]);
      w.tag(fieldNo, 2);
      const st = w.begin(1);
      encodeKeyValue(w, kv, 0);
      w.end(st, 1);
    }
  } catch (e) {
    throw wrap(e, `attributes[${i}]`);
  }
}

function encodeKeyValue(w: ProtoWriter, o: Obj, depth: number): void {
  writeString(w, 1, o.key, 'key');
  const v = asObject(o.value, 'value');
  if (v !== null) {
    w.tag(2, 2);
    const st = w.begin(1);
    try {
      encodeAnyValue(w, v, depth);
    } catch (e) {
      throw wrap(e, 'value');
    }
    w.end(st, 1);
  }
}

const AV_STRING = 1;
const AV_BOOL = 2;
const AV_INT = 3;
const AV_DOUBLE = 4;
const AV_ARRAY = 5;
const AV_KVLIST = 6;
const AV_BYTES = 7;

const AV_FIELD_NAMES = ['', 'stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'];

function encodeAnyValue(w: ProtoWriter, o: Obj, depth: number): void {
  // The oneof member is the last recognised non-null key (like the Go collector's decoder).
  let which = 0;
  let val: unknown;
  for (const k in o) {
    let t: number;
    switch (k) {
      case 'stringValue':
      case 'string_value':
        t = AV_STRING;
        break;
      case 'boolValue':
      case 'bool_value':
        t = AV_BOOL;
        break;
      case 'intValue':
      case 'int_value':
        t = AV_INT;
        break;
      case 'doubleValue':
      case 'double_value':
        t = AV_DOUBLE;
        break;
      case 'arrayValue':
      case 'array_value':
        t = AV_ARRAY;
        break;
      case 'kvlistValue':
      case 'kvlist_value':
        t = AV_KVLIST;
        break;
      case 'bytesValue':
      case 'bytes_value':
        t = AV_BYTES;
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
    case 0:
      return;
    case AV_STRING:
      if (typeof val !== 'string') fail(`expected a string, got ${describe(val)}`, 'stringValue');
      w.tag(1, 2);
      w.string(val);
      return;
    case AV_BOOL:
      if (typeof val !== 'boolean') fail(`expected true or false, got ${describe(val)}`, 'boolValue');
      w.tag(2, 0);
      w.uvarint32(val ? 1 : 0);
      return;
    case AV_INT:
      read64(val, true, 'intValue');
      w.tag(3, 0);
      w.varint64(L, H);
      return;
    case AV_DOUBLE:
      w.tag(4, 1);
      w.double(readDouble(val, 'doubleValue'));
      return;
    case AV_BYTES:
      writeBase64(w, 7, val, 'bytesValue');
      return;
  }
  // arrayValue / kvlistValue: {"values": [...]}
  const field = AV_FIELD_NAMES[which];
  try {
    const inner = asObject(val, '') as Obj;
    if (depth >= MAX_ANYVALUE_DEPTH) fail(`arrayValue/kvlistValue nested deeper than ${MAX_ANYVALUE_DEPTH} levels`, '');
    w.tag(which, 2);
    const st = w.begin(1);
    const arr = asArray(inner.values, 'values');
    if (arr !== null) {
      let i = 0;
      try {
        for (; i < arr.length; i++) {
          const el = asElement(arr[i]);
          w.tag(1, 2);
          const st2 = w.begin(1);
          if (which === AV_ARRAY) encodeAnyValue(w, el, depth + 1);
          else encodeKeyValue(w, el, depth + 1);
          w.end(st2, 1);
        }
      } catch (e) {
        throw wrap(e, `values[${i}]`);
      }
    }
    w.end(st, 1);
  } catch (e) {
    throw wrap(e, field);
  }
}

// ---------------------------------------------------------------------------------------------------------
// TraceBatch → JSON

/** OTLP/JSON text of a TraceBatch (lowercase hex ids, int64 as strings, enums as integers, defaults omitted). */
export function traceBatchToJSON(b: TraceBatch): string {
  const rc = b.resourceCount;
  const sc = b.scopeCount;
  const nspans = b.spanCount;
  let s = 0;
  let i = 0;
  let out = '{"resourceSpans":[';
  for (let r = 0; r < rc; r++) {
    if (r > 0) out += ',';
    out += '{';
    let sep = '';
    const resAttrs = attributesJSON(b.resourceAttributes(r));
    const resDropped = b.resourceDroppedAttributesCount(r);
    if (resAttrs !== '' || resDropped !== 0) {
      out += '"resource":{';
      let rsep = '';
      if (resAttrs !== '') {
        out += resAttrs;
        rsep = ',';
      }
      if (resDropped !== 0) out += rsep + '"droppedAttributesCount":' + resDropped;
      out += '}';
      sep = ',';
    }
    if (s < sc && b.scopeResource(s) === r) {
      out += sep + '"scopeSpans":[';
      sep = ',';
      let first = true;
      for (; s < sc && b.scopeResource(s) === r; s++) {
        if (!first) out += ',';
        first = false;
        out += '{';
        let ssep = '';
        const name = b.scopeName(s);
        const version = b.scopeVersion(s);
        const sAttrs = attributesJSON(b.scopeAttributes(s));
        const sDropped = b.scopeDroppedAttributesCount(s);
        if (name !== '' || version !== '' || sAttrs !== '' || sDropped !== 0) {
          out += '"scope":{';
          let c = '';
          if (name !== '') {
            out += '"name":' + JSON.stringify(name);
            c = ',';
          }
          if (version !== '') {
            out += c + '"version":' + JSON.stringify(version);
            c = ',';
          }
          if (sAttrs !== '') {
            out += c + sAttrs;
            c = ',';
          }
          if (sDropped !== 0) out += c + '"droppedAttributesCount":' + sDropped;
          out += '}';
          ssep = ',';
        }
        if (i < nspans && b.spanScope(i) === s) {
          out += ssep + '"spans":[';
          ssep = ',';
          const first = i;
          for (; i < nspans && b.spanScope(i) === s; i++) {
            if (i > first) out += ',';
            out += spanJSON(b, i);
          }
          out += ']';
        }
        const surl = b.scopeSchemaUrl(s);
        if (surl !== '') out += ssep + '"schemaUrl":' + JSON.stringify(surl);
        out += '}';
      }
      out += ']';
    }
    const rurl = b.resourceSchemaUrl(r);
    if (rurl !== '') out += sep + '"schemaUrl":' + JSON.stringify(rurl);
    out += '}';
  }
  // Spans of a scope and scopes of a resource are contiguous and in order (contract); anything left over
  // would be silently lost, so say so instead.
  if (s !== sc || i !== nspans) {
    const msg = `traceBatchToJSON: batch indexes out of order (scope ${s}/${sc}, span ${i}/${nspans})`;
    throw new OtelTsError('OTELTS_ERR_INTERNAL', msg, GrpcStatus.INTERNAL, 500, false);
  }
  return out + ']}';
}

function isZeroId(hex: string): boolean {
  for (let k = 0; k < hex.length; k++) if (hex.charCodeAt(k) !== 48) return false;
  return true;
}

function spanJSON(b: TraceBatch, i: number): string {
  let out = '{';
  let c = '';
  const tid = b.traceIdHex(i);
  if (tid !== '' && !isZeroId(tid)) {
    out += '"traceId":"' + tid + '"';
    c = ',';
  }
  const sid = b.spanIdHex(i);
  if (sid !== '' && !isZeroId(sid)) {
    out += c + '"spanId":"' + sid + '"';
    c = ',';
  }
  const ts = b.traceState(i);
  if (ts !== '') {
    out += c + '"traceState":' + JSON.stringify(ts);
    c = ',';
  }
  const pid = b.parentSpanIdHex(i);
  if (pid !== '' && !isZeroId(pid)) {
    out += c + '"parentSpanId":"' + pid + '"';
    c = ',';
  }
  const flags = b.flags(i);
  if (flags !== 0) {
    out += c + '"flags":' + flags;
    c = ',';
  }
  const name = b.name(i);
  if (name !== '') {
    out += c + '"name":' + JSON.stringify(name);
    c = ',';
  }
  const kind = b.kind(i);
  if (kind !== 0) {
    out += c + '"kind":' + kind;
    c = ',';
  }
  const start = b.startTimeUnixNano(i);
  if (start !== 0n) {
    out += c + '"startTimeUnixNano":"' + start + '"';
    c = ',';
  }
  const end = b.endTimeUnixNano(i);
  if (end !== 0n) {
    out += c + '"endTimeUnixNano":"' + end + '"';
    c = ',';
  }
  const attrs = attributesJSON(b.spanAttributes(i));
  if (attrs !== '') {
    out += c + attrs;
    c = ',';
  }
  const dropped = b.droppedAttributesCount(i);
  if (dropped !== 0) {
    out += c + '"droppedAttributesCount":' + dropped;
    c = ',';
  }
  const ne = b.eventCount(i);
  if (ne > 0) {
    out += c + '"events":[';
    c = ',';
    for (let e = 0; e < ne; e++) {
      if (e > 0) out += ',';
      out += '{';
      let ec = '';
      const t = b.eventTimeUnixNano(i, e);
      if (t !== 0n) {
        out += '"timeUnixNano":"' + t + '"';
        ec = ',';
      }
      const en = b.eventName(i, e);
      if (en !== '') {
        out += ec + '"name":' + JSON.stringify(en);
        ec = ',';
      }
      const ea = attributesJSON(b.eventAttributes(i, e));
      if (ea !== '') {
        out += ec + ea;
        ec = ',';
      }
      const ed = b.eventDroppedAttributesCount(i, e);
      if (ed !== 0) out += ec + '"droppedAttributesCount":' + ed;
      out += '}';
    }
    out += ']';
  }
  const de = b.droppedEventsCount(i);
  if (de !== 0) {
    out += c + '"droppedEventsCount":' + de;
    c = ',';
  }
  const nl = b.linkCount(i);
  if (nl > 0) {
    out += c + '"links":[';
    c = ',';
    for (let l = 0; l < nl; l++) {
      if (l > 0) out += ',';
      out += '{';
      let lc = '';
      const ltid = b.linkTraceIdHex(i, l);
      if (ltid !== '' && !isZeroId(ltid)) {
        out += '"traceId":"' + ltid + '"';
        lc = ',';
      }
      const lsid = b.linkSpanIdHex(i, l);
      if (lsid !== '' && !isZeroId(lsid)) {
        out += lc + '"spanId":"' + lsid + '"';
        lc = ',';
      }
      const lts = b.linkTraceState(i, l);
      if (lts !== '') {
        out += lc + '"traceState":' + JSON.stringify(lts);
        lc = ',';
      }
      const la = attributesJSON(b.linkAttributes(i, l));
      if (la !== '') {
        out += lc + la;
        lc = ',';
      }
      const ld = b.linkDroppedAttributesCount(i, l);
      if (ld !== 0) {
        out += lc + '"droppedAttributesCount":' + ld;
        lc = ',';
      }
      const lf = b.linkFlags(i, l);
      if (lf !== 0) out += lc + '"flags":' + lf;
      out += '}';
    }
    out += ']';
  }
  const dl = b.droppedLinksCount(i);
  if (dl !== 0) {
    out += c + '"droppedLinksCount":' + dl;
    c = ',';
  }
  const code = b.statusCode(i);
  const msg = b.statusMessage(i);
  if (code !== 0 || msg !== '') {
    out += c + '"status":{';
    if (msg !== '') out += '"message":' + JSON.stringify(msg) + (code !== 0 ? ',' : '');
    if (code !== 0) out += '"code":' + code;
    out += '}';
  }
  return out + '}';
}

/** `"attributes":[...]`, or '' when there are none. */
function attributesJSON(a: Attributes): string {
  const n = a.length;
  if (n === 0) return '';
  let out = '"attributes":[';
  for (let j = 0; j < n; j++) {
    if (j > 0) out += ',';
    out += '{"key":' + JSON.stringify(a.key(j)) + ',"value":' + anyValueJSON(a.value(j)) + '}';
  }
  return out + ']';
}

type AnyValueFields = {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: bigint;
  doubleValue?: number;
  bytesValue?: Uint8Array;
  arrayValue?: AnyValue[];
  kvlistValue?: Array<[string, AnyValue]>;
};

function anyValueJSON(v: AnyValue): string {
  const f = v as AnyValueFields;
  if (f.stringValue !== undefined) return '{"stringValue":' + JSON.stringify(f.stringValue) + '}';
  if (f.intValue !== undefined) return '{"intValue":"' + f.intValue + '"}';
  if (f.boolValue !== undefined) return f.boolValue ? '{"boolValue":true}' : '{"boolValue":false}';
  if (f.doubleValue !== undefined) return '{"doubleValue":' + doubleJSON(f.doubleValue) + '}';
  if (f.arrayValue !== undefined) {
    const a = f.arrayValue;
    if (a.length === 0) return '{"arrayValue":{}}';
    let out = '{"arrayValue":{"values":[';
    for (let k = 0; k < a.length; k++) {
      if (k > 0) out += ',';
      out += anyValueJSON(a[k]);
    }
    return out + ']}}';
  }
  if (f.kvlistValue !== undefined) {
    const a = f.kvlistValue;
    if (a.length === 0) return '{"kvlistValue":{}}';
    let out = '{"kvlistValue":{"values":[';
    for (let k = 0; k < a.length; k++) {
      if (k > 0) out += ',';
      out += '{"key":' + JSON.stringify(a[k][0]) + ',"value":' + anyValueJSON(a[k][1]) + '}';
    }
    return out + ']}}';
  }
  if (f.bytesValue !== undefined) {
    const u = f.bytesValue;
    return '{"bytesValue":"' + Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64') + '"}';
  }
  return '{}';
}

function doubleJSON(d: number): string {
  if (Number.isFinite(d)) return Object.is(d, -0) ? '-0' : String(d);
  if (Number.isNaN(d)) return '"NaN"';
  return d > 0 ? '"Infinity"' : '"-Infinity"';
}
