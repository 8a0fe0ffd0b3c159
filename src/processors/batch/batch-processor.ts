// The batch processor, after core processor/batchprocessor, for the three signals. Items are what the Go
// collector counts: spans, metric data points, log records (`PdataBatch.itemCount`).
//
// Items accumulate in a pending list of batches. Semantics as upstream:
// * when the pending item count reaches `send_batch_size`, a batch is sent (size trigger); with
//   `send_batch_max_size` set, sends are cut at that many items and repeated while at least
//   `send_batch_size` items are pending; with it at 0 everything pending is sent in one batch, however large;
// * `timeout` after the pending list became non-empty (or after the last size-triggered send left items
//   behind), whatever is pending is sent (timeout trigger). Upstream runs a free-running timer reset on
//   every send; we arm it only while items are pending, so no item waits longer than upstream's worst case
//   and an idle processor costs nothing;
// * `timeout: 0` or `send_batch_size: 0`: every incoming batch is sent at once (split at send_batch_max_size);
// * consume resolves as soon as the batch is accepted into the processor; a downstream failure is logged
//   (rate-limited) and counted in otelcol_processor_batch_send_failed_<items>, not returned — the sender has
//   already been told the data was accepted, exactly as upstream;
// * shutdown() flushes everything pending downstream and waits for every send in flight before resolving.
//
// Splitting as upstream (splittraces.go / splitmetrics.go / splitlogs.go): a cut may fall inside a scope and,
// for metrics, inside a metric — its data points are then split across two sends, each carrying a copy of the
// metric's shell (name, description, unit, type, temporality, monotonicity) under its scope and resource.
//
// Zero-decode: batching is `concat` (concatenation of the Resource* messages' bytes) and splitting is `slice`
// at item boundaries; item contents are never read here. The core is written once over `AnyBatch`; the three
// exported classes only add the signal's consume method.
//
// Bounded: pending + in-flight bytes are limited (`maxBufferedBytes`, default 256 MiB). Above the limit new
// data is refused with OverloadedError (gRPC UNAVAILABLE / HTTP 503 + Retry-After) — a refusal the sender
// sees and retries — rather than growing memory. (Upstream blocks the caller instead.) The pending item count
// is bounded by send_batch_size / send_batch_max_size by construction.
//
// Self-metrics: upstream's (label `processor` only, as upstream: the instances of one id in several pipelines
// add into the same series) plus ours, per signal where they count items.
//
// Client metadata batching (`metadata_keys`) is not supported yet: the keys are validated and accepted, a
// warning is logged, and all data goes to a single batcher (metadata cardinality 1).

import type {
  CreateSettings, Counter, Histogram, Host, LogsConsumer, LogsProcessor, MetricsConsumer, MetricsProcessor, Signal, TracesConsumer,
  TracesProcessor,
} from '../../component/types';
import { Lifecycle } from '../../component/types';
import { OverloadedError, ShutdownError } from '../../errors';
import type { AnyBatch } from '../../pdata/batch';
import { concatBatchesLazy } from '../../pdata/batch';
import type { TraceBatch } from '../../pdata/traces';
import type { MetricBatch } from '../../pdata/metrics';
import type { LogBatch } from '../../pdata/logs';
import { RateLimitedLog } from '../internal/rate-limited-log';
import { ITEM_NAME, ITEM_WORDS, consumerFn, observeSummed } from '../internal/signal';
import type { BatchConfig } from './config';

export const DEFAULT_MAX_BUFFERED_BYTES = 256 * 1024 * 1024;

export interface BatchProcessorOptions {
  /** Bound on pending + in-flight bytes; above it new data is refused with OverloadedError. */
  maxBufferedBytes?: number;
}

/** Bucket boundaries of upstream's metadata.yaml. */
const SEND_SIZE_BUCKETS = [
  10, 25, 50, 75, 100, 250, 500, 750, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 20000, 30000, 50000, 100000,
];
const SEND_SIZE_BYTES_BUCKETS = [
  128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 1048576, 2097152, 4194304, 8388608, 16777216,
];

type Trigger = 'size' | 'timeout';

interface Pending<B> {
  batch: B;
  items: number;
  bytes: number;
}

/** The signal-generic batcher. */
export class BatchProcessor<B extends AnyBatch> {
  /** As upstream (it takes ownership of what it is given): fan-out hands it a private copy when shared. */
  readonly capabilities = { mutatesData: true } as const;

  private readonly lifecycle = new Lifecycle();
  private readonly timeoutMs: number;
  private readonly sendBatchSize: number;
  private readonly sendBatchMaxSize: number;
  private readonly hasTimer: boolean;
  private readonly maxBufferedBytes: number;

  private pending: Pending<B>[] = [];
  private pendingItems = 0;
  private pendingBytes = 0;
  private inFlightBytes = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  private readonly sendSize: Histogram;
  private readonly sendSizeBytes: Histogram | undefined;
  private readonly sizeTrigger: Counter;
  private readonly timeoutTrigger: Counter;
  private readonly sendFailed: Counter;
  private readonly refused: Counter;
  private readonly failLog: RateLimitedLog;
  private readonly unobserve: Array<() => void> = [];

  constructor(
    private readonly set: CreateSettings,
    cfg: BatchConfig,
    readonly signal: Signal,
    private readonly send: (batch: B) => Promise<void>,
    opts: BatchProcessorOptions = {},
  ) {
    this.timeoutMs = cfg.timeout;
    this.sendBatchSize = cfg.send_batch_size;
    this.sendBatchMaxSize = cfg.send_batch_max_size;
    this.hasTimer = cfg.timeout > 0 && cfg.send_batch_size > 0;
    this.maxBufferedBytes = opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;

    const labels = { processor: set.id.id };
    const signalLabels = { processor: set.id.id, otel_signal: signal };
    const items = ITEM_NAME[signal];
    const words = ITEM_WORDS[signal];
    const m = set.meter;
    this.sendSize = m.histogram('otelcol_processor_batch_batch_send_size', 'Number of units in the batch', labels, SEND_SIZE_BUCKETS);
    this.sendSizeBytes =
      set.metricsLevel === 'detailed'
        ? m.histogram(
            'otelcol_processor_batch_batch_send_size_bytes',
            'Number of bytes in batch that was sent. Only available on detailed level.',
            labels,
            SEND_SIZE_BYTES_BUCKETS,
          )
        : undefined;
    this.sizeTrigger = m.counter('otelcol_processor_batch_batch_size_trigger_send', 'Number of times the batch was sent due to a size trigger', labels);
    this.timeoutTrigger = m.counter('otelcol_processor_batch_timeout_trigger_send', 'Number of times the batch was sent due to a timeout trigger', labels);
    m.observableGauge('otelcol_processor_batch_metadata_cardinality', 'Number of distinct metadata value combinations being processed', labels, () => 1);
    // Ours: the size of the buffer this processor owns, and what it refused or failed to deliver.
    this.unobserve.push(
      observeSummed(m, `otelcol_processor_batch_pending_${items}`, `${cap(words)} waiting in the batch processor to be sent (otelcol-ts).`, labels, () => this.pendingItems),
      observeSummed(m, 'otelcol_processor_batch_pending_bytes', 'Bytes waiting in the batch processor to be sent (otelcol-ts).', signalLabels, () => this.pendingBytes),
      observeSummed(
        m,
        'otelcol_processor_batch_in_flight_bytes',
        'Bytes sent downstream by the batch processor and not yet acknowledged (otelcol-ts).',
        signalLabels,
        () => this.inFlightBytes,
      ),
    );
    this.sendFailed = m.counter(
      `otelcol_processor_batch_send_failed_${items}`,
      `${cap(words)} the next consumer failed to accept after batching; they are lost (otelcol-ts).`,
      labels,
    );
    this.refused = m.counter(`otelcol_processor_batch_refused_${items}`, `${cap(words)} refused because the batch buffer was full (otelcol-ts).`, labels);
    this.failLog = new RateLimitedLog(set.logger, 'warn');

    if (cfg.metadata_keys.length > 0) {
      set.logger.warn('metadata_keys is not supported yet by otelcol-ts: all data is batched together regardless of client metadata', {
        metadata_keys: cfg.metadata_keys,
      });
    }
  }

  start(_host: Host): Promise<void> {
    return this.lifecycle.start(async () => {});
  }

  shutdown(): Promise<void> {
    return this.lifecycle.shutdown(async () => {
      this.closed = true;
      this.clearTimer();
      while (this.pendingItems > 0) this.sendItems('timeout');
      while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
      for (const u of this.unobserve) u();
    });
  }

  /** Items currently waiting (tests, health). */
  get pendingItemCount(): number {
    return this.pendingItems;
  }
  /** Bytes pending + in flight, the quantity bounded by maxBufferedBytes. */
  get bufferedBytes(): number {
    return this.pendingBytes + this.inFlightBytes;
  }

  async consume(batch: B): Promise<void> {
    if (this.closed) throw new ShutdownError('the batch processor is shut down');
    const items = batch.itemCount;
    if (items === 0) return;
    const bytes = batch.byteSize;
    const buffered = this.pendingBytes + this.inFlightBytes;
    if (buffered > 0 && buffered + bytes > this.maxBufferedBytes) {
      this.refused.add(items);
      throw new OverloadedError(`batch processor ${this.set.id.id} buffer is full (${buffered} of ${this.maxBufferedBytes} bytes buffered)`);
    }
    this.pending.push({ batch, items, bytes });
    this.pendingItems += items;
    this.pendingBytes += bytes;

    let sent = false;
    while (this.pendingItems > 0 && (!this.hasTimer || this.pendingItems >= this.sendBatchSize)) {
      this.sendItems('size');
      sent = true;
    }
    if (!this.hasTimer) return;
    if (this.pendingItems === 0) this.clearTimer();
    else if (sent || this.timer === undefined) this.armTimer();
  }

  private armTimer(): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.pendingItems > 0) this.sendItems('timeout');
      if (this.pendingItems > 0 && !this.closed) this.armTimer();
    }, this.timeoutMs);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** Take at most send_batch_max_size items (all when 0) from the head of the pending list. */
  private takeChunk(): { out: B; items: number; bytes: number } {
    const max = this.sendBatchMaxSize;
    let parts: B[];
    let items: number;
    let bytes: number;
    if (max === 0 || this.pendingItems <= max) {
      parts = this.pending.map((p) => p.batch);
      items = this.pendingItems;
      bytes = this.pendingBytes;
      this.pending = [];
    } else {
      parts = [];
      items = 0;
      bytes = 0;
      while (items < max) {
        const head = this.pending[0]!;
        const need = max - items;
        if (head.items <= need) {
          parts.push(head.batch);
          items += head.items;
          bytes += head.bytes;
          this.pending.shift();
        } else {
          const first = head.batch.slice(0, need) as B;
          const rest = head.batch.slice(need, head.items) as B;
          parts.push(first);
          items += need;
          // Account the split batch's bytes proportionally to its items; `rest` keeps the remainder, so the
          // pending total stays the sum of what was accepted.
          const firstBytes = Math.round((head.bytes * need) / head.items);
          bytes += firstBytes;
          this.pending[0] = { batch: rest, items: head.items - need, bytes: head.bytes - firstBytes };
        }
      }
    }
    this.pendingItems -= items;
    this.pendingBytes -= bytes;
    // Lazy: an exporter that only encodes the batch writes it straight from the parts (one copy, not two).
    const out = parts.length === 1 ? parts[0]! : concatBatchesLazy(parts);
    return { out, items, bytes };
  }

  private sendItems(trigger: Trigger): void {
    const { out, items, bytes } = this.takeChunk();
    const sizeBytes = this.sendSizeBytes ? out.encode().length : 0;
    this.inFlightBytes += bytes;
    let p: Promise<void>;
    try {
      p = this.send(out);
    } catch (e) {
      p = Promise.reject(e);
    }
    const tracked: Promise<void> = p.then(
      () => {
        (trigger === 'size' ? this.sizeTrigger : this.timeoutTrigger).add(1);
        this.sendSize.record(items);
        this.sendSizeBytes?.record(sizeBytes);
      },
      (err: unknown) => {
        this.sendFailed.add(items);
        this.failLog.log('Sender failed', { error: err instanceof Error ? err.message : String(err), [ITEM_NAME[this.signal]]: items });
      },
    ).finally(() => {
      this.inFlightBytes -= bytes;
      this.inFlight.delete(tracked);
    });
    this.inFlight.add(tracked);
  }
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export class BatchTracesProcessor extends BatchProcessor<TraceBatch> implements TracesProcessor {
  constructor(set: CreateSettings, cfg: BatchConfig, next: TracesConsumer, opts: BatchProcessorOptions = {}) {
    super(set, cfg, 'traces', consumerFn('traces', next), opts);
  }
  consumeTraces(batch: TraceBatch): Promise<void> {
    return this.consume(batch);
  }
  /** Spans currently waiting (tests, health). */
  get pendingSpanCount(): number {
    return this.pendingItemCount;
  }
}

export class BatchMetricsProcessor extends BatchProcessor<MetricBatch> implements MetricsProcessor {
  constructor(set: CreateSettings, cfg: BatchConfig, next: MetricsConsumer, opts: BatchProcessorOptions = {}) {
    super(set, cfg, 'metrics', consumerFn('metrics', next), opts);
  }
  consumeMetrics(batch: MetricBatch): Promise<void> {
    return this.consume(batch);
  }
}

export class BatchLogsProcessor extends BatchProcessor<LogBatch> implements LogsProcessor {
  constructor(set: CreateSettings, cfg: BatchConfig, next: LogsConsumer, opts: BatchProcessorOptions = {}) {
    super(set, cfg, 'logs', consumerFn('logs', next), opts);
  }
  consumeLogs(batch: LogBatch): Promise<void> {
    return this.consume(batch);
  }
}
