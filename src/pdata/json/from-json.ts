// OTLP/JSON → protobuf, the pieces every signal shares: the request driver (text/bytes, BOM, JSON.parse with
// an exact re-parse for int64 literals beyond 2^53, DecodeError naming the JSON path of the bad value), the
// scalar readers/writers of the proto3 JSON mapping with the OTLP deviations (docs/specification.md "JSON
// Protobuf Encoding" of opentelemetry-proto) and the Go collector's leniency, and the common messages
// (Resource, InstrumentationScope, KeyValue, AnyValue).
//   - ids are hex (either case), '' = absent;
//   - int64/fixed64/uint64 as decimal strings or numbers, exactly (numbers beyond 2^53 are re-read from the text);
//   - enums as integers or names; lowerCamelCase or snake_case keys; unknown keys ignored; null means absent;
//   - bytesValue base64 (standard or URL-safe, padding optional); doubles as numbers, numeric strings,
//     "NaN", "Infinity", "-Infinity".
// Writers emit fields in the order they are called (callers go by field number) with proto3 defaults
// omitted, except where the field has explicit presence (oneof members, proto3 `optional`), like protobufjs.

import { DecodeError } from '../../errors';
import { BigLiteral, parseJsonExact } from './exact-parse';
import { ProtoWriter, TWO32 } from './proto-writer';

export type Obj = Record<string, unknown>;

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

/** Throw a conversion error for the value at `field` (relative to the message being written; '' = here). */
export function fail(msg: string, field: string): never {
  throw new FieldError(msg, field);
}

/** Add `seg` (the enclosing field) to the path of a conversion error passing through; returns `e` to rethrow. */
export function wrap(e: unknown, seg: string): unknown {
  if (e instanceof FieldError) e.segs.push(seg);
  return e;
}

export function describe(v: unknown): string {
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

/**
 * Parse an OTLP/JSON request (text or UTF-8 bytes) and write it as protobuf with `encodeRoot`, which gets the
 * top-level object. Throws DecodeError (with the JSON path of the bad value) for anything invalid.
 */
export function convertJsonRequest(body: string | Uint8Array, encodeRoot: (w: ProtoWriter, root: Obj) => void): Uint8Array {
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
    return encodeRequest(root, false, text.length >>> 1, encodeRoot);
  } catch (e) {
    if (e !== NEED_EXACT) throw toDecodeError(e);
  }
  // An int64 given as a JSON number beyond 2^53: JSON.parse rounded it, so read the text again keeping digits.
  try {
    return encodeRequest(parseJsonExact(text), true, text.length >>> 1, encodeRoot);
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

function encodeRequest(root: unknown, exact: boolean, sizeHint: number, encodeRoot: (w: ProtoWriter, root: Obj) => void): Uint8Array {
  exactMode = exact;
  const w = new ProtoWriter(sizeHint);
  try {
    const o = asObject(root, '');
    if (o === null) fail('expected a JSON object, got null', '');
    encodeRoot(w, o);
    return w.finish();
  } catch (e) {
    w.release();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Structure

/** The value of a field given in lowerCamelCase or snake_case (the camelCase key wins when both are there). */
export function get(o: Obj, camel: string, snake: string): unknown {
  const v = o[camel];
  return v !== undefined ? v : o[snake];
}

/** null/undefined → null (absent); a non-array object → it; anything else fails. */
export function asObject(v: unknown, field: string): Obj | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object' || Array.isArray(v) || v instanceof BigLiteral) fail(`expected an object, got ${describe(v)}`, field);
  return v as Obj;
}

/** An element of a repeated message field: must be an object. */
export function asElement(v: unknown): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof BigLiteral) fail(`expected an object, got ${describe(v)}`, '');
  return v as Obj;
}

export function asArray(v: unknown, field: string): unknown[] | null {
  if (v === null || v === undefined) return null;
  if (!Array.isArray(v)) fail(`expected an array, got ${describe(v)}`, field);
  return v;
}

/** A message-typed field: written (even when empty) when the JSON has an object for it. */
export function writeMessage(w: ProtoWriter, fieldNo: number, v: unknown, field: string, reserve: number, enc: (w: ProtoWriter, o: Obj) => void): void {
  const o = asObject(v, field);
  if (o === null) return;
  w.tag(fieldNo, 2);
  const st = w.begin(reserve);
  try {
    enc(w, o);
  } catch (e) {
    throw wrap(e, field);
  }
  w.end(st, reserve);
}

/** A repeated message field; `reserve` is the expected size of each element's length prefix (1..5). */
export function writeRepeatedMessages(w: ProtoWriter, fieldNo: number, v: unknown, field: string, reserve: number, enc: (w: ProtoWriter, o: Obj) => void): void {
  const arr = asArray(v, field);
  if (arr === null) return;
  let i = 0;
  try {
    for (; i < arr.length; i++) {
      const o = asElement(arr[i]);
      w.tag(fieldNo, 2);
      const st = w.begin(reserve);
      enc(w, o);
      w.end(st, reserve);
    }
  } catch (e) {
    throw wrap(e, `${field}[${i}]`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Scalars

export function readString(v: unknown, field: string): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  fail(`expected a string, got ${describe(v)}`, field);
}

export function writeString(w: ProtoWriter, fieldNo: number, v: unknown, field: string): void {
  const s = readString(v, field);
  if (s !== '') {
    w.tag(fieldNo, 2);
    w.string(s);
  }
}

export function writeRepeatedString(w: ProtoWriter, fieldNo: number, v: unknown, field: string): void {
  const arr = asArray(v, field);
  if (arr === null) return;
  for (let i = 0; i < arr.length; i++) {
    const s = arr[i];
    if (typeof s !== 'string') fail(`expected a string, got ${describe(s)}`, `${field}[${i}]`);
    w.tag(fieldNo, 2);
    w.string(s);
  }
}

export function writeBool(w: ProtoWriter, fieldNo: number, v: unknown, field: string): void {
  if (v === null || v === undefined || v === false) return;
  if (v !== true) fail(`expected true or false, got ${describe(v)}`, field);
  w.tag(fieldNo, 0);
  w.uvarint32(1);
}

export function readUint32(v: unknown, field: string): number {
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

export function writeUint32(w: ProtoWriter, fieldNo: number, v: unknown, field: string): void {
  const n = readUint32(v, field);
  if (n !== 0) {
    w.tag(fieldNo, 0);
    w.uvarint32(n);
  }
}

export function writeFixed32(w: ProtoWriter, fieldNo: number, v: unknown, field: string): void {
  const n = readUint32(v, field);
  if (n !== 0) {
    w.tag(fieldNo, 5);
    w.fixed32(n);
  }
}

/** A signed 32-bit integer given as a number or a decimal string; absent = 0. */
export function readInt32(v: unknown, field: string): number {
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) return v;
  } else if (typeof v === 'string') {
    if (/^-?[0-9]{1,20}$/.test(v)) {
      const n = Number(v);
      if (n >= -2147483648 && n <= 2147483647) return n;
      fail(`${v} is out of range for a signed 32-bit integer`, field);
    }
  } else if (v === null || v === undefined) {
    return 0;
  }
  fail(`expected a 32-bit integer, got ${describe(v)}`, field);
}

/** sint32: zigzag-encoded varint. */
export function writeSint32(w: ProtoWriter, fieldNo: number, v: unknown, field: string): void {
  const n = readInt32(v, field);
  if (n !== 0) {
    w.tag(fieldNo, 0);
    w.uvarint32(((n << 1) ^ (n >> 31)) >>> 0);
  }
}

/** An enum: an int32 (unknown numbers are kept, proto3 enums are open) or one of the names. */
export function writeEnum(w: ProtoWriter, fieldNo: number, v: unknown, names: Readonly<Record<string, number>>, field: string): void {
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

/** Enum names → numbers, as a prototype-less lookup table. */
export function enumNames(names: Record<string, number>): Readonly<Record<string, number>> {
  return Object.assign(Object.create(null) as Record<string, number>, names);
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

/** Reads an int64 (signed) or fixed64/uint64 (unsigned) JSON value into L:H (two's complement). False when absent. */
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

/** read64 for an element of a repeated field: null is not a value there. */
function read64Element(v: unknown, signed: boolean, field: string): void {
  if (!read64(v, signed, field)) fail(`expected a ${signed ? '64-bit integer' : 'non-negative 64-bit integer'} (number or decimal string), got null`, field);
}

/** fixed64 (times, counts): omitted when 0. */
export function writeFixed64(w: ProtoWriter, fieldNo: number, v: unknown, field: string): void {
  if (read64(v, false, field) && (L !== 0 || H !== 0)) {
    w.tag(fieldNo, 1);
    w.fixed64(L, H);
  }
}

/** sfixed64 member of a oneof (as_int): written whenever present, 0 included. */
export function writeSfixed64Present(w: ProtoWriter, fieldNo: number, v: unknown, field: string): void {
  if (read64(v, true, field)) {
    w.tag(fieldNo, 1);
    w.fixed64(L, H);
  }
}

/** int64 member of a oneof (AnyValue.int_value): written whenever present, 0 included. */
export function writeInt64Present(w: ProtoWriter, fieldNo: number, v: unknown, field: string): void {
  if (read64(v, true, field)) {
    w.tag(fieldNo, 0);
    w.varint64(L, H);
  }
}

/** repeated fixed64, packed (protobufjs and Go pack repeated scalars); nothing for an empty array. */
export function writePackedFixed64(w: ProtoWriter, fieldNo: number, v: unknown, field: string): void {
  const arr = asArray(v, field);
  if (arr === null || arr.length === 0) return;
  w.tag(fieldNo, 2);
  w.uvarint32(arr.length * 8);
  for (let i = 0; i < arr.length; i++) {
    read64Element(arr[i], false, `${field}[${i}]`);
    w.fixed64(L, H);
  }
}

/** repeated uint64, packed varints. */
export function writePackedUint64(w: ProtoWriter, fieldNo: number, v: unknown, field: string): void {
  const arr = asArray(v, field);
  if (arr === null || arr.length === 0) return;
  w.tag(fieldNo, 2);
  const st = w.begin(1);
  for (let i = 0; i < arr.length; i++) {
    read64Element(arr[i], false, `${field}[${i}]`);
    w.varint64(L, H);
  }
  w.end(st, 1);
}

const DOUBLE_RE = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

export function readDouble(v: unknown, field: string): number {
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

/** A plain double: omitted when +0 (proto3 default; -0 has other bits and is written, as protobufjs and Go do). */
export function writeDouble(w: ProtoWriter, fieldNo: number, v: unknown, field: string): void {
  if (v === null || v === undefined) return;
  const d = readDouble(v, field);
  if (d === 0 && 1 / d > 0) return;
  w.tag(fieldNo, 1);
  w.double(d);
}

/** A double with explicit presence (proto3 `optional`, oneof member): written whenever present, 0 included. */
export function writeDoublePresent(w: ProtoWriter, fieldNo: number, v: unknown, field: string): void {
  if (v === null || v === undefined) return;
  const d = readDouble(v, field);
  w.tag(fieldNo, 1);
  w.double(d);
}

/** repeated double, packed. */
export function writePackedDouble(w: ProtoWriter, fieldNo: number, v: unknown, field: string): void {
  const arr = asArray(v, field);
  if (arr === null || arr.length === 0) return;
  w.tag(fieldNo, 2);
  w.uvarint32(arr.length * 8);
  for (let i = 0; i < arr.length; i++) w.double(readDouble(arr[i], `${field}[${i}]`));
}

// Hex digit values, -1 for anything else.
const HEX = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX[65 + c] = 10 + c;
  HEX[97 + c] = 10 + c;
}

/** A hex id of `nbytes` bytes as a length-delimited field; '' or null = absent. */
export function writeHexId(w: ProtoWriter, fieldNo: number, v: unknown, nbytes: number, field: string): void {
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

/** A bytes member of a oneof (AnyValue.bytes_value) in base64: written whenever present, '' included. */
export function writeBase64Present(w: ProtoWriter, fieldNo: number, v: unknown, field: string): void {
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

// ---------------------------------------------------------------------------------------------------------
// Common messages

/** opentelemetry.proto.resource.v1.Resource */
export function encodeResource(w: ProtoWriter, o: Obj): void {
  encodeAttributes(w, 1, o.attributes, 'attributes');
  writeUint32(w, 2, get(o, 'droppedAttributesCount', 'dropped_attributes_count'), 'droppedAttributesCount');
  writeRepeatedMessages(w, 3, get(o, 'entityRefs', 'entity_refs'), 'entityRefs', 1, encodeEntityRef);
}

function encodeEntityRef(w: ProtoWriter, r: Obj): void {
  writeString(w, 1, get(r, 'schemaUrl', 'schema_url'), 'schemaUrl');
  writeString(w, 2, r.type, 'type');
  writeRepeatedString(w, 3, get(r, 'idKeys', 'id_keys'), 'idKeys');
  writeRepeatedString(w, 4, get(r, 'descriptionKeys', 'description_keys'), 'descriptionKeys');
}

/** opentelemetry.proto.common.v1.InstrumentationScope */
export function encodeScope(w: ProtoWriter, o: Obj): void {
  writeString(w, 1, o.name, 'name');
  writeString(w, 2, o.version, 'version');
  encodeAttributes(w, 3, o.attributes, 'attributes');
  writeUint32(w, 4, get(o, 'droppedAttributesCount', 'dropped_attributes_count'), 'droppedAttributesCount');
}

/** repeated KeyValue; `field` names the JSON key for error paths (attributes, metadata, filteredAttributes). */
export function encodeAttributes(w: ProtoWriter, fieldNo: number, v: unknown, field: string): void {
  const arr = asArray(v, field);
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
    throw wrap(e, `${field}[${i}]`);
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

/** The body of an AnyValue message (`depth` = arrayValue/kvlistValue nesting so far). */
export function encodeAnyValue(w: ProtoWriter, o: Obj, depth: number): void {
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
      writeInt64Present(w, 3, val, 'intValue');
      return;
    case AV_DOUBLE:
      writeDoublePresent(w, 4, val, 'doubleValue');
      return;
    case AV_BYTES:
      writeBase64Present(w, 7, val, 'bytesValue');
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

/** The body of a top-level AnyValue message (log record body). */
export function encodeAnyValueRoot(w: ProtoWriter, o: Obj): void {
  encodeAnyValue(w, o, 0);
}
