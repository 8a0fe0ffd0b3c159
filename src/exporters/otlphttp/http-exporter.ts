// OTLP/HTTP exporter client for one signal (POST to the traces, metrics or logs URL) over node:http(s) with a
// keep-alive Agent. Status handling as the Go otlphttpexporter:
//   2xx           success; a partial success in the body (decoded per its Content-Type; JSON key rejectedSpans /
//                 rejectedDataPoints / rejectedLogRecords) is logged and its rejected items counted as failed; an
//                 unreadable 2xx body is a permanent error (as in Go);
//   429, 503      retryable, honouring Retry-After (delay-seconds or HTTP-date);
//   502, 504      retryable;
//   anything else permanent. The google.rpc.Status message of an error body is included in the error.
// Network failures ("failed to make an HTTP request: ...") are retryable.

import * as http from 'node:http';
import * as https from 'node:https';
import * as zlib from 'node:zlib';
import { promisify } from 'node:util';
import type { Logger, Signal } from '../../component/types';
import { GrpcStatus } from '../../errors';
import type { BatchOf, OtlpSignal } from '../../receivers/otlp/signals';
import { BackendError } from '../exporterhelper/errors';
import type { PushResult } from '../exporterhelper/exporter-helper';
import { LimitedLogger } from '../exporterhelper/log-limiter';
import { decodePartialSuccess, decodePartialSuccessJSON, decodeRpcStatus, describeDetails, type PartialSuccess } from '../internal/otlp-response';
import { grpcStatusFromHttp } from '../internal/status-map';
import { loadClientTls } from '../internal/tls';
import { userAgent } from '../internal/user-agent';
import type { OtlpHttpExporterConfig } from './config';

const gzip = promisify(zlib.gzip);

export const MAX_RESPONSE_READ_BYTES = 64 * 1024;
const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

const toBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

export function isRetryableHttpStatus(code: number): boolean {
  return code === 429 || code === 502 || code === 503 || code === 504;
}

/** Retry-After: delay-seconds or an HTTP-date; seconds to wait, undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, (t - now) / 1000);
}

interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function mediaType(h: string | undefined): string {
  return (h ?? '').split(';')[0]!.trim().toLowerCase();
}

export class OtlpHttpClient<S extends Signal = Signal> {
  private agent: http.Agent | undefined;
  private readonly url: URL;
  private readonly log: LimitedLogger;

  constructor(
    private readonly cfg: OtlpHttpExporterConfig,
    signalUrl: string,
    logger: Logger,
    private readonly spec: OtlpSignal<S>,
  ) {
    this.url = new URL(signalUrl);
    this.log = new LimitedLogger(logger);
  }

  /** Where this client POSTs (`<endpoint>/v1/<signal>` or the `<signal>_endpoint` override). */
  get signalUrl(): string {
    return this.url.toString();
  }

  async start(): Promise<void> {
    const cfg = this.cfg;
    const perHostIdle = cfg.max_idle_conns_per_host > 0 ? cfg.max_idle_conns_per_host : cfg.max_idle_conns > 0 ? cfg.max_idle_conns : 256;
    const agentOpts: http.AgentOptions = {
      keepAlive: !cfg.disable_keep_alives,
      maxFreeSockets: perHostIdle,
      maxSockets: cfg.max_conns_per_host > 0 ? cfg.max_conns_per_host : Infinity,
      // Idle (free) sockets are closed after idle_conn_timeout; busy sockets are not affected.
      timeout: cfg.idle_conn_timeout > 0 ? cfg.idle_conn_timeout : undefined,
    };
    if (this.url.protocol === 'https:') {
      const t = await loadClientTls(cfg.tls, true);
      this.agent = new https.Agent({
        ...agentOpts,
        ca: t?.ca,
        cert: t?.cert,
        key: t?.key,
        minVersion: t?.minVersion,
        maxVersion: t?.maxVersion,
        servername: t?.servername,
        rejectUnauthorized: t?.rejectUnauthorized ?? true,
      });
    } else {
      this.agent = new http.Agent(agentOpts);
    }
  }

  push = async (batch: BatchOf<S>, signal: AbortSignal): Promise<PushResult | void> => {
    if (!this.agent) throw new BackendError('otlphttp exporter not started', { retryable: true });
    const json = this.cfg.encoding === 'json';
    // Protobuf uncompressed: a pooled buffer, back once the response arrived (the server has read the body; one that
    // answers before reading all of it may see the rest of that already-answered request overwritten: harmless).
    const lease = !json && this.cfg.compression !== 'gzip' ? batch.encodeLeased() : undefined;
    try {
      return await this.send(batch, json, lease?.bytes, signal);
    } finally {
      lease?.release();
    }
  };

  private async send(batch: BatchOf<S>, json: boolean, leased: Buffer | undefined, signal: AbortSignal): Promise<PushResult | void> {
    let body: Buffer = leased ?? (json ? Buffer.from(batch.toJSON(), 'utf8') : toBuffer(batch.encode()));
    const headers: Record<string, string> = {
      'Content-Type': json ? JSON_TYPE : PROTOBUF,
      'User-Agent': userAgent(),
    };
    if (this.cfg.compression === 'gzip') {
      const level = this.cfg.compression_params.level;
      body = await gzip(body, level !== 0 ? { level } : {});
      headers['Content-Encoding'] = 'gzip';
    }
    for (const [k, v] of Object.entries(this.cfg.headers)) headers[k] = v;
    headers['Content-Length'] = String(body.length);
    const url = this.signalUrl;
    let res: Response;
    try {
      res = await this.post(body, headers, signal);
    } catch (e) {
      if (signal.aborted) throw signal.reason;
      throw new BackendError(`failed to make an HTTP request: Post "${url}": ${(e as Error).message}`, { retryable: true, cause: e });
    }
    if (res.status >= 200 && res.status <= 299) return this.partialSuccess(res);

    let message: string | undefined;
    let details = '';
    if (res.status >= 400 && res.status <= 599 && res.body.length > 0) {
      try {
        if (mediaType(res.headers['content-type']) === JSON_TYPE) {
          const j = JSON.parse(res.body.toString('utf8')) as { message?: unknown; details?: unknown };
          if (j && typeof j === 'object' && typeof j.message === 'string') {
            message = j.message;
            details = Array.isArray(j.details) ? JSON.stringify(j.details) : '[]';
          }
        } else {
          const st = decodeRpcStatus(res.body);
          message = st.message;
          details = describeDetails(st);
        }
      } catch {
        message = undefined;
      }
    }
    const text =
      message !== undefined
        ? `error exporting items, request to ${url} responded with HTTP Status Code ${res.status}, Message=${message}, Details=${details}`
        : `error exporting items, request to ${url} responded with HTTP Status Code ${res.status}`;
    const retryable = isRetryableHttpStatus(res.status);
    let retryAfter: number | undefined;
    if (retryable && (res.status === 429 || res.status === 503)) {
      const ra = res.headers['retry-after'];
      retryAfter = parseRetryAfter(Array.isArray(ra) ? ra[0] : ra);
    }
    throw new BackendError(text, { retryable, httpStatus: res.status, grpcStatus: grpcStatusFromHttp(res.status), retryAfterSeconds: retryAfter });
  }

  private partialSuccess(res: Response): PushResult | void {
    if (res.body.length === 0) return;
    const type = mediaType(res.headers['content-type']);
    let ps: PartialSuccess;
    try {
      if (type === PROTOBUF) ps = decodePartialSuccess(res.body);
      else if (type === JSON_TYPE) ps = decodePartialSuccessJSON(res.body.toString('utf8'), this.spec.rejectedJsonKey);
      else return;
    } catch (e) {
      const kind = type === PROTOBUF ? 'protobuf' : 'json';
      throw new BackendError(`error parsing ${kind} response: ${(e as Error).message}`, { retryable: false, grpcStatus: GrpcStatus.INTERNAL, httpStatus: 500 });
    }
    if (ps.errorMessage !== '' || ps.rejected !== 0) {
      this.log.warn('Partial success response', { message: ps.errorMessage, [this.spec.droppedLogKey]: ps.rejected });
      return { rejectedItems: ps.rejected, message: ps.errorMessage };
    }
  }

  private post(body: Buffer, headers: Record<string, string>, signal: AbortSignal): Promise<Response> {
    const mod = this.url.protocol === 'https:' ? https : http;
    return new Promise<Response>((resolve, reject) => {
      const req = mod.request(this.url, { method: 'POST', agent: this.agent, headers, signal }, (res) => {
        const chunks: Buffer[] = [];
        let n = 0;
        res.on('data', (c: Buffer) => {
          if (n >= MAX_RESPONSE_READ_BYTES) return; // keep draining so the socket can be reused
          const take = c.subarray(0, MAX_RESPONSE_READ_BYTES - n);
          chunks.push(take);
          n += take.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  async shutdown(): Promise<void> {
    this.agent?.destroy();
    this.agent = undefined;
  }
}
