// The `otlp` exporter (OTLP over gRPC). Upstream renamed the type `otlp_grpc` (with `otlp` kept as a deprecated
// alias); real configs use both, so we accept both.

import type { CreateSettings, ExporterFactory, Signal } from '../../component/types';
import { otlpSignal } from '../../receivers/otlp/signals';
import { helperExporter, type ExporterOf } from '../exporterhelper/exporter-helper';
import { otlpConfigSchema, splitHostPort, type OtlpExporterConfig } from './config';
import { OtlpGrpcClient } from './grpc-exporter';

/** Go's endpointAttributes: server.address / server.port (Prometheus spelling) on sent/send_failed. */
function endpointLabels(cfg: OtlpExporterConfig): Record<string, string> {
  const hp = splitHostPort(cfg.endpoint);
  if (!hp) return { server_address: cfg.endpoint };
  const out: Record<string, string> = { server_address: hp.host };
  if (/^\d+$/.test(hp.port)) out['server_port'] = String(Number(hp.port));
  return out;
}

/** An `otlp` exporter of one signal: its own gRPC channel (as Go), the shared exporter helper. */
export function createOtlpExporter<S extends Signal>(signal: S, set: CreateSettings, cfg: OtlpExporterConfig): ExporterOf<S> {
  const client = new OtlpGrpcClient(cfg, set.logger, otlpSignal(signal));
  return helperExporter(signal, set, {
    timeoutMs: cfg.timeout,
    retry: cfg.retry_on_failure,
    queue: cfg.sending_queue,
    push: client.push,
    start: () => client.start(),
    shutdown: () => client.shutdown(),
    extraLabels: endpointLabels(cfg),
  });
}

export const otlpExporterFactory: ExporterFactory<OtlpExporterConfig> = {
  kind: 'exporter',
  type: 'otlp',
  aliases: ['otlp_grpc'],
  description: 'Sends traces, metrics and logs to an OTLP/gRPC backend (Trace/Metrics/LogsService Export), with sending queue and retries.',
  configSchema: otlpConfigSchema,
  stability: { traces: 'stable', metrics: 'stable', logs: 'stable' },
  createTraces: (set, cfg) => createOtlpExporter('traces', set, cfg),
  createMetrics: (set, cfg) => createOtlpExporter('metrics', set, cfg),
  createLogs: (set, cfg) => createOtlpExporter('logs', set, cfg),
};
