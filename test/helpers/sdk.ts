// A real OpenTelemetry JS SDK (2.x) for end-to-end tests — tracer (createSdk), meter (createMeterSdk, below) and
// logger (createLoggerSdk, below) — exporting with the official OTLP exporters: gRPC
// (@opentelemetry/exporter-{trace,metrics,logs}-otlp-grpc), HTTP/protobuf (-proto) or HTTP/JSON (-http).
//
//   const sdk = createSdk({ protocol: 'grpc', url: `http://127.0.0.1:${port}`, serviceName: 'shop' });
//   const expected = await sdk.makeSpans(25, { attributes: (i) => ({ 'customer.email': `c${i}@example.com` }) });
//   await sdk.shutdown();
//   assert.deepEqual(sdk.failedExports(), []);

import { context, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as HttpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import * as nodePath from 'node:path';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter, type ResourceMetrics, type ViewOptions, type InstrumentType } from '@opentelemetry/sdk-metrics';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as HttpJsonMetricExporter, AggregationTemporalityPreference } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as HttpProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { LoggerProvider, SimpleLogRecordProcessor, BatchLogRecordProcessor, type LogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as HttpJsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as HttpProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import type { Logger } from '@opentelemetry/api-logs';
import type { Meter } from '@opentelemetry/api';
import { oracleDecodeLogs, oracleDecodeMetrics } from '../oracle/otlp-oracle';

export type SdkProtocol = 'grpc' | 'http/protobuf' | 'http/json';

export interface SdkOptions {
  protocol: SdkProtocol;
  /** gRPC: http://127.0.0.1:4317 · HTTP: the full traces URL, http://127.0.0.1:4318/v1/traces. */
  url: string;
  serviceName: string;
  /** Extra resource attributes. */
  resourceAttributes?: Attributes;
  /** simple: one export per ended span; batch: the SDK's BatchSpanProcessor (one export per flush). Default batch. */
  processor?: 'simple' | 'batch';
  /** Instrumentation scope of the tracer. */
  scopeName?: string;
  scopeVersion?: string;
  /** Export timeout (default 5 s). */
  timeoutMillis?: number;
  /** Request compression (OTEL_EXPORTER_OTLP_COMPRESSION); default none. */
  compression?: 'gzip' | 'none';
}

/** What a span looked like when the SDK made it: compare with what the backend received. */
export interface ExpectedSpan {
  name: string;
  traceId: string;
  spanId: string;
  /** Parent span id, undefined for a root span. */
  parentSpanId: string | undefined;
  attributes: Attributes;
}

export interface ExportOutcome {
  spans: number;
  /** 0 = SUCCESS, 1 = FAILED (ExportResultCode). */
  code: number;
  error?: string;
}

export interface MakeSpansOptions {
  /** Attributes of span i (0-based). */
  attributes?: (i: number) => Attributes;
  /** Span names: `${prefix}-root` for the root and `${prefix}-${i}` for children. Default "op". */
  namePrefix?: string;
  /**
   * Make span 0 a root and spans 1..n-1 its children (one trace) — default true. false: n independent root spans.
   */
  oneTrace?: boolean;
  /** Await forceFlush() after each span ends (sequential exports, one request each with the simple processor). */
  flushEach?: boolean;
}

export interface TestSdk {
  provider: BasicTracerProvider;
  tracer: Tracer;
  /** Make `n` spans (ended), return what they should look like at the backend. */
  makeSpans(n: number, opts?: MakeSpansOptions): Promise<ExpectedSpan[]>;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
  /** Every export attempt's final outcome (after the exporter's own retries). */
  outcomes(): ExportOutcome[];
  /** Outcomes that failed: a test that expects delivery asserts this is empty. */
  failedExports(): ExportOutcome[];
}

/** Wraps an exporter to record each export's outcome: the SDK otherwise only logs failures. */
class RecordingExporter implements SpanExporter {
  readonly results: ExportOutcome[] = [];
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], resultCallback: Parameters<SpanExporter['export']>[1]): void {
    this.inner.export(spans, (result) => {
      this.results.push({ spans: spans.length, code: result.code, error: result.error ? String(result.error.message ?? result.error) : undefined });
      resultCallback(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush ? this.inner.forceFlush() : Promise.resolve();
  }
}

// The exporters type `compression` with an enum of @opentelemetry/otlp-exporter-base (not a direct
// dependency); its values are the strings "gzip" and "none".
type Compression = NonNullable<NonNullable<ConstructorParameters<typeof GrpcExporter>[0]>['compression']>;

export function createExporter(protocol: SdkProtocol, url: string, timeoutMillis = 5000, compression: 'gzip' | 'none' = 'none'): SpanExporter {
  const c = compression as unknown as Compression;
  switch (protocol) {
    case 'grpc':
      return new GrpcExporter({ url, timeoutMillis, compression: c });
    case 'http/protobuf':
      return new HttpProtoExporter({ url, timeoutMillis, compression: c });
    case 'http/json':
      return new HttpJsonExporter({ url, timeoutMillis, compression: c });
  }
}

export function createSdk(opts: SdkOptions): TestSdk {
  const exporter = new RecordingExporter(createExporter(opts.protocol, opts.url, opts.timeoutMillis, opts.compression));
  const processor =
    (opts.processor ?? 'batch') === 'simple'
      ? new SimpleSpanProcessor(exporter)
      : new BatchSpanProcessor(exporter, { maxExportBatchSize: 512, maxQueueSize: 4096, scheduledDelayMillis: 100 });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': opts.serviceName, ...opts.resourceAttributes }),
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer(opts.scopeName ?? 'otelcol-ts-e2e', opts.scopeVersion ?? '1.0.0');

  async function makeSpans(n: number, mo: MakeSpansOptions = {}): Promise<ExpectedSpan[]> {
    const prefix = mo.namePrefix ?? 'op';
    const attrsFor = mo.attributes ?? (() => ({}));
    const oneTrace = mo.oneTrace ?? true;
    const expected: ExpectedSpan[] = [];
    if (n <= 0) return expected;
    const record = (name: string, span: ReturnType<Tracer['startSpan']>, parent: string | undefined, attributes: Attributes) => {
      const sc = span.spanContext();
      expected.push({ name, traceId: sc.traceId, spanId: sc.spanId, parentSpanId: parent, attributes });
    };
    if (oneTrace) {
      const rootAttrs = attrsFor(0);
      const root = tracer.startSpan(`${prefix}-root`, { attributes: rootAttrs });
      record(`${prefix}-root`, root, undefined, rootAttrs);
      const ctx = trace.setSpan(context.active(), root);
      for (let i = 1; i < n; i++) {
        const a = attrsFor(i);
        const child = tracer.startSpan(`${prefix}-${i}`, { attributes: a }, ctx);
        record(`${prefix}-${i}`, child, root.spanContext().spanId, a);
        child.end();
        if (mo.flushEach) await provider.forceFlush();
      }
      root.end(); // the root ends last, like a real request
    } else {
      for (let i = 0; i < n; i++) {
        const a = attrsFor(i);
        const span = tracer.startSpan(`${prefix}-${i}`, { attributes: a });
        record(`${prefix}-${i}`, span, undefined, a);
        span.end();
        if (mo.flushEach) await provider.forceFlush();
      }
    }
    await provider.forceFlush();
    return expected;
  }

  return {
    provider,
    tracer,
    makeSpans,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
    outcomes: () => [...exporter.results],
    failedExports: () => exporter.results.filter((r) => r.code !== 0),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Metrics: a MeterProvider with a PeriodicExportingMetricReader (long interval: exports happen on flush() and
// on shutdown()) and the official OTLP metric exporters.
//
//   const m = createMeterSdk({ protocol: 'grpc', url, serviceName: 'shop', temporality: 'lowmemory' });
//   m.meter.createCounter('orders').add(3, { 'shop.region': 'eu' });
//   await m.flush();             // one collection → one export
//   await m.shutdown();          // one more collection → one more export
//   m.sentRequests()             // canonical ExportMetricsServiceRequests of every successful export
//
// What the SDK sent is known exactly: the wrapper serializes each exported ResourceMetrics with the very
// serializer module the exporter package uses (its own @opentelemetry/otlp-transformer) at export time and
// decodes the bytes with the protobufjs oracle. Tests compare that with what the backend decoded.


interface RequestSerializer<T> {
  serializeRequest(request: T): Uint8Array | undefined;
}

/** The @opentelemetry/otlp-transformer the given exporter package itself loads (nested versions differ). */
function transformerOf(exporterPackage: string): Record<string, unknown> {
  const pkgMain = require.resolve(exporterPackage);
  const fromDir = nodePath.dirname(pkgMain);
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require(require.resolve('@opentelemetry/otlp-transformer', { paths: [fromDir] })) as Record<string, unknown>;
}

function metricsSerializer(protocol: SdkProtocol): RequestSerializer<ResourceMetrics> {
  const pkg = protocol === 'grpc' ? '@opentelemetry/exporter-metrics-otlp-grpc' : protocol === 'http/protobuf' ? '@opentelemetry/exporter-metrics-otlp-proto' : '@opentelemetry/exporter-metrics-otlp-http';
  return transformerOf(pkg).ProtobufMetricsSerializer as RequestSerializer<ResourceMetrics>;
}

function logsSerializer(protocol: SdkProtocol): RequestSerializer<ReadableLogRecord[]> {
  const pkg = protocol === 'grpc' ? '@opentelemetry/exporter-logs-otlp-grpc' : protocol === 'http/protobuf' ? '@opentelemetry/exporter-logs-otlp-proto' : '@opentelemetry/exporter-logs-otlp-http';
  return transformerOf(pkg).ProtobufLogsSerializer as RequestSerializer<ReadableLogRecord[]>;
}

/** One export the SDK made: its outcome and, decoded by the oracle, exactly what it sent. */
export interface SentRequest {
  /** 0 = SUCCESS, 1 = FAILED. */
  code: number;
  error?: string;
  /** Canonical Export{Metrics,Logs}ServiceRequest (oracle form). */
  request: Record<string, unknown>;
}

export type MetricTemporality = 'cumulative' | 'delta' | 'lowmemory';

export interface MeterSdkOptions {
  protocol: SdkProtocol;
  /** gRPC: http://127.0.0.1:4317 · HTTP: the full metrics URL, http://127.0.0.1:4318/v1/metrics. */
  url: string;
  serviceName: string;
  resourceAttributes?: Attributes;
  /** The exporter's temporality preference (default cumulative). lowmemory: delta for counters and histograms. */
  temporality?: MetricTemporality;
  views?: ViewOptions[];
  scopeName?: string;
  scopeVersion?: string;
  timeoutMillis?: number;
}

export interface TestMeterSdk {
  provider: MeterProvider;
  meter: Meter;
  /** Collect and export now (one export). */
  flush(): Promise<void>;
  /** Final collection and export, then shut down. */
  shutdown(): Promise<void>;
  /** Every export, in order, with what it carried. */
  sent(): SentRequest[];
  /** The canonical requests of successful exports. */
  sentRequests(): Record<string, unknown>[];
  failedExports(): SentRequest[];
}

class RecordingMetricExporter implements PushMetricExporter {
  readonly results: SentRequest[] = [];
  constructor(
    private readonly inner: PushMetricExporter,
    private readonly serializer: RequestSerializer<ResourceMetrics>,
  ) {
    // PeriodicExportingMetricReader reads these at construction: forward them only when the inner exporter has them.
    if (inner.selectAggregationTemporality) this.selectAggregationTemporality = (t: InstrumentType) => inner.selectAggregationTemporality!(t);
    if (inner.selectAggregation) this.selectAggregation = (t: InstrumentType) => inner.selectAggregation!(t);
  }
  selectAggregationTemporality?: PushMetricExporter['selectAggregationTemporality'];
  selectAggregation?: PushMetricExporter['selectAggregation'];
  export(metrics: ResourceMetrics, resultCallback: Parameters<PushMetricExporter['export']>[1]): void {
    // Serialize now: the SDK may reuse its structures for the next collection.
    const bytes = this.serializer.serializeRequest(metrics) ?? new Uint8Array(0);
    const request = oracleDecodeMetrics(bytes);
    this.inner.export(metrics, (result) => {
      this.results.push({ code: result.code, error: result.error ? String(result.error.message ?? result.error) : undefined, request });
      resultCallback(result);
    });
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

export function createMetricExporter(protocol: SdkProtocol, url: string, temporality: MetricTemporality = 'cumulative', timeoutMillis = 5000): PushMetricExporter {
  const temporalityPreference =
    temporality === 'delta' ? AggregationTemporalityPreference.DELTA : temporality === 'lowmemory' ? AggregationTemporalityPreference.LOWMEMORY : AggregationTemporalityPreference.CUMULATIVE;
  switch (protocol) {
    case 'grpc':
      return new GrpcMetricExporter({ url, timeoutMillis, temporalityPreference });
    case 'http/protobuf':
      return new HttpProtoMetricExporter({ url, timeoutMillis, temporalityPreference });
    case 'http/json':
      return new HttpJsonMetricExporter({ url, timeoutMillis, temporalityPreference });
  }
}

export function createMeterSdk(opts: MeterSdkOptions): TestMeterSdk {
  const exporter = new RecordingMetricExporter(createMetricExporter(opts.protocol, opts.url, opts.temporality, opts.timeoutMillis), metricsSerializer(opts.protocol));
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000, exportTimeoutMillis: opts.timeoutMillis ?? 5000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': opts.serviceName, ...opts.resourceAttributes }),
    views: opts.views,
    readers: [reader],
  });
  const meter = provider.getMeter(opts.scopeName ?? 'otelcol-ts-e2e', opts.scopeVersion ?? '1.0.0');
  return {
    provider,
    meter,
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
    sent: () => [...exporter.results],
    sentRequests: () => exporter.results.filter((r) => r.code === 0).map((r) => r.request),
    failedExports: () => exporter.results.filter((r) => r.code !== 0),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Logs: a LoggerProvider with a simple or batch processor and the official OTLP log exporters.
//
//   const l = createLoggerSdk({ protocol: 'http/protobuf', url: `http://127.0.0.1:${port}/v1/logs`, serviceName: 'shop' });
//   l.logger.emit({ severityNumber: SeverityNumber.WARN, severityText: 'WARN', body: 'disk almost full' });
//   await l.shutdown();
//   l.sentRequests()   // canonical ExportLogsServiceRequests of every successful export

export interface LoggerSdkOptions {
  protocol: SdkProtocol;
  /** gRPC: http://127.0.0.1:4317 · HTTP: the full logs URL, http://127.0.0.1:4318/v1/logs. */
  url: string;
  serviceName: string;
  resourceAttributes?: Attributes;
  /** simple: one export per record; batch: BatchLogRecordProcessor (one export per flush). Default batch. */
  processor?: 'simple' | 'batch';
  scopeName?: string;
  scopeVersion?: string;
  timeoutMillis?: number;
}

export interface TestLoggerSdk {
  provider: LoggerProvider;
  logger: Logger;
  /** Export what is buffered and wait until no export is in flight. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
  sent(): SentRequest[];
  sentRequests(): Record<string, unknown>[];
  failedExports(): SentRequest[];
}

class RecordingLogExporter implements LogRecordExporter {
  readonly results: SentRequest[] = [];
  constructor(
    private readonly inner: LogRecordExporter,
    private readonly serializer: RequestSerializer<ReadableLogRecord[]>,
  ) {}
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  export(logs: ReadableLogRecord[], resultCallback: Parameters<LogRecordExporter['export']>[1]): void {
    const request = oracleDecodeLogs(this.serializer.serializeRequest(logs) ?? new Uint8Array(0));
    this.inFlight++;
    this.inner.export(logs, (result) => {
      this.results.push({ code: result.code, error: result.error ? String(result.error.message ?? result.error) : undefined, request });
      resultCallback(result);
      if (--this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
    });
  }
  /** Resolves when no export is in flight (SimpleLogRecordProcessor.forceFlush does not wait for its exports). */
  idle(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((r) => this.idleWaiters.push(r));
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

export function createLogExporter(protocol: SdkProtocol, url: string, timeoutMillis = 5000): LogRecordExporter {
  switch (protocol) {
    case 'grpc':
      return new GrpcLogExporter({ url, timeoutMillis });
    case 'http/protobuf':
      return new HttpProtoLogExporter({ url, timeoutMillis });
    case 'http/json':
      return new HttpJsonLogExporter({ url, timeoutMillis });
  }
}

export function createLoggerSdk(opts: LoggerSdkOptions): TestLoggerSdk {
  const exporter = new RecordingLogExporter(createLogExporter(opts.protocol, opts.url, opts.timeoutMillis), logsSerializer(opts.protocol));
  const processor =
    (opts.processor ?? 'batch') === 'simple'
      ? new SimpleLogRecordProcessor({ exporter })
      : new BatchLogRecordProcessor({ exporter, maxExportBatchSize: 512, maxQueueSize: 4096, scheduledDelayMillis: 100 });
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': opts.serviceName, ...opts.resourceAttributes }),
    processors: [processor],
  });
  const logger = provider.getLogger(opts.scopeName ?? 'otelcol-ts-e2e', opts.scopeVersion ?? '1.0.0');
  return {
    provider,
    logger,
    flush: async () => {
      await provider.forceFlush();
      await exporter.idle();
    },
    shutdown: () => provider.shutdown(),
    sent: () => [...exporter.results],
    sentRequests: () => exporter.results.filter((r) => r.code === 0).map((r) => r.request),
    failedExports: () => exporter.results.filter((r) => r.code !== 0),
  };
}
