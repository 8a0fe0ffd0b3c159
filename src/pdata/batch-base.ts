// What TraceBatch, LogBatch and MetricBatch share: the arena, resource, scope and attribute tables (the R_*,
// C_*, A_* layouts are the same for the three signals) and their accessors.

import type { Attributes, EncodeOptions } from './traces';
import { isPristine } from './encode-common';
import { AttrView, ensureAttrs, OWNER_RESOURCE, OWNER_SCOPE } from './attributes';
import { hex, seqCopy, totalLength, utf8, utf8Interned } from './wire';
import { BufferPool } from './buffer-pool';
import {
  Arena, Table,
  R_STRIDE, R_SCHEMA_OFF, R_SCHEMA_LEN, R_DROPPED, R_FIRST_SCOPE, R_SCOPE_COUNT,
  C_STRIDE, C_NAME_OFF, C_NAME_LEN, C_VERSION_OFF, C_VERSION_LEN, C_SCHEMA_OFF, C_SCHEMA_LEN, C_RESOURCE, C_DROPPED,
} from './layout';

/** The tables every signal's batch has. */
export interface BaseParts {
  arena: Arena;
  res: Table;
  scopes: Table;
  attrs: Table;
  /** Length of the original request at arena offset 0 (-1: not a whole request). */
  origLen: number;
  /** Total attribute count (capacity hint for lazy parsing). */
  attrHint: number;
}

/** A table over a SharedArrayBuffer received with a transfer (fromTransfer). */
export function sharedTable(stride: number, buf: SharedArrayBuffer, rows: number): Table {
  const t = new Table(stride, 0, true, buf);
  t.rows = rows;
  return t;
}

/** Encodings known for batches that will not change (rememberEncoding). */
const preEncoded = new WeakMap<object, Uint8Array>();

/**
 * Remember `bytes` as `batch`'s Export*ServiceRequest, so encode() returns them instead of encoding again. For a
 * holder that owns the batch from now on and will not modify it (the persistent queue, which has just stored
 * exactly these bytes): the caller guarantees that no processor touches the batch afterwards.
 */
export function rememberEncoding(batch: object, bytes: Uint8Array): void {
  preEncoded.set(batch, bytes);
}

/** Write `views` back to back into `out` (which has ≥ 8 bytes to spare: seqCopy may write 7 past each copy). */
function writeViews(out: Uint8Array, views: readonly Uint8Array[]): void {
  let off = 0;
  for (const v of views) {
    seqCopy(out, off, v, 0, v.byteLength);
    off += v.byteLength;
  }
}

function concatBytes(views: readonly Uint8Array[]): Buffer {
  const n = totalLength(views);
  const out = Buffer.allocUnsafe(n + 8);
  writeViews(out, views);
  return out.subarray(0, n);
}

/** An encoding in a pooled buffer (encodeLeased): call release() once nothing reads `bytes` any more. */
export interface LeasedEncoding {
  readonly bytes: Buffer;
  release(): void;
}
const NO_RELEASE = (): void => undefined;
/** Encoded requests (64 KiB to 64 MiB, at most 128 MiB idle per thread): see buffer-pool.ts for why. */
const encodeBuffers = new BufferPool<ArrayBuffer>((n) => new ArrayBuffer(n), 64 << 10, 64 << 20, 128 << 20);

export abstract class BatchBase implements BaseParts {
  // The tables live in the `_` fields; the accessors below first copy a lazy concatenation (concatLazy) into
  // tables of its own. Every signal's own tables follow the same pattern (TraceBatch, LogBatch, MetricBatch).
  private _arena: Arena;
  private _res: Table;
  private _scopes: Table;
  private _attrs: Table;
  private _origLen: number;
  private _attrHint: number;
  /**
   * The batches this one is the concatenation of, not copied yet (null: the tables are this batch's own). Counting,
   * sizing and encoding work from the parts; anything else copies them first (`materialize`).
   */
  protected lazy: readonly BatchBase[] | null;

  protected constructor(p: BaseParts | null, lazy: readonly BatchBase[] | null = null) {
    this.lazy = lazy;
    this._arena = p?.arena as Arena;
    this._res = p?.res as Table;
    this._scopes = p?.scopes as Table;
    this._attrs = p?.attrs as Table;
    this._origLen = p === null ? -1 : p.origLen;
    this._attrHint = p === null ? 0 : p.attrHint;
  }

  /** @internal the tables (see layout.ts); not part of the API. */
  get arena(): Arena {
    return this.own()._arena;
  }
  /** @internal */
  get res(): Table {
    return this.own()._res;
  }
  /** @internal */
  get scopes(): Table {
    return this.own()._scopes;
  }
  /** @internal */
  get attrs(): Table {
    return this.own()._attrs;
  }
  /** @internal */
  get origLen(): number {
    return this.own()._origLen;
  }
  /** @internal */
  get attrHint(): number {
    return this.own()._attrHint;
  }

  /** This batch, its tables its own (a lazy concatenation is copied first): what every table accessor goes through. */
  protected own(): this {
    if (this.lazy !== null) this.materialize();
    return this;
  }
  /** Take the tables of `p` (a subclass takes its own tables, then calls this). */
  protected adopt(p: BaseParts): void {
    this._arena = p.arena;
    this._res = p.res;
    this._scopes = p.scopes;
    this._attrs = p.attrs;
    this._origLen = p.origLen;
    this._attrHint = p.attrHint;
  }
  /** Copy the parts of a lazy concatenation into tables of this batch's own (the signal's gather). */
  protected abstract gatherLazy(parts: readonly BatchBase[]): void;
  private materialize(): void {
    const parts = this.lazy!;
    this.lazy = null;
    this.gatherLazy(parts);
  }
  /** The parts of a lazy concatenation of `batches`, nested lazy concatenations flattened. */
  protected static flatten<B extends BatchBase>(batches: readonly B[]): B[] {
    const out: B[] = [];
    for (const b of batches) {
      if (b.lazy !== null) out.push(...(b.lazy as B[]));
      else out.push(b);
    }
    return out;
  }
  /** Items this batch counts (spans, data points, log records). */
  abstract get itemCount(): number;
  /** Bytes this batch holds (wire bytes + columns): what memory bounds count. */
  abstract get byteSize(): number;
  /** Items of a lazy concatenation (the sum over its parts). */
  protected lazyItems(): number {
    let n = 0;
    for (const b of this.lazy!) n += b.itemCount;
    return n;
  }
  /** Bytes of a lazy concatenation (its parts hold the memory). */
  protected lazyBytes(): number {
    let n = 0;
    for (const b of this.lazy!) n += b.byteSize;
    return n;
  }

  /** The Export*ServiceRequest protobuf. A batch nobody modified encodes to its original bytes. */
  encode(opts?: EncodeOptions): Uint8Array {
    const fromColumns = opts?.fromColumns === true;
    if (!fromColumns) {
      const pre = preEncoded.get(this);
      if (pre !== undefined) return Buffer.from(pre.buffer, pre.byteOffset, pre.byteLength);
      // A request's only field is the repeated Resource* message: the concatenation of the parts' encodings
      // is the encoding of their concatenation, written in one copy from the parts' own bytes.
      if (this.lazy !== null) return concatBytes(this.lazy.map((b) => b.encodeView()));
    }
    if (!fromColumns && isPristine(this)) return Buffer.from(this.arena.u8.subarray(0, this.origLen));
    // Modified owners always have their attributes (events, links, exemplars) parsed already: set/delete parse first.
    if (fromColumns) this.parseAll();
    return this.encodeParts(fromColumns);
  }
  /**
   * The Export*ServiceRequest protobuf as a view when the batch is untouched (its original bytes in the shared
   * arena: read it before the batch is modified or handed off, never write to it), else a fresh encode().
   * For callers that copy the bytes anyway (the persistent queue's record) — one copy less than encode().
   */
  encodeView(): Uint8Array {
    const p = this.pieces();
    if (p === null) return this.encode();
    return p.length === 1 ? p[0]! : concatBytes(p);
  }
  /**
   * The Export*ServiceRequest protobuf as pieces to write back to back (views of the batch's memory where it is
   * untouched: read them at once, as encodeView). A lazy concatenation is its parts' pieces, so a caller that
   * copies the bytes anyway (the persistent queue's record) copies them once.
   */
  encodeViews(): Uint8Array[] {
    return this.pieces() ?? [this.encode()];
  }
  /**
   * encode() into a pooled buffer, for a sender that knows when it is done with the bytes (an exporter, once its
   * request completed): a batch that is only forwarded then costs no fresh memory. Batches that were modified
   * are encoded as by encode() (release does nothing).
   */
  encodeLeased(): LeasedEncoding {
    const pre = preEncoded.get(this);
    if (pre !== undefined) return { bytes: Buffer.from(pre.buffer, pre.byteOffset, pre.byteLength), release: NO_RELEASE };
    const views = this.pieces();
    if (views === null) return { bytes: this.encode() as Buffer, release: NO_RELEASE };
    const n = totalLength(views);
    const ab = encodeBuffers.take(n + 8);
    writeViews(new Uint8Array(ab), views);
    let done = false;
    return {
      bytes: Buffer.from(ab, 0, n),
      release: () => {
        if (done) return;
        done = true;
        encodeBuffers.give(ab);
      },
    };
  }
  /**
   * The request's bytes as views of memory that already holds them — the remembered encoding, the untouched
   * arena, or a lazy concatenation's parts' pieces — or null when it must be encoded.
   */
  private pieces(): Uint8Array[] | null {
    const pre = preEncoded.get(this);
    if (pre !== undefined) return [pre];
    if (this.lazy !== null) return this.lazy.map((b) => b.encodeView());
    if (isPristine(this)) return [this._arena.u8.subarray(0, this._origLen)];
    return null;
  }
  /** Parse every attribute list (and every nested row) into the tables (what `{eager: true}` does at decode). */
  abstract parseAll(): void;
  /** The signal's encoder (encode.ts, logs-encode.ts, metrics-encode.ts). */
  protected abstract encodeParts(fromColumns: boolean): Buffer;

  get scopeCount(): number {
    return this.scopes.rows;
  }
  get resourceCount(): number {
    return this.res.rows;
  }

  // ---- resources and scopes
  resourceAttributes(r: number): Attributes {
    this.checkResource(r);
    return new AttrView(this, OWNER_RESOURCE, r);
  }
  resourceSchemaUrl(r: number): string {
    const rb = this.checkResource(r);
    return utf8(this.arena.buf, this.res.i32[rb + R_SCHEMA_OFF], this.res.i32[rb + R_SCHEMA_LEN]);
  }
  resourceDroppedAttributesCount(r: number): number {
    return this.res.u32[this.checkResource(r) + R_DROPPED];
  }
  /** Index of the first scope of resource r, and how many (scopes of a resource are contiguous). */
  resourceFirstScope(r: number): number {
    return this.res.i32[this.checkResource(r) + R_FIRST_SCOPE];
  }
  resourceScopeCount(r: number): number {
    return this.res.i32[this.checkResource(r) + R_SCOPE_COUNT];
  }
  scopeResource(s: number): number {
    return this.scopes.i32[this.checkScope(s) + C_RESOURCE];
  }
  scopeName(s: number): string {
    const cb = this.checkScope(s);
    return utf8Interned(this.arena.buf, this.scopes.i32[cb + C_NAME_OFF], this.scopes.i32[cb + C_NAME_LEN]);
  }
  scopeVersion(s: number): string {
    const cb = this.checkScope(s);
    return utf8Interned(this.arena.buf, this.scopes.i32[cb + C_VERSION_OFF], this.scopes.i32[cb + C_VERSION_LEN]);
  }
  /** InstrumentationScope.dropped_attributes_count. */
  scopeDroppedAttributesCount(s: number): number {
    return this.scopes.u32[this.checkScope(s) + C_DROPPED];
  }
  scopeAttributes(s: number): Attributes {
    this.checkScope(s);
    return new AttrView(this, OWNER_SCOPE, s);
  }
  scopeSchemaUrl(s: number): string {
    const cb = this.checkScope(s);
    return utf8(this.arena.buf, this.scopes.i32[cb + C_SCHEMA_OFF], this.scopes.i32[cb + C_SCHEMA_LEN]);
  }

  // ---- internals
  /** Parse the attributes of every resource and scope (the start of each batch's parseAll). */
  protected parseResourceScopeAttrs(): void {
    for (let r = 0; r < this.res.rows; r++) ensureAttrs(this, OWNER_RESOURCE, r);
    for (let s = 0; s < this.scopes.rows; s++) ensureAttrs(this, OWNER_SCOPE, s);
  }
  protected checkScope(s: number): number {
    if (!(s >= 0 && s < this.scopes.rows)) throw new RangeError(`scope index ${s} out of range [0, ${this.scopes.rows})`);
    return s * C_STRIDE;
  }
  protected checkResource(r: number): number {
    if (!(r >= 0 && r < this.res.rows)) throw new RangeError(`resource index ${r} out of range [0, ${this.res.rows})`);
    return r * R_STRIDE;
  }
  /** Lowercase hex of arena bytes [off, off+len), '' when absent (off < 0). */
  protected hexAt(off: number, len: number): string {
    return off < 0 ? '' : hex(this.arena.u8, off, len);
  }
}
