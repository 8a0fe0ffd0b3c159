// A real OpenTelemetry JS SDK (2.x) tracer for end-to-end tests, exporting with the official OTLP exporters:
// gRPC (@opentelemetry/exporter-trace-otlp-grpc), HTTP/protobuf (-proto) or HTTP/JSON (-http).
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
