// THE layout of a TraceBatch: every SharedArrayBuffer, column and offset is defined here and only here.
//
// A batch is 7 SharedArrayBuffers (so it can move to a worker thread without copying):
//
//   buffer  what                        row layout (Int32 words per row = *_STRIDE)
//   ------  --------------------------  ------------------------------------------------------------
//   0       arena: bytes                the request's wire bytes (copied once), then appended bytes
//                                       (strings/values written by mutations, unknown wrapper fields)
//   1       resources                   R_* below, one row per ResourceSpans
//   2       scopes                      C_* below, one row per ScopeSpans
//   3       spans                       S_* below, one row per Span (wire order)
//   4       attributes                  A_* below, one row per KeyValue (rows of one owner are contiguous)
//   5       events                      E_* below (rows of one span contiguous)
//   6       links                       L_* below (rows of one span contiguous)
//
// Conventions:
//   * Every `*_OFF` column is a byte offset into the arena and is paired with the `*_LEN` column right after
//     it. OFF = -1 means "field absent" (explicit presence, so untouched data re-encodes byte-identically).
//     Ranges of messages (S_OFF, R_MSG_OFF, ...) point at the message CONTENT (after tag and length).
//   * 64-bit values are two uint32 words (lo, hi) stored in the Int32 row; read them with the Uint32 view.
//   * `*_ATTR_FIRST` = -1 until the owner's attributes are parsed into the attribute table (lazy decode);
//     `*_ATTR_N` is always the owner's attribute count (from the index before parsing).
//   * Same for events/links of a span: S_EVENT_FIRST / S_LINK_FIRST = -1 until parsed.
//   * A resource/scope whose raw wrapper range is not usable (slice/filter dropped some of its spans) has
//     R_RS_OFF / C_SS_OFF = -1 and is rebuilt from its pieces when encoded.
//
// `REFS_*` list the (OFF, LEN) column pairs of each table that point into the arena: what relocation
// (concat, slice, filter, clone) must rewrite when bytes move to a new arena.

export const LAYOUT_VERSION = 1;

// ---- resources (one row per ResourceSpans)
export const R_RS_OFF = 0; //          ResourceSpans content range (-1: rebuilt from pieces when encoded)
export const R_RS_LEN = 1;
export const R_MSG_OFF = 2; //         Resource message content (-1: absent)
export const R_MSG_LEN = 3;
export const R_SCHEMA_OFF = 4; //      ResourceSpans.schema_url (-1: absent)
export const R_SCHEMA_LEN = 5;
export const R_UNK_OFF = 6; //         unknown ResourceSpans fields, already encoded, concatenated (-1: none)
export const R_UNK_LEN = 7;
export const R_DROPPED = 8; //         Resource.dropped_attributes_count
export const R_ATTR_N = 9;
export const R_ATTR_FIRST = 10;
export const R_FIRST_SCOPE = 11;
export const R_SCOPE_COUNT = 12;
export const R_BITS = 13; //           presence / dirty bits (RB_*)
export const R_STRIDE = 14;
export const REFS_RESOURCE = [R_RS_OFF, R_MSG_OFF, R_SCHEMA_OFF, R_UNK_OFF] as const;

export const RB_DROPPED = 1 << 0; //   dropped_attributes_count present on the wire
export const RB_EXTRA = 1 << 1; //     Resource message has fields the columns do not own (entity_refs, unknown)
export const RB_DIRTY = 1 << 8; //     attributes modified: Resource message must be rewritten
export const RB_DESC = 1 << 9; //      a scope/span below is modified: wrapper must be rebuilt

// ---- scopes (one row per ScopeSpans)
export const C_SS_OFF = 0; //          ScopeSpans content range (-1: rebuilt from pieces)
export const C_SS_LEN = 1;
export const C_MSG_OFF = 2; //         InstrumentationScope content (-1: absent)
export const C_MSG_LEN = 3;
export const C_NAME_OFF = 4;
export const C_NAME_LEN = 5;
export const C_VERSION_OFF = 6;
export const C_VERSION_LEN = 7;
export const C_SCHEMA_OFF = 8; //      ScopeSpans.schema_url
export const C_SCHEMA_LEN = 9;
export const C_UNK_OFF = 10; //        unknown ScopeSpans fields (encoded, concatenated)
export const C_UNK_LEN = 11;
export const C_DROPPED = 12;
export const C_ATTR_N = 13;
export const C_ATTR_FIRST = 14;
export const C_RESOURCE = 15;
export const C_FIRST_SPAN = 16;
export const C_SPAN_COUNT = 17;
export const C_BITS = 18; //           CB_*
export const C_STRIDE = 19;
export const REFS_SCOPE = [C_SS_OFF, C_MSG_OFF, C_NAME_OFF, C_VERSION_OFF, C_SCHEMA_OFF, C_UNK_OFF] as const;

export const CB_DROPPED = 1 << 0;
export const CB_EXTRA = 1 << 1; //     InstrumentationScope has unknown fields
export const CB_DIRTY = 1 << 8;
export const CB_DESC = 1 << 9;

// ---- spans
export const S_OFF = 0; //             Span content range
export const S_LEN = 1;
export const S_TID_OFF = 2; //         trace_id (len 0 or 16)
export const S_TID_LEN = 3;
export const S_SID_OFF = 4; //         span_id (len 0 or 8)
export const S_SID_LEN = 5;
export const S_PSID_OFF = 6; //        parent_span_id (len 0 or 8)
export const S_PSID_LEN = 7;
export const S_TSTATE_OFF = 8;
export const S_TSTATE_LEN = 9;
export const S_NAME_OFF = 10;
export const S_NAME_LEN = 11;
export const S_STATUS_OFF = 12; //     Status message content (-1: absent)
export const S_STATUS_LEN = 13;
export const S_SMSG_OFF = 14; //       Status.message
export const S_SMSG_LEN = 15;
export const S_SCODE = 16; //          Status.code
export const S_KIND = 17;
export const S_START_LO = 18;
export const S_START_HI = 19;
export const S_END_LO = 20;
export const S_END_HI = 21;
export const S_FLAGS = 22;
export const S_DROP_ATTRS = 23;
export const S_DROP_EVENTS = 24;
export const S_DROP_LINKS = 25;
export const S_ATTR_N = 26;
export const S_EVENT_N = 27;
export const S_LINK_N = 28;
export const S_ATTR_FIRST = 29;
export const S_EVENT_FIRST = 30;
export const S_LINK_FIRST = 31;
export const S_SCOPE = 32;
export const S_BITS = 33; //           SB_* presence bits (low 16) and SD_* dirty bits (high)
export const S_STRIDE = 34;
export const REFS_SPAN = [S_OFF, S_TID_OFF, S_SID_OFF, S_PSID_OFF, S_TSTATE_OFF, S_NAME_OFF, S_STATUS_OFF, S_SMSG_OFF] as const;

export const SB_KIND = 1 << 0;
export const SB_START = 1 << 1;
export const SB_END = 1 << 2;
export const SB_FLAGS = 1 << 3;
export const SB_DROP_ATTRS = 1 << 4;
export const SB_DROP_EVENTS = 1 << 5;
export const SB_DROP_LINKS = 1 << 6;
export const SB_SCODE = 1 << 7; //     Status.code present
export const SB_EXTRA = 1 << 8; //     Span has unknown fields
export const SB_STATUS_EXTRA = 1 << 9; // Status has unknown fields
export const SB_STATUS_SET = 1 << 10; // Status written by setStatus (present even if it was absent)
export const SD_NAME = 1 << 16; //     dirty bits: which fields the columns now own
export const SD_ATTRS = 1 << 17;
export const SD_EVENTS = 1 << 18;
export const SD_LINKS = 1 << 19;
export const SD_STATUS = 1 << 20;
export const SD_ANY = SD_NAME | SD_ATTRS | SD_EVENTS | SD_LINKS | SD_STATUS;

// ---- attributes (KeyValue rows)
export const A_KEY_OFF = 0;
export const A_KEY_LEN = 1;
export const A_V0 = 2; //              string/bytes/array/kvlist: offset; int/double: lo word; bool: 0/1
export const A_V1 = 3; //              string/bytes/array/kvlist: length; int/double: hi word
export const A_RAW_OFF = 4; //         KeyValue content as on the wire (-1: written from the columns)
export const A_RAW_LEN = 5;
export const A_TYPE = 6; //            T_* in the low byte, AB_* bits above
export const A_STRIDE = 7;
// A_V0/A_V1 are an arena reference only for T_STRING/T_BYTES/T_ARRAY/T_KVLIST (see valueIsRef).
export const REFS_ATTR = [A_KEY_OFF, A_RAW_OFF] as const;

export const T_EMPTY = 0;
export const T_STRING = 1;
export const T_BOOL = 2;
export const T_INT = 3;
export const T_DOUBLE = 4;
export const T_BYTES = 5;
export const T_ARRAY = 6; //           V0/V1 = ArrayValue content range
export const T_KVLIST = 7; //          V0/V1 = KeyValueList content range
export const T_MASK = 0xff;
export const AB_VALUE = 1 << 8; //     KeyValue.value present
export const AB_EXTRA = 1 << 9; //     KeyValue/AnyValue has unknown fields: always copied raw
export const valueIsRef = (t: number): boolean => t === T_STRING || t === T_BYTES || t === T_ARRAY || t === T_KVLIST;

// ---- events
export const E_OFF = 0;
export const E_LEN = 1;
export const E_NAME_OFF = 2;
export const E_NAME_LEN = 3;
export const E_TIME_LO = 4;
export const E_TIME_HI = 5;
export const E_DROPPED = 6;
export const E_ATTR_N = 7;
export const E_ATTR_FIRST = 8;
export const E_BITS = 9;
export const E_STRIDE = 10;
export const REFS_EVENT = [E_OFF, E_NAME_OFF] as const;
export const EB_TIME = 1 << 0;
export const EB_DROPPED = 1 << 1;
export const EB_EXTRA = 1 << 2;
export const EB_DIRTY = 1 << 8;

// ---- links
export const L_OFF = 0;
export const L_LEN = 1;
export const L_TID_OFF = 2;
export const L_TID_LEN = 3;
export const L_SID_OFF = 4;
export const L_SID_LEN = 5;
export const L_TSTATE_OFF = 6;
export const L_TSTATE_LEN = 7;
export const L_FLAGS = 8;
export const L_DROPPED = 9;
export const L_ATTR_N = 10;
export const L_ATTR_FIRST = 11;
export const L_BITS = 12;
export const L_STRIDE = 13;
export const REFS_LINK = [L_OFF, L_TID_OFF, L_SID_OFF, L_TSTATE_OFF] as const;
export const LB_FLAGS = 1 << 0;
export const LB_DROPPED = 1 << 1;
export const LB_EXTRA = 1 << 2;
export const LB_DIRTY = 1 << 8;

// ---- transfer meta (TraceBatchTransfer.meta indexes)
export const M_VERSION = 0;
export const M_ARENA_USED = 1;
export const M_RESOURCES = 2;
export const M_SCOPES = 3;
export const M_SPANS = 4;
export const M_ATTRS = 5;
export const M_EVENTS = 6;
export const M_LINKS = 7;
export const M_ORIG_LEN = 8; //        length of the original request at arena offset 0, -1 if not a whole request
export const M_ATTR_HINT = 9; //       total attribute count of the batch (capacity hint for lazy parsing)
export const M_LENGTH = 10;

// =====================================================================================================
// LOGS (LogBatch, src/pdata/logs.ts). A LogBatch is 5 SharedArrayBuffers:
//
//   buffer  what                        row layout
//   ------  --------------------------  ------------------------------------------------------------
//   0       arena: bytes                as for traces
//   1       resources                   R_* above, one row per ResourceLogs (R_RS_* = ResourceLogs content)
//   2       scopes                      C_* above, one row per ScopeLogs (C_SS_* = ScopeLogs content;
//                                       C_FIRST_SPAN / C_SPAN_COUNT = first log record / record count)
//   3       log records                 LR_* below, one row per LogRecord (wire order)
//   4       attributes                  A_* above (resource, scope and log record attributes)
//
// Same conventions as traces (OFF = -1: absent; 64-bit times as (lo, hi) words; LR_ATTR_FIRST = -1 until
// parsed). The body is validated at decode and kept as its AnyValue content range plus the A_V0/A_V1-style
// triple (LR_BODY_TYPE, LR_BODY_V0, LR_BODY_V1); it is materialized as a JS value only when read.
export const LR_OFF = 0; //            LogRecord content range
export const LR_LEN = 1;
export const LR_TIME_LO = 2; //        time_unix_nano (1, fixed64)
export const LR_TIME_HI = 3;
export const LR_OBS_LO = 4; //         observed_time_unix_nano (11, fixed64)
export const LR_OBS_HI = 5;
export const LR_SEV = 6; //            severity_number (2, enum)
export const LR_STEXT_OFF = 7; //      severity_text (3)
export const LR_STEXT_LEN = 8;
export const LR_BODY_OFF = 9; //       body (5): AnyValue content as on the wire (-1: absent or set by setBody)
export const LR_BODY_LEN = 10;
export const LR_BODY_TYPE = 11; //     T_* of the body (T_EMPTY when absent)
export const LR_BODY_V0 = 12; //       as A_V0/A_V1 (an arena reference for T_STRING/T_BYTES/T_ARRAY/T_KVLIST)
export const LR_BODY_V1 = 13;
export const LR_DROPPED = 14; //       dropped_attributes_count (7)
export const LR_FLAGS = 15; //         flags (8, fixed32)
export const LR_TID_OFF = 16; //       trace_id (9, len 0 or 16)
export const LR_TID_LEN = 17;
export const LR_SID_OFF = 18; //       span_id (10, len 0 or 8)
export const LR_SID_LEN = 19;
export const LR_EVENT_OFF = 20; //     event_name (12)
export const LR_EVENT_LEN = 21;
export const LR_ATTR_N = 22;
export const LR_ATTR_FIRST = 23;
export const LR_SCOPE = 24;
export const LR_BITS = 25; //          LRB_* presence bits (low 16) and LRD_* dirty bits (high)
export const LR_STRIDE = 26;
// LR_BODY_V0/V1 are relocated too when valueIsRef(LR_BODY_TYPE).
export const REFS_LOG = [LR_OFF, LR_STEXT_OFF, LR_BODY_OFF, LR_TID_OFF, LR_SID_OFF, LR_EVENT_OFF] as const;

export const LRB_TIME = 1 << 0;
export const LRB_OBS = 1 << 1;
export const LRB_SEV = 1 << 2;
export const LRB_FLAGS = 1 << 3;
export const LRB_DROPPED = 1 << 4;
export const LRB_BODY = 1 << 5; //     body present (on the wire, or set by setBody)
export const LRB_EXTRA = 1 << 6; //    LogRecord has unknown fields
export const LRB_BODY_EXTRA = 1 << 7; // body AnyValue has unknown fields: copied raw unless setBody
export const LRD_ATTRS = 1 << 16; //   dirty bits: which fields the columns now own
export const LRD_BODY = 1 << 17;
export const LRD_SEV = 1 << 18; //     severity_number and severity_text
export const LRD_ANY = LRD_ATTRS | LRD_BODY | LRD_SEV;

// ---- LogBatchTransfer.meta indexes (buffers: arena, resources, scopes, log records, attributes)
export const LM_VERSION = 0;
export const LM_ARENA_USED = 1;
export const LM_RESOURCES = 2;
export const LM_SCOPES = 3;
export const LM_LOGS = 4;
export const LM_ATTRS = 5;
export const LM_ORIG_LEN = 6;
export const LM_ATTR_HINT = 7;
export const LM_LENGTH = 8;
// ======================================================================================= end of LOGS

// ================================================================ METRICS (MetricBatch, metrics*.ts)
//
// A MetricBatch is 7 SharedArrayBuffers:
//   0 arena (as traces) · 1 resources (R_*, one row per ResourceMetrics) · 2 scopes (C_*, one row per
//   ScopeMetrics; C_FIRST_METRIC / C_METRIC_COUNT index the metrics) · 3 metrics (MT_*) · 4 data points
//   (DP_*, points of one metric contiguous) · 5 attributes (A_*: resource/scope attributes, metric metadata,
//   point attributes, exemplar filtered attributes) · 6 exemplars (EX_*, rows of one point contiguous).
// Conventions as above (OFF/LEN pairs, -1 = absent, 64-bit values as (lo, hi) words, doubles as their bits).
// Repeated numeric fields (bucket_counts, explicit_bounds, Buckets, quantile_values) stay raw on the wire and
// are parsed on access. Exemplars are parsed into their table on demand (DP_EXEMPLAR_FIRST = -1 until then).
export const C_FIRST_METRIC = C_FIRST_SPAN;
export const C_METRIC_COUNT = C_SPAN_COUNT;

// ---- metrics (one row per Metric)
export const MT_OFF = 0; //            Metric content (-1: rebuilt from the columns, e.g. a partly kept metric)
export const MT_LEN = 1;
export const MT_NAME_OFF = 2;
export const MT_NAME_LEN = 3;
export const MT_DESC_OFF = 4;
export const MT_DESC_LEN = 5;
export const MT_UNIT_OFF = 6;
export const MT_UNIT_LEN = 7;
export const MT_DATA_OFF = 8; //       content of the data message (Gauge, Sum, ...; last one wins) (-1: absent/rebuilt)
export const MT_DATA_LEN = 9;
export const MT_UNK_OFF = 10; //       unknown Metric fields, encoded, concatenated (-1: none)
export const MT_UNK_LEN = 11;
export const MT_DUNK_OFF = 12; //      unknown fields of the data message, encoded, concatenated (-1: none)
export const MT_DUNK_LEN = 13;
export const MT_TYPE = 14; //          MTYPE_*
export const MT_TEMPORALITY = 15; //   aggregation_temporality (sum, histogram, exponential histogram)
export const MT_ATTR_N = 16; //        metadata (KeyValue, field 12)
export const MT_ATTR_FIRST = 17;
export const MT_FIRST_POINT = 18;
export const MT_POINT_COUNT = 19;
export const MT_SCOPE = 20;
export const MT_BITS = 21; //          MB_* presence bits, MD_* dirty bits
export const MT_STRIDE = 22;
export const REFS_METRIC = [MT_OFF, MT_NAME_OFF, MT_DESC_OFF, MT_UNIT_OFF, MT_DATA_OFF, MT_UNK_OFF, MT_DUNK_OFF] as const;

export const MTYPE_EMPTY = 0;
export const MTYPE_GAUGE = 1;
export const MTYPE_SUM = 2;
export const MTYPE_HISTOGRAM = 3;
export const MTYPE_EXP_HISTOGRAM = 4;
export const MTYPE_SUMMARY = 5;

export const MB_TEMPORALITY = 1 << 0; // aggregation_temporality present on the wire
export const MB_MONOTONIC_SET = 1 << 1; // is_monotonic present on the wire
export const MB_MONOTONIC = 1 << 2; // is_monotonic value
export const MB_EXTRA = 1 << 3; //      Metric has unknown fields (also in MT_UNK)
export const MB_DATA_EXTRA = 1 << 4; // data message has unknown fields (also in MT_DUNK)
export const MD_NAME = 1 << 16; //      dirty bits: which fields the columns now own
export const MD_META = 1 << 17;
export const MD_POINTS = 1 << 18; //    a point (or exemplar) of the metric is modified: data message rewritten
export const MD_ANY = MD_NAME | MD_META | MD_POINTS;

// ---- data points (one row per NumberDataPoint / HistogramDataPoint / ExponentialHistogramDataPoint /
// SummaryDataPoint; which one is the type of its metric)
export const DP_OFF = 0; //            point content (always valid: points are never split)
export const DP_LEN = 1;
export const DP_START_LO = 2;
export const DP_START_HI = 3;
export const DP_TIME_LO = 4;
export const DP_TIME_HI = 5;
export const DP_V0 = 6; //             number point value: as_int (lo, hi) or as_double bits (PB_INT / PB_DOUBLE)
export const DP_V1 = 7;
export const DP_COUNT_LO = 8;
export const DP_COUNT_HI = 9;
export const DP_SUM_LO = 10; //        double bits
export const DP_SUM_HI = 11;
export const DP_MIN_LO = 12;
export const DP_MIN_HI = 13;
export const DP_MAX_LO = 14;
export const DP_MAX_HI = 15;
export const DP_ZCOUNT_LO = 16; //     exponential histogram zero_count
export const DP_ZCOUNT_HI = 17;
export const DP_ZTHRESH_LO = 18; //    exponential histogram zero_threshold (double bits)
export const DP_ZTHRESH_HI = 19;
export const DP_SCALE = 20; //         exponential histogram scale (zigzag decoded)
export const DP_FLAGS = 21;
export const DP_A_OFF = 22; //         histogram: bucket_counts as one packed run (PB_A_SCATTER: spread over the
export const DP_A_LEN = 23; //         point, parse from DP_OFF); exponential histogram: positive Buckets content
export const DP_B_OFF = 24; //         histogram: explicit_bounds (as DP_A); exponential histogram: negative Buckets
export const DP_B_LEN = 25;
export const DP_A_N = 26; //           elements: bucket_counts / positive bucket_counts / summary quantile_values
export const DP_B_N = 27; //           elements: explicit_bounds / negative bucket_counts
export const DP_EXEMPLAR_N = 28;
export const DP_EXEMPLAR_FIRST = 29;
export const DP_ATTR_N = 30;
export const DP_ATTR_FIRST = 31;
export const DP_METRIC = 32;
export const DP_BITS = 33; //          PB_* presence bits, PD_* dirty bits
export const DP_STRIDE = 34;
export const REFS_POINT = [DP_OFF, DP_A_OFF, DP_B_OFF] as const;

export const PB_START = 1 << 0;
export const PB_TIME = 1 << 1;
export const PB_INT = 1 << 2; //        value is as_int
export const PB_DOUBLE = 1 << 3; //     value is as_double
export const PB_FLAGS = 1 << 4;
export const PB_COUNT = 1 << 5;
export const PB_SUM = 1 << 6;
export const PB_MIN = 1 << 7;
export const PB_MAX = 1 << 8;
export const PB_SCALE = 1 << 9;
export const PB_ZCOUNT = 1 << 10;
export const PB_ZTHRESH = 1 << 11;
export const PB_A = 1 << 12; //         positive Buckets present (exponential histogram)
export const PB_B = 1 << 13; //         negative Buckets present
export const PB_A_SCATTER = 1 << 14; // histogram bucket_counts not a single packed run
export const PB_B_SCATTER = 1 << 15; // histogram explicit_bounds not a single packed run
export const PB_EXTRA = 1 << 16; //     point has unknown fields
export const PB_A_EXTRA = 1 << 17; //   a positive Buckets / a ValueAtQuantile has unknown fields (copied raw)
export const PB_B_EXTRA = 1 << 18; //   the negative Buckets has unknown fields
export const PD_ATTRS = 1 << 24; //     dirty: attributes modified
export const PD_EXEMPLARS = 1 << 25; // dirty: an exemplar modified
export const PD_ANY = PD_ATTRS | PD_EXEMPLARS;

// ---- exemplars
export const EX_OFF = 0;
export const EX_LEN = 1;
export const EX_TIME_LO = 2;
export const EX_TIME_HI = 3;
export const EX_V0 = 4; //             as_int (lo, hi) or as_double bits
export const EX_V1 = 5;
export const EX_SID_OFF = 6; //        span_id (len 0 or 8)
export const EX_SID_LEN = 7;
export const EX_TID_OFF = 8; //        trace_id (len 0 or 16)
export const EX_TID_LEN = 9;
export const EX_ATTR_N = 10; //        filtered_attributes
export const EX_ATTR_FIRST = 11;
export const EX_BITS = 12;
export const EX_STRIDE = 13;
export const REFS_EXEMPLAR = [EX_OFF, EX_SID_OFF, EX_TID_OFF] as const;
export const XB_TIME = 1 << 0;
export const XB_INT = 1 << 1;
export const XB_DOUBLE = 1 << 2;
export const XB_EXTRA = 1 << 3;
export const XB_DIRTY = 1 << 8;

// ---- transfer meta (MetricBatchTransfer.meta indexes)
export const MX_VERSION = 0;
export const MX_ARENA_USED = 1;
export const MX_RESOURCES = 2;
export const MX_SCOPES = 3;
export const MX_METRICS = 4;
export const MX_POINTS = 5;
export const MX_ATTRS = 6;
export const MX_EXEMPLARS = 7;
export const MX_ORIG_LEN = 8;
export const MX_ATTR_HINT = 9;
export const MX_LENGTH = 10;
// ================================================================ end of METRICS

/** A growable table of fixed-stride Int32 rows in a SharedArrayBuffer (or a plain buffer for decode scratch). */
export class Table {
  buf: ArrayBufferLike;
  i32: Int32Array;
  u32: Uint32Array;
  rows = 0;
  constructor(readonly stride: number, capacityRows: number, readonly shared = true, buf?: ArrayBufferLike) {
    this.buf = buf ?? (shared ? new SharedArrayBuffer(capacityRows * stride * 4) : new ArrayBuffer(capacityRows * stride * 4));
    this.i32 = new Int32Array(this.buf);
    this.u32 = new Uint32Array(this.buf);
  }
  get capacity(): number {
    return (this.i32.length / this.stride) | 0;
  }
  /** Make room for `extra` more rows (reallocates: views taken before are stale). */
  ensure(extra: number): void {
    const need = (this.rows + extra) * this.stride;
    if (need <= this.i32.length) return;
    let cap = Math.max(this.i32.length * 2, need, 64 * this.stride);
    cap -= cap % this.stride;
    if (cap < need) cap += this.stride;
    const nb = this.shared ? new SharedArrayBuffer(cap * 4) : new ArrayBuffer(cap * 4);
    const n32 = new Int32Array(nb);
    n32.set(this.i32.subarray(0, this.rows * this.stride));
    copyStats.tableBytes += this.rows * this.stride * 4;
    this.buf = nb;
    this.i32 = n32;
    this.u32 = new Uint32Array(nb);
  }
  /** Append one row (uninitialised) and return its base index into i32/u32. */
  add(): number {
    if ((this.rows + 1) * this.stride > this.i32.length) this.ensure(1);
    return this.rows++ * this.stride;
  }
  /** A copy of the first `rows` rows with room for `extraRows` more (shared unless tableMemory says otherwise). */
  sharedCopy(extraRows = 0): Table {
    const t = new Table(this.stride, this.rows + extraRows, tableMemory.shared);
    t.i32.set(this.i32.subarray(0, this.rows * this.stride));
    copyStats.tableBytes += this.rows * this.stride * 4;
    t.rows = this.rows;
    return t;
  }
}

/**
 * Bytes copied by pdata in this thread since start: arena bytes (request bytes copied at decode, kept bytes
 * copied by slice/filter/concat, arena growth) and table bytes (column rows copied when tables grow or are
 * copied). The worker pool's zero-copy test reads them on both sides of the hand-off.
 */
export const copyStats = { arenaBytes: 0, tableBytes: 0 };

/**
 * Whether the tables a decode builds (Table.sharedCopy) are SharedArrayBuffers — they must be where a batch may
 * be handed to another thread (the acceptor). A processor worker and the single-threaded collector never hand
 * batches on and turn this off (src/workers/worker.ts, src/cli/main.ts): each decode allocates half a dozen
 * tables, and a SharedArrayBuffer costs more to allocate and free than an ArrayBuffer (measured in
 * docs/PERFORMANCE.md, "Worker pool scaling"). Arenas stay shared: plain arenas measured slower.
 */
export const tableMemory = { shared: true };

/** Bytes in a SharedArrayBuffer: the wire bytes first, appended bytes after `used`. */
export class Arena {
  sab: SharedArrayBuffer;
  u8: Uint8Array;
  /** Buffer view of the same memory (utf8Slice / write). */
  buf: Buffer;
  used: number;
  /**
   * A new buffer of `capacity` bytes, or (adopting) the window [base, base+length) of `sab` — a part of a larger
   * slab is fine: every arena offset is relative to the window (`u8`, `buf`).
   */
  constructor(capacity: number, used = 0, sab?: SharedArrayBuffer, base = 0, length?: number) {
    this.sab = sab ?? new SharedArrayBuffer(capacity);
    const n = length ?? this.sab.byteLength - base;
    this.u8 = new Uint8Array(this.sab, base, n);
    this.buf = Buffer.from(this.sab, base, n);
    this.used = used;
  }
  /** Bytes of memory the arena holds (its window). */
  get bytes(): number {
    return this.u8.byteLength;
  }
  /**
   * The arena's own SharedArrayBuffer with its bytes from offset 0 (toTransfer: the other thread rebuilds the
   * arena from the whole buffer). An arena that is a window of a larger slab is moved to a buffer of its own first.
   */
  ownBuffer(): SharedArrayBuffer {
    if (this.u8.byteOffset === 0 && this.u8.byteLength === this.sab.byteLength) return this.sab;
    const n = new SharedArrayBuffer(this.u8.byteLength);
    const u8 = new Uint8Array(n);
    u8.set(this.u8);
    copyStats.arenaBytes += this.u8.byteLength;
    this.sab = n;
    this.u8 = u8;
    this.buf = Buffer.from(n);
    return n;
  }
  ensure(extra: number): void {
    const need = this.used + extra;
    if (need <= this.u8.length) return;
    const cap = Math.max(need, this.u8.length * 2, 256);
    const n = new SharedArrayBuffer(cap);
    const u8 = new Uint8Array(n);
    u8.set(this.u8.subarray(0, this.used));
    copyStats.arenaBytes += this.used;
    this.sab = n;
    this.u8 = u8;
    this.buf = Buffer.from(n);
  }
  /** Reserve `n` bytes at the end; returns their offset. */
  reserve(n: number): number {
    this.ensure(n);
    const off = this.used;
    this.used += n;
    return off;
  }
  /**
   * Reserve `n` bytes at an offset equal to `like` mod 8 (up to 7 unused bytes before them), so a copy from
   * offset `like` of another arena moves 8-byte words (wire.ts, bulkCopy). Returns their offset.
   */
  reserveAligned(n: number, like: number): number {
    const pad = (like - this.used) & 7;
    this.ensure(pad + n);
    this.used += pad;
    const off = this.used;
    this.used += n;
    return off;
  }
  /** Append a UTF-8 string; returns its offset (length = Buffer.byteLength(s)). */
  appendString(s: string, byteLen: number): number {
    const off = this.reserve(byteLen);
    if (byteLen > 0) this.buf.write(s, off, byteLen, 'utf8');
    return off;
  }
  appendBytes(src: Uint8Array, start = 0, end = src.length): number {
    const off = this.reserve(end - start);
    this.u8.set(src.subarray(start, end), off);
    copyStats.arenaBytes += end - start;
    return off;
  }
}
