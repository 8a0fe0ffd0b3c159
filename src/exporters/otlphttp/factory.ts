// The `otlphttp` exporter (OTLP over HTTP, protobuf or JSON). Upstream renamed the type `otlp_http` (with
// `otlphttp` kept as a deprecated alias); real configs use both, so we accept both.

import type { CreateSettings, ExporterFactory, Signal } from '../../component/types';
import { ConfigError } from '../../errors';
import { otlpSignal } from '../../receivers/otlp/signals';
import { helperExporter, type ExporterOf } from '../exporterhelper/exporter-helper';
import { otlpHttpConfigSchema, signalUrl, type OtlpHttpExporterConfig } from './config';
import { OtlpHttpClient } from './http-exporter';

/** Go's endpointAttributes: server.address, url.path, server.port (Prometheus spelling). */
function endpointLabels(u: URL): Record<string, string> {
  const out: Record<string, string> = { server_address: u.hostname.replace(/^\[|\]$/g, '') };
  if (u.pathname && u.pathname !== '/') out['url_path'] = u.pathname;
  if (u.port) out['server_port'] = u.port;
  return out;
}

/** An `otlphttp` exporter of one signal, POSTing to `<signal>_endpoint` or `<endpoint>/v1/<signal>` (Go's composeSignalURL). */
export function createOtlpHttpExporter<S extends Signal>(signal: S, set: CreateSettings, cfg: OtlpHttpExporterConfig): ExporterOf<S> {
  const spec = otlpSignal(signal);
  const url = signalUrl(cfg.endpoint, cfg[spec.endpointKey], signal);
  if (!url) throw ConfigError.at(`exporters.${set.id.id}`, `either endpoint or ${spec.endpointKey} must be specified`);
  const client = new OtlpHttpClient(cfg, url, set.logger, spec);
  return helperExporter(signal, set, {
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
  description: 'Sends traces, metrics and logs to an OTLP/HTTP backend (<endpoint>/v1/<signal>, protobuf or JSON), with sending queue and retries.',
  configSchema: otlpHttpConfigSchema,
  stability: { traces: 'stable', metrics: 'stable', logs: 'stable' },
  createTraces: (set, cfg) => createOtlpHttpExporter('traces', set, cfg),
  createMetrics: (set, cfg) => createOtlpHttpExporter('metrics', set, cfg),
  createLogs: (set, cfg) => createOtlpHttpExporter('logs', set, cfg),
};
