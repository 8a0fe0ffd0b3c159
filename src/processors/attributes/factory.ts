// Factory of the `attributes` processor (traces, metrics, logs). Upstream: contrib processor/attributesprocessor,
// beta for the three signals. As upstream, the actions and the include/exclude blocks are compiled — and
// their mistakes reported — when the processor is created for a pipeline of a given signal.

import type { ConfigIssue } from '../../errors';
import { ConfigError } from '../../errors';
import type {
  CreateSettings, LogsConsumer, LogsProcessor, MetricsConsumer, MetricsProcessor, ProcessorFactory, TracesConsumer, TracesProcessor,
} from '../../component/types';
import { attributesConfigSchema, type AttributesConfig } from './config';
import { compileAttrProc, warnFromContext, type AttrProc } from '../internal/attraction';
import { compileLogSkip, compileMetricSkip, compileSpanSkip, type LogSkip, type MetricSkip, type SpanSkip } from '../internal/filter-match';
import { AttributesLogsProcessor, AttributesMetricsProcessor, AttributesTracesProcessor } from './attributes-processor';

/**
 * Compile a parsed config for traces (upstream: NewAttrProc + filterspan.NewSkipExpr at creation).
 * Throws ConfigError listing every problem with its YAML path under `path` (`processors.attributes/x`).
 */
export function compileAttributesForTraces(cfg: AttributesConfig, path: string, set?: CreateSettings): { attrProc: AttrProc; skip: SpanSkip | undefined } {
  const issues: ConfigIssue[] = [];
  const attrProc = compileAttrProc(cfg.actions, `${path}.actions`, issues, set?.logger);
  const skip = compileSpanSkip(cfg, path, issues);
  if (issues.length || !attrProc) throw new ConfigError(issues);
  return { attrProc, skip };
}

/**
 * Compile a parsed config for metrics (upstream: NewAttrProc + CreateMetricMatchPropertiesFromDefault +
 * filtermetric.NewSkipExpr): only `metric_names` (and `resources`, accepted but not evaluated, as upstream)
 * may be used in include/exclude.
 */
export function compileAttributesForMetrics(cfg: AttributesConfig, path: string, set?: CreateSettings): { attrProc: AttrProc; skip: MetricSkip | undefined } {
  const issues: ConfigIssue[] = [];
  const attrProc = compileAttrProc(cfg.actions, `${path}.actions`, issues, set?.logger);
  const skip = compileMetricSkip(cfg, path, issues, (ignored) =>
    set?.logger.warn('include/exclude properties accepted but not evaluated for metrics, as in the Go collector (only metric_names selects metrics)', {
      ignored,
    }),
  );
  if (issues.length || !attrProc) throw new ConfigError(issues);
  return { attrProc, skip };
}

/** Compile a parsed config for logs (upstream: NewAttrProc + filterlog.NewSkipExpr). */
export function compileAttributesForLogs(cfg: AttributesConfig, path: string, set?: CreateSettings): { attrProc: AttrProc; skip: LogSkip | undefined } {
  const issues: ConfigIssue[] = [];
  const attrProc = compileAttrProc(cfg.actions, `${path}.actions`, issues, set?.logger);
  const skip = compileLogSkip(cfg, path, issues);
  if (issues.length || !attrProc) throw new ConfigError(issues);
  return { attrProc, skip };
}

export const attributesProcessorFactory: ProcessorFactory<AttributesConfig> = {
  kind: 'processor',
  type: 'attributes',
  description:
    'Inserts, updates, deletes, hashes, extracts and converts attributes of spans, metric data points and log records (include/exclude matching).',
  stability: { traces: 'beta', metrics: 'beta', logs: 'beta' },
  configSchema: attributesConfigSchema,
  createTraces(set: CreateSettings, cfg: AttributesConfig, next: TracesConsumer): TracesProcessor {
    const { attrProc, skip } = compileAttributesForTraces(cfg, `processors.${set.id.id}`, set);
    warnFromContext(set.logger, cfg.actions);
    return new AttributesTracesProcessor(set, attrProc, skip, next);
  },
  createMetrics(set: CreateSettings, cfg: AttributesConfig, next: MetricsConsumer): MetricsProcessor {
    const { attrProc, skip } = compileAttributesForMetrics(cfg, `processors.${set.id.id}`, set);
    warnFromContext(set.logger, cfg.actions);
    return new AttributesMetricsProcessor(set, attrProc, skip, next);
  },
  createLogs(set: CreateSettings, cfg: AttributesConfig, next: LogsConsumer): LogsProcessor {
    const { attrProc, skip } = compileAttributesForLogs(cfg, `processors.${set.id.id}`, set);
    warnFromContext(set.logger, cfg.actions);
    return new AttributesLogsProcessor(set, attrProc, skip, next);
  },
};
