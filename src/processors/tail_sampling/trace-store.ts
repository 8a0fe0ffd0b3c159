// TraceStore: the tail_sampling processor's buffer of undecided traces (one per processor instance, i.e. one per
// worker thread; nothing else touches it, so no locks).
//
// Why not upstream's design: processor.go keeps a sync.Map trace id → *TraceData holding the received
// ptrace.Traces of each trace (an object graph per span), bounded only by num_traces, and drops the oldest traces
// undecided when it is full (sampling_trace_dropped_too_early). Here memory is bounded in bytes and nothing is
// dropped:
//
//   * span bytes: every buffered span's wire bytes (the Span message content, S_OFF/S_LEN of a pristine batch)
//     are copied into the store's own arena of fixed-size chunks (chunkSize: 1 MiB, smaller for small budgets).
//     A span never straddles chunks; a span larger than a chunk gets a chunk of its own. A chunk is recycled
//     when every span in it has been released (up to SPARE_CHUNKS free chunks are kept for reuse, the others go to
//     the GC: a fresh 1 MiB buffer costs dozens of page faults here, ≈ 0.2 µs per 900-byte span).
//     A batch some processor modified (not isPristine) is first re-encoded and decoded, so every range is valid.
//   * per span only five Int32 columns: chunk, offset, length, context id, next span of the same trace (the
//     free list reuses `next`). No JS object per span.
//   * contexts: each distinct (Resource + ResourceSpans.schema_url [+ unknown ResourceSpans fields]) and
//     (InstrumentationScope + ScopeSpans.schema_url [+ unknown ScopeSpans fields]) is interned once, already
//     encoded as the wrapper bytes that precede / follow the spans, and reference counted.
//   * traces: an open-addressing hash table (linear probing, backward-shift deletion, seeded murmur3 mix over
//     the four 32-bit words of the trace id) → trace slot. Trace slots ARE the timing wheel: decision_wait is the
//     same for every trace, so due order = arrival order, and undecided traces only ever leave in arrival order
//     (due, early, or shutdown) — the trace table is a FIFO ring (head = oldest) with the key, first/last span,
//     span count, wire bytes and arrival time of each trace in typed arrays.
//   * bounds: undecided traces ≤ numTraces and bufferedBytes (chunks + index arrays + interned contexts) ≤
//     maxBufferedBytes. When storing a span would exceed either, the OLDEST traces are taken out first and
//     returned by add() as `early` (counted in earlyDecided) — decided with what has arrived, never dropped.
//     Index arrays grow by doubling (the growth is counted before it happens) and shrink when a quarter full.
//     A single span too big for the whole budget is stored and then taken out early within the same add().
//   * output: the traces taken out in one call are copied to a staging area as they leave (so their chunk space
//     is free at once), then ONE ExportTraceServiceRequest is built from the staged bytes — spans grouped by
//     resource, then scope, in first-appearance order — and decoded lazily with TraceBatch.decode. Each
//     SampledTrace's `spans` is a subarray of one Int32Array (its spans' indices in that batch, arrival order).
//   * decided traces are not kept: their ids go to two bounded decision caches (sampled / not sampled), keyed
//     by the 16 id bytes in typed arrays (LRU, as upstream), which answer for late spans. They are bounded by
//     their sizes and reported apart (decisionCacheBytes), not in bufferedBytes.
//
// Contract with the processor: call recordDecision() for every trace takeDue/takeAll/add returned before the
// next add() (decideAndForward does so synchronously), or a late span of it would start a new trace.
// A span arriving in the same add() after its trace was taken out early starts a new trace (upstream: a trace
// dropped too early also starts over).

import { randomInt } from 'node:crypto';
import { TraceBatch } from '../../pdata/traces';
import { isPristine } from '../../pdata/encode-common';
import { copyBytes, copySeq, putVarint, releaseCopyViews, varintSize32 } from '../../pdata/wire';
import {
  R_STRIDE, R_MSG_OFF, R_MSG_LEN, R_SCHEMA_OFF, R_SCHEMA_LEN, R_UNK_OFF, R_UNK_LEN,
  C_STRIDE, C_MSG_OFF, C_MSG_LEN, C_SCHEMA_OFF, C_SCHEMA_LEN, C_UNK_OFF, C_UNK_LEN, C_RESOURCE, C_FIRST_SPAN,
  C_SPAN_COUNT, S_STRIDE, S_OFF, S_LEN, S_TID_OFF, S_TID_LEN,
} from '../../pdata/layout';
import type { DueTraces, SampledTrace } from './types';

export interface TraceStoreOptions {
  /** Wait after a trace's first span before it is due (ms). */
  decisionWaitMs: number;
  /** Bound on undecided traces held. */
  numTraces: number;
  /** Bound on bufferedBytes (at least 64 KiB is used). */
  maxBufferedBytes: number;
  /**
   * Decided trace ids remembered for late spans. 0 means num_traces: upstream's 0 disables the cache but then
   * keeps decided traces in its map (with their final decision) until num_traces evicts them, so late spans
   * still follow the decision for about num_traces traces — the same effect as a cache of num_traces ids.
   */
  sampledCacheSize: number;
  nonSampledCacheSize: number;
}

export interface AddResult {
  /** Span indices of `batch` whose trace was already decided Sampled: forward them. */
  lateSampled: Int32Array;
  /** Spans whose trace was already decided not sampled (dropped). */
  lateNotSampled: number;
  /** Traces this batch started. */
  newTraces: number;
  /** Traces decided early because num_traces or max_buffered_bytes was reached. */
  early: DueTraces | null;
}

const MIN_SPAN_SLOTS = 1024;
const MIN_TRACE_SLOTS = 256;
/** Bytes per span slot: chunk, off, len, ctx, next (Int32). */
const SPAN_SLOT_BYTES = 20;
/** Bytes per trace slot: key (16), first, last, count (12), bytes, arrival (16), + 2 hash entries (8). */
const TRACE_SLOT_BYTES = 52;
/** Accounting for one interned part besides its bytes (JS array entries, the Uint8Array object, the map entry). */
const PART_OVERHEAD = 160;
const MIN_BUDGET = 64 * 1024;
const MAX_CHUNK = 1 << 20;
const MIN_CHUNK = 4096;

// ------------------------------------------------------------------------------------------ id hashing

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}
/** murmur3_32 over four words with a per-store seed (ids come from the network: keep the table unpredictable). */
function hash4(seed: number, a: number, b: number, c: number, d: number): number {
  let h = seed;
  h = mixWord(h, a);
  h = mixWord(h, b);
  h = mixWord(h, c);
  h = mixWord(h, d);
  h ^= 16;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
function mixWord(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = rotl(k, 15);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = rotl(h, 13);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * Open-addressing index over 16-byte keys stored elsewhere (`keys`, four words per slot): slot → position, with
 * linear probing and backward-shift deletion (no tombstones). Entries are slot + 1 (0 = empty).
 */
class IdIndex {
  tab: Int32Array;
  mask: number;
  constructor(capacity: number, public keys: Uint32Array, private readonly seed: number) {
    this.tab = new Int32Array(capacity);
    this.mask = capacity - 1;
  }
  private home(slot: number): number {
    const k = this.keys;
    const o = slot * 4;
    return hash4(this.seed, k[o]!, k[o + 1]!, k[o + 2]!, k[o + 3]!) & this.mask;
  }
  find(a: number, b: number, c: number, d: number): number {
    const k = this.keys;
    const tab = this.tab;
    const m = this.mask;
    for (let p = hash4(this.seed, a, b, c, d) & m; ; p = (p + 1) & m) {
      const e = tab[p]!;
      if (e === 0) return -1;
      const o = (e - 1) * 4;
      if (k[o] === a && k[o + 1] === b && k[o + 2] === c && k[o + 3] === d) return e - 1;
    }
  }
  /** Add `slot` (its key already in keys; not present yet). */
  insert(slot: number): void {
    const tab = this.tab;
    const m = this.mask;
    let p = this.home(slot);
    while (tab[p] !== 0) p = (p + 1) & m;
    tab[p] = slot + 1;
  }
  remove(slot: number): void {
    const tab = this.tab;
    const m = this.mask;
    let i = this.home(slot);
    while (tab[i] !== slot + 1) {
      if (tab[i] === 0) return;
      i = (i + 1) & m;
    }
    // backward-shift: move later entries of the cluster whose home is not in (i, j] into the hole
    for (let j = (i + 1) & m; ; j = (j + 1) & m) {
      const e = tab[j]!;
      if (e === 0) break;
      const h = this.home(e - 1);
      const inRange = i <= j ? i < h && h <= j : i < h || h <= j;
      if (inRange) continue;
      tab[i] = e;
      i = j;
    }
    tab[i] = 0;
  }
  clear(capacity: number, keys: Uint32Array): void {
    if (capacity !== this.tab.length) {
      this.tab = new Int32Array(capacity);
      this.mask = capacity - 1;
    } else {
      this.tab.fill(0);
    }
    this.keys = keys;
  }
}

// ------------------------------------------------------------------------------------------ decision caches

/**
 * A bounded LRU set of trace ids (upstream: an LRU of decided trace ids). Ids in typed arrays (four words per
 * slot), an IdIndex over them, and the recency list as prev/next slot links (most recent first). Arrays grow by
 * doubling up to `capacity`; when full, adding an id forgets the least recently used one.
 */
export class DecisionCache {
  private keys = new Uint32Array(0);
  private prev = new Int32Array(0);
  private next = new Int32Array(0);
  private readonly index: IdIndex;
  private mru = -1;
  private lru = -1;
  /** Slots handed out so far (≤ allocated ≤ capacity); freed slots are chained through `next`. */
  private used = 0;
  private free = -1;
  private live = 0;
  constructor(readonly capacity: number, seed: number) {
    this.index = new IdIndex(2, this.keys, seed);
  }
  get size(): number {
    return this.live;
  }
  get byteSize(): number {
    return this.keys.byteLength + this.prev.byteLength + this.next.byteLength + this.index.tab.byteLength;
  }
  /** Whether the id is remembered (a hit makes it the most recently used). */
  has(a: number, b: number, c: number, d: number): boolean {
    const slot = this.index.find(a, b, c, d);
    if (slot < 0) return false;
    this.unlink(slot);
    this.pushFront(slot);
    return true;
  }
  add(a: number, b: number, c: number, d: number): void {
    if (this.capacity <= 0) return;
    let slot = this.index.find(a, b, c, d);
    if (slot >= 0) {
      this.unlink(slot);
      this.pushFront(slot);
      return;
    }
    if (this.free >= 0) {
      slot = this.free;
      this.free = this.next[slot]!;
    } else if (this.used < this.capacity) {
      if (this.used === this.prev.length) this.grow();
      slot = this.used++;
    } else {
      slot = this.lru; // forget the least recently used id
      this.unlink(slot);
      this.index.remove(slot);
      this.live--;
    }
    const o = slot * 4;
    this.keys[o] = a;
    this.keys[o + 1] = b;
    this.keys[o + 2] = c;
    this.keys[o + 3] = d;
    this.index.insert(slot);
    this.pushFront(slot);
    this.live++;
  }
  delete(a: number, b: number, c: number, d: number): void {
    const slot = this.index.find(a, b, c, d);
    if (slot < 0) return;
    this.unlink(slot);
    this.index.remove(slot);
    this.next[slot] = this.free;
    this.free = slot;
    this.live--;
  }
  private unlink(slot: number): void {
    const p = this.prev[slot]!;
    const n = this.next[slot]!;
    if (p >= 0) this.next[p] = n;
    else this.mru = n;
    if (n >= 0) this.prev[n] = p;
    else this.lru = p;
  }
  private pushFront(slot: number): void {
    this.prev[slot] = -1;
    this.next[slot] = this.mru;
    if (this.mru >= 0) this.prev[this.mru] = slot;
    this.mru = slot;
    if (this.lru < 0) this.lru = slot;
  }
  private grow(): void {
    const cap = Math.min(this.capacity, Math.max(64, this.prev.length * 2));
    const keys = new Uint32Array(cap * 4);
    keys.set(this.keys);
    const prev = new Int32Array(cap);
    prev.set(this.prev);
    const next = new Int32Array(cap);
    next.set(this.next);
    this.keys = keys;
    this.prev = prev;
    this.next = next;
    // rebuild the index over the live slots (walk the recency list)
    this.index.clear(pow2AtLeast(cap * 2), keys);
    for (let s = this.mru; s >= 0; s = next[s]!) this.index.insert(s);
  }
}

// ------------------------------------------------------------------------------------------ interned parts

/**
 * Interned wrapper parts: `enc` = head ++ tail, the encoded fields that precede (`headLen` bytes) and follow the
 * nested list. Resource parts: head = Resource field (1), tail = schema_url (3) + unknown ResourceSpans fields.
 * Scope contexts: head = InstrumentationScope field (1), tail = schema_url (3) + unknown ScopeSpans fields, and
 * `parent` = the resource part.
 */
class PartTable {
  enc: (Uint8Array | null)[] = [];
  headLen: number[] = [];
  parent: number[] = [];
  refs: number[] = [];
  hashOf: number[] = [];
  /** Next part with the same hash (-1: none). */
  chain: number[] = [];
  private free: number[] = [];
  private byHash = new Map<number, number>();
  bytes = 0;

  get length(): number {
    return this.enc.length;
  }
  /** The id of the part (enc, headLen, parent), creating it with 0 references when new. */
  intern(enc: Uint8Array, headLen: number, parent: number): number {
    let h = (0x811c9dc5 ^ headLen ^ Math.imul(parent + 1, 0x9e3779b1)) >>> 0;
    for (let k = 0; k < enc.length; k++) h = Math.imul(h ^ enc[k]!, 0x01000193);
    h >>>= 0;
    const first = this.byHash.get(h);
    for (let id = first ?? -1; id >= 0; id = this.chain[id]!) {
      const e = this.enc[id]!;
      if (this.headLen[id] !== headLen || this.parent[id] !== parent || e.length !== enc.length) continue;
      let same = true;
      for (let k = 0; k < e.length; k++) {
        if (e[k] !== enc[k]) {
          same = false;
          break;
        }
      }
      if (same) return id;
    }
    const id = this.free.length ? this.free.pop()! : this.enc.length;
    this.enc[id] = enc;
    this.headLen[id] = headLen;
    this.parent[id] = parent;
    this.refs[id] = 0;
    this.hashOf[id] = h;
    this.chain[id] = first ?? -1;
    this.byHash.set(h, id);
    this.bytes += enc.length + PART_OVERHEAD;
    return id;
  }
  /** Remove a part (no references left). */
  release(id: number): void {
    const h = this.hashOf[id]!;
    let prev = -1;
    for (let x = this.byHash.get(h) ?? -1; x >= 0; prev = x, x = this.chain[x]!) {
      if (x !== id) continue;
      if (prev < 0) {
        if (this.chain[id]! >= 0) this.byHash.set(h, this.chain[id]!);
        else this.byHash.delete(h);
      } else {
        this.chain[prev] = this.chain[id]!;
      }
      break;
    }
    this.bytes -= this.enc[id]!.length + PART_OVERHEAD;
    this.enc[id] = null;
    this.free.push(id);
  }
}

/** head ++ tail for a wrapper: head = field 1 holding msg (if present); tail = field 3 string (if present) + raw unknown. */
function encodeWrapperPart(u8: Uint8Array, msgOff: number, msgLen: number, schOff: number, schLen: number, unkOff: number, unkLen: number): { enc: Uint8Array; headLen: number } {
  const headLen = msgOff >= 0 ? 1 + varintSize32(msgLen) + msgLen : 0;
  const tailLen = (schOff >= 0 ? 1 + varintSize32(schLen) + schLen : 0) + (unkOff >= 0 ? unkLen : 0);
  const enc = new Uint8Array(headLen + tailLen);
  let p = 0;
  if (msgOff >= 0) {
    enc[p++] = 0x0a;
    p = putVarint(enc, p, msgLen);
    enc.set(u8.subarray(msgOff, msgOff + msgLen), p);
    p += msgLen;
  }
  if (schOff >= 0) {
    enc[p++] = 0x1a;
    p = putVarint(enc, p, schLen);
    enc.set(u8.subarray(schOff, schOff + schLen), p);
    p += schLen;
  }
  if (unkOff >= 0) enc.set(u8.subarray(unkOff, unkOff + unkLen), p);
  return { enc, headLen };
}

// ------------------------------------------------------------------------------------------ the store

/** Staging scratch kept between decision rounds (bytes, spans): see flush(). */
const STAGING_KEEP_BYTES = 8 * 1024 * 1024;
const STAGING_KEEP_SPANS = 65536;

export class TraceStore {
  private readonly waitMs: number;
  private readonly maxTraces: number;
  private readonly maxBytes: number;
  private readonly chunkSize: number;
  private readonly seed = randomInt(0, 0x7fffffff);

  // ---- chunks
  private chunks: (Uint8Array | null)[] = [];
  private chunkLive: number[] = [];
  private chunkFree: number[] = [];
  private cur = -1;
  private curPos = 0;
  /** Free chunks kept for reuse (counted in chunkBytes). */
  private spares: Uint8Array[] = [];
  private readonly spareLimit: number;
  private chunkBytes = 0;

  // ---- spans (slots; free list through sNext)
  private scap = MIN_SPAN_SLOTS;
  private sChunk = new Int32Array(MIN_SPAN_SLOTS);
  private sOff = new Int32Array(MIN_SPAN_SLOTS);
  private sLen = new Int32Array(MIN_SPAN_SLOTS);
  private sCtx = new Int32Array(MIN_SPAN_SLOTS);
  private sNext = new Int32Array(MIN_SPAN_SLOTS);
  private sHigh = 0;
  private sFree = -1;
  private liveSpans = 0;
  private liveSpanBytes = 0;

  // ---- traces: a FIFO ring (head = oldest) + hash index
  private tcap = MIN_TRACE_SLOTS;
  private tKey = new Uint32Array(MIN_TRACE_SLOTS * 4);
  private tFirst = new Int32Array(MIN_TRACE_SLOTS);
  private tLast = new Int32Array(MIN_TRACE_SLOTS);
  private tCount = new Int32Array(MIN_TRACE_SLOTS);
  private tBytes = new Float64Array(MIN_TRACE_SLOTS);
  private tArrival = new Float64Array(MIN_TRACE_SLOTS);
  private head = 0;
  private count = 0;
  private index: IdIndex;
  /** Bumped whenever a trace leaves (invalidates add()'s last-trace memo). */
  private evictions = 0;

  // ---- interned contexts
  private readonly resParts = new PartTable();
  private readonly ctxs = new PartTable();

  // ---- staging (traces taken out in the current call)
  private stBuf = new Uint8Array(0);
  private stPos = 0;
  /** Per staged span: its offset in stBuf, or (stChunk ≥ 0) in that chunk, whose release waits for the flush. */
  private stOff = new Int32Array(256);
  private stChunk = new Int32Array(256);
  /** Chunks whose span release was deferred to the end of the flush (takeHead without copy). */
  private pendingRelease: number[] = [];
  private stLen = new Int32Array(256);
  private stCtx = new Int32Array(256);
  private stN = 0;
  private stKey = new Uint32Array(64 * 4);
  private stFirst = new Int32Array(64);
  private stArrival = new Float64Array(64);
  private stBytes = new Float64Array(64);
  private stT = 0;

  // ---- decisions
  private readonly sampled: DecisionCache;
  private readonly notSampled: DecisionCache;
  private early = 0;

  constructor(opts: TraceStoreOptions) {
    this.waitMs = Math.max(0, opts.decisionWaitMs);
    this.maxTraces = Math.max(1, Math.floor(opts.numTraces));
    this.maxBytes = Math.max(MIN_BUDGET, Math.floor(opts.maxBufferedBytes));
    let chunk = MAX_CHUNK;
    while (chunk > MIN_CHUNK && chunk * 16 > this.maxBytes) chunk /= 2;
    this.chunkSize = chunk;
    // Free chunks kept: at most 1/16 of the byte budget (they count against it), at most 32.
    this.spareLimit = Math.max(1, Math.min(32, Math.floor(this.maxBytes / 16 / chunk)));
    this.index = new IdIndex(MIN_TRACE_SLOTS * 2, this.tKey, this.seed);
    const size = (n: number) => (n > 0 ? Math.floor(n) : this.maxTraces);
    this.sampled = new DecisionCache(size(opts.sampledCacheSize), this.seed ^ 0x5bd1e995);
    this.notSampled = new DecisionCache(size(opts.nonSampledCacheSize), this.seed ^ 0x1b873593);
  }

  // ------------------------------------------------------------------ accounting
  /** Bytes held: chunks (including the spare) + span/trace index arrays + interned contexts. ≤ maxBufferedBytes. */
  get bufferedBytes(): number {
    return this.chunkBytes + this.indexBytes() + this.resParts.bytes + this.ctxs.bytes;
  }
  /** Spans buffered (undecided). */
  get bufferedSpans(): number {
    return this.liveSpans;
  }
  /** Wire bytes of the buffered spans (Span message contents): what the chunks hold usefully. */
  get bufferedSpanBytes(): number {
    return this.liveSpanBytes;
  }
  /** Undecided traces (≤ numTraces). */
  get tracesInMemory(): number {
    return this.count;
  }
  /** Traces taken out before decision_wait because a bound was reached (total since creation). */
  get earlyDecided(): number {
    return this.early;
  }
  /** Bytes of the two decision caches (bounded by their sizes; not part of bufferedBytes). */
  get decisionCacheBytes(): number {
    return this.sampled.byteSize + this.notSampled.byteSize;
  }
  /** The effective bound (maxBufferedBytes, at least 64 KiB). */
  get maxBufferedBytes(): number {
    return this.maxBytes;
  }
  private indexBytes(): number {
    return this.scap * SPAN_SLOT_BYTES + this.tcap * TRACE_SLOT_BYTES;
  }

  // ------------------------------------------------------------------ API
  add(batch: TraceBatch, nowMs: number): AddResult {
    const b = isPristine(batch) ? batch : TraceBatch.decode(batch.encode());
    const n = b.spanCount;
    const u8 = b.arenaBytes;
    const r32 = b.res.i32;
    const c32 = b.scopes.i32;
    const s32 = b.spans.i32;
    const late = new Int32Array(n);
    let nLate = 0;
    let lateNot = 0;
    let newTraces = 0;
    // Contexts are interned only when a span is about to be stored (so they never exist without a reference)
    const resPartOf = new Int32Array(b.resourceCount).fill(-1);
    // last trace seen: consecutive spans of one trace skip the cache and table lookups
    let pa = 0, pb = 0, pc = 0, pd = 0;
    let prevKind = 0; // 0 none, 1 stored in slot prevSlot, 2 late sampled, 3 late not sampled
    let prevSlot = -1;
    let prevEvictions = -1;

    for (let s = 0; s < b.scopeCount; s++) {
      const cb = s * C_STRIDE;
      const first = c32[cb + C_FIRST_SPAN]!;
      const cnt = c32[cb + C_SPAN_COUNT]!;
      let ctx = -1;
      for (let i = first; i < first + cnt; i++) {
        const sb = i * S_STRIDE;
        let a = 0, bb = 0, c = 0, d = 0;
        if (s32[sb + S_TID_LEN] === 16) {
          const o = s32[sb + S_TID_OFF]!;
          a = (u8[o]! | (u8[o + 1]! << 8) | (u8[o + 2]! << 16) | (u8[o + 3]! << 24)) >>> 0;
          bb = (u8[o + 4]! | (u8[o + 5]! << 8) | (u8[o + 6]! << 16) | (u8[o + 7]! << 24)) >>> 0;
          c = (u8[o + 8]! | (u8[o + 9]! << 8) | (u8[o + 10]! << 16) | (u8[o + 11]! << 24)) >>> 0;
          d = (u8[o + 12]! | (u8[o + 13]! << 8) | (u8[o + 14]! << 16) | (u8[o + 15]! << 24)) >>> 0;
        }
        const same = prevKind !== 0 && a === pa && bb === pb && c === pc && d === pd;
        pa = a; pb = bb; pc = c; pd = d;
        if (same && prevKind === 2) {
          late[nLate++] = i;
          continue;
        }
        if (same && prevKind === 3) {
          lateNot++;
          continue;
        }
        let t: number;
        if (same && prevEvictions === this.evictions) {
          t = prevSlot;
        } else {
          if (!same) {
            if (this.sampled.has(a, bb, c, d)) {
              prevKind = 2;
              late[nLate++] = i;
              continue;
            }
            if (this.notSampled.has(a, bb, c, d)) {
              prevKind = 3;
              lateNot++;
              continue;
            }
          }
          t = this.index.find(a, bb, c, d);
        }
        const len = s32[sb + S_LEN]!;
        // make room: the oldest traces leave early
        while (this.count > 0) {
          const newTrace = t < 0;
          if (!(newTrace && this.count >= this.maxTraces) && this.bufferedBytes + this.extraBytesFor(len, newTrace) <= this.maxBytes) break;
          const ev = this.head;
          this.takeHead();
          this.early++;
          if (ev === t) t = -1;
        }
        if (ctx < 0) {
          const r = c32[cb + C_RESOURCE]!;
          let rp = resPartOf[r]!;
          if (rp < 0) {
            const rb = r * R_STRIDE;
            const p = encodeWrapperPart(u8, r32[rb + R_MSG_OFF]!, r32[rb + R_MSG_LEN]!, r32[rb + R_SCHEMA_OFF]!, r32[rb + R_SCHEMA_LEN]!, r32[rb + R_UNK_OFF]!, r32[rb + R_UNK_LEN]!);
            rp = resPartOf[r] = this.resParts.intern(p.enc, p.headLen, -1);
          }
          const p = encodeWrapperPart(u8, c32[cb + C_MSG_OFF]!, c32[cb + C_MSG_LEN]!, c32[cb + C_SCHEMA_OFF]!, c32[cb + C_SCHEMA_LEN]!, c32[cb + C_UNK_OFF]!, c32[cb + C_UNK_LEN]!);
          ctx = this.ctxs.intern(p.enc, p.headLen, rp);
          // a new context (no span yet) takes a reference on its resource part; its first span follows at once
          if (this.ctxs.refs[ctx] === 0) this.resParts.refs[rp]!++;
        }
        if (t < 0) {
          t = this.newTrace(a, bb, c, d, nowMs);
          newTraces++;
        }
        this.storeSpan(t, u8, s32[sb + S_OFF]!, len, ctx);
        prevKind = 1;
        prevSlot = t;
        prevEvictions = this.evictions;
      }
    }
    // a span larger than the whole budget was stored anyway: take traces out until within bounds again
    while (this.count > 0 && this.bufferedBytes > this.maxBytes) {
      this.takeHead();
      this.early++;
    }
    const early = this.flush(true);
    releaseCopyViews(); // do not keep the batch's arena alive through copyBytes' cached views
    this.maybeShrink();
    return { lateSampled: late.subarray(0, nLate), lateNotSampled: lateNot, newTraces, early };
  }

  /**
   * Traces whose first span arrived at least decisionWaitMs before nowMs, oldest first — at most about `maxSpans`
   * spans per call (whole traces; at least one): call again for the rest. Moderate batches keep each output
   * buffer small enough for the allocator to reuse memory (a buffer of tens of MiB is fresh pages every time).
   */
  takeDue(nowMs: number, maxSpans = Infinity): DueTraces | null {
    let k = 0;
    let spans = 0;
    const m = this.tcap - 1;
    while (k < this.count) {
      const slot = (this.head + k) & m;
      if (!(this.tArrival[slot]! + this.waitMs <= nowMs)) break;
      if (k > 0 && spans + this.tCount[slot]! > maxSpans) break;
      spans += this.tCount[slot]!;
      k++;
    }
    if (k === 0) return null;
    this.reserveStaging(0, spans, k); // spans are read from their chunks: no staging bytes
    for (let j = 0; j < k; j++) this.takeHead(false);
    const due = this.flush(false);
    this.maybeShrink();
    return due;
  }

  /** Every buffered trace (shutdown), oldest first. */
  takeAll(): DueTraces | null {
    if (this.count === 0) return null;
    this.reserveStaging(0, this.liveSpans, this.count);
    while (this.count > 0) this.takeHead(false);
    const all = this.flush(false);
    this.maybeShrink();
    return all;
  }

  /** Remember the decision for late spans of this trace (bounded caches). */
  recordDecision(trace: SampledTrace, sampled: boolean): void {
    const id = trace.traceId;
    const w = (o: number) => (id[o]! | (id[o + 1]! << 8) | (id[o + 2]! << 16) | (id[o + 3]! << 24)) >>> 0;
    const a = w(0), b = w(4), c = w(8), d = w(12);
    if (sampled) {
      this.notSampled.delete(a, b, c, d);
      this.sampled.add(a, b, c, d);
    } else {
      this.sampled.delete(a, b, c, d);
      this.notSampled.add(a, b, c, d);
    }
  }

  // ------------------------------------------------------------------ internals: storing
  /** Bytes that storing a span of `len` bytes would add (new chunk, index growth). */
  private extraBytesFor(len: number, newTrace: boolean): number {
    let extra = 0;
    if (!(this.cur >= 0 && this.curPos + len <= this.chunks[this.cur]!.length)) {
      if (len > this.chunkSize) extra += len;
      else if (!(this.cur >= 0 && this.chunkLive[this.cur] === 0) && this.spares.length === 0) extra += this.chunkSize;
    }
    if (this.sFree < 0 && this.sHigh === this.scap) extra += this.scap * SPAN_SLOT_BYTES;
    if (newTrace && this.count === this.tcap) extra += this.tcap * TRACE_SLOT_BYTES;
    return extra;
  }

  private newTrace(a: number, b: number, c: number, d: number, nowMs: number): number {
    if (this.count === this.tcap) this.resizeTraces(this.tcap * 2);
    const slot = (this.head + this.count) & (this.tcap - 1);
    const o = slot * 4;
    this.tKey[o] = a;
    this.tKey[o + 1] = b;
    this.tKey[o + 2] = c;
    this.tKey[o + 3] = d;
    this.tFirst[slot] = -1;
    this.tLast[slot] = -1;
    this.tCount[slot] = 0;
    this.tBytes[slot] = 0;
    this.tArrival[slot] = nowMs;
    this.count++;
    this.index.insert(slot);
    return slot;
  }

  private storeSpan(t: number, src: Uint8Array, off: number, len: number, ctx: number): void {
    // span slot
    let sp = this.sFree;
    if (sp >= 0) {
      this.sFree = this.sNext[sp]!;
    } else {
      if (this.sHigh === this.scap) this.resizeSpans(this.scap * 2);
      sp = this.sHigh++;
    }
    // chunk space
    let ch = this.cur;
    let pos: number;
    // A span's bytes go to a position equal to their arena offset mod 8 (≤ 7 bytes of padding): V8 then copies
    // them out of the shared arena word by word instead of byte by byte (src/pdata/wire.ts).
    const pad = (off - this.curPos) & 7;
    if (ch >= 0 && this.curPos + pad + len <= this.chunks[ch]!.length) {
      pos = this.curPos + pad;
      this.curPos = pos + len;
    } else if (len > this.chunkSize) {
      ch = this.newChunk(new Uint8Array(len));
      pos = 0;
    } else if (ch >= 0 && this.chunkLive[ch] === 0) {
      pos = len + (off & 7) <= this.chunks[ch]!.length ? off & 7 : 0;
      this.curPos = pos + len;
    } else {
      const reused = this.spares.pop();
      const buf = reused ?? new Uint8Array(this.chunkSize);
      if (reused !== undefined) this.chunkBytes -= buf.length; // newChunk counts it again
      ch = this.cur = this.newChunk(buf);
      pos = len + (off & 7) <= buf.length ? off & 7 : 0;
      this.curPos = pos + len;
    }
    copyBytes(this.chunks[ch]!, pos, src, off, len);
    this.chunkLive[ch]!++;
    this.sChunk[sp] = ch;
    this.sOff[sp] = pos;
    this.sLen[sp] = len;
    this.sCtx[sp] = ctx;
    this.sNext[sp] = -1;
    this.ctxs.refs[ctx]!++;
    // link into the trace
    if (this.tLast[t]! < 0) this.tFirst[t] = sp;
    else this.sNext[this.tLast[t]!] = sp;
    this.tLast[t] = sp;
    this.tCount[t]!++;
    this.tBytes[t]! += len;
    this.liveSpans++;
    this.liveSpanBytes += len;
  }

  private newChunk(buf: Uint8Array): number {
    const id = this.chunkFree.length ? this.chunkFree.pop()! : this.chunks.length;
    this.chunks[id] = buf;
    this.chunkLive[id] = 0;
    this.chunkBytes += buf.length;
    return id;
  }

  private releaseSpanBytes(ch: number): void {
    if (--this.chunkLive[ch]! !== 0) return;
    if (ch === this.cur) {
      this.curPos = 0;
      return;
    }
    const buf = this.chunks[ch]!;
    this.chunks[ch] = null;
    this.chunkFree.push(ch);
    if (buf.length === this.chunkSize && this.spares.length < this.spareLimit) this.spares.push(buf); // still counted
    else this.chunkBytes -= buf.length;
  }

  // ------------------------------------------------------------------ internals: taking out
  /**
   * Move the oldest trace to the staging area and free its slots. `copy`: its span bytes are copied to stBuf and
   * their chunk space freed at once (early decisions while add() still stores spans); otherwise they stay in their
   * chunks, read from there by the flush, and the chunk space is freed after it (takeDue/takeAll: nothing is
   * stored in between) — one copy of every span less.
   */
  private takeHead(copy = true): void {
    const t = this.head;
    const nsp = this.tCount[t]!;
    this.reserveStaging(copy ? this.tBytes[t]! : 0, nsp, 1);
    const st = this.stT++;
    const o = t * 4;
    this.stKey[st * 4] = this.tKey[o]!;
    this.stKey[st * 4 + 1] = this.tKey[o + 1]!;
    this.stKey[st * 4 + 2] = this.tKey[o + 2]!;
    this.stKey[st * 4 + 3] = this.tKey[o + 3]!;
    this.stFirst[st] = this.stN;
    this.stArrival[st] = this.tArrival[t]!;
    this.stBytes[st] = this.tBytes[t]!;
    for (let sp = this.tFirst[t]!; sp >= 0; ) {
      const next = this.sNext[sp]!;
      const len = this.sLen[sp]!;
      const ch = this.sChunk[sp]!;
      const k = this.stN++;
      if (copy) {
        copyBytes(this.stBuf, this.stPos, this.chunks[ch]!, this.sOff[sp]!, len);
        this.stOff[k] = this.stPos;
        this.stChunk[k] = -1;
        this.stPos += len;
        this.releaseSpanBytes(ch);
      } else {
        this.stOff[k] = this.sOff[sp]!;
        this.stChunk[k] = ch;
        this.pendingRelease.push(ch);
      }
      this.stLen[k] = len;
      this.stCtx[k] = this.sCtx[sp]!; // the staged span keeps the context reference until flush
      this.sNext[sp] = this.sFree;
      this.sFree = sp;
      this.liveSpans--;
      this.liveSpanBytes -= len;
      sp = next;
    }
    this.index.remove(t);
    this.head = (this.head + 1) & (this.tcap - 1);
    this.count--;
    this.evictions++;
  }

  private reserveStaging(bytes: number, spans: number, traces: number): void {
    if (this.stPos + bytes > this.stBuf.length) {
      const nb = new Uint8Array(Math.max(this.stPos + bytes, this.stBuf.length * 2, 16 * 1024));
      nb.set(this.stBuf.subarray(0, this.stPos));
      this.stBuf = nb;
    }
    if (this.stN + spans > this.stOff.length) {
      const cap = Math.max(this.stN + spans, this.stOff.length * 2);
      this.stOff = growI32(this.stOff, cap, this.stN);
      this.stChunk = growI32(this.stChunk, cap, this.stN);
      this.stLen = growI32(this.stLen, cap, this.stN);
      this.stCtx = growI32(this.stCtx, cap, this.stN);
    }
    if (this.stT + traces > this.stFirst.length) {
      const cap = Math.max(this.stT + traces, this.stFirst.length * 2);
      const k = new Uint32Array(cap * 4);
      k.set(this.stKey.subarray(0, this.stT * 4));
      this.stKey = k;
      this.stFirst = growI32(this.stFirst, cap, this.stT);
      const a = new Float64Array(cap);
      a.set(this.stArrival.subarray(0, this.stT));
      this.stArrival = a;
      const by = new Float64Array(cap);
      by.set(this.stBytes.subarray(0, this.stT));
      this.stBytes = by;
    }
  }

  /** Build ONE ExportTraceServiceRequest from the staged traces, decode it, release the staged contexts. */
  private flush(early: boolean): DueTraces | null {
    const nT = this.stT;
    if (nT === 0) return null;
    const nS = this.stN;
    const ctxs = this.ctxs;
    const resParts = this.resParts;
    // 1. contexts in first-appearance order, grouped by resource part (also in first-appearance order)
    const local = new Int32Array(ctxs.length).fill(-1);
    const order: number[] = [];
    const counts: number[] = [];
    const spanBytes: number[] = [];
    const stLocal = new Int32Array(nS);
    for (let k = 0; k < nS; k++) {
      const c = this.stCtx[k]!;
      let li = local[c]!;
      if (li < 0) {
        li = local[c] = order.length;
        order.push(c);
        counts.push(0);
        spanBytes.push(0);
      }
      counts[li]!++;
      const len = this.stLen[k]!;
      spanBytes[li]! += 1 + varintSize32(len) + len;
      stLocal[k] = li;
    }
    const groupOf = new Map<number, number[]>(); // resource part → locals
    const resOrder: number[] = [];
    for (let li = 0; li < order.length; li++) {
      const rp = ctxs.parent[order[li]!]!;
      let g = groupOf.get(rp);
      if (!g) {
        groupOf.set(rp, (g = []));
        resOrder.push(rp);
      }
      g.push(li);
    }
    // 2. output index of each staged span: contexts in group order, spans in staged (= trace, arrival) order
    const next = new Int32Array(order.length);
    let base = 0;
    for (const rp of resOrder) {
      for (const li of groupOf.get(rp)!) {
        next[li] = base;
        base += counts[li]!;
      }
    }
    const outIdx = new Int32Array(nS);
    const perm = new Int32Array(nS);
    for (let k = 0; k < nS; k++) {
      const o = next[stLocal[k]!]!++;
      outIdx[k] = o;
      perm[o] = k;
    }
    // 3. sizes
    const ssLen = new Float64Array(order.length);
    for (let li = 0; li < order.length; li++) ssLen[li] = ctxs.enc[order[li]!]!.length + spanBytes[li]!;
    const rsLen: number[] = [];
    let total = 0;
    for (const rp of resOrder) {
      let len = resParts.enc[rp]!.length;
      for (const li of groupOf.get(rp)!) len += 1 + varintSize32(ssLen[li]!) + ssLen[li]!;
      rsLen.push(len);
      total += 1 + varintSize32(len) + len;
    }
    // 4. write — into plain memory the decoded batch adopts as its arena (no second copy). Not shared memory: the
    // batch stays in this thread, V8 writes shared memory byte by byte at unequal alignments (src/pdata/wire.ts),
    // and a fresh SharedArrayBuffer costs a page fault per 4 KiB touched.
    const out = new Uint8Array(total + 8);
    let p = 0;
    let o = 0;
    for (let g = 0; g < resOrder.length; g++) {
      const rp = resOrder[g]!;
      const renc = resParts.enc[rp]!;
      const rHead = resParts.headLen[rp]!;
      out[p++] = 0x0a;
      p = putVarint(out, p, rsLen[g]!);
      out.set(renc.subarray(0, rHead), p);
      p += rHead;
      for (const li of groupOf.get(rp)!) {
        const cenc = ctxs.enc[order[li]!]!;
        const cHead = ctxs.headLen[order[li]!]!;
        out[p++] = 0x12;
        p = putVarint(out, p, ssLen[li]!);
        out.set(cenc.subarray(0, cHead), p);
        p += cHead;
        for (let e = o + counts[li]!; o < e; o++) {
          const k = perm[o]!;
          const len = this.stLen[k]!;
          out[p++] = 0x12;
          p = putVarint(out, p, len);
          const ch = this.stChunk[k]!;
          copySeq(out, p, ch < 0 ? this.stBuf : this.chunks[ch]!, this.stOff[k]!, len);
          p += len;
        }
        out.set(cenc.subarray(cHead), p);
        p += cenc.length - cHead;
      }
      out.set(renc.subarray(rHead), p);
      p += renc.length - rHead;
    }
    if (p !== total) throw new Error(`trace store: built ${p} bytes, expected ${total}`);
    releaseCopyViews();
    const batch = TraceBatch.decode(out.subarray(0, total), { adopt: true });
    // 5. the traces
    const ids = new Uint8Array(nT * 16);
    const idWords = new DataView(ids.buffer);
    const traces: SampledTrace[] = new Array<SampledTrace>(nT);
    for (let j = 0; j < nT; j++) {
      for (let w = 0; w < 4; w++) idWords.setUint32(j * 16 + w * 4, this.stKey[j * 4 + w]!, true);
      const f = this.stFirst[j]!;
      const e = j + 1 < nT ? this.stFirst[j + 1]! : nS;
      traces[j] = {
        batch,
        spans: outIdx.subarray(f, e),
        traceId: ids.subarray(j * 16, j * 16 + 16),
        arrivalMs: this.stArrival[j]!,
        byteSize: this.stBytes[j]!,
        early,
      };
    }
    // 6. release the staged spans' contexts; reset staging (scratch memory is not kept between calls: it is
    //    not counted in bufferedBytes)
    for (let k = 0; k < nS; k++) {
      const c = this.stCtx[k]!;
      if (--ctxs.refs[c]! === 0) this.releaseCtx(c);
    }
    this.stN = this.stT = this.stPos = 0;
    // the chunk space of spans read in place (takeHead without copy) is free now
    for (const ch of this.pendingRelease) this.releaseSpanBytes(ch);
    this.pendingRelease.length = 0;
    // Scratch is reused between rounds up to a bound (fresh memory costs page faults on every round); beyond it,
    // released. At most STAGING_KEEP_BYTES + its index arrays per store, outside bufferedBytes.
    if (this.stBuf.length > STAGING_KEEP_BYTES) this.stBuf = new Uint8Array(0);
    if (this.stOff.length > STAGING_KEEP_SPANS) {
      this.stOff = new Int32Array(256);
      this.stChunk = new Int32Array(256);
      this.stLen = new Int32Array(256);
      this.stCtx = new Int32Array(256);
    }
    if (this.stFirst.length > STAGING_KEEP_SPANS) {
      this.stKey = new Uint32Array(64 * 4);
      this.stFirst = new Int32Array(64);
      this.stArrival = new Float64Array(64);
      this.stBytes = new Float64Array(64);
    }
    return { batch, traces };
  }

  private releaseCtx(c: number): void {
    const rp = this.ctxs.parent[c]!;
    this.ctxs.release(c);
    if (--this.resParts.refs[rp]! === 0) this.resParts.release(rp);
  }

  // ------------------------------------------------------------------ internals: resizing
  private resizeTraces(cap: number): void {
    const m = this.tcap - 1;
    const key = new Uint32Array(cap * 4);
    const first = new Int32Array(cap);
    const last = new Int32Array(cap);
    const cnt = new Int32Array(cap);
    const bytes = new Float64Array(cap);
    const arrival = new Float64Array(cap);
    for (let j = 0; j < this.count; j++) {
      const s = (this.head + j) & m;
      key[j * 4] = this.tKey[s * 4]!;
      key[j * 4 + 1] = this.tKey[s * 4 + 1]!;
      key[j * 4 + 2] = this.tKey[s * 4 + 2]!;
      key[j * 4 + 3] = this.tKey[s * 4 + 3]!;
      first[j] = this.tFirst[s]!;
      last[j] = this.tLast[s]!;
      cnt[j] = this.tCount[s]!;
      bytes[j] = this.tBytes[s]!;
      arrival[j] = this.tArrival[s]!;
    }
    this.tcap = cap;
    this.tKey = key;
    this.tFirst = first;
    this.tLast = last;
    this.tCount = cnt;
    this.tBytes = bytes;
    this.tArrival = arrival;
    this.head = 0;
    this.index.clear(cap * 2, key);
    for (let j = 0; j < this.count; j++) this.index.insert(j);
    this.evictions++; // slots moved
  }

  private resizeSpans(cap: number): void {
    if (cap >= this.scap) {
      this.sChunk = growI32(this.sChunk, cap, this.sHigh);
      this.sOff = growI32(this.sOff, cap, this.sHigh);
      this.sLen = growI32(this.sLen, cap, this.sHigh);
      this.sCtx = growI32(this.sCtx, cap, this.sHigh);
      this.sNext = growI32(this.sNext, cap, this.sHigh);
      this.scap = cap;
      return;
    }
    // shrink: renumber the live spans trace by trace into [0, liveSpans)
    const ch = new Int32Array(cap), off = new Int32Array(cap), len = new Int32Array(cap), ctx = new Int32Array(cap), nx = new Int32Array(cap);
    let w = 0;
    const m = this.tcap - 1;
    for (let j = 0; j < this.count; j++) {
      const t = (this.head + j) & m;
      let prev = -1;
      for (let sp = this.tFirst[t]!; sp >= 0; sp = this.sNext[sp]!) {
        ch[w] = this.sChunk[sp]!;
        off[w] = this.sOff[sp]!;
        len[w] = this.sLen[sp]!;
        ctx[w] = this.sCtx[sp]!;
        nx[w] = -1;
        if (prev < 0) this.tFirst[t] = w;
        else nx[prev] = w;
        prev = w++;
      }
      this.tLast[t] = prev;
    }
    this.sChunk = ch;
    this.sOff = off;
    this.sLen = len;
    this.sCtx = ctx;
    this.sNext = nx;
    this.scap = cap;
    this.sHigh = w;
    this.sFree = -1;
  }

  /** Halve index arrays that are less than a quarter used (after traces left). */
  private maybeShrink(): void {
    while (this.tcap > MIN_TRACE_SLOTS && this.count * 4 < this.tcap) this.resizeTraces(this.tcap / 2);
    while (this.scap > MIN_SPAN_SLOTS && this.liveSpans * 4 < this.scap) this.resizeSpans(this.scap / 2);
    if (this.count === 0 && this.spares.length > 0 && this.cur >= 0 && this.chunkLive[this.cur] === 0) {
      // idle: keep only the current chunk
      for (const b of this.spares) this.chunkBytes -= b.length;
      this.spares = [];
    }
  }
}

function growI32(a: Int32Array, cap: number, keep: number): Int32Array<ArrayBuffer> {
  const n = new Int32Array(cap);
  n.set(a.subarray(0, keep));
  return n;
}
