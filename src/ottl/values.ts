// OTTL runtime values and upstream's comparison semantics (contrib pkg/ottl compare.go).
//
// A value is one of (Go type in parentheses):
//   null (nil) | string | boolean (bool) | bigint (int64) | number (float64) | Uint8Array ([]byte)
//   | OttlMap (pcommon.Map) | OttlList (pcommon.Slice) | OttlId (pcommon.TraceID / SpanID)
//   | OttlTime (time.Time) | OttlDuration (time.Duration)
// Integers are bigints and floats are numbers, so `1` and `1.0` keep their OTTL types; the compiler uses
// plain numbers for int paths known to be small (kind, severity_number…) and converts only when needed.
//
// Comparison rules (compare.go): nil == nil; nil vs anything else is only `!=`; int and float compare
// numerically; strings compare bytewise (UTF-8 order); bools with false < true; byte slices bytewise;
// maps, lists and ids only with == / != (deep equality); any other mix of types is "not comparable": every
// operator is false except `!=`.

import type { AnyValue, Attributes } from '../pdata/traces';
import type { CompareOp } from './ast';
import { goFloatString } from '../processors/internal/any-value';

/** An error while evaluating a condition on one item (error_mode decides what happens). */
export class OttlRuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OttlRuntimeError';
  }
}

/** A read-only map value: attributes (a view over the batch's columns) or a map literal / kvlist value. */
export abstract class OttlMap {
  abstract get size(): number;
  abstract get(key: string): OttlValue | undefined;
  abstract entries(): Array<[string, OttlValue]>;
}

/** A map over an attribute view: values are converted only when read. */
export class AttrsMap extends OttlMap {
  constructor(readonly attrs: Attributes) {
    super();
  }
  get size(): number {
    return this.attrs.length;
  }
  get(key: string): OttlValue | undefined {
    const v = this.attrs.get(key);
    return v === undefined ? undefined : fromAnyValue(v);
  }
  entries(): Array<[string, OttlValue]> {
    const out: Array<[string, OttlValue]> = [];
    const n = this.attrs.length;
    for (let j = 0; j < n; j++) out.push([this.attrs.key(j), fromAnyValue(this.attrs.value(j))]);
    return out;
  }
}

/** A map built from entries (kvlist values, map literals). Later duplicates win on lookup, like the batch's views. */
export class EntriesMap extends OttlMap {
  private index: Map<string, OttlValue> | undefined;
  constructor(readonly list: Array<[string, OttlValue]>) {
    super();
  }
  get size(): number {
    return this.list.length;
  }
  get(key: string): OttlValue | undefined {
    if (!this.index) this.index = new Map(this.list);
    return this.index.get(key);
  }
  entries(): Array<[string, OttlValue]> {
    return this.list;
  }
}

export class OttlList {
  constructor(readonly items: OttlValue[]) {}
}

/** A trace id (16 bytes) or span id (8 bytes); all zeros when absent (as pcommon). */
export class OttlId {
  constructor(
    readonly kind: 'trace' | 'span',
    readonly bytes: Uint8Array,
  ) {}
}

/** A point in time, nanoseconds since the Unix epoch. */
export class OttlTime {
  constructor(readonly ns: bigint) {}
}

/** A duration in nanoseconds. */
export class OttlDuration {
  constructor(readonly ns: bigint) {}
}

export type OttlValue = null | string | boolean | bigint | number | Uint8Array | OttlMap | OttlList | OttlId | OttlTime | OttlDuration;

/** An OTLP AnyValue as an OTTL value (ottlcommon.GetValue): Str, Int, Double, Bool, Bytes, Map, Slice; Empty is nil. */
export function fromAnyValue(v: AnyValue): OttlValue {
  const o = v as Record<string, unknown>;
  if ('stringValue' in o) return o.stringValue as string;
  if ('intValue' in o) return o.intValue as bigint;
  if ('doubleValue' in o) return o.doubleValue as number;
  if ('boolValue' in o) return o.boolValue as boolean;
  if ('bytesValue' in o) return o.bytesValue as Uint8Array;
  if ('arrayValue' in o) return new OttlList((o.arrayValue as AnyValue[]).map(fromAnyValue));
  if ('kvlistValue' in o) return new EntriesMap((o.kvlistValue as Array<[string, AnyValue]>).map(([k, x]) => [k, fromAnyValue(x)]));
  return null;
}

/** Go type names used in error messages. */
export function typeName(v: OttlValue): string {
  if (v === null) return 'nil';
  switch (typeof v) {
    case 'string': return 'string';
    case 'boolean': return 'bool';
    case 'bigint': return 'int64';
    case 'number': return 'float64';
    default: break;
  }
  if (v instanceof Uint8Array) return '[]uint8';
  if (v instanceof OttlMap) return 'pcommon.Map';
  if (v instanceof OttlList) return 'pcommon.Slice';
  if (v instanceof OttlId) return v.kind === 'trace' ? 'pcommon.TraceID' : 'pcommon.SpanID';
  if (v instanceof OttlTime) return 'time.Time';
  if (v instanceof OttlDuration) return 'time.Duration';
  return 'unknown';
}

// ---------------------------------------------------------------- comparison

/** Go's string comparison (bytes of UTF-8) on JS strings (UTF-16): negative, zero or positive. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k++) {
    const x = a.charCodeAt(k);
    const y = b.charCodeAt(k);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    // A surrogate encodes a code point above U+FFFF, which sorts after every BMP code point in UTF-8.
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

function ordered(c: number, op: CompareOp): boolean {
  switch (op) {
    case '==': return c === 0;
    case '!=': return c !== 0;
    case '<': return c < 0;
    case '<=': return c <= 0;
    case '>': return c > 0;
    case '>=': return c >= 0;
  }
}

/** Numbers (JS number or bigint) with Go's semantics: NaN is unordered and unequal to everything. */
export function compareNumbers(a: number, b: number, op: CompareOp): boolean {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
  }
}

function compareBigints(a: bigint, b: bigint, op: CompareOp): boolean {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
  }
}

export function compareBools(a: boolean, b: boolean, op: CompareOp): boolean {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return !a && b;
    case '<=': return !a || b;
    case '>': return a && !b;
    case '>=': return a || !b;
  }
}

function compareByteArrays(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k++) if (a[k] !== b[k]) return a[k]! - b[k]!;
  return a.length - b.length;
}

/** Types that can't be compared this way: false, except `!=` (definitely not equal). */
const invalid = (op: CompareOp): boolean => op === '!=';

/** Deep equality of two values (maps by key set, lists in order); used for == / != of composite values. */
export function deepEqual(a: OttlValue, b: OttlValue): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (typeof a !== 'object' || typeof b !== 'object') {
    if (typeof a === 'number' && typeof b === 'number') return a === b;
    return false;
  }
  if (a instanceof Uint8Array) return b instanceof Uint8Array && compareByteArrays(a, b) === 0;
  if (a instanceof OttlId) return b instanceof OttlId && a.kind === b.kind && compareByteArrays(a.bytes, b.bytes) === 0;
  if (a instanceof OttlTime) return b instanceof OttlTime && a.ns === b.ns;
  if (a instanceof OttlDuration) return b instanceof OttlDuration && a.ns === b.ns;
  if (a instanceof OttlList) {
    if (!(b instanceof OttlList) || a.items.length !== b.items.length) return false;
    return a.items.every((x, k) => deepEqual(x, b.items[k]!));
  }
  if (a instanceof OttlMap) {
    if (!(b instanceof OttlMap)) return false;
    const ae = new Map(a.entries());
    const be = new Map(b.entries());
    if (ae.size !== be.size) return false;
    for (const [k, v] of ae) {
      if (!be.has(k) || !deepEqual(v, be.get(k)!)) return false;
    }
    return true;
  }
  return false;
}

/** compare.go: compare two values with `op`. */
export function compareValues(a: OttlValue, b: OttlValue, op: CompareOp): boolean {
  if (a === null && b === null) return op === '==' || op === '<=' || op === '>=';
  if (a === null) return compareValues(b, null, op); // as upstream: swapped, operator unchanged
  switch (typeof a) {
    case 'boolean':
      return typeof b === 'boolean' ? compareBools(a, b, op) : invalid(op);
    case 'bigint':
      if (typeof b === 'bigint') return compareBigints(a, b, op);
      if (typeof b === 'number') return compareNumbers(Number(a), b, op);
      return invalid(op);
    case 'number':
      if (typeof b === 'number') return compareNumbers(a, b, op);
      if (typeof b === 'bigint') return compareNumbers(a, Number(b), op);
      return invalid(op);
    case 'string':
      return typeof b === 'string' ? ordered(compareStrings(a, b), op) : invalid(op);
    default:
      break;
  }
  if (a instanceof Uint8Array) {
    if (b === null) return op === '!=';
    return b instanceof Uint8Array ? ordered(compareByteArrays(a, b), op) : invalid(op);
  }
  if (a instanceof OttlTime) return b instanceof OttlTime ? compareBigints(a.ns, b.ns, op) : invalid(op);
  if (a instanceof OttlDuration) return b instanceof OttlDuration ? compareBigints(a.ns, b.ns, op) : invalid(op);
  // maps, lists, ids: equality only
  if (op === '==') return deepEqual(a, b);
  if (op === '!=') return !deepEqual(a, b);
  return false;
}

// ---------------------------------------------------------------- string forms

const HEX = Array.from({ length: 256 }, (_, k) => k.toString(16).padStart(2, '0'));

export function hexOf(bytes: Uint8Array): string {
  let s = '';
  for (let k = 0; k < bytes.length; k++) s += HEX[bytes[k]!];
  return s;
}

/** encoding/json's float64 text (ES number formatting has the same exponent thresholds); undefined for NaN/Inf. */
function jsonFloat(f: number): string | undefined {
  if (!Number.isFinite(f)) return undefined;
  if (Object.is(f, -0)) return '-0';
  return String(f);
}

function jsonString(s: string): string {
  // encoding/json escapes <, >, & and U+2028/2029 (HTML-safe) besides what JSON.stringify does.
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** RFC 3339 with nanoseconds, as Go's time.Time JSON form (UTC). */
export function formatTime(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const sub = ((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
  const iso = new Date(ms - (ms % 1000 + 1000) % 1000).toISOString().slice(0, 19);
  let frac = sub.toString().padStart(9, '0').replace(/0+$/, '');
  if (frac) frac = '.' + frac;
  return `${iso}${frac}Z`;
}

/** encoding/json.Marshal of the raw form of a value (pcommon AsRaw: bytes as base64, map keys sorted). */
export function goJSON(v: OttlValue): string | undefined {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string': return jsonString(v);
    case 'boolean': return v ? 'true' : 'false';
    case 'bigint': return v.toString();
    case 'number': return jsonFloat(v);
    default: break;
  }
  if (v instanceof Uint8Array) return `"${Buffer.from(v).toString('base64')}"`;
  if (v instanceof OttlList) {
    const parts: string[] = [];
    for (const x of v.items) {
      const s = goJSON(x);
      if (s === undefined) return undefined;
      parts.push(s);
    }
    return `[${parts.join(',')}]`;
  }
  if (v instanceof OttlMap) {
    const m = new Map(v.entries());
    const keys = [...m.keys()].sort((x, y) => compareStrings(x, y));
    const parts: string[] = [];
    for (const k of keys) {
      const s = goJSON(m.get(k)!);
      if (s === undefined) return undefined;
      parts.push(`${jsonString(k)}:${s}`);
    }
    return `{${parts.join(',')}}`;
  }
  if (v instanceof OttlId) return `[${Array.from(v.bytes).join(',')}]`;
  if (v instanceof OttlTime) return `"${formatTime(v.ns)}"`;
  if (v instanceof OttlDuration) return v.ns.toString();
  return undefined;
}

/**
 * StandardStringLikeGetter: the string a converter taking "string-like" input sees. nil stays nil; strings
 * as is; bytes as lowercase hex; maps and lists as JSON; numbers and bools as their JSON text.
 */
export function stringLike(v: OttlValue): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return hexOf(v);
  const s = goJSON(v);
  if (s === undefined) throw new OttlRuntimeError(`unsupported type: ${typeName(v)}`);
  return s;
}

/** pcommon.Value.AsString() of an attribute/body value: floats in ES6 form, bytes base64, maps/lists JSON. */
export function asString(v: OttlValue): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goFloatString(v);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return goJSON(v) ?? '';
}
