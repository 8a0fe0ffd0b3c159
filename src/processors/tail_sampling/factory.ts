// Factory of the `tail_sampling` processor (traces). Upstream: contrib processor/tailsamplingprocessor (beta).

import type { CreateSettings, ProcessorFactory, TracesConsumer, TracesProcessor } from '../../component/types';
import { tailSamplingConfigSchema, type TailSamplingConfig } from './config';
import { TailSamplingProcessor } from './tail-sampling';

export const tailSamplingProcessorFactory: ProcessorFactory<TailSamplingConfig> = {
  kind: 'processor',
  type: 'tail_sampling',
  description:
    'Buffers each trace for decision_wait, then samples whole traces by policy (latency, status, attributes, probabilistic, rate, OTTL, and/composite/not/drop); per-worker columnar buffers bounded in bytes.',
  stability: { traces: 'beta' },
  configSchema: tailSamplingConfigSchema,
  createTraces(set: CreateSettings, cfg: TailSamplingConfig, next: TracesConsumer): TracesProcessor {
    return new TailSamplingProcessor(set, cfg, next);
  },
};
