// The memory_limiter processor, after core processor/memorylimiterprocessor + internal/memorylimiter, for
// traces, metrics and logs.
//
// Every `check_interval` memory is measured. At or above the soft limit (limit − spike) the processor refuses
// incoming data with MemoryLimitError until a later check finds memory below the soft limit again; while
// above the soft limit it forces a garbage collection when the runtime allows it (node --expose-gc) and the
// last forced GC is older than min_gc_interval_when_soft_limited (above the hard limit:
// min_gc_interval_when_hard_limited), backing off exponentially while forced GCs reclaim less than 5%.
// It never mutates data.
//
// What is measured — a deliberate deviation from upstream: the Go collector compares the Go heap
// (runtime.MemStats.Alloc) with the limits. In Node most telemetry bytes live outside the JS heap (Buffers,
// the SharedArrayBuffers of TraceBatch columns), so `process.memoryUsage().heapUsed` would miss them; we
// measure the resident set size (`process.memoryUsage.rss()`), which is also what an OOM killer or a container
// limit sees. RSS includes code and runtime overhead (~50–80 MiB), much like upstream's note that the process
// uses ~50 MiB more than limit_mib. A custom reader can be injected (tests).
//
// Refusal on the wire: upstream returns a plain error, which its OTLP receiver turns into gRPC UNAVAILABLE /
// HTTP 503 (retryable). MemoryLimitError carries exactly that, plus a Retry-After of one check interval (the
// earliest time the refusal can end).
//
// One limiter per config is shared by every pipeline (of any signal) that lists the processor (as upstream),
// so a `memory_limiter` used in three pipelines measures once per interval and refuses in all of them at once.

import type {
  CreateSettings, Counter, Host, Logger, LogsConsumer, LogsProcessor, MetricsConsumer, MetricsProcessor, Signal, TracesConsumer,
  TracesProcessor,
} from '../../component/types';
import { Lifecycle } from '../../component/types';
import { MemoryLimitError } from '../../errors';
import type { AnyBatch } from '../../pdata/batch';
import type { TraceBatch } from '../../pdata/traces';
import type { MetricBatch } from '../../pdata/metrics';
import type { LogBatch } from '../../pdata/logs';
import { ProcessorTelemetry } from '../internal/processor-telemetry';
import { ITEM_NAME, consumerFn } from '../internal/signal';
import type { MemoryLimiterConfig } from './config';
import { totalMemoryBytes } from './total-memory';

const MIB = 1024 * 1024;
/** A forced GC is effective when it reclaims at least this percentage. */
const GC_EFFECTIVENESS_THRESHOLD = 5;

export interface MemoryLimiterOptions {
  /** Bytes in use; default `process.memoryUsage.rss()`. */
  readMemory?: () => number;
  /** Total memory for limit_percentage; default cgroup limit or os.totalmem(). */
  totalMemory?: () => number;
  /** Forces a full GC; default: this thread's V8 GC (runtimeGc); null: no forced GC. */
  gc?: (() => void) | null;
  /** Clock in ms (tests). */
  now?: () => number;
}

/**
 * This thread's full GC, as the Go memory_limiter forces one above the soft limit: `globalThis.gc` when node runs
 * with --expose-gc, else exposed at run time (V8 flag + a fresh context's `gc`). Under load most of the RSS above
 * the live data is buffers already released but not yet collected (V8 collects SharedArrayBuffers lazily): a GC
 * gives it back, where refusing data would not. Undefined if the runtime does not allow it.
 */
export function runtimeGc(): (() => void) | undefined {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('node:v8').setFlagsFromString('--expose-gc');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fn = require('node:vm').runInNewContext('gc') as unknown;
    return typeof fn === 'function' ? (fn as () => void) : undefined;
  } catch {
    return undefined;
  }
}

export const DATA_REFUSED_MESSAGE = 'data refused due to high memory usage';

/** The measuring half, shared between pipelines. */
export class MemoryLimiter {
  readonly limitBytes: number;
  readonly spikeBytes: number;
  readonly retryAfterSeconds: number;
  private refusing = false;
  private lastUsed = 0;
  private lastGcDone: number;
  private softInterval = 0;
  private hardInterval = 0;
  private refs = 0;
  private ticker: NodeJS.Timeout | undefined;
  private host: Host | undefined;
  private readonly statusKeys = new Set<string>();
  private readonly readMemory: () => number;
  private readonly gc: (() => void) | undefined;
  private readonly now: () => number;

  constructor(
    private readonly cfg: MemoryLimiterConfig,
    private readonly logger: Logger,
    opts: MemoryLimiterOptions = {},
  ) {
    this.readMemory = opts.readMemory ?? (() => process.memoryUsage.rss());
    const g = opts.gc === undefined ? runtimeGc() : opts.gc ?? undefined;
    this.gc = typeof g === 'function' ? g : undefined;
    this.now = opts.now ?? (() => performance.now());
    this.lastGcDone = this.now();

    if (cfg.limit_mib !== 0) {
      this.limitBytes = cfg.limit_mib * MIB;
      this.spikeBytes = cfg.spike_limit_mib * MIB;
    } else {
      const total = (opts.totalMemory ?? totalMemoryBytes)();
      logger.info('Using percentage memory limiter', {
        total_memory_mib: Math.floor(total / MIB),
        limit_percentage: cfg.limit_percentage,
        spike_limit_percentage: cfg.spike_limit_percentage,
      });
      this.limitBytes = Math.floor((cfg.limit_percentage * total) / 100);
      this.spikeBytes = Math.floor((cfg.spike_limit_percentage * total) / 100);
    }
    // An unset spike limit is 20% of the limit.
    if (this.spikeBytes === 0) this.spikeBytes = Math.floor(this.limitBytes / 5);
    this.retryAfterSeconds = Math.max(1, Math.ceil(cfg.check_interval / 1000));
    logger.info('Memory limiter configured', {
      limit_mib: Math.floor(this.limitBytes / MIB),
      spike_limit_mib: Math.floor(this.spikeBytes / MIB),
      check_interval: `${cfg.check_interval}ms`,
      measure: 'rss',
      forced_gc: this.gc !== undefined,
    });
  }

  get softLimitBytes(): number {
    return this.limitBytes - this.spikeBytes;
  }
  /** true while data must be refused. */
  get mustRefuse(): boolean {
    return this.refusing;
  }
  /** Bytes in use at the last check. */
  get lastMeasuredBytes(): number {
    return this.lastUsed;
  }

  /** Reference-counted: the first start begins the periodic checks (one check runs at once). */
  start(host: Host | undefined, statusKey: string): void {
    this.host ??= host;
    this.statusKeys.add(statusKey);
    if (++this.refs > 1) return;
    this.checkMemLimits();
    this.ticker = setInterval(() => this.checkMemLimits(), this.cfg.check_interval);
    // The checks alone must not keep the process alive.
    this.ticker.unref();
  }

  shutdown(): void {
    if (this.refs === 0) return;
    if (--this.refs > 0) return;
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private report(status: 'ok' | 'recoverable_error'): void {
    if (!this.host) return;
    for (const k of this.statusKeys) this.host.reportStatus(k, status);
  }

  private aboveSoft(used: number): boolean {
    return used >= this.limitBytes - this.spikeBytes;
  }

  private nextBackoff(current: number, min: number, max: number): number {
    if (max === 0) return min;
    const lo = Math.max(min, this.cfg.check_interval * 0.95);
    const hi = Math.max(max, min);
    return Math.min(Math.max(current, lo) * 2, hi);
  }

  /** Classify a measurement; after a forced GC (didGC) advance the back-off when the GC was ineffective. */
  private checkLimitAndBackoff(used: number, didGC: boolean): boolean {
    const above = this.aboveSoft(used);
    const effective = !above || used <= (this.lastUsed * (100 - GC_EFFECTIVENESS_THRESHOLD)) / 100;
    this.lastUsed = used;
    if (effective) {
      this.softInterval = 0;
      this.hardInterval = 0;
      return above;
    }
    if (!didGC) return above;
    this.softInterval = this.nextBackoff(this.softInterval, this.cfg.min_gc_interval_when_soft_limited, this.cfg.max_gc_interval_when_soft_limited);
    this.hardInterval = this.nextBackoff(this.hardInterval, this.cfg.min_gc_interval_when_hard_limited, this.cfg.max_gc_interval_when_hard_limited);
    this.logger.warn('Forced GC did not reclaim enough memory. Will back off GC frequency to preserve CPU for recovery.', {
      next_soft_gc_interval_ms: this.softInterval,
      next_hard_gc_interval_ms: this.hardInterval,
      cur_mem_mib: Math.floor(used / MIB),
    });
    return above;
  }

  private forceGc(): number {
    this.gc!();
    this.lastGcDone = this.now();
    const used = this.readMemory();
    this.logger.info('Memory usage after GC.', { cur_mem_mib: Math.floor(used / MIB) });
    return used;
  }

  /** One check (the ticker calls this every check_interval; tests may call it directly). */
  checkMemLimits(): void {
    let used = this.readMemory();
    this.logger.debug('Currently used memory.', { cur_mem_mib: Math.floor(used / MIB) });
    let above = this.checkLimitAndBackoff(used, false);
    if (!above) {
      if (this.refusing) {
        this.logger.info('Memory usage back within limits. Resuming normal operation.', { cur_mem_mib: Math.floor(used / MIB) });
        this.report('ok');
      }
      this.refusing = false;
      return;
    }
    if (this.gc) {
      const hard = used >= this.limitBytes;
      const gate = hard
        ? Math.max(this.cfg.min_gc_interval_when_hard_limited, this.hardInterval)
        : Math.max(this.cfg.min_gc_interval_when_soft_limited, this.softInterval);
      if (this.now() - this.lastGcDone > gate) {
        this.logger[hard ? 'warn' : 'info'](`Memory usage is above ${hard ? 'hard' : 'soft'} limit. Forcing a GC.`, { cur_mem_mib: Math.floor(used / MIB) });
        used = this.forceGc();
        above = this.checkLimitAndBackoff(used, true);
      }
    }
    if (!this.refusing && above) {
      this.report('recoverable_error');
      this.logger.warn('Memory usage is above soft limit. Refusing data.', { cur_mem_mib: Math.floor(used / MIB) });
    }
    if (!above && this.refusing) this.report('ok');
    this.refusing = above;
  }
}

/**
 * The pipeline-facing processor, written once for the three signals: refuses while the shared limiter says so,
 * else forwards unchanged. Counts accepted/refused items per signal under upstream's names
 * (`otelcol_processor_memory_limiter_refused_spans` / `_metric_points` / `_log_records`).
 */
export class MemoryLimiterProcessor<B extends AnyBatch> {
  readonly capabilities = { mutatesData: false } as const;
  private readonly lifecycle = new Lifecycle();
  private readonly telemetry: ProcessorTelemetry;
  private readonly accepted: Counter;
  private readonly refused: Counter;

  constructor(
    private readonly set: CreateSettings,
    readonly limiter: MemoryLimiter,
    readonly signal: Signal,
    private readonly send: (batch: B) => Promise<void>,
  ) {
    this.telemetry = new ProcessorTelemetry(set, signal);
    const labels = { processor: set.id.id };
    const items = ITEM_NAME[signal];
    const words = signal === 'traces' ? 'spans' : signal === 'metrics' ? 'metric points' : 'log records';
    this.accepted = set.meter.counter(
      `otelcol_processor_memory_limiter_accepted_${items}`,
      `Number of ${words} successfully pushed into the next component in the pipeline.`,
      labels,
    );
    this.refused = set.meter.counter(
      `otelcol_processor_memory_limiter_refused_${items}`,
      `Number of ${words} that were rejected by the next component in the pipeline.`,
      labels,
    );
    // Ours: whether data is being refused, and what was measured (one limiter per id: any instance reads it).
    set.meter.observableGauge('otelcol_processor_memory_limiter_refusing', '1 while the memory_limiter refuses data, else 0 (otelcol-ts).', labels, () =>
      limiter.mustRefuse ? 1 : 0,
    );
    set.meter.observableGauge(
      'otelcol_processor_memory_limiter_memory_used_bytes',
      'Memory in use (process RSS) at the last memory_limiter check (otelcol-ts).',
      labels,
      () => limiter.lastMeasuredBytes,
    );
  }

  start(host: Host): Promise<void> {
    return this.lifecycle.start(async () => this.limiter.start(host, `processor:${this.set.id.id}`));
  }

  shutdown(): Promise<void> {
    return this.lifecycle.shutdown(async () => {
      if (this.lifecycle.started) this.limiter.shutdown();
    });
  }

  async consume(batch: B): Promise<void> {
    const t0 = performance.now();
    const n = batch.itemCount;
    if (this.limiter.mustRefuse) {
      this.refused.add(n);
      this.telemetry.record(n, 0, t0);
      throw new MemoryLimitError(DATA_REFUSED_MESSAGE, this.limiter.retryAfterSeconds);
    }
    // As upstream: counted as accepted even if the next consumer then fails.
    this.accepted.add(n);
    this.telemetry.record(n, n, t0);
    await this.send(batch);
  }
}

export class MemoryLimiterTracesProcessor extends MemoryLimiterProcessor<TraceBatch> implements TracesProcessor {
  constructor(set: CreateSettings, limiter: MemoryLimiter, next: TracesConsumer) {
    super(set, limiter, 'traces', consumerFn('traces', next));
  }
  consumeTraces(batch: TraceBatch): Promise<void> {
    return this.consume(batch);
  }
}

export class MemoryLimiterMetricsProcessor extends MemoryLimiterProcessor<MetricBatch> implements MetricsProcessor {
  constructor(set: CreateSettings, limiter: MemoryLimiter, next: MetricsConsumer) {
    super(set, limiter, 'metrics', consumerFn('metrics', next));
  }
  consumeMetrics(batch: MetricBatch): Promise<void> {
    return this.consume(batch);
  }
}

export class MemoryLimiterLogsProcessor extends MemoryLimiterProcessor<LogBatch> implements LogsProcessor {
  constructor(set: CreateSettings, limiter: MemoryLimiter, next: LogsConsumer) {
    super(set, limiter, 'logs', consumerFn('logs', next));
  }
  consumeLogs(batch: LogBatch): Promise<void> {
    return this.consume(batch);
  }
}
