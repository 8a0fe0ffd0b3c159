// OTLP metrics encoder: writes ExportMetricsServiceRequest bytes from a MetricBatch's tables (layout.ts), on the
// shared encoder core (encode-common.ts) as the traces encoder: untouched messages (a whole ResourceMetrics,
// ScopeMetrics, Metric, data point, exemplar, KeyValue) are copied raw; a modified message is rewritten by
// walking its original fields, copying each verbatim except those the columns now own (written at the position
// of their first occurrence, or at the end when absent). A metric kept only in part (slice/filter) has no raw
// range and is written from the columns (plus its unknown fields). `fromColumns` owns every known field:
// everything is written from the columns in field-number order, repeated numbers packed (unknown fields are
// still copied).

import type { MetricParts } from './metrics-decode';
import { DATA_FIELD, POINT_ATTR_FIELD, POINT_EXEMPLAR_FIELD, forEachFixed64, readBuckets, readQuantiles } from './metrics-decode';
import { WT_VARINT, WT_I64, WT_LEN, varintSize64 } from './wire';
import { w, FieldWriter, K_FIRST_SIGNAL, encodeTwoPass, rewrite, bytesRef, attrList } from './encode-common';
import {
  MT_STRIDE, MT_OFF, MT_LEN, MT_NAME_OFF, MT_NAME_LEN, MT_DESC_OFF, MT_DESC_LEN, MT_UNIT_OFF, MT_UNIT_LEN,
  MT_DATA_OFF, MT_DATA_LEN, MT_UNK_OFF, MT_UNK_LEN, MT_DUNK_OFF, MT_DUNK_LEN, MT_TYPE, MT_TEMPORALITY,
  MT_ATTR_N, MT_ATTR_FIRST, MT_FIRST_POINT, MT_POINT_COUNT, MT_BITS,
  MTYPE_EMPTY,
  MB_TEMPORALITY, MB_MONOTONIC_SET, MB_MONOTONIC, MB_EXTRA, MB_DATA_EXTRA, MD_NAME, MD_META, MD_POINTS, MD_ANY,
  DP_STRIDE, DP_OFF, DP_LEN, DP_START_LO, DP_TIME_LO, DP_V0, DP_COUNT_LO, DP_SUM_LO, DP_MIN_LO, DP_MAX_LO,
  DP_ZCOUNT_LO, DP_ZTHRESH_LO, DP_SCALE, DP_FLAGS, DP_A_OFF, DP_A_LEN, DP_B_OFF, DP_B_LEN, DP_A_N, DP_B_N,
  DP_EXEMPLAR_N, DP_EXEMPLAR_FIRST, DP_ATTR_N, DP_ATTR_FIRST, DP_BITS,
  PB_START, PB_TIME, PB_INT, PB_DOUBLE, PB_FLAGS, PB_COUNT, PB_SUM, PB_MIN, PB_MAX, PB_SCALE, PB_ZCOUNT,
  PB_ZTHRESH, PB_A, PB_B, PB_EXTRA, PB_A_EXTRA, PB_B_EXTRA, PD_ATTRS, PD_EXEMPLARS, PD_ANY,
  EX_STRIDE, EX_OFF, EX_LEN, EX_TIME_LO, EX_V0, EX_SID_OFF, EX_SID_LEN, EX_TID_OFF,
  EX_TID_LEN, EX_ATTR_N, EX_ATTR_FIRST, EX_BITS, XB_TIME, XB_INT, XB_DOUBLE, XB_EXTRA, XB_DIRTY,
} from './layout';

// Message kinds of the field walker.
const K_METRIC = K_FIRST_SIGNAL;
const K_DATA = K_FIRST_SIGNAL + 1;
const K_NPOINT = K_FIRST_SIGNAL + 2; // number point (gauge, sum)
const K_HPOINT = K_FIRST_SIGNAL + 3; // histogram point
const K_EPOINT = K_FIRST_SIGNAL + 4; // exponential histogram point
const K_SPOINT = K_FIRST_SIGNAL + 5; // summary point
const K_EXEMPLAR = K_FIRST_SIGNAL + 6;

// Field-number bitmasks of what the columns own in fromColumns mode.
const DATA_MASK = (1 << 5) | (1 << 7) | (1 << 9) | (1 << 10) | (1 << 11);
const ALL_METRIC = 0xe | DATA_MASK | (1 << 12);
const ALL_POINT = [0, 0x1fc, 0x1fc, 0x1ffc, 0x7ffe, 0x1fc]; // by MTYPE_*: number 2..8, histogram 2..12, exp 1..14, summary 2..8
const ALL_DATA = [0, 0x2, 0xe, 0x6, 0x6, 0x2]; // by MTYPE_*: points (1), temporality (2), is_monotonic (3)
const ALL_EXEMPLAR = 0xfc; // 2..7
const POINT_KIND = [K_NPOINT, K_NPOINT, K_NPOINT, K_HPOINT, K_EPOINT, K_SPOINT];

const EMPTY = new Uint8Array(0);
let P: MetricParts;
let u8: Uint8Array = EMPTY;
let full = false;

class MetricFields extends FieldWriter {
  items(first: number, count: number): void {
    for (let m = first; m < first + count; m++) emitMetric(m);
  }
  field(kind: number, row: number, field: number): void {
    switch (kind) {
      case K_METRIC: return metricField(row, field);
      case K_DATA: return dataField(row, field);
      case K_NPOINT: return numberPointField(row, field);
      case K_HPOINT: return histogramPointField(row, field);
      case K_EPOINT: return expPointField(row, field);
      case K_SPOINT: return summaryPointField(row, field);
      case K_EXEMPLAR: return exemplarField(row, field);
    }
  }
}
const FIELDS = new MetricFields();

/** Encode the batch. For `fromColumns` every attribute list and exemplar must be parsed (MetricBatch.parseAll). */
export function encodeMetricParts(parts: MetricParts, fromColumns: boolean): Buffer {
  P = parts;
  u8 = parts.arena.u8;
  full = fromColumns;
  try {
    return encodeTwoPass(parts, fromColumns, FIELDS);
  } finally {
    P = undefined as unknown as MetricParts;
    u8 = EMPTY;
  }
}

function emitMetric(m: number): void {
  const m32 = P.metrics.i32;
  const mb = m * MT_STRIDE;
  const bits = m32[mb + MT_BITS];
  const off = m32[mb + MT_OFF];
  if (!full && off >= 0 && (bits & MD_ANY) === 0) {
    w.bytesField(2, u8, off, m32[mb + MT_LEN]);
    return;
  }
  let owned = ALL_METRIC;
  if (!full && off >= 0) {
    owned = 0;
    if (bits & MD_NAME) owned |= 1 << 1;
    if (bits & MD_META) owned |= 1 << 12;
    if (bits & MD_POINTS) owned |= DATA_MASK;
  }
  w.begin(2);
  rewrite(FIELDS, K_METRIC, m, off, m32[mb + MT_LEN], owned, (bits & MB_EXTRA) !== 0, DATA_MASK);
  if (off < 0 && m32[mb + MT_UNK_OFF] >= 0) w.raw(u8, m32[mb + MT_UNK_OFF], m32[mb + MT_UNK_LEN]);
  w.end();
}

function fixed64Field(field: number, i32: Int32Array, base: number): void {
  w.tag(field, WT_I64);
  w.fixed64(i32[base], i32[base + 1]);
}

function metricField(m: number, field: number): void {
  const m32 = P.metrics.i32;
  const mb = m * MT_STRIDE;
  switch (field) {
    case 1: return bytesRef(1, m32[mb + MT_NAME_OFF], m32[mb + MT_NAME_LEN]);
    case 2: return bytesRef(2, m32[mb + MT_DESC_OFF], m32[mb + MT_DESC_LEN]);
    case 3: return bytesRef(3, m32[mb + MT_UNIT_OFF], m32[mb + MT_UNIT_LEN]);
    case 12: return attrList(12, m32[mb + MT_ATTR_FIRST], m32[mb + MT_ATTR_N]);
    default: { // the data oneof
      const type = m32[mb + MT_TYPE];
      if (type === MTYPE_EMPTY) return;
      const bits = m32[mb + MT_BITS];
      const dOff = m32[mb + MT_DATA_OFF];
      w.begin(DATA_FIELD[type]);
      rewrite(FIELDS, K_DATA, m, dOff, m32[mb + MT_DATA_LEN], full || dOff < 0 ? ALL_DATA[type] : 1 << 1, (bits & MB_DATA_EXTRA) !== 0, 0);
      if (dOff < 0 && m32[mb + MT_DUNK_OFF] >= 0) w.raw(u8, m32[mb + MT_DUNK_OFF], m32[mb + MT_DUNK_LEN]);
      w.end();
    }
  }
}

function dataField(m: number, field: number): void {
  const m32 = P.metrics.i32;
  const mb = m * MT_STRIDE;
  const bits = m32[mb + MT_BITS];
  if (field === 1) {
    const type = m32[mb + MT_TYPE];
    const first = m32[mb + MT_FIRST_POINT];
    const n = m32[mb + MT_POINT_COUNT];
    for (let pt = first; pt < first + n; pt++) emitPoint(pt, type);
  } else if (field === 2) {
    if (bits & MB_TEMPORALITY) {
      w.tag(2, WT_VARINT);
      const t = m32[mb + MT_TEMPORALITY];
      w.varint64(t, t < 0 ? 0xffffffff : 0); // enums are int32: negative values sign-extend to 10 bytes
    }
  } else if (field === 3) {
    if (bits & MB_MONOTONIC_SET) {
      w.tag(3, WT_VARINT);
      w.varint32(bits & MB_MONOTONIC ? 1 : 0);
    }
  }
}

// ---------------------------------------------------------------- data points

function emitPoint(pt: number, type: number): void {
  const d = P.points.i32;
  const pb = pt * DP_STRIDE;
  const bits = d[pb + DP_BITS];
  if (!full && (bits & PD_ANY) === 0) {
    w.bytesField(1, u8, d[pb + DP_OFF], d[pb + DP_LEN]);
    return;
  }
  let owned = ALL_POINT[type];
  if (!full) {
    owned = 0;
    if (bits & PD_ATTRS) owned |= 1 << POINT_ATTR_FIELD[type];
    if (bits & PD_EXEMPLARS) owned |= 1 << POINT_EXEMPLAR_FIELD[type];
  }
  w.begin(1);
  rewrite(FIELDS, POINT_KIND[type], pt, d[pb + DP_OFF], d[pb + DP_LEN], owned, (bits & PB_EXTRA) !== 0, 0);
  w.end();
}

/** Common fields: start (2) and time (3). */
function timeField(d: Int32Array, pb: number, bits: number, field: number): void {
  if (field === 2 && (bits & PB_START) !== 0) fixed64Field(2, d, pb + DP_START_LO);
  else if (field === 3 && (bits & PB_TIME) !== 0) fixed64Field(3, d, pb + DP_TIME_LO);
}

function flagsField(d: Int32Array, pb: number, bits: number, field: number): void {
  if (bits & PB_FLAGS) {
    w.tag(field, WT_VARINT);
    w.varint32(d[pb + DP_FLAGS]);
  }
}

function exemplarList(pt: number, field: number): void {
  const d = P.points.i32;
  const pb = pt * DP_STRIDE;
  const n = d[pb + DP_EXEMPLAR_N];
  if (n === 0) return;
  const first = d[pb + DP_EXEMPLAR_FIRST];
  if (first < 0) throw new Error('pdata metrics encoder: exemplars not parsed');
  for (let x = first; x < first + n; x++) emitExemplar(x, field);
}

function numberPointField(pt: number, field: number): void {
  const d = P.points.i32;
  const pb = pt * DP_STRIDE;
  const bits = d[pb + DP_BITS];
  switch (field) {
    case 2:
    case 3:
      return timeField(d, pb, bits, field);
    case 4:
      if (bits & PB_DOUBLE) fixed64Field(4, d, pb + DP_V0);
      return;
    case 5:
      return exemplarList(pt, 5);
    case 6:
      if (bits & PB_INT) fixed64Field(6, d, pb + DP_V0);
      return;
    case 7:
      return attrList(7, d[pb + DP_ATTR_FIRST], d[pb + DP_ATTR_N]);
    case 8:
      return flagsField(d, pb, bits, 8);
  }
}

/** A repeated fixed64/double field as one packed run (n elements) from a single run or the point's fields. */
function packedFixed64(field: number, n: number, runOff: number, pointOff: number, pointLen: number): void {
  if (n === 0) return;
  w.tag(field, WT_LEN);
  w.varint32(n * 8);
  if (runOff >= 0) w.raw(u8, runOff, n * 8);
  else if (w.dry) w.pos += n * 8;
  else forEachFixed64(u8, pointOff, pointLen, field, (lo, hi) => w.fixed64(lo, hi));
}

function histogramPointField(pt: number, field: number): void {
  const d = P.points.i32;
  const pb = pt * DP_STRIDE;
  const bits = d[pb + DP_BITS];
  switch (field) {
    case 2:
    case 3:
      return timeField(d, pb, bits, field);
    case 4:
      if (bits & PB_COUNT) fixed64Field(4, d, pb + DP_COUNT_LO);
      return;
    case 5:
      if (bits & PB_SUM) fixed64Field(5, d, pb + DP_SUM_LO);
      return;
    case 6:
      return packedFixed64(6, d[pb + DP_A_N], d[pb + DP_A_OFF], d[pb + DP_OFF], d[pb + DP_LEN]);
    case 7:
      return packedFixed64(7, d[pb + DP_B_N], d[pb + DP_B_OFF], d[pb + DP_OFF], d[pb + DP_LEN]);
    case 8:
      return exemplarList(pt, 8);
    case 9:
      return attrList(9, d[pb + DP_ATTR_FIRST], d[pb + DP_ATTR_N]);
    case 10:
      return flagsField(d, pb, bits, 10);
    case 11:
      if (bits & PB_MIN) fixed64Field(11, d, pb + DP_MIN_LO);
      return;
    case 12:
      if (bits & PB_MAX) fixed64Field(12, d, pb + DP_MAX_LO);
      return;
  }
}

function bucketsField(field: number, off: number, len: number, raw: boolean): void {
  if (raw) {
    w.bytesField(field, u8, off, len);
    return;
  }
  const bk = readBuckets(u8, off, len);
  w.begin(field);
  if (bk.hasOffset) {
    w.tag(1, WT_VARINT);
    w.varint32(((bk.offset << 1) ^ (bk.offset >> 31)) >>> 0);
  }
  const c = bk.counts;
  if (c.length > 0) {
    let size = 0;
    for (let k = 0; k < c.length; k += 2) size += varintSize64(c[k], c[k + 1]);
    w.tag(2, WT_LEN);
    w.varint32(size);
    for (let k = 0; k < c.length; k += 2) w.varint64(c[k], c[k + 1]);
  }
  w.end();
}

function expPointField(pt: number, field: number): void {
  const d = P.points.i32;
  const pb = pt * DP_STRIDE;
  const bits = d[pb + DP_BITS];
  switch (field) {
    case 1:
      return attrList(1, d[pb + DP_ATTR_FIRST], d[pb + DP_ATTR_N]);
    case 2:
    case 3:
      return timeField(d, pb, bits, field);
    case 4:
      if (bits & PB_COUNT) fixed64Field(4, d, pb + DP_COUNT_LO);
      return;
    case 5:
      if (bits & PB_SUM) fixed64Field(5, d, pb + DP_SUM_LO);
      return;
    case 6:
      if (bits & PB_SCALE) {
        const s = d[pb + DP_SCALE];
        w.tag(6, WT_VARINT);
        w.varint32(((s << 1) ^ (s >> 31)) >>> 0);
      }
      return;
    case 7:
      if (bits & PB_ZCOUNT) fixed64Field(7, d, pb + DP_ZCOUNT_LO);
      return;
    case 8:
      if (bits & PB_A) bucketsField(8, d[pb + DP_A_OFF], d[pb + DP_A_LEN], (bits & PB_A_EXTRA) !== 0);
      return;
    case 9:
      if (bits & PB_B) bucketsField(9, d[pb + DP_B_OFF], d[pb + DP_B_LEN], (bits & PB_B_EXTRA) !== 0);
      return;
    case 10:
      return flagsField(d, pb, bits, 10);
    case 11:
      return exemplarList(pt, 11);
    case 12:
      if (bits & PB_MIN) fixed64Field(12, d, pb + DP_MIN_LO);
      return;
    case 13:
      if (bits & PB_MAX) fixed64Field(13, d, pb + DP_MAX_LO);
      return;
    case 14:
      if (bits & PB_ZTHRESH) fixed64Field(14, d, pb + DP_ZTHRESH_LO);
      return;
  }
}

function summaryPointField(pt: number, field: number): void {
  const d = P.points.i32;
  const pb = pt * DP_STRIDE;
  const bits = d[pb + DP_BITS];
  switch (field) {
    case 2:
    case 3:
      return timeField(d, pb, bits, field);
    case 4:
      if (bits & PB_COUNT) fixed64Field(4, d, pb + DP_COUNT_LO);
      return;
    case 5:
      if (bits & PB_SUM) fixed64Field(5, d, pb + DP_SUM_LO);
      return;
    case 6: {
      if (d[pb + DP_A_N] === 0) return;
      const q = readQuantiles(u8, d[pb + DP_OFF], d[pb + DP_LEN]);
      const raw = (bits & PB_A_EXTRA) !== 0;
      for (let k = 0; k < q.length; k += 7) {
        if (raw) {
          w.bytesField(6, u8, q[k + 5], q[k + 6]);
          continue;
        }
        w.begin(6);
        if (q[k + 4] & 1) {
          w.tag(1, WT_I64);
          w.fixed64(q[k], q[k + 1]);
        }
        if (q[k + 4] & 2) {
          w.tag(2, WT_I64);
          w.fixed64(q[k + 2], q[k + 3]);
        }
        w.end();
      }
      return;
    }
    case 7:
      return attrList(7, d[pb + DP_ATTR_FIRST], d[pb + DP_ATTR_N]);
    case 8:
      return flagsField(d, pb, bits, 8);
  }
}

// ---------------------------------------------------------------- exemplars

function emitExemplar(x: number, field: number): void {
  const e = P.exemplars.i32;
  const xb = x * EX_STRIDE;
  const bits = e[xb + EX_BITS];
  if (!full && (bits & XB_DIRTY) === 0) {
    w.bytesField(field, u8, e[xb + EX_OFF], e[xb + EX_LEN]);
    return;
  }
  w.begin(field);
  rewrite(FIELDS, K_EXEMPLAR, x, e[xb + EX_OFF], e[xb + EX_LEN], full ? ALL_EXEMPLAR : 1 << 7, (bits & XB_EXTRA) !== 0, 0);
  w.end();
}

function exemplarField(x: number, field: number): void {
  const e = P.exemplars.i32;
  const xb = x * EX_STRIDE;
  const bits = e[xb + EX_BITS];
  switch (field) {
    case 2:
      if (bits & XB_TIME) fixed64Field(2, e, xb + EX_TIME_LO);
      return;
    case 3:
      if (bits & XB_DOUBLE) fixed64Field(3, e, xb + EX_V0);
      return;
    case 4: return bytesRef(4, e[xb + EX_SID_OFF], e[xb + EX_SID_LEN]);
    case 5: return bytesRef(5, e[xb + EX_TID_OFF], e[xb + EX_TID_LEN]);
    case 6:
      if (bits & XB_INT) fixed64Field(6, e, xb + EX_V0);
      return;
    case 7: return attrList(7, e[xb + EX_ATTR_FIRST], e[xb + EX_ATTR_N]);
  }
}
