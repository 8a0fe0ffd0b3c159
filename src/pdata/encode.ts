// OTLP trace encoder: writes ExportTraceServiceRequest bytes from a batch's tables (layout.ts), on the shared
// encoder core (encode-common.ts: two passes, resource/scope wrappers, field walker, attribute lists).
//
// Default mode copies the raw bytes of everything untouched (a whole ResourceSpans, ScopeSpans, Span,
// Event, Link or KeyValue). A modified message is rewritten by walking its original fields: each field is
// copied verbatim except the ones the columns now own (its dirty fields), which are written from the
// columns at the position of their first occurrence (or at the end when they were absent).
// `fromColumns` mode owns every known field: everything is written from the columns (unknown fields are
// still copied where they were).

import type { Parts } from './decode';
import { WT_VARINT, WT_I64, WT_I32 } from './wire';
import { w, FieldWriter, K_FIRST_SIGNAL, encodeTwoPass, rewrite, bytesRef, attrList } from './encode-common';
import {
  S_STRIDE, S_OFF, S_LEN, S_TID_OFF, S_TID_LEN, S_SID_OFF, S_SID_LEN, S_PSID_OFF, S_PSID_LEN, S_TSTATE_OFF,
  S_TSTATE_LEN, S_NAME_OFF, S_NAME_LEN, S_STATUS_OFF, S_STATUS_LEN, S_SMSG_OFF, S_SMSG_LEN, S_SCODE, S_KIND,
  S_START_LO, S_START_HI, S_END_LO, S_END_HI, S_FLAGS, S_DROP_ATTRS, S_DROP_EVENTS, S_DROP_LINKS, S_ATTR_N,
  S_EVENT_N, S_LINK_N, S_ATTR_FIRST, S_EVENT_FIRST, S_LINK_FIRST, S_BITS,
  SB_KIND, SB_START, SB_END, SB_FLAGS, SB_DROP_ATTRS, SB_DROP_EVENTS, SB_DROP_LINKS, SB_SCODE, SB_STATUS_SET,
  SB_STATUS_EXTRA, SB_EXTRA, SD_NAME, SD_ATTRS, SD_EVENTS, SD_LINKS, SD_STATUS, SD_ANY,
  E_STRIDE, E_OFF, E_LEN, E_NAME_OFF, E_NAME_LEN, E_TIME_LO, E_TIME_HI, E_DROPPED, E_ATTR_N, E_ATTR_FIRST,
  E_BITS, EB_TIME, EB_DROPPED, EB_DIRTY, EB_EXTRA,
  L_STRIDE, L_OFF, L_LEN, L_TID_OFF, L_TID_LEN, L_SID_OFF, L_SID_LEN, L_TSTATE_OFF, L_TSTATE_LEN, L_FLAGS,
  L_DROPPED, L_ATTR_N, L_ATTR_FIRST, L_BITS, LB_FLAGS, LB_DROPPED, LB_DIRTY, LB_EXTRA,
} from './layout';

const K_SPAN = K_FIRST_SIGNAL;
const K_EVENT = K_FIRST_SIGNAL + 1;
const K_LINK = K_FIRST_SIGNAL + 2;
const K_STATUS = K_FIRST_SIGNAL + 3;

// Field-number bitmasks of what the columns own when a message is rewritten.
const ALL_SPAN = 0x1fffe; // fields 1..16
const ALL_EVENT = 0x1e; // 1..4
const ALL_LINK = 0x7e; // 1..6
const ALL_STATUS = 0xc; // 2..3

const EMPTY = new Uint8Array(0);
let P: Parts;
let u8: Uint8Array = EMPTY;
let full = false;

class SpanFields extends FieldWriter {
  items(first: number, count: number): void {
    for (let i = first; i < first + count; i++) emitSpan(i);
  }
  field(kind: number, row: number, field: number): void {
    switch (kind) {
      case K_SPAN:
        return spanField(row, field);
      case K_EVENT:
        return eventField(row, field);
      case K_LINK:
        return linkField(row, field);
      case K_STATUS:
        return statusField(row, field);
    }
  }
}
const FIELDS = new SpanFields();

/** Encode the batch. Parsing needed for `fromColumns` must be done by the caller (TraceBatch.parseAll). */
export function encodeParts(parts: Parts, fromColumns: boolean): Buffer {
  P = parts;
  u8 = parts.arena.u8;
  full = fromColumns;
  try {
    return encodeTwoPass(parts, fromColumns, FIELDS);
  } finally {
    P = undefined as unknown as Parts;
    u8 = EMPTY;
  }
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
  rewrite(FIELDS, K_SPAN, i, s32[sb + S_OFF], s32[sb + S_LEN], owned, (bits & SB_EXTRA) !== 0, 0);
  w.end();
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
        if (bits & SB_STATUS_EXTRA) rewrite(FIELDS, K_STATUS, i, s32[sb + S_STATUS_OFF], s32[sb + S_STATUS_LEN], ALL_STATUS, true, 0);
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
  rewrite(FIELDS, K_EVENT, e, e32[eb + E_OFF], e32[eb + E_LEN], full ? ALL_EVENT : 1 << 3, (e32[eb + E_BITS] & EB_EXTRA) !== 0, 0);
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
  rewrite(FIELDS, K_LINK, l, l32[lb + L_OFF], l32[lb + L_LEN], full ? ALL_LINK : 1 << 4, (l32[lb + L_BITS] & LB_EXTRA) !== 0, 0);
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
