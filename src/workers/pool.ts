// The processor worker pool, acceptor side: a fixed piscina pool (min = max threads) whose workers run every
// pipeline's processors and exporters (src/workers/worker.ts). Receivers on the acceptor feed `consumersFor()`:
//
//   receiver ─► decode (lazy) ─► shard (src/workers/shard.ts) ─► reserve in-flight bytes ─► piscina task to the
//   shard's worker (the batch's SharedArrayBuffers travel without copying) ─► the worker's pipelines ─► result
//
// * Affinity: shard k always goes to the worker holding slot k (the load balancer below), so every span of a
//   trace meets in one worker, in arrival order. A replaced worker takes over the slot of the one it replaces.
// * Back-pressure: each worker has a bound on in-flight bytes (batches handed to it and not yet accepted by its
//   pipelines). A batch whose shards do not all fit is refused as a whole — before any part is handed over, so
//   nothing is half accepted — with WorkersBusyError (gRPC RESOURCE_EXHAUSTED + RetryInfo, HTTP 429 +
//   Retry-After). A worker with nothing in flight always takes one batch, however large.
// * Faults: a worker that dies fails the batches it held with WorkerFailedError (non-retryable, so a batch that
//   kills workers is not sent again by the client); piscina starts a replacement, which rebuilds and starts its
//   pipelines before it takes tasks.
// * Shutdown: stop accepting, wait for in-flight batches, then every worker shuts its pipelines down (processors
//   flush into live exporters, exporters drain), then the threads end.

import * as path from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import { randomUUID } from 'node:crypto';
import { Piscina } from 'piscina';
import type { Logger, Signal } from '../component/types';
import type { CollectorConfig } from '../config/config';
import { ShutdownError, WorkerFailedError, WorkersBusyError, isOtelTsError } from '../errors';
import type { AnyBatch, PdataBatch } from '../pdata/batch';
import type { MetricRegistry } from '../telemetry/metrics';
import type { BuildInfo } from '../service/telemetry';
import { combineErrors, CONSUME_METHOD } from '../service/fanout';
import { RoundRobin, shardBatch } from './shard';
import { allocBody, FramedTraces, frameTraces, releaseBody, releaseParts } from './frame';
import { RemoteError, type ChannelMessage, type Task, type TaskResult, type WorkerData } from './protocol';

const QUEUE_OPTIONS = Piscina.queueOptionsSymbol;

/** Settle when every run settled: the first errors combined, or ok. */
function settleAll(runs: Promise<void>[]): Promise<void> {
  if (runs.length === 1) return runs[0]!;
  return Promise.allSettled(runs).then((rs) => {
    const errors = rs.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    if (errors.length) throw combineErrors(errors);
  });
}

export interface WorkerPoolOptions {
  config: CollectorConfig;
  logger: Logger;
  metrics: MetricRegistry;
  buildInfo: BuildInfo;
  /** Worker script (default: worker.js next to this file). */
  filename?: string;
}

type PiscinaWorkerLike = { id: number; terminating: boolean; destroyed: boolean };

export class WorkerPool {
  readonly size: number;
  private readonly inflightLimit: number;
  /** service.worker_sharding: round_robin — whole batches in turn, never split. */
  private readonly roundRobin: boolean;
  private readonly inflight: Float64Array;
  /** Tasks handed to each worker and not finished (its queue depth). */
  private readonly inflightTasks: Int32Array;
  /** Worker thread id holding each shard slot (0: none); shared with the workers, which claim slots (protocol.ts). */
  private readonly slotsBuf: SharedArrayBuffer;
  private readonly slots: Int32Array;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly rr = new RoundRobin();
  private readonly channel: BroadcastChannel;
  private readonly channelName = `otelcol-ts-telemetry-${randomUUID()}`;
  private pool: Piscina | undefined;
  private accepting = false;
  private stopped = false;
  private collectSeq = 0;
  private readonly waiting = new Map<number, { need: Set<string>; done: () => void }>();
  private readonly refused;
  private readonly restarts;

  constructor(private readonly opts: WorkerPoolOptions) {
    const w = opts.config.service.workers;
    this.size = Math.max(1, w.count);
    this.inflightLimit = w.inflightBytes;
    this.roundRobin = w.sharding === 'round_robin';
    this.inflight = new Float64Array(this.size);
    this.inflightTasks = new Int32Array(this.size);
    this.slotsBuf = new SharedArrayBuffer(4 * this.size);
    this.slots = new Int32Array(this.slotsBuf);
    const m = opts.metrics;
    for (let k = 0; k < this.size; k++) {
      m.observableGauge('otelcol_worker_inflight_batches', 'Batches handed to the worker and not yet accepted by its pipelines (queue depth)', { worker: String(k) }, () => this.inflightTasks[k]!);
      m.observableGauge('otelcol_worker_inflight_bytes', 'Bytes of batches handed to the worker and not yet accepted by its pipelines', { worker: String(k) }, () => this.inflight[k]!);
    }
    m.observableGauge('otelcol_worker_inflight_limit_bytes', 'Bound on in-flight bytes per worker (service.worker_inflight_mib)', {}, () => this.inflightLimit);
    this.refused = m.counter('otelcol_worker_refused_batches', 'Batches refused because their worker was at its in-flight bound', {});
    this.restarts = m.counter('otelcol_worker_restarts', 'Worker threads replaced after they died', {});
    this.channel = new BroadcastChannel(this.channelName);
    (this.channel as unknown as { unref?: () => void }).unref?.();
    this.channel.onmessage = (ev: MessageEvent) => this.onChannel(ev.data as ChannelMessage);
    m.onRefresh(() => this.collect());
  }

  /** Start every worker and wait until each has built and started its pipelines. */
  async start(): Promise<void> {
    if (this.pool) return;
    const data: WorkerData = {
      raw: this.opts.config.raw,
      workers: this.size,
      channel: this.channelName,
      slots: this.slotsBuf,
      buildInfo: this.opts.buildInfo,
    };
    const pool = new Piscina({
      filename: this.opts.filename ?? path.join(__dirname, 'worker.js'),
      minThreads: this.size,
      maxThreads: this.size,
      idleTimeout: 2 ** 31 - 1,
      // Tasks are async and long-lived (a batch stays until its pipelines accept it); in-flight bytes, not
      // task counts, bound a worker. Atomics waiting would block the worker's timers between tasks.
      concurrentTasksPerWorker: 1 << 20,
      atomics: 'disabled',
      workerData: data,
      loadBalancer: (task, workers) => this.pick(task as unknown as Record<symbol, unknown>, workers as unknown as PiscinaWorkerLike[]) as never,
    });
    this.pool = pool;
    pool.on('workerDestroy', (w: PiscinaWorkerLike) => this.release(w));
    pool.on('error', (e: unknown) => this.opts.logger.error('Worker thread failed', { error: e instanceof Error ? e.message : String(e) }));
    // Initial workers count as ready before they loaded worker.js; tasks are routed once each has claimed its slot.
    const deadline = Date.now() + 60_000;
    while (!this.slots.every((tid) => tid !== 0)) {
      if (Date.now() > deadline) {
        await this.destroy();
        throw new Error('the worker threads did not start within 60 s');
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const results = await Promise.allSettled(Array.from({ length: this.size }, (_, k) => this.run({ op: 'start', shard: k })));
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    if (failed) {
      await this.destroy();
      throw failed.reason;
    }
    this.accepting = true;
    this.opts.logger.info('Worker pool started', { workers: this.size, inflight_limit_bytes: this.inflightLimit });
  }

  /** Stop accepting, let in-flight batches finish, shut every worker's pipelines down, end the threads. */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.accepting = false;
    if (!this.pool) return this.closeChannel();
    while (this.pending.size) await Promise.allSettled([...this.pending]);
    const results = await Promise.allSettled(Array.from({ length: this.size }, (_, k) => this.run({ op: 'shutdown', shard: k })));
    await this.destroy();
    const errors = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    if (errors.length) throw combineErrors(errors);
  }

  /** The consumers receiver `rid` feeds on the acceptor: each hands its batches to the pool. */
  consumersFor(rid: string, signals: readonly Signal[]): Partial<Record<Signal, object & { capabilities: { mutatesData: boolean } }>> {
    const out: Partial<Record<Signal, object & { capabilities: { mutatesData: boolean } }>> = {};
    for (const signal of signals) {
      // The batch is handed over: the acceptor never looks at it again, so the pool may "mutate" it.
      const c: Record<string, unknown> = { capabilities: { mutatesData: true }, [CONSUME_METHOD[signal]]: (b: PdataBatch | FramedTraces) => this.dispatch(rid, signal, b) };
      // Traces: receivers that hold OTLP protobuf bytes hand them over framed and cut (frame.ts), not decoded.
      if (signal === 'traces') {
        c.frameTraces = (bytes: Uint8Array): FramedTraces => frameTraces(bytes, this.roundRobin ? 1 : this.size);
        // Bodies read straight into part buffers: a request that falls in one shard is handed over without a copy.
        c.allocBody = allocBody;
        c.releaseBody = releaseBody;
      }
      out[signal] = c as object & { capabilities: { mutatesData: boolean } };
    }
    return out;
  }

  /** Pdata copy counters of worker `shard` (tests). */
  async stats(shard: number): Promise<Record<string, number>> {
    const r = await this.pool!.run({ op: 'stats', shard, [QUEUE_OPTIONS]: { shard } } as Task);
    return (r as Extract<TaskResult, { ok: true }>).stats ?? {};
  }

  /** Hand `batch` to the workers of its shards; settles when every part was accepted (or one failed). */
  dispatch(rid: string, signal: Signal, batch: PdataBatch | FramedTraces): Promise<void> {
    if (!this.accepting) return Promise.reject(new ShutdownError());
    if (batch instanceof FramedTraces) return this.dispatchFramed(rid, batch);
    const parts = this.roundRobin ? [{ shard: this.rr.pick(this.size), batch }] : shardBatch(batch, this.size, this.rr);
    const sizes = parts.map((p) => p.batch.byteSize);
    const busy = this.reserveCheck(parts.map((p) => p.shard), sizes);
    if (busy) return Promise.reject(busy);
    const runs: Promise<void>[] = [];
    for (let i = 0; i < parts.length; i++) {
      const { shard, batch: b } = parts[i]!;
      runs.push(this.runHeld(shard, sizes[i]!, { op: 'consume', shard, receiver: rid, signal, batch: (b as AnyBatch).toTransfer() }));
    }
    return settleAll(runs);
  }

  /** Hand the parts of a framed trace request to their workers (round_robin: the one part to the next worker). */
  private dispatchFramed(rid: string, framed: FramedTraces): Promise<void> {
    const parts = framed.parts;
    if (parts.length === 0) return Promise.resolve();
    const shards = this.roundRobin ? [this.rr.pick(this.size)] : parts.map((p) => p.shard);
    const sizes = parts.map((p) => p.cap);
    const busy = this.reserveCheck(shards, sizes);
    if (busy) {
      releaseParts(parts.map((p) => p.bufferId)); // never handed over: their buffers may be reused
      return Promise.reject(busy);
    }
    const runs: Promise<void>[] = [];
    for (let i = 0; i < parts.length; i++) {
      const shard = shards[i]!;
      const p = parts[i]!;
      runs.push(this.runHeld(shard, sizes[i]!, { op: 'consume-traces-bytes', shard, receiver: rid, sab: p.sab, off: p.off, len: p.len, cap: p.cap, bufferId: p.bufferId }));
    }
    return settleAll(runs);
  }

  /** The refusal when a shard's worker cannot take `sizes` more bytes now (before any part is handed over). */
  private reserveCheck(shards: readonly number[], sizes: readonly number[]): WorkersBusyError | undefined {
    for (let i = 0; i < shards.length; i++) {
      const k = shards[i]!;
      const cur = this.inflight[k]!;
      if (cur > 0 && cur + sizes[i]! > this.inflightLimit) {
        this.refused.add(1);
        return new WorkersBusyError(`worker ${k} is behind (${(cur / 1048576).toFixed(1)} MiB in flight, limit ${(this.inflightLimit / 1048576).toFixed(1)} MiB): retry later`);
      }
    }
    return undefined;
  }

  /** Run a consume task on worker `shard`, holding `size` in-flight bytes until it settles. */
  private runHeld(shard: number, size: number, task: Task): Promise<void> {
    this.inflight[shard]! += size;
    this.inflightTasks[shard]!++;
    return this.run(task).finally(() => {
      this.inflight[shard]! -= size;
      this.inflightTasks[shard]!--;
    });
  }

  private run(task: Task): Promise<void> {
    const t = task as Task & { [QUEUE_OPTIONS]?: unknown };
    t[QUEUE_OPTIONS] = { shard: task.shard };
    const p = this.pool!.run(t).then(
      (r: TaskResult) => {
        if (r.released !== undefined) releaseParts(r.released);
        if (!r.ok) throw new RemoteError(r.error);
      },
      (e: unknown) => {
        if (isOtelTsError(e)) throw e;
        const msg = e instanceof Error ? e.message : String(e);
        throw new WorkerFailedError(`worker for shard ${task.shard} failed while holding the batch: ${msg}`, e);
      },
    );
    this.pending.add(p);
    const forget = () => this.pending.delete(p);
    p.then(forget, forget);
    return p;
  }

  private pick(task: Record<symbol, unknown>, workers: readonly PiscinaWorkerLike[]): PiscinaWorkerLike | null {
    const q = task[QUEUE_OPTIONS] as { shard?: number } | null | undefined;
    const k = q?.shard ?? 0;
    const tid = Atomics.load(this.slots, k);
    if (tid === 0) return null;
    for (const w of workers) if (w.id === tid && !w.terminating && !w.destroyed) return w;
    return null;
  }

  private release(w: PiscinaWorkerLike): void {
    // A thread that already ended reports threadId -1 (node:worker_threads), so `w.id` cannot name its slot:
    // free every slot whose thread is no longer among the pool's live threads (and w's, if it still has an id).
    const live = new Set<number>();
    for (const t of this.pool?.threads ?? []) if (t.threadId > 0 && t.threadId !== w.id) live.add(t.threadId);
    for (let k = 0; k < this.size; k++) {
      const tid = Atomics.load(this.slots, k);
      if (tid === 0 || live.has(tid) || Atomics.compareExchange(this.slots, k, tid, 0) !== tid) continue;
      if (!this.stopped) {
        this.restarts.add(1);
        this.opts.logger.warn('Worker thread ended; a replacement takes its shard', { shard: k, thread: tid });
      }
      // Keep the dead worker's counters (they are cumulative), drop its gauges (queue sizes it no longer holds).
      const src = `worker-${tid}`;
      const snap = this.opts.metrics.remote(src);
      if (snap) this.opts.metrics.setRemote(src, snap.filter((f) => f.kind !== 'gauge'));
    }
  }

  private onChannel(m: ChannelMessage): void {
    if (m.type !== 'snapshot') return;
    this.opts.metrics.setRemote(m.source, m.families);
    const w = this.waiting.get(m.seq);
    if (w) {
      w.need.delete(m.source);
      if (w.need.size === 0) w.done();
    }
  }

  /** Ask every live worker for a telemetry snapshot; resolves when all answered or after 500 ms. */
  private collect(): Promise<void> {
    if (!this.pool || this.stopped) return Promise.resolve();
    const seq = ++this.collectSeq;
    const need = new Set<string>();
    for (let k = 0; k < this.size; k++) {
      const tid = Atomics.load(this.slots, k);
      if (tid > 0) need.add(`worker-${tid}`);
    }
    if (need.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, 500);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiting.set(seq, { need, done: () => { this.waiting.delete(seq); done(); } });
      const msg: ChannelMessage = { type: 'collect', seq };
      this.channel.postMessage(msg);
    }).finally(() => this.waiting.delete(seq));
  }

  private async destroy(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    this.accepting = false;
    // Let the workers' last snapshots (posted at shutdown) arrive before the channel closes.
    await new Promise((r) => setTimeout(r, 20));
    if (pool) await pool.destroy();
    this.closeChannel();
  }

  private closeChannel(): void {
    this.channel.close();
  }
}
