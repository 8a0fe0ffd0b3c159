// otelcol-ts configurations for the pipeline benchmark, in the Go collector's YAML (what users bring).

export interface OtelcolBenchConfig {
  /** OTLP/HTTP receiver port on 127.0.0.1. */
  port: number;
  /** Sink base URL, e.g. http://127.0.0.1:4319 (otlphttp appends /v1/traces). */
  sinkEndpoint: string;
  /** Port for the collector's own Prometheus metrics on 127.0.0.1 (self-metrics stay on, as by default). */
  metricsPort: number;
}

const common = (c: OtelcolBenchConfig) => `receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${c.port}
exporters:
  otlphttp:
    endpoint: ${c.sinkEndpoint}
    compression: none
`;

const service = (c: OtelcolBenchConfig, processors: string[], workers?: number) => `service:
${workers === undefined ? '' : `  workers: ${workers}\n`}  telemetry:
    logs:
      level: warn
    metrics:
      level: normal
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: ${c.metricsPort}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [${processors.join(', ')}]
      exporters: [otlphttp]
`;

/** (i) forwarding: OTLP/HTTP in → batch → OTLP/HTTP out; no processor reads span contents. */
export function forwardingConfig(c: OtelcolBenchConfig): string {
  return `${common(c)}processors:
  batch: {}
${service(c, ['batch'])}`;
}

/**
 * (ii) processing: memory_limiter → attributes (insert 1, delete 1 — `thread.name` is on every span of the
 * realistic fixture) → batch → otlphttp.
 */
export function processingConfig(c: OtelcolBenchConfig): string {
  return `${common(c)}processors:
  memory_limiter:
    check_interval: 1s
    limit_mib: 1536
    spike_limit_mib: 384
  attributes:
    actions:
      - key: bench.pipeline
        value: processing
        action: insert
      - key: thread.name
        action: delete
  batch: {}
${service(c, ['memory_limiter', 'attributes', 'batch'])}`;
}

/**
 * Worker-pool scaling (bench/pipeline/scaling-bench.ts): forwarding (otlp → batch → otlphttp) or, with
 * `processing`, otlp → attributes (upsert 1) → batch → otlphttp, with `service.workers: workers` (0 = the
 * pipelines run on the acceptor thread, no pool).
 */
export function workersConfig(c: OtelcolBenchConfig, workers: number, processing = false): string {
  if (!processing) {
    return `${common(c)}processors:
  batch: {}
${service(c, ['batch'], workers)}`;
  }
  return `${common(c)}processors:
  attributes:
    actions:
      - key: bench.pipeline
        value: scaling
        action: upsert
  batch: {}
${service(c, ['attributes', 'batch'], workers)}`;
}
