// Factory of the `resource` processor (traces, metrics, logs). Upstream: contrib processor/resourceprocessor,
// beta for the three signals; mutates data.

import type { ConfigIssue } from '../../errors';
import { ConfigError } from '../../errors';
import type {
  CreateSettings, LogsConsumer, LogsProcessor, MetricsConsumer, MetricsProcessor, ProcessorFactory, TracesConsumer, TracesProcessor,
} from '../../component/types';
import { compileAttrProc, warnFromContext, type AttrProc } from '../internal/attraction';
import { InPlaceLogsProcessor, InPlaceMetricsProcessor, InPlaceTracesProcessor } from '../internal/in-place';
import { resourceConfigSchema, type ResourceConfig } from './config';
import { applyToResources } from './resource-processor';

/**
 * Compile the actions (upstream: NewAttrProc at creation). Throws ConfigError listing every problem with its
 * YAML path under `path` (`processors.resource/x.attributes[1].pattern`).
 */
export function compileResourceActions(cfg: ResourceConfig, path: string, set?: CreateSettings): AttrProc {
  const issues: ConfigIssue[] = [];
  const attrProc = compileAttrProc(cfg.attributes, `${path}.attributes`, issues, set?.logger);
  if (issues.length || !attrProc) throw new ConfigError(issues);
  return attrProc;
}

function prepare(set: CreateSettings, cfg: ResourceConfig): AttrProc {
  const proc = compileResourceActions(cfg, `processors.${set.id.id}`, set);
  warnFromContext(set.logger, cfg.attributes);
  return proc;
}

export const resourceProcessorFactory: ProcessorFactory<ResourceConfig> = {
  kind: 'processor',
  type: 'resource',
  description: 'Inserts, updates, deletes, hashes, extracts and converts resource attributes of spans, metrics and logs.',
  stability: { traces: 'beta', metrics: 'beta', logs: 'beta' },
  configSchema: resourceConfigSchema,
  createTraces(set: CreateSettings, cfg: ResourceConfig, next: TracesConsumer): TracesProcessor {
    return new InPlaceTracesProcessor(set, applyToResources(prepare(set, cfg)), next);
  },
  createMetrics(set: CreateSettings, cfg: ResourceConfig, next: MetricsConsumer): MetricsProcessor {
    return new InPlaceMetricsProcessor(set, applyToResources(prepare(set, cfg)), next);
  },
  createLogs(set: CreateSettings, cfg: ResourceConfig, next: LogsConsumer): LogsProcessor {
    return new InPlaceLogsProcessor(set, applyToResources(prepare(set, cfg)), next);
  },
};
