// The `otlp` receiver: one instance per receiver id, serving every signal whose consumer it was given, over
// gRPC and/or HTTP. Ports open in start() only. Self-metrics (Go names, per batch, labels receiver + transport):
//   otelcol_receiver_accepted_spans  spans the pipeline accepted
//   otelcol_receiver_refused_spans   spans the pipeline refused (consumer error, or rejected in a partial success)
//   otelcol_receiver_failed_spans    internal failures; 0 like Go without its receiverhelper.newReceiverMetrics gate
// Requests that fail to decode are not counted (as in Go: the spans were never received).

import type { Component, Consumers, CreateSettings, Counter, Host, Logger, TracesConsumer } from '../../component/types';
import { Lifecycle } from '../../component/types';
import { DecodeError, OtelTsError } from '../../errors';
import { TraceBatch } from '../../pdata/traces';
import { maxRecvMsgBytes, type OtlpReceiverConfig } from './config';
import { OtlpGrpcServer, type GrpcMethod, type UnaryResult } from './grpc-server';
import { OtlpHttpServer, type HttpFormat, type HttpResult, type HttpRoute } from './http-server';
import {
  consumerErrorToWire,
  encodeTraceResponse,
  PartialSuccessError,
  receiverErrorToWire,
  traceResponseJson,
  type PartialSuccess,
  type WireError,
} from './status';

export const TRACE_SERVICE_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

export type Transport = 'grpc' | 'http';

export interface OtlpReceiverOptions {
  /** How long shutdown() lets in-flight requests finish before closing connections (ms). Default 10 s. */
  shutdownGraceMs?: number;
}

interface TransportMetrics {
  accepted: Counter;
  refused: Counter;
  failed: Counter;
}

/** Logs at most one record per key per interval (data-path logging must be rate limited). */
class RateLimitedLog {
  private readonly last = new Map<string, number>();
  private readonly suppressed = new Map<string, number>();
  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 10_000,
  ) {}
  log(level: 'debug' | 'warn', key: string, msg: string, fields: Record<string, unknown>): void {
    const now = Date.now();
    const prev = this.last.get(key) ?? -Infinity;
    if (now - prev < this.intervalMs) {
      this.suppressed.set(key, (this.suppressed.get(key) ?? 0) + 1);
      return;
    }
    const dropped = this.suppressed.get(key) ?? 0;
    this.suppressed.delete(key);
    this.last.set(key, now);
    this.logger[level](msg, dropped ? { ...fields, suppressed_since_last: dropped } : fields);
  }
}

export type ExportOutcome = { ok: true; partial?: PartialSuccess } | { ok: false; error: WireError };

export class OtlpReceiver implements Component {
  private readonly lifecycle = new Lifecycle();
  private readonly metrics: Record<Transport, TransportMetrics>;
  private readonly log: RateLimitedLog;
  private readonly logger: Logger;
  private readonly traces: TracesConsumer | undefined;
  private grpc: OtlpGrpcServer | undefined;
  private http: OtlpHttpServer | undefined;
  private readonly graceMs: number;
  private readonly inflight: Record<Transport, { requests: number; bytes: number }> = {
    grpc: { requests: 0, bytes: 0 },
    http: { requests: 0, bytes: 0 },
  };

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: OtlpReceiverConfig,
    consumers: Consumers,
    opts: OtlpReceiverOptions = {},
  ) {
    this.logger = set.logger;
    this.log = new RateLimitedLog(set.logger);
    this.traces = consumers.traces;
    this.graceMs = opts.shutdownGraceMs ?? 10_000;
    const m = (transport: Transport): TransportMetrics => {
      const labels = { receiver: set.id.id, transport };
      return {
        accepted: set.meter.counter('otelcol_receiver_accepted_spans', 'Number of spans successfully pushed into the pipeline.', labels),
        refused: set.meter.counter('otelcol_receiver_refused_spans', 'Number of spans that could not be pushed into the pipeline.', labels),
        failed: set.meter.counter(
          'otelcol_receiver_failed_spans',
          'The number of spans that failed to be processed by the receiver due to internal errors.',
          labels,
        ),
      };
    };
    // Series only for the enabled protocols.
    const enabled: Transport[] = [];
    if (cfg.protocols.grpc) enabled.push('grpc');
    if (cfg.protocols.http) enabled.push('http');
    this.metrics = Object.fromEntries(enabled.map((t) => [t, m(t)])) as Record<Transport, TransportMetrics>;
    // Request bodies held from receipt to answer: each is capped (max_recv_msg_size_mib / max_request_body_size);
    // these gauges show the total (ours, not a Go metric).
    for (const t of enabled) {
      const labels = { receiver: set.id.id, transport: t };
      set.meter.observableGauge('otelcol_receiver_inflight_requests', 'OTLP requests being processed (otelcol-ts).', labels, () => this.inflight[t].requests);
      set.meter.observableGauge('otelcol_receiver_inflight_bytes', 'Bytes of OTLP request bodies being processed (otelcol-ts).', labels, () => this.inflight[t].bytes);
    }
  }

  private async tracked<T>(transport: Transport, bytes: number, fn: () => Promise<T>): Promise<T> {
    const f = this.inflight[transport];
    f.requests++;
    f.bytes += bytes;
    try {
      return await fn();
    } finally {
      f.requests--;
      f.bytes -= bytes;
    }
  }

  /** Bound gRPC address (`127.0.0.1:4317`, or the socket path) once started; undefined when gRPC is off. */
  get grpcAddress(): string | undefined {
    return this.grpc?.address;
  }

  /** Bound HTTP address once started; undefined when HTTP is off. */
  get httpAddress(): string | undefined {
    return this.http?.address;
  }

  get grpcPort(): number | undefined {
    return this.grpc?.port;
  }

  get httpPort(): number | undefined {
    return this.http?.port;
  }

  start(host: Host): Promise<void> {
    return this.lifecycle.start(async () => {
      const id = this.set.id.id;
      const fatal = (err: Error) => {
        this.logger.error('OTLP receiver server failed', { error: err.message });
        host.reportStatus(`receiver:${id}`, 'permanent_error');
      };
      const what = `receiver ${JSON.stringify(id)}`;
      const { grpc, http } = this.cfg.protocols;
      if (grpc) {
        const methods: GrpcMethod[] = [];
        if (this.traces) methods.push({ path: TRACE_SERVICE_EXPORT, handler: (b) => this.grpcTraces(b) });
        const server = new OtlpGrpcServer(grpc, methods, this.logger, what);
        await server.start();
        this.grpc = server;
      }
      if (http) {
        const routes: HttpRoute[] = [];
        if (this.traces) routes.push({ path: http.traces_url_path, handler: (b, f) => this.httpTraces(b, f) });
        const server = new OtlpHttpServer(http, routes, this.logger, what);
        server.onFatal = fatal;
        try {
          await server.start();
        } catch (e) {
          // Do not leave the gRPC server running when HTTP cannot start.
          await this.grpc?.shutdown(0);
          this.grpc = undefined;
          throw e;
        }
        this.http = server;
      }
      if (grpc) this.logger.debug('gRPC limits', { max_recv_msg_size_bytes: maxRecvMsgBytes(grpc) });
    });
  }

  shutdown(): Promise<void> {
    return this.lifecycle.shutdown(async () => {
      await Promise.all([this.http?.shutdown(this.graceMs), this.grpc?.shutdown(this.graceMs)]);
    });
  }

  // ---- traces

  private decodeTraces(body: Buffer, format: HttpFormat | 'grpc'): TraceBatch {
    try {
      return format === 'json' ? TraceBatch.fromJSON(body) : TraceBatch.decode(body);
    } catch (e) {
      if (e instanceof OtelTsError) throw e;
      // A decoder that trips over input (RangeError, ...) was given malformed data: a 400, not a 500.
      throw new DecodeError(`malformed ${format === 'json' ? 'JSON' : 'protobuf'} request: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Hand a decoded batch to the traces consumer; counts it and maps the outcome. */
  async exportTraces(batch: TraceBatch, transport: Transport): Promise<ExportOutcome> {
    const n = batch.spanCount;
    if (n === 0) return { ok: true };
    const m = this.metrics[transport];
    try {
      await this.traces!.consumeTraces(batch);
      m.accepted.add(n);
      return { ok: true };
    } catch (e) {
      if (e instanceof PartialSuccessError) {
        const rejected = Math.min(n, Math.max(0, Math.floor(e.rejectedSpans)));
        if (n - rejected > 0) m.accepted.add(n - rejected);
        if (rejected > 0) m.refused.add(rejected);
        return { ok: true, partial: { rejectedSpans: rejected, errorMessage: e.message } };
      }
      m.refused.add(n);
      const error = consumerErrorToWire(e);
      this.log.log('warn', `refused:${transport}`, 'the pipeline refused spans', {
        transport,
        spans: n,
        error: error.message,
        grpc_code: error.grpcCode,
      });
      return { ok: false, error };
    }
  }

  private grpcTraces(body: Buffer): Promise<UnaryResult> {
    return this.tracked('grpc', body.length, () => this.grpcTracesInner(body));
  }

  private httpTraces(body: Buffer, format: HttpFormat): Promise<HttpResult> {
    return this.tracked('http', body.length, () => this.httpTracesInner(body, format));
  }

  private async grpcTracesInner(body: Buffer): Promise<UnaryResult> {
    let batch: TraceBatch;
    try {
      batch = this.decodeTraces(body, 'grpc');
    } catch (e) {
      this.log.log('debug', 'decode:grpc', 'malformed OTLP/gRPC traces request', { error: (e as Error)?.message });
      return { ok: false, error: receiverErrorToWire(e) };
    }
    const out = await this.exportTraces(batch, 'grpc');
    return out.ok ? { ok: true, response: encodeTraceResponse(out.partial) } : out;
  }

  private async httpTracesInner(body: Buffer, format: HttpFormat): Promise<HttpResult> {
    let batch: TraceBatch;
    try {
      batch = this.decodeTraces(body, format);
    } catch (e) {
      this.log.log('debug', 'decode:http', 'malformed OTLP/HTTP traces request', { format, error: (e as Error)?.message });
      return { ok: false, error: receiverErrorToWire(e) };
    }
    const out = await this.exportTraces(batch, 'http');
    if (!out.ok) return out;
    return { ok: true, proto: () => encodeTraceResponse(out.partial), json: () => traceResponseJson(out.partial) };
  }
}
