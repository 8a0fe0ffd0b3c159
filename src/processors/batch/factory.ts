// Factory of the `batch` processor (traces, metrics, logs). Upstream: core processor/batchprocessor, beta for
// the three signals. One instance per pipeline, as upstream.

import type {
  CreateSettings, LogsConsumer, LogsProcessor, MetricsConsumer, MetricsProcessor, ProcessorFactory, TracesConsumer, TracesProcessor,
} from '../../component/types';
import { batchConfigSchema, type BatchConfig } from './config';
import { BatchLogsProcessor, BatchMetricsProcessor, BatchTracesProcessor } from './batch-processor';

export const batchProcessorFactory: ProcessorFactory<BatchConfig> = {
  kind: 'processor',
  type: 'batch',
  description:
    'Groups spans, metric data points and log records into batches by size and time before they reach the exporters (no decode: concatenation and slicing of the OTLP messages).',
  stability: { traces: 'beta', metrics: 'beta', logs: 'beta' },
  configSchema: batchConfigSchema,
  createTraces(set: CreateSettings, cfg: BatchConfig, next: TracesConsumer): TracesProcessor {
    return new BatchTracesProcessor(set, cfg, next);
  },
  createMetrics(set: CreateSettings, cfg: BatchConfig, next: MetricsConsumer): MetricsProcessor {
    return new BatchMetricsProcessor(set, cfg, next);
  },
  createLogs(set: CreateSettings, cfg: BatchConfig, next: LogsConsumer): LogsProcessor {
    return new BatchLogsProcessor(set, cfg, next);
  },
};
