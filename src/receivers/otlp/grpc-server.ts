// OTLP/gRPC server on @grpc/grpc-js. Methods are registered with identity (de)serializers: the handler gets the
// raw request Buffer and decodes it itself (a throwing deserializer would make grpc-js answer INTERNAL instead of
// INVALID_ARGUMENT), and returns raw response bytes.
//
// grpc-js handles: `grpc-encoding: gzip`/`deflate` request decompression, the max message size
// (`grpc.max_receive_message_length` -> RESOURCE_EXHAUSTED, also after decompression), unknown methods
// (UNIMPLEMENTED), keepalive and connection age/idle limits.
//
// HTTP/2 flow control: Node's default windows are 64 KiB, which caps a 200 KB request to several round trips;
// grpc-js is ~3x faster with larger windows. grpc-js has no server option for them, so we (1) add
// `settings.initialWindowSize` (per-stream window advertised in SETTINGS) to the options grpc-js passes to
// http2.createServer, and (2) raise each session's connection-level window with `session.setLocalWindowSize()`
// from a 'session' listener. Both use grpc-js internals (`commonServerOptions`, `http2Servers`), guarded: if a
// future grpc-js renames them we log at debug level and run with default windows. `grpc-node.max_session_memory`
// is left at grpc-js's default (unlimited); our bound is max_recv_msg_size_mib per message.

import * as grpc from '@grpc/grpc-js';
import type * as http2 from 'node:http2';
import type { Logger } from '../../component/types';
import { maxRecvMsgBytes, type GrpcServerConfig } from './config';
import { formatAddress, listenErrorMessage, loadServerTls, parseListenEndpoint, type ListenTarget } from './server-config';
import { encodeRpcStatus, receiverErrorToWire, type WireError } from './status';

/** HTTP/2 stream and connection flow-control window we ask for (8 MiB). */
export const GRPC_FLOW_CONTROL_WINDOW = 8 * 1024 * 1024;

export type UnaryResult = { ok: true; response: Buffer } | { ok: false; error: WireError };
export type UnaryHandler = (request: Buffer) => Promise<UnaryResult>;

export interface GrpcMethod {
  /** Full method path, `/opentelemetry.proto.collector.trace.v1.TraceService/Export`. */
  path: string;
  handler: UnaryHandler;
}

const identity = (b: Buffer): Buffer => b;

/** A grpc-js ServiceError for `err`; retryable errors with a delay carry google.rpc.RetryInfo in grpc-status-details-bin. */
export function toServiceError(err: WireError): Partial<grpc.ServiceError> {
  const out: Partial<grpc.ServiceError> = { code: err.grpcCode as grpc.status, details: err.message };
  if (err.retryAfterSeconds !== undefined) {
    const md = new grpc.Metadata();
    md.set('grpc-status-details-bin', encodeRpcStatus({ code: err.grpcCode, message: err.message, retryAfterSeconds: err.retryAfterSeconds }));
    out.metadata = md;
  }
  return out;
}

export class OtlpGrpcServer {
  private server: grpc.Server | undefined;
  private boundPort = 0;
  private target: ListenTarget | undefined;

  constructor(
    private readonly cfg: GrpcServerConfig,
    private readonly methods: readonly GrpcMethod[],
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  /** `host:port` (or the socket path) the server listens on, once started. */
  get address(): string | undefined {
    if (!this.server || !this.target) return undefined;
    if (this.target.kind === 'unix') return this.target.path;
    return formatAddress(this.target.host || '::', this.boundPort);
  }

  get port(): number {
    return this.boundPort;
  }

  private options(): grpc.ServerOptions {
    const opts: grpc.ServerOptions = { 'grpc.max_receive_message_length': maxRecvMsgBytes(this.cfg) };
    if (this.cfg.max_concurrent_streams > 0) opts['grpc.max_concurrent_streams'] = this.cfg.max_concurrent_streams;
    const sp = this.cfg.keepalive?.server_parameters;
    if (sp) {
      if (sp.time > 0) opts['grpc.keepalive_time_ms'] = sp.time;
      if (sp.timeout > 0) opts['grpc.keepalive_timeout_ms'] = sp.timeout;
      if (sp.max_connection_idle > 0) opts['grpc.max_connection_idle_ms'] = sp.max_connection_idle;
      if (sp.max_connection_age > 0) opts['grpc.max_connection_age_ms'] = sp.max_connection_age;
      if (sp.max_connection_age_grace > 0) opts['grpc.max_connection_age_grace_ms'] = sp.max_connection_age_grace;
    }
    return opts;
  }

  private credentials(): grpc.ServerCredentials {
    if (!this.cfg.tls) return grpc.ServerCredentials.createInsecure();
    const tls = loadServerTls(this.cfg.tls, this.what);
    return grpc.ServerCredentials.createSsl(tls.clientCa ?? null, [{ cert_chain: tls.cert, private_key: tls.key }], tls.requireClientCert);
  }

  /** Raise HTTP/2 windows (see the file comment). Must run before bind (settings) and after (sessions). */
  private tuneBeforeBind(server: grpc.Server): void {
    const internal = server as unknown as { commonServerOptions?: http2.ServerOptions };
    if (internal.commonServerOptions && typeof internal.commonServerOptions === 'object') {
      internal.commonServerOptions.settings = { ...internal.commonServerOptions.settings, initialWindowSize: GRPC_FLOW_CONTROL_WINDOW };
    } else {
      this.logger.debug('grpc-js internals changed: cannot raise the HTTP/2 stream window');
    }
  }

  private tuneAfterBind(server: grpc.Server): void {
    const internal = server as unknown as { http2Servers?: Map<http2.Http2Server, unknown> };
    if (!(internal.http2Servers instanceof Map)) {
      this.logger.debug('grpc-js internals changed: cannot raise the HTTP/2 connection window');
      return;
    }
    for (const h2 of internal.http2Servers.keys()) {
      h2.on('session', (session: http2.ServerHttp2Session) => {
        try {
          session.setLocalWindowSize(GRPC_FLOW_CONTROL_WINDOW);
        } catch {
          // the session may already be closing
        }
      });
    }
  }

  private bind(server: grpc.Server, target: string, creds: grpc.ServerCredentials): Promise<number> {
    return new Promise((resolve, reject) => server.bindAsync(target, creds, (err, port) => (err ? reject(err) : resolve(port))));
  }

  async start(): Promise<void> {
    const endpoint = this.cfg.endpoint;
    const target = parseListenEndpoint(endpoint, this.cfg.transport, this.what);
    const creds = this.credentials();
    const server = new grpc.Server(this.options());
    this.tuneBeforeBind(server);
    for (const m of this.methods) {
      const def: grpc.ServiceDefinition = {
        Export: {
          path: m.path,
          requestStream: false,
          responseStream: false,
          requestSerialize: identity,
          requestDeserialize: identity,
          responseSerialize: identity,
          responseDeserialize: identity,
        },
      };
      server.addService(def, { Export: this.unary(m.handler) });
    }
    let bindTargets: string[];
    if (target.kind === 'unix') bindTargets = [`unix:${target.path}`];
    else if (target.host === '') bindTargets = [`[::]:${target.port}`, `0.0.0.0:${target.port}`];
    else bindTargets = [`${formatAddress(target.host, target.port)}`];
    let lastErr: unknown;
    for (const t of bindTargets) {
      try {
        this.boundPort = await this.bind(server, t, creds);
        lastErr = undefined;
        break;
      } catch (e) {
        lastErr = e;
        if (/EADDRINUSE/.test(String((e as Error)?.message))) break;
      }
    }
    if (lastErr !== undefined) {
      server.forceShutdown();
      throw new Error(listenErrorMessage(`${this.what} gRPC server`, endpoint, lastErr));
    }
    this.tuneAfterBind(server);
    this.server = server;
    this.target = target;
    this.logger.info('Starting GRPC server', { endpoint: this.address });
  }

  private unary(handler: UnaryHandler): grpc.handleUnaryCall<Buffer, Buffer> {
    return (call, callback) => {
      let p: Promise<UnaryResult>;
      try {
        p = handler(call.request);
      } catch (e) {
        p = Promise.resolve({ ok: false, error: receiverErrorToWire(e) });
      }
      p.then(
        (r) => (r.ok ? callback(null, r.response) : callback(toServiceError(r.error) as grpc.ServiceError)),
        (e) => callback(toServiceError(receiverErrorToWire(e)) as grpc.ServiceError),
      );
    };
  }

  /**
   * Stop accepting connections and calls, let in-flight calls finish (up to `graceMs`), then close everything.
   */
  async shutdown(graceMs: number): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      let done = false;
      const timer = setTimeout(() => {
        if (done) return;
        done = true;
        this.logger.warn('gRPC server did not drain in time; closing remaining connections', { grace_ms: graceMs });
        server.forceShutdown();
        resolve();
      }, graceMs);
      timer.unref?.();
      server.tryShutdown(() => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
