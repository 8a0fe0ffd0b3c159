// Factory of the `filter` processor (traces, metrics, logs). Upstream: contrib processor/filterprocessor, alpha
// for the three signals. OTTL conditions are parsed and compiled at config load (config.ts: `validate` reports
// every bad condition with its YAML path, line and column) and compiled again into the processor's plan when it
// is created for a pipeline; the legacy include/exclude blocks are compiled at creation, as upstream.

import type {
  CreateSettings, LogsConsumer, LogsProcessor, MetricsConsumer, MetricsProcessor, ProcessorFactory, TracesConsumer, TracesProcessor,
} from '../../component/types';
import { filterConfigSchema, type FilterConfig } from './config';
import { compileLogsPlan, compileMetricsPlan, compileTracesPlan } from './plan';
import { FilterLogsProcessor, FilterMetricsProcessor, FilterTracesProcessor } from './filter-processor';

export const filterProcessorFactory: ProcessorFactory<FilterConfig> = {
  kind: 'processor',
  type: 'filter',
  description:
    'Drops spans, metrics, data points and log records (or whole resources/scopes) matching OTTL conditions or legacy include/exclude rules.',
  stability: { traces: 'alpha', metrics: 'alpha', logs: 'alpha' },
  configSchema: filterConfigSchema,
  createTraces(set: CreateSettings, cfg: FilterConfig, next: TracesConsumer): TracesProcessor {
    return new FilterTracesProcessor(set, compileTracesPlan(cfg, `processors.${set.id.id}`, set.logger), next);
  },
  createMetrics(set: CreateSettings, cfg: FilterConfig, next: MetricsConsumer): MetricsProcessor {
    return new FilterMetricsProcessor(set, compileMetricsPlan(cfg, `processors.${set.id.id}`, set.logger), next);
  },
  createLogs(set: CreateSettings, cfg: FilterConfig, next: LogsConsumer): LogsProcessor {
    return new FilterLogsProcessor(set, compileLogsPlan(cfg, `processors.${set.id.id}`, set.logger), next);
  },
};
