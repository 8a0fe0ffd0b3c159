// What differs between the OTLP signals on the wire and in self-metrics, in one table: the otlp receiver, the
// otlp/otlphttp/debug exporters and the exporter helper are written once over it.
//
//                    traces                   metrics                       logs
//   gRPC service     trace.v1.TraceService    metrics.v1.MetricsService     logs.v1.LogsService       (method Export)
//   HTTP path        /v1/traces               /v1/metrics                   /v1/logs
//   receiver key     traces_url_path          metrics_url_path              logs_url_path
//   exporter key     traces_endpoint          metrics_endpoint              logs_endpoint
//   partial success  rejected_spans           rejected_data_points          rejected_log_records   (field 1 in all)
//   metric suffix    spans                    metric_points                 log_records
//   items            spans                    data points                   log records
//
// Every Export*ServiceResponse has the same shape (partial_success = 1 { int64 rejected = 1; string
// error_message = 2 }), so one encoder/decoder serves all three; only the JSON key differs.

import type { LogsConsumer, MetricsConsumer, Signal, TracesConsumer } from '../../component/types';
import { LogBatch } from '../../pdata/logs';
import { MetricBatch } from '../../pdata/metrics';
import { TraceBatch } from '../../pdata/traces';

export type BatchOf<S extends Signal> = S extends 'traces' ? TraceBatch : S extends 'metrics' ? MetricBatch : LogBatch;
export type ConsumerOf<S extends Signal> = S extends 'traces' ? TracesConsumer : S extends 'metrics' ? MetricsConsumer : LogsConsumer;

export interface OtlpSignal<S extends Signal = Signal> {
  readonly signal: S;
  /** Full gRPC method path of Export. */
  readonly grpcMethod: string;
  /** The otlp receiver's `protocols.http` key for the path, and its default. */
  readonly urlPathKey: `${S}_url_path`;
  readonly defaultUrlPath: `/v1/${S}`;
  /** The otlphttp exporter's per-signal URL key. */
  readonly endpointKey: `${S}_endpoint`;
  /** ExportXServiceResponse.partial_success.rejected_* in proto (snake) and OTLP/JSON (lowerCamel) spelling. */
  readonly rejectedField: string;
  readonly rejectedJsonKey: string;
  /** The item word of the Go self-metric names: otelcol_receiver_accepted_<unit>, otelcol_exporter_sent_<unit>. */
  readonly unit: 'spans' | 'metric_points' | 'log_records';
  /** Items in words, for help texts and messages. */
  readonly items: string;
  /** Go's zap field for a partial success' rejected count in the exporters' warning. */
  readonly droppedLogKey: string;
  /** The consumer method the pipeline calls. */
  readonly consumeMethod: 'consumeTraces' | 'consumeMetrics' | 'consumeLogs';
  decode(bytes: Uint8Array): BatchOf<S>;
  fromJSON(body: string | Uint8Array): BatchOf<S>;
  /** Batching: concatenate batches of this signal (in order). */
  concat(batches: readonly BatchOf<S>[]): BatchOf<S>;
  /** Hand a batch to a consumer of this signal. */
  consume(consumer: ConsumerOf<S>, batch: BatchOf<S>): Promise<void>;
}

const TRACES: OtlpSignal<'traces'> = {
  signal: 'traces',
  grpcMethod: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  urlPathKey: 'traces_url_path',
  defaultUrlPath: '/v1/traces',
  endpointKey: 'traces_endpoint',
  rejectedField: 'rejected_spans',
  rejectedJsonKey: 'rejectedSpans',
  unit: 'spans',
  items: 'spans',
  droppedLogKey: 'dropped_spans',
  consumeMethod: 'consumeTraces',
  decode: (b) => TraceBatch.decode(b),
  fromJSON: (b) => TraceBatch.fromJSON(b),
  concat: (bs) => TraceBatch.concat(bs),
  consume: (c, b) => c.consumeTraces(b),
};

const METRICS: OtlpSignal<'metrics'> = {
  signal: 'metrics',
  grpcMethod: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  urlPathKey: 'metrics_url_path',
  defaultUrlPath: '/v1/metrics',
  endpointKey: 'metrics_endpoint',
  rejectedField: 'rejected_data_points',
  rejectedJsonKey: 'rejectedDataPoints',
  unit: 'metric_points',
  items: 'metric points',
  droppedLogKey: 'dropped_data_points',
  consumeMethod: 'consumeMetrics',
  decode: (b) => MetricBatch.decode(b),
  fromJSON: (b) => MetricBatch.fromJSON(b),
  concat: (bs) => MetricBatch.concat(bs),
  consume: (c, b) => c.consumeMetrics(b),
};

const LOGS: OtlpSignal<'logs'> = {
  signal: 'logs',
  grpcMethod: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
  urlPathKey: 'logs_url_path',
  defaultUrlPath: '/v1/logs',
  endpointKey: 'logs_endpoint',
  rejectedField: 'rejected_log_records',
  rejectedJsonKey: 'rejectedLogRecords',
  unit: 'log_records',
  items: 'log records',
  droppedLogKey: 'dropped_log_records',
  consumeMethod: 'consumeLogs',
  decode: (b) => LogBatch.decode(b),
  fromJSON: (b) => LogBatch.fromJSON(b),
  concat: (bs) => LogBatch.concat(bs),
  consume: (c, b) => c.consumeLogs(b),
};

export const OTLP_SIGNALS: { readonly traces: OtlpSignal<'traces'>; readonly metrics: OtlpSignal<'metrics'>; readonly logs: OtlpSignal<'logs'> } = {
  traces: TRACES,
  metrics: METRICS,
  logs: LOGS,
};

export function otlpSignal<S extends Signal>(signal: S): OtlpSignal<S> {
  return OTLP_SIGNALS[signal] as unknown as OtlpSignal<S>;
}

/** Batching: the first `n` items and the rest (0 < n < itemCount). */
export function splitBatch<B extends TraceBatch | MetricBatch | LogBatch>(b: B, n: number): [B, B] {
  return [b.slice(0, n) as B, b.slice(n, b.itemCount) as B];
}
