// Factory of the `batch` processor (traces). Upstream: core processor/batchprocessor, beta.

import type { CreateSettings, ProcessorFactory, TracesConsumer, TracesProcessor } from '../../component/types';
import { batchConfigSchema, type BatchConfig } from './config';
import { BatchTracesProcessor } from './batch-processor';

export const batchProcessorFactory: ProcessorFactory<BatchConfig> = {
  kind: 'processor',
  type: 'batch',
  description: 'Groups spans into batches by size and time before they reach the exporters (no decode: concatenation of ResourceSpans).',
  stability: { traces: 'beta' },
  configSchema: batchConfigSchema,
  createTraces(set: CreateSettings, cfg: BatchConfig, next: TracesConsumer): TracesProcessor {
    return new BatchTracesProcessor(set, cfg, next);
  },
};
