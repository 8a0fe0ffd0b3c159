// A real OTLP trace backend for exporter tests, independent of otelcol-ts's code: a grpc-js server
// (TraceService/Export with raw-Buffer (de)serializers) and a node:http server (POST /v1/traces, protobuf or
// JSON, gzip or not), both on 127.0.0.1 with a random port. Requests are decoded with the protobufjs oracle into
// the canonical form of test/oracle/otlp-oracle.ts and recorded with their headers and encoding.
//
// It can be told how to answer the next requests (either transport), e.g.
//   be.script({ grpcCode: 14 }, { grpcCode: 14 })          // UNAVAILABLE twice, then OK
//   be.script({ grpcCode: 8, retryDelaySeconds: 1 })         // RESOURCE_EXHAUSTED with google.rpc.RetryInfo
//   be.script({ httpStatus: 503, retryAfter: '1' })          // HTTP 503 with Retry-After
//   be.script({ httpStatus: 400, message: 'bad' })           // HTTP 400 with a google.rpc.Status body
//   be.script({ partial: { rejected: 2, message: 'x' } })   // success with a partial success body
//   be.script({ hang: true })                                // never answers (timeouts)

import * as grpc from '@grpc/grpc-js';
import * as http from 'node:http';
import * as https from 'node:https';
import type * as http2 from 'node:http2';
import * as zlib from 'node:zlib';
import * as protobuf from 'protobufjs';
import { TEST_SERVER_CERT_PEM, TEST_SERVER_KEY_PEM } from './test-certs';
import { ExportTraceServiceRequest, ExportTraceServiceResponse, oracleDecodeTraces } from '../oracle/otlp-oracle';

export const TRACE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

const rpcRoot = protobuf.Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
            Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
          },
        },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: 'int32', id: 1 },
                message: { type: 'string', id: 2 },
                details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
              },
            },
            RetryInfo: { fields: { retry_delay: { type: 'google.protobuf.Duration', id: 1 } } },
          },
        },
      },
    },
  },
});
const RpcStatus = rpcRoot.lookupType('google.rpc.Status');
const RetryInfo = rpcRoot.lookupType('google.rpc.RetryInfo');

/** google.rpc.Status bytes, optionally with a RetryInfo detail. */
export function encodeRpcStatus(code: number, message: string, retryDelaySeconds?: number): Buffer {
  const details = [];
  if (retryDelaySeconds !== undefined) {
    const secs = Math.floor(retryDelaySeconds);
    const ri = RetryInfo.encode(RetryInfo.fromObject({ retry_delay: { seconds: secs, nanos: Math.round((retryDelaySeconds - secs) * 1e9) } })).finish();
    details.push({ type_url: 'type.googleapis.com/google.rpc.RetryInfo', value: ri });
  }
  return Buffer.from(RpcStatus.encode(RpcStatus.fromObject({ code, message, details })).finish());
}

export interface Answer {
  /** gRPC status to fail with (HTTP requests get the matching HTTP status). */
  grpcCode?: number;
  /** Attach a google.rpc.RetryInfo with this delay (gRPC). */
  retryDelaySeconds?: number;
  /** HTTP status to answer with (gRPC requests get UNAVAILABLE for 5xx/429, INVALID_ARGUMENT otherwise). */
  httpStatus?: number;
  retryAfter?: string;
  /** Error message (gRPC details / google.rpc.Status message in the HTTP body). */
  message?: string;
  /** Answer success with a partial success. */
  partial?: { rejected: number; message: string };
  /** Never answer. */
  hang?: boolean;
  /** HTTP: answer 200 with this body and content type instead of an ExportTraceServiceResponse. */
  rawBody?: { contentType: string; body: Buffer };
}

export interface BackendRequest {
  transport: 'grpc' | 'http';
  path: string;
  /** Lowercased request headers (gRPC: metadata). */
  headers: Record<string, string>;
  contentType: string;
  /** HTTP Content-Encoding ("" when none). For gRPC see `grpcStreams`. */
  contentEncoding: string;
  /** The decompressed body. */
  body: Buffer;
  /** Canonical decoded request (undefined when it could not be decoded). */
  decoded: Record<string, unknown> | undefined;
  spanCount: number;
  /** How it was answered. */
  answer: Answer;
}

function countSpans(decoded: Record<string, unknown> | undefined): number {
  let n = 0;
  for (const rs of (decoded?.['resourceSpans'] as Array<Record<string, unknown>> | undefined) ?? []) {
    for (const ss of (rs['scopeSpans'] as Array<Record<string, unknown>> | undefined) ?? []) n += ((ss['spans'] as unknown[] | undefined) ?? []).length;
  }
  return n;
}

/** OTLP/JSON → canonical form: hex ids to bytes, then through protobufjs and the oracle. */
export function decodeJsonRequest(text: string): Record<string, unknown> {
  const idKeys = new Set(['traceId', 'spanId', 'parentSpanId']);
  const fix = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(fix);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = idKeys.has(k) && typeof x === 'string' ? Buffer.from(x, 'hex') : fix(x);
      return out;
    }
    return v;
  };
  const obj = fix(JSON.parse(text)) as Record<string, unknown>;
  return oracleDecodeTraces(ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(obj)).finish());
}

export class OtlpBackend {
  readonly requests: BackendRequest[] = [];
  /** Headers of every HTTP/2 stream the gRPC server saw (grpc-js hides grpc-encoding from handlers). */
  readonly grpcStreams: Array<Record<string, string>> = [];
  private answers: Answer[] = [];
  private waiters: Array<() => void> = [];
  private hung: Array<() => void> = [];
  private grpcServer!: grpc.Server;
  private httpServer!: http.Server;
  grpcPort = 0;
  httpPort = 0;

  /** `tls`: serve gRPC and HTTPS with the test server certificate (test/helpers/test-certs.ts). */
  static async start(opts: { tls?: boolean } = {}): Promise<OtlpBackend> {
    const be = new OtlpBackend(!!opts.tls);
    await be.listen();
    return be;
  }

  private constructor(readonly tls: boolean) {}

  get grpcEndpoint(): string {
    return `127.0.0.1:${this.grpcPort}`;
  }
  get httpEndpoint(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.httpPort}`;
  }

  /** Answers for the next requests, in order; afterwards requests succeed. */
  script(...answers: Answer[]): void {
    this.answers.push(...answers);
  }

  /** Spans of requests answered with success (canonical span objects), in arrival order. */
  acceptedRequests(): BackendRequest[] {
    return this.requests.filter((r) => r.decoded && r.answer.grpcCode === undefined && r.answer.httpStatus === undefined && !r.answer.hang);
  }

  async waitForRequests(n: number, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (this.requests.length < n) {
      const left = end - Date.now();
      if (left <= 0) throw new Error(`backend: expected ${n} requests, got ${this.requests.length}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  private record(r: BackendRequest): void {
    this.requests.push(r);
    const ws = this.waiters;
    this.waiters = [];
    setImmediate(() => ws.forEach((w) => w()));
  }

  private next(): Answer {
    return this.answers.shift() ?? {};
  }

  private async listen(): Promise<void> {
    const identity = (b: Buffer) => b;
    this.grpcServer = new grpc.Server();
    this.grpcServer.addService(
      {
        Export: {
          path: TRACE_EXPORT_PATH,
          requestStream: false,
          responseStream: false,
          requestSerialize: identity,
          requestDeserialize: identity,
          responseSerialize: identity,
          responseDeserialize: identity,
        },
      } as grpc.ServiceDefinition,
      {
        Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(call.metadata.getMap())) headers[k.toLowerCase()] = Buffer.isBuffer(v) ? v.toString() : String(v);
          let decoded: Record<string, unknown> | undefined;
          try {
            decoded = oracleDecodeTraces(call.request);
          } catch {
            decoded = undefined;
          }
          const answer = this.next();
          this.record({
            transport: 'grpc', path: TRACE_EXPORT_PATH, headers, contentType: 'application/grpc', contentEncoding: '',
            body: call.request, decoded, spanCount: countSpans(decoded), answer,
          });
          if (answer.hang) {
            this.hung.push(() => callback({ code: grpc.status.UNAVAILABLE, details: 'backend closing' }));
            return;
          }
          const code = answer.grpcCode ?? (answer.httpStatus ? (answer.httpStatus >= 500 || answer.httpStatus === 429 ? 14 : 3) : undefined);
          if (code !== undefined) {
            const md = new grpc.Metadata();
            const message = answer.message ?? 'refused by the test backend';
            if (answer.retryDelaySeconds !== undefined) md.set('grpc-status-details-bin', encodeRpcStatus(code, message, answer.retryDelaySeconds));
            callback({ code, details: message, metadata: md });
            return;
          }
          if (!decoded) {
            callback({ code: grpc.status.INVALID_ARGUMENT, details: 'cannot decode the request' });
            return;
          }
          const resp = answer.partial
            ? ExportTraceServiceResponse.encode(
                ExportTraceServiceResponse.fromObject({ partialSuccess: { rejectedSpans: answer.partial.rejected, errorMessage: answer.partial.message } }),
              ).finish()
            : new Uint8Array(0);
          callback(null, Buffer.from(resp));
        },
      },
    );
    this.grpcPort = await new Promise<number>((resolve, reject) =>
      this.grpcServer.bindAsync(
        '127.0.0.1:0',
        this.tls
          ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(TEST_SERVER_CERT_PEM), private_key: Buffer.from(TEST_SERVER_KEY_PEM) }])
          : grpc.ServerCredentials.createInsecure(),
        (err, port) => (err ? reject(err) : resolve(port)),
      ),
    );
    // Peek at the raw HTTP/2 streams to see grpc-encoding (grpc-js strips it from the call metadata).
    const servers = (this.grpcServer as unknown as { http2Servers?: Map<http2.Http2Server, unknown> }).http2Servers;
    for (const s of servers?.keys() ?? []) {
      s.prependListener('stream', (_stream: http2.ServerHttp2Stream, h: http2.IncomingHttpHeaders) => {
        const rec: Record<string, string> = {};
        for (const [k, v] of Object.entries(h)) rec[k] = String(v);
        this.grpcStreams.push(rec);
      });
    }

    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.handleHttp(req, res);
    this.httpServer = this.tls ? https.createServer({ cert: TEST_SERVER_CERT_PEM, key: TEST_SERVER_KEY_PEM }, handler) : http.createServer(handler);
    this.httpServer.keepAliveTimeout = 5000;
    await new Promise<void>((resolve) => this.httpServer.listen(0, '127.0.0.1', resolve));
    this.httpPort = (this.httpServer.address() as { port: number }).port;
  }

  private handleHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
      const contentEncoding = (headers['content-encoding'] ?? '').toLowerCase();
      const contentType = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      let body = Buffer.concat(chunks);
      let decoded: Record<string, unknown> | undefined;
      try {
        if (contentEncoding === 'gzip') body = zlib.gunzipSync(body);
        decoded = contentType === 'application/json' ? decodeJsonRequest(body.toString('utf8')) : oracleDecodeTraces(body);
      } catch {
        decoded = undefined;
      }
      const answer = this.next();
      this.record({ transport: 'http', path: req.url ?? '', headers, contentType, contentEncoding, body, decoded, spanCount: countSpans(decoded), answer });
      if (answer.hang) {
        this.hung.push(() => res.destroy());
        return;
      }
      const status = answer.httpStatus ?? (answer.grpcCode !== undefined ? (answer.grpcCode === 14 ? 503 : 400) : undefined);
      if (status !== undefined) {
        const h: Record<string, string> = { 'Content-Type': 'application/x-protobuf' };
        if (answer.retryAfter !== undefined) h['Retry-After'] = answer.retryAfter;
        res.writeHead(status, h);
        res.end(answer.message !== undefined ? encodeRpcStatus(status === 400 ? 3 : 14, answer.message) : undefined);
        return;
      }
      if (!decoded) {
        res.writeHead(400, { 'Content-Type': 'application/x-protobuf' });
        res.end(encodeRpcStatus(3, 'cannot decode the request'));
        return;
      }
      if (answer.rawBody) {
        res.writeHead(200, { 'Content-Type': answer.rawBody.contentType });
        res.end(answer.rawBody.body);
        return;
      }
      if (contentType === 'application/json') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(answer.partial ? { partialSuccess: { rejectedSpans: String(answer.partial.rejected), errorMessage: answer.partial.message } } : {}));
        return;
      }
      const resp = answer.partial
        ? ExportTraceServiceResponse.encode(
            ExportTraceServiceResponse.fromObject({ partialSuccess: { rejectedSpans: answer.partial.rejected, errorMessage: answer.partial.message } }),
          ).finish()
        : new Uint8Array(0);
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf' });
      res.end(Buffer.from(resp));
    });
  }

  async close(): Promise<void> {
    for (const h of this.hung.splice(0)) h();
    await Promise.race([
      new Promise<void>((resolve) => this.grpcServer.tryShutdown(() => resolve())),
      new Promise<void>((resolve) => setTimeout(resolve, 500)),
    ]);
    this.grpcServer.forceShutdown();
    this.httpServer.closeAllConnections();
    await new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
  }
}
