// A small protobuf writer for the OTLP/JSON → protobuf path. Length-delimited fields are written with a
// reserved length prefix that is patched (and the body moved, rarely) when the body is complete, so one pass
// over the parsed JSON writes the message. Output is canonical: minimal varints, fields in the order written.

const TWO32 = 4294967296;

/** Largest scratch buffer kept between calls; bigger ones are dropped after use so one huge request does not pin memory. */
const KEEP_SCRATCH_BYTES = 4 * 1024 * 1024;
let scratch: Buffer | null = null;

const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);

export class ProtoWriter {
  buf: Buffer;
  pos = 0;

  constructor(sizeHint: number) {
    const want = Math.max(256, sizeHint | 0);
    if (scratch !== null && scratch.length >= want) {
      this.buf = scratch;
      scratch = null;
    } else {
      this.buf = Buffer.allocUnsafe(want);
    }
  }

  /** An exact-size copy of what was written; the scratch buffer goes back to the pool. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    this.release();
    return out;
  }

  /** Give the buffer back without producing output (error path). */
  release(): void {
    if (this.buf.length <= KEEP_SCRATCH_BYTES && (scratch === null || scratch.length < this.buf.length)) scratch = this.buf;
    this.buf = EMPTY;
    this.pos = 0;
  }

  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const nb = Buffer.allocUnsafe(size);
    this.buf.copy(nb, 0, 0, this.pos);
    this.buf = nb;
  }

  /** A tag byte sequence for field numbers < 16 (one byte) or < 2048 (two bytes). */
  tag(field: number, wireType: number): void {
    this.ensure(2);
    const v = (field << 3) | wireType;
    if (v < 128) {
      this.buf[this.pos++] = v;
    } else {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      this.buf[this.pos++] = v >>> 7;
    }
  }

  /** Unsigned varint of 0 <= n < 2^32. */
  uvarint32(n: number): void {
    this.ensure(5);
    const b = this.buf;
    let p = this.pos;
    while (n >= 128) {
      b[p++] = (n & 0x7f) | 0x80;
      n = n >>> 7;
    }
    b[p++] = n;
    this.pos = p;
  }

  /** Varint of the 64-bit value hi:lo (both unsigned 32-bit halves). */
  varint64(lo: number, hi: number): void {
    if (hi === 0) {
      this.uvarint32(lo);
      return;
    }
    this.ensure(10);
    const b = this.buf;
    let p = this.pos;
    // 64-bit shift right by 7 using the two halves.
    while (hi !== 0 || lo >= 128) {
      b[p++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi = hi >>> 7;
    }
    b[p++] = lo;
    this.pos = p;
  }

  fixed32(n: number): void {
    this.ensure(4);
    const b = this.buf;
    const p = this.pos;
    b[p] = n & 0xff;
    b[p + 1] = (n >>> 8) & 0xff;
    b[p + 2] = (n >>> 16) & 0xff;
    b[p + 3] = n >>> 24;
    this.pos = p + 4;
  }

  fixed64(lo: number, hi: number): void {
    this.fixed32(lo);
    this.fixed32(hi);
  }

  double(v: number): void {
    this.ensure(8);
    f64[0] = v;
    const b = this.buf;
    const p = this.pos;
    for (let k = 0; k < 8; k++) b[p + k] = f64b[k];
    this.pos = p + 8;
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Length-prefixed UTF-8 string (lone surrogates become U+FFFD, like Buffer and Go). */
  string(s: string): void {
    const len = s.length;
    if (len <= 42) {
      // At most 126 bytes: one length byte, encoded in JS (cheaper than a native call for short strings).
      this.ensure(1 + len * 3);
      const b = this.buf;
      const start = this.pos;
      let p = start + 1;
      for (let k = 0; k < len; k++) {
        let c = s.charCodeAt(k);
        if (c < 0x80) {
          b[p++] = c;
        } else if (c < 0x800) {
          b[p++] = 0xc0 | (c >> 6);
          b[p++] = 0x80 | (c & 0x3f);
        } else if (c >= 0xd800 && c <= 0xdfff) {
          const d = k + 1 < len ? s.charCodeAt(k + 1) : 0;
          if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
            k++;
            c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
            b[p++] = 0xf0 | (c >> 18);
            b[p++] = 0x80 | ((c >> 12) & 0x3f);
            b[p++] = 0x80 | ((c >> 6) & 0x3f);
            b[p++] = 0x80 | (c & 0x3f);
          } else {
            b[p++] = 0xef;
            b[p++] = 0xbf;
            b[p++] = 0xbd;
          }
        } else {
          b[p++] = 0xe0 | (c >> 12);
          b[p++] = 0x80 | ((c >> 6) & 0x3f);
          b[p++] = 0x80 | (c & 0x3f);
        }
      }
      b[start] = p - start - 1;
      this.pos = p;
      return;
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.uvarint32(n);
    this.ensure(n);
    this.buf.write(s, this.pos, n, 'utf8');
    this.pos += n;
  }

  /** Start a length-delimited body, reserving `reserve` bytes (1..5) for its length. Returns the body start. */
  begin(reserve: number): number {
    this.ensure(reserve);
    this.pos += reserve;
    return this.pos;
  }

  /** Complete the body begun at `start` with `reserve` bytes reserved: write the length, moving the body if needed. */
  end(start: number, reserve: number): void {
    const len = this.pos - start;
    const need = len < 0x80 ? 1 : len < 0x4000 ? 2 : len < 0x200000 ? 3 : len < 0x10000000 ? 4 : 5;
    let at = start - reserve;
    if (need !== reserve) {
      const delta = need - reserve;
      if (delta > 0) this.ensure(delta);
      this.buf.copyWithin(start + delta, start, this.pos);
      this.pos += delta;
    }
    const b = this.buf;
    let v = len;
    while (v >= 128) {
      b[at++] = (v & 0x7f) | 0x80;
      v = v >>> 7;
    }
    b[at] = v;
  }
}

const EMPTY = Buffer.alloc(0);

export { TWO32 };
