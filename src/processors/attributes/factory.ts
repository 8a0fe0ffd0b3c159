// Factory of the `attributes` processor (traces). Upstream: contrib processor/attributesprocessor, beta.

import type { ConfigIssue } from '../../errors';
import { ConfigError } from '../../errors';
import type { CreateSettings, ProcessorFactory, TracesConsumer, TracesProcessor } from '../../component/types';
import { attributesConfigSchema, type AttributesConfig } from './config';
import { compileAttrProc } from '../internal/attraction';
import { compileSpanSkip } from '../internal/filter-match';
import { AttributesTracesProcessor } from './attributes-processor';

/**
 * Compile a parsed config for traces (upstream: NewAttrProc + filterspan.NewSkipExpr at creation).
 * Throws ConfigError listing every problem with its YAML path under `path` (`processors.attributes/x`).
 */
export function compileAttributesForTraces(cfg: AttributesConfig, path: string, set?: CreateSettings) {
  const issues: ConfigIssue[] = [];
  const attrProc = compileAttrProc(cfg.actions, `${path}.actions`, issues, set?.logger);
  const skip = compileSpanSkip(cfg, path, issues);
  if (issues.length || !attrProc) throw new ConfigError(issues);
  return { attrProc, skip };
}

export const attributesProcessorFactory: ProcessorFactory<AttributesConfig> = {
  kind: 'processor',
  type: 'attributes',
  description: 'Inserts, updates, deletes, hashes, extracts and converts span attributes (include/exclude matching).',
  stability: { traces: 'beta' },
  configSchema: attributesConfigSchema,
  createTraces(set: CreateSettings, cfg: AttributesConfig, next: TracesConsumer): TracesProcessor {
    const { attrProc, skip } = compileAttributesForTraces(cfg, `processors.${set.id.id}`, set);
    const fromContext = cfg.actions.filter((a) => a.from_context !== '').map((a) => a.key);
    if (fromContext.length > 0) {
      set.logger.warn('from_context is not supported yet by otelcol-ts (client metadata does not reach processors): these actions use default_value or do nothing', {
        keys: fromContext,
      });
    }
    return new AttributesTracesProcessor(set, attrProc, skip, next);
  },
};
