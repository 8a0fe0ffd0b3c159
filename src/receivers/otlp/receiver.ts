// The `otlp` receiver: one instance per receiver id, serving every signal whose consumer it was given (traces,
// metrics, logs), over gRPC and/or HTTP. A signal without a pipeline has no gRPC service (UNIMPLEMENTED) and no
// HTTP route (404), as in Go. Ports open in start() only. The per-signal differences (service names, paths,
// decoders, response field names, metric names) come from the table in ./signals.ts.
// Self-metrics (Go names, per batch, labels receiver + transport; <items> = spans | metric_points | log_records):
//   otelcol_receiver_accepted_<items>  items the pipeline accepted
//   otelcol_receiver_refused_<items>   items the pipeline refused (consumer error, or rejected in a partial success)
//   otelcol_receiver_failed_<items>    internal failures; 0 like Go without its receiverhelper.newReceiverMetrics gate
// Series exist for the signals the receiver serves. Requests that fail to decode are not counted (as in Go: the
// items were never received). Empty requests are answered success without calling the pipeline (as in Go).

import type { Component, Consumers, CreateSettings, Counter, Host, Logger, Signal } from '../../component/types';
import { Lifecycle, SIGNALS } from '../../component/types';
import { ConfigError, DecodeError, OtelTsError } from '../../errors';
import { maxRecvMsgBytes, type OtlpReceiverConfig } from './config';
import { OtlpGrpcServer, type GrpcMethod, type UnaryResult } from './grpc-server';
import { OtlpHttpServer, type HttpFormat, type HttpResult, type HttpRoute } from './http-server';
import { OTLP_SIGNALS, otlpSignal, type BatchOf, type ConsumerOf, type OtlpSignal } from './signals';
import { jsonToTraceRequest } from '../../pdata/otlp-json';

/**
 * A traces consumer that takes the request's protobuf bytes instead of a decoded batch: the worker pool's
 * (src/workers/frame.ts: the acceptor frames and cuts the request by trace id, the workers decode their parts).
 * What it returns is handed back to its consumeTraces; `itemCount` is what the receiver counts.
 */
interface FramingConsumer {
  frameTraces?: (bytes: Uint8Array) => { readonly itemCount: number };
  /** Buffers for protobuf bodies that frameTraces may hand on without a copy; released once answered. */
  allocBody?: (n: number) => Buffer;
  releaseBody?: (body: Buffer) => void;
}
import {
  consumerErrorToWire,
  encodeExportResponse,
  exportResponseJson,
  PartialSuccessError,
  receiverErrorToWire,
  type PartialSuccess,
  type WireError,
} from './status';

export const TRACE_SERVICE_EXPORT = OTLP_SIGNALS.traces.grpcMethod;
export const METRICS_SERVICE_EXPORT = OTLP_SIGNALS.metrics.grpcMethod;
export const LOGS_SERVICE_EXPORT = OTLP_SIGNALS.logs.grpcMethod;

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

/** One signal the receiver serves: its wire facts, its consumer and its counters per enabled transport. */
interface Served<S extends Signal = Signal> {
  readonly spec: OtlpSignal<S>;
  readonly consumer: ConsumerOf<S>;
  readonly metrics: Partial<Record<Transport, TransportMetrics>>;
}

export class OtlpReceiver implements Component {
  private readonly lifecycle = new Lifecycle();
  private readonly log: RateLimitedLog;
  private readonly logger: Logger;
  /** The signals with a consumer, in traces, metrics, logs order. */
  private readonly served: Served[] = [];
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
    this.graceMs = opts.shutdownGraceMs ?? 10_000;
    // Series only for the enabled protocols.
    const enabled: Transport[] = [];
    if (cfg.protocols.grpc) enabled.push('grpc');
    if (cfg.protocols.http) enabled.push('http');
    for (const signal of SIGNALS) {
      const consumer = consumers[signal];
      if (!consumer) continue;
      const spec = otlpSignal(signal);
      const metrics: Partial<Record<Transport, TransportMetrics>> = {};
      for (const t of enabled) metrics[t] = this.counters(spec, t);
      this.served.push({ spec, consumer, metrics } as Served);
    }
    // Request bodies held from receipt to answer: each is capped (max_recv_msg_size_mib / max_request_body_size);
    // these gauges show the total (ours, not a Go metric).
    for (const t of enabled) {
      const labels = { receiver: set.id.id, transport: t };
      set.meter.observableGauge('otelcol_receiver_inflight_requests', 'OTLP requests being processed (otelcol-ts).', labels, () => this.inflight[t].requests);
      set.meter.observableGauge('otelcol_receiver_inflight_bytes', 'Bytes of OTLP request bodies being processed (otelcol-ts).', labels, () => this.inflight[t].bytes);
    }
  }

  private counters(spec: OtlpSignal, transport: Transport): TransportMetrics {
    const labels = { receiver: this.set.id.id, transport };
    const m = this.set.meter;
    const u = spec.unit;
    const w = spec.items;
    return {
      accepted: m.counter(`otelcol_receiver_accepted_${u}`, `Number of ${w} successfully pushed into the pipeline.`, labels),
      refused: m.counter(`otelcol_receiver_refused_${u}`, `Number of ${w} that could not be pushed into the pipeline.`, labels),
      failed: m.counter(`otelcol_receiver_failed_${u}`, `The number of ${w} that failed to be processed by the receiver due to internal errors.`, labels),
    };
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

  /** The signals this receiver serves (those it was given a consumer for). */
  get signals(): Signal[] {
    return this.served.map((s) => s.spec.signal);
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
      let routes: HttpRoute[] = [];
      if (http) {
        routes = this.served.map((sv) => {
          const fc = sv.consumer as FramingConsumer;
          const protoBody = fc.frameTraces && fc.allocBody && fc.releaseBody ? { alloc: fc.allocBody, release: fc.releaseBody } : undefined;
          return { path: http[sv.spec.urlPathKey], handler: (b: Buffer, f: HttpFormat) => this.onHttp(sv, b, f), protoBody };
        });
        // Go's ServeMux refuses a second handler for one pattern: the collector does not start.
        const seen = new Map<string, Signal>();
        for (let i = 0; i < routes.length; i++) {
          const sig = this.served[i]!.spec.signal;
          const prev = seen.get(routes[i]!.path);
          if (prev) {
            throw ConfigError.at(
              `receivers.${id}.protocols.http.${this.served[i]!.spec.urlPathKey}`,
              `the ${sig} and ${prev} pipelines both use the HTTP path ${JSON.stringify(routes[i]!.path)}`,
            );
          }
          seen.set(routes[i]!.path, sig);
        }
      }
      if (grpc) {
        const methods: GrpcMethod[] = this.served.map((sv) => ({ path: sv.spec.grpcMethod, handler: (b: Buffer) => this.onGrpc(sv, b) }));
        const server = new OtlpGrpcServer(grpc, methods, this.logger, what);
        await server.start();
        this.grpc = server;
      }
      if (http) {
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

  // ---- any signal

  private decode<S extends Signal>(sv: Served<S>, body: Buffer, format: HttpFormat | 'grpc'): BatchOf<S> {
    const spec = sv.spec;
    try {
      const frame = (sv.consumer as FramingConsumer).frameTraces;
      if (frame !== undefined) return frame(format === 'json' ? jsonToTraceRequest(body) : body) as unknown as BatchOf<S>;
      return format === 'json' ? spec.fromJSON(body) : spec.decode(body);
    } catch (e) {
      if (e instanceof OtelTsError) throw e;
      // A decoder that trips over input (RangeError, ...) was given malformed data: a 400, not a 500.
      throw new DecodeError(`malformed ${format === 'json' ? 'JSON' : 'protobuf'} request: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Hand a decoded batch to the signal's consumer; counts it and maps the outcome. */
  private async export<S extends Signal>(sv: Served<S>, batch: BatchOf<S>, transport: Transport): Promise<ExportOutcome> {
    const n = batch.itemCount;
    if (n === 0) return { ok: true };
    const m = sv.metrics[transport]!;
    try {
      await sv.spec.consume(sv.consumer, batch);
      m.accepted.add(n);
      return { ok: true };
    } catch (e) {
      if (e instanceof PartialSuccessError) {
        const rejected = Math.min(n, Math.max(0, Math.floor(e.rejected)));
        if (n - rejected > 0) m.accepted.add(n - rejected);
        if (rejected > 0) m.refused.add(rejected);
        return { ok: true, partial: { rejected, errorMessage: e.message } };
      }
      m.refused.add(n);
      const error = consumerErrorToWire(e);
      this.log.log('warn', `refused:${sv.spec.signal}:${transport}`, `the pipeline refused ${sv.spec.items}`, {
        transport,
        signal: sv.spec.signal,
        items: n,
        error: error.message,
        grpc_code: error.grpcCode,
      });
      return { ok: false, error };
    }
  }

  private onGrpc<S extends Signal>(sv: Served<S>, body: Buffer): Promise<UnaryResult> {
    return this.tracked('grpc', body.length, async () => {
      let batch: BatchOf<S>;
      try {
        batch = this.decode(sv, body, 'grpc');
      } catch (e) {
        this.log.log('debug', `decode:${sv.spec.signal}:grpc`, `malformed OTLP/gRPC ${sv.spec.signal} request`, { error: (e as Error)?.message });
        return { ok: false, error: receiverErrorToWire(e) };
      }
      const out = await this.export(sv, batch, 'grpc');
      return out.ok ? { ok: true, response: encodeExportResponse(out.partial) } : out;
    });
  }

  private onHttp<S extends Signal>(sv: Served<S>, body: Buffer, format: HttpFormat): Promise<HttpResult> {
    return this.tracked('http', body.length, async () => {
      let batch: BatchOf<S>;
      try {
        batch = this.decode(sv, body, format);
      } catch (e) {
        this.log.log('debug', `decode:${sv.spec.signal}:http`, `malformed OTLP/HTTP ${sv.spec.signal} request`, { format, error: (e as Error)?.message });
        return { ok: false, error: receiverErrorToWire(e) };
      }
      const out = await this.export(sv, batch, 'http');
      if (!out.ok) return out;
      const key = sv.spec.rejectedJsonKey;
      return { ok: true, proto: () => encodeExportResponse(out.partial), json: () => exportResponseJson(key, out.partial) };
    });
  }
}
