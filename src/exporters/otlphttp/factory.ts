// The `otlphttp` exporter (OTLP over HTTP, protobuf or JSON). Upstream renamed the type `otlp_http` (with
// `otlphttp` kept as a deprecated alias); real configs use both, so we accept both.

import type { CreateSettings, ExporterFactory, TracesExporter } from '../../component/types';
import { ConfigError } from '../../errors';
import { HelperTracesExporter } from '../exporterhelper/exporter-helper';
import { otlpHttpConfigSchema, signalUrl, type OtlpHttpExporterConfig } from './config';
import { OtlpHttpTraceClient } from './http-exporter';

/** Go's endpointAttributes: server.address, url.path, server.port (Prometheus spelling). */
function endpointLabels(u: URL): Record<string, string> {
  const out: Record<string, string> = { server_address: u.hostname.replace(/^\[|\]$/g, '') };
  if (u.pathname && u.pathname !== '/') out['url_path'] = u.pathname;
  if (u.port) out['server_port'] = u.port;
  return out;
}

export function createOtlpHttpTracesExporter(set: CreateSettings, cfg: OtlpHttpExporterConfig): TracesExporter {
  const url = signalUrl(cfg.endpoint, cfg.traces_endpoint, 'traces');
  if (!url) throw ConfigError.at(`exporters.${set.id.id}`, 'either endpoint or traces_endpoint must be specified');
  const client = new OtlpHttpTraceClient(cfg, url, set.logger);
  return new HelperTracesExporter(set, {
    // Go disables the helper's timeout and relies on the HTTP client's `timeout`; per attempt either way.
    timeoutMs: cfg.timeout,
    retry: cfg.retry_on_failure,
    queue: cfg.sending_queue,
    push: client.push,
    start: () => client.start(),
    shutdown: () => client.shutdown(),
    extraLabels: endpointLabels(new URL(url)),
  });
}

export const otlpHttpExporterFactory: ExporterFactory<OtlpHttpExporterConfig> = {
  kind: 'exporter',
  type: 'otlphttp',
  aliases: ['otlp_http'],
  description: 'Sends traces to an OTLP/HTTP backend (<endpoint>/v1/traces, protobuf or JSON), with sending queue and retries.',
  configSchema: otlpHttpConfigSchema,
  stability: { traces: 'stable' },
  createTraces: createOtlpHttpTracesExporter,
};
