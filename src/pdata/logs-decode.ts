// Lazy OTLP logs decoder: ExportLogsServiceRequest → the LogBatch tables (layout.ts, LOGS section).
//
// The request/resource/scope framing is the traces one and is decoded by decode.ts (decodeWrapped); this
// module decodes the LogRecords with decode.ts's reader toolkit. Every record is fully validated (framing,
// wire types, id lengths, attributes, body); attributes are parsed into the attribute table and the body
// is materialized as a JS value only when read.

import { Table } from './layout';
import {
  LR_STRIDE, LR_OFF, LR_LEN, LR_TIME_LO, LR_TIME_HI, LR_OBS_LO, LR_OBS_HI, LR_SEV, LR_STEXT_OFF, LR_STEXT_LEN,
  LR_BODY_OFF, LR_BODY_LEN, LR_BODY_TYPE, LR_BODY_V0, LR_BODY_V1, LR_DROPPED, LR_FLAGS, LR_TID_OFF, LR_TID_LEN,
  LR_SID_OFF, LR_SID_LEN, LR_EVENT_OFF, LR_EVENT_LEN, LR_ATTR_N, LR_ATTR_FIRST, LR_SCOPE, LR_BITS,
  LRB_TIME, LRB_OBS, LRB_SEV, LRB_FLAGS, LRB_DROPPED, LRB_BODY, LRB_EXTRA, LRB_BODY_EXTRA,
  T_EMPTY,
} from './layout';
import {
  decodeWrapped, readTag, readLen, readVarint, skipField, decodeFail, wrongType, checkIdLen, lastLo, inputBytes,
  validateKeyValue, scanValue, lastValueType, lastValueV0, lastValueV1, lastValueExtra,
  type AttrParts,
} from './decode';
import type { Arena } from './layout';

/** The tables of one LogBatch. */
export interface LogParts extends AttrParts {
  arena: Arena;
  res: Table;
  scopes: Table;
  logs: Table;
  attrs: Table;
  /** Length of the original request at arena offset 0 (-1: not a whole request). */
  origLen: number;
  attrHint: number;
}

/** Reused scratch table (copied into an exact-size shared table by decodeWrapped). */
const scratchLogs = new Table(LR_STRIDE, 1024, false);
let LT: Table = scratchLogs;
let recordAttrs = 0;

function rd32(u: Uint8Array, p: number): number {
  return u[p] | (u[p + 1] << 8) | (u[p + 2] << 16) | (u[p + 3] << 24);
}

/** Decode one LogRecord content [start, end) of scope `scope` into a new row of LT. */
function decodeLogRecord(start: number, end: number, scope: number): void {
  const u = inputBytes();
  const lb = LT.add();
  const l = LT.i32;
  l[lb + LR_OFF] = start;
  l[lb + LR_LEN] = end - start;
  l[lb + LR_TIME_LO] = 0;
  l[lb + LR_TIME_HI] = 0;
  l[lb + LR_OBS_LO] = 0;
  l[lb + LR_OBS_HI] = 0;
  l[lb + LR_SEV] = 0;
  l[lb + LR_STEXT_OFF] = -1;
  l[lb + LR_STEXT_LEN] = 0;
  l[lb + LR_BODY_OFF] = -1;
  l[lb + LR_BODY_LEN] = 0;
  l[lb + LR_BODY_TYPE] = T_EMPTY;
  l[lb + LR_BODY_V0] = 0;
  l[lb + LR_BODY_V1] = 0;
  l[lb + LR_DROPPED] = 0;
  l[lb + LR_FLAGS] = 0;
  l[lb + LR_TID_OFF] = -1;
  l[lb + LR_TID_LEN] = 0;
  l[lb + LR_SID_OFF] = -1;
  l[lb + LR_SID_LEN] = 0;
  l[lb + LR_EVENT_OFF] = -1;
  l[lb + LR_EVENT_LEN] = 0;
  l[lb + LR_ATTR_FIRST] = -1;
  l[lb + LR_SCOPE] = scope;
  let bits = 0;
  let nAttr = 0;
  let p = start;
  while (p < end) {
    const t0 = p;
    p = readTag(p, end);
    const tag = lastLo();
    switch (tag) {
      case 0x09: // time_unix_nano (fixed64)
        if (end - p < 8) decodeFail('truncated fixed64', p);
        l[lb + LR_TIME_LO] = rd32(u, p);
        l[lb + LR_TIME_HI] = rd32(u, p + 4);
        bits |= LRB_TIME;
        p += 8;
        break;
      case 0x10: // severity_number (enum)
        p = readVarint(p, end);
        l[lb + LR_SEV] = lastLo() | 0;
        bits |= LRB_SEV;
        break;
      case 0x1a: // severity_text
        p = readLen(p, end);
        l[lb + LR_STEXT_OFF] = p;
        l[lb + LR_STEXT_LEN] = lastLo();
        p += lastLo();
        break;
      case 0x2a: { // body (AnyValue): last occurrence wins, like protobufjs
        p = readLen(p, end);
        const n = lastLo();
        scanValue(p, p + n);
        l[lb + LR_BODY_OFF] = p;
        l[lb + LR_BODY_LEN] = n;
        l[lb + LR_BODY_TYPE] = lastValueType();
        l[lb + LR_BODY_V0] = lastValueV0();
        l[lb + LR_BODY_V1] = lastValueV1();
        bits = (bits & ~LRB_BODY_EXTRA) | LRB_BODY | (lastValueExtra() ? LRB_BODY_EXTRA : 0);
        p += n;
        break;
      }
      case 0x32: { // attributes
        p = readLen(p, end);
        const n = lastLo();
        validateKeyValue(p, p + n);
        p += n;
        nAttr++;
        break;
      }
      case 0x38: // dropped_attributes_count
        p = readVarint(p, end);
        l[lb + LR_DROPPED] = lastLo() | 0;
        bits |= LRB_DROPPED;
        break;
      case 0x45: // flags (fixed32)
        if (end - p < 4) decodeFail('truncated fixed32', p);
        l[lb + LR_FLAGS] = rd32(u, p);
        bits |= LRB_FLAGS;
        p += 4;
        break;
      case 0x4a: // trace_id
        p = readLen(p, end);
        if (lastLo() !== 16 && lastLo() !== 0) checkIdLen(lastLo(), 16, 'trace_id', t0);
        l[lb + LR_TID_OFF] = p;
        l[lb + LR_TID_LEN] = lastLo();
        p += lastLo();
        break;
      case 0x52: // span_id
        p = readLen(p, end);
        if (lastLo() !== 8 && lastLo() !== 0) checkIdLen(lastLo(), 8, 'span_id', t0);
        l[lb + LR_SID_OFF] = p;
        l[lb + LR_SID_LEN] = lastLo();
        p += lastLo();
        break;
      case 0x59: // observed_time_unix_nano (fixed64)
        if (end - p < 8) decodeFail('truncated fixed64', p);
        l[lb + LR_OBS_LO] = rd32(u, p);
        l[lb + LR_OBS_HI] = rd32(u, p + 4);
        bits |= LRB_OBS;
        p += 8;
        break;
      case 0x62: // event_name
        p = readLen(p, end);
        l[lb + LR_EVENT_OFF] = p;
        l[lb + LR_EVENT_LEN] = lastLo();
        p += lastLo();
        break;
      default: {
        const field = tag >>> 3;
        // field 4 is reserved (a removed field): kept raw like unknown fields, whatever its wire type
        if (field >= 1 && field <= 12 && field !== 4) wrongType(field, tag & 7, t0);
        p = skipField(tag & 7, p, end);
        bits |= LRB_EXTRA;
      }
    }
  }
  l[lb + LR_BITS] = bits;
  l[lb + LR_ATTR_N] = nAttr;
  recordAttrs += nAttr;
}

/**
 * Decode an ExportLogsServiceRequest: copy the bytes into a shared arena, validate everything, build the
 * index. With `eager`, resource and scope attributes are parsed at once (the caller parses the records').
 * Throws DecodeError on malformed input.
 */
export function decodeLogsRequest(bytes: Uint8Array, eager: boolean): LogParts {
  LT = scratchLogs;
  recordAttrs = 0;
  const w = decodeWrapped(bytes, eager, scratchLogs, decodeLogRecord);
  return {
    arena: w.arena,
    res: w.res,
    scopes: w.scopes,
    logs: w.items,
    attrs: w.attrs,
    origLen: w.origLen,
    attrHint: w.attrHint + recordAttrs,
  };
}
