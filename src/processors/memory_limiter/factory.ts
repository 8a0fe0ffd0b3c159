// Factory of the `memory_limiter` processor (traces, metrics, logs). Upstream: core
// processor/memorylimiterprocessor, beta for the three signals. As upstream, one limiter (one periodic
// measurement, one refusing state) is shared by every pipeline of every signal created from the same config
// object.

import type {
  CreateSettings, LogsConsumer, LogsProcessor, MetricsConsumer, MetricsProcessor, ProcessorFactory, TracesConsumer, TracesProcessor,
} from '../../component/types';
import { memoryLimiterConfigSchema, type MemoryLimiterConfig } from './config';
import {
  MemoryLimiter, MemoryLimiterLogsProcessor, MemoryLimiterMetricsProcessor, MemoryLimiterTracesProcessor, type MemoryLimiterOptions,
} from './memory-limiter';

const shared = new WeakMap<MemoryLimiterConfig, MemoryLimiter>();

/** The limiter for `cfg`: shared per config object; `opts` (tests) gives a private one. */
export function limiterFor(set: CreateSettings, cfg: MemoryLimiterConfig, opts?: MemoryLimiterOptions): MemoryLimiter {
  let limiter = opts ? undefined : shared.get(cfg);
  if (!limiter) {
    limiter = new MemoryLimiter(cfg, set.logger, opts);
    if (!opts) shared.set(cfg, limiter);
  }
  return limiter;
}

/** Create the traces processor; `opts` injects a memory reader/GC/clock (tests), not a config key. */
export function createMemoryLimiterTraces(
  set: CreateSettings,
  cfg: MemoryLimiterConfig,
  next: TracesConsumer,
  opts?: MemoryLimiterOptions,
): MemoryLimiterTracesProcessor {
  return new MemoryLimiterTracesProcessor(set, limiterFor(set, cfg, opts), next);
}

/** Create the metrics processor (see createMemoryLimiterTraces). */
export function createMemoryLimiterMetrics(
  set: CreateSettings,
  cfg: MemoryLimiterConfig,
  next: MetricsConsumer,
  opts?: MemoryLimiterOptions,
): MemoryLimiterMetricsProcessor {
  return new MemoryLimiterMetricsProcessor(set, limiterFor(set, cfg, opts), next);
}

/** Create the logs processor (see createMemoryLimiterTraces). */
export function createMemoryLimiterLogs(set: CreateSettings, cfg: MemoryLimiterConfig, next: LogsConsumer, opts?: MemoryLimiterOptions): MemoryLimiterLogsProcessor {
  return new MemoryLimiterLogsProcessor(set, limiterFor(set, cfg, opts), next);
}

export const memoryLimiterProcessorFactory: ProcessorFactory<MemoryLimiterConfig> = {
  kind: 'processor',
  type: 'memory_limiter',
  description: 'Refuses data (gRPC UNAVAILABLE / HTTP 503 + Retry-After) while process memory (RSS) is above the soft limit.',
  stability: { traces: 'beta', metrics: 'beta', logs: 'beta' },
  configSchema: memoryLimiterConfigSchema,
  createTraces(set: CreateSettings, cfg: MemoryLimiterConfig, next: TracesConsumer): TracesProcessor {
    return createMemoryLimiterTraces(set, cfg, next);
  },
  createMetrics(set: CreateSettings, cfg: MemoryLimiterConfig, next: MetricsConsumer): MetricsProcessor {
    return createMemoryLimiterMetrics(set, cfg, next);
  },
  createLogs(set: CreateSettings, cfg: MemoryLimiterConfig, next: LogsConsumer): LogsProcessor {
    return createMemoryLimiterLogs(set, cfg, next);
  },
};
