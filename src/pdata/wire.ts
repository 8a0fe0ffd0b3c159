// Protobuf wire primitives: the two-pass writer, varint sizes, UTF-8 and hex helpers.
// Readers live in decode.ts (they share module state with the decoder for speed).

export const WT_VARINT = 0;
export const WT_I64 = 1;
export const WT_LEN = 2;
export const WT_I32 = 5;

/** Bytes needed for an unsigned 32-bit varint. */
export function varintSize32(v: number): number {
  v >>>= 0;
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** Bytes needed for a 64-bit varint given as (lo, hi) uint32 words. */
export function varintSize64(lo: number, hi: number): number {
  hi >>>= 0;
  if (hi === 0) return varintSize32(lo);
  // bits used = 32 + bitlen(hi); ceil(bits / 7)
  const bits = 64 - Math.clz32(hi);
  return Math.ceil(bits / 7);
}

/**
 * A two-pass protobuf writer. Run the same emitting code twice: first with `dry = true` (nothing is
 * written, nested message lengths are measured into `lens`), then on an exact-size buffer with
 * `dry = false` (lengths are read back in the same pre-order). No intermediate buffers.
 */
export class Writer {
  out: Uint8Array = new Uint8Array(0);
  pos = 0;
  dry = true;
  /** Measured lengths of nested messages, pre-order. */
  lens = new Int32Array(1024);
  nLens = 0;
  /** Write pass: next length slot to read. */
  cursor = 0;
  /** Open message start positions (dry) / slots. */
  private stackPos = new Int32Array(64);
  private stackSlot = new Int32Array(64);
  private depth = 0;

  beginDry(): void {
    this.dry = true;
    this.pos = 0;
    this.nLens = 0;
    this.depth = 0;
  }
  beginWrite(out: Uint8Array): void {
    this.dry = false;
    this.out = out;
    this.pos = 0;
    this.cursor = 0;
    this.depth = 0;
  }

  varint32(v: number): void {
    v >>>= 0;
    if (this.dry) {
      this.pos += varintSize32(v);
      return;
    }
    const o = this.out;
    let p = this.pos;
    while (v >= 0x80) {
      o[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    o[p++] = v;
    this.pos = p;
  }
  varint64(lo: number, hi: number): void {
    lo >>>= 0;
    hi >>>= 0;
    if (hi === 0) return this.varint32(lo);
    if (this.dry) {
      this.pos += varintSize64(lo, hi);
      return;
    }
    const o = this.out;
    let p = this.pos;
    // first 28 bits of lo
    for (let k = 0; k < 4; k++) {
      o[p++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    // 4 remaining bits of lo + 3 of hi
    let v = lo | ((hi & 0x7) << 4);
    hi >>>= 3;
    if (hi === 0) {
      o[p++] = v;
      this.pos = p;
      return;
    }
    o[p++] = v | 0x80;
    while (hi >= 0x80) {
      o[p++] = (hi & 0x7f) | 0x80;
      hi >>>= 7;
    }
    o[p++] = hi;
    this.pos = p;
  }
  /** A tag (field number < 2^28 assumed, wire type). */
  tag(field: number, wt: number): void {
    this.varint32(((field << 3) | wt) >>> 0);
  }
  fixed32(v: number): void {
    if (!this.dry) {
      const o = this.out;
      const p = this.pos;
      o[p] = v & 0xff;
      o[p + 1] = (v >>> 8) & 0xff;
      o[p + 2] = (v >>> 16) & 0xff;
      o[p + 3] = (v >>> 24) & 0xff;
    }
    this.pos += 4;
  }
  fixed64(lo: number, hi: number): void {
    this.fixed32(lo);
    this.fixed32(hi);
  }
  /** Copy src[off, off+len) verbatim. */
  raw(src: Uint8Array, off: number, len: number): void {
    if (!this.dry && len > 0) copySeq(this.out, this.pos, src, off, len);
    this.pos += len;
  }
  /** Dry pass: record a length measured by the caller (read back with nextLen() in the write pass). */
  pushLen(len: number): void {
    if (this.nLens >= this.lens.length) {
      const n = new Int32Array(this.lens.length * 2);
      n.set(this.lens);
      this.lens = n;
    }
    this.lens[this.nLens++] = len;
  }
  nextLen(): number {
    return this.lens[this.cursor++];
  }
  /** Length-delimited field whose content is src[off, off+len). */
  bytesField(field: number, src: Uint8Array, off: number, len: number): void {
    this.tag(field, WT_LEN);
    this.varint32(len);
    this.raw(src, off, len);
  }
  /** String field (UTF-8). `out` must be a Buffer in the write pass. */
  str(field: number, s: string): void {
    const len = utf8Length(s);
    this.tag(field, WT_LEN);
    this.varint32(len);
    if (!this.dry && len > 0) (this.out as Buffer).write(s, this.pos, len, 'utf8');
    this.pos += len;
  }
  /** Open a nested message (tag + length prefix written now, length measured in the dry pass). */
  begin(field: number): void {
    this.tag(field, WT_LEN);
    if (this.depth >= this.stackPos.length) this.growStack();
    if (this.dry) {
      if (this.nLens >= this.lens.length) {
        const n = new Int32Array(this.lens.length * 2);
        n.set(this.lens);
        this.lens = n;
      }
      this.stackSlot[this.depth] = this.nLens++;
      this.stackPos[this.depth++] = this.pos;
      // (lens grows in pushLen/begin only)
    } else {
      this.varint32(this.lens[this.cursor++]);
      this.depth++;
    }
  }
  end(): void {
    this.depth--;
    if (this.dry) {
      const len = this.pos - this.stackPos[this.depth];
      this.lens[this.stackSlot[this.depth]] = len;
      this.pos += varintSize32(len);
    }
  }
  private growStack(): void {
    const a = new Int32Array(this.stackPos.length * 2);
    a.set(this.stackPos);
    this.stackPos = a;
    const b = new Int32Array(this.stackSlot.length * 2);
    b.set(this.stackSlot);
    this.stackSlot = b;
  }
}

/** Write v as a varint at o[p]; returns the new position. */
export function putVarint(o: Uint8Array, p: number, v: number): number {
  v >>>= 0;
  while (v >= 0x80) {
    o[p++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  o[p++] = v;
  return p;
}

// DataViews of the last source/destination of copyBytes (an encode copies from one arena to one buffer).
let cdst: Uint8Array = new Uint8Array(0);
let cdstView = new DataView(cdst.buffer);
let csrc: Uint8Array = new Uint8Array(0);
let csrcView = new DataView(csrc.buffer);

/**
 * Copy src[sp, sp+len) to dst[dp]. Short and medium copies move 4-byte words through DataViews (unaligned
 * is fine): `set(subarray)` allocates a view and has a fixed cost (~100 ns, more from a SharedArrayBuffer)
 * and a byte loop is slow on attribute-sized strings.
 */
export function copyBytes(dst: Uint8Array, dp: number, src: Uint8Array, sp: number, len: number): void {
  if (len > 256) {
    bulkCopy(dst, dp, src, sp, len);
    return;
  }
  if (dst !== cdst) {
    cdst = dst;
    cdstView = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
  }
  if (src !== csrc) {
    csrc = src;
    csrcView = new DataView(src.buffer, src.byteOffset, src.byteLength);
  }
  let k = 0;
  for (; k + 4 <= len; k += 4) cdstView.setUint32(dp + k, csrcView.getUint32(sp + k, true), true);
  for (; k < len; k++) dst[dp + k] = src[sp + k];
}

/** copyBytes for sequential writers (the encoders): long copies may scribble on the 7 bytes after dp+len (seqCopy). */
export function copySeq(dst: Uint8Array, dp: number, src: Uint8Array, sp: number, len: number): void {
  if (len > 256) seqCopy(dst, dp, src, sp, len);
  else copyBytes(dst, dp, src, sp, len);
}

// ---- long copies and alignment
//
// V8's TypedArray.prototype.set moves 8-byte words only when source and destination addresses are equally
// aligned mod 8 and falls back to a byte loop otherwise — for SharedArrayBuffer memory (a relaxed-atomic copy)
// at any length, for plain memory on long copies (measured here, 220 KB: 5 µs equally aligned, 61–64 µs not;
// shared, 900 B: 300 ns vs 130 ns). copyWithin (a memmove) is fast at any alignment on plain memory. Arenas
// start at offset 0 of their buffer (allocations are ≥ 8-aligned), so alignment is decided by offsets: the
// gather keeps its copies equally aligned (Arena.reserveAligned); other copies use the two helpers below.

// `u8.buffer instanceof SharedArrayBuffer` is not free, and the copy loops ask it of the same one or two arrays
// again and again: remember the last two answers.
let sharedA: Uint8Array | null = null;
let sharedAIs = false;
let sharedB: Uint8Array | null = null;
let sharedBIs = false;
function isShared(u8: Uint8Array): boolean {
  if (u8 === sharedA) return sharedAIs;
  if (u8 === sharedB) return sharedBIs;
  const is = u8.buffer instanceof SharedArrayBuffer;
  sharedB = sharedA;
  sharedBIs = sharedAIs;
  sharedA = u8;
  sharedAIs = is;
  return is;
}
/** Scratch buffers are kept up to this size; a larger request gets a buffer of its own (not kept). */
const KEEP_MAX = 64 << 20;
let scratch: Uint8Array = new Uint8Array(0);
function scratchOf(n: number): Uint8Array {
  if (n > KEEP_MAX) return new Uint8Array(n);
  if (scratch.length < n) scratch = new Uint8Array(Math.min(KEEP_MAX, Math.max(n, scratch.length * 2)));
  return scratch;
}
/** Below these lengths a misaligned set() is left alone (the extra steps cost more than they save). */
const LONG_PLAIN = 4096;
const LONG_SHARED = 256;

function misalignedIsSlow(dst: Uint8Array, src: Uint8Array, len: number): boolean {
  return len >= LONG_PLAIN || (len >= LONG_SHARED && (isShared(src) || isShared(dst)));
}

/** dst[dp, dp+len) = src[sp, sp+len) at any alignment: an equally aligned hop into a plain scratch, a memmove, an equally aligned hop out. */
export function bulkCopy(dst: Uint8Array, dp: number, src: Uint8Array, sp: number, len: number): void {
  const da = (dst.byteOffset + dp) & 7;
  const sa = (src.byteOffset + sp) & 7;
  if (da === sa || !misalignedIsSlow(dst, src, len)) {
    dst.set(src.subarray(sp, sp + len), dp);
    return;
  }
  const s = scratchOf(len + 16);
  s.set(src.subarray(sp, sp + len), sa);
  s.copyWithin(8 + da, sa, sa + len);
  dst.set(s.subarray(8 + da, 8 + da + len), dp);
}

/**
 * bulkCopy for sequential writers into plain memory (encoders, frame.ts): bytes dst[dp+len, dp+len+7) may be
 * overwritten (they are written later; keep 7 spare bytes at the end of dst). Copies equally aligned just
 * after dp, then moves the bytes into place in dst itself.
 */
export function seqCopy(dst: Uint8Array, dp: number, src: Uint8Array, sp: number, len: number): void {
  const delta = ((src.byteOffset + sp) - (dst.byteOffset + dp)) & 7;
  if (delta === 0 || dp + delta + len > dst.length || isShared(dst) || !misalignedIsSlow(dst, src, len)) {
    bulkCopy(dst, dp, src, sp, len);
    return;
  }
  dst.set(src.subarray(sp, sp + len), dp + delta);
  dst.copyWithin(dp, dp + delta, dp + delta + len);
}

/** Bytes of `pieces` written back to back. */
export function totalLength(pieces: readonly Uint8Array[]): number {
  let n = 0;
  for (const p of pieces) n += p.byteLength;
  return n;
}

/** Drop the cached views (so a finished output buffer / arena is not kept alive). */
export function releaseCopyViews(): void {
  sharedA = sharedB = null;
  cdst = csrc = new Uint8Array(0);
  cdstView = csrcView = new DataView(cdst.buffer);
}

// ---- strings

/** Undocumented but stable Buffer methods: decode without argument checks (much faster than toString). */
interface FastSlice {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}
const fast = (b: Buffer): FastSlice => b as unknown as FastSlice;

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push((i < 16 ? '0' : '') + i.toString(16));

export function hex(u8: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let k = 0; k < len; k++) s += HEX[u8[off + k]];
  return s;
}

/** Decode UTF-8 bytes (invalid sequences become U+FFFD like Buffer does). */
export function utf8(buf: Buffer, off: number, len: number): string {
  if (len <= 0) return '';
  if (len < 20) {
    let s = '';
    for (let k = 0; k < len; k++) {
      const c = buf[off + k];
      if (c >= 0x80) return fast(buf).utf8Slice(off, off + len);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return fast(buf).utf8Slice(off, off + len);
}

// Interning cache for short repeated strings (attribute keys, span names): direct-mapped, ASCII only.
const INTERN_SIZE = 2048;
const internStr: string[] = new Array<string>(INTERN_SIZE).fill('');
const internLen = new Int32Array(INTERN_SIZE).fill(-1);

/** Like utf8(), but short ASCII strings are interned (no allocation when seen recently). */
export function utf8Interned(buf: Buffer, off: number, len: number): string {
  if (len <= 0) return '';
  if (len > 48) return fast(buf).utf8Slice(off, off + len);
  let h = len;
  for (let k = 0; k < len; k++) {
    const c = buf[off + k];
    if (c >= 0x80) return fast(buf).utf8Slice(off, off + len);
    h = Math.imul(h ^ c, 0x01000193);
  }
  const slot = (h ^ (h >>> 15)) & (INTERN_SIZE - 1);
  if (internLen[slot] === len) {
    const s = internStr[slot];
    let k = 0;
    while (k < len && s.charCodeAt(k) === buf[off + k]) k++;
    if (k === len) return s;
  }
  const s = fast(buf).latin1Slice(off, off + len);
  internStr[slot] = s;
  internLen[slot] = len;
  return s;
}

/** UTF-8 byte length of a JS string. */
export function utf8Length(s: string): number {
  const n = s.length;
  for (let k = 0; k < n; k++) if (s.charCodeAt(k) >= 0x80) return Buffer.byteLength(s, 'utf8');
  return n;
}

/** true when the bytes at u8[off, off+len) are exactly the UTF-8 encoding of `s` (ASCII compared in place). */
export function bytesEqualString(u8: Uint8Array, off: number, len: number, s: string, sBytes: Uint8Array | null): boolean {
  if (sBytes === null) {
    if (len !== s.length) return false;
    for (let k = 0; k < len; k++) if (u8[off + k] !== s.charCodeAt(k)) return false;
    return true;
  }
  if (len !== sBytes.length) return false;
  for (let k = 0; k < len; k++) if (u8[off + k] !== sBytes[k]) return false;
  return true;
}

/** null when `s` is ASCII (compare chars directly), else its UTF-8 bytes. */
export function keyBytes(s: string): Uint8Array | null {
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) >= 0x80) return Buffer.from(s, 'utf8');
  return null;
}

// ---- 64-bit helpers (no BigInt on hot paths; these are for accessors that must return bigint)

const f64 = new Float64Array(1);
const f64u = new Uint32Array(f64.buffer);

export function bitsToDouble(lo: number, hi: number): number {
  f64u[0] = lo;
  f64u[1] = hi;
  return f64[0];
}
export function doubleToBits(d: number): [number, number] {
  f64[0] = d;
  return [f64u[0], f64u[1]];
}
export function u64ToBigInt(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
export function i64ToBigInt(lo: number, hi: number): bigint {
  return BigInt.asIntN(64, u64ToBigInt(lo, hi));
}
