// The exporter helper: the Go exporterhelper's sender chain
//     [sending_queue (+ batch)] → obsreport (metrics) → retry_on_failure → timeout → push
// shared by every exporter. An exporter supplies only `push(data, signal)` (one attempt, rejecting with an
// OtelTsError whose `retryable` says whether to try again and `retryAfterSeconds` the server's requested delay).
//
// Queue enabled: consume() resolves as soon as the request is queued (or, with wait_for_result, sent); a full
// queue refuses at once with a retryable OverloadedError. Queue disabled: consume() awaits the send and the
// error travels back to the receiver.
//
// shutdown(): refuses new data, cuts retry backoffs short (each waiting request gets one last attempt instead of
// being dropped untried), sends everything still queued within `drainTimeoutMs`, then aborts what is left (counted
// as failed) and finally runs the exporter's own shutdown (closing connections).
//
// Metrics (Go names and labels, Prometheus spelling, per batch):
//   otelcol_exporter_sent_<items>, otelcol_exporter_send_failed_<items>  {exporter, + extra labels such as
//       server_address/server_port; at level detailed also error_type, error_permanent}
//   otelcol_exporter_enqueue_failed_<items>  {exporter}
//   otelcol_exporter_queue_size, otelcol_exporter_queue_capacity, otelcol_exporter_in_flight_requests
//       {exporter, data_type}
// where <items> is spans | metric_points | log_records.

import { rememberEncoding } from '../../pdata/batch-base';
import type {
  Component,
  Counter,
  CreateSettings,
  Gauge,
  Host,
  Labels,
  LogsExporter,
  MetricsExporter,
  Signal,
  TracesExporter,
} from '../../component/types';
import { Lifecycle } from '../../component/types';
import { ShutdownError } from '../../errors';
import type { LogBatch } from '../../pdata/logs';
import type { MetricBatch } from '../../pdata/metrics';
import type { TraceBatch } from '../../pdata/traces';
import { otlpSignal, splitBatch, type BatchOf } from '../../receivers/otlp/signals';
import type { QueueConfig, RetryConfig } from './config';
import { Batcher, type BatchOps } from './batcher';
import { BoundedQueue, type Done, type Sized } from './queue';
import { formatMs, withRetry, withTimeout } from './retry';
import { errorMessage, errorType, isPermanent } from './errors';
import { LimitedLogger } from './log-limiter';
import { PersistentQueue } from '../../queue/persistent-queue';
import { isStorageExtension } from '../../extensions/file_storage/file-storage';

/** What a push may report besides success: items the backend refused in a partial success. */
export interface PushResult {
  rejectedItems?: number;
  message?: string;
}

/** One attempt to send `data`; must honour `signal` (timeout / shutdown). */
export type PushFunc<T> = (data: T, signal: AbortSignal) => Promise<PushResult | void>;

export interface ExporterHelperOptions<T> {
  signal: Signal;
  /** Per-attempt timeout in ms; 0 = none. */
  timeoutMs: number;
  /** retry_on_failure; undefined or enabled=false: no retries. */
  retry?: RetryConfig;
  /** sending_queue; enabled=false: synchronous sends. */
  queue: QueueConfig;
  push: PushFunc<T>;
  itemCount(data: T): number;
  byteSize(data: T): number;
  /** Needed when sending_queue.batch is set. */
  batchOps?: BatchOps<T>;
  /**
   * Needed when sending_queue.storage is set: the request as bytes and back (the persistent queue stores it; the
   * bytes from encode are copied at once and may be a view of the request's own memory).
   */
  codec?: { encode(data: T): Uint8Array | readonly Uint8Array[]; decode(bytes: Uint8Array): T; remember?(data: T, bytes: Uint8Array): void };
  /** The exporter's own start (open clients) — runs before the queue starts. */
  start?(host: Host): Promise<void>;
  /** The exporter's own shutdown (close clients) — runs after the queue drained. */
  shutdown?(): Promise<void>;
  /** Extra labels on sent/send_failed (Go's WithAttrs: server.address → server_address, ...). */
  extraLabels?: Labels;
  /** Upper bound for draining the queue at shutdown (default 30 s). */
  drainTimeoutMs?: number;
}

export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

interface Req<T> extends Sized {
  readonly data: T;
}

const NOOP_COUNTER: Counter = { add() {} };
const NOOP_GAUGE: Gauge = { add() {}, set() {} };

export class ExporterHelper<T> implements Component {
  private readonly lifecycle = new Lifecycle();
  private readonly log: LimitedLogger;
  private readonly queue: BoundedQueue<Req<T>> | PersistentQueue<Req<T>> | undefined;
  private host: Host | undefined;
  private readonly batcher: Batcher<Req<T>> | undefined;
  /** Aborted at shutdown: retry backoffs end early. */
  private readonly retryStop = new AbortController();
  /** Aborted when the drain time is up: in-flight attempts are cancelled. */
  private readonly hardStop = new AbortController();
  private readonly failureHint: string;
  private inFlightDirect = 0;
  private directIdle: Array<() => void> = [];
  private stopping = false;

  private readonly sent: Counter;
  private readonly failedBase: Counter;
  private readonly failedByType = new Map<string, Counter>();
  private readonly enqueueFailed: Counter;
  private readonly inFlight: Gauge;

  constructor(
    private readonly set: CreateSettings,
    private readonly opts: ExporterHelperOptions<T>,
  ) {
    this.log = new LimitedLogger(set.logger);
    const names = { unit: otlpSignal(opts.signal).unit, plural: otlpSignal(opts.signal).items };
    const id = set.id.id;
    const on = set.metricsLevel !== 'none';
    const base: Labels = { exporter: id, ...opts.extraLabels };
    const typed: Labels = { exporter: id, data_type: opts.signal };
    const m = set.meter;
    this.sent = on ? m.counter(`otelcol_exporter_sent_${names.unit}`, `Number of ${names.plural} successfully sent to destination.`, base) : NOOP_COUNTER;
    this.failedBase = on
      ? m.counter(`otelcol_exporter_send_failed_${names.unit}`, `Number of ${names.plural} in failed attempts to send to destination.`, base)
      : NOOP_COUNTER;
    this.inFlight = on
      ? m.gauge('otelcol_exporter_in_flight_requests', 'Number of export requests currently in-flight (including retry backoff).', typed)
      : NOOP_GAUGE;

    let hint = '';
    if (!opts.retry?.enabled) hint += ' Try enabling retry_on_failure config option to retry on retryable errors.';
    if (!opts.queue.enabled) hint += ' Try enabling sending_queue to survive temporary failures.';
    this.failureHint = hint;

    if (opts.queue.enabled) {
      const q = opts.queue;
      this.enqueueFailed = on
        ? m.counter(`otelcol_exporter_enqueue_failed_${names.unit}`, `Number of ${names.plural} failed to be added to the sending queue.`, { exporter: id })
        : NOOP_COUNTER;
      if (q.batch) {
        const ops = opts.batchOps;
        if (!ops) throw new Error(`exporter ${id}: sending_queue.batch is not available for this exporter`);
        const wrapOps: BatchOps<Req<T>> = {
          merge: (parts) => this.wrap(ops.merge(parts.map((p) => p.data))),
          split: (r, n) => {
            const [a, b] = ops.split(r.data, n);
            return [this.wrap(a), this.wrap(b)];
          },
        };
        const batcher = new Batcher<Req<T>>(q.batch, q.num_consumers, wrapOps, (r) => this.sendQueued(r));
        this.batcher = batcher;
        this.queue = q.storage !== undefined ? this.persistentQueue(q, (r, done) => batcher.add(r, done)) : new BoundedQueue<Req<T>>({
          sizer: q.sizer,
          capacity: q.queue_size,
          // Consumers only move requests into the batcher; the batcher bounds the concurrent sends.
          numConsumers: q.num_consumers,
          blockOnOverflow: q.block_on_overflow,
          waitForResult: q.wait_for_result,
          consume: (r, done) => batcher.add(r, done),
        });
      } else {
        this.queue = q.storage !== undefined ? this.persistentQueue(q, (r, done) => this.consumeOne(r, done)) : new BoundedQueue<Req<T>>({
          sizer: q.sizer,
          capacity: q.queue_size,
          numConsumers: q.num_consumers,
          blockOnOverflow: q.block_on_overflow,
          waitForResult: q.wait_for_result,
          consume: (r, done) => this.consumeOne(r, done),
        });
      }
      const queue = this.queue;
      if (on) {
        m.observableGauge('otelcol_exporter_queue_size', 'Current size of the retry queue (in batches).', typed, () => queue.size);
        m.observableGauge('otelcol_exporter_queue_capacity', 'Fixed capacity of the retry queue (in batches).', typed, () => queue.capacity);
      }
    } else {
      this.enqueueFailed = NOOP_COUNTER;
    }
  }

  /** The persistent queue on the storage extension named by sending_queue.storage (opened at start). */
  private persistentQueue(q: QueueConfig, consume: (r: Req<T>, done: Done) => Promise<void>): PersistentQueue<Req<T>> {
    const codec = this.opts.codec;
    if (!codec) throw new Error(`exporter ${this.set.id.id}: sending_queue.storage is not available for this exporter`);
    const storageId = q.storage!;
    return new PersistentQueue<Req<T>>({
      signal: this.opts.signal,
      sizer: q.sizer,
      capacity: q.queue_size,
      numConsumers: q.num_consumers,
      blockOnOverflow: q.block_on_overflow,
      encode: (r) => codec.encode(r.data),
      decode: (bytes) => this.wrap(codec.decode(bytes)),
      remember: codec.remember ? (r, bytes) => codec.remember!(r.data, bytes) : undefined,
      itemCount: (r) => r.itemCount,
      consume,
      logger: this.set.logger,
      open: async () => {
        const ext = this.host?.getExtension(storageId);
        if (!ext) throw new Error(`storage extension ${JSON.stringify(storageId)} not found (list it in service.extensions)`);
        if (!isStorageExtension(ext)) throw new Error(`extension ${JSON.stringify(storageId)} is not a storage extension`);
        return ext.openStore('exporter', this.set.id.id, this.opts.signal);
      },
    });
  }

  private wrap(data: T): Req<T> {
    return { data, itemCount: this.opts.itemCount(data), byteSize: this.opts.byteSize(data) };
  }

  /** The queue, for tests and health checks (undefined when sending_queue is disabled). */
  get sendingQueue(): BoundedQueue<Sized> | PersistentQueue<Sized> | undefined {
    return this.queue;
  }

  start(host: Host): Promise<void> {
    return this.lifecycle.start(async () => {
      this.host = host;
      await this.opts.start?.(host);
      await this.queue?.start();
    });
  }

  /** Take data from the pipeline. See the file comment for when the promise settles. */
  async consume(data: T): Promise<void> {
    if (this.stopping) throw new ShutdownError(`exporter ${this.set.id.id} is shutting down`);
    const req = this.wrap(data);
    if (req.itemCount === 0) return; // an empty envelope: nothing to send
    if (this.queue) {
      let accepted: { result?: Promise<void> };
      try {
        accepted = await this.queue.offer(req);
      } catch (e) {
        this.enqueueFailed.add(req.itemCount);
        this.rejected(e, req.itemCount);
        throw e;
      }
      if (accepted.result) await accepted.result;
      return;
    }
    this.inFlightDirect++;
    try {
      await this.sendChain(req);
    } catch (e) {
      this.rejected(e, req.itemCount);
      throw e;
    } finally {
      if (--this.inFlightDirect === 0) {
        const ws = this.directIdle;
        this.directIdle = [];
        for (const w of ws) w();
      }
    }
  }

  private rejected(e: unknown, items: number): void {
    this.log.error(`Exporting failed. Rejecting data.${this.failureHint}`, { error: errorMessage(e), rejected_items: items });
  }

  private async consumeOne(r: Req<T>, done: Done): Promise<void> {
    try {
      await this.sendQueued(r);
      done();
    } catch (e) {
      done(e);
    }
  }

  /** Send a request taken from the queue; failures are logged as dropped. */
  private async sendQueued(r: Req<T>): Promise<void> {
    try {
      await this.sendChain(r);
    } catch (e) {
      this.log.error(`Exporting failed. Dropping data.${this.failureHint}`, { error: errorMessage(e), dropped_items: r.itemCount });
      throw e;
    }
  }

  /** obsreport → retry → timeout → push. */
  private async sendChain(r: Req<T>): Promise<void> {
    const items = r.itemCount;
    const attempt = () => withTimeout(this.opts.timeoutMs, this.hardStop.signal, (signal) => this.opts.push(r.data, signal));
    this.inFlight.add(1);
    try {
      const retry = this.opts.retry;
      const res = retry?.enabled
        ? await withRetry(retry, attempt, {
            stopSignal: this.retryStop.signal,
            onRetry: (e, delay) =>
              this.log.info('Exporting failed. Will retry the request after interval.', { error: errorMessage(e), interval: formatMs(delay) }),
          })
        : await attempt();
      const rejected = Math.min(items, Math.max(0, Math.floor(res?.rejectedItems ?? 0)));
      this.sent.add(items - rejected);
      if (rejected > 0) this.failed(rejected, undefined);
    } catch (e) {
      this.failed(items, e);
      throw e;
    } finally {
      this.inFlight.add(-1);
    }
  }

  private failed(n: number, e: unknown): void {
    if (this.set.metricsLevel !== 'detailed') {
      this.failedBase.add(n);
      return;
    }
    // Detailed level: one series per error.type / error.permanent (a partial success counts as permanent).
    const type = e === undefined ? 'partial_success' : errorType(e);
    const permanent = e === undefined ? true : isPermanent(e);
    const key = `${type}|${permanent}`;
    let c = this.failedByType.get(key);
    if (!c) {
      const names = { unit: otlpSignal(this.opts.signal).unit, plural: otlpSignal(this.opts.signal).items };
      c = this.set.meter.counter(
        `otelcol_exporter_send_failed_${names.unit}`,
        `Number of ${names.plural} in failed attempts to send to destination.`,
        { exporter: this.set.id.id, ...this.opts.extraLabels, error_type: type, error_permanent: String(permanent) },
      );
      this.failedByType.set(key, c);
    }
    c.add(n);
  }

  shutdown(): Promise<void> {
    return this.lifecycle.shutdown(async () => {
      this.stopping = true;
      this.retryStop.abort();
      const drainMs = this.opts.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
      const deadline = Date.now() + drainMs;
      if (this.queue) {
        const flushing = this.batcher ? this.flushBatcherWhileDraining() : undefined;
        const { drained, dropped } = await this.queue.shutdown(drainMs);
        if (flushing) flushing.stop();
        if (!drained) {
          const items = dropped.reduce((n, r) => n + r.itemCount, 0);
          if (items > 0) {
            this.failed(items, new ShutdownError());
            this.log.error(`Exporting failed. Dropping data.${this.failureHint}`, {
              error: `the sending queue could not be drained within ${formatMs(drainMs)} at shutdown`,
              dropped_items: items,
            });
          }
          this.hardStop.abort(new ShutdownError('export cancelled: the exporter shut down before it completed'));
          await Promise.race([this.queue.whenIdle(), sleepMs(1000)]);
        }
      }
      if (this.inFlightDirect > 0) {
        const idle = new Promise<void>((resolve) => this.directIdle.push(resolve));
        const left = Math.max(0, deadline - Date.now());
        const finished = await Promise.race([idle.then(() => true), sleepMs(left).then(() => false)]);
        if (!finished) {
          this.hardStop.abort(new ShutdownError('export cancelled: the exporter shut down before it completed'));
          await Promise.race([idle, sleepMs(1000)]);
        }
      }
      await this.opts.shutdown?.();
    });
  }

  /** While the queue drains, push whatever the batcher holds without waiting for min_size / flush_timeout. */
  private flushBatcherWhileDraining(): { stop(): void } {
    const batcher = this.batcher!;
    const t = setInterval(() => void batcher.flush(), 10);
    void batcher.flush();
    return { stop: () => clearInterval(t) };
  }
}

function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Options for an exporter of one signal: everything but the measuring and batching functions, which are the batch's own. */
export type SignalHelperOptions<S extends Signal> = Omit<ExporterHelperOptions<BatchOf<S>>, 'signal' | 'itemCount' | 'byteSize' | 'batchOps'>;
export type TracesHelperOptions = SignalHelperOptions<'traces'>;

/** sending_queue.batch for a signal: merge with the batch class' concat, split with slice. */
export function batchOpsFor<S extends Signal>(signal: S): BatchOps<BatchOf<S>> {
  const spec = otlpSignal(signal);
  return { merge: (parts) => spec.concat(parts), split: (b, n) => splitBatch(b, n) };
}

export const TRACE_BATCH_OPS: BatchOps<TraceBatch> = batchOpsFor('traces');

/** The Component part of an exporter built on the helper: consume<Signal> → queue → retry → timeout → push(batch). */
abstract class HelperExporterBase<S extends Signal> implements Component {
  readonly capabilities = { mutatesData: false };
  readonly helper: ExporterHelper<BatchOf<S>>;
  constructor(signal: S, set: CreateSettings, opts: SignalHelperOptions<S>) {
    this.helper = new ExporterHelper<BatchOf<S>>(set, {
      ...opts,
      signal,
      itemCount: (b) => b.itemCount,
      byteSize: (b) => b.byteSize,
      batchOps: batchOpsFor(signal),
      codec: {
        encode: (b) => b.encodeViews(),
        decode: (bytes) => otlpSignal(signal).decode(bytes) as BatchOf<S>,
        // The queue owns the batch once stored: the exporter sends the stored bytes instead of encoding again.
        remember: (b, bytes) => rememberEncoding(b, bytes),
      },
    });
  }
  start(host: Host): Promise<void> {
    return this.helper.start(host);
  }
  shutdown(): Promise<void> {
    return this.helper.shutdown();
  }
}

export class HelperTracesExporter extends HelperExporterBase<'traces'> implements TracesExporter {
  constructor(set: CreateSettings, opts: SignalHelperOptions<'traces'>) {
    super('traces', set, opts);
  }
  consumeTraces(batch: TraceBatch): Promise<void> {
    return this.helper.consume(batch);
  }
}

export class HelperMetricsExporter extends HelperExporterBase<'metrics'> implements MetricsExporter {
  constructor(set: CreateSettings, opts: SignalHelperOptions<'metrics'>) {
    super('metrics', set, opts);
  }
  consumeMetrics(batch: MetricBatch): Promise<void> {
    return this.helper.consume(batch);
  }
}

export class HelperLogsExporter extends HelperExporterBase<'logs'> implements LogsExporter {
  constructor(set: CreateSettings, opts: SignalHelperOptions<'logs'>) {
    super('logs', set, opts);
  }
  consumeLogs(batch: LogBatch): Promise<void> {
    return this.helper.consume(batch);
  }
}

export type ExporterOf<S extends Signal> = S extends 'traces' ? HelperTracesExporter : S extends 'metrics' ? HelperMetricsExporter : HelperLogsExporter;

/** An exporter of `signal` on the helper (what every factory's createTraces/createMetrics/createLogs returns). */
export function helperExporter<S extends Signal>(signal: S, set: CreateSettings, opts: SignalHelperOptions<S>): ExporterOf<S> {
  switch (signal) {
    case 'traces':
      return new HelperTracesExporter(set, opts as SignalHelperOptions<'traces'>) as ExporterOf<S>;
    case 'metrics':
      return new HelperMetricsExporter(set, opts as SignalHelperOptions<'metrics'>) as ExporterOf<S>;
    default:
      return new HelperLogsExporter(set, opts as SignalHelperOptions<'logs'>) as ExporterOf<S>;
  }
}
