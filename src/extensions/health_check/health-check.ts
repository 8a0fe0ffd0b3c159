// The `health_check` extension: an HTTP endpoint for liveness/readiness probes, answering like contrib's
// healthcheckextension (default mode):
//   healthy   -> 200 {"status":"Server available","upSince":"<RFC 3339>","uptime":"<Go duration>"}
//   unhealthy -> 503 {"status":"Server not available","upSince":"0001-01-01T00:00:00Z","uptime":""}
// or the configured response_body texts. Any method; `path` matches exactly, or as a subtree when it ends in "/"
// (Go ServeMux patterns: the default "/" answers every path).
//
// Healthy means: every pipeline has started (host.pipelinesReady) and no component reports permanent_error.
// Go's default mode only looks at pipeline readiness; reporting permanent errors is our addition so the probe
// reflects pipeline health (a written project goal). upSince is when the service called ready() (Go's
// PipelineWatcher.Ready), or the extension's start time if the service does not call it.

import type * as http from 'node:http';
import type { Component, CreateSettings, Host, Logger } from '../../component/types';
import { Lifecycle } from '../../component/types';
import { Cors } from '../../receivers/otlp/cors';
import { closeHttp, createHttpServer, listenHttp } from '../../receivers/otlp/http-listen';
import { requestPath } from '../../receivers/otlp/http-server';
import type { HealthCheckConfig } from './config';

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Go's time.Duration.String() for a non-negative number of nanoseconds ("1h2m3.5s", "12.5ms", "0s"). */
export function goDurationString(nanos: number): string {
  const ns = Math.max(0, Math.round(nanos));
  if (ns === 0) return '0s';
  const trim = (whole: number, frac: number, digits: number): string => {
    if (!frac) return String(whole);
    return `${whole}.${String(frac).padStart(digits, '0').replace(/0+$/, '')}`;
  };
  if (ns < 1000) return `${ns}ns`;
  if (ns < 1e6) return `${trim(Math.floor(ns / 1e3), ns % 1e3, 3)}µs`;
  if (ns < 1e9) return `${trim(Math.floor(ns / 1e6), ns % 1e6, 6)}ms`;
  const totalSec = Math.floor(ns / 1e9);
  const fracNs = ns % 1e9;
  const h = Math.floor(totalSec / 3600);
  const m = Math.floor((totalSec % 3600) / 60);
  const sec = totalSec % 60;
  let out = '';
  if (h) out += `${h}h`;
  if (h || m) out += `${m}m`;
  out += `${trim(sec, fracNs, 9)}s`;
  return out;
}

/** Go's time.Time JSON form in UTC (RFC 3339 with trailing zeros of the fraction trimmed). */
export function goTimeJson(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2024-01-02T03:04:05.123Z
  return iso.replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac ? `.${frac}Z` : 'Z'));
}

export class HealthCheckExtension implements Component {
  private readonly lifecycle = new Lifecycle();
  private readonly logger: Logger;
  private server: http.Server | undefined;
  private host: Host | undefined;
  private startedAt = 0;
  private readyAt: number | undefined;
  private readyHr: bigint | undefined;
  private startedHr = 0n;
  private boundAddress: string | undefined;
  private readonly cors: Cors | undefined;

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: HealthCheckConfig,
    private readonly opts: { shutdownGraceMs?: number } = {},
  ) {
    this.logger = set.logger;
    this.cors = cfg.cors && Cors.enabled(cfg.cors) ? new Cors(cfg.cors) : undefined;
  }

  /** Bound address (`127.0.0.1:13133`) once started. */
  get address(): string | undefined {
    return this.boundAddress;
  }

  /** Go's PipelineWatcher.Ready: the service calls it once every pipeline runs (sets upSince). */
  ready(): void {
    if (this.readyAt === undefined) {
      this.readyAt = Date.now();
      this.readyHr = process.hrtime.bigint();
    }
  }

  /** Go's PipelineWatcher.NotReady: the service calls it when shutting pipelines down. */
  notReady(): void {
    this.readyAt = undefined;
    this.readyHr = undefined;
  }

  /** Whether the collector is healthy now, and why not. */
  health(): { healthy: boolean; reason?: string } {
    const host = this.host;
    if (!host) return { healthy: false, reason: 'not started' };
    if (!host.pipelinesReady) return { healthy: false, reason: 'pipelines not ready' };
    for (const [component, status] of host.componentStatuses()) {
      if (status === 'permanent_error') return { healthy: false, reason: `${component} reports a permanent error` };
    }
    return { healthy: true };
  }

  start(host: Host): Promise<void> {
    return this.lifecycle.start(async () => {
      this.host = host;
      this.startedAt = Date.now();
      this.startedHr = process.hrtime.bigint();
      if (this.cfg.check_collector_pipeline.enabled) {
        this.logger.warn('health_check: check_collector_pipeline is accepted for compatibility but has no effect (as in the current upstream extension); component errors are reported instead');
      }
      const what = `extension ${JSON.stringify(this.set.id.id)}`;
      const server = createHttpServer(
        this.cfg.tls,
        what,
        { readTimeout: this.cfg.read_timeout, readHeaderTimeout: this.cfg.read_header_timeout, idleTimeout: this.cfg.idle_timeout },
        (req, res) => this.onRequest(req, res),
      );
      const { address } = await listenHttp(server, this.cfg.endpoint, this.cfg.transport, what);
      this.server = server;
      this.boundAddress = address;
      this.logger.info('Starting health_check extension', { endpoint: address, path: this.cfg.path });
    });
  }

  shutdown(): Promise<void> {
    return this.lifecycle.shutdown(async () => {
      this.notReady();
      if (this.server) await closeHttp(this.server, this.opts.shutdownGraceMs ?? 2_000);
    });
  }

  private matches(path: string): boolean {
    const p = this.cfg.path;
    return p.endsWith('/') ? path.startsWith(p) : path === p;
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.on('error', () => undefined);
    try {
      for (const [k, v] of this.cfg.response_headers) res.setHeader(k, v);
      if (!this.cfg.keep_alives_enabled) res.setHeader('Connection', 'close');
      if (this.cors && this.cors.handle(req, res)) return;
      if (!this.matches(requestPath(req.url))) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
        return;
      }
      const { healthy } = this.health();
      const code = healthy ? 200 : 503;
      if (this.cfg.response_body) {
        const body = healthy ? this.cfg.response_body.healthy : this.cfg.response_body.unhealthy;
        res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) }).end(body);
        return;
      }
      let body: string;
      if (healthy) {
        const since = this.readyAt ?? this.startedAt;
        const sinceHr = this.readyHr ?? this.startedHr;
        const uptimeNs = Number(process.hrtime.bigint() - sinceHr);
        body = JSON.stringify({ status: 'Server available', upSince: goTimeJson(since), uptime: goDurationString(uptimeNs) });
      } else {
        body = JSON.stringify({ status: 'Server not available', upSince: ZERO_TIME, uptime: '' });
      }
      res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
    } catch (e) {
      this.logger.error('health_check request failed', { error: e instanceof Error ? e.message : String(e) });
      if (!res.headersSent) res.writeHead(500).end();
    }
  }
}
