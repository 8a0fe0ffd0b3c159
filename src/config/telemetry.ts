// `service.telemetry`: the collector's own logs and metrics, in the Go collector's shape (otelconf v0.3.0):
//
//   service:
//     telemetry:
//       logs: { level: info, encoding: console, output_paths: [stderr], initial_fields: {...}, ... }
//       metrics:
//         level: normal            # none | basic | normal | detailed
//         readers:
//           - pull: { exporter: { prometheus: { host: 127.0.0.1, port: 8888 } } }
//           - periodic: { exporter: { otlp: {...} } }     # accepted; not supported yet (warning)
//         address: 0.0.0.0:8888    # removed upstream; still seen in the wild: a pull reader on that address
//       traces: {...}              # accepted; otelcol-ts does not trace itself yet
//       resource: { service.name: x }   # or { attributes: [{name, value}] }
//
// Without readers (and level != none) the default pull reader serves Prometheus text on 127.0.0.1:8888
// (Go: localhost:8888; we bind the IPv4 loopback so `localhost` resolving to ::1 does not move it).

import type { ConfigIssue } from '../errors';
import type { LogLevel } from '../telemetry/logger';
import { s, join, show, type Schema, type Infer } from './schema';
import { isMap } from './merge';

export type MetricsLevel = 'none' | 'basic' | 'normal' | 'detailed';

export const DEFAULT_METRICS_HOST = '127.0.0.1';
export const DEFAULT_METRICS_PORT = 8888;

/** A case-insensitive enum (Go's level unmarshalers accept "INFO", "Detailed"). */
function ciEnum<V extends string>(values: readonly V[], def: V, aliases: Record<string, V> = {}): Schema<V> {
  const describe = `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
  return {
    describe,
    defaultValue: () => def,
    parse(raw, path, issues) {
      if (raw === undefined || raw === null) return def;
      if (typeof raw === 'string') {
        const low = raw.trim().toLowerCase();
        if ((values as readonly string[]).includes(low)) return low as V;
        if (low in aliases) return aliases[low]!;
      }
      issues.push({ path, message: `expected ${describe}, got ${show(raw)}` });
      return def;
    },
  };
}

const prometheusSchema = s.object({
  host: s.string(DEFAULT_METRICS_HOST),
  port: s.int(DEFAULT_METRICS_PORT, { min: 0, max: 65535 }),
  without_scope_info: s.bool(true),
  without_type_suffix: s.bool(true),
  without_units: s.bool(true),
  with_resource_constant_labels: s.any(),
  translation_strategy: s.any(),
});

const readerSchema = s.object(
  {
    pull: s.optional(
      s.object({
        exporter: s.object({ prometheus: s.presence(prometheusSchema) }),
        producers: s.any(),
        cardinality_limits: s.any(),
      }),
    ),
    periodic: s.any(),
  },
  {
    check(v, path, issues) {
      if (v.pull === undefined && v.periodic === undefined) issues.push({ path, message: 'a reader must have "pull" or "periodic"' });
      if (v.pull !== undefined && v.periodic !== undefined) issues.push({ path, message: 'a reader must have only one of "pull" or "periodic"' });
    },
  },
);

const metricsSchema = s.object({
  level: ciEnum<MetricsLevel>(['none', 'basic', 'normal', 'detailed'], 'normal'),
  readers: s.optional(s.array(readerSchema)),
  address: s.optional(s.string()),
  views: s.any(),
  exemplar_filter: s.any(),
  cardinality_limits: s.any(),
});

const logsSchema = s.object({
  level: ciEnum<LogLevel>(['debug', 'info', 'warn', 'error'], 'info', { warning: 'warn', dpanic: 'error', panic: 'error', fatal: 'error' }),
  development: s.bool(false),
  encoding: s.enum(['console', 'json'] as const, 'console'),
  disable_caller: s.bool(false),
  disable_stacktrace: s.bool(false),
  sampling: s.optional(
    s.object({
      enabled: s.bool(true),
      tick: s.duration('10s'),
      initial: s.int(10),
      thereafter: s.int(100),
    }),
  ),
  output_paths: s.array(s.string(), () => ['stderr']),
  error_output_paths: s.array(s.string(), () => ['stderr']),
  initial_fields: s.record(s.any()),
  processors: s.any(),
  disable_zap_resource: s.bool(false),
});

const telemetrySchema = s.object({
  logs: logsSchema,
  metrics: metricsSchema,
  traces: s.any(),
  resource: s.any(),
});

export type LogsConfig = Infer<typeof logsSchema>;

export interface PullEndpoint {
  host: string;
  port: number;
  /** YAML path of the reader (for messages). */
  path: string;
}

export interface TelemetryConfig {
  logs: LogsConfig;
  metrics: {
    level: MetricsLevel;
    /** Prometheus pull endpoints to serve (empty when level is none). */
    pull: PullEndpoint[];
  };
  /** Resource attributes: a null value suppresses a default attribute (service.instance.id, ...). */
  resource: Record<string, string | null>;
  /** Accepted settings that otelcol-ts does not act on yet, one line each (logged at start). */
  warnings: string[];
}

/** Split "host:port" (":8888", "[::1]:8888"); undefined when malformed. */
export function splitHostPort(addr: string): { host: string; port: number } | undefined {
  const i = addr.lastIndexOf(':');
  if (i < 0) return undefined;
  let host = addr.slice(0, i);
  const portStr = addr.slice(i + 1);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (!/^\d+$/.test(portStr)) return undefined;
  const port = Number(portStr);
  if (port > 65535) return undefined;
  return { host, port };
}

function parseResource(raw: unknown, path: string, issues: ConfigIssue[]): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (raw === undefined || raw === null) return out;
  if (!isMap(raw)) {
    issues.push({ path, message: `expected a map, got ${show(raw)}` });
    return out;
  }
  // Declarative-config form: { attributes: [{name, value}], attributes_list, schema_url, detectors }.
  if (Array.isArray(raw.attributes)) {
    raw.attributes.forEach((a: unknown, i: number) => {
      if (!isMap(a) || typeof a.name !== 'string') {
        issues.push({ path: join(join(path, 'attributes'), i), message: 'expected a map with "name" and "value"' });
        return;
      }
      out[a.name] = a.value === null || a.value === undefined ? null : String(a.value);
    });
    return out;
  }
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'schema_url' || k === 'detectors' || k === 'detection/development' || k === 'attributes_list') continue;
    out[k] = v === null || v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

/** Parse `service.telemetry` (at `path`), pushing problems to `issues`. */
export function parseTelemetry(raw: unknown, path: string, issues: ConfigIssue[]): TelemetryConfig {
  const warnings: string[] = [];
  const t = telemetrySchema.parse(raw, path, issues);
  const mPath = join(path, 'metrics');
  const level = t.metrics.level;
  const pull: PullEndpoint[] = [];
  const readers = t.metrics.readers;
  if (readers !== undefined && readers.length === 0 && level !== 'none') {
    issues.push({ path: join(mPath, 'readers'), message: 'collector telemetry metrics reader should exist when metric level is not none' });
  }
  if (t.metrics.views !== undefined && t.metrics.views !== null && level !== 'detailed') {
    issues.push({ path: join(mPath, 'views'), message: 'service::telemetry::metrics::views can only be set when service::telemetry::metrics::level is detailed' });
  }
  if (t.metrics.address !== undefined) {
    const hp = splitHostPort(t.metrics.address);
    if (!hp) issues.push({ path: join(mPath, 'address'), message: `expected "host:port", got ${JSON.stringify(t.metrics.address)}` });
    else if (readers !== undefined) warnings.push(`${join(mPath, 'address')} is ignored because ${join(mPath, 'readers')} is set`);
    else {
      warnings.push(`${join(mPath, 'address')} was removed from the Go collector; use ${join(mPath, 'readers')} with a prometheus pull reader`);
      if (level !== 'none') pull.push({ host: hp.host, port: hp.port, path: join(mPath, 'address') });
    }
  }
  if (readers === undefined) {
    if (t.metrics.address === undefined && level !== 'none') pull.push({ host: DEFAULT_METRICS_HOST, port: DEFAULT_METRICS_PORT, path: mPath });
  } else {
    readers.forEach((r, i) => {
      const rPath = join(join(mPath, 'readers'), i);
      if (r.periodic !== undefined) {
        warnings.push(`${rPath}.periodic: periodic (push) metric readers are not supported by otelcol-ts yet; this reader is ignored`);
      } else if (r.pull) {
        const prom = r.pull.exporter.prometheus;
        if (!prom) warnings.push(`${rPath}.pull: only the prometheus pull exporter is supported; this reader is ignored`);
        else if (level !== 'none') pull.push({ host: prom.host, port: prom.port, path: rPath });
      }
    });
  }
  if (t.logs.processors !== undefined && t.logs.processors !== null) {
    warnings.push(`${join(join(path, 'logs'), 'processors')}: exporting the collector's own logs over OTLP is not supported by otelcol-ts yet; logs go to ${t.logs.output_paths.join(', ')}`);
  }
  if (isMap(t.traces) && t.traces.processors !== undefined && t.traces.processors !== null) {
    warnings.push(`${join(path, 'traces')}: otelcol-ts does not emit traces about itself yet; this section is ignored`);
  }
  const resource = parseResource(t.resource, join(path, 'resource'), issues);
  return { logs: t.logs, metrics: { level, pull }, resource, warnings };
}

export function defaultTelemetry(): TelemetryConfig {
  return parseTelemetry(undefined, 'service.telemetry', []);
}
