// A bounded in-memory sending queue, after the Go exporterhelper's memory queue + async consumers.
//
// Generic over any request that knows its item count and byte size, so metrics/logs requests and a persistent
// queue can plug in later. Capacity is counted in the chosen sizer's unit (requests | items | bytes). The space an
// entry takes is released when its consumer reports it done (after the send, retries included), so the size
// includes in-flight requests as in Go. A full queue refuses at once with a retryable OverloadedError
// ("sending queue is full") unless block_on_overflow, in which case offer() waits for space.

import { ExportError, OverloadedError, ShutdownError } from '../../errors';
import type { SizerType } from './config';

/** What the queue needs to know about a request. */
export interface Sized {
  readonly itemCount: number;
  readonly byteSize: number;
}

export function sizeOf(sizer: SizerType, r: Sized): number {
  switch (sizer) {
    case 'requests':
      return 1;
    case 'items':
      return r.itemCount;
    case 'bytes':
      return r.byteSize;
  }
}

/** Reports that a dequeued request is completely processed (successfully when `err` is undefined). */
export type Done = (err?: unknown) => void;

export interface QueueOptions<T> {
  sizer: SizerType;
  capacity: number;
  numConsumers: number;
  blockOnOverflow: boolean;
  /** offer() settles only when the request has been processed, with its result. */
  waitForResult: boolean;
  /**
   * Takes one request. At most `numConsumers` calls are pending at a time (the returned promise frees the slot);
   * `done` must be called exactly once when the request is processed: it frees its queue space. A rejection of
   * the returned promise counts as done(err).
   */
  consume(item: T, done: Done): Promise<void>;
}

interface Entry<T> {
  item: T;
  size: number;
  settle?: (err?: unknown) => void;
}

export class BoundedQueue<T extends Sized> {
  private readonly entries: Array<Entry<T> | undefined> = [];
  private head = 0;
  private used = 0;
  private active = 0;
  private started = false;
  private stopped = false;
  private spaceWaiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly opts: QueueOptions<T>) {}

  /** Current size in the sizer's unit (queued + being processed). */
  get size(): number {
    return this.used;
  }
  get capacity(): number {
    return this.opts.capacity;
  }
  /** Requests waiting for a consumer. */
  get pending(): number {
    return this.entries.length - this.head;
  }

  start(): void {
    this.started = true;
    this.pump();
  }

  /**
   * Enqueue. Resolves once queued; rejects with OverloadedError when full (retryable), ShutdownError after
   * shutdown began, ExportError (permanent) when the request alone exceeds the capacity. With wait_for_result the
   * returned `result` settles when the request has been processed, with its outcome. Requests of size 0 (no items
   * with the items sizer) are accepted and dropped, as in Go.
   */
  async offer(item: T): Promise<{ result?: Promise<void> }> {
    if (this.stopped) throw new ShutdownError('the sending queue is shut down');
    const size = sizeOf(this.opts.sizer, item);
    if (size === 0) return {};
    if (!(size > 0)) throw new ExportError(`invalid request size ${size}`, false);
    if (size > this.opts.capacity) {
      throw new ExportError(`request of size ${size} is larger than the sending queue capacity ${this.opts.capacity} (${this.opts.sizer})`, false);
    }
    while (this.used + size > this.opts.capacity) {
      if (!this.opts.blockOnOverflow) throw new OverloadedError('sending queue is full');
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
      if (this.stopped) throw new ShutdownError('the sending queue is shut down');
    }
    this.used += size;
    const entry: Entry<T> = { item, size };
    let result: Promise<void> | undefined;
    if (this.opts.waitForResult) {
      result = new Promise<void>((resolve, reject) => {
        entry.settle = (err) => (err === undefined ? resolve() : reject(err));
      });
    }
    this.entries.push(entry);
    this.pump();
    return result ? { result } : {};
  }

  private pump(): void {
    if (!this.started) return;
    while (this.active < this.opts.numConsumers && this.head < this.entries.length) {
      const entry = this.take()!;
      this.active++;
      let finished = false;
      const done: Done = (err) => {
        if (finished) return;
        finished = true;
        this.release(entry.size);
        entry.settle?.(err);
      };
      let p: Promise<void>;
      try {
        p = this.opts.consume(entry.item, done);
      } catch (e) {
        p = Promise.reject(e);
      }
      p.then(
        () => undefined,
        (e) => done(e),
      ).finally(() => {
        this.active--;
        this.pump();
        this.checkIdle();
      });
    }
  }

  private take(): Entry<T> | undefined {
    if (this.head >= this.entries.length) return undefined;
    const e = this.entries[this.head];
    this.entries[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
    return e;
  }

  private release(size: number): void {
    this.used -= size;
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const w of waiters) w();
    this.checkIdle();
  }

  private checkIdle(): void {
    if (this.used === 0 && this.active === 0 && this.head >= this.entries.length) {
      const ws = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of ws) w();
    }
  }

  /**
   * Stop accepting requests (blocked offers are refused) and wait until everything queued has been processed.
   * Waits at most `timeoutMs`; what is still waiting for a consumer then is dropped (its done gets a
   * ShutdownError) and returned so the caller can count it.
   */
  async shutdown(timeoutMs: number): Promise<{ drained: boolean; dropped: T[] }> {
    this.stopped = true;
    const blocked = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const w of blocked) w();
    if (!this.started) this.start();
    const idle = new Promise<void>((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkIdle();
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), Math.max(0, timeoutMs));
    });
    const out = await Promise.race([idle.then(() => false), timedOut]);
    clearTimeout(timer);
    if (!out) return { drained: true, dropped: [] };
    const dropped: T[] = [];
    for (let e = this.take(); e; e = this.take()) {
      dropped.push(e.item);
      this.used -= e.size;
      e.settle?.(new ShutdownError('the sending queue was shut down before this request could be sent'));
    }
    return { drained: false, dropped };
  }

  /** Resolves when nothing is queued or being processed. */
  whenIdle(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkIdle();
    });
  }
}
