// Attribute columns: the `Attributes` view over one owner's rows of the attribute table (layout.ts A_*),
// AnyValue materialization (value(j)) and serialization (set()). Owner kinds of other signals (log records,
// metric points, ...) are added with registerOwnerKind.

import type { AnyValue, Attributes, ValueType } from './traces';
import type { AttrParts, Parts } from './decode';
import { parseAttrRange, forEachArrayValue, forEachKvlistValue, MAX_VALUE_DEPTH } from './decode';
import {
  Table,
  R_STRIDE, R_ATTR_FIRST, R_ATTR_N, R_MSG_OFF, R_MSG_LEN, R_BITS, RB_DIRTY, RB_DESC,
  C_STRIDE, C_ATTR_FIRST, C_ATTR_N, C_MSG_OFF, C_MSG_LEN, C_BITS, CB_DIRTY, CB_DESC, C_RESOURCE,
  S_STRIDE, S_ATTR_FIRST, S_ATTR_N, S_OFF, S_LEN, S_BITS, SD_ATTRS, SD_EVENTS, SD_LINKS, S_SCOPE,
  E_STRIDE, E_ATTR_FIRST, E_ATTR_N, E_OFF, E_LEN, E_BITS, EB_DIRTY,
  L_STRIDE, L_ATTR_FIRST, L_ATTR_N, L_OFF, L_LEN, L_BITS, LB_DIRTY,
  A_STRIDE, A_KEY_OFF, A_KEY_LEN, A_V0, A_V1, A_RAW_OFF, A_TYPE, AB_VALUE, T_MASK,
  T_EMPTY, T_STRING, T_BOOL, T_INT, T_DOUBLE, T_BYTES, T_ARRAY, T_KVLIST,
} from './layout';
import {
  Writer, utf8, utf8Interned, utf8Length, keyBytes, bytesEqualString, bitsToDouble, doubleToBits, i64ToBigInt,
} from './wire';

export const OWNER_RESOURCE = 0;
export const OWNER_SCOPE = 1;
export const OWNER_SPAN = 2;
export const OWNER_EVENT = 3;
export const OWNER_LINK = 4;

// Indexed by owner kind (OWNER_* above, then the kinds registered with registerOwnerKind).
const STRIDE: number[] = [R_STRIDE, C_STRIDE, S_STRIDE, E_STRIDE, L_STRIDE];
const FIRST_COL: number[] = [R_ATTR_FIRST, C_ATTR_FIRST, S_ATTR_FIRST, E_ATTR_FIRST, L_ATTR_FIRST];
const N_COL: number[] = [R_ATTR_N, C_ATTR_N, S_ATTR_N, E_ATTR_N, L_ATTR_N];
const RAW_OFF_COL: number[] = [R_MSG_OFF, C_MSG_OFF, S_OFF, E_OFF, L_OFF];
const RAW_LEN_COL: number[] = [R_MSG_LEN, C_MSG_LEN, S_LEN, E_LEN, L_LEN];
/** Field number of `attributes` in the owner message. */
const ATTR_FIELD: number[] = [1, 3, 9, 3, 4];
const FIRST_EXTRA_KIND = 5;

/**
 * An owner kind of another signal (log records, metric data points, ...). OWNER_RESOURCE and OWNER_SCOPE
 * work for any parts whose `res`/`scopes` tables use the R_* / C_* layout.
 */
export interface OwnerKind {
  /** The owner table of a batch's parts. */
  table(p: AttrParts): Table;
  stride: number;
  /** Columns: first attribute row (-1 until parsed), attribute count, owner message content range. */
  firstCol: number;
  nCol: number;
  rawOffCol: number;
  rawLenCol: number;
  /** Field number of `attributes` in the owner message. */
  field: number;
  /** Mark row's attributes modified (and whatever encloses it); `parent` is the AttrView's 4th argument. */
  markDirty(p: AttrParts, row: number, parent: number): void;
  isDirty(p: AttrParts, row: number): boolean;
}
const EXTRA_KINDS: OwnerKind[] = [];

/** Register an owner kind (at module load); returns its kind number for `new AttrView(parts, kind, row)`. */
export function registerOwnerKind(k: OwnerKind): number {
  const kind = FIRST_EXTRA_KIND + EXTRA_KINDS.length;
  EXTRA_KINDS.push(k);
  STRIDE.push(k.stride);
  FIRST_COL.push(k.firstCol);
  N_COL.push(k.nCol);
  RAW_OFF_COL.push(k.rawOffCol);
  RAW_LEN_COL.push(k.rawLenCol);
  ATTR_FIELD.push(k.field);
  return kind;
}
/** ValueType names by T_*. */
export const TYPE_NAMES: ValueType[] = ['empty', 'string', 'bool', 'int', 'double', 'bytes', 'array', 'kvlist'];

function ownerTable(p: AttrParts, kind: number): Table {
  switch (kind) {
    case OWNER_RESOURCE: return (p as Parts).res;
    case OWNER_SCOPE: return (p as Parts).scopes;
    case OWNER_SPAN: return (p as Parts).spans;
    case OWNER_EVENT: return (p as Parts).events;
    case OWNER_LINK: return (p as Parts).links;
    default: return EXTRA_KINDS[kind - FIRST_EXTRA_KIND].table(p);
  }
}

/** Make sure the owner's attributes are in the attribute table; returns the first row. */
export function ensureAttrs(p: AttrParts, kind: number, row: number): number {
  const t = ownerTable(p, kind);
  const base = row * STRIDE[kind];
  const first = t.i32[base + FIRST_COL[kind]];
  if (first >= 0) return first;
  const f = parseAttrRange(p, t.i32[base + RAW_OFF_COL[kind]], t.i32[base + RAW_LEN_COL[kind]], ATTR_FIELD[kind], t.i32[base + N_COL[kind]]);
  t.i32[base + FIRST_COL[kind]] = f;
  t.i32[base + N_COL[kind]] = p.attrs.rows - f;
  return f;
}

/** Mark an owner's attributes modified (and every enclosing message as needing a rewrite). */
function markDirty(ap: AttrParts, kind: number, row: number, span: number): void {
  if (kind >= FIRST_EXTRA_KIND) {
    EXTRA_KINDS[kind - FIRST_EXTRA_KIND].markDirty(ap, row, span);
    return;
  }
  const p = ap as Parts;
  switch (kind) {
    case OWNER_RESOURCE:
      p.res.i32[row * R_STRIDE + R_BITS] |= RB_DIRTY;
      return;
    case OWNER_SCOPE:
      p.scopes.i32[row * C_STRIDE + C_BITS] |= CB_DIRTY;
      p.res.i32[p.scopes.i32[row * C_STRIDE + C_RESOURCE] * R_STRIDE + R_BITS] |= RB_DESC;
      return;
    case OWNER_EVENT:
      p.events.i32[row * E_STRIDE + E_BITS] |= EB_DIRTY;
      markSpanDirty(p, span, SD_EVENTS);
      return;
    case OWNER_LINK:
      p.links.i32[row * L_STRIDE + L_BITS] |= LB_DIRTY;
      markSpanDirty(p, span, SD_LINKS);
      return;
    default:
      markSpanDirty(p, row, SD_ATTRS);
  }
}

/** Set dirty bits on span i and mark its scope and resource as containing a modified span. */
export function markSpanDirty(p: Parts, i: number, bits: number): void {
  const s32 = p.spans.i32;
  s32[i * S_STRIDE + S_BITS] |= bits;
  markScopeDesc(p, s32[i * S_STRIDE + S_SCOPE]);
}

/** Mark scope s and its resource as containing a modified item (any signal): their wrappers are rebuilt. */
export function markScopeDesc(p: Pick<Parts, 'res' | 'scopes'>, s: number): void {
  const c32 = p.scopes.i32;
  c32[s * C_STRIDE + C_BITS] |= CB_DESC;
  p.res.i32[c32[s * C_STRIDE + C_RESOURCE] * R_STRIDE + R_BITS] |= RB_DESC;
}

function isDirty(ap: AttrParts, kind: number, row: number): boolean {
  if (kind >= FIRST_EXTRA_KIND) return EXTRA_KINDS[kind - FIRST_EXTRA_KIND].isDirty(ap, row);
  const p = ap as Parts;
  switch (kind) {
    case OWNER_RESOURCE: return (p.res.i32[row * R_STRIDE + R_BITS] & RB_DIRTY) !== 0;
    case OWNER_SCOPE: return (p.scopes.i32[row * C_STRIDE + C_BITS] & CB_DIRTY) !== 0;
    case OWNER_SPAN: return (p.spans.i32[row * S_STRIDE + S_BITS] & SD_ATTRS) !== 0;
    case OWNER_EVENT: return (p.events.i32[row * E_STRIDE + E_BITS] & EB_DIRTY) !== 0;
    default: return (p.links.i32[row * L_STRIDE + L_BITS] & LB_DIRTY) !== 0;
  }
}

/** The attributes of one owner (resource, scope, span, event or link). */
export class AttrView implements Attributes {
  /**
   * @param kind OWNER_*; @param row the owner's row in its table; @param span for events/links, the span
   * row they belong to (dirty marking), else -1.
   */
  constructor(private readonly p: AttrParts, private readonly kind: number, private readonly row: number, private readonly span = -1) {}

  private get base(): number {
    return this.row * STRIDE[this.kind];
  }
  private get table(): Table {
    return ownerTable(this.p, this.kind);
  }

  get length(): number {
    return this.table.i32[this.base + N_COL[this.kind]];
  }

  /** Base index (into attrs.i32) of entry j, parsing the owner's attributes first if needed. */
  private at(j: number): number {
    const first = ensureAttrs(this.p, this.kind, this.row);
    if (!(j >= 0 && j < this.length)) throw new RangeError(`attribute index ${j} out of range [0, ${this.length})`);
    return (first + j) * A_STRIDE;
  }

  key(j: number): string {
    const a = this.at(j);
    const a32 = this.p.attrs.i32;
    return utf8Interned(this.p.arena.buf, a32[a + A_KEY_OFF], a32[a + A_KEY_LEN]);
  }
  type(j: number): ValueType {
    return TYPE_NAMES[this.p.attrs.i32[this.at(j) + A_TYPE] & T_MASK] ?? 'empty';
  }
  value(j: number): AnyValue {
    const a = this.at(j);
    const a32 = this.p.attrs.i32;
    return materialize(this.p, a32[a + A_TYPE] & T_MASK, a32[a + A_V0], a32[a + A_V1]);
  }
  indexOf(key: string): number {
    const first = ensureAttrs(this.p, this.kind, this.row);
    const n = this.length;
    const kb = keyBytes(key);
    const a32 = this.p.attrs.i32;
    const u8 = this.p.arena.u8;
    // Last occurrence wins for duplicate keys (like a map built in wire order).
    for (let j = n - 1; j >= 0; j--) {
      const a = (first + j) * A_STRIDE;
      if (bytesEqualString(u8, a32[a + A_KEY_OFF], a32[a + A_KEY_LEN], key, kb)) return j;
    }
    return -1;
  }
  get(key: string): AnyValue | undefined {
    const j = this.indexOf(key);
    return j < 0 ? undefined : this.value(j);
  }
  getString(key: string): string | undefined {
    const j = this.indexOf(key);
    if (j < 0) return undefined;
    const a = this.at(j);
    const a32 = this.p.attrs.i32;
    if ((a32[a + A_TYPE] & T_MASK) !== T_STRING) return undefined;
    return utf8(this.p.arena.buf, a32[a + A_V0], a32[a + A_V1]);
  }

  set(key: string, value: AnyValue): void {
    ensureAttrs(this.p, this.kind, this.row);
    const j = this.indexOf(key);
    // Encode the value before touching the tables so a bad value leaves the batch unchanged.
    const enc = encodeValue(this.p, value);
    const first = this.makeWritable(j < 0 ? 1 : 0);
    const attrs = this.p.attrs;
    let a: number;
    if (j < 0) {
      a = attrs.add();
      const klen = utf8Length(key);
      const koff = this.p.arena.appendString(key, klen);
      attrs.i32[a + A_KEY_OFF] = koff;
      attrs.i32[a + A_KEY_LEN] = klen;
      this.table.i32[this.base + N_COL[this.kind]]++;
    } else a = (first + j) * A_STRIDE;
    const a32 = attrs.i32;
    a32[a + A_TYPE] = enc.type | AB_VALUE;
    a32[a + A_V0] = enc.v0;
    a32[a + A_V1] = enc.v1;
    a32[a + A_RAW_OFF] = -1;
    a32[a + A_RAW_OFF + 1] = 0;
    markDirty(this.p, this.kind, this.row, this.span);
  }

  delete(key: string): boolean {
    let j = this.indexOf(key);
    if (j < 0) return false;
    const first = this.makeWritable(0);
    const kb = keyBytes(key);
    const u8 = this.p.arena.u8;
    // j is the last occurrence; duplicates (if any) are before it: remove them all in one pass
    for (; j >= 0; j--) {
      const a32 = this.p.attrs.i32;
      const a = (first + j) * A_STRIDE;
      if (!bytesEqualString(u8, a32[a + A_KEY_OFF], a32[a + A_KEY_LEN], key, kb)) continue;
      const n = this.length;
      a32.copyWithin(a, a + A_STRIDE, (first + n) * A_STRIDE);
      this.table.i32[this.base + N_COL[this.kind]] = n - 1;
    }
    markDirty(this.p, this.kind, this.row, this.span);
    return true;
  }

  toObject(): Record<string, AnyValue> {
    const out: Record<string, AnyValue> = {};
    for (let j = 0; j < this.length; j++) out[this.key(j)] = this.value(j);
    return out;
  }

  /**
   * Copy-on-write: the owner's rows are its own (parsing and relocation give every owner private rows);
   * to append, the list must end at the table's end, else it is copied there first.
   */
  private makeWritable(extra: number): number {
    const attrs = this.p.attrs;
    const t = this.table;
    const base = this.base;
    let first = t.i32[base + FIRST_COL[this.kind]];
    const n = t.i32[base + N_COL[this.kind]];
    if (extra > 0 && first + n !== attrs.rows) {
      attrs.ensure(n + extra);
      const nf = attrs.rows;
      attrs.i32.copyWithin(nf * A_STRIDE, first * A_STRIDE, (first + n) * A_STRIDE);
      attrs.rows += n;
      first = nf;
      t.i32[base + FIRST_COL[this.kind]] = first;
    } else if (extra > 0) attrs.ensure(extra);
    return first;
  }

  /** true when this owner's attributes were modified since decode. */
  get dirty(): boolean {
    return isDirty(this.p, this.kind, this.row);
  }
}

// ---------------------------------------------------------------- AnyValue <-> columns

/** Build a JS AnyValue from a (type, v0, v1) column triple. */
export function materialize(p: AttrParts, type: number, v0: number, v1: number): AnyValue {
  switch (type) {
    case T_STRING: return { stringValue: utf8(p.arena.buf, v0, v1) };
    case T_BOOL: return { boolValue: v0 !== 0 };
    case T_INT: return { intValue: i64ToBigInt(v0, v1) };
    case T_DOUBLE: return { doubleValue: bitsToDouble(v0, v1) };
    case T_BYTES: return { bytesValue: p.arena.u8.slice(v0, v0 + v1) };
    case T_ARRAY: {
      const out: AnyValue[] = [];
      forEachArrayValue(p.arena.u8, v0, v1, (t, a, b) => out.push(materialize(p, t, a, b)));
      return { arrayValue: out };
    }
    case T_KVLIST: {
      const out: Array<[string, AnyValue]> = [];
      forEachKvlistValue(p.arena.u8, v0, v1, (ko, kl, t, a, b) => out.push([utf8(p.arena.buf, ko, kl), materialize(p, t, a, b)]));
      return { kvlistValue: out };
    }
    default: return {};
  }
}

interface EncodedValue { type: number; v0: number; v1: number }

/** Write a JS AnyValue into the arena (strings, bytes, nested values) and return its column triple. */
export function encodeValue(p: AttrParts, v: AnyValue): EncodedValue {
  if (v === null || typeof v !== 'object') throw new TypeError('attribute value must be an AnyValue object');
  const o = v as Record<string, unknown>;
  if ('stringValue' in o) {
    const s = String(o.stringValue);
    const len = utf8Length(s);
    return { type: T_STRING, v0: p.arena.appendString(s, len), v1: len };
  }
  if ('boolValue' in o) return { type: T_BOOL, v0: o.boolValue ? 1 : 0, v1: 0 };
  if ('intValue' in o) {
    const [lo, hi] = int64Words(o.intValue);
    return { type: T_INT, v0: lo | 0, v1: hi | 0 };
  }
  if ('doubleValue' in o) {
    const [lo, hi] = doubleToBits(Number(o.doubleValue));
    return { type: T_DOUBLE, v0: lo | 0, v1: hi | 0 };
  }
  if ('bytesValue' in o) {
    const bytes = o.bytesValue as Uint8Array;
    if (!(bytes instanceof Uint8Array)) throw new TypeError('bytesValue must be a Uint8Array');
    return { type: T_BYTES, v0: p.arena.appendBytes(bytes), v1: bytes.length };
  }
  if ('arrayValue' in o) {
    const bytes = serialize((w) => writeArrayContent(w, arrayItems(o.arrayValue), 0));
    return { type: T_ARRAY, v0: p.arena.appendBytes(bytes), v1: bytes.length };
  }
  if ('kvlistValue' in o) {
    const bytes = serialize((w) => writeKvlistContent(w, kvlistItems(o.kvlistValue), 0));
    return { type: T_KVLIST, v0: p.arena.appendBytes(bytes), v1: bytes.length };
  }
  if (Object.keys(o).length === 0) return { type: T_EMPTY, v0: 0, v1: 0 };
  throw new TypeError(`not an AnyValue: keys ${Object.keys(o).join(',')}`);
}

function int64Words(x: unknown): [number, number] {
  let big: bigint;
  if (typeof x === 'bigint') big = x;
  else if (typeof x === 'number' && Number.isFinite(x)) big = BigInt(Math.trunc(x));
  else if (typeof x === 'string' && /^-?\d+$/.test(x)) big = BigInt(x);
  else throw new TypeError('intValue must be a bigint');
  const u = BigInt.asUintN(64, big);
  return [Number(u & 0xffffffffn), Number(u >> 32n)];
}

// Accept the contract shapes (arrays / [key, value] tuples) and the OTLP/JSON shapes ({values: [...]}).
function arrayItems(x: unknown): AnyValue[] {
  if (Array.isArray(x)) return x as AnyValue[];
  const values = (x as { values?: unknown } | null)?.values;
  if (Array.isArray(values)) return values as AnyValue[];
  throw new TypeError('arrayValue must be an array');
}
function kvlistItems(x: unknown): Array<[string, AnyValue]> {
  const list = Array.isArray(x) ? x : (x as { values?: unknown } | null)?.values;
  if (!Array.isArray(list)) throw new TypeError('kvlistValue must be an array of [key, value]');
  return list.map((e): [string, AnyValue] => (Array.isArray(e) ? [String(e[0]), e[1] as AnyValue] : [String(e.key), (e.value ?? {}) as AnyValue]));
}

const vw = new Writer();
// Each nesting level takes 2 steps (AnyValue -> ArrayValue/KeyValueList): same limit as decode.
const MAX_SET_DEPTH = 2 * MAX_VALUE_DEPTH + 2;

function serialize(body: (w: Writer) => void): Uint8Array {
  vw.beginDry();
  body(vw);
  const out = Buffer.allocUnsafe(vw.pos);
  vw.beginWrite(out);
  body(vw);
  vw.out = new Uint8Array(0);
  return out;
}

function writeArrayContent(w: Writer, items: AnyValue[], depth: number): void {
  if (depth > MAX_SET_DEPTH) throw new TypeError('attribute value nested too deeply');
  for (const it of items) {
    w.begin(1);
    writeAnyValueContent(w, it, depth + 1);
    w.end();
  }
}

function writeKvlistContent(w: Writer, items: Array<[string, AnyValue]>, depth: number): void {
  if (depth > MAX_SET_DEPTH) throw new TypeError('attribute value nested too deeply');
  for (const [k, v] of items) {
    w.begin(1);
    w.str(1, k);
    w.begin(2);
    writeAnyValueContent(w, v, depth + 1);
    w.end();
    w.end();
  }
}

function writeAnyValueContent(w: Writer, v: AnyValue, depth: number): void {
  if (v === null || typeof v !== 'object') throw new TypeError('attribute value must be an AnyValue object');
  const o = v as Record<string, unknown>;
  if ('stringValue' in o) w.str(1, String(o.stringValue));
  else if ('boolValue' in o) {
    w.tag(2, 0);
    w.varint32(o.boolValue ? 1 : 0);
  } else if ('intValue' in o) {
    const [lo, hi] = int64Words(o.intValue);
    w.tag(3, 0);
    w.varint64(lo, hi);
  } else if ('doubleValue' in o) {
    const [lo, hi] = doubleToBits(Number(o.doubleValue));
    w.tag(4, 1);
    w.fixed64(lo, hi);
  } else if ('bytesValue' in o) {
    const bytes = o.bytesValue as Uint8Array;
    if (!(bytes instanceof Uint8Array)) throw new TypeError('bytesValue must be a Uint8Array');
    w.bytesField(7, bytes, 0, bytes.length);
  } else if ('arrayValue' in o) {
    w.begin(5);
    writeArrayContent(w, arrayItems(o.arrayValue), depth + 1);
    w.end();
  } else if ('kvlistValue' in o) {
    w.begin(6);
    writeKvlistContent(w, kvlistItems(o.kvlistValue), depth + 1);
    w.end();
  } else if (Object.keys(o).length !== 0) throw new TypeError(`not an AnyValue: keys ${Object.keys(o).join(',')}`);
}
