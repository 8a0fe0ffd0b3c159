// The `debug` exporter. Like Go: no retries, no timeout, sending_queue off unless configured.

import type { CreateSettings, ExporterFactory, Signal } from '../../component/types';
import { helperExporter, type ExporterOf } from '../exporterhelper/exporter-helper';
import { debugConfigSchema, type DebugExporterConfig } from './config';
import { DebugWriter, loggerSink, outputSink, type DebugSink } from './debug-exporter';

/** A debug exporter of one signal; `sink` replaces the logger / output_paths (tests). */
export function createDebugExporter<S extends Signal>(signal: S, set: CreateSettings, cfg: DebugExporterConfig, sink?: DebugSink): ExporterOf<S> {
  const out = sink ?? (cfg.use_internal_logger ? loggerSink(set.logger, cfg) : outputSink(cfg));
  const writer = new DebugWriter(signal, cfg, out);
  return helperExporter(signal, set, {
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
  description: 'Writes the traces, metrics and logs it gets to the log or stdout (verbosity basic, normal or detailed), for debugging.',
  configSchema: debugConfigSchema,
  // Go: alpha for every signal.
  stability: { traces: 'alpha', metrics: 'alpha', logs: 'alpha' },
  createTraces: (set, cfg) => createDebugExporter('traces', set, cfg),
  createMetrics: (set, cfg) => createDebugExporter('metrics', set, cfg),
  createLogs: (set, cfg) => createDebugExporter('logs', set, cfg),
};
