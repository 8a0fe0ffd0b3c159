// Reused buffers in size classes. Fresh memory is expensive in Node on a busy collector: every 4 KiB page of a new
// buffer is a page fault on first write, and every new ArrayBuffer counts as external memory, of which each 64 MiB
// makes V8 run a full mark-compact of the thread's heap (measured in the gateway load test: page faults and
// mark-compacts were most of the collector's CPU; docs/PERFORMANCE.md). Where the end of a buffer's use is known
// (a frame part the worker reported collected, an encoded request once its RPC completed), it goes back here.

/** The size class of `n` bytes: min, else 2^k × (1 + j/8) (at most 1/9 of a buffer unused). */
export function sizeClass(n: number, min: number): number {
  if (n <= min) return min;
  const p = 2 ** Math.floor(Math.log2(n));
  if (p === n) return n;
  const step = p / 8;
  return p + Math.ceil((n - p) / step) * step;
}

export class BufferPool<T extends ArrayBufferLike> {
  private readonly free = new Map<number, T[]>();
  private freeBytes = 0;
  /** Buffers handed out: taken from the pool, or allocated. */
  readonly stats = { allocated: 0, reused: 0 };

  constructor(
    private readonly alloc: (bytes: number) => T,
    /** Smallest buffer; requests above maxBytes get a buffer of their own (still returnable: dropped). */
    readonly minBytes: number,
    readonly maxBytes: number,
    /** Free buffers kept at most, in bytes. */
    private readonly keepBytes: number,
  ) {}

  /** A buffer of at least `n` bytes (its byteLength is its size class). */
  take(n: number): T {
    if (n > this.maxBytes) {
      this.stats.allocated++;
      return this.alloc(n);
    }
    const size = sizeClass(n, this.minBytes);
    const b = this.free.get(size)?.pop();
    if (b !== undefined) {
      this.freeBytes -= size;
      this.stats.reused++;
      return b;
    }
    this.stats.allocated++;
    return this.alloc(size);
  }

  /** Give back a buffer from take() that nothing reads or writes any more. */
  give(b: T): void {
    const size = b.byteLength;
    if (size > this.maxBytes || size !== sizeClass(size, this.minBytes) || this.freeBytes + size > this.keepBytes) return;
    let list = this.free.get(size);
    if (list === undefined) this.free.set(size, (list = []));
    list.push(b);
    this.freeBytes += size;
  }

  /** Bytes of free buffers held. */
  get idleBytes(): number {
    return this.freeBytes;
  }
}
