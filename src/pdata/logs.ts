// LogBatch: log records held as columns in SharedArrayBuffers (layout in ./layout.ts, LOGS section; the same
// design as TraceBatch), decoded lazily from ExportLogsServiceRequest bytes. Addressed by index, in wire order:
//   resource r in [0, resourceCount), scope s in [0, scopeCount), record i in [0, logRecordCount).
// Records of one scope are contiguous; scopes of one resource are contiguous.
// Items (what batching and self-metrics count) are LOG RECORDS.
//
// How it works (logs-decode.ts / logs-encode.ts / logs-gather.ts, on top of decode.ts, attributes.ts and the
// modules shared by the three signals: batch-base.ts, encode-common.ts, gather-common.ts):
//   * decode copies the request into a shared byte arena once, validates all of it (framing, wire types,
//     id lengths, attributes, bodies) and indexes resources, scopes and records; attributes are parsed into
//     the attribute table when first read, and the body becomes a JS value only when read.
//   * encode copies untouched bytes; modified records are rewritten field by field; a batch nobody
//     modified encodes to its original bytes.
//   * slice/concat/filterLogRecords/clone build new batches (new buffers), copying only the bytes they keep.
//   * toTransfer/fromTransfer hand the SharedArrayBuffers to another thread (a hand-off, as TraceBatch).

import { DecodeError } from '../errors';
import type { AnyValue, Attributes, DecodeOptions, ValueType } from './traces';
import { decodeLogsRequest, type LogParts } from './logs-decode';
import { encodeLogParts } from './logs-encode';
import { concatLogParts, selectLogParts } from './logs-gather';
import { AttrView, ensureAttrs, encodeValue, materialize, registerOwnerKind, markScopeDesc, TYPE_NAMES } from './attributes';
import { BatchBase, sharedTable } from './batch-base';
import type { AttrParts } from './decode';
import { utf8, utf8Interned, utf8Length, u64ToBigInt } from './wire';
import {
  Arena, Table, LAYOUT_VERSION,
  R_STRIDE, C_STRIDE, C_RESOURCE, C_FIRST_SPAN, C_SPAN_COUNT, A_STRIDE, T_EMPTY, T_STRING, T_MASK,
  LR_STRIDE, LR_OFF, LR_LEN, LR_TIME_LO, LR_TIME_HI, LR_OBS_LO, LR_OBS_HI, LR_SEV, LR_STEXT_OFF, LR_STEXT_LEN,
  LR_BODY_OFF, LR_BODY_LEN, LR_BODY_TYPE, LR_BODY_V0, LR_BODY_V1, LR_DROPPED, LR_FLAGS, LR_TID_OFF, LR_TID_LEN,
  LR_SID_OFF, LR_SID_LEN, LR_EVENT_OFF, LR_EVENT_LEN, LR_ATTR_N, LR_ATTR_FIRST, LR_SCOPE, LR_BITS,
  LRB_SEV, LRB_BODY, LRB_BODY_EXTRA, LRD_ATTRS, LRD_BODY, LRD_SEV,
  LM_VERSION, LM_ARENA_USED, LM_RESOURCES, LM_SCOPES, LM_LOGS, LM_ATTRS, LM_ORIG_LEN, LM_ATTR_HINT, LM_LENGTH,
} from './layout';

/** Severity numbers as on the wire (SEVERITY_NUMBER_TRACE = 1 … FATAL4 = 24). */
export const SeverityNumber = { UNSPECIFIED: 0, TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 } as const;

export interface LogBatchTransfer {
  readonly kind: 'logs';
  readonly buffers: readonly SharedArrayBuffer[];
  readonly meta: readonly number[];
}

/** What LogBatch needs from src/pdata/otlp-json-logs.ts (loaded lazily: that module imports this one). */
interface OtlpJsonLogsModule {
  jsonToLogsRequest(body: string | Uint8Array): Uint8Array;
  logBatchToJSON(b: LogBatch): string;
}

/** Set dirty bits on record i and mark its scope and resource as containing a modified record. */
function markLogDirty(p: LogParts, i: number, bits: number): void {
  const l32 = p.logs.i32;
  l32[i * LR_STRIDE + LR_BITS] |= bits;
  markScopeDesc(p, l32[i * LR_STRIDE + LR_SCOPE]);
}

/** Attribute owner kind of log records (attributes.ts). */
const OWNER_LOG = registerOwnerKind({
  table: (p: AttrParts) => (p as LogParts).logs,
  stride: LR_STRIDE,
  firstCol: LR_ATTR_FIRST,
  nCol: LR_ATTR_N,
  rawOffCol: LR_OFF,
  rawLenCol: LR_LEN,
  field: 6,
  markDirty: (p: AttrParts, row: number) => markLogDirty(p as LogParts, row, LRD_ATTRS),
  isDirty: (p: AttrParts, row: number) => ((p as LogParts).logs.i32[row * LR_STRIDE + LR_BITS] & LRD_ATTRS) !== 0,
});

const NO_ID = new Uint8Array(0);

export class LogBatch extends BatchBase implements LogParts {
  private _logs: Table;

  private constructor(p: LogParts | null, lazy: readonly LogBatch[] | null = null) {
    super(p, lazy);
    this._logs = p?.logs as Table;
  }
  /** @internal the log record table (see layout.ts; the others are BatchBase's); not part of the API. */
  get logs(): Table {
    return this.own()._logs;
  }
  protected gatherLazy(parts: readonly BatchBase[]): void {
    const p = concatLogParts(parts as LogBatch[]);
    this._logs = p.logs;
    this.adopt(p);
  }

  /** Decode an ExportLogsServiceRequest. Throws DecodeError (OTELTS_ERR_DECODE) on malformed input. */
  static decode(bytes: Uint8Array, opts?: DecodeOptions): LogBatch {
    if (!(bytes instanceof Uint8Array)) throw new DecodeError('request body must be bytes');
    const eager = opts?.eager === true;
    const b = new LogBatch(decodeLogsRequest(bytes, eager));
    if (eager) b.parseAll();
    return b;
  }
  /** Decode an OTLP/JSON ExportLogsServiceRequest (text or UTF-8 bytes). Throws DecodeError. */
  static fromJSON(body: string | Uint8Array): LogBatch {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const json = require('./otlp-json-logs') as OtlpJsonLogsModule;
    return LogBatch.decode(json.jsonToLogsRequest(body));
  }
  /**
   * A batch with every record of `batches`, in order (batching). Resources are never merged across batches.
   * Copies the batches' bytes and rows: collect the batches to merge and call concat once.
   */
  static concat(batches: readonly LogBatch[]): LogBatch {
    if (batches.length === 0) return LogBatch.empty();
    return new LogBatch(concatLogParts(batches));
  }
  /** concat without copying now (see TraceBatch.concatLazy): the caller hands `batches` over. */
  static concatLazy(batches: readonly LogBatch[]): LogBatch {
    if (batches.length < 2) return batches.length === 0 ? LogBatch.empty() : batches[0]!;
    return new LogBatch(null, BatchBase.flatten(batches));
  }
  static empty(): LogBatch {
    return new LogBatch(decodeLogsRequest(new Uint8Array(0), false));
  }
  static fromTransfer(t: LogBatchTransfer): LogBatch {
    const m = t.meta;
    if (t.kind !== 'logs' || m.length < LM_LENGTH || m[LM_VERSION] !== LAYOUT_VERSION || t.buffers.length !== 5) {
      throw new TypeError('not a LogBatchTransfer of this layout version');
    }
    const [a, r, c, l, at] = t.buffers;
    return new LogBatch({
      arena: new Arena(0, m[LM_ARENA_USED], a),
      res: sharedTable(R_STRIDE, r, m[LM_RESOURCES]),
      scopes: sharedTable(C_STRIDE, c, m[LM_SCOPES]),
      logs: sharedTable(LR_STRIDE, l, m[LM_LOGS]),
      attrs: sharedTable(A_STRIDE, at, m[LM_ATTRS]),
      origLen: m[LM_ORIG_LEN],
      attrHint: m[LM_ATTR_HINT],
    });
  }

  get signal(): 'logs' {
    return 'logs';
  }
  /** Log records. */
  get itemCount(): number {
    return this.lazy !== null ? this.lazyItems() : this._logs.rows;
  }
  get logRecordCount(): number {
    return this.itemCount;
  }
  /** Bytes this batch holds (wire bytes + columns): what memory bounds count. */
  get byteSize(): number {
    if (this.lazy !== null) return this.lazyBytes();
    return this.arena.bytes + this.res.buf.byteLength + this.scopes.buf.byteLength + this.logs.buf.byteLength + this.attrs.buf.byteLength;
  }

  /** @internal ExportLogsServiceRequest protobuf (`encode()`, BatchBase). */
  protected encodeParts(fromColumns: boolean): Buffer {
    return encodeLogParts(this, fromColumns);
  }
  /** OTLP/JSON text (hex ids, int64 as strings, enums as ints, lowerCamelCase). */
  toJSON(): string {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const json = require('./otlp-json-logs') as OtlpJsonLogsModule;
    return json.logBatchToJSON(this);
  }
  /** Records [start, end) with their scopes and resources, as a new batch (splitting). */
  slice(start: number, end: number): LogBatch {
    const n = this.logs.rows;
    start = Math.max(0, Math.min(n, Math.trunc(start) || 0));
    end = Math.max(start, Math.min(n, Math.trunc(end) || 0));
    return new LogBatch(selectLogParts(this, start, end, null));
  }
  /** A private copy (fan-out to a consumer that mutates). */
  clone(): LogBatch {
    return new LogBatch(concatLogParts([this]));
  }
  /** Keep records for which keep(i) is true (filter processor); returns a new batch. */
  filterLogRecords(keep: (i: number) => boolean): LogBatch {
    const n = this.logs.rows;
    const mask = new Uint8Array(n);
    for (let i = 0; i < n; i++) mask[i] = keep(i) ? 1 : 0;
    return new LogBatch(selectLogParts(this, 0, n, mask));
  }
  /**
   * SharedArrayBuffers + numbers for postMessage. A hand-off: call it when this thread is done with the
   * batch and do not use the batch here until it comes back (`fromTransfer` of the transfer the other side
   * returns). Reading parses attributes lazily, which writes rows, so two threads must not read one batch at
   * the same time unless `parseAll()` ran before it was shared.
   */
  toTransfer(): LogBatchTransfer {
    const meta: number[] = new Array<number>(LM_LENGTH).fill(0);
    meta[LM_VERSION] = LAYOUT_VERSION;
    meta[LM_ARENA_USED] = this.arena.used;
    meta[LM_RESOURCES] = this.res.rows;
    meta[LM_SCOPES] = this.scopes.rows;
    meta[LM_LOGS] = this.logs.rows;
    meta[LM_ATTRS] = this.attrs.rows;
    meta[LM_ORIG_LEN] = this.origLen;
    meta[LM_ATTR_HINT] = this.attrHint;
    const buffers = [this.arena.ownBuffer(), this.res.buf, this.scopes.buf, this.logs.buf, this.attrs.buf];
    return { kind: 'logs', buffers: buffers as SharedArrayBuffer[], meta };
  }

  /** Parse every attribute into the attribute table (what `{eager: true}` does at decode). */
  parseAll(): void {
    this.parseResourceScopeAttrs();
    for (let i = 0; i < this.logs.rows; i++) ensureAttrs(this, OWNER_LOG, i);
  }

  // ---- scopes (resource and scope accessors: BatchBase)
  /** Index of the first record of scope s, and how many (records of a scope are contiguous). */
  scopeFirstLogRecord(s: number): number {
    return this.scopes.i32[this.checkScope(s) + C_FIRST_SPAN];
  }
  scopeLogRecordCount(s: number): number {
    return this.scopes.i32[this.checkScope(s) + C_SPAN_COUNT];
  }

  // ---- log records
  logScope(i: number): number {
    return this.logs.i32[this.lb(i) + LR_SCOPE];
  }
  logResource(i: number): number {
    return this.scopes.i32[this.logs.i32[this.lb(i) + LR_SCOPE] * C_STRIDE + C_RESOURCE];
  }
  timeUnixNano(i: number): bigint {
    const lb = this.lb(i);
    return u64ToBigInt(this.logs.u32[lb + LR_TIME_LO], this.logs.u32[lb + LR_TIME_HI]);
  }
  observedTimeUnixNano(i: number): bigint {
    const lb = this.lb(i);
    return u64ToBigInt(this.logs.u32[lb + LR_OBS_LO], this.logs.u32[lb + LR_OBS_HI]);
  }
  /** time_unix_nano in milliseconds since the epoch, as a double (no BigInt). */
  timeMs(i: number): number {
    const lb = this.lb(i);
    return (this.logs.u32[lb + LR_TIME_HI] * 4294967296 + this.logs.u32[lb + LR_TIME_LO]) / 1e6;
  }
  /** observed_time_unix_nano in milliseconds since the epoch, as a double (no BigInt). */
  observedTimeMs(i: number): number {
    const lb = this.lb(i);
    return (this.logs.u32[lb + LR_OBS_HI] * 4294967296 + this.logs.u32[lb + LR_OBS_LO]) / 1e6;
  }
  severityNumber(i: number): number {
    return this.logs.i32[this.lb(i) + LR_SEV];
  }
  severityText(i: number): string {
    const lb = this.lb(i);
    return utf8Interned(this.arena.buf, this.logs.i32[lb + LR_STEXT_OFF], this.logs.i32[lb + LR_STEXT_LEN]);
  }
  bodyType(i: number): ValueType {
    const lb = this.lb(i);
    if ((this.logs.i32[lb + LR_BITS] & LRB_BODY) === 0) return 'empty';
    return TYPE_NAMES[this.logs.i32[lb + LR_BODY_TYPE] & T_MASK] ?? 'empty';
  }
  /** The body as a JS value (`{}` when absent). */
  body(i: number): AnyValue {
    const lb = this.lb(i);
    const l32 = this.logs.i32;
    if ((l32[lb + LR_BITS] & LRB_BODY) === 0) return {};
    return materialize(this, l32[lb + LR_BODY_TYPE] & T_MASK, l32[lb + LR_BODY_V0], l32[lb + LR_BODY_V1]);
  }
  /** Body as a string when it is a string (fast path for matching), else undefined. */
  bodyString(i: number): string | undefined {
    const lb = this.lb(i);
    const l32 = this.logs.i32;
    if ((l32[lb + LR_BITS] & LRB_BODY) === 0 || (l32[lb + LR_BODY_TYPE] & T_MASK) !== T_STRING) return undefined;
    return utf8(this.arena.buf, l32[lb + LR_BODY_V0], l32[lb + LR_BODY_V1]);
  }
  logAttributes(i: number): Attributes {
    this.lb(i);
    return new AttrView(this, OWNER_LOG, i);
  }
  droppedAttributesCount(i: number): number {
    return this.logs.u32[this.lb(i) + LR_DROPPED];
  }
  flags(i: number): number {
    return this.logs.u32[this.lb(i) + LR_FLAGS];
  }
  /** '' when absent. */
  traceIdHex(i: number): string {
    const lb = this.lb(i);
    return this.hexAt(this.logs.i32[lb + LR_TID_OFF], this.logs.i32[lb + LR_TID_LEN]);
  }
  /** The 16 trace id bytes as a view (no copy), or an empty array when absent (sharding). */
  traceIdBytes(i: number): Uint8Array {
    const off = this.traceIdOffset(i);
    return off < 0 ? NO_ID : this.arena.u8.slice(off, off + 16);
  }
  /** Offset of the 16 trace id bytes in `arenaBytes` (-1 when absent): hashing without creating a view. */
  traceIdOffset(i: number): number {
    const lb = this.lb(i);
    return this.logs.i32[lb + LR_TID_LEN] === 16 ? this.logs.i32[lb + LR_TID_OFF] : -1;
  }
  /** The batch's byte arena (read only!): for traceIdOffset(). */
  get arenaBytes(): Uint8Array {
    return this.arena.u8;
  }
  /** '' when absent. */
  spanIdHex(i: number): string {
    const lb = this.lb(i);
    return this.hexAt(this.logs.i32[lb + LR_SID_OFF], this.logs.i32[lb + LR_SID_LEN]);
  }
  eventName(i: number): string {
    const lb = this.lb(i);
    return utf8Interned(this.arena.buf, this.logs.i32[lb + LR_EVENT_OFF], this.logs.i32[lb + LR_EVENT_LEN]);
  }

  // ---- mutation (marks the record dirty)
  /** Replace the body (`{}` removes it). Throws TypeError (batch unchanged) when `body` is not an AnyValue. */
  setBody(i: number, body: AnyValue): void {
    const lb = this.lb(i);
    const enc = encodeValue(this, body);
    const l32 = this.logs.i32;
    l32[lb + LR_BODY_OFF] = -1;
    l32[lb + LR_BODY_LEN] = 0;
    l32[lb + LR_BODY_TYPE] = enc.type;
    l32[lb + LR_BODY_V0] = enc.v0;
    l32[lb + LR_BODY_V1] = enc.v1;
    l32[lb + LR_BITS] = (l32[lb + LR_BITS] & ~(LRB_BODY | LRB_BODY_EXTRA)) | (enc.type !== T_EMPTY ? LRB_BODY : 0);
    markLogDirty(this, i, LRD_BODY);
  }
  /** Set severity_number and severity_text (0 and '' are written as absent, as proto3 does). */
  setSeverity(i: number, num: number, text: string): void {
    const lb = this.lb(i);
    const len = utf8Length(text);
    const off = len === 0 ? -1 : this.arena.appendString(text, len);
    const l32 = this.logs.i32;
    l32[lb + LR_STEXT_OFF] = off;
    l32[lb + LR_STEXT_LEN] = len;
    l32[lb + LR_SEV] = num | 0;
    l32[lb + LR_BITS] = (l32[lb + LR_BITS] & ~LRB_SEV) | ((num | 0) !== 0 ? LRB_SEV : 0);
    markLogDirty(this, i, LRD_SEV);
  }

  // ---- internals
  private lb(i: number): number {
    if (!(i >= 0 && i < this.logs.rows)) throw new RangeError(`log record index ${i} out of range [0, ${this.logs.rows})`);
    return i * LR_STRIDE;
  }
}
