// Factory of the `memory_limiter` processor (traces). Upstream: core processor/memorylimiterprocessor, beta.
// As upstream, one limiter (one periodic measurement) is shared by every pipeline created from the same
// config object.

import type { CreateSettings, ProcessorFactory, TracesConsumer, TracesProcessor } from '../../component/types';
import { memoryLimiterConfigSchema, type MemoryLimiterConfig } from './config';
import { MemoryLimiter, MemoryLimiterTracesProcessor, type MemoryLimiterOptions } from './memory-limiter';

const shared = new WeakMap<MemoryLimiterConfig, MemoryLimiter>();

/** Create the traces processor; `opts` injects a memory reader/GC/clock (tests), not a config key. */
export function createMemoryLimiterTraces(
  set: CreateSettings,
  cfg: MemoryLimiterConfig,
  next: TracesConsumer,
  opts?: MemoryLimiterOptions,
): MemoryLimiterTracesProcessor {
  let limiter = opts ? undefined : shared.get(cfg);
  if (!limiter) {
    limiter = new MemoryLimiter(cfg, set.logger, opts);
    if (!opts) shared.set(cfg, limiter);
  }
  return new MemoryLimiterTracesProcessor(set, limiter, next);
}

export const memoryLimiterProcessorFactory: ProcessorFactory<MemoryLimiterConfig> = {
  kind: 'processor',
  type: 'memory_limiter',
  description: 'Refuses data (gRPC UNAVAILABLE / HTTP 503 + Retry-After) while process memory (RSS) is above the soft limit.',
  stability: { traces: 'beta' },
  configSchema: memoryLimiterConfigSchema,
  createTraces(set: CreateSettings, cfg: MemoryLimiterConfig, next: TracesConsumer): TracesProcessor {
    return createMemoryLimiterTraces(set, cfg, next);
  },
};
