// The `debug` exporter. Like Go: no retries, no timeout, sending_queue off unless configured.

import type { CreateSettings, ExporterFactory, TracesExporter } from '../../component/types';
import { HelperTracesExporter } from '../exporterhelper/exporter-helper';
import { debugConfigSchema, type DebugExporterConfig } from './config';
import { DebugTraceWriter, loggerSink, outputSink, type DebugSink } from './debug-exporter';

export function createDebugTracesExporter(set: CreateSettings, cfg: DebugExporterConfig, sink?: DebugSink): TracesExporter {
  const out = sink ?? (cfg.use_internal_logger ? loggerSink(set.logger, cfg) : outputSink(cfg));
  const writer = new DebugTraceWriter(cfg, out);
  return new HelperTracesExporter(set, {
    timeoutMs: 0,
    queue: cfg.sending_queue,
    push: writer.push,
    shutdown: async () => {
      await out.close?.();
    },
  });
}

export const debugExporterFactory: ExporterFactory<DebugExporterConfig> = {
  kind: 'exporter',
  type: 'debug',
  description: 'Writes the data it gets to the log or stdout (verbosity basic, normal or detailed), for debugging.',
  configSchema: debugConfigSchema,
  stability: { traces: 'development' },
  createTraces: (set, cfg) => createDebugTracesExporter(set, cfg),
};
