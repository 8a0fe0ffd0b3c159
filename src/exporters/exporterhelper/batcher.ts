// sending_queue.batch: merges requests taken from the queue into batches of at least `min_size` (or whatever
// arrived within `flush_timeout`) and at most `max_size` (0 = no limit; a request that does not fit is split),
// in the batch sizer's unit — after the Go queue batcher. Batches are sent by at most `num_consumers` concurrent
// senders; when all are busy, add() waits (backpressure to the queue consumers). Each queued request's `done`
// is called when every batch holding a part of it has been sent.

import type { Done, Sized } from './queue';
import { sizeOf } from './queue';
import type { BatchConfig } from './config';

export interface BatchOps<T> {
  /** One request holding every item of `parts`, in order. */
  merge(parts: readonly T[]): T;
  /** Split into the first `n` items and the rest (0 < n < itemCount). */
  split(req: T, n: number): [T, T];
}

interface Pending<T> {
  parts: T[];
  size: number;
  dones: Done[];
}

export class Batcher<T extends Sized> {
  private cur: Pending<T> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private active = 0;
  private slotWaiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly cfg: BatchConfig,
    private readonly concurrency: number,
    private readonly ops: BatchOps<T>,
    /** Sends one batch; must not throw synchronously. */
    private readonly send: (batch: T) => Promise<void>,
  ) {}

  private size(r: T): number {
    return sizeOf(this.cfg.sizer, r);
  }

  /** How many items of `r` fit in `room` units. */
  private itemsFitting(r: T, room: number): number {
    if (this.cfg.sizer === 'items') return Math.floor(room);
    const per = r.byteSize / Math.max(1, r.itemCount);
    return Math.floor(room / Math.max(1, per));
  }

  /** Take one request (and its done). Resolves once it is batched (and any batch it completed has a sender). */
  async add(req: T, done: Done): Promise<void> {
    const max = this.cfg.max_size;
    const flushes: Array<Promise<void>> = [];
    // `done` fires once every batch holding a piece of `req` has been sent (first error wins).
    let refs = 1;
    let firstErr: unknown;
    const release: Done = (err) => {
      if (err !== undefined && firstErr === undefined) firstErr = err;
      if (--refs === 0) done(firstErr);
    };
    let rest: T | undefined = req;
    while (rest) {
      const sz = this.size(rest);
      const curSize = this.cur?.size ?? 0;
      const room = max > 0 ? max - curSize : Infinity;
      let piece: T;
      if (sz <= room) {
        piece = rest;
        rest = undefined;
      } else {
        const n = this.itemsFitting(rest, room);
        if (n >= 1 && n < rest.itemCount) {
          [piece, rest] = this.ops.split(rest, n);
        } else if (curSize > 0) {
          flushes.push(this.flush()); // start a new batch, then try again
          continue;
        } else {
          piece = rest; // a single item larger than max_size: sent alone
          rest = undefined;
        }
      }
      if (!this.cur) {
        this.cur = { parts: [], size: 0, dones: [] };
        this.armTimer();
      }
      this.cur.parts.push(piece);
      this.cur.size += this.size(piece);
      refs++;
      this.cur.dones.push(release);
      if (this.cur.size >= this.cfg.min_size || (max > 0 && this.cur.size >= max)) flushes.push(this.flush());
    }
    release(undefined);
    await Promise.all(flushes);
  }

  private armTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.cfg.flush_timeout);
  }

  /** Send the current batch (waits for a free sender). */
  flush(): Promise<void> {
    const b = this.cur;
    this.cur = undefined;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!b || b.parts.length === 0) return Promise.resolve();
    return this.acquire().then(() => {
      let merged: T;
      try {
        merged = b.parts.length === 1 ? b.parts[0]! : this.ops.merge(b.parts);
      } catch (e) {
        for (const d of b.dones) d(e);
        this.releaseSlot();
        return;
      }
      this.send(merged).then(
        () => {
          for (const d of b.dones) d();
        },
        (e) => {
          for (const d of b.dones) d(e);
        },
      ).finally(() => this.releaseSlot());
    });
  }

  private acquire(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.slotWaiters.push(() => {
      this.active++;
      resolve();
    }));
  }

  private releaseSlot(): void {
    this.active--;
    const next = this.slotWaiters.shift();
    if (next) next();
    else if (this.active === 0 && !this.cur) {
      const ws = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of ws) w();
    }
  }

  /** Flush what is pending and wait until every batch has been sent. */
  async shutdown(): Promise<void> {
    await this.flush();
    if (this.active === 0 && this.slotWaiters.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }
}
