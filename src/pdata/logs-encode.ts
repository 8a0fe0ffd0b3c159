// OTLP logs encoder: writes ExportLogsServiceRequest bytes from a LogBatch's tables (layout.ts), on the shared
// encoder core (encode-common.ts) as the traces encoder: untouched ResourceLogs / ScopeLogs / LogRecord /
// KeyValue bytes are copied; a modified message is rewritten by walking its original fields, copying each
// verbatim except the fields the columns now own (written from the columns at the position of their first
// occurrence, or at the end when absent). `fromColumns` owns every known field (unknown fields are still
// copied where they were).

import type { LogParts } from './logs-decode';
import { WT_VARINT, WT_I64, WT_I32 } from './wire';
import {
  w, FieldWriter, K_FIRST_SIGNAL, encodeTwoPass, rewrite, bytesRef, attrList, valueField,
} from './encode-common';
import {
  LR_STRIDE, LR_OFF, LR_LEN, LR_TIME_LO, LR_TIME_HI, LR_OBS_LO, LR_OBS_HI, LR_SEV, LR_STEXT_OFF, LR_STEXT_LEN,
  LR_BODY_OFF, LR_BODY_LEN, LR_BODY_TYPE, LR_BODY_V0, LR_BODY_V1, LR_DROPPED, LR_FLAGS, LR_TID_OFF, LR_TID_LEN,
  LR_SID_OFF, LR_SID_LEN, LR_EVENT_OFF, LR_EVENT_LEN, LR_ATTR_N, LR_ATTR_FIRST, LR_BITS,
  LRB_TIME, LRB_OBS, LRB_SEV, LRB_FLAGS, LRB_DROPPED, LRB_BODY, LRB_EXTRA, LRB_BODY_EXTRA,
  LRD_ATTRS, LRD_BODY, LRD_SEV, LRD_ANY,
} from './layout';

const K_LOG = K_FIRST_SIGNAL;

// Field-number bitmask of what the columns own when a record is rewritten from columns.
const ALL_LOG = 0x1fee; // fields 1..12 except the reserved 4

const EMPTY = new Uint8Array(0);
let P: LogParts;
let u8: Uint8Array = EMPTY;
let full = false;

class LogFields extends FieldWriter {
  items(first: number, count: number): void {
    for (let i = first; i < first + count; i++) emitLogRecord(i);
  }
  field(_kind: number, row: number, field: number): void {
    logField(row, field);
  }
}
const FIELDS = new LogFields();

/** Encode the batch. Parsing needed for `fromColumns` must be done by the caller (LogBatch.parseAll). */
export function encodeLogParts(parts: LogParts, fromColumns: boolean): Buffer {
  P = parts;
  u8 = parts.arena.u8;
  full = fromColumns;
  try {
    return encodeTwoPass(parts, fromColumns, FIELDS);
  } finally {
    P = undefined as unknown as LogParts;
    u8 = EMPTY;
  }
}

function emitLogRecord(i: number): void {
  const l32 = P.logs.i32;
  const lb = i * LR_STRIDE;
  const bits = l32[lb + LR_BITS];
  if (!full && (bits & LRD_ANY) === 0) {
    w.bytesField(2, u8, l32[lb + LR_OFF], l32[lb + LR_LEN]);
    return;
  }
  let owned = ALL_LOG;
  if (!full) {
    owned = 0;
    if (bits & LRD_SEV) owned |= (1 << 2) | (1 << 3);
    if (bits & LRD_BODY) owned |= 1 << 5;
    if (bits & LRD_ATTRS) owned |= 1 << 6;
  }
  w.begin(2);
  rewrite(FIELDS, K_LOG, i, l32[lb + LR_OFF], l32[lb + LR_LEN], owned, (bits & LRB_EXTRA) !== 0, 0);
  w.end();
}

function fixed64Field(field: number, lo: number, hi: number): void {
  w.tag(field, WT_I64);
  w.fixed64(lo, hi);
}

function logField(i: number, field: number): void {
  const l32 = P.logs.i32;
  const lb = i * LR_STRIDE;
  const bits = l32[lb + LR_BITS];
  switch (field) {
    case 1:
      if (bits & LRB_TIME) fixed64Field(1, l32[lb + LR_TIME_LO], l32[lb + LR_TIME_HI]);
      return;
    case 2:
      if (bits & LRB_SEV) {
        w.tag(2, WT_VARINT);
        const k = l32[lb + LR_SEV];
        w.varint64(k, k < 0 ? 0xffffffff : 0); // enums are int32: negative values sign-extend to 10 bytes
      }
      return;
    case 3: return bytesRef(3, l32[lb + LR_STEXT_OFF], l32[lb + LR_STEXT_LEN]);
    case 5:
      if (bits & LRB_BODY) {
        const bodyOff = l32[lb + LR_BODY_OFF];
        // a body with unknown fields is only ever copied (setBody clears LRB_BODY_EXTRA)
        if (bodyOff >= 0 && (bits & LRB_BODY_EXTRA) !== 0) w.bytesField(5, u8, bodyOff, l32[lb + LR_BODY_LEN]);
        else valueField(5, l32[lb + LR_BODY_TYPE], l32[lb + LR_BODY_V0], l32[lb + LR_BODY_V1]);
      }
      return;
    case 6: return attrList(6, l32[lb + LR_ATTR_FIRST], l32[lb + LR_ATTR_N]);
    case 7:
      if (bits & LRB_DROPPED) {
        w.tag(7, WT_VARINT);
        w.varint32(l32[lb + LR_DROPPED]);
      }
      return;
    case 8:
      if (bits & LRB_FLAGS) {
        w.tag(8, WT_I32);
        w.fixed32(l32[lb + LR_FLAGS]);
      }
      return;
    case 9: return bytesRef(9, l32[lb + LR_TID_OFF], l32[lb + LR_TID_LEN]);
    case 10: return bytesRef(10, l32[lb + LR_SID_OFF], l32[lb + LR_SID_LEN]);
    case 11:
      if (bits & LRB_OBS) fixed64Field(11, l32[lb + LR_OBS_LO], l32[lb + LR_OBS_HI]);
      return;
    case 12: return bytesRef(12, l32[lb + LR_EVENT_OFF], l32[lb + LR_EVENT_LEN]);
  }
}
