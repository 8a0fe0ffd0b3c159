// Lazy OTLP metrics decoder: validates the framing of the whole ExportMetricsServiceRequest and builds the
// resource / scope / metric / data point index (layout.ts, METRICS section). Attributes (point attributes,
// metadata, exemplar filtered attributes) and exemplars are validated here but parsed into their tables only
// on demand; repeated numeric fields (bucket_counts, explicit_bounds, Buckets, quantile_values) stay raw and
// are parsed by the accessors (readers at the end of this file).
//
// The resource/scope wrappers are decoded by decode.ts (decodeWrapped, shared with logs); this module decodes
// the Metric items with its own copy of the varint readers (module state, no per-point objects, no BigInt):
// the point decoders are large, and with decode.ts's readers plus a lastLo()/lastHi() call for every value
// read, decoding measured 8-20 % slower (V8 stops inlining them all), so they stay local here.

import { DecodeError } from '../errors';
import { decodeWrapped, moveUnknownFields, inputBytes, validateKeyValue, type AttrParts } from './decode';
import {
  Table,
  MT_STRIDE, MT_OFF, MT_LEN, MT_NAME_OFF, MT_NAME_LEN, MT_DESC_OFF, MT_DESC_LEN, MT_UNIT_OFF, MT_UNIT_LEN,
  MT_DATA_OFF, MT_DATA_LEN, MT_UNK_OFF, MT_UNK_LEN, MT_DUNK_OFF, MT_DUNK_LEN, MT_TYPE, MT_TEMPORALITY,
  MT_ATTR_N, MT_ATTR_FIRST, MT_FIRST_POINT, MT_POINT_COUNT, MT_SCOPE, MT_BITS,
  MTYPE_EMPTY, MTYPE_GAUGE, MTYPE_SUM, MTYPE_HISTOGRAM, MTYPE_EXP_HISTOGRAM, MTYPE_SUMMARY,
  MB_TEMPORALITY, MB_MONOTONIC_SET, MB_MONOTONIC, MB_EXTRA, MB_DATA_EXTRA,
  DP_STRIDE, DP_OFF, DP_LEN, DP_START_LO, DP_TIME_LO, DP_V0, DP_COUNT_LO,
  DP_SUM_LO, DP_MIN_LO, DP_MAX_LO, DP_ZCOUNT_LO,
  DP_ZTHRESH_LO, DP_SCALE, DP_FLAGS, DP_A_OFF, DP_A_LEN, DP_B_OFF, DP_B_LEN, DP_A_N, DP_B_N,
  DP_EXEMPLAR_N, DP_EXEMPLAR_FIRST, DP_ATTR_N, DP_ATTR_FIRST, DP_METRIC, DP_BITS,
  PB_START, PB_TIME, PB_INT, PB_DOUBLE, PB_FLAGS, PB_COUNT, PB_SUM, PB_MIN, PB_MAX, PB_SCALE, PB_ZCOUNT,
  PB_ZTHRESH, PB_A, PB_B, PB_A_SCATTER, PB_B_SCATTER, PB_EXTRA, PB_A_EXTRA, PB_B_EXTRA,
  EX_STRIDE, EX_OFF, EX_LEN, EX_TIME_LO, EX_TIME_HI, EX_V0, EX_V1, EX_SID_OFF, EX_SID_LEN, EX_TID_OFF,
  EX_TID_LEN, EX_ATTR_N, EX_ATTR_FIRST, EX_BITS, XB_TIME, XB_INT, XB_DOUBLE, XB_EXTRA,
} from './layout';

/** The tables of one MetricBatch. */
export interface MetricParts extends AttrParts {
  res: Table;
  scopes: Table;
  metrics: Table;
  points: Table;
  exemplars: Table;
  /** Length of the original request at arena offset 0 (-1: not a whole request). */
  origLen: number;
}

/** Wire field number of the data message of each MTYPE_*. */
export const DATA_FIELD = [0, 5, 7, 9, 10, 11];
/** Field number of a point's attributes, by MTYPE_*. */
export const POINT_ATTR_FIELD = [0, 7, 7, 9, 1, 7];
/** Field number of a point's exemplars, by MTYPE_* (0: none). */
export const POINT_EXEMPLAR_FIELD = [0, 5, 5, 8, 11, 0];

// ---------------------------------------------------------------- module state

const EMPTY = new Uint8Array(0);
let b: Uint8Array = EMPTY;
let vlo = 0;
let vhi = 0;
let MT: Table;
let PT: Table;
let attrCount = 0;
let exemplarCount = 0;
// Unknown Metric / data message fields: [kind (0 metric, 1 data), metric row, off, len]*
let pending: number[] = [];

const scratch = {
  metrics: new Table(MT_STRIDE, 256, false),
  points: new Table(DP_STRIDE, 1024, false),
};

function fail(msg: string, p: number): never {
  throw new DecodeError(`malformed OTLP protobuf: ${msg} at byte ${p}`);
}
function wrongType(field: number, wt: number, p: number): never {
  return fail(`wrong wire type ${wt} for field ${field}`, p);
}

// ---------------------------------------------------------------- readers (as decode.ts)

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

function rtag(p: number, end: number): number {
  const c = b[p];
  if (c < 0x80) {
    if (c < 8) fail('invalid field number 0', p);
    vlo = c;
    return p + 1;
  }
  const q = rvSlow(p, end);
  if (vhi !== 0 || vlo < 8) fail('invalid field number', p);
  return q;
}

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
function i32at(p: number): number {
  return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
}

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

function need8(p: number, end: number): void {
  if (end - p < 8) fail('truncated fixed64', p);
}

// ---------------------------------------------------------------- exemplars

function checkIdLen(len: number, want: number, what: string, p: number): void {
  if (len !== 0 && len !== want) fail(`${what} must be 0 or ${want} bytes, got ${len}`, p);
}

/** Validate an Exemplar content; returns its filtered attribute count. */
function validateExemplar(p: number, end: number): number {
  let n = 0;
  while (p < end) {
    const t0 = p;
    p = rtag(p, end);
    const tag = vlo;
    switch (tag) {
      case 0x11: // time_unix_nano
      case 0x19: // as_double
      case 0x31: // as_int
        need8(p, end);
        p += 8;
        break;
      case 0x22: // span_id
        p = rlen(p, end);
        checkIdLen(vlo, 8, 'exemplar span_id', t0);
        p += vlo;
        break;
      case 0x2a: // trace_id
        p = rlen(p, end);
        checkIdLen(vlo, 16, 'exemplar trace_id', t0);
        p += vlo;
        break;
      case 0x3a: { // filtered_attributes
        p = rlen(p, end);
        const len = vlo;
        validateKeyValue(p, p + len);
        p += len;
        n++;
        break;
      }
      default: {
        const field = tag >>> 3;
        if (field >= 2 && field <= 7) wrongType(field, tag & 7, t0);
        p = skip(tag & 7, p, end);
      }
    }
  }
  return n;
}

// ---------------------------------------------------------------- data points

function newPoint(start: number, end: number, metric: number): number {
  const pb = PT.add();
  const d = PT.i32;
  d.fill(0, pb + DP_START_LO, pb + DP_A_OFF);
  d[pb + DP_A_LEN] = 0;
  d[pb + DP_B_LEN] = 0;
  d[pb + DP_A_N] = 0;
  d[pb + DP_B_N] = 0;
  d[pb + DP_EXEMPLAR_N] = 0;
  d[pb + DP_OFF] = start;
  d[pb + DP_LEN] = end - start;
  d[pb + DP_A_OFF] = -1;
  d[pb + DP_B_OFF] = -1;
  d[pb + DP_EXEMPLAR_FIRST] = -1;
  d[pb + DP_ATTR_FIRST] = -1;
  d[pb + DP_METRIC] = metric;
  return pb;
}

/** fixed64 at p into columns (lo, hi) of row pb. */
function put64(d: Int32Array, pb: number, col: number, p: number): void {
  d[pb + col] = i32at(p);
  d[pb + col + 1] = i32at(p + 4);
}

function decodeNumberPoint(start: number, end: number, metric: number): void {
  const pb = newPoint(start, end, metric);
  const d = PT.i32;
  let bits = 0;
  let nAttr = 0;
  let nEx = 0;
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
      case 0x11: // start_time_unix_nano
        need8(p, end);
        put64(d, pb, DP_START_LO, p);
        bits |= PB_START;
        p += 8;
        break;
      case 0x19: // time_unix_nano
        need8(p, end);
        put64(d, pb, DP_TIME_LO, p);
        bits |= PB_TIME;
        p += 8;
        break;
      case 0x21: // as_double
        need8(p, end);
        put64(d, pb, DP_V0, p);
        bits = (bits & ~PB_INT) | PB_DOUBLE;
        p += 8;
        break;
      case 0x31: // as_int
        need8(p, end);
        put64(d, pb, DP_V0, p);
        bits = (bits & ~PB_DOUBLE) | PB_INT;
        p += 8;
        break;
      case 0x2a: { // exemplars
        p = rlen(p, end);
        const n = vlo;
        attrCount += validateExemplar(p, p + n);
        p += n;
        nEx++;
        break;
      }
      case 0x3a: { // attributes
        p = rlen(p, end);
        const n = vlo;
        validateKeyValue(p, p + n);
        p += n;
        nAttr++;
        break;
      }
      case 0x40: // flags
        p = rv(p, end);
        d[pb + DP_FLAGS] = vlo | 0;
        bits |= PB_FLAGS;
        break;
      default: {
        const field = tag >>> 3;
        if (field >= 2 && field <= 8) wrongType(field, tag & 7, t0);
        p = skip(tag & 7, p, end);
        bits |= PB_EXTRA;
      }
    }
  }
  d[pb + DP_BITS] = bits;
  d[pb + DP_ATTR_N] = nAttr;
  d[pb + DP_EXEMPLAR_N] = nEx;
  attrCount += nAttr;
  exemplarCount += nEx;
}

function decodeHistogramPoint(start: number, end: number, metric: number): void {
  const pb = newPoint(start, end, metric);
  const d = PT.i32;
  let bits = 0;
  let nAttr = 0;
  let nEx = 0;
  let nA = 0;
  let nB = 0;
  let p = start;
  while (p < end) {
    const t0 = p;
    p = rtag(p, end);
    const tag = vlo;
    switch (tag) {
      case 0x11:
        need8(p, end);
        put64(d, pb, DP_START_LO, p);
        bits |= PB_START;
        p += 8;
        break;
      case 0x19:
        need8(p, end);
        put64(d, pb, DP_TIME_LO, p);
        bits |= PB_TIME;
        p += 8;
        break;
      case 0x21: // count
        need8(p, end);
        put64(d, pb, DP_COUNT_LO, p);
        bits |= PB_COUNT;
        p += 8;
        break;
      case 0x29: // sum
        need8(p, end);
        put64(d, pb, DP_SUM_LO, p);
        bits |= PB_SUM;
        p += 8;
        break;
      case 0x32: { // bucket_counts, packed
        p = rlen(p, end);
        const n = vlo;
        if ((n & 7) !== 0) fail('packed fixed64 length not a multiple of 8', t0);
        if (nA === 0 && d[pb + DP_A_OFF] < 0 && (bits & PB_A_SCATTER) === 0) {
          d[pb + DP_A_OFF] = p;
          d[pb + DP_A_LEN] = n;
        } else bits |= PB_A_SCATTER;
        nA += n >>> 3;
        p += n;
        break;
      }
      case 0x31: // bucket_counts, one unpacked element
        need8(p, end);
        bits |= PB_A_SCATTER;
        nA++;
        p += 8;
        break;
      case 0x3a: { // explicit_bounds, packed
        p = rlen(p, end);
        const n = vlo;
        if ((n & 7) !== 0) fail('packed double length not a multiple of 8', t0);
        if (nB === 0 && d[pb + DP_B_OFF] < 0 && (bits & PB_B_SCATTER) === 0) {
          d[pb + DP_B_OFF] = p;
          d[pb + DP_B_LEN] = n;
        } else bits |= PB_B_SCATTER;
        nB += n >>> 3;
        p += n;
        break;
      }
      case 0x39:
        need8(p, end);
        bits |= PB_B_SCATTER;
        nB++;
        p += 8;
        break;
      case 0x42: { // exemplars
        p = rlen(p, end);
        const n = vlo;
        attrCount += validateExemplar(p, p + n);
        p += n;
        nEx++;
        break;
      }
      case 0x4a: { // attributes
        p = rlen(p, end);
        const n = vlo;
        validateKeyValue(p, p + n);
        p += n;
        nAttr++;
        break;
      }
      case 0x50: // flags
        p = rv(p, end);
        d[pb + DP_FLAGS] = vlo | 0;
        bits |= PB_FLAGS;
        break;
      case 0x59: // min
        need8(p, end);
        put64(d, pb, DP_MIN_LO, p);
        bits |= PB_MIN;
        p += 8;
        break;
      case 0x61: // max
        need8(p, end);
        put64(d, pb, DP_MAX_LO, p);
        bits |= PB_MAX;
        p += 8;
        break;
      default: {
        const field = tag >>> 3;
        if (field >= 2 && field <= 12) wrongType(field, tag & 7, t0);
        p = skip(tag & 7, p, end);
        bits |= PB_EXTRA;
      }
    }
  }
  if (bits & PB_A_SCATTER) d[pb + DP_A_OFF] = -1;
  if (bits & PB_B_SCATTER) d[pb + DP_B_OFF] = -1;
  if (d[pb + DP_A_OFF] < 0) d[pb + DP_A_LEN] = 0;
  if (d[pb + DP_B_OFF] < 0) d[pb + DP_B_LEN] = 0;
  d[pb + DP_BITS] = bits;
  d[pb + DP_ATTR_N] = nAttr;
  d[pb + DP_EXEMPLAR_N] = nEx;
  d[pb + DP_A_N] = nA;
  d[pb + DP_B_N] = nB;
  attrCount += nAttr;
  exemplarCount += nEx;
}

// Result of validateBuckets.
let bucketsExtra = false;

/** Validate an ExponentialHistogramDataPoint.Buckets content; returns its bucket_counts element count. */
function validateBuckets(p: number, end: number): number {
  let n = 0;
  bucketsExtra = false;
  while (p < end) {
    const t0 = p;
    p = rtag(p, end);
    const tag = vlo;
    if (tag === 0x08) p = rv(p, end); // offset
    else if (tag === 0x12) { // bucket_counts, packed
      p = rlen(p, end);
      const e = p + vlo;
      while (p < e) {
        p = rv(p, e);
        n++;
      }
    } else if (tag === 0x10) { // one unpacked element
      p = rv(p, end);
      n++;
    } else {
      const field = tag >>> 3;
      if (field === 1 || field === 2) wrongType(field, tag & 7, t0);
      p = skip(tag & 7, p, end);
      bucketsExtra = true;
    }
  }
  return n;
}

function decodeExpHistogramPoint(start: number, end: number, metric: number): void {
  const pb = newPoint(start, end, metric);
  const d = PT.i32;
  let bits = 0;
  let nAttr = 0;
  let nEx = 0;
  let p = start;
  while (p < end) {
    const t0 = p;
    p = rtag(p, end);
    const tag = vlo;
    switch (tag) {
      case 0x0a: { // attributes
        p = rlen(p, end);
        const n = vlo;
        validateKeyValue(p, p + n);
        p += n;
        nAttr++;
        break;
      }
      case 0x11:
        need8(p, end);
        put64(d, pb, DP_START_LO, p);
        bits |= PB_START;
        p += 8;
        break;
      case 0x19:
        need8(p, end);
        put64(d, pb, DP_TIME_LO, p);
        bits |= PB_TIME;
        p += 8;
        break;
      case 0x21:
        need8(p, end);
        put64(d, pb, DP_COUNT_LO, p);
        bits |= PB_COUNT;
        p += 8;
        break;
      case 0x29:
        need8(p, end);
        put64(d, pb, DP_SUM_LO, p);
        bits |= PB_SUM;
        p += 8;
        break;
      case 0x30: // scale (sint32)
        p = rv(p, end);
        d[pb + DP_SCALE] = (vlo >>> 1) ^ -(vlo & 1);
        bits |= PB_SCALE;
        break;
      case 0x39: // zero_count
        need8(p, end);
        put64(d, pb, DP_ZCOUNT_LO, p);
        bits |= PB_ZCOUNT;
        p += 8;
        break;
      case 0x42: { // positive
        p = rlen(p, end);
        const n = vlo;
        d[pb + DP_A_N] = validateBuckets(p, p + n);
        d[pb + DP_A_OFF] = p;
        d[pb + DP_A_LEN] = n;
        bits = (bits & ~PB_A_EXTRA) | PB_A | (bucketsExtra ? PB_A_EXTRA : 0);
        p += n;
        break;
      }
      case 0x4a: { // negative
        p = rlen(p, end);
        const n = vlo;
        d[pb + DP_B_N] = validateBuckets(p, p + n);
        d[pb + DP_B_OFF] = p;
        d[pb + DP_B_LEN] = n;
        bits = (bits & ~PB_B_EXTRA) | PB_B | (bucketsExtra ? PB_B_EXTRA : 0);
        p += n;
        break;
      }
      case 0x50:
        p = rv(p, end);
        d[pb + DP_FLAGS] = vlo | 0;
        bits |= PB_FLAGS;
        break;
      case 0x5a: { // exemplars
        p = rlen(p, end);
        const n = vlo;
        attrCount += validateExemplar(p, p + n);
        p += n;
        nEx++;
        break;
      }
      case 0x61:
        need8(p, end);
        put64(d, pb, DP_MIN_LO, p);
        bits |= PB_MIN;
        p += 8;
        break;
      case 0x69:
        need8(p, end);
        put64(d, pb, DP_MAX_LO, p);
        bits |= PB_MAX;
        p += 8;
        break;
      case 0x71: // zero_threshold
        need8(p, end);
        put64(d, pb, DP_ZTHRESH_LO, p);
        bits |= PB_ZTHRESH;
        p += 8;
        break;
      default: {
        const field = tag >>> 3;
        if (field >= 1 && field <= 14) wrongType(field, tag & 7, t0);
        p = skip(tag & 7, p, end);
        bits |= PB_EXTRA;
      }
    }
  }
  d[pb + DP_BITS] = bits;
  d[pb + DP_ATTR_N] = nAttr;
  d[pb + DP_EXEMPLAR_N] = nEx;
  attrCount += nAttr;
  exemplarCount += nEx;
}

function decodeSummaryPoint(start: number, end: number, metric: number): void {
  const pb = newPoint(start, end, metric);
  const d = PT.i32;
  let bits = 0;
  let nAttr = 0;
  let nQ = 0;
  let p = start;
  while (p < end) {
    const t0 = p;
    p = rtag(p, end);
    const tag = vlo;
    switch (tag) {
      case 0x11:
        need8(p, end);
        put64(d, pb, DP_START_LO, p);
        bits |= PB_START;
        p += 8;
        break;
      case 0x19:
        need8(p, end);
        put64(d, pb, DP_TIME_LO, p);
        bits |= PB_TIME;
        p += 8;
        break;
      case 0x21:
        need8(p, end);
        put64(d, pb, DP_COUNT_LO, p);
        bits |= PB_COUNT;
        p += 8;
        break;
      case 0x29:
        need8(p, end);
        put64(d, pb, DP_SUM_LO, p);
        bits |= PB_SUM;
        p += 8;
        break;
      case 0x32: { // quantile_values
        p = rlen(p, end);
        const qEnd = p + vlo;
        while (p < qEnd) {
          const q0 = p;
          p = rtag(p, qEnd);
          const qt = vlo;
          if (qt === 0x09 || qt === 0x11) {
            need8(p, qEnd);
            p += 8;
          } else {
            const field = qt >>> 3;
            if (field === 1 || field === 2) wrongType(field, qt & 7, q0);
            p = skip(qt & 7, p, qEnd);
            bits |= PB_A_EXTRA;
          }
        }
        nQ++;
        break;
      }
      case 0x3a: {
        p = rlen(p, end);
        const n = vlo;
        validateKeyValue(p, p + n);
        p += n;
        nAttr++;
        break;
      }
      case 0x40:
        p = rv(p, end);
        d[pb + DP_FLAGS] = vlo | 0;
        bits |= PB_FLAGS;
        break;
      default: {
        const field = tag >>> 3;
        if (field >= 2 && field <= 8) wrongType(field, tag & 7, t0);
        p = skip(tag & 7, p, end);
        bits |= PB_EXTRA;
      }
    }
  }
  d[pb + DP_BITS] = bits;
  d[pb + DP_ATTR_N] = nAttr;
  d[pb + DP_A_N] = nQ;
  attrCount += nAttr;
}

// ---------------------------------------------------------------- metrics

/** Decode a data message (Gauge, Sum, ...) of metric row `m` (base mb). The last data field wins. */
function decodeData(mb: number, m: number, type: number, p: number, end: number): void {
  const m32 = MT.i32;
  let bits = m32[mb + MT_BITS];
  if (m32[mb + MT_TYPE] !== MTYPE_EMPTY) {
    // An earlier data field: drop what it set.
    PT.rows = m32[mb + MT_FIRST_POINT];
    if (bits & MB_DATA_EXTRA) {
      const keep: number[] = [];
      for (let k = 0; k < pending.length; k += 4) {
        if (!(pending[k] === 1 && pending[k + 1] === m)) keep.push(pending[k], pending[k + 1], pending[k + 2], pending[k + 3]);
      }
      pending = keep;
    }
    bits &= ~(MB_TEMPORALITY | MB_MONOTONIC_SET | MB_MONOTONIC | MB_DATA_EXTRA);
    m32[mb + MT_TEMPORALITY] = 0;
  }
  m32[mb + MT_TYPE] = type;
  m32[mb + MT_DATA_OFF] = p;
  m32[mb + MT_DATA_LEN] = end - p;
  const hasTemporality = type === MTYPE_SUM || type === MTYPE_HISTOGRAM || type === MTYPE_EXP_HISTOGRAM;
  while (p < end) {
    const t0 = p;
    p = rtag(p, end);
    const tag = vlo;
    if (tag === 0x0a) {
      p = rlen(p, end);
      const n = vlo;
      switch (type) {
        case MTYPE_GAUGE:
        case MTYPE_SUM:
          decodeNumberPoint(p, p + n, m);
          break;
        case MTYPE_HISTOGRAM:
          decodeHistogramPoint(p, p + n, m);
          break;
        case MTYPE_EXP_HISTOGRAM:
          decodeExpHistogramPoint(p, p + n, m);
          break;
        default:
          decodeSummaryPoint(p, p + n, m);
      }
      p += n;
    } else if (tag === 0x10 && hasTemporality) {
      p = rv(p, end);
      m32[mb + MT_TEMPORALITY] = vlo | 0;
      bits |= MB_TEMPORALITY;
    } else if (tag === 0x18 && type === MTYPE_SUM) {
      p = rv(p, end);
      bits = (bits & ~MB_MONOTONIC) | MB_MONOTONIC_SET | (vlo !== 0 || vhi !== 0 ? MB_MONOTONIC : 0);
    } else {
      const field = tag >>> 3;
      if (field === 1 || (field === 2 && hasTemporality) || (field === 3 && type === MTYPE_SUM)) wrongType(field, tag & 7, t0);
      p = skip(tag & 7, p, end);
      bits |= MB_DATA_EXTRA;
      pending.push(1, m, t0, p - t0);
    }
  }
  m32[mb + MT_BITS] = bits;
}

function decodeMetric(start: number, end: number, scope: number): void {
  b = inputBytes();
  const mb = MT.add();
  const m = MT.rows - 1;
  const m32 = MT.i32;
  m32[mb + MT_OFF] = start;
  m32[mb + MT_LEN] = end - start;
  m32[mb + MT_NAME_OFF] = -1;
  m32[mb + MT_NAME_LEN] = 0;
  m32[mb + MT_DESC_OFF] = -1;
  m32[mb + MT_DESC_LEN] = 0;
  m32[mb + MT_UNIT_OFF] = -1;
  m32[mb + MT_UNIT_LEN] = 0;
  m32[mb + MT_DATA_OFF] = -1;
  m32[mb + MT_DATA_LEN] = 0;
  m32[mb + MT_UNK_OFF] = -1;
  m32[mb + MT_UNK_LEN] = 0;
  m32[mb + MT_DUNK_OFF] = -1;
  m32[mb + MT_DUNK_LEN] = 0;
  m32[mb + MT_TYPE] = MTYPE_EMPTY;
  m32[mb + MT_TEMPORALITY] = 0;
  m32[mb + MT_ATTR_N] = 0;
  m32[mb + MT_ATTR_FIRST] = -1;
  m32[mb + MT_FIRST_POINT] = PT.rows;
  m32[mb + MT_POINT_COUNT] = 0;
  m32[mb + MT_SCOPE] = scope;
  m32[mb + MT_BITS] = 0;
  let nMeta = 0;
  let p = start;
  while (p < end) {
    const t0 = p;
    p = rtag(p, end);
    const tag = vlo;
    switch (tag) {
      case 0x0a:
        p = rlen(p, end);
        m32[mb + MT_NAME_OFF] = p;
        m32[mb + MT_NAME_LEN] = vlo;
        p += vlo;
        break;
      case 0x12:
        p = rlen(p, end);
        m32[mb + MT_DESC_OFF] = p;
        m32[mb + MT_DESC_LEN] = vlo;
        p += vlo;
        break;
      case 0x1a:
        p = rlen(p, end);
        m32[mb + MT_UNIT_OFF] = p;
        m32[mb + MT_UNIT_LEN] = vlo;
        p += vlo;
        break;
      case 0x2a:
      case 0x3a:
      case 0x4a:
      case 0x52:
      case 0x5a: {
        p = rlen(p, end);
        const n = vlo;
        const type = tag === 0x2a ? MTYPE_GAUGE : tag === 0x3a ? MTYPE_SUM : tag === 0x4a ? MTYPE_HISTOGRAM : tag === 0x52 ? MTYPE_EXP_HISTOGRAM : MTYPE_SUMMARY;
        decodeData(mb, m, type, p, p + n);
        p += n;
        break;
      }
      case 0x62: { // metadata
        p = rlen(p, end);
        const n = vlo;
        validateKeyValue(p, p + n);
        p += n;
        nMeta++;
        break;
      }
      default: {
        const field = tag >>> 3;
        if (field === 1 || field === 2 || field === 3 || field === 5 || field === 7 || field >= 9 && field <= 12) wrongType(field, tag & 7, t0);
        p = skip(tag & 7, p, end);
        m32[mb + MT_BITS] |= MB_EXTRA;
        pending.push(0, m, t0, p - t0);
      }
    }
  }
  m32[mb + MT_ATTR_N] = nMeta;
  m32[mb + MT_POINT_COUNT] = PT.rows - m32[mb + MT_FIRST_POINT];
  attrCount += nMeta;
}

// ---------------------------------------------------------------- entry point

/** Decode an ExportMetricsServiceRequest (copied into a new shared arena). Throws DecodeError. */
export function decodeMetricsRequest(bytes: Uint8Array): MetricParts {
  MT = scratch.metrics;
  PT = scratch.points;
  PT.rows = 0;
  attrCount = 0;
  exemplarCount = 0;
  pending = [];
  let w;
  try {
    w = decodeWrapped(bytes, false, MT, decodeMetric);
  } finally {
    b = EMPTY;
  }
  const parts: MetricParts = {
    arena: w.arena,
    res: w.res,
    scopes: w.scopes,
    metrics: w.items,
    points: PT.sharedCopy(),
    attrs: w.attrs,
    exemplars: new Table(EX_STRIDE, exemplarCount),
    origLen: w.origLen,
    attrHint: w.attrHint + attrCount,
  };
  // unknown Metric fields (kind 0) and unknown data message fields (kind 1), concatenated per metric
  if (pending.length > 0) moveUnknownFields(parts.arena, pending, [parts.metrics, parts.metrics], [MT_UNK_OFF, MT_DUNK_OFF]);
  pending = [];
  return parts;
}

// ---------------------------------------------------------------- lazy parsing and readers (validated bytes)

/** Parse the exemplars of point row `pt` (of a metric of type `type`) into p.exemplars; returns the first row. */
export function parseExemplars(parts: MetricParts, pt: number, type: number): number {
  const ET = parts.exemplars;
  const first = ET.rows;
  const field = POINT_EXEMPLAR_FIELD[type];
  const pb = pt * DP_STRIDE;
  const n0 = parts.points.i32[pb + DP_EXEMPLAR_N];
  if (n0 === 0 || field === 0) return first;
  ET.ensure(n0);
  const saved = b;
  b = parts.arena.u8;
  try {
    let p = parts.points.i32[pb + DP_OFF];
    const end = p + parts.points.i32[pb + DP_LEN];
    const want = (field << 3) | 2;
    while (p < end) {
      p = rtag(p, end);
      const tag = vlo;
      if (tag !== want) {
        p = skip(tag & 7, p, end);
        continue;
      }
      p = rlen(p, end);
      const xEnd = p + vlo;
      const xb = ET.add();
      const x = ET.i32;
      x[xb + EX_OFF] = p;
      x[xb + EX_LEN] = xEnd - p;
      x[xb + EX_TIME_LO] = 0;
      x[xb + EX_TIME_HI] = 0;
      x[xb + EX_V0] = 0;
      x[xb + EX_V1] = 0;
      x[xb + EX_SID_OFF] = -1;
      x[xb + EX_SID_LEN] = 0;
      x[xb + EX_TID_OFF] = -1;
      x[xb + EX_TID_LEN] = 0;
      x[xb + EX_ATTR_FIRST] = -1;
      let bits = 0;
      let n = 0;
      while (p < xEnd) {
        p = rtag(p, xEnd);
        const t = vlo;
        switch (t) {
          case 0x11:
            x[xb + EX_TIME_LO] = i32at(p);
            x[xb + EX_TIME_HI] = i32at(p + 4);
            bits |= XB_TIME;
            p += 8;
            break;
          case 0x19:
            x[xb + EX_V0] = i32at(p);
            x[xb + EX_V1] = i32at(p + 4);
            bits = (bits & ~XB_INT) | XB_DOUBLE;
            p += 8;
            break;
          case 0x31:
            x[xb + EX_V0] = i32at(p);
            x[xb + EX_V1] = i32at(p + 4);
            bits = (bits & ~XB_DOUBLE) | XB_INT;
            p += 8;
            break;
          case 0x22:
            p = rlen(p, xEnd);
            x[xb + EX_SID_OFF] = p;
            x[xb + EX_SID_LEN] = vlo;
            p += vlo;
            break;
          case 0x2a:
            p = rlen(p, xEnd);
            x[xb + EX_TID_OFF] = p;
            x[xb + EX_TID_LEN] = vlo;
            p += vlo;
            break;
          case 0x3a:
            n++;
            p = rlen(p, xEnd);
            p += vlo;
            break;
          default:
            p = skip(t & 7, p, xEnd);
            bits |= XB_EXTRA;
        }
      }
      x[xb + EX_ATTR_N] = n;
      x[xb + EX_BITS] = bits;
    }
  } finally {
    b = saved;
  }
  return first;
}

// Readers for the accessors and the encoder: walk raw (validated) bytes of `u8`.

/** Calls f(lo, hi) for every element of repeated fixed64/double field `field` in message [off, off+len). */
export function forEachFixed64(u8: Uint8Array, off: number, len: number, field: number, f: (lo: number, hi: number) => void): void {
  const saved = b;
  b = u8;
  try {
    let p = off;
    const end = off + len;
    const packed = (field << 3) | 2;
    const single = (field << 3) | 1;
    while (p < end) {
      p = rtag(p, end);
      const tag = vlo;
      if (tag === packed) {
        p = rlen(p, end);
        const e = p + vlo;
        for (; p + 8 <= e; p += 8) f(u32(p), u32(p + 4));
        p = e;
      } else if (tag === single) {
        f(u32(p), u32(p + 4));
        p += 8;
      } else p = skip(tag & 7, p, end);
    }
  } finally {
    b = saved;
  }
}

/** Elements of a packed fixed64 run [off, off+len). */
export function forEachPacked64(u8: Uint8Array, off: number, len: number, f: (lo: number, hi: number) => void): void {
  const saved = b;
  b = u8;
  try {
    for (let p = off; p + 8 <= off + len; p += 8) f(u32(p), u32(p + 4));
  } finally {
    b = saved;
  }
}

/** A parsed Buckets message: offset (and whether it was on the wire) and bucket counts as (lo, hi) words. */
export interface RawBuckets {
  offset: number;
  hasOffset: boolean;
  counts: number[]; // lo, hi pairs
}

export function readBuckets(u8: Uint8Array, off: number, len: number): RawBuckets {
  const out: RawBuckets = { offset: 0, hasOffset: false, counts: [] };
  if (off < 0) return out;
  const saved = b;
  b = u8;
  try {
    let p = off;
    const end = off + len;
    while (p < end) {
      p = rtag(p, end);
      const tag = vlo;
      if (tag === 0x08) {
        p = rv(p, end);
        out.offset = (vlo >>> 1) ^ -(vlo & 1);
        out.hasOffset = true;
      } else if (tag === 0x12) {
        p = rlen(p, end);
        const e = p + vlo;
        while (p < e) {
          p = rv(p, e);
          out.counts.push(vlo, vhi);
        }
      } else if (tag === 0x10) {
        p = rv(p, end);
        out.counts.push(vlo, vhi);
      } else p = skip(tag & 7, p, end);
    }
  } finally {
    b = saved;
  }
  return out;
}

/** quantile_values of a SummaryDataPoint [off, off+len): [qLo, qHi, vLo, vHi, presence (1 quantile, 2 value), msgOff, msgLen]* */
export function readQuantiles(u8: Uint8Array, off: number, len: number): number[] {
  const out: number[] = [];
  const saved = b;
  b = u8;
  try {
    let p = off;
    const end = off + len;
    while (p < end) {
      p = rtag(p, end);
      const tag = vlo;
      if (tag !== 0x32) {
        p = skip(tag & 7, p, end);
        continue;
      }
      p = rlen(p, end);
      const qOff = p;
      const qEnd = p + vlo;
      let qlo = 0, qhi = 0, vl = 0, vh = 0, pres = 0;
      while (p < qEnd) {
        p = rtag(p, qEnd);
        const t = vlo;
        if (t === 0x09) {
          qlo = u32(p); qhi = u32(p + 4); pres |= 1;
          p += 8;
        } else if (t === 0x11) {
          vl = u32(p); vh = u32(p + 4); pres |= 2;
          p += 8;
        } else p = skip(t & 7, p, qEnd);
      }
      out.push(qlo, qhi, vl, vh, pres, qOff, qEnd - qOff);
    }
  } finally {
    b = saved;
  }
  return out;
}
