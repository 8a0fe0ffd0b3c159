// OTLP trace encoder: writes ExportTraceServiceRequest bytes from a batch's tables (layout.ts).
//
// Default mode copies the raw bytes of everything untouched (a whole ResourceSpans, ScopeSpans, Span,
// Event, Link or KeyValue). A modified message is rewritten by walking its original fields: each field is
// copied verbatim except the ones the columns now own (its dirty fields), which are written from the
// columns at the position of their first occurrence (or at the end when they were absent).
// `fromColumns` mode owns every known field: everything is written from the columns (unknown fields are
// still copied where they were). Two passes (Writer): measure, then write into one exact-size Buffer.

import type { Parts } from './decode';
import { Writer, WT_VARINT, WT_I64, WT_I32, varintSize32, varintSize64, putVarint, copyBytes, releaseCopyViews } from './wire';
import {
  R_STRIDE, R_RS_OFF, R_RS_LEN, R_MSG_OFF, R_MSG_LEN, R_SCHEMA_OFF, R_SCHEMA_LEN, R_UNK_OFF, R_UNK_LEN,
  R_DROPPED, R_ATTR_N, R_ATTR_FIRST, R_FIRST_SCOPE, R_SCOPE_COUNT, R_BITS, RB_DROPPED, RB_DIRTY, RB_DESC, RB_EXTRA,
  C_STRIDE, C_SS_OFF, C_SS_LEN, C_MSG_OFF, C_MSG_LEN, C_NAME_OFF, C_NAME_LEN, C_VERSION_OFF, C_VERSION_LEN,
  C_SCHEMA_OFF, C_SCHEMA_LEN, C_UNK_OFF, C_UNK_LEN, C_DROPPED, C_ATTR_N, C_ATTR_FIRST, C_FIRST_SPAN,
  C_SPAN_COUNT, C_BITS, CB_DROPPED, CB_DIRTY, CB_DESC, CB_EXTRA,
  S_STRIDE, S_OFF, S_LEN, S_TID_OFF, S_TID_LEN, S_SID_OFF, S_SID_LEN, S_PSID_OFF, S_PSID_LEN, S_TSTATE_OFF,
  S_TSTATE_LEN, S_NAME_OFF, S_NAME_LEN, S_STATUS_OFF, S_STATUS_LEN, S_SMSG_OFF, S_SMSG_LEN, S_SCODE, S_KIND,
  S_START_LO, S_START_HI, S_END_LO, S_END_HI, S_FLAGS, S_DROP_ATTRS, S_DROP_EVENTS, S_DROP_LINKS, S_ATTR_N,
  S_EVENT_N, S_LINK_N, S_ATTR_FIRST, S_EVENT_FIRST, S_LINK_FIRST, S_BITS,
  SB_KIND, SB_START, SB_END, SB_FLAGS, SB_DROP_ATTRS, SB_DROP_EVENTS, SB_DROP_LINKS, SB_SCODE, SB_STATUS_SET,
  SB_STATUS_EXTRA, SB_EXTRA, SD_NAME, SD_ATTRS, SD_EVENTS, SD_LINKS, SD_STATUS, SD_ANY,
  A_STRIDE, A_KEY_OFF, A_KEY_LEN, A_V0, A_V1, A_RAW_OFF, A_RAW_LEN, A_TYPE, AB_VALUE, AB_EXTRA, T_MASK,
  T_STRING, T_BOOL, T_INT, T_DOUBLE, T_BYTES, T_ARRAY, T_KVLIST,
  E_STRIDE, E_OFF, E_LEN, E_NAME_OFF, E_NAME_LEN, E_TIME_LO, E_TIME_HI, E_DROPPED, E_ATTR_N, E_ATTR_FIRST,
  E_BITS, EB_TIME, EB_DROPPED, EB_DIRTY, EB_EXTRA,
  L_STRIDE, L_OFF, L_LEN, L_TID_OFF, L_TID_LEN, L_SID_OFF, L_SID_LEN, L_TSTATE_OFF, L_TSTATE_LEN, L_FLAGS,
  L_DROPPED, L_ATTR_N, L_ATTR_FIRST, L_BITS, LB_FLAGS, LB_DROPPED, LB_DIRTY, LB_EXTRA,
} from './layout';

const K_RESOURCE = 0;
const K_SCOPE = 1;
const K_SPAN = 2;
const K_EVENT = 3;
const K_LINK = 4;
const K_STATUS = 5;

// Field-number bitmasks of what the columns own when a message is rewritten.
const ALL_SPAN = 0x1fffe; // fields 1..16
const ALL_EVENT = 0x1e; // 1..4
const ALL_LINK = 0x7e; // 1..6
const ALL_SCOPE = 0x1e; // 1..4
const ALL_RESOURCE = 0x6; // 1..2 (entity_refs stay raw)
const ALL_STATUS = 0xc; // 2..3

const w = new Writer();
let P: Parts;
let u8: Uint8Array;
let full = false;

/** Encode the batch. Parsing needed for `fromColumns` must be done by the caller (TraceBatch.parseAll). */
export function encodeParts(parts: Parts, fromColumns: boolean): Buffer {
  P = parts;
  u8 = parts.arena.u8;
  full = fromColumns;
  try {
    w.beginDry();
    emitAll();
    const size = w.pos;
    const out = Buffer.allocUnsafe(size);
    w.beginWrite(out);
    emitAll();
    if (w.pos !== size) throw new Error(`pdata encoder: size mismatch ${w.pos} != ${size}`);
    return out;
  } finally {
    P = undefined as unknown as Parts;
    u8 = EMPTY;
    w.out = EMPTY;
    releaseCopyViews();
  }
}
const EMPTY = new Uint8Array(0);

function emitAll(): void {
  const n = P.res.rows;
  for (let r = 0; r < n; r++) emitResourceSpans(r);
}

function emitResourceSpans(r: number): void {
  const r32 = P.res.i32;
  const rb = r * R_STRIDE;
  const bits = r32[rb + R_BITS];
  if (!full && r32[rb + R_RS_OFF] >= 0 && (bits & (RB_DIRTY | RB_DESC)) === 0) {
    w.bytesField(1, u8, r32[rb + R_RS_OFF], r32[rb + R_RS_LEN]);
    return;
  }
  w.begin(1);
  const msgOff = r32[rb + R_MSG_OFF];
  if (msgOff >= 0 || (bits & RB_DIRTY) !== 0) {
    if (!full && (bits & RB_DIRTY) === 0) w.bytesField(1, u8, msgOff, r32[rb + R_MSG_LEN]);
    else {
      w.begin(1);
      rewrite(K_RESOURCE, r, msgOff, r32[rb + R_MSG_LEN], full ? ALL_RESOURCE : 1 << 1);
      w.end();
    }
  }
  const first = r32[rb + R_FIRST_SCOPE];
  const count = r32[rb + R_SCOPE_COUNT];
  for (let s = first; s < first + count; s++) emitScopeSpans(s);
  if (r32[rb + R_SCHEMA_OFF] >= 0) w.bytesField(3, u8, r32[rb + R_SCHEMA_OFF], r32[rb + R_SCHEMA_LEN]);
  if (r32[rb + R_UNK_OFF] >= 0) w.raw(u8, r32[rb + R_UNK_OFF], r32[rb + R_UNK_LEN]);
  w.end();
}

function emitScopeSpans(s: number): void {
  const c32 = P.scopes.i32;
  const cb = s * C_STRIDE;
  const bits = c32[cb + C_BITS];
  if (!full && c32[cb + C_SS_OFF] >= 0 && (bits & (CB_DIRTY | CB_DESC)) === 0) {
    w.bytesField(2, u8, c32[cb + C_SS_OFF], c32[cb + C_SS_LEN]);
    return;
  }
  w.begin(2);
  const msgOff = c32[cb + C_MSG_OFF];
  if (msgOff >= 0 || (bits & CB_DIRTY) !== 0) {
    if (!full && (bits & CB_DIRTY) === 0) w.bytesField(1, u8, msgOff, c32[cb + C_MSG_LEN]);
    else {
      w.begin(1);
      rewrite(K_SCOPE, s, msgOff, c32[cb + C_MSG_LEN], full ? ALL_SCOPE : 1 << 3);
      w.end();
    }
  }
  const first = c32[cb + C_FIRST_SPAN];
  const count = c32[cb + C_SPAN_COUNT];
  for (let i = first; i < first + count; i++) emitSpan(i);
  if (c32[cb + C_SCHEMA_OFF] >= 0) w.bytesField(3, u8, c32[cb + C_SCHEMA_OFF], c32[cb + C_SCHEMA_LEN]);
  if (c32[cb + C_UNK_OFF] >= 0) w.raw(u8, c32[cb + C_UNK_OFF], c32[cb + C_UNK_LEN]);
  w.end();
}

function emitSpan(i: number): void {
  const s32 = P.spans.i32;
  const sb = i * S_STRIDE;
  const bits = s32[sb + S_BITS];
  if (!full && (bits & SD_ANY) === 0) {
    w.bytesField(2, u8, s32[sb + S_OFF], s32[sb + S_LEN]);
    return;
  }
  let owned = ALL_SPAN;
  if (!full) {
    owned = 0;
    if (bits & SD_NAME) owned |= 1 << 5;
    if (bits & SD_ATTRS) owned |= 1 << 9;
    if (bits & SD_EVENTS) owned |= 1 << 11;
    if (bits & SD_LINKS) owned |= 1 << 13;
    if (bits & SD_STATUS) owned |= 1 << 15;
  }
  w.begin(2);
  rewrite(K_SPAN, i, s32[sb + S_OFF], s32[sb + S_LEN], owned);
  w.end();
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
 * numbers): the first occurrence of each is replaced by the columns' value, later ones dropped; owned
 * fields absent from the original are written at the end, in field-number order.
 */
function rewrite(kind: number, row: number, off: number, len: number, owned: number): void {
  let emitted = 0;
  // fromColumns and nothing but known fields: write them in field-number order without walking the bytes
  if (off >= 0 && !(full && !hasExtra(kind, row))) {
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
          emitted |= 1 << field;
          emitField(kind, row, field);
        }
      }
    }
    if (end > run) w.raw(u8, run, end - run);
  }
  let rest = owned & ~emitted;
  for (let field = 1; rest !== 0 && field < 31; field++) {
    if ((rest >>> field) & 1) {
      rest &= ~(1 << field);
      emitField(kind, row, field);
    }
  }
}

/** true when the message has fields the columns do not hold (unknown fields, entity_refs). */
function hasExtra(kind: number, row: number): boolean {
  switch (kind) {
    case K_SPAN: return (P.spans.i32[row * S_STRIDE + S_BITS] & SB_EXTRA) !== 0;
    case K_EVENT: return (P.events.i32[row * E_STRIDE + E_BITS] & EB_EXTRA) !== 0;
    case K_LINK: return (P.links.i32[row * L_STRIDE + L_BITS] & LB_EXTRA) !== 0;
    case K_SCOPE: return (P.scopes.i32[row * C_STRIDE + C_BITS] & CB_EXTRA) !== 0;
    case K_RESOURCE: return (P.res.i32[row * R_STRIDE + R_BITS] & RB_EXTRA) !== 0;
    default: return (P.spans.i32[row * S_STRIDE + S_BITS] & SB_STATUS_EXTRA) !== 0;
  }
}

function emitField(kind: number, row: number, field: number): void {
  switch (kind) {
    case K_SPAN:
      return spanField(row, field);
    case K_EVENT:
      return eventField(row, field);
    case K_LINK:
      return linkField(row, field);
    case K_SCOPE:
      return scopeField(row, field);
    case K_RESOURCE:
      return resourceField(row, field);
    case K_STATUS:
      return statusField(row, field);
  }
}

function bytesRef(field: number, off: number, len: number): void {
  if (off >= 0) w.bytesField(field, u8, off, len);
}

function spanField(i: number, field: number): void {
  const s32 = P.spans.i32;
  const sb = i * S_STRIDE;
  const bits = s32[sb + S_BITS];
  switch (field) {
    case 1: return bytesRef(1, s32[sb + S_TID_OFF], s32[sb + S_TID_LEN]);
    case 2: return bytesRef(2, s32[sb + S_SID_OFF], s32[sb + S_SID_LEN]);
    case 3: return bytesRef(3, s32[sb + S_TSTATE_OFF], s32[sb + S_TSTATE_LEN]);
    case 4: return bytesRef(4, s32[sb + S_PSID_OFF], s32[sb + S_PSID_LEN]);
    case 5: return bytesRef(5, s32[sb + S_NAME_OFF], s32[sb + S_NAME_LEN]);
    case 6:
      if (bits & SB_KIND) {
        w.tag(6, WT_VARINT);
        const k = s32[sb + S_KIND];
        w.varint64(k, k < 0 ? 0xffffffff : 0); // enums are int32: negative values sign-extend to 10 bytes
      }
      return;
    case 7:
      if (bits & SB_START) {
        w.tag(7, WT_I64);
        w.fixed64(s32[sb + S_START_LO], s32[sb + S_START_HI]);
      }
      return;
    case 8:
      if (bits & SB_END) {
        w.tag(8, WT_I64);
        w.fixed64(s32[sb + S_END_LO], s32[sb + S_END_HI]);
      }
      return;
    case 9:
      return attrList(9, s32[sb + S_ATTR_FIRST], s32[sb + S_ATTR_N]);
    case 10:
      if (bits & SB_DROP_ATTRS) {
        w.tag(10, WT_VARINT);
        w.varint32(s32[sb + S_DROP_ATTRS]);
      }
      return;
    case 11: {
      const first = s32[sb + S_EVENT_FIRST];
      const n = s32[sb + S_EVENT_N];
      for (let e = first; e < first + n; e++) emitEvent(e);
      return;
    }
    case 12:
      if (bits & SB_DROP_EVENTS) {
        w.tag(12, WT_VARINT);
        w.varint32(s32[sb + S_DROP_EVENTS]);
      }
      return;
    case 13: {
      const first = s32[sb + S_LINK_FIRST];
      const n = s32[sb + S_LINK_N];
      for (let l = first; l < first + n; l++) emitLink(l);
      return;
    }
    case 14:
      if (bits & SB_DROP_LINKS) {
        w.tag(14, WT_VARINT);
        w.varint32(s32[sb + S_DROP_LINKS]);
      }
      return;
    case 15:
      if (s32[sb + S_STATUS_OFF] >= 0 || (bits & SB_STATUS_SET) !== 0) {
        w.begin(15);
        if (bits & SB_STATUS_EXTRA) rewrite(K_STATUS, i, s32[sb + S_STATUS_OFF], s32[sb + S_STATUS_LEN], ALL_STATUS);
        else {
          statusField(i, 2);
          statusField(i, 3);
        }
        w.end();
      }
      return;
    case 16:
      if (bits & SB_FLAGS) {
        w.tag(16, WT_I32);
        w.fixed32(s32[sb + S_FLAGS]);
      }
      return;
  }
}

function statusField(i: number, field: number): void {
  const s32 = P.spans.i32;
  const sb = i * S_STRIDE;
  if (field === 2) bytesRef(2, s32[sb + S_SMSG_OFF], s32[sb + S_SMSG_LEN]);
  else if (field === 3 && (s32[sb + S_BITS] & SB_SCODE) !== 0) {
    w.tag(3, WT_VARINT);
    const c = s32[sb + S_SCODE];
    w.varint64(c, c < 0 ? 0xffffffff : 0);
  }
}

function emitEvent(e: number): void {
  const e32 = P.events.i32;
  const eb = e * E_STRIDE;
  if (!full && (e32[eb + E_BITS] & EB_DIRTY) === 0) {
    w.bytesField(11, u8, e32[eb + E_OFF], e32[eb + E_LEN]);
    return;
  }
  w.begin(11);
  rewrite(K_EVENT, e, e32[eb + E_OFF], e32[eb + E_LEN], full ? ALL_EVENT : 1 << 3);
  w.end();
}

function eventField(e: number, field: number): void {
  const e32 = P.events.i32;
  const eb = e * E_STRIDE;
  const bits = e32[eb + E_BITS];
  switch (field) {
    case 1:
      if (bits & EB_TIME) {
        w.tag(1, WT_I64);
        w.fixed64(e32[eb + E_TIME_LO], e32[eb + E_TIME_HI]);
      }
      return;
    case 2: return bytesRef(2, e32[eb + E_NAME_OFF], e32[eb + E_NAME_LEN]);
    case 3: return attrList(3, e32[eb + E_ATTR_FIRST], e32[eb + E_ATTR_N]);
    case 4:
      if (bits & EB_DROPPED) {
        w.tag(4, WT_VARINT);
        w.varint32(e32[eb + E_DROPPED]);
      }
      return;
  }
}

function emitLink(l: number): void {
  const l32 = P.links.i32;
  const lb = l * L_STRIDE;
  if (!full && (l32[lb + L_BITS] & LB_DIRTY) === 0) {
    w.bytesField(13, u8, l32[lb + L_OFF], l32[lb + L_LEN]);
    return;
  }
  w.begin(13);
  rewrite(K_LINK, l, l32[lb + L_OFF], l32[lb + L_LEN], full ? ALL_LINK : 1 << 4);
  w.end();
}

function linkField(l: number, field: number): void {
  const l32 = P.links.i32;
  const lb = l * L_STRIDE;
  const bits = l32[lb + L_BITS];
  switch (field) {
    case 1: return bytesRef(1, l32[lb + L_TID_OFF], l32[lb + L_TID_LEN]);
    case 2: return bytesRef(2, l32[lb + L_SID_OFF], l32[lb + L_SID_LEN]);
    case 3: return bytesRef(3, l32[lb + L_TSTATE_OFF], l32[lb + L_TSTATE_LEN]);
    case 4: return attrList(4, l32[lb + L_ATTR_FIRST], l32[lb + L_ATTR_N]);
    case 5:
      if (bits & LB_DROPPED) {
        w.tag(5, WT_VARINT);
        w.varint32(l32[lb + L_DROPPED]);
      }
      return;
    case 6:
      if (bits & LB_FLAGS) {
        w.tag(6, WT_I32);
        w.fixed32(l32[lb + L_FLAGS]);
      }
      return;
  }
}

function scopeField(s: number, field: number): void {
  const c32 = P.scopes.i32;
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

function resourceField(r: number, field: number): void {
  const r32 = P.res.i32;
  const rb = r * R_STRIDE;
  if (field === 1) attrList(1, r32[rb + R_ATTR_FIRST], r32[rb + R_ATTR_N]);
  else if (field === 2 && (r32[rb + R_BITS] & RB_DROPPED) !== 0) {
    w.tag(2, WT_VARINT);
    w.varint32(r32[rb + R_DROPPED]);
  }
}

// ---------------------------------------------------------------- attributes

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

/**
 * The attributes of an owner as repeated `field` (< 16). The hottest loop of the encoder, so it measures
 * (dry pass) and writes (write pass) KeyValues directly instead of through begin()/end(). Rows that still
 * have their wire bytes are copied raw unless `full` (fromColumns) asks for a rewrite.
 */
function attrList(field: number, first: number, n: number): void {
  if (first < 0) throw new Error('pdata encoder: attributes not parsed');
  const a32 = P.attrs.i32;
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
          copyBytes(o, p, src, runStart, runEnd - runStart);
          p += runEnd - runStart;
        }
        runStart = hs;
        runEnd = rawOff + len;
        continue;
      }
    }
    if (runStart >= 0) {
      copyBytes(o, p, src, runStart, runEnd - runStart);
      p += runEnd - runStart;
      runStart = runEnd = -1;
    }
    o[p++] = tagByte;
    if (rawOff >= 0 && (!full || (type & AB_EXTRA) !== 0)) {
      const len = a32[a + A_RAW_LEN];
      p = putVarint(o, p, len);
      copyBytes(o, p, src, rawOff, len);
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
      copyBytes(o, p, src, keyOff, keyLen);
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
        copyBytes(o, p, src, v0, v1);
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
    copyBytes(o, p, src, runStart, runEnd - runStart);
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

/** true when the batch is exactly its original request (encode can return those bytes). */
export function isPristine(parts: Parts): boolean {
  if (parts.origLen < 0) return false;
  const r32 = parts.res.i32;
  for (let r = 0; r < parts.res.rows; r++) {
    const rb = r * R_STRIDE;
    if (r32[rb + R_RS_OFF] < 0 || (r32[rb + R_BITS] & (RB_DIRTY | RB_DESC)) !== 0) return false;
  }
  return true;
}
