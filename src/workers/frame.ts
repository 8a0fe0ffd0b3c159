// Frame and shard (the acceptor's half of the trace path with a worker pool): walk an ExportTraceServiceRequest's
// protobuf framing — ResourceSpans > ScopeSpans > Span — without decoding it into columns, hash each span's trace
// id to its worker, and cut the request into one request per worker holding that worker's spans under their
// original Resource and Scope. Each part is written straight into a SharedArrayBuffer that the worker decodes in
// place (TraceBatch.decode with `adopt`), so a span's bytes are copied once on the acceptor (body → part) and the
// columnar decode runs in the workers, in parallel.
//
// Why (docs/ARCHITECTURE.md, "Frame and shard"): decoding on the acceptor and then splitting the decoded batch
// copied every span twice on the acceptor (into the arena, then into its shard's batch) and left the workers a
// batch that was no longer its request's bytes. Here the acceptor does: receive, one walk, one copy.
//
//   * Validation on the acceptor covers the framing of the three levels the walk reads (tags, varints, lengths
//     inside their parents, no groups): such damage answers 400 / INVALID_ARGUMENT before anything is accepted.
//     Damage deeper inside a span (an attribute's framing, invalid UTF-8 in a key, a wrong-sized span id) is found
//     by the worker's decode and answered the same way, but when the request was split, the other workers' parts
//     may already have been accepted (the Go collector decodes the whole request first; documented deviation).
//   * A request whose spans all fall in one shard is passed as is (its bytes, unknown fields included). When
//     split, each part keeps, per ResourceSpans, the `resource` and `schema_url` fields and, per ScopeSpans, the
//     `scope` and `schema_url` fields and its spans' bytes unchanged; other (unknown) fields of those two wrappers
//     are dropped, like ResourceSpans/ScopeSpans left without spans.

import { DecodeError } from '../errors';
import { copyStats } from '../pdata/layout';
import { bulkCopy, seqCopy } from '../pdata/wire';
import { traceIdShard } from './shard';
import { BufferPool } from '../pdata/buffer-pool';

/**
 * One worker's part of a request: an ExportTraceServiceRequest in bytes [off, off+len) of `sab`, in a region of
 * `cap` bytes (the rest is room for the worker's in-place edits). Each part has a pooled buffer of its own (newPart).
 */
export interface FramedPart {
  readonly shard: number;
  readonly sab: SharedArrayBuffer;
  readonly off: number;
  readonly len: number;
  readonly cap: number;
  /** Spans in the part. */
  readonly spans: number;
  /** The part's buffer id (from 1); the worker reports it back when done with it (releaseParts). */
  readonly bufferId: number;
}

/**
 * A trace request framed and cut for the pool (what a receiver hands the pool instead of a decoded TraceBatch).
 * Looks like a batch to the receiver: `signal` and `itemCount` (span count) are what it counts.
 */
export class FramedTraces {
  readonly signal = 'traces' as const;
  constructor(
    readonly itemCount: number,
    readonly parts: readonly FramedPart[],
  ) {}
  /** Bytes the parts hold (what in-flight bounds count). */
  get byteSize(): number {
    let n = 0;
    for (const p of this.parts) n += p.cap;
    return n;
  }
}

/** Room left after the request bytes in a part's buffer, for the worker's in-place edits (as decode leaves). */
function withSlack(len: number): number {
  return len + (len >>> 3) + 64;
}

// ---- scratch tables, reused between calls (one acceptor thread)

class Rows {
  i32: Int32Array;
  rows = 0;
  constructor(readonly stride: number, cap: number) {
    this.i32 = new Int32Array(stride * cap);
  }
  add(): number {
    const need = (this.rows + 1) * this.stride;
    if (need > this.i32.length) {
      const n = new Int32Array(Math.max(need, this.i32.length * 2));
      n.set(this.i32);
      this.i32 = n;
    }
    return this.rows++ * this.stride;
  }
  /** Drop capacity a huge request left behind. */
  trim(cap: number): void {
    if (this.i32.length > this.stride * cap * 4) this.i32 = new Int32Array(this.stride * cap);
  }
}

// resources and scopes (walkWrapper): raw ranges of field 1 (`resource` / `scope`) and of `schema_url` (-1:
// absent), first child row (scope / span), child count
const W_ONE_S = 0, W_ONE_E = 1, W_SCH_S = 2, W_SCH_E = 3, W_FIRST = 4, W_N = 5;
const R_RES_S = W_ONE_S, R_RES_E = W_ONE_E, R_SCH_S = W_SCH_S, R_SCH_E = W_SCH_E, R_FIRST = W_FIRST, R_N = W_N, R_STRIDE = 6;
const C_SC_S = W_ONE_S, C_SC_E = W_ONE_E, C_SCH_S = W_SCH_S, C_SCH_E = W_SCH_E, C_FIRST = W_FIRST, C_N = W_N, C_STRIDE = 6;
// spans: raw range of the whole `spans` field (tag + length + content), shard
const S_S = 0, S_E = 1, S_SHARD = 2, S_STRIDE = 3;

const RES = new Rows(R_STRIDE, 64);
const SCO = new Rows(C_STRIDE, 64);
const SPA = new Rows(S_STRIDE, 4096);
/** Plain memory a part is written in before its one copy into the shared buffer (kept up to 16 MiB). */
let stage = new Uint8Array(1 << 20);
/** Per scope, the content length of its part for the shard being written. */
let ssLen = new Int32Array(64);

// ---- the walk

let buf: Uint8Array = new Uint8Array(0);
let pos = 0;

function fail(what: string): never {
  throw new DecodeError(`malformed protobuf request: ${what} at byte ${pos}`);
}

function varint(end: number): number {
  if (pos >= end) fail('truncated varint');
  let b = buf[pos++]!;
  if (b < 0x80) return b;
  let v = b & 0x7f;
  let mul = 128;
  for (let i = 1; i < 10; i++) {
    if (pos >= end) fail('truncated varint');
    b = buf[pos++]!;
    v += (b & 0x7f) * mul;
    if (b < 0x80) return v;
    mul *= 128;
  }
  return fail('varint longer than 10 bytes');
}

/** Read a length prefix at pos (after the tag) and check it fits before `end`; returns the content end. */
function lenEnd(end: number): number {
  const n = varint(end);
  if (n > end - pos) fail('length beyond its message');
  return pos + n;
}

/** Skip the value of a field of wire type wt (pos after the tag). */
function skip(wt: number, end: number): void {
  switch (wt) {
    case 0:
      varint(end);
      return;
    case 1:
      if (end - pos < 8) fail('truncated fixed64');
      pos += 8;
      return;
    case 2:
      pos = lenEnd(end);
      return;
    case 5:
      if (end - pos < 4) fail('truncated fixed32');
      pos += 4;
      return;
    default:
      fail(`wire type ${wt} not allowed`);
  }
}

function tag(end: number): number {
  const t = varint(end);
  if (t < 8) fail('field number 0');
  return t;
}

/** A span's shard: its trace_id (field 1, 16 bytes) hashed; no trace id: shard 0. Leaves pos at `end`. */
function spanShard(end: number, n: number): number {
  // Fast path: the SDKs write trace_id first.
  if (buf[pos] === 0x0a && buf[pos + 1] === 16 && end - pos >= 18) {
    const k = traceIdShard(buf, pos + 2, n);
    pos = end;
    return k;
  }
  let shard = 0;
  while (pos < end) {
    const t = tag(end);
    if (t === 0x0a) {
      const e = lenEnd(end);
      if (e - pos === 16) shard = traceIdShard(buf, pos, n);
      pos = e;
    } else skip(t & 7, end);
  }
  return shard;
}

/**
 * One ResourceSpans or ScopeSpans (the same shape: field 1 a message kept raw, field 2 the repeated children,
 * field 3 schema_url kept raw): adds its row to `rows` (W_* columns), calls `child` for each field 2 (pos at the
 * child's content, which child must leave at `e`), and returns nothing; unknown fields are skipped.
 */
function walkWrapper(rows: Rows, firstChild: number, end: number, child: (t0: number, e: number) => void): void {
  const wb = rows.add();
  const w = rows.i32;
  w[wb + W_ONE_S] = w[wb + W_SCH_S] = -1;
  w[wb + W_ONE_E] = w[wb + W_SCH_E] = -1;
  w[wb + W_FIRST] = firstChild;
  let count = 0;
  while (pos < end) {
    const t0 = pos;
    const t = tag(end);
    if (t === 0x12) {
      const e = lenEnd(end);
      child(t0, e);
      count++;
    } else if (t === 0x0a || t === 0x1a) {
      const e = lenEnd(end);
      const w2 = rows.i32;
      w2[wb + (t === 0x0a ? W_ONE_S : W_SCH_S)] = t0;
      w2[wb + (t === 0x0a ? W_ONE_E : W_SCH_E)] = e;
      pos = e;
    } else skip(t & 7, end);
  }
  rows.i32[wb + W_N] = count;
}

let shards = 1;
function addSpan(t0: number, e: number): void {
  const sb = SPA.add();
  const s = SPA.i32;
  s[sb + S_S] = t0;
  s[sb + S_E] = e;
  s[sb + S_SHARD] = spanShard(e, shards);
}
const walkScope = (_t0: number, e: number): void => walkWrapper(SCO, SPA.rows, e, addSpan);
const walkResource = (e: number): void => walkWrapper(RES, SCO.rows, e, walkScope);

function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

function putVarint(out: Uint8Array, p: number, v: number): number {
  while (v >= 0x80) {
    out[p++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[p++] = v;
  return p;
}

function range(s: number, e: number): number {
  return s < 0 ? 0 : e - s;
}

/** Bytes of shard k's request (and ssLen[] per scope); 0 when the shard has no span. */
function partSize(k: number): number {
  const r = RES.i32, c = SCO.i32, s = SPA.i32;
  let total = 0;
  for (let ri = 0; ri < RES.rows; ri++) {
    const rb = ri * R_STRIDE;
    let rsLen = 0;
    let any = false;
    for (let ci = r[rb + R_FIRST]!, ce = ci + r[rb + R_N]!; ci < ce; ci++) {
      const cb = ci * C_STRIDE;
      let len = 0;
      for (let si = c[cb + C_FIRST]!, se = si + c[cb + C_N]!; si < se; si++) {
        const sb = si * S_STRIDE;
        if (s[sb + S_SHARD] === k) len += s[sb + S_E]! - s[sb + S_S]!;
      }
      if (len === 0) {
        ssLen[ci] = -1;
        continue;
      }
      any = true;
      len += range(c[cb + C_SC_S]!, c[cb + C_SC_E]!) + range(c[cb + C_SCH_S]!, c[cb + C_SCH_E]!);
      ssLen[ci] = len;
      rsLen += 1 + varintSize(len) + len;
    }
    if (!any) continue;
    rsLen += range(r[rb + R_RES_S]!, r[rb + R_RES_E]!) + range(r[rb + R_SCH_S]!, r[rb + R_SCH_E]!);
    total += 1 + varintSize(rsLen) + rsLen;
  }
  return total;
}

/** Write shard k's request (sizes from partSize(k)) into out; returns the bytes written. */
function writePart(k: number, out: Uint8Array): number {
  const r = RES.i32, c = SCO.i32, s = SPA.i32;
  let p = 0;
  const copy = (from: number, to: number): void => {
    if (from < 0 || to <= from) return;
    seqCopy(out, p, buf, from, to - from);
    p += to - from;
  };
  for (let ri = 0; ri < RES.rows; ri++) {
    const rb = ri * R_STRIDE;
    const first = r[rb + R_FIRST]!, last = first + r[rb + R_N]!;
    let rsLen = 0;
    for (let ci = first; ci < last; ci++) if (ssLen[ci]! >= 0) rsLen += 1 + varintSize(ssLen[ci]!) + ssLen[ci]!;
    if (rsLen === 0) continue;
    rsLen += range(r[rb + R_RES_S]!, r[rb + R_RES_E]!) + range(r[rb + R_SCH_S]!, r[rb + R_SCH_E]!);
    out[p++] = 0x0a;
    p = putVarint(out, p, rsLen);
    copy(r[rb + R_RES_S]!, r[rb + R_RES_E]!);
    for (let ci = first; ci < last; ci++) {
      const len = ssLen[ci]!;
      if (len < 0) continue;
      const cb = ci * C_STRIDE;
      out[p++] = 0x12;
      p = putVarint(out, p, len);
      copy(c[cb + C_SC_S]!, c[cb + C_SC_E]!);
      // The shard's spans, adjacent ones copied as one run.
      let runS = -1, runE = -1;
      for (let si = c[cb + C_FIRST]!, se = si + c[cb + C_N]!; si < se; si++) {
        const sb = si * S_STRIDE;
        if (s[sb + S_SHARD] !== k) continue;
        if (s[sb + S_S] === runE) runE = s[sb + S_E]!;
        else {
          copy(runS, runE);
          runS = s[sb + S_S]!;
          runE = s[sb + S_E]!;
        }
      }
      copy(runS, runE);
      copy(c[cb + C_SCH_S]!, c[cb + C_SCH_E]!);
    }
    copy(r[rb + R_SCH_S]!, r[rb + R_SCH_E]!);
  }
  return p;
}

// Every part gets a SharedArrayBuffer of its own, from a pool of reused buffers in size classes
// (src/pdata/buffer-pool.ts). Allocating (and later freeing) a SharedArrayBuffer per part cost 120–250 µs of CPU
// per 500 KB part against ≈ 20 µs for posting a buffer that already exists, mostly page faults. Parts are not
// carved from larger shared slabs: each message deserializes its own SharedArrayBuffer object, and V8 counts the
// whole buffer as new external memory of the receiving thread for each (a full mark-compact per 64 MiB of it),
// so a buffer sized to its part is what keeps that count down to the bytes actually sent.
// A worker tells the acceptor when the last object referring to a part's buffer is collected (a
// FinalizationRegistry on the SharedArrayBuffer object the part arrived in: src/workers/worker.ts); the buffer
// then goes back to the pool. A part whose release never comes (its worker died) is simply not reused: GC
// frees it as before.
/** Part buffers: 16 KiB up to 16 MiB in size classes, at most 64 MiB of them idle. */
const partBuffers = new BufferPool<SharedArrayBuffer>((n) => new SharedArrayBuffer(n), 16 << 10, 16 << 20, 64 << 20);
/** Buffers handed out and not yet released, by part id. */
const outstanding = new Map<number, SharedArrayBuffer>();
let partSeq = 0;
/** Part buffers reused instead of allocated (tests, telemetry). */
export const partBufferStats = partBuffers.stats;

/**
 * Parts whose buffers the other side no longer uses (by part id, FramedPart.bufferId; unknown ids are ignored):
 * their buffers are reused. Call it only when nothing can read or write those parts' bytes any more.
 */
export function releaseParts(ids: Iterable<number>): void {
  for (const id of ids) {
    const sab = outstanding.get(id);
    if (sab === undefined) continue;
    outstanding.delete(id);
    partBuffers.give(sab);
  }
}

/** A pooled buffer for a part of `len` bytes (with room for the worker's edits), outstanding until released. */
function takePartBuffer(len: number): { sab: SharedArrayBuffer; id: number } {
  const sab = partBuffers.take((withSlack(len) + 7) & ~7);
  const id = ++partSeq;
  outstanding.set(id, sab);
  return { sab, id };
}

function newPart(shard: number, len: number, spans: number): { part: FramedPart; u8: Uint8Array } {
  const { sab, id } = takePartBuffer(len);
  return { part: { shard, sab, off: 0, len, cap: sab.byteLength, spans, bufferId: id }, u8: new Uint8Array(sab) };
}

/** Request bodies read straight into part buffers (allocBody), until framed (takeBody) or given back (releaseBody). */
const bodies = new WeakMap<ArrayBufferLike, number>();

/**
 * A buffer for a request body of `n` bytes that frameTraces can hand to a worker as it is (no copy) when the
 * whole request falls in one shard (always with `worker_sharding: round_robin`). Give it back with releaseBody
 * once the request is answered: that does nothing when it became a part.
 */
export function allocBody(n: number): Buffer {
  const { sab, id } = takePartBuffer(n);
  bodies.set(sab, id);
  return Buffer.from(sab, 0, n);
}

/** Give back a body from allocBody that did not become a part (nothing refers to it any more). */
export function releaseBody(body: Uint8Array): void {
  const id = bodies.get(body.buffer);
  if (id === undefined) return;
  bodies.delete(body.buffer);
  releaseParts([id]);
}

function takeBody(body: Uint8Array): { sab: SharedArrayBuffer; id: number } | undefined {
  const id = bodies.get(body.buffer);
  if (id === undefined || body.byteOffset !== 0) return undefined;
  bodies.delete(body.buffer);
  return { sab: body.buffer as SharedArrayBuffer, id };
}

/**
 * Frame an ExportTraceServiceRequest and cut it into one part per shard (of n) that has spans.
 * Throws DecodeError when the framing is malformed.
 */
export function frameTraces(body: Uint8Array, n: number): FramedTraces {
  if (body.length > 0x7fffffff) throw new DecodeError('request larger than 2 GiB');
  buf = body;
  pos = 0;
  shards = n;
  RES.rows = SCO.rows = SPA.rows = 0;
  try {
    const end = body.length;
    while (pos < end) {
      const t = tag(end);
      if (t === 0x0a) {
        const e = lenEnd(end);
        walkResource(e);
      } else skip(t & 7, end);
    }
    const spans = SPA.rows;
    if (spans === 0) return new FramedTraces(0, []);
    // Which shards have spans, and how many.
    const per = new Int32Array(Math.max(1, n));
    const s = SPA.i32;
    for (let i = 0; i < spans; i++) per[s[i * S_STRIDE + S_SHARD]!]!++;
    const first = s[S_SHARD]!;
    if (per[first] === spans) {
      // One shard: the request as it came — the body's own buffer when it was read into one (allocBody).
      const own = end === body.length ? takeBody(body) : undefined;
      if (own !== undefined) return new FramedTraces(spans, [{ shard: first, sab: own.sab, off: 0, len: end, cap: own.sab.byteLength, spans, bufferId: own.id }]);
      const { part, u8 } = newPart(first, end, spans);
      bulkCopy(u8, 0, body, 0, end);
      copyStats.arenaBytes += end;
      return new FramedTraces(spans, [part]);
    }
    if (ssLen.length < SCO.rows) ssLen = new Int32Array(Math.max(SCO.rows, ssLen.length * 2));
    const parts: FramedPart[] = [];
    for (let k = 0; k < n; k++) {
      if (per[k] === 0) continue;
      const len = partSize(k);
      const { part, u8 } = newPart(k, len, per[k]!);
      // Written in plain memory, then one aligned copy into the shared buffer: the spans' runs start at any
      // offset, and V8 copies into shared memory byte by byte when the offsets are not equally aligned.
      if (stage.length < len + 8) stage = new Uint8Array(Math.max(len + 8, stage.length * 2)); // + seqCopy's 7 spare bytes
      const w = writePart(k, stage);
      if (w !== len) throw new Error(`frame: shard ${k} part wrote ${w} bytes, expected ${len}`);
      bulkCopy(u8, 0, stage, 0, len);
      copyStats.arenaBytes += len;
      parts.push(part);
    }
    return new FramedTraces(spans, parts);
  } finally {
    buf = new Uint8Array(0);
    RES.trim(64);
    SCO.trim(64);
    SPA.trim(4096);
    if (stage.length > 16 << 20) stage = new Uint8Array(1 << 20);
  }
}
