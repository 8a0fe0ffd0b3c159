// TraceBatch: traces held as columns in SharedArrayBuffers (layout in ./layout.ts), decoded lazily from
// ExportTraceServiceRequest bytes. Spans, scopes and resources are addressed by index:
//   span i in [0, spanCount), scope s in [0, scopeCount), resource r in [0, resourceCount).
// Spans are in wire order; spans of one scope are contiguous; scopes of one resource are contiguous.
//
// How it works (details in decode.ts / encode.ts / gather.ts; what the three signals share is in batch-base.ts,
// encode-common.ts and gather-common.ts):
//   * decode copies the request into a shared byte arena once, validates all of it and indexes resources,
//     scopes and spans; attributes, events and links are parsed into their tables when first read.
//   * encode copies untouched bytes; modified messages are rewritten field by field; a batch nobody
//     modified encodes to its original bytes.
//   * slice/concat/filterSpans/clone build new batches (new buffers), copying only the bytes they keep.
//   * filterSpanEvents copies the batch and removes events from span rows (those spans are re-encoded).
//   * toTransfer/fromTransfer hand the SharedArrayBuffers to another thread. It is a hand-off: only one
//     side should use (and above all modify) the batch at a time; after a modification that grew a buffer
//     the other side's copy is stale, so hand it back with toTransfer() again.

import { DecodeError } from '../errors';
import { decodeRequest, parseEvents, parseLinks, type Parts } from './decode';
import { encodeParts } from './encode';
import { concatParts, selectParts } from './gather';
import { AttrView, ensureAttrs, markSpanDirty, OWNER_EVENT, OWNER_LINK, OWNER_SPAN } from './attributes';
import { BatchBase, sharedTable } from './batch-base';
import { utf8, utf8Interned, utf8Length, u64ToBigInt } from './wire';
import {
  Arena, Table, LAYOUT_VERSION,
  M_VERSION, M_ARENA_USED, M_RESOURCES, M_SCOPES, M_SPANS, M_ATTRS, M_EVENTS, M_LINKS, M_ORIG_LEN, M_ATTR_HINT,
  M_LENGTH,
  R_STRIDE, C_STRIDE, C_RESOURCE, C_FIRST_SPAN, C_SPAN_COUNT,
  S_STRIDE, S_TID_OFF, S_TID_LEN, S_SID_OFF, S_SID_LEN, S_PSID_OFF, S_PSID_LEN, S_TSTATE_OFF, S_TSTATE_LEN,
  S_NAME_OFF, S_NAME_LEN, S_SMSG_OFF, S_SMSG_LEN, S_SCODE, S_KIND, S_START_LO, S_START_HI, S_END_LO, S_END_HI,
  S_FLAGS, S_DROP_ATTRS, S_DROP_EVENTS, S_DROP_LINKS, S_EVENT_N, S_LINK_N, S_EVENT_FIRST,
  S_LINK_FIRST, S_SCOPE, S_BITS, SB_SCODE, SB_STATUS_SET, SD_NAME, SD_STATUS, SD_EVENTS,
  A_STRIDE,
  E_STRIDE, E_NAME_OFF, E_NAME_LEN, E_TIME_LO, E_TIME_HI, E_DROPPED,
  L_STRIDE, L_TID_OFF, L_TID_LEN, L_SID_OFF, L_SID_LEN, L_TSTATE_OFF, L_TSTATE_LEN, L_FLAGS, L_DROPPED,
} from './layout';

/** An OTLP AnyValue as a JS value, shaped like OTLP/JSON but with int64 as bigint. `{}` is the empty value. */
export type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: bigint }
  | { doubleValue: number }
  | { bytesValue: Uint8Array }
  | { arrayValue: AnyValue[] }
  | { kvlistValue: Array<[string, AnyValue]> }
  | Record<string, never>;

export type ValueType = 'empty' | 'string' | 'bool' | 'int' | 'double' | 'bytes' | 'array' | 'kvlist';

/** Span kinds and status codes as on the wire. */
export const SpanKind = { UNSPECIFIED: 0, INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;
export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;

/**
 * The attributes of one span, resource, scope, event or link. A view: it reads and writes the batch's columns;
 * writes mark the owner dirty so only it is re-encoded. Views are cheap to create and may be kept until the
 * batch is handed downstream.
 */
export interface Attributes {
  readonly length: number;
  key(j: number): string;
  type(j: number): ValueType;
  /** Value of entry j as a JS value. */
  value(j: number): AnyValue;
  /** Index of `key`, or -1. Compares bytes; does not decode other keys to strings. */
  indexOf(key: string): number;
  get(key: string): AnyValue | undefined;
  /** String value of `key` if it is a string attribute, else undefined (fast path for matching). */
  getString(key: string): string | undefined;
  /** Insert or replace (upsert). */
  set(key: string, value: AnyValue): void;
  /** Remove `key`; true if it was present. */
  delete(key: string): boolean;
  /** Plain object `{ key: AnyValue }` in order (for tests and the debug exporter). */
  toObject(): Record<string, AnyValue>;
}

/** Transferable form: SharedArrayBuffers and numbers only (postMessage moves it without copying data). */
export interface TraceBatchTransfer {
  readonly kind: 'traces';
  readonly buffers: readonly SharedArrayBuffer[];
  readonly meta: readonly number[];
}

export interface DecodeOptions {
  /** Parse every attribute, event, link and string into columns now (benchmarks, tests). Default: lazy. */
  eager?: boolean;
  /**
   * `bytes` is a view of a buffer region the caller gives away (at an 8-aligned offset): the batch uses it as its
   * arena instead of copying (the caller must not touch that region afterwards). A SharedArrayBuffer keeps the
   * batch transferable to another thread; a plain ArrayBuffer is for batches that stay in their thread.
   */
  adopt?: boolean;
  /** With `adopt`: bytes of the region from the view's start (≥ its length; the rest is room for edits). */
  capacity?: number;
}

export interface EncodeOptions {
  /** Re-encode every span from columns even when its original bytes could be copied (benchmarks, tests). */
  fromColumns?: boolean;
}

/** What TraceBatch needs from src/pdata/otlp-json.ts (loaded lazily: that module imports this one). */
interface OtlpJsonModule {
  jsonToTraceRequest(body: string | Uint8Array): Uint8Array;
  traceBatchToJSON(b: TraceBatch): string;
}

export class TraceBatch extends BatchBase implements Parts {
  private _spans: Table;
  private _events: Table;
  private _links: Table;

  private constructor(p: Parts | null, lazy: readonly TraceBatch[] | null = null) {
    super(p, lazy);
    this._spans = p?.spans as Table;
    this._events = p?.events as Table;
    this._links = p?.links as Table;
  }
  /** @internal the span tables (see layout.ts; the others are BatchBase's); not part of the API. */
  get spans(): Table {
    return this.own()._spans;
  }
  /** @internal */
  get events(): Table {
    return this.own()._events;
  }
  /** @internal */
  get links(): Table {
    return this.own()._links;
  }
  protected gatherLazy(parts: readonly BatchBase[]): void {
    const p = concatParts(parts as TraceBatch[]);
    this._spans = p.spans;
    this._events = p.events;
    this._links = p.links;
    this.adopt(p);
  }

  /** Decode an ExportTraceServiceRequest. Throws DecodeError (OTELTS_ERR_DECODE) on malformed input. */
  static decode(bytes: Uint8Array, opts?: DecodeOptions): TraceBatch {
    if (!(bytes instanceof Uint8Array)) throw new DecodeError('request body must be bytes');
    return new TraceBatch(decodeRequest(bytes, opts?.eager === true, opts?.adopt === true, opts?.capacity));
  }
  /** Decode an OTLP/JSON ExportTraceServiceRequest (text or UTF-8 bytes). Throws DecodeError. */
  static fromJSON(body: string | Uint8Array): TraceBatch {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const json = require('./otlp-json') as OtlpJsonModule;
    return TraceBatch.decode(json.jsonToTraceRequest(body));
  }
  /**
   * A batch with every span of `batches`, in order (batching). Resources are never merged across batches.
   * Copies the batches' bytes and rows: collect the batches to merge and call concat once (not once per
   * incoming batch, which would copy the growing batch again each time).
   */
  static concat(batches: readonly TraceBatch[]): TraceBatch {
    if (batches.length === 0) return TraceBatch.empty();
    return new TraceBatch(concatParts(batches));
  }
  /**
   * concat without copying now: the batch refers to `batches` until something reads its tables (counting and
   * encoding do not: a batch that is only forwarded is encoded straight from its parts, in one copy). The caller
   * hands `batches` over: nothing may modify them afterwards (the batch processor owns what it batches).
   */
  static concatLazy(batches: readonly TraceBatch[]): TraceBatch {
    if (batches.length < 2) return batches.length === 0 ? TraceBatch.empty() : batches[0]!;
    return new TraceBatch(null, BatchBase.flatten(batches));
  }
  static empty(): TraceBatch {
    return new TraceBatch(decodeRequest(new Uint8Array(0), false));
  }
  static fromTransfer(t: TraceBatchTransfer): TraceBatch {
    const m = t.meta;
    if (t.kind !== 'traces' || m.length < M_LENGTH || m[M_VERSION] !== LAYOUT_VERSION || t.buffers.length !== 7) {
      throw new TypeError('not a TraceBatchTransfer of this layout version');
    }
    const [a, r, c, s, at, e, l] = t.buffers;
    return new TraceBatch({
      arena: new Arena(0, m[M_ARENA_USED], a),
      res: sharedTable(R_STRIDE, r, m[M_RESOURCES]),
      scopes: sharedTable(C_STRIDE, c, m[M_SCOPES]),
      spans: sharedTable(S_STRIDE, s, m[M_SPANS]),
      attrs: sharedTable(A_STRIDE, at, m[M_ATTRS]),
      events: sharedTable(E_STRIDE, e, m[M_EVENTS]),
      links: sharedTable(L_STRIDE, l, m[M_LINKS]),
      origLen: m[M_ORIG_LEN],
      attrHint: m[M_ATTR_HINT],
    });
  }

  /** The signal (generic code: exporters, batch, queues). */
  get signal(): 'traces' {
    return 'traces';
  }
  get spanCount(): number {
    return this.itemCount;
  }
  /** Items this batch counts for batching and metrics: its spans. */
  get itemCount(): number {
    return this.lazy !== null ? this.lazyItems() : this._spans.rows;
  }
  /** Bytes this batch holds (wire bytes + columns): what memory bounds count. */
  get byteSize(): number {
    if (this.lazy !== null) return this.lazyBytes();
    return (
      this.arena.bytes + this.res.buf.byteLength + this.scopes.buf.byteLength + this.spans.buf.byteLength +
      this.attrs.buf.byteLength + this.events.buf.byteLength + this.links.buf.byteLength
    );
  }

  /** @internal ExportTraceServiceRequest protobuf (`encode()`, BatchBase). */
  protected encodeParts(fromColumns: boolean): Buffer {
    return encodeParts(this, fromColumns);
  }
  /** OTLP/JSON text (hex ids, int64 as strings, enums as ints, lowerCamelCase). */
  toJSON(): string {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const json = require('./otlp-json') as OtlpJsonModule;
    return json.traceBatchToJSON(this);
  }
  /** Spans [start, end) with their scopes and resources, as a new batch (splitting). */
  slice(start: number, end: number): TraceBatch {
    const n = this.spans.rows;
    start = Math.max(0, Math.min(n, Math.trunc(start) || 0));
    end = Math.max(start, Math.min(n, Math.trunc(end) || 0));
    return new TraceBatch(selectParts(this, start, end, null));
  }
  /** A private copy (fan-out to a consumer that mutates). */
  clone(): TraceBatch {
    return new TraceBatch(concatParts([this]));
  }
  /** Keep only spans for which `keep(i)` is true (filtering, sampling); returns a new batch. */
  filterSpans(keep: (i: number) => boolean): TraceBatch {
    const n = this.spans.rows;
    const mask = new Uint8Array(n);
    for (let i = 0; i < n; i++) mask[i] = keep(i) ? 1 : 0;
    return new TraceBatch(selectParts(this, 0, n, mask));
  }
  /**
   * Remove the events e of span i for which `keep(i, e)` is false (filter processor, spanevent context);
   * returns a new batch (spans, their other fields, links and attributes unchanged; dropped_events_count is
   * left as it was, as upstream). A span that lost events is re-encoded with its remaining events copied raw,
   * in order. When nothing is removed, returns this batch itself (no copy).
   */
  filterSpanEvents(keep: (i: number, e: number) => boolean): TraceBatch {
    const n = this.spans.rows;
    const s32 = this.spans.i32;
    // The kept-event mask of every span with a removed event (null: nothing removed so far).
    let masks: Map<number, Uint8Array> | null = null;
    for (let i = 0; i < n; i++) {
      const ne = s32[i * S_STRIDE + S_EVENT_N];
      if (ne === 0) continue;
      let mask: Uint8Array | null = null;
      for (let e = 0; e < ne; e++) {
        if (keep(i, e)) continue;
        if (mask === null) mask = new Uint8Array(ne).fill(1);
        mask[e] = 0;
      }
      if (mask !== null) (masks ??= new Map()).set(i, mask);
    }
    if (masks === null) return this;
    const out = new TraceBatch(concatParts([this]));
    const o32 = out.spans.i32;
    for (const [i, mask] of masks) {
      const sb = i * S_STRIDE;
      const first = out.eventFirst(i); // parses the span's events in the copy when needed
      const e32 = out.events.i32;
      let k = 0;
      for (let e = 0; e < mask.length; e++) {
        if (mask[e] === 0) continue;
        if (k !== e) e32.copyWithin((first + k) * E_STRIDE, (first + e) * E_STRIDE, (first + e + 1) * E_STRIDE);
        k++;
      }
      o32[sb + S_EVENT_N] = k;
      markSpanDirty(out, i, SD_EVENTS);
    }
    return out;
  }
  /**
   * SharedArrayBuffers + numbers for postMessage. A hand-off: call it when this thread is done with the
   * batch and do not use the batch here until it comes back (`fromTransfer` of the transfer the other side
   * returns). Reading parses lazily, which writes rows, so two threads must not read one batch at the same
   * time unless `parseAll()` ran before it was shared.
   */
  toTransfer(): TraceBatchTransfer {
    const meta: number[] = new Array<number>(M_LENGTH).fill(0);
    meta[M_VERSION] = LAYOUT_VERSION;
    meta[M_ARENA_USED] = this.arena.used;
    meta[M_RESOURCES] = this.res.rows;
    meta[M_SCOPES] = this.scopes.rows;
    meta[M_SPANS] = this.spans.rows;
    meta[M_ATTRS] = this.attrs.rows;
    meta[M_EVENTS] = this.events.rows;
    meta[M_LINKS] = this.links.rows;
    meta[M_ORIG_LEN] = this.origLen;
    meta[M_ATTR_HINT] = this.attrHint;
    const buffers = [this.arena.ownBuffer(), this.res.buf, this.scopes.buf, this.spans.buf, this.attrs.buf, this.events.buf, this.links.buf];
    return { kind: 'traces', buffers: buffers as SharedArrayBuffer[], meta };
  }

  /** Parse every attribute, event and link into the tables (what `{eager: true}` does at decode). */
  parseAll(): void {
    this.parseResourceScopeAttrs();
    for (let i = 0; i < this.spans.rows; i++) {
      ensureAttrs(this, OWNER_SPAN, i);
      const ef = this.eventFirst(i);
      for (let e = 0; e < this.spans.i32[i * S_STRIDE + S_EVENT_N]; e++) ensureAttrs(this, OWNER_EVENT, ef + e);
      const lf = this.linkFirst(i);
      for (let l = 0; l < this.spans.i32[i * S_STRIDE + S_LINK_N]; l++) ensureAttrs(this, OWNER_LINK, lf + l);
    }
  }

  // ---- scopes (resource and scope accessors: BatchBase)
  /** Index of the first span of scope s, and how many (spans of a scope are contiguous). */
  scopeFirstSpan(s: number): number {
    return this.scopes.i32[this.checkScope(s) + C_FIRST_SPAN];
  }
  scopeSpanCount(s: number): number {
    return this.scopes.i32[this.checkScope(s) + C_SPAN_COUNT];
  }

  // ---- spans
  spanScope(i: number): number {
    return this.spans.i32[this.sb(i) + S_SCOPE];
  }
  spanResource(i: number): number {
    return this.scopes.i32[this.spans.i32[this.sb(i) + S_SCOPE] * C_STRIDE + C_RESOURCE];
  }
  /** 32 lowercase hex chars ('' when the span has no trace id). */
  traceIdHex(i: number): string {
    const sb = this.sb(i);
    return this.hexAt(this.spans.i32[sb + S_TID_OFF], this.spans.i32[sb + S_TID_LEN]);
  }
  /** The 16 trace id bytes (a copy). All zero when absent. */
  traceIdBytes(i: number): Uint8Array {
    const sb = this.sb(i);
    const off = this.spans.i32[sb + S_TID_OFF];
    if (off < 0 || this.spans.i32[sb + S_TID_LEN] !== 16) return new Uint8Array(16);
    return this.arena.u8.slice(off, off + 16);
  }
  /** Offset of the 16 trace id bytes in `arenaBytes` (-1 when absent): hashing without creating a view. */
  traceIdOffset(i: number): number {
    const sb = this.sb(i);
    return this.spans.i32[sb + S_TID_LEN] === 16 ? this.spans.i32[sb + S_TID_OFF] : -1;
  }
  /** The batch's byte arena (read only!): for traceIdOffset(). */
  get arenaBytes(): Uint8Array {
    return this.arena.u8;
  }
  spanIdHex(i: number): string {
    const sb = this.sb(i);
    return this.hexAt(this.spans.i32[sb + S_SID_OFF], this.spans.i32[sb + S_SID_LEN]);
  }
  /** '' when absent. */
  parentSpanIdHex(i: number): string {
    const sb = this.sb(i);
    return this.hexAt(this.spans.i32[sb + S_PSID_OFF], this.spans.i32[sb + S_PSID_LEN]);
  }
  traceState(i: number): string {
    const sb = this.sb(i);
    return utf8(this.arena.buf, this.spans.i32[sb + S_TSTATE_OFF], this.spans.i32[sb + S_TSTATE_LEN]);
  }
  flags(i: number): number {
    return this.spans.u32[this.sb(i) + S_FLAGS];
  }
  name(i: number): string {
    const sb = this.sb(i);
    return utf8Interned(this.arena.buf, this.spans.i32[sb + S_NAME_OFF], this.spans.i32[sb + S_NAME_LEN]);
  }
  kind(i: number): number {
    return this.spans.i32[this.sb(i) + S_KIND];
  }
  startTimeUnixNano(i: number): bigint {
    const sb = this.sb(i);
    return u64ToBigInt(this.spans.u32[sb + S_START_LO], this.spans.u32[sb + S_START_HI]);
  }
  endTimeUnixNano(i: number): bigint {
    const sb = this.sb(i);
    return u64ToBigInt(this.spans.u32[sb + S_END_LO], this.spans.u32[sb + S_END_HI]);
  }
  /** Start time in milliseconds since the epoch, as a double (no BigInt). */
  startTimeMs(i: number): number {
    const sb = this.sb(i);
    return (this.spans.u32[sb + S_START_HI] * 4294967296 + this.spans.u32[sb + S_START_LO]) / 1e6;
  }
  /** end - start in nanoseconds as a double (latency policies). */
  durationNanos(i: number): number {
    const sb = this.sb(i);
    const u = this.spans.u32;
    return (u[sb + S_END_HI] - u[sb + S_START_HI]) * 4294967296 + (u[sb + S_END_LO] - u[sb + S_START_LO]);
  }
  spanAttributes(i: number): Attributes {
    this.sb(i);
    return new AttrView(this, OWNER_SPAN, i);
  }
  droppedAttributesCount(i: number): number {
    return this.spans.u32[this.sb(i) + S_DROP_ATTRS];
  }
  statusCode(i: number): number {
    return this.spans.i32[this.sb(i) + S_SCODE];
  }
  statusMessage(i: number): string {
    const sb = this.sb(i);
    return utf8(this.arena.buf, this.spans.i32[sb + S_SMSG_OFF], this.spans.i32[sb + S_SMSG_LEN]);
  }
  eventCount(i: number): number {
    return this.spans.i32[this.sb(i) + S_EVENT_N];
  }
  droppedEventsCount(i: number): number {
    return this.spans.u32[this.sb(i) + S_DROP_EVENTS];
  }
  linkCount(i: number): number {
    return this.spans.i32[this.sb(i) + S_LINK_N];
  }
  droppedLinksCount(i: number): number {
    return this.spans.u32[this.sb(i) + S_DROP_LINKS];
  }
  /** Event e of span i (0 <= e < eventCount(i)). */
  eventName(i: number, e: number): string {
    const eb = this.eb(i, e);
    return utf8Interned(this.arena.buf, this.events.i32[eb + E_NAME_OFF], this.events.i32[eb + E_NAME_LEN]);
  }
  eventTimeUnixNano(i: number, e: number): bigint {
    const eb = this.eb(i, e);
    return u64ToBigInt(this.events.u32[eb + E_TIME_LO], this.events.u32[eb + E_TIME_HI]);
  }
  eventAttributes(i: number, e: number): Attributes {
    return new AttrView(this, OWNER_EVENT, this.eb(i, e) / E_STRIDE, i);
  }
  eventDroppedAttributesCount(i: number, e: number): number {
    return this.events.u32[this.eb(i, e) + E_DROPPED];
  }
  /** Link l of span i (0 <= l < linkCount(i)). */
  linkTraceIdHex(i: number, l: number): string {
    const lb = this.lb(i, l);
    return this.hexAt(this.links.i32[lb + L_TID_OFF], this.links.i32[lb + L_TID_LEN]);
  }
  linkSpanIdHex(i: number, l: number): string {
    const lb = this.lb(i, l);
    return this.hexAt(this.links.i32[lb + L_SID_OFF], this.links.i32[lb + L_SID_LEN]);
  }
  linkTraceState(i: number, l: number): string {
    const lb = this.lb(i, l);
    return utf8(this.arena.buf, this.links.i32[lb + L_TSTATE_OFF], this.links.i32[lb + L_TSTATE_LEN]);
  }
  linkFlags(i: number, l: number): number {
    return this.links.u32[this.lb(i, l) + L_FLAGS];
  }
  linkAttributes(i: number, l: number): Attributes {
    return new AttrView(this, OWNER_LINK, this.lb(i, l) / L_STRIDE, i);
  }
  linkDroppedAttributesCount(i: number, l: number): number {
    return this.links.u32[this.lb(i, l) + L_DROPPED];
  }

  // ---- span mutation (marks the span dirty)
  setName(i: number, name: string): void {
    const sb = this.sb(i);
    const len = utf8Length(name);
    const off = len === 0 ? -1 : this.arena.appendString(name, len);
    this.spans.i32[sb + S_NAME_OFF] = off;
    this.spans.i32[sb + S_NAME_LEN] = len;
    markSpanDirty(this, i, SD_NAME);
  }
  setStatus(i: number, code: number, message: string): void {
    const sb = this.sb(i);
    const len = utf8Length(message);
    const off = len === 0 ? -1 : this.arena.appendString(message, len);
    const s32 = this.spans.i32;
    s32[sb + S_SMSG_OFF] = off;
    s32[sb + S_SMSG_LEN] = len;
    s32[sb + S_SCODE] = code | 0;
    s32[sb + S_BITS] = (s32[sb + S_BITS] & ~SB_SCODE) | SB_STATUS_SET | (code !== 0 ? SB_SCODE : 0);
    markSpanDirty(this, i, SD_STATUS);
  }

  // ---- internals
  private sb(i: number): number {
    if (!(i >= 0 && i < this.spans.rows)) throw new RangeError(`span index ${i} out of range [0, ${this.spans.rows})`);
    return i * S_STRIDE;
  }
  private eventFirst(i: number): number {
    const sb = i * S_STRIDE;
    let f = this.spans.i32[sb + S_EVENT_FIRST];
    if (f < 0) {
      f = parseEvents(this, i);
      this.spans.i32[sb + S_EVENT_FIRST] = f;
    }
    return f;
  }
  private linkFirst(i: number): number {
    const sb = i * S_STRIDE;
    let f = this.spans.i32[sb + S_LINK_FIRST];
    if (f < 0) {
      f = parseLinks(this, i);
      this.spans.i32[sb + S_LINK_FIRST] = f;
    }
    return f;
  }
  /** Base index of event e of span i in events.i32. */
  private eb(i: number, e: number): number {
    const sb = this.sb(i);
    const n = this.spans.i32[sb + S_EVENT_N];
    if (!(e >= 0 && e < n)) throw new RangeError(`event index ${e} out of range [0, ${n})`);
    return (this.eventFirst(i) + e) * E_STRIDE;
  }
  private lb(i: number, l: number): number {
    const sb = this.sb(i);
    const n = this.spans.i32[sb + S_LINK_N];
    if (!(l >= 0 && l < n)) throw new RangeError(`link index ${l} out of range [0, ${n})`);
    return (this.linkFirst(i) + l) * L_STRIDE;
  }
}
