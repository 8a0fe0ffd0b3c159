// The `otlp` exporter (OTLP over gRPC). Upstream renamed the type `otlp_grpc` (with `otlp` kept as a deprecated
// alias); real configs use both, so we accept both.

import type { CreateSettings, ExporterFactory, TracesExporter } from '../../component/types';
import { HelperTracesExporter } from '../exporterhelper/exporter-helper';
import { otlpConfigSchema, splitHostPort, type OtlpExporterConfig } from './config';
import { OtlpGrpcTraceClient } from './grpc-exporter';

/** Go's endpointAttributes: server.address / server.port (Prometheus spelling) on sent/send_failed. */
function endpointLabels(cfg: OtlpExporterConfig): Record<string, string> {
  const hp = splitHostPort(cfg.endpoint);
  if (!hp) return { server_address: cfg.endpoint };
  const out: Record<string, string> = { server_address: hp.host };
  if (/^\d+$/.test(hp.port)) out['server_port'] = String(Number(hp.port));
  return out;
}

export function createOtlpTracesExporter(set: CreateSettings, cfg: OtlpExporterConfig): TracesExporter {
  const client = new OtlpGrpcTraceClient(cfg, set.logger);
  return new HelperTracesExporter(set, {
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
  description: 'Sends traces to an OTLP/gRPC backend (TraceService/Export), with sending queue and retries.',
  configSchema: otlpConfigSchema,
  stability: { traces: 'stable' },
  createTraces: createOtlpTracesExporter,
};
