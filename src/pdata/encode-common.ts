// What the three OTLP encoders (encode.ts traces, logs-encode.ts, metrics-encode.ts) share: the two-pass
// driver, the field walker that rewrites a modified message, the resource and scope wrappers (R_* / C_*
// tables, identical for every signal), and the attribute-list writer (the hottest loop).
//
// Untouched messages are copied raw; a modified message is rewritten by walking its original fields: each is
// copied verbatim except the ones the columns now own (`owned`), written from the columns at the position of
// their first occurrence (or at the end when absent). `fromColumns` (`full`) owns every known field (unknown
// fields are still copied where they were).
//
// Module state (the encoder being run) is set by encodeTwoPass: encoding is synchronous and never nested.
// A signal's items and the fields of its own messages are written by its FieldWriter subclass, called once
// per scope (items) and once per field written from the columns (field): call sites with at most three
// receiver classes, which V8 keeps polymorphic (inlinable), never per attribute.

import type { Arena, Table } from './layout';
import { Writer, WT_VARINT, WT_I64, WT_I32, WT_LEN, varintSize32, varintSize64, putVarint, copySeq, releaseCopyViews } from './wire';
import {
  R_STRIDE, R_RS_OFF, R_RS_LEN, R_MSG_OFF, R_MSG_LEN, R_SCHEMA_OFF, R_SCHEMA_LEN, R_UNK_OFF, R_UNK_LEN,
  R_DROPPED, R_ATTR_N, R_ATTR_FIRST, R_FIRST_SCOPE, R_SCOPE_COUNT, R_BITS, RB_DROPPED, RB_DIRTY, RB_DESC, RB_EXTRA,
  C_STRIDE, C_SS_OFF, C_SS_LEN, C_MSG_OFF, C_MSG_LEN, C_NAME_OFF, C_NAME_LEN, C_VERSION_OFF, C_VERSION_LEN,
  C_SCHEMA_OFF, C_SCHEMA_LEN, C_UNK_OFF, C_UNK_LEN, C_DROPPED, C_ATTR_N, C_ATTR_FIRST, C_FIRST_SPAN, C_SPAN_COUNT,
  C_BITS, CB_DROPPED, CB_DIRTY, CB_DESC, CB_EXTRA,
  A_STRIDE, A_KEY_OFF, A_KEY_LEN, A_V0, A_V1, A_RAW_OFF, A_RAW_LEN, A_TYPE, AB_VALUE, AB_EXTRA, T_MASK,
  T_STRING, T_BOOL, T_INT, T_DOUBLE, T_BYTES, T_ARRAY, T_KVLIST,
} from './layout';

/** What every signal's parts have. */
export interface EncodeParts {
  arena: Arena;
  res: Table;
  scopes: Table;
  attrs: Table;
  origLen: number;
}

/** Message kinds of the walker: these two here, the signals' own from K_FIRST_SIGNAL on. */
const K_RESOURCE = 0;
const K_SCOPE = 1;
export const K_FIRST_SIGNAL = 2;

// Field-number bitmasks of what the columns own in fromColumns mode.
const ALL_RESOURCE = 0x6; // 1..2 (entity_refs stay raw)
const ALL_SCOPE = 0x1e; // 1..4

/** A signal's part of the encoder: its items, and the fields of its own message kinds. */
export abstract class FieldWriter {
  /** Write items [first, first+count) of a scope wrapper (its field 2). */
  abstract items(first: number, count: number): void;
  /** Write field `field` of message kind `kind` (K_FIRST_SIGNAL and above), row `row`, from the columns. */
  abstract field(kind: number, row: number, field: number): void;
}

const EMPTY = new Uint8Array(0);
/** The writer of every encoder (a constant: V8 specializes the calls on it). */
export const w = new Writer();
let u8: Uint8Array = EMPTY;
let full = false;
let RES: Table;
let SCOPES: Table;
let ATTRS: Table;

/**
 * Encode `parts` in two passes with `w` (measure, then write into one exact-size Buffer); `fields` writes the
 * signal's items. The signal module binds its own state before (parts, bytes, fromColumns).
 */
export function encodeTwoPass(parts: EncodeParts, fromColumns: boolean, fields: FieldWriter): Buffer {
  u8 = parts.arena.u8;
  full = fromColumns;
  RES = parts.res;
  SCOPES = parts.scopes;
  ATTRS = parts.attrs;
  try {
    w.beginDry();
    emitAll(fields);
    const size = w.pos;
    // 8 spare bytes: long raw copies land equally aligned just after their place, then move (wire.ts seqCopy).
    const out = Buffer.allocUnsafe(size + 8);
    w.beginWrite(out);
    emitAll(fields);
    if (w.pos !== size) throw new Error(`pdata encoder: size mismatch ${w.pos} != ${size}`);
    return out.subarray(0, size);
  } finally {
    u8 = EMPTY;
    w.out = EMPTY;
    RES = SCOPES = ATTRS = undefined as unknown as Table;
    releaseCopyViews();
  }
}

/** true when the batch is exactly its original request (encode can return those bytes). */
export function isPristine(parts: EncodeParts): boolean {
  if (parts.origLen < 0) return false;
  const r32 = parts.res.i32;
  for (let r = 0; r < parts.res.rows; r++) {
    const rb = r * R_STRIDE;
    if (r32[rb + R_RS_OFF] < 0 || (r32[rb + R_BITS] & (RB_DIRTY | RB_DESC)) !== 0) return false;
  }
  return true;
}

// ---------------------------------------------------------------- resource and scope wrappers

function emitAll(fields: FieldWriter): void {
  const n = RES.rows;
  for (let r = 0; r < n; r++) {
    if (!openResource(r)) continue;
    const first = RES.i32[r * R_STRIDE + R_FIRST_SCOPE];
    const count = RES.i32[r * R_STRIDE + R_SCOPE_COUNT];
    for (let s = first; s < first + count; s++) {
      if (!openScope(s)) continue;
      fields.items(SCOPES.i32[s * C_STRIDE + C_FIRST_SPAN], SCOPES.i32[s * C_STRIDE + C_SPAN_COUNT]);
      closeScope(s);
    }
    closeResource(r);
  }
}

/**
 * Resource wrapper r (field 1 of the request): copied raw when nothing in it changed (returns false: done),
 * else opened and its Resource message written (returns true: write its scopes, then closeResource).
 */
function openResource(r: number): boolean {
  const r32 = RES.i32;
  const rb = r * R_STRIDE;
  const bits = r32[rb + R_BITS];
  if (!full && r32[rb + R_RS_OFF] >= 0 && (bits & (RB_DIRTY | RB_DESC)) === 0) {
    w.bytesField(1, u8, r32[rb + R_RS_OFF], r32[rb + R_RS_LEN]);
    return false;
  }
  w.begin(1);
  const msgOff = r32[rb + R_MSG_OFF];
  if (msgOff >= 0 || (bits & RB_DIRTY) !== 0) {
    if (!full && (bits & RB_DIRTY) === 0) w.bytesField(1, u8, msgOff, r32[rb + R_MSG_LEN]);
    else {
      w.begin(1);
      rewrite(null, K_RESOURCE, r, msgOff, r32[rb + R_MSG_LEN], full ? ALL_RESOURCE : 1 << 1, (bits & RB_EXTRA) !== 0, 0);
      w.end();
    }
  }
  return true;
}

/** The end of an opened resource wrapper: schema_url, unknown fields. */
function closeResource(r: number): void {
  const r32 = RES.i32;
  const rb = r * R_STRIDE;
  if (r32[rb + R_SCHEMA_OFF] >= 0) w.bytesField(3, u8, r32[rb + R_SCHEMA_OFF], r32[rb + R_SCHEMA_LEN]);
  if (r32[rb + R_UNK_OFF] >= 0) w.raw(u8, r32[rb + R_UNK_OFF], r32[rb + R_UNK_LEN]);
  w.end();
}

/** Scope wrapper s (field 2 of a resource wrapper), as openResource. */
function openScope(s: number): boolean {
  const c32 = SCOPES.i32;
  const cb = s * C_STRIDE;
  const bits = c32[cb + C_BITS];
  if (!full && c32[cb + C_SS_OFF] >= 0 && (bits & (CB_DIRTY | CB_DESC)) === 0) {
    w.bytesField(2, u8, c32[cb + C_SS_OFF], c32[cb + C_SS_LEN]);
    return false;
  }
  w.begin(2);
  const msgOff = c32[cb + C_MSG_OFF];
  if (msgOff >= 0 || (bits & CB_DIRTY) !== 0) {
    if (!full && (bits & CB_DIRTY) === 0) w.bytesField(1, u8, msgOff, c32[cb + C_MSG_LEN]);
    else {
      w.begin(1);
      rewrite(null, K_SCOPE, s, msgOff, c32[cb + C_MSG_LEN], full ? ALL_SCOPE : 1 << 3, (bits & CB_EXTRA) !== 0, 0);
      w.end();
    }
  }
  return true;
}

function closeScope(s: number): void {
  const c32 = SCOPES.i32;
  const cb = s * C_STRIDE;
  if (c32[cb + C_SCHEMA_OFF] >= 0) w.bytesField(3, u8, c32[cb + C_SCHEMA_OFF], c32[cb + C_SCHEMA_LEN]);
  if (c32[cb + C_UNK_OFF] >= 0) w.raw(u8, c32[cb + C_UNK_OFF], c32[cb + C_UNK_LEN]);
  w.end();
}

function resourceField(r: number, field: number): void {
  const r32 = RES.i32;
  const rb = r * R_STRIDE;
  if (field === 1) attrList(1, r32[rb + R_ATTR_FIRST], r32[rb + R_ATTR_N]);
  else if (field === 2 && (r32[rb + R_BITS] & RB_DROPPED) !== 0) {
    w.tag(2, WT_VARINT);
    w.varint32(r32[rb + R_DROPPED]);
  }
}

function scopeField(s: number, field: number): void {
  const c32 = SCOPES.i32;
  const cb = s * C_STRIDE;
  switch (field) {
    case 1: return bytesRef(1, c32[cb + C_NAME_OFF], c32[cb + C_NAME_LEN]);
    case 2: return bytesRef(2, c32[cb + C_VERSION_OFF], c32[cb + C_VERSION_LEN]);
    case 3: return attrList(3, c32[cb + C_ATTR_FIRST], c32[cb + C_ATTR_N]);
    case 4:
      if (c32[cb + C_BITS] & CB_DROPPED) {
        w.tag(4, WT_VARINT);
        w.varint32(c32[cb + C_DROPPED]);
      }
      return;
  }
}

/** A length-delimited field from an arena range, when present (off >= 0). */
export function bytesRef(field: number, off: number, len: number): void {
  if (off >= 0) w.bytesField(field, u8, off, len);
}

// ---------------------------------------------------------------- rewrite by walking the original fields

let rv = 0; // last varint read by rd (low 32 bits)

/** Read a varint at p of validated bytes (low 32 bits into rv); returns the new position. */
function rd(p: number): number {
  let c = u8[p++];
  if (c < 0x80) {
    rv = c;
    return p;
  }
  let v = c & 0x7f;
  let shift = 7;
  do {
    c = u8[p++];
    if (shift < 32) v |= (c & 0x7f) << shift;
    shift += 7;
  } while (c >= 0x80);
  rv = v >>> 0;
  return p;
}

function skipValue(wt: number, p: number): number {
  switch (wt) {
    case WT_VARINT:
      while (u8[p++] >= 0x80);
      return p;
    case WT_I64:
      return p + 8;
    case WT_I32:
      return p + 4;
    default: // WT_LEN (input is validated: no groups)
      p = rd(p);
      return p + rv;
  }
}

/**
 * Copy the fields of message content [off, off+len) verbatim, except fields in `owned` (bitmask of field
 * numbers): the first occurrence of each is replaced by the columns' value (written by `fields`, or here for
 * K_RESOURCE / K_SCOPE), later ones dropped; owned fields absent from the original are written at the end,
 * in field-number order. Without the original (off < 0), or from columns when the message has no `extra`
 * (unknown) fields to keep, only the owned fields are written, in field-number order. `oneof`: field numbers
 * written together as one (the data oneof of a Metric), else 0.
 */
export function rewrite(
  fields: FieldWriter | null, kind: number, row: number, off: number, len: number, owned: number, extra: boolean, oneof: number,
): void {
  let emitted = 0;
  if (off >= 0 && !(full && !extra)) {
    let p = off;
    const end = off + len;
    let run = p; // start of the pending run of fields copied verbatim
    while (p < end) {
      const t0 = p;
      p = rd(p);
      const tag = rv;
      const field = tag >>> 3;
      p = skipValue(tag & 7, p);
      if (field < 31 && ((owned >>> field) & 1) !== 0) {
        if (t0 > run) w.raw(u8, run, t0 - run);
        run = p;
        if (((emitted >>> field) & 1) === 0) {
          emitted |= ((oneof >>> field) & 1) !== 0 ? oneof : 1 << field;
          emitField(fields, kind, row, field);
        }
      }
    }
    if (end > run) w.raw(u8, run, end - run);
  }
  let rest = owned & ~emitted;
  for (let field = 1; rest !== 0 && field < 31; field++) {
    if ((rest >>> field) & 1) {
      rest &= ((oneof >>> field) & 1) !== 0 ? ~oneof : ~(1 << field);
      emitField(fields, kind, row, field);
    }
  }
}

function emitField(fields: FieldWriter | null, kind: number, row: number, field: number): void {
  if (kind === K_RESOURCE) resourceField(row, field);
  else if (kind === K_SCOPE) scopeField(row, field);
  else fields!.field(kind, row, field);
}

// ---------------------------------------------------------------- values and attributes

/** Content length of an AnyValue written from columns (type, v0, v1). */
function anyValueLen(type: number, v0: number, v1: number): number {
  switch (type) {
    case T_STRING:
    case T_BYTES:
    case T_ARRAY:
    case T_KVLIST:
      return 1 + varintSize32(v1) + v1;
    case T_BOOL: return 2;
    case T_INT: return 1 + varintSize64(v0, v1);
    case T_DOUBLE: return 9;
    default: return 0;
  }
}

/** An AnyValue message field written from a column triple (type, v0, v1). */
export function valueField(field: number, type: number, v0: number, v1: number): void {
  w.tag(field, WT_LEN);
  w.varint32(anyValueLen(type, v0, v1));
  switch (type) {
    case T_STRING: return w.bytesField(1, u8, v0, v1);
    case T_BYTES: return w.bytesField(7, u8, v0, v1);
    case T_ARRAY: return w.bytesField(5, u8, v0, v1);
    case T_KVLIST: return w.bytesField(6, u8, v0, v1);
    case T_BOOL:
      w.tag(2, WT_VARINT);
      w.varint32(v0 !== 0 ? 1 : 0);
      return;
    case T_INT:
      w.tag(3, WT_VARINT);
      w.varint64(v0, v1);
      return;
    case T_DOUBLE:
      w.tag(4, WT_I64);
      w.fixed64(v0, v1);
      return;
    default:
      return; // empty value
  }
}

/**
 * The attributes of an owner as repeated `field` (< 16). The hottest loop of the encoders, so it measures
 * (dry pass) and writes (write pass) KeyValues directly instead of through begin()/end(). Rows that still
 * have their wire bytes are copied raw unless `full` (fromColumns) asks for a rewrite.
 */
export function attrList(field: number, first: number, n: number): void {
  if (n === 0) return;
  if (first < 0) throw new Error('pdata encoder: attributes not parsed');
  const a32 = ATTRS.i32;
  const tagByte = (field << 3) | 2;
  const src = u8;
  const end = (first + n) * A_STRIDE;
  if (w.dry) {
    let pos = w.pos;
    for (let a = first * A_STRIDE; a < end; a += A_STRIDE) {
      const type = a32[a + A_TYPE];
      const rawOff = a32[a + A_RAW_OFF];
      if (rawOff >= 0 && (!full || (type & AB_EXTRA) !== 0)) {
        const len = a32[a + A_RAW_LEN];
        pos += 1 + varintSize32(len) + len;
        continue;
      }
      const keyLen = a32[a + A_KEY_LEN];
      let kvLen = a32[a + A_KEY_OFF] >= 0 ? 1 + varintSize32(keyLen) + keyLen : 0;
      let avLen = -1;
      if (type & AB_VALUE) {
        avLen = anyValueLen(type & T_MASK, a32[a + A_V0], a32[a + A_V1]);
        kvLen += 1 + varintSize32(avLen) + avLen;
      }
      w.pushLen(kvLen);
      w.pushLen(avLen);
      pos += 1 + varintSize32(kvLen) + kvLen;
    }
    w.pos = pos;
    return;
  }
  const o = w.out;
  let p = w.pos;
  // Pending run of raw KeyValues that are contiguous in the arena together with their original
  // tag+length headers (the usual case for untouched rows): copied with one copy.
  let runStart = -1;
  let runEnd = -1;
  for (let a = first * A_STRIDE; a < end; a += A_STRIDE) {
    const type = a32[a + A_TYPE];
    const rawOff = a32[a + A_RAW_OFF];
    if (rawOff >= 0 && (!full || (type & AB_EXTRA) !== 0)) {
      const len = a32[a + A_RAW_LEN];
      const hs = rawOff - 1 - varintSize32(len);
      if (hs >= 0 && src[hs] === tagByte && sameVarint(src, hs + 1, len)) {
        if (hs === runEnd) {
          runEnd = rawOff + len;
          continue;
        }
        if (runStart >= 0) {
          copySeq(o, p, src, runStart, runEnd - runStart);
          p += runEnd - runStart;
        }
        runStart = hs;
        runEnd = rawOff + len;
        continue;
      }
    }
    if (runStart >= 0) {
      copySeq(o, p, src, runStart, runEnd - runStart);
      p += runEnd - runStart;
      runStart = runEnd = -1;
    }
    o[p++] = tagByte;
    if (rawOff >= 0 && (!full || (type & AB_EXTRA) !== 0)) {
      const len = a32[a + A_RAW_LEN];
      p = putVarint(o, p, len);
      copySeq(o, p, src, rawOff, len);
      p += len;
      continue;
    }
    p = putVarint(o, p, w.nextLen());
    const avLen = w.nextLen();
    const keyOff = a32[a + A_KEY_OFF];
    if (keyOff >= 0) {
      const keyLen = a32[a + A_KEY_LEN];
      o[p++] = 0x0a;
      p = putVarint(o, p, keyLen);
      copySeq(o, p, src, keyOff, keyLen);
      p += keyLen;
    }
    if (avLen < 0) continue;
    o[p++] = 0x12;
    p = putVarint(o, p, avLen);
    const v0 = a32[a + A_V0];
    const v1 = a32[a + A_V1];
    switch (type & T_MASK) {
      case T_STRING:
      case T_BYTES:
      case T_ARRAY:
      case T_KVLIST: {
        const t = type & T_MASK;
        o[p++] = t === T_STRING ? 0x0a : t === T_BYTES ? 0x3a : t === T_ARRAY ? 0x2a : 0x32;
        p = putVarint(o, p, v1);
        copySeq(o, p, src, v0, v1);
        p += v1;
        break;
      }
      case T_BOOL:
        o[p++] = 0x10;
        o[p++] = v0 !== 0 ? 1 : 0;
        break;
      case T_INT:
        o[p++] = 0x18;
        w.pos = p;
        w.varint64(v0, v1);
        p = w.pos;
        break;
      case T_DOUBLE:
        o[p++] = 0x21;
        o[p] = v0 & 0xff; o[p + 1] = (v0 >>> 8) & 0xff; o[p + 2] = (v0 >>> 16) & 0xff; o[p + 3] = (v0 >>> 24) & 0xff;
        o[p + 4] = v1 & 0xff; o[p + 5] = (v1 >>> 8) & 0xff; o[p + 6] = (v1 >>> 16) & 0xff; o[p + 7] = (v1 >>> 24) & 0xff;
        p += 8;
        break;
      default:
        break; // empty value
    }
  }
  if (runStart >= 0) {
    copySeq(o, p, src, runStart, runEnd - runStart);
    p += runEnd - runStart;
  }
  w.pos = p;
}

/** true when src[p...] is exactly the minimal varint encoding of v. */
function sameVarint(src: Uint8Array, p: number, v: number): boolean {
  while (v >= 0x80) {
    if (src[p++] !== ((v & 0x7f) | 0x80)) return false;
    v >>>= 7;
  }
  return src[p] === v;
}
