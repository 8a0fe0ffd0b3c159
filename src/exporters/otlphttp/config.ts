// Config of the OTLP/HTTP exporter (Go: exporter/otlphttpexporter Config = confighttp.ClientConfig +
// sending_queue + retry_on_failure + <signal>_endpoint + encoding), with the Go defaults: timeout 30s,
// compression gzip, encoding proto, write_buffer_size 512 KiB, max_idle_conns 100, idle_conn_timeout 90s.
//
// Accepted without effect in Node: read_buffer_size, write_buffer_size, force_attempt_http2 (we speak HTTP/1.1
// with keep-alive), http2_read_idle_timeout, http2_ping_timeout, max_idle_conns (Node pools per host; we use
// max_idle_conns_per_host, else max_idle_conns, as the per-host idle limit). Rejected with a clear message:
// compression other than gzip/none ("not supported yet"), proxy_url, auth, cookies, middlewares.

import type { ConfigIssue } from '../../errors';
import { s, join, type Schema } from '../../config/schema';
import { queueSchema, retrySchema, unsupportedKey } from '../exporterhelper/config';
import { clientTlsSchema } from '../internal/tls';
import { headersSchema } from '../internal/headers';

export const HTTP_COMPRESSIONS = ['', 'none', 'gzip', 'zstd', 'zlib', 'snappy', 'deflate', 'lz4', 'x-snappy-framed'] as const;

/** A key whose mere presence turns a feature on (e.g. `cookies: {}`): any value is "not supported yet". */
function presenceUnsupported(what: string): Schema<unknown> {
  return {
    describe: 'a map',
    defaultValue: () => undefined,
    parse(raw: unknown, path: string, issues: ConfigIssue[]) {
      if (raw !== undefined) issues.push({ path, message: `${what} is not supported yet` });
      return undefined;
    },
  };
}

/** Go's composeSignalURL: the override if set, else endpoint + "/v1/<signal>". Returns undefined when neither is set. */
export function signalUrl(endpoint: string, override: string, signal: string, version = 'v1'): string | undefined {
  if (override) return override;
  if (!endpoint) return undefined;
  return endpoint.endsWith('/') ? `${endpoint}${version}/${signal}` : `${endpoint}/${version}/${signal}`;
}

function checkUrl(u: string, path: string, issues: ConfigIssue[], what: string): void {
  let parsed: URL;
  try {
    parsed = new URL(u);
  } catch {
    issues.push({ path, message: `${what} must be a valid URL, got ${JSON.stringify(u)}` });
    return;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    issues.push({ path, message: `${what} must be an http:// or https:// URL, got ${JSON.stringify(u)}` });
  }
}

export const otlpHttpConfigSchema = s.object(
  {
    endpoint: s.string(''),
    traces_endpoint: s.string(''),
    metrics_endpoint: s.string(''),
    logs_endpoint: s.string(''),
    profiles_endpoint: s.string(''),
    encoding: s.enum(['proto', 'json'] as const, 'proto'),
    compression: s.enum(HTTP_COMPRESSIONS, 'gzip'),
    compression_params: s.object({ level: s.int(0) }),
    tls: clientTlsSchema,
    timeout: s.duration('30s'),
    headers: headersSchema,
    read_buffer_size: s.int(0),
    write_buffer_size: s.int(512 * 1024),
    max_idle_conns: s.int(100),
    max_idle_conns_per_host: s.int(0),
    max_conns_per_host: s.int(0),
    idle_conn_timeout: s.duration('90s'),
    disable_keep_alives: s.bool(false),
    http2_read_idle_timeout: s.duration(0),
    http2_ping_timeout: s.duration(0),
    force_attempt_http2: s.bool(true),
    proxy_url: unsupportedKey('proxy_url'),
    auth: unsupportedKey('auth (authenticator extensions)'),
    cookies: presenceUnsupported('cookies'),
    middlewares: unsupportedKey('middlewares'),
    sending_queue: queueSchema(true),
    retry_on_failure: retrySchema,
  },
  {
    check(v, path, issues) {
      if (!v.endpoint && !v.traces_endpoint && !v.metrics_endpoint && !v.logs_endpoint && !v.profiles_endpoint) {
        issues.push({ path, message: 'at least one endpoint must be specified' });
      }
      if (v.endpoint) checkUrl(v.endpoint, join(path, 'endpoint'), issues, 'endpoint');
      for (const key of ['traces_endpoint', 'metrics_endpoint', 'logs_endpoint'] as const) {
        if (v[key]) checkUrl(v[key], join(path, key), issues, key);
      }
      if (v.compression !== '' && v.compression !== 'none' && v.compression !== 'gzip') {
        issues.push({ path: join(path, 'compression'), message: `compression "${v.compression}" is not supported yet (use gzip or none)` });
      }
      const level = v.compression_params.level;
      if (v.compression === 'gzip' && level !== 0 && !(level >= -2 && level <= 9)) {
        issues.push({ path: join(join(path, 'compression_params'), 'level'), message: `unsupported parameters {Level:${level}} for compression type "gzip"` });
      }
      if (v.timeout < 0) issues.push({ path: join(path, 'timeout'), message: "'timeout' must be non-negative" });
    },
  },
);
export type OtlpHttpExporterConfig = ReturnType<typeof otlpHttpConfigSchema.defaultValue>;
