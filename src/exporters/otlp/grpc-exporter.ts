// OTLP/gRPC exporter client for one signal (TraceService, MetricsService or LogsService Export): one grpc-js
// channel per exporter instance (as Go: one connection per signal's exporter), raw-Buffer (de)serializers, so a
// batch nobody modified goes out as its original bytes (copied once, into a pooled buffer) and the response is read by a small
// protobuf reader. Errors are classified like the Go otlpexporter (processError/shouldRetry):
//   retryable: CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS,
//              RESOURCE_EXHAUSTED only when the server sent a google.rpc.RetryInfo (its delay is honoured);
//   permanent: everything else (INVALID_ARGUMENT, UNIMPLEMENTED, UNAUTHENTICATED, ...).
// A partial success is logged (warn "Partial success response" with dropped_spans / dropped_data_points /
// dropped_log_records, as Go) and its rejected items counted as failed.

import * as grpc from '@grpc/grpc-js';
import * as tls from 'node:tls';
import type { Logger, Signal } from '../../component/types';
import { GrpcStatus } from '../../errors';
import type { BatchOf, OtlpSignal } from '../../receivers/otlp/signals';
import { BackendError, grpcCodeName } from '../exporterhelper/errors';
import type { PushResult } from '../exporterhelper/exporter-helper';
import { decodePartialSuccess, decodeRpcStatus, retryInfoSeconds } from '../internal/otlp-response';
import { httpStatusFromGrpc } from '../internal/status-map';
import { loadClientTls } from '../internal/tls';
import { userAgent } from '../internal/user-agent';
import { LimitedLogger } from '../exporterhelper/log-limiter';
import { parseGrpcEndpoint, type OtlpExporterConfig } from './config';
import { asServiceError, H2GrpcClient } from './h2-client';

/** HTTP/2 flow-control window: grpc-js's 64 KiB default caps a channel at a few hundred 500-span requests/s. */
export const FLOW_CONTROL_WINDOW = 8 * 1024 * 1024;

const identity = (b: Buffer): Buffer => b;

/** Go's shouldRetry. */
export function isRetryableGrpcCode(code: number, hasRetryInfo: boolean): boolean {
  switch (code) {
    case GrpcStatus.CANCELLED:
    case GrpcStatus.DEADLINE_EXCEEDED:
    case GrpcStatus.ABORTED:
    case GrpcStatus.OUT_OF_RANGE:
    case GrpcStatus.UNAVAILABLE:
    case GrpcStatus.DATA_LOSS:
      return true;
    case GrpcStatus.RESOURCE_EXHAUSTED:
      return hasRetryInfo;
    default:
      return false;
  }
}

/** Go's processError: a grpc-js error as a BackendError (status, retryability, server-requested delay). */
export function classifyGrpcError(err: grpc.ServiceError): BackendError {
  const code = typeof err.code === 'number' ? err.code : GrpcStatus.UNKNOWN;
  let retryDelay: number | undefined;
  const bin = err.metadata?.get('grpc-status-details-bin')[0];
  if (Buffer.isBuffer(bin)) {
    try {
      retryDelay = retryInfoSeconds(decodeRpcStatus(bin));
    } catch {
      // unreadable details: no RetryInfo
    }
  }
  const retryable = isRetryableGrpcCode(code, retryDelay !== undefined);
  return new BackendError(`rpc error: code = ${grpcCodeName(code)} desc = ${err.details ?? err.message}`, {
    retryable,
    grpcStatus: code,
    httpStatus: httpStatusFromGrpc(code),
    retryAfterSeconds: retryable && retryDelay ? retryDelay : undefined,
    cause: err,
  });
}

export class OtlpGrpcClient<S extends Signal = Signal> {
  private client: grpc.Client | undefined;
  /** `grpc_client: http2` (h2-client.ts) instead of grpc-js. */
  private h2: H2GrpcClient | undefined;
  private readonly metadata: grpc.Metadata;
  private readonly log: LimitedLogger;
  /** A `headers` key gRPC cannot carry (not [0-9a-z-_.]): every export fails with Internal, as in Go. */
  private badHeader: string | undefined;

  constructor(
    private readonly cfg: OtlpExporterConfig,
    logger: Logger,
    private readonly spec: OtlpSignal<S>,
  ) {
    this.log = new LimitedLogger(logger);
    this.metadata = new grpc.Metadata({ waitForReady: cfg.wait_for_ready });
    for (const [k, v] of Object.entries(cfg.headers)) {
      try {
        if (k.toLowerCase().endsWith('-bin')) this.metadata.set(k, Buffer.from(v));
        else this.metadata.set(k, v);
      } catch {
        // As Go: such a config validates and the collector starts, but every export fails (grpc-go refuses the
        // header at send time). Keep the first offending key for that error.
        this.badHeader ??= k;
      }
    }
  }

  /** Opens the channel (TLS files are read here) and starts connecting, like Go's ToClientConn + Connect. */
  async start(): Promise<void> {
    const cfg = this.cfg;
    if (this.badHeader !== undefined) this.log.warn('gRPC cannot carry a configured header: every export will fail', { header: this.badHeader });
    const ep = parseGrpcEndpoint(cfg.endpoint);
    const loaded = await loadClientTls(cfg.tls);
    if (cfg.grpc_client === 'http2') {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(cfg.headers)) {
        const key = k.toLowerCase();
        headers[key] = key.endsWith('-bin') ? Buffer.from(v).toString('base64') : v;
      }
      this.h2 = new H2GrpcClient({
        target: ep.target,
        tls: loaded,
        https: ep.https,
        authority: cfg.authority || undefined,
        userAgent: cfg.user_agent || userAgent(),
        headers,
        gzip: cfg.compression === 'gzip',
        window: FLOW_CONTROL_WINDOW,
        keepalive: cfg.keepalive ? { timeMs: cfg.keepalive.time, timeoutMs: cfg.keepalive.timeout } : undefined,
      });
      return;
    }
    let creds: grpc.ChannelCredentials;
    const options: grpc.ChannelOptions = {
      'grpc.primary_user_agent': cfg.user_agent || userAgent(),
      'grpc.default_compression_algorithm': cfg.compression === 'gzip' ? grpc.compressionAlgorithms.gzip : grpc.compressionAlgorithms.identity,
      'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW,
      'grpc.max_send_message_length': -1,
      'grpc.max_receive_message_length': 4 * 1024 * 1024,
    };
    if (cfg.balancer_name) options['grpc.service_config'] = JSON.stringify({ loadBalancingConfig: [{ [cfg.balancer_name]: {} }] });
    if (cfg.authority) options['grpc.default_authority'] = cfg.authority;
    if (cfg.keepalive) {
      options['grpc.keepalive_time_ms'] = cfg.keepalive.time;
      options['grpc.keepalive_timeout_ms'] = cfg.keepalive.timeout;
      options['grpc.keepalive_permit_without_calls'] = cfg.keepalive.permit_without_stream ? 1 : 0;
    }
    if (loaded) {
      const ctx = tls.createSecureContext({ ca: loaded.ca, cert: loaded.cert, key: loaded.key, minVersion: loaded.minVersion, maxVersion: loaded.maxVersion });
      creds = grpc.credentials.createFromSecureContext(ctx, { rejectUnauthorized: loaded.rejectUnauthorized });
      if (loaded.servername) options['grpc.ssl_target_name_override'] = loaded.servername;
    } else if (ep.https) {
      creds = grpc.credentials.createSsl();
    } else {
      creds = grpc.credentials.createInsecure();
    }
    this.client = new grpc.Client(ep.target, creds, options);
    this.client.getChannel().getConnectivityState(true);
  }

  /** One Export call. */
  push = (batch: BatchOf<S>, signal: AbortSignal): Promise<PushResult | void> => {
    if (this.badHeader !== undefined && (this.client || this.h2)) {
      const desc = `header key ${JSON.stringify(this.badHeader)} contains illegal characters not in [0-9a-z-_.]`;
      return Promise.reject(new BackendError(`rpc error: code = Internal desc = ${desc}`, { retryable: false, grpcStatus: GrpcStatus.INTERNAL, httpStatus: 500 }));
    }
    if (this.h2 !== undefined) return this.pushH2(this.h2, batch, signal);
    const client = this.client;
    if (!client) return Promise.reject(new BackendError('otlp exporter not started', { retryable: true }));
    // A pooled buffer: grpc-js copies the message into its own frame before sending, and has certainly done so
    // when the call completes (its callback), where the buffer goes back.
    const lease = batch.encodeLeased();
    const callOpts: grpc.CallOptions = {};
    if (this.cfg.timeout > 0) callOpts.deadline = Date.now() + this.cfg.timeout;
    return new Promise<PushResult | void>((resolve, reject) => {
      const call = client.makeUnaryRequest<Buffer, Buffer>(this.spec.grpcMethod, identity, identity, lease.bytes, this.metadata.clone(), callOpts, (err, resp) => {
        lease.release();
        signal.removeEventListener('abort', onAbort);
        if (err) {
          reject(classifyGrpcError(err));
          return;
        }
        try {
          resolve(this.response(resp));
        } catch (e) {
          reject(e);
        }
      });
      const onAbort = () => call.cancel();
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  };

  /** One Export call over node:http2: the batch's pieces written after the 5-byte header, no copy. */
  private async pushH2(h2: H2GrpcClient, batch: BatchOf<S>, signal: AbortSignal): Promise<PushResult | void> {
    const r = await h2.call(this.spec.grpcMethod, batch.encodeViews(), this.cfg.timeout, signal);
    if (r.code !== GrpcStatus.OK) throw classifyGrpcError(asServiceError(r));
    return this.response(r.response);
  }

  /** The Export response: nothing, or a partial success (logged as Go does). Throws on an unreadable one. */
  private response(resp: Buffer | undefined): PushResult | void {
    if (!resp || resp.length === 0) return;
    let ps;
    try {
      ps = decodePartialSuccess(resp);
    } catch (e) {
      throw new BackendError(`rpc error: code = Internal desc = failed to decode the export response: ${(e as Error).message}`, { retryable: false, grpcStatus: GrpcStatus.INTERNAL });
    }
    if (ps.errorMessage !== '' || ps.rejected !== 0) {
      this.log.warn('Partial success response', { message: ps.errorMessage, [this.spec.droppedLogKey]: ps.rejected });
      return { rejectedItems: ps.rejected, message: ps.errorMessage };
    }
  }

  async shutdown(): Promise<void> {
    this.h2?.close();
    this.h2 = undefined;
    this.client?.close();
    this.client = undefined;
  }
}
