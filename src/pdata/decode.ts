// Lazy OTLP trace decoder: validates the framing of the whole ExportTraceServiceRequest and builds the
// resource / scope / span index (layout.ts). Attributes, events and links are validated here but parsed
// into their tables only on demand (parseAttrs / parseEvents / parseLinks), or at once with `eager`.
//
// Everything is synchronous and uses module state (current bytes, last varint) for speed: no per-span
// objects, no BigInt, no string decoding.
//
// The other signals reuse it: decodeWrapped decodes their request/resource/scope framing (identical to the
// traces one) and calls their item decoder, which reads with the reader toolkit at the end of this file.

import { DecodeError } from '../errors';
import {
  Arena, Table,
  R_STRIDE, R_RS_OFF, R_RS_LEN, R_MSG_OFF, R_MSG_LEN, R_SCHEMA_OFF, R_SCHEMA_LEN, R_UNK_OFF, R_UNK_LEN,
  R_DROPPED, R_ATTR_N, R_ATTR_FIRST, R_FIRST_SCOPE, R_SCOPE_COUNT, R_BITS, RB_DROPPED, RB_EXTRA,
  C_STRIDE, C_SS_OFF, C_SS_LEN, C_MSG_OFF, C_MSG_LEN, C_NAME_OFF, C_NAME_LEN, C_VERSION_OFF, C_VERSION_LEN,
  C_SCHEMA_OFF, C_SCHEMA_LEN, C_UNK_OFF, C_UNK_LEN, C_DROPPED, C_ATTR_N, C_ATTR_FIRST, C_RESOURCE,
  C_FIRST_SPAN, C_SPAN_COUNT, C_BITS, CB_DROPPED, CB_EXTRA,
  S_STRIDE, S_OFF, S_LEN, S_TID_OFF, S_TID_LEN, S_SID_OFF, S_SID_LEN, S_PSID_OFF, S_PSID_LEN, S_TSTATE_OFF,
  S_TSTATE_LEN, S_NAME_OFF, S_NAME_LEN, S_STATUS_OFF, S_STATUS_LEN, S_SMSG_OFF, S_SMSG_LEN, S_SCODE, S_KIND,
  S_START_LO, S_START_HI, S_END_LO, S_END_HI, S_FLAGS, S_DROP_ATTRS, S_DROP_EVENTS, S_DROP_LINKS, S_ATTR_N,
  S_EVENT_N, S_LINK_N, S_ATTR_FIRST, S_EVENT_FIRST, S_LINK_FIRST, S_SCOPE, S_BITS,
  SB_KIND, SB_START, SB_END, SB_FLAGS, SB_DROP_ATTRS, SB_DROP_EVENTS, SB_DROP_LINKS, SB_SCODE, SB_EXTRA,
  SB_STATUS_EXTRA,
  A_STRIDE, A_KEY_OFF, A_KEY_LEN, A_V0, A_V1, A_RAW_OFF, A_RAW_LEN, A_TYPE, AB_VALUE, AB_EXTRA,
  T_EMPTY, T_STRING, T_BOOL, T_INT, T_DOUBLE, T_BYTES, T_ARRAY, T_KVLIST,
  E_STRIDE, E_OFF, E_LEN, E_NAME_OFF, E_NAME_LEN, E_TIME_LO, E_TIME_HI, E_DROPPED, E_ATTR_N, E_ATTR_FIRST,
  E_BITS, EB_TIME, EB_DROPPED, EB_EXTRA,
  L_STRIDE, L_OFF, L_LEN, L_TID_OFF, L_TID_LEN, L_SID_OFF, L_SID_LEN, L_TSTATE_OFF, L_TSTATE_LEN, L_FLAGS,
  L_DROPPED, L_ATTR_N, L_ATTR_FIRST, L_BITS, LB_FLAGS, LB_DROPPED, LB_EXTRA, copyStats,
} from './layout';
import { bulkCopy } from './wire';

/** Deepest AnyValue nesting (arrays/kvlists inside values) accepted; deeper input is rejected. */
export const MAX_VALUE_DEPTH = 128;

/** What attribute parsing needs of a batch (TraceBatch's Parts, and the other signals' parts). */
export interface AttrParts {
  arena: Arena;
  attrs: Table;
  /** Total attribute count (capacity hint for lazy parsing). */
  attrHint: number;
}

/** The tables of one batch (TraceBatch holds exactly these). */
export interface Parts {
  arena: Arena;
  res: Table;
  scopes: Table;
  spans: Table;
  attrs: Table;
  events: Table;
  links: Table;
  /** Length of the original request at arena offset 0 (-1: not a whole request). */
  origLen: number;
  /** Total attribute count (capacity hint for lazy parsing). */
  attrHint: number;
}

// ---------------------------------------------------------------- module state

let b: Uint8Array = new Uint8Array(0);
let vlo = 0; // last varint, low 32 bits (unsigned)
let vhi = 0; // last varint, high 32 bits
let eager = false;
let attrCount = 0; // attributes seen during decode (hint)
// Target tables (decode: scratch tables; lazy parsing: the batch's tables).
let RT: Table, CT: Table, ST: Table, AT: Table, ET: Table, LT: Table;
// Items of the scope wrappers (decodeScopeSpans): spans (ST, decodeSpan) for traces; the other signals'
// items through decodeWrapped (their decoder and table).
let IT: Table;
let decodeItem: (start: number, end: number, scope: number) => void = decodeSpan;
// Unknown ResourceSpans / ScopeSpans fields found during decode: [kind(0 res, 1 scope), row, off, len]*
let pendingUnknown: number[] = [];

// Reused scratch tables for decode (copied into exact-size shared tables at the end).
const scratch = {
  res: new Table(R_STRIDE, 16, false),
  scopes: new Table(C_STRIDE, 16, false),
  spans: new Table(S_STRIDE, 1024, false),
  attrs: new Table(A_STRIDE, 1024, false),
  events: new Table(E_STRIDE, 64, false),
  links: new Table(L_STRIDE, 64, false),
};

function fail(msg: string, p: number): never {
  throw new DecodeError(`malformed OTLP protobuf: ${msg} at byte ${p}`);
}

// ---------------------------------------------------------------- readers

/** Read a varint at p (sets vlo/vhi); returns the new position. */
function rv(p: number, end: number): number {
  if (p < end) {
    const c = b[p];
    if (c < 0x80) {
      vlo = c;
      vhi = 0;
      return p + 1;
    }
  }
  return rvSlow(p, end);
}

function rvSlow(p: number, end: number): number {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < 10; i++) {
    if (p >= end) fail('truncated varint', p);
    const c = b[p++];
    if (i < 4) lo |= (c & 0x7f) << (7 * i);
    else if (i === 4) {
      lo |= (c & 0x0f) << 28;
      hi = (c & 0x70) >>> 4;
    } else hi |= (c & 0x7f) << (7 * i - 32);
    if (c < 0x80) {
      if (i === 9 && c > 1) fail('varint overflows 64 bits', p - 1);
      vlo = lo >>> 0;
      vhi = hi >>> 0;
      return p;
    }
  }
  return fail('varint longer than 10 bytes', p);
}

/** Read a tag (sets vlo = tag); rejects field number 0 and numbers above 2^29-1. */
function rtag(p: number, end: number): number {
  const c = b[p]; // caller guarantees p < end
  if (c < 0x80) {
    if (c < 8) fail('invalid field number 0', p);
    vlo = c;
    return p + 1;
  }
  const q = rvSlow(p, end);
  if (vhi !== 0 || vlo < 8) fail('invalid field number', p);
  return q;
}

/** Read a length prefix (sets vlo = length, checked against end); returns the content position. */
function rlen(p: number, end: number): number {
  let c: number;
  if (p < end && (c = b[p]) < 0x80) {
    if (c > end - p - 1) fail('length past end of message', p);
    vlo = c;
    return p + 1;
  }
  const q = rvSlow(p, end);
  if (vhi !== 0 || vlo > end - q) fail('length past end of message', p);
  return q;
}

function u32(p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

/** Skip a field value of wire type wt starting at p. */
function skip(wt: number, p: number, end: number): number {
  switch (wt) {
    case 0:
      return rv(p, end);
    case 1:
      if (end - p < 8) fail('truncated fixed64', p);
      return p + 8;
    case 2:
      p = rlen(p, end);
      return p + vlo;
    case 5:
      if (end - p < 4) fail('truncated fixed32', p);
      return p + 4;
    case 3:
    case 4:
      return fail('group wire type not supported', p);
    default:
      return fail(`invalid wire type ${wt}`, p);
  }
}

function wrongType(field: number, wt: number, p: number): never {
  return fail(`wrong wire type ${wt} for field ${field}`, p);
}

// ---------------------------------------------------------------- values (KeyValue / AnyValue)

// Result of scanAnyValue (module state so no object is allocated).
let avType = T_EMPTY;
let avV0 = 0;
let avV1 = 0;
let avExtra = false;

/** Validate an AnyValue's content [p, end) and set av*. */
function scanAnyValue(p: number, end: number, depth: number): void {
  if (depth > MAX_VALUE_DEPTH) fail('values nested too deeply', p);
  let type = T_EMPTY;
  let v0 = 0;
  let v1 = 0;
  let extra = false;
  while (p < end) {
    const t0 = p;
    p = rtag(p, end);
    const tag = vlo;
    switch (tag) {
      case 0x0a: // string_value
        p = rlen(p, end);
        type = T_STRING; v0 = p; v1 = vlo;
        p += vlo;
        break;
      case 0x10: // bool_value
        p = rv(p, end);
        type = T_BOOL; v0 = vlo !== 0 || vhi !== 0 ? 1 : 0; v1 = 0;
        break;
      case 0x18: // int_value
        p = rv(p, end);
        type = T_INT; v0 = vlo | 0; v1 = vhi | 0;
        break;
      case 0x21: // double_value
        if (end - p < 8) fail('truncated double', p);
        type = T_DOUBLE; v0 = u32(p) | 0; v1 = u32(p + 4) | 0;
        p += 8;
        break;
      case 0x2a: { // array_value
        p = rlen(p, end);
        const n = vlo;
        validateArray(p, p + n, depth + 1);
        type = T_ARRAY; v0 = p; v1 = n;
        p += n;
        break;
      }
      case 0x32: { // kvlist_value
        p = rlen(p, end);
        const n = vlo;
        validateKvlist(p, p + n, depth + 1);
        type = T_KVLIST; v0 = p; v1 = n;
        p += n;
        break;
      }
      case 0x3a: // bytes_value
        p = rlen(p, end);
        type = T_BYTES; v0 = p; v1 = vlo;
        p += vlo;
        break;
      default: {
        const field = tag >>> 3;
        if (field >= 1 && field <= 7) wrongType(field, tag & 7, t0);
        // field 8 (string_value_strindex, profiles only) and unknown fields: kept raw
        p = skip(tag & 7, p, end);
        extra = true;
      }
    }
  }
  avType = type; avV0 = v0; avV1 = v1; avExtra = extra;
}

function validateArray(p: number, end: number, depth: number): void {
  while (p < end) {
    const t0 = p;
    p = rtag(p, end);
    const tag = vlo;
    if (tag === 0x0a) {
      p = rlen(p, end);
      const n = vlo;
      scanAnyValue(p, p + n, depth);
      p += n;
    } else {
      if (tag >>> 3 === 1) wrongType(1, tag & 7, t0);
      p = skip(tag & 7, p, end);
    }
  }
}

function validateKvlist(p: number, end: number, depth: number): void {
  while (p < end) {
    const t0 = p;
    p = rtag(p, end);
    const tag = vlo;
    if (tag === 0x0a) {
      p = rlen(p, end);
      const n = vlo;
      scanKV(p, p + n, depth, false);
      p += n;
    } else {
      if (tag >>> 3 === 1) wrongType(1, tag & 7, t0);
      p = skip(tag & 7, p, end);
    }
  }
}

/** Validate a KeyValue content [start, end); when `emit`, append its row to AT. */
function scanKV(start: number, end: number, depth: number, emit: boolean): void {
  // Fast path (emit): key + string value with 1-byte lengths, nothing else.
  if (emit && end - start >= 6 && b[start] === 0x0a) {
    const kl = b[start + 1];
    const q = start + 2 + kl;
    if (kl < 0x80 && q + 4 <= end && end - q - 2 < 0x80 && b[q] === 0x12 && b[q + 1] === end - q - 2 && b[q + 2] === 0x0a && b[q + 3] === end - q - 4) {
      const a = AT.add();
      const i32 = AT.i32;
      i32[a + A_KEY_OFF] = start + 2;
      i32[a + A_KEY_LEN] = kl;
      i32[a + A_V0] = q + 4;
      i32[a + A_V1] = end - q - 4;
      i32[a + A_RAW_OFF] = start;
      i32[a + A_RAW_LEN] = end - start;
      i32[a + A_TYPE] = T_STRING | AB_VALUE;
      return;
    }
  }
  let p = start;
  let keyOff = -1;
  let keyLen = 0;
  let type = T_EMPTY;
  let v0 = 0;
  let v1 = 0;
  let bits = 0;
  while (p < end) {
    const t0 = p;
    p = rtag(p, end);
    const tag = vlo;
    if (tag === 0x0a) {
      p = rlen(p, end);
      keyOff = p; keyLen = vlo;
      p += vlo;
    } else if (tag === 0x12) {
      p = rlen(p, end);
      const n = vlo;
      scanAnyValue(p, p + n, depth + 1);
      type = avType; v0 = avV0; v1 = avV1;
      bits = AB_VALUE | (avExtra ? AB_EXTRA : 0) | (bits & AB_EXTRA);
      p += n;
    } else {
      const field = tag >>> 3;
      if (field === 1 || field === 2) wrongType(field, tag & 7, t0);
      p = skip(tag & 7, p, end); // key_strindex (profiles only) and unknown fields: kept raw
      bits |= AB_EXTRA;
    }
  }
  if (emit) {
    const a = AT.add();
    const i32 = AT.i32;
    i32[a + A_KEY_OFF] = keyOff;
    i32[a + A_KEY_LEN] = keyLen;
    i32[a + A_V0] = v0;
    i32[a + A_V1] = v1;
    i32[a + A_RAW_OFF] = start;
    i32[a + A_RAW_LEN] = end - start;
    i32[a + A_TYPE] = type | bits;
  }
}

/**
 * Validate a KeyValue [p, end) without emitting a row. Fast path for the common shape (key and value with
 * 1-byte lengths, the value a single string/int/bool/double field): plain byte checks, no calls. Anything
 * else (or anything the fast path is unsure about) goes through scanKV, which is authoritative.
 */
function validateKV(p: number, end: number): void {
  if (end - p >= 4 && b[p] === 0x0a) {
    const kl = b[p + 1];
    let q = p + 2 + kl;
    if (kl < 0x80 && q + 2 <= end && b[q] === 0x12) {
      const vl = b[q + 1];
      if (vl < 0x80 && q + 2 + vl === end) {
        q += 2;
        if (vl === 0) return;
        const t = b[q];
        if (t === 0x0a) {
          const sl = b[q + 1];
          if (sl < 0x80 && q + 2 + sl === end) return;
        } else if (t === 0x18 || t === 0x10) {
          // a varint of at most 9 bytes ending exactly at end
          let r = q + 1;
          while (r < end && b[r] >= 0x80) r++;
          if (r === end - 1 && end - q - 1 <= 9) return;
        } else if (t === 0x21 && vl === 9) return;
      }
    }
  }
  scanKV(p, end, 0, false);
}

/** Walk the fields of a message [p, end) and scan every KeyValue in field `field` (validated input). */
function emitAttrsOf(p: number, end: number, field: number): number {
  const want = (field << 3) | 2;
  const first = AT.rows;
  while (p < end) {
    p = rtag(p, end);
    const tag = vlo;
    if (tag === want) {
      p = rlen(p, end);
      const n = vlo;
      scanKV(p, p + n, 0, true);
      p += n;
    } else p = skip(tag & 7, p, end);
  }
  return first;
}

// ---------------------------------------------------------------- events and links

/** Validate an Event (decode); returns its attribute count. */
function validateEvent(p: number, end: number): number {
  let n = 0;
  while (p < end) {
    const t0 = p;
    p = rtag(p, end);
    const tag = vlo;
    switch (tag) {
      case 0x09:
        if (end - p < 8) fail('truncated fixed64', p);
        p += 8;
        break;
      case 0x12:
        p = rlen(p, end);
        p += vlo;
        break;
      case 0x1a: {
        p = rlen(p, end);
        const len = vlo;
        validateKV(p, p + len);
        p += len;
        n++;
        break;
      }
      case 0x20:
        p = rv(p, end);
        break;
      default: {
        const field = tag >>> 3;
        if (field >= 1 && field <= 4) wrongType(field, tag & 7, t0);
        p = skip(tag & 7, p, end);
      }
    }
  }
  return n;
}

function checkIdLen(len: number, want: number, what: string, p: number): void {
  if (len !== 0 && len !== want) fail(`${what} must be 0 or ${want} bytes, got ${len}`, p);
}

/** Validate a Link (decode); returns its attribute count. */
function validateLink(p: number, end: number): number {
  let n = 0;
  while (p < end) {
    const t0 = p;
    p = rtag(p, end);
    const tag = vlo;
    switch (tag) {
      case 0x0a:
        p = rlen(p, end);
        checkIdLen(vlo, 16, 'link trace_id', t0);
        p += vlo;
        break;
      case 0x12:
        p = rlen(p, end);
        checkIdLen(vlo, 8, 'link span_id', t0);
        p += vlo;
        break;
      case 0x1a:
        p = rlen(p, end);
        p += vlo;
        break;
      case 0x22: {
        p = rlen(p, end);
        const len = vlo;
        validateKV(p, p + len);
        p += len;
        n++;
        break;
      }
      case 0x28:
        p = rv(p, end);
        break;
      case 0x35:
        if (end - p < 4) fail('truncated fixed32', p);
        p += 4;
        break;
      default: {
        const field = tag >>> 3;
        if (field >= 1 && field <= 6) wrongType(field, tag & 7, t0);
        p = skip(tag & 7, p, end);
      }
    }
  }
  return n;
}

/** Append the event rows of span row `sb` (validated input) to ET; attributes too when `withAttrs`. */
function emitEvents(sb: number, withAttrs: boolean): number {
  const s32 = ST.i32;
  let p = s32[sb + S_OFF];
  const end = p + s32[sb + S_LEN];
  const first = ET.rows;
  while (p < end) {
    p = rtag(p, end);
    const tag = vlo;
    if (tag !== 0x5a) {
      p = skip(tag & 7, p, end);
      continue;
    }
    p = rlen(p, end);
    const eEnd = p + vlo;
    const e = ET.add();
    const e32 = ET.i32;
    e32[e + E_OFF] = p;
    e32[e + E_LEN] = eEnd - p;
    e32[e + E_NAME_OFF] = -1;
    e32[e + E_NAME_LEN] = 0;
    e32[e + E_TIME_LO] = 0;
    e32[e + E_TIME_HI] = 0;
    e32[e + E_DROPPED] = 0;
    let bits = 0;
    let n = 0;
    while (p < eEnd) {
      p = rtag(p, eEnd);
      const t = vlo;
      if (t === 0x09) {
        e32[e + E_TIME_LO] = u32(p) | 0;
        e32[e + E_TIME_HI] = u32(p + 4) | 0;
        bits |= EB_TIME;
        p += 8;
      } else if (t === 0x12) {
        p = rlen(p, eEnd);
        e32[e + E_NAME_OFF] = p;
        e32[e + E_NAME_LEN] = vlo;
        p += vlo;
      } else if (t === 0x1a) {
        n++;
        p = rlen(p, eEnd);
        p += vlo;
      } else if (t === 0x20) {
        p = rv(p, eEnd);
        e32[e + E_DROPPED] = vlo | 0;
        bits |= EB_DROPPED;
      } else {
        p = skip(t & 7, p, eEnd);
        bits |= EB_EXTRA;
      }
    }
    e32[e + E_ATTR_N] = n;
    e32[e + E_ATTR_FIRST] = -1;
    e32[e + E_BITS] = bits;
    if (withAttrs) {
      const f = emitAttrsOf(ET.i32[e + E_OFF], eEnd, 3);
      ET.i32[e + E_ATTR_FIRST] = f;
      ET.i32[e + E_ATTR_N] = AT.rows - f;
    }
  }
  return first;
}

function emitLinks(sb: number, withAttrs: boolean): number {
  const s32 = ST.i32;
  let p = s32[sb + S_OFF];
  const end = p + s32[sb + S_LEN];
  const first = LT.rows;
  while (p < end) {
    p = rtag(p, end);
    const tag = vlo;
    if (tag !== 0x6a) {
      p = skip(tag & 7, p, end);
      continue;
    }
    p = rlen(p, end);
    const lEnd = p + vlo;
    const l = LT.add();
    const l32 = LT.i32;
    l32[l + L_OFF] = p;
    l32[l + L_LEN] = lEnd - p;
    l32[l + L_TID_OFF] = -1;
    l32[l + L_TID_LEN] = 0;
    l32[l + L_SID_OFF] = -1;
    l32[l + L_SID_LEN] = 0;
    l32[l + L_TSTATE_OFF] = -1;
    l32[l + L_TSTATE_LEN] = 0;
    l32[l + L_FLAGS] = 0;
    l32[l + L_DROPPED] = 0;
    let bits = 0;
    let n = 0;
    while (p < lEnd) {
      p = rtag(p, lEnd);
      const t = vlo;
      switch (t) {
        case 0x0a:
          p = rlen(p, lEnd);
          l32[l + L_TID_OFF] = p;
          l32[l + L_TID_LEN] = vlo;
          p += vlo;
          break;
        case 0x12:
          p = rlen(p, lEnd);
          l32[l + L_SID_OFF] = p;
          l32[l + L_SID_LEN] = vlo;
          p += vlo;
          break;
        case 0x1a:
          p = rlen(p, lEnd);
          l32[l + L_TSTATE_OFF] = p;
          l32[l + L_TSTATE_LEN] = vlo;
          p += vlo;
          break;
        case 0x22:
          n++;
          p = rlen(p, lEnd);
          p += vlo;
          break;
        case 0x28:
          p = rv(p, lEnd);
          l32[l + L_DROPPED] = vlo | 0;
          bits |= LB_DROPPED;
          break;
        case 0x35:
          l32[l + L_FLAGS] = u32(p) | 0;
          bits |= LB_FLAGS;
          p += 4;
          break;
        default:
          p = skip(t & 7, p, lEnd);
          bits |= LB_EXTRA;
      }
    }
    l32[l + L_ATTR_N] = n;
    l32[l + L_ATTR_FIRST] = -1;
    l32[l + L_BITS] = bits;
    if (withAttrs) {
      const f = emitAttrsOf(LT.i32[l + L_OFF], lEnd, 4);
      LT.i32[l + L_ATTR_FIRST] = f;
      LT.i32[l + L_ATTR_N] = AT.rows - f;
    }
  }
  return first;
}

// ---------------------------------------------------------------- spans

function decodeStatus(sb: number, p: number, end: number): void {
  const s32 = ST.i32;
  s32[sb + S_STATUS_OFF] = p;
  s32[sb + S_STATUS_LEN] = end - p;
  // last occurrence wins (like protobufjs): reset what an earlier Status set
  s32[sb + S_SMSG_OFF] = -1;
  s32[sb + S_SMSG_LEN] = 0;
  s32[sb + S_SCODE] = 0;
  let bits = s32[sb + S_BITS] & ~(SB_SCODE | SB_STATUS_EXTRA);
  while (p < end) {
    const t0 = p;
    p = rtag(p, end);
    const tag = vlo;
    if (tag === 0x12) {
      p = rlen(p, end);
      s32[sb + S_SMSG_OFF] = p;
      s32[sb + S_SMSG_LEN] = vlo;
      p += vlo;
    } else if (tag === 0x18) {
      p = rv(p, end);
      s32[sb + S_SCODE] = vlo | 0;
      bits |= SB_SCODE;
    } else {
      const field = tag >>> 3;
      if (field === 2 || field === 3) wrongType(field, tag & 7, t0);
      p = skip(tag & 7, p, end);
      bits |= SB_STATUS_EXTRA;
    }
  }
  s32[sb + S_BITS] = bits;
}

function decodeSpan(start: number, end: number, scope: number): void {
  const sb = ST.add();
  const s32 = ST.i32;
  s32[sb + S_OFF] = start;
  s32[sb + S_LEN] = end - start;
  s32[sb + S_TID_OFF] = -1;
  s32[sb + S_TID_LEN] = 0;
  s32[sb + S_SID_OFF] = -1;
  s32[sb + S_SID_LEN] = 0;
  s32[sb + S_PSID_OFF] = -1;
  s32[sb + S_PSID_LEN] = 0;
  s32[sb + S_TSTATE_OFF] = -1;
  s32[sb + S_TSTATE_LEN] = 0;
  s32[sb + S_NAME_OFF] = -1;
  s32[sb + S_NAME_LEN] = 0;
  s32[sb + S_STATUS_OFF] = -1;
  s32[sb + S_STATUS_LEN] = 0;
  s32[sb + S_SMSG_OFF] = -1;
  s32[sb + S_SMSG_LEN] = 0;
  s32[sb + S_SCODE] = 0;
  s32[sb + S_KIND] = 0;
  s32[sb + S_START_LO] = 0;
  s32[sb + S_START_HI] = 0;
  s32[sb + S_END_LO] = 0;
  s32[sb + S_END_HI] = 0;
  s32[sb + S_FLAGS] = 0;
  s32[sb + S_DROP_ATTRS] = 0;
  s32[sb + S_DROP_EVENTS] = 0;
  s32[sb + S_DROP_LINKS] = 0;
  s32[sb + S_ATTR_FIRST] = -1;
  s32[sb + S_EVENT_FIRST] = -1;
  s32[sb + S_LINK_FIRST] = -1;
  s32[sb + S_SCOPE] = scope;
  s32[sb + S_BITS] = 0;
  let bits = 0;
  let nAttr = 0;
  let nEvent = 0;
  let nLink = 0;
  let attrFirst = -1;
  if (eager) attrFirst = AT.rows;
  let p = start;
  while (p < end) {
    const t0 = p;
    let tag = b[p];
    if (tag < 0x80) {
      if (tag < 8) fail('invalid field number 0', p);
      p++;
    } else {
      p = rtag(p, end);
      tag = vlo;
    }
    switch (tag) {
      case 0x0a: // trace_id
        p = rlen(p, end);
        if (vlo !== 16 && vlo !== 0) checkIdLen(vlo, 16, 'trace_id', t0);
        s32[sb + S_TID_OFF] = p;
        s32[sb + S_TID_LEN] = vlo;
        p += vlo;
        break;
      case 0x12: // span_id
        p = rlen(p, end);
        if (vlo !== 8 && vlo !== 0) checkIdLen(vlo, 8, 'span_id', t0);
        s32[sb + S_SID_OFF] = p;
        s32[sb + S_SID_LEN] = vlo;
        p += vlo;
        break;
      case 0x1a: // trace_state
        p = rlen(p, end);
        s32[sb + S_TSTATE_OFF] = p;
        s32[sb + S_TSTATE_LEN] = vlo;
        p += vlo;
        break;
      case 0x22: // parent_span_id
        p = rlen(p, end);
        if (vlo !== 8 && vlo !== 0) checkIdLen(vlo, 8, 'parent_span_id', t0);
        s32[sb + S_PSID_OFF] = p;
        s32[sb + S_PSID_LEN] = vlo;
        p += vlo;
        break;
      case 0x2a: // name
        p = rlen(p, end);
        s32[sb + S_NAME_OFF] = p;
        s32[sb + S_NAME_LEN] = vlo;
        p += vlo;
        break;
      case 0x30: // kind
        p = rv(p, end);
        s32[sb + S_KIND] = vlo | 0;
        bits |= SB_KIND;
        break;
      case 0x39: // start_time_unix_nano
        if (end - p < 8) fail('truncated fixed64', p);
        s32[sb + S_START_LO] = b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
        s32[sb + S_START_HI] = b[p + 4] | (b[p + 5] << 8) | (b[p + 6] << 16) | (b[p + 7] << 24);
        bits |= SB_START;
        p += 8;
        break;
      case 0x41: // end_time_unix_nano
        if (end - p < 8) fail('truncated fixed64', p);
        s32[sb + S_END_LO] = b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
        s32[sb + S_END_HI] = b[p + 4] | (b[p + 5] << 8) | (b[p + 6] << 16) | (b[p + 7] << 24);
        bits |= SB_END;
        p += 8;
        break;
      case 0x4a: { // attributes
        p = rlen(p, end);
        const n = vlo;
        if (eager) scanKV(p, p + n, 0, true);
        else validateKV(p, p + n);
        p += n;
        nAttr++;
        break;
      }
      case 0x50: // dropped_attributes_count
        p = rv(p, end);
        s32[sb + S_DROP_ATTRS] = vlo | 0;
        bits |= SB_DROP_ATTRS;
        break;
      case 0x5a: { // events
        p = rlen(p, end);
        const n = vlo;
        attrCount += validateEvent(p, p + n);
        p += n;
        nEvent++;
        break;
      }
      case 0x60:
        p = rv(p, end);
        s32[sb + S_DROP_EVENTS] = vlo | 0;
        bits |= SB_DROP_EVENTS;
        break;
      case 0x6a: { // links
        p = rlen(p, end);
        const n = vlo;
        attrCount += validateLink(p, p + n);
        p += n;
        nLink++;
        break;
      }
      case 0x70:
        p = rv(p, end);
        s32[sb + S_DROP_LINKS] = vlo | 0;
        bits |= SB_DROP_LINKS;
        break;
      case 0x7a: { // status
        p = rlen(p, end);
        const n = vlo;
        s32[sb + S_BITS] = bits;
        decodeStatus(sb, p, p + n);
        bits = s32[sb + S_BITS];
        p += n;
        break;
      }
      case 0x85: // flags (field 16, fixed32): wire bytes 0x85 0x01
        if (end - p < 4) fail('truncated fixed32', p);
        s32[sb + S_FLAGS] = b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
        bits |= SB_FLAGS;
        p += 4;
        break;
      default: {
        const field = tag >>> 3;
        if (field >= 1 && field <= 16) wrongType(field, tag & 7, t0);
        p = skip(tag & 7, p, end);
        bits |= SB_EXTRA;
      }
    }
  }
  s32[sb + S_BITS] = bits;
  s32[sb + S_ATTR_N] = nAttr;
  s32[sb + S_EVENT_N] = nEvent;
  s32[sb + S_LINK_N] = nLink;
  attrCount += nAttr;
  if (eager) {
    s32[sb + S_ATTR_FIRST] = attrFirst;
    if (nEvent > 0) ST.i32[sb + S_EVENT_FIRST] = emitEvents(sb, true);
    else s32[sb + S_EVENT_FIRST] = ET.rows;
    if (nLink > 0) ST.i32[sb + S_LINK_FIRST] = emitLinks(sb, true);
    else ST.i32[sb + S_LINK_FIRST] = LT.rows;
  }
}

// ---------------------------------------------------------------- resources and scopes

function decodeResourceMsg(rb: number, p: number, end: number): void {
  const r32 = RT.i32;
  r32[rb + R_MSG_OFF] = p;
  r32[rb + R_MSG_LEN] = end - p;
  r32[rb + R_DROPPED] = 0;
  let bits = 0;
  let n = 0;
  const first = AT.rows;
  while (p < end) {
    const t0 = p;
    p = rtag(p, end);
    const tag = vlo;
    if (tag === 0x0a) {
      p = rlen(p, end);
      const len = vlo;
      scanKV(p, p + len, 0, eager);
      p += len;
      n++;
    } else if (tag === 0x10) {
      p = rv(p, end);
      RT.i32[rb + R_DROPPED] = vlo | 0;
      bits |= RB_DROPPED;
    } else if (tag === 0x1a) {
      // entity_refs: validate framing (all fields are strings), keep raw
      p = rlen(p, end);
      const eEnd = p + vlo;
      while (p < eEnd) {
        const e0 = p;
        p = rtag(p, eEnd);
        const et = vlo;
        const ef = et >>> 3;
        if (ef >= 1 && ef <= 4 && (et & 7) !== 2) wrongType(ef, et & 7, e0);
        p = skip(et & 7, p, eEnd);
      }
      bits |= RB_EXTRA;
    } else {
      const field = tag >>> 3;
      if (field >= 1 && field <= 3) wrongType(field, tag & 7, t0);
      p = skip(tag & 7, p, end);
      bits |= RB_EXTRA;
    }
  }
  attrCount += n;
  const r = RT.i32;
  r[rb + R_ATTR_N] = n;
  r[rb + R_ATTR_FIRST] = eager ? first : -1;
  r[rb + R_BITS] = bits;
}

function decodeScopeMsg(cb: number, p: number, end: number): void {
  const c32 = CT.i32;
  c32[cb + C_MSG_OFF] = p;
  c32[cb + C_MSG_LEN] = end - p;
  c32[cb + C_NAME_OFF] = -1;
  c32[cb + C_NAME_LEN] = 0;
  c32[cb + C_VERSION_OFF] = -1;
  c32[cb + C_VERSION_LEN] = 0;
  c32[cb + C_DROPPED] = 0;
  let bits = 0;
  let n = 0;
  const first = AT.rows;
  while (p < end) {
    const t0 = p;
    p = rtag(p, end);
    const tag = vlo;
    if (tag === 0x0a) {
      p = rlen(p, end);
      CT.i32[cb + C_NAME_OFF] = p;
      CT.i32[cb + C_NAME_LEN] = vlo;
      p += vlo;
    } else if (tag === 0x12) {
      p = rlen(p, end);
      CT.i32[cb + C_VERSION_OFF] = p;
      CT.i32[cb + C_VERSION_LEN] = vlo;
      p += vlo;
    } else if (tag === 0x1a) {
      p = rlen(p, end);
      const len = vlo;
      scanKV(p, p + len, 0, eager);
      p += len;
      n++;
    } else if (tag === 0x20) {
      p = rv(p, end);
      CT.i32[cb + C_DROPPED] = vlo | 0;
      bits |= CB_DROPPED;
    } else {
      const field = tag >>> 3;
      if (field >= 1 && field <= 4) wrongType(field, tag & 7, t0);
      p = skip(tag & 7, p, end);
      bits |= CB_EXTRA;
    }
  }
  attrCount += n;
  const c = CT.i32;
  c[cb + C_ATTR_N] = n;
  c[cb + C_ATTR_FIRST] = eager ? first : -1;
  c[cb + C_BITS] = bits;
}

function decodeScopeSpans(start: number, end: number, resource: number): void {
  const cb = CT.add();
  const s = CT.rows - 1;
  let c32 = CT.i32;
  c32[cb + C_SS_OFF] = start;
  c32[cb + C_SS_LEN] = end - start;
  c32[cb + C_MSG_OFF] = -1;
  c32[cb + C_MSG_LEN] = 0;
  c32[cb + C_NAME_OFF] = -1;
  c32[cb + C_NAME_LEN] = 0;
  c32[cb + C_VERSION_OFF] = -1;
  c32[cb + C_VERSION_LEN] = 0;
  c32[cb + C_SCHEMA_OFF] = -1;
  c32[cb + C_SCHEMA_LEN] = 0;
  c32[cb + C_UNK_OFF] = -1;
  c32[cb + C_UNK_LEN] = 0;
  c32[cb + C_DROPPED] = 0;
  c32[cb + C_ATTR_N] = 0;
  c32[cb + C_ATTR_FIRST] = eager ? AT.rows : -1;
  c32[cb + C_RESOURCE] = resource;
  c32[cb + C_FIRST_SPAN] = IT.rows;
  c32[cb + C_SPAN_COUNT] = 0;
  c32[cb + C_BITS] = 0;
  let p = start;
  while (p < end) {
    const t0 = p;
    p = rtag(p, end);
    const tag = vlo;
    if (tag === 0x12) {
      p = rlen(p, end);
      const n = vlo;
      decodeItem(p, p + n, s);
      p += n;
    } else if (tag === 0x0a) {
      p = rlen(p, end);
      const n = vlo;
      decodeScopeMsg(cb, p, p + n);
      p += n;
    } else if (tag === 0x1a) {
      p = rlen(p, end);
      CT.i32[cb + C_SCHEMA_OFF] = p;
      CT.i32[cb + C_SCHEMA_LEN] = vlo;
      p += vlo;
    } else {
      const field = tag >>> 3;
      if (field >= 1 && field <= 3) wrongType(field, tag & 7, t0);
      p = skip(tag & 7, p, end);
      pendingUnknown.push(1, s, t0, p - t0);
    }
  }
  c32 = CT.i32;
  c32[cb + C_SPAN_COUNT] = IT.rows - c32[cb + C_FIRST_SPAN];
}

function decodeResourceSpans(start: number, end: number): void {
  const rb = RT.add();
  const r = RT.rows - 1;
  let r32 = RT.i32;
  r32[rb + R_RS_OFF] = start;
  r32[rb + R_RS_LEN] = end - start;
  r32[rb + R_MSG_OFF] = -1;
  r32[rb + R_MSG_LEN] = 0;
  r32[rb + R_SCHEMA_OFF] = -1;
  r32[rb + R_SCHEMA_LEN] = 0;
  r32[rb + R_UNK_OFF] = -1;
  r32[rb + R_UNK_LEN] = 0;
  r32[rb + R_DROPPED] = 0;
  r32[rb + R_ATTR_N] = 0;
  r32[rb + R_ATTR_FIRST] = eager ? AT.rows : -1;
  r32[rb + R_FIRST_SCOPE] = CT.rows;
  r32[rb + R_SCOPE_COUNT] = 0;
  r32[rb + R_BITS] = 0;
  let p = start;
  while (p < end) {
    const t0 = p;
    p = rtag(p, end);
    const tag = vlo;
    if (tag === 0x12) {
      p = rlen(p, end);
      const n = vlo;
      decodeScopeSpans(p, p + n, r);
      p += n;
    } else if (tag === 0x0a) {
      p = rlen(p, end);
      const n = vlo;
      decodeResourceMsg(rb, p, p + n);
      p += n;
    } else if (tag === 0x1a) {
      p = rlen(p, end);
      RT.i32[rb + R_SCHEMA_OFF] = p;
      RT.i32[rb + R_SCHEMA_LEN] = vlo;
      p += vlo;
    } else {
      const field = tag >>> 3;
      if (field >= 1 && field <= 3) wrongType(field, tag & 7, t0);
      p = skip(tag & 7, p, end);
      pendingUnknown.push(0, r, t0, p - t0);
    }
  }
  r32 = RT.i32;
  r32[rb + R_SCOPE_COUNT] = CT.rows - r32[rb + R_FIRST_SCOPE];
}

// ---------------------------------------------------------------- entry points

/**
 * Decode an ExportTraceServiceRequest: copy the bytes into a shared arena, validate everything, build
 * the index. Throws DecodeError on malformed input.
 */
export function decodeRequest(bytes: Uint8Array, wantEager: boolean, adopt = false, capacity?: number): Parts {
  const len = bytes.length;
  if (len > 0x7fffffff) throw new DecodeError('request larger than 2 GiB');
  let arena: Arena;
  if (adopt && (bytes.byteOffset & 7) === 0) {
    // The caller hands its buffer region over (TraceBatch.decode's `adopt`): no copy. A plain ArrayBuffer is fine
    // for a batch that stays in this thread (the tail-sampling store's output in a worker); only SharedArrayBuffers
    // can be handed to another thread without a copy. The region may be a window of a larger slab (frame.ts).
    const room = Math.max(len, Math.min(capacity ?? bytes.buffer.byteLength - bytes.byteOffset, bytes.buffer.byteLength - bytes.byteOffset));
    arena = new Arena(0, len, bytes.buffer as SharedArrayBuffer, bytes.byteOffset, room);
  } else {
    arena = new Arena(len + (len >>> 3) + 64, len);
    bulkCopy(arena.u8, 0, bytes, 0, len);
    copyStats.arenaBytes += len;
  }
  b = arena.u8;
  eager = wantEager;
  attrCount = 0;
  RT = scratch.res; CT = scratch.scopes; ST = scratch.spans;
  AT = scratch.attrs; ET = scratch.events; LT = scratch.links;
  RT.rows = CT.rows = ST.rows = AT.rows = ET.rows = LT.rows = 0;
  IT = ST;
  decodeItem = decodeSpan;
  pendingUnknown = [];
  decodeTop(len);
  const parts: Parts = {
    arena,
    res: RT.sharedCopy(),
    scopes: CT.sharedCopy(),
    spans: ST.sharedCopy(),
    attrs: AT.sharedCopy(),
    events: ET.sharedCopy(),
    links: LT.sharedCopy(),
    origLen: len,
    attrHint: attrCount,
  };
  if (pendingUnknown.length > 0) moveUnknownFields(arena, pendingUnknown, [parts.res, parts.scopes], [R_UNK_OFF, C_UNK_OFF]);
  pendingUnknown = [];
  return parts;
}

const EMPTY = new Uint8Array(0);

/** The request loop (field 1 = resource wrappers) over b[0, len); the tables must be bound. */
function decodeTop(len: number): void {
  try {
    let p = 0;
    while (p < len) {
      const t0 = p;
      p = rtag(p, len);
      const tag = vlo;
      if (tag === 0x0a) {
        p = rlen(p, len);
        const n = vlo;
        decodeResourceSpans(p, p + n);
        p += n;
      } else {
        if (tag >>> 3 === 1) wrongType(1, tag & 7, t0);
        p = skip(tag & 7, p, len);
      }
    }
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    // Defensive: nothing else should be thrown, but never let another type escape.
    throw new DecodeError(`malformed OTLP protobuf: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  } finally {
    b = EMPTY;
  }
}

/** The tables of a decoded request of another signal (logs, metrics): as Parts, with `items` for spans. */
export interface WrappedParts extends AttrParts {
  res: Table;
  scopes: Table;
  items: Table;
  origLen: number;
}

/**
 * Decode an Export{Logs,Metrics}ServiceRequest. Their framing is the traces one: request field 1 =
 * resource wrappers {resource = 1, scope wrappers = 2, schema_url = 3}, scope wrapper {scope = 1,
 * items = 2, schema_url = 3}; the resource and scope tables (R_*, C_* in layout.ts) are built exactly as
 * for traces, C_FIRST_SPAN/C_SPAN_COUNT indexing `items`. `item(start, end, scope)` decodes one item's
 * content [start, end) into a row of `itemScratch` with the reader toolkit below (it must not call
 * decodeRequest/decodeWrapped). `attrHint` counts resource and scope attributes only: add the items'.
 * Throws DecodeError on malformed input.
 */
export function decodeWrapped(
  bytes: Uint8Array, wantEager: boolean, itemScratch: Table,
  item: (start: number, end: number, scope: number) => void,
): WrappedParts {
  const len = bytes.length;
  if (len > 0x7fffffff) throw new DecodeError('request larger than 2 GiB');
  const arena = new Arena(len + (len >>> 3) + 64, len);
  bulkCopy(arena.u8, 0, bytes, 0, len);
  copyStats.arenaBytes += len;
  b = arena.u8;
  eager = wantEager;
  attrCount = 0;
  RT = scratch.res; CT = scratch.scopes; AT = scratch.attrs;
  IT = itemScratch;
  RT.rows = CT.rows = AT.rows = IT.rows = 0;
  decodeItem = item;
  pendingUnknown = [];
  try {
    decodeTop(len);
  } finally {
    decodeItem = decodeSpan;
  }
  const parts: WrappedParts = {
    arena,
    res: RT.sharedCopy(),
    scopes: CT.sharedCopy(),
    items: IT.sharedCopy(),
    attrs: AT.sharedCopy(),
    origLen: len,
    attrHint: attrCount,
  };
  if (pendingUnknown.length > 0) moveUnknownFields(arena, pendingUnknown, [parts.res, parts.scopes], [R_UNK_OFF, C_UNK_OFF]);
  pendingUnknown = [];
  return parts;
}

/**
 * Copy unknown fields found during decode to the end of the arena, concatenated per row. `pend` holds
 * [kind (0 or 1), row, off, len]*: kind k's rows are in tables[k], their (OFF, LEN) columns at offCols[k].
 */
export function moveUnknownFields(arena: Arena, pend: number[], tables: readonly [Table, Table], offCols: readonly [number, number]): void {
  const byRow = new Map<number, number[]>();
  for (let k = 0; k < pend.length; k += 4) {
    const key = pend[k] * 0x80000000 + pend[k + 1];
    let list = byRow.get(key);
    if (!list) byRow.set(key, (list = []));
    list.push(pend[k + 2], pend[k + 3]);
  }
  for (const [key, list] of byRow) {
    const kind = key >= 0x80000000 ? 1 : 0;
    const row = key % 0x80000000;
    const t = tables[kind];
    let total = 0;
    for (let m = 1; m < list.length; m += 2) total += list[m];
    const off = arena.reserve(total);
    let q = off;
    for (let m = 0; m < list.length; m += 2) {
      arena.u8.copyWithin(q, list[m], list[m] + list[m + 1]);
      q += list[m + 1];
    }
    t.i32[row * t.stride + offCols[kind]] = off;
    t.i32[row * t.stride + offCols[kind] + 1] = total;
  }
}

function bind(p: Parts): void {
  b = p.arena.u8;
  AT = p.attrs;
  ET = p.events;
  LT = p.links;
  ST = p.spans;
}

/** Parse the attributes of an owner message content [off, off+len) (attribute field `field`) into p.attrs. */
export function parseAttrRange(p: AttrParts, off: number, len: number, field: number, countHint: number): number {
  b = p.arena.u8;
  AT = p.attrs;
  if (AT.rows + countHint > AT.capacity) AT.ensure(Math.max(countHint, p.attrHint + (p.attrHint >>> 3)));
  try {
    return off < 0 ? AT.rows : emitAttrsOf(off, off + len, field);
  } finally {
    b = EMPTY;
  }
}

/** Parse the events of span row i into p.events; returns the first event row. */
export function parseEvents(p: Parts, i: number): number {
  bind(p);
  try {
    return emitEvents(i * S_STRIDE, false);
  } finally {
    b = EMPTY;
  }
}

export function parseLinks(p: Parts, i: number): number {
  bind(p);
  try {
    return emitLinks(i * S_STRIDE, false);
  } finally {
    b = EMPTY;
  }
}

/** Parse an ArrayValue / KeyValueList content range: calls back per element with the AnyValue scan result. */
export function forEachArrayValue(u8: Uint8Array, off: number, len: number, f: (type: number, v0: number, v1: number) => void): void {
  const saved = b;
  b = u8;
  try {
    let p = off;
    const end = off + len;
    while (p < end) {
      p = rtag(p, end);
      const tag = vlo;
      if (tag === 0x0a) {
        p = rlen(p, end);
        const n = vlo;
        scanAnyValue(p, p + n, 0);
        const t = avType, v0 = avV0, v1 = avV1;
        p += n;
        b = u8;
        f(t, v0, v1);
        b = u8;
      } else p = skip(tag & 7, p, end);
    }
  } finally {
    b = saved;
  }
}

/** Parse a KeyValueList content range: calls back per KeyValue with its key range and value. */
export function forEachKvlistValue(
  u8: Uint8Array, off: number, len: number,
  f: (keyOff: number, keyLen: number, type: number, v0: number, v1: number) => void,
): void {
  const saved = b;
  b = u8;
  try {
    let p = off;
    const end = off + len;
    while (p < end) {
      p = rtag(p, end);
      const tag = vlo;
      if (tag === 0x0a) {
        p = rlen(p, end);
        const kvEnd = p + vlo;
        let keyOff = -1, keyLen = 0, t = T_EMPTY, v0 = 0, v1 = 0;
        while (p < kvEnd) {
          p = rtag(p, kvEnd);
          const kt = vlo;
          if (kt === 0x0a) {
            p = rlen(p, kvEnd);
            keyOff = p; keyLen = vlo;
            p += vlo;
          } else if (kt === 0x12) {
            p = rlen(p, kvEnd);
            const n = vlo;
            scanAnyValue(p, p + n, 0);
            t = avType; v0 = avV0; v1 = avV1;
            p += n;
          } else p = skip(kt & 7, p, kvEnd);
        }
        f(keyOff, keyLen, t, v0, v1);
        b = u8;
      } else p = skip(tag & 7, p, end);
    }
  } finally {
    b = saved;
  }
}


// ---------------------------------------------------------------- reader toolkit for other modules
// The readers above for item decoders running inside decodeWrapped (logs, metrics): they share this
// module's state (the bytes being decoded, the last varint), so read lastLo()/lastHi() right after a call.
export { rv as readVarint, rtag as readTag, rlen as readLen, skip as skipField, fail as decodeFail, wrongType, checkIdLen };

/** Low / high 32 bits of the last varint (tag, length or value) read. */
export function lastLo(): number {
  return vlo;
}
export function lastHi(): number {
  return vhi;
}
/** The bytes being decoded (inside decodeWrapped: the arena). */
export function inputBytes(): Uint8Array {
  return b;
}
/** Validate a KeyValue content [p, end) without emitting a row (lazy attributes). */
export function validateKeyValue(p: number, end: number): void {
  validateKV(p, end);
}
/** Validate an AnyValue content [p, end); the result is read with lastValueType/V0/V1/Extra. */
export function scanValue(p: number, end: number): void {
  scanAnyValue(p, end, 0);
}
/** T_* of the last scanned value, its column words (as A_V0/A_V1), and whether it had unknown fields. */
export function lastValueType(): number {
  return avType;
}
export function lastValueV0(): number {
  return avV0;
}
export function lastValueV1(): number {
  return avV1;
}
export function lastValueExtra(): boolean {
  return avExtra;
}
