// The persistent sending queue (`sending_queue.storage: <storage extension>`), after the Go exporterhelper's
// persistent queue, on a durable QueueStore (src/queue/store.ts: LMDB or the native-free segment log).
//
//   offer(request) ─► encode (the request's OTLP protobuf + a 6-byte header) ─► store.append (durable) ─► the
//   sender is acknowledged ─► a consumer takes it ─► send (retry, timeout) ─► store.delete
//
// * Durability: offer() resolves only after the record is committed, so a SIGKILL at any moment loses nothing that
//   was acknowledged. On start, every record still in the store (sent or not in the previous run) is queued again
//   before new ones: at-least-once.
// * Capacity: `queue_size` in the sizer's unit (requests | items | bytes = encoded bytes) over everything stored,
//   in flight included; full → OverloadedError (or wait, with block_on_overflow).
// * Shutdown does not drain: records stay in the store for the next start (as upstream). Sends in flight finish;
//   one that fails while shutting down stays stored instead of being dropped.
// * Requests enqueued in this run keep their decoded form in memory while queued (no decode on the way out) up to
//   `memoryBytes` (default 32 MiB of encoded bytes per queue); beyond, and for records recovered at start, the
//   store holds the only copy and records are read back and decoded in pages when a consumer takes them. An
//   outage is held on disk, not in RAM.
// * A record that cannot be decoded (another format version, corruption) is deleted, counted and logged once; the
//   rest is served.
//
// Record: [version u8 = 1][signal u8: 0 traces, 1 metrics, 2 logs][item count u32 LE][Export*ServiceRequest].

import { bulkCopy, totalLength } from '../pdata/wire';
import { BufferPool } from '../pdata/buffer-pool';
import type { Logger, Signal } from '../component/types';
import { ExportError, OverloadedError, ShutdownError } from '../errors';
import type { SizerType } from '../exporters/exporterhelper/config';
import type { Done, Sized } from '../exporters/exporterhelper/queue';
import type { QueueStore } from './store';

export const RECORD_VERSION = 1;
/** Recovered records read per store read while resending them after a restart. */
const READ_AHEAD = 32;
const SIGNAL_CODE: Record<Signal, number> = { traces: 0, metrics: 1, logs: 2 };

export interface PersistentQueueOptions<T> {
  signal: Signal;
  sizer: SizerType;
  capacity: number;
  numConsumers: number;
  blockOnOverflow: boolean;
  /** Opens the store (at start: the storage extension is only reachable then). */
  open(): Promise<QueueStore>;
  /** The request as an Export*ServiceRequest, or its pieces back to back (copied at once: may be views of the request's memory). */
  encode(item: T): Uint8Array | readonly Uint8Array[];
  decode(bytes: Uint8Array): T;
  itemCount(item: T): number;
  consume(item: T, done: Done): Promise<void>;
  logger: Logger;
  /**
   * Encoded bytes of queued requests kept in memory in their decoded form (default MEMORY_BYTES); beyond it a
   * queued request lives only in the store and is read back when a consumer takes it.
   */
  memoryBytes?: number;
  /** Told the stored payload of a request kept in memory (the exporter then sends these bytes, not a new encoding). */
  remember?(item: T, payload: Uint8Array): void;
}

/**
 * Default bound on the queued requests a persistent queue keeps decoded in memory, per queue (exporter × signal ×
 * worker), in encoded bytes: the queue's point is to hold an outage on disk, not in RAM.
 */
export const MEMORY_BYTES = 32 << 20;

interface Entry<T> {
  seq: number;
  size: number;
  item: T | undefined;
  /** Encoded bytes counted in memHeld while `item` is held in memory (0: not held). */
  mem: number;
  /** The pooled record buffer `item`'s remembered encoding lives in, given back once the entry is finished. */
  buf: ArrayBuffer | undefined;
}

/**
 * Record buffers (64 KiB to 64 MiB, at most 64 MiB idle per thread): a batch's record is written once, kept as the
 * batch's remembered encoding while it waits, and its buffer reused once the batch was sent (or dropped) — the
 * stores copy what they write (lmdb-js into its map, the segment log into its group buffer). Why pool: see
 * src/pdata/buffer-pool.ts.
 */
const recordBuffers = new BufferPool<ArrayBuffer>((n) => new ArrayBuffer(n), 64 << 10, 64 << 20, 64 << 20);

function sizeFor(sizer: SizerType, items: number, bytes: number): number {
  return sizer === 'requests' ? 1 : sizer === 'items' ? items : bytes;
}

export class PersistentQueue<T> {
  private store: QueueStore | undefined;
  private readonly entries: Entry<T>[] = [];
  private head = 0;
  private used = 0;
  private active = 0;
  /** Requests handed to a consumer whose `done` (and delete) has not completed yet. */
  private inflight = 0;
  private stopped = false;
  private spaceWaiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];
  private undecodable = 0;
  /** Seqs of records recovered at start and not loaded yet; and records read ahead for them (a page at a time). */
  private readonly recovered = new Set<number>();
  private readonly readAhead = new Map<number, Uint8Array>();
  /** Encoded bytes of the queued requests held decoded in memory (≤ memoryBytes). */
  private memHeld = 0;

  constructor(private readonly opts: PersistentQueueOptions<T>) {}

  get size(): number {
    return this.used;
  }
  get capacity(): number {
    return this.opts.capacity;
  }
  get pending(): number {
    return this.entries.length - this.head;
  }
  /** Encoded bytes of queued requests held decoded in memory (the rest is only in the store). */
  get memoryHeld(): number {
    return this.memHeld;
  }
  /** Records dropped because they could not be decoded. */
  get dropped(): number {
    return this.undecodable;
  }
  /** The store kind ('lmdb' | 'segment-log') once started. */
  get storeKind(): string | undefined {
    return this.store?.kind;
  }

  /** Open the store and queue every record it holds (from previous runs) before new requests. */
  async start(): Promise<void> {
    if (this.store) return;
    const store = await this.opts.open();
    this.store = store;
    if (store.corrupted) this.opts.logger.warn('The persistent queue skipped unreadable records', { records: store.corrupted });
    if (store.setAside?.length) this.opts.logger.warn('The persistent queue set aside unreadable files (another format version or damaged)', { files: store.setAside.join(', ') });
    let recovered = 0;
    for (let after = 0; ; ) {
      const recs = await store.read(after, 512);
      if (recs.length === 0) break;
      const bad: number[] = [];
      for (const r of recs) {
        const h = this.header(r.data);
        if (!h) {
          bad.push(r.seq);
          continue;
        }
        const size = sizeFor(this.opts.sizer, h.items, r.data.length);
        this.entries.push({ seq: r.seq, size, item: undefined, mem: 0, buf: undefined });
        this.recovered.add(r.seq);
        this.used += size;
        recovered++;
      }
      if (bad.length) await this.dropUndecodable(bad);
      after = recs[recs.length - 1]!.seq;
    }
    if (recovered) this.opts.logger.info('Resending the requests left in the persistent queue', { requests: recovered, kind: store.kind });
    this.pump();
  }

  private header(b: Uint8Array): { items: number } | undefined {
    if (b.length < 6 || b[0] !== RECORD_VERSION || b[1] !== SIGNAL_CODE[this.opts.signal]) return undefined;
    return { items: (b[2]! | (b[3]! << 8) | (b[4]! << 16) | (b[5]! << 24)) >>> 0 };
  }

  private async dropUndecodable(seqs: number[]): Promise<void> {
    this.undecodable += seqs.length;
    this.opts.logger.warn('Dropping persistent queue records that cannot be decoded (another format version or corrupted)', { records: seqs.length });
    await this.store!.delete(seqs).catch(() => undefined);
  }

  async offer(item: T): Promise<{ result?: Promise<void> }> {
    if (this.stopped) throw new ShutdownError('the sending queue is shut down');
    if (!this.store) throw new ShutdownError('the persistent queue is not started');
    const items = this.opts.itemCount(item);
    if (items === 0) return {};
    const encoded = this.opts.encode(item);
    const pieces = encoded instanceof Uint8Array ? [encoded] : encoded;
    const payloadLength = totalLength(pieces);
    // The 6-byte header starts 2 bytes into its buffer so the payload lands 8-aligned, like the arena bytes it is
    // copied from: V8 then copies words, not bytes (src/pdata/wire.ts).
    const recBuf = recordBuffers.take(8 + payloadLength);
    const rec = new Uint8Array(recBuf, 2, 6 + payloadLength);
    rec[0] = RECORD_VERSION;
    rec[1] = SIGNAL_CODE[this.opts.signal];
    rec[2] = items & 0xff;
    rec[3] = (items >>> 8) & 0xff;
    rec[4] = (items >>> 16) & 0xff;
    rec[5] = (items >>> 24) & 0xff;
    let at = 6;
    for (const p of pieces) {
      bulkCopy(rec, at, p, 0, p.length); // pieces may be shared memory at another alignment (wire.ts)
      at += p.length;
    }
    const size = sizeFor(this.opts.sizer, items, rec.length);
    let seq: number;
    try {
      if (size > this.opts.capacity) {
        throw new ExportError(`request of size ${size} is larger than the sending queue capacity ${this.opts.capacity} (${this.opts.sizer})`, false);
      }
      while (this.used + size > this.opts.capacity) {
        if (!this.opts.blockOnOverflow) throw new OverloadedError('sending queue is full');
        await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
        if (this.stopped) throw new ShutdownError('the sending queue is shut down');
      }
      this.used += size;
      try {
        [seq] = (await this.store.append([rec])) as [number];
      } catch (e) {
        this.release(size);
        throw e;
      }
    } catch (e) {
      recordBuffers.give(recBuf); // not queued: nothing refers to the record
      throw e;
    }
    if (this.memHeld + rec.length <= (this.opts.memoryBytes ?? MEMORY_BYTES)) {
      this.memHeld += rec.length;
      this.opts.remember?.(item, rec.subarray(6));
      this.entries.push({ seq, size, item, mem: rec.length, buf: recBuf });
    } else {
      // Beyond the memory bound: the record in the store is the only copy; read back when taken (like a recovered one).
      recordBuffers.give(recBuf);
      this.entries.push({ seq, size, item: undefined, mem: 0, buf: undefined });
      this.recovered.add(seq);
    }
    this.pump();
    return {};
  }

  private pump(): void {
    if (!this.store || this.stopped) return;
    while (this.active < this.opts.numConsumers && this.head < this.entries.length) {
      const entry = this.entries[this.head]!;
      this.entries[this.head++] = undefined as unknown as Entry<T>;
      if (this.head > 1024 && this.head * 2 > this.entries.length) {
        this.entries.splice(0, this.head);
        this.head = 0;
      }
      this.active++;
      void this.dispatch(entry).finally(() => {
        this.active--;
        this.pump();
        this.checkIdle();
      });
    }
  }

  private async dispatch(entry: Entry<T>): Promise<void> {
    let item = entry.item;
    entry.item = undefined;
    this.memHeld -= entry.mem;
    entry.mem = 0;
    if (item === undefined) {
      item = await this.load(entry);
      if (item === undefined) return;
    }
    let finished = false;
    this.inflight++;
    const buf = entry.buf;
    entry.buf = undefined;
    const done: Done = (err) => {
      if (finished) return;
      finished = true;
      // The request was sent (or given up): nothing reads its remembered encoding any more.
      if (buf !== undefined) recordBuffers.give(buf);
      // Failed while shutting down: keep it for the next start rather than drop it.
      const keep = err !== undefined && this.stopped;
      const del = keep ? Promise.resolve() : this.store!.delete([entry.seq]).catch((e: unknown) => {
        this.opts.logger.warn('Cannot delete a sent record from the persistent queue (it will be sent again after a restart)', { error: e instanceof Error ? e.message : String(e) });
      });
      void del.then(() => {
        this.inflight--;
        this.release(entry.size);
      });
    };
    let p: Promise<void>;
    try {
      p = this.opts.consume(item!, done);
    } catch (e) {
      p = Promise.reject(e);
    }
    // As in the memory queue, the consumer slot frees when consume() settles (the batcher takes a request at once
    // and reports done after its batch is sent); the record is deleted when done reports the outcome.
    await p.then(() => undefined, (e) => done(e));
  }

  /** Read and decode a recovered record (with the next few, to read in pages). */
  private async load(entry: Entry<T>): Promise<T | undefined> {
    this.recovered.delete(entry.seq);
    let data = this.readAhead.get(entry.seq);
    this.readAhead.delete(entry.seq);
    if (!data) {
      // Read a page: this record and the next recovered ones (bounded: READ_AHEAD records).
      for (const rec of await this.store!.read(entry.seq - 1, READ_AHEAD)) {
        if (rec.seq === entry.seq) data = rec.data;
        else if (this.recovered.has(rec.seq)) this.readAhead.set(rec.seq, rec.data);
      }
    }
    const r = data ? { seq: entry.seq, data } : undefined;
    if (!r) {
      // Deleted meanwhile (cannot happen with one consumer per record) — nothing to send.
      this.release(entry.size);
      return undefined;
    }
    try {
      return this.opts.decode(r.data.subarray(6));
    } catch {
      await this.dropUndecodable([r.seq]);
      this.release(entry.size);
      return undefined;
    }
  }

  private release(size: number): void {
    this.used -= size;
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const w of waiters) w();
    this.checkIdle();
  }

  private checkIdle(): void {
    if (this.active === 0 && this.inflight === 0 && (this.stopped || this.head >= this.entries.length)) {
      const ws = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of ws) w();
    }
  }

  /**
   * Stop taking requests and starting sends; wait (at most timeoutMs) for the sends in flight; close the store.
   * What is still queued stays in the store for the next start: nothing is dropped.
   */
  async shutdown(timeoutMs: number): Promise<{ drained: boolean; dropped: T[] }> {
    this.stopped = true;
    const blocked = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const w of blocked) w();
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
    await this.store?.close();
    return { drained: !out, dropped: [] };
  }

  whenIdle(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkIdle();
    });
  }
}
