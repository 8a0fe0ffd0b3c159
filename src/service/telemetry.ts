// The collector's own telemetry: the shared MetricRegistry served as Prometheus text on every configured pull
// reader (`GET /metrics`, default 127.0.0.1:8888), process metrics with the Go collector's names, the
// resource labels every series carries (service_instance_id, service_name, service_version — what the Go
// collector's Prometheus endpoint shows), and the root logger from service.telemetry.logs.

import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import * as v8 from 'node:v8';
import type { Logger } from '../component/types';
import type { PullEndpoint, TelemetryConfig } from '../config/telemetry';
import { MetricRegistry } from '../telemetry/metrics';
import { createLogger } from '../telemetry/logger';
import { registerEventLoopMetrics } from '../telemetry/event-loop';

export const SERVICE_NAME = 'otelcol-ts';

export interface BuildInfo {
  /** service.name (`otelcol-ts`). */
  readonly command: string;
  readonly version: string;
}

/** The resource attributes of the collector's own telemetry: defaults, then service.telemetry.resource. */
export function serviceResource(cfg: TelemetryConfig, build: BuildInfo): Record<string, string> {
  const attrs: Record<string, string | null> = {
    'service.name': build.command,
    'service.version': build.version,
    'service.instance.id': randomUUID(),
    ...cfg.resource,
  };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== null) out[k] = v;
  return out;
}

/** Prometheus label names of the resource attributes put on every series. */
const RESOURCE_LABELS: Record<string, string> = {
  'service.instance.id': 'service_instance_id',
  'service.name': 'service_name',
  'service.version': 'service_version',
};

export function createServiceRegistry(resource: Record<string, string>): MetricRegistry {
  const labels: Record<string, string> = {};
  for (const [attr, label] of Object.entries(RESOURCE_LABELS)) if (resource[attr] !== undefined) labels[label] = resource[attr]!;
  return new MetricRegistry(labels);
}

/**
 * Register the process metrics (Go names, `otelcol_` prefix). Returns a function to call before each scrape: the
 * registry only has push counters, so the cumulative counters are advanced to their current value then.
 *
 * Names as the Go collector's Prometheus endpoint shows them (its OTel Prometheus exporter appends the unit:
 * process_uptime [s] → otelcol_process_uptime_seconds_total, process_memory_rss [By] → _memory_rss_bytes).
 * otelcol_process_runtime_heap_alloc_bytes is V8's used heap — of every thread: each worker adds its own heap
 * to its snapshot and the acceptor sums them; otelcol_process_runtime_total_alloc_bytes
 * (cumulative bytes allocated — V8 does not expose it) is approximated as the sum of heap growth seen between
 * samples, a lower bound; otelcol_process_runtime_total_sys_memory_bytes is V8's total heap + external memory.
 */
export function registerProcessMetrics(reg: MetricRegistry): () => void {
  const startedAt = performance.now();
  const uptime = reg.counter('otelcol_process_uptime_seconds', 'Uptime of the process', {});
  const cpu = reg.counter('otelcol_process_cpu_seconds', 'Total CPU user and system time in seconds', {});
  const totalAlloc = reg.counter(
    'otelcol_process_runtime_total_alloc_bytes',
    'Cumulative bytes allocated for heap objects (approximation: heap growth between samples)',
    {},
  );
  reg.observableGauge('otelcol_process_memory_rss_bytes', 'Total physical memory (resident set size)', {}, () => process.memoryUsage.rss());
  registerHeapGauge(reg);
  registerEventLoopMetrics(reg, 'main');
  reg.observableGauge('otelcol_process_runtime_total_sys_memory_bytes', 'Total bytes of memory obtained from the OS (V8 heap + external)', {}, () => {
    const h = v8.getHeapStatistics();
    return h.total_heap_size + h.external_memory;
  });
  let lastUptime = 0;
  let lastCpu = 0;
  let lastHeap = 0;
  return () => {
    const up = (performance.now() - startedAt) / 1000;
    uptime.add(up - lastUptime);
    lastUptime = up;
    const u = process.cpuUsage();
    const c = (u.user + u.system) / 1e6;
    if (c > lastCpu) cpu.add(c - lastCpu);
    lastCpu = Math.max(lastCpu, c);
    const heap = v8.getHeapStatistics().used_heap_size;
    if (heap > lastHeap) totalAlloc.add(heap - lastHeap);
    lastHeap = heap;
  };
}

/** otelcol_process_runtime_heap_alloc_bytes of this thread (main and every worker register it; series sum). */
export function registerHeapGauge(reg: MetricRegistry): void {
  reg.observableGauge('otelcol_process_runtime_heap_alloc_bytes', 'Bytes of allocated heap objects (all threads)', {}, () => v8.getHeapStatistics().used_heap_size);
}

/** HTTP servers exposing a MetricRegistry as Prometheus text at GET /metrics. */
export class MetricsServer {
  private readonly servers: http.Server[] = [];
  private readonly bound: Array<{ host: string; port: number }> = [];

  constructor(
    private readonly registry: MetricRegistry,
    private readonly endpoints: readonly PullEndpoint[],
    private readonly beforeScrape: () => void,
    private readonly logger: Logger,
  ) {}

  /** Listen on every endpoint; rejects (and closes what opened) when one cannot be bound. */
  async start(): Promise<void> {
    try {
      for (const ep of this.endpoints) {
        const server = http.createServer((req, res) => this.handle(req, res));
        server.keepAliveTimeout = 5000;
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          if (ep.host === '') server.listen(ep.port, () => resolve());
          else server.listen(ep.port, ep.host, () => resolve());
        }).catch((e: Error) => {
          throw new Error(`cannot serve the collector's metrics on ${ep.host}:${ep.port} (${ep.path}): ${e.message}`);
        });
        server.on('error', (e) => this.logger.error('metrics server error', { error: e.message }));
        this.servers.push(server);
        const a = server.address() as AddressInfo;
        this.bound.push({ host: a.address, port: a.port });
        this.logger.info('Serving the collector metrics', { address: `${a.address}:${a.port}`, path: '/metrics' });
      }
    } catch (e) {
      await this.shutdown();
      throw e;
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = (req.url ?? '/').split('?')[0];
    if (url !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    void this.registry.refresh().then(() => {
      let body: string;
      try {
        this.beforeScrape();
        body = this.registry.renderPrometheus();
      } catch (e) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`cannot render metrics: ${(e as Error).message}\n`);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  }

  /** Where the endpoints actually listen (port 0 resolves to the chosen port). */
  addresses(): ReadonlyArray<{ host: string; port: number }> {
    return this.bound;
  }

  async shutdown(): Promise<void> {
    const servers = this.servers.splice(0);
    this.bound.length = 0;
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections?.();
          }),
      ),
    );
  }
}

/**
 * The root logger from service.telemetry.logs: level, encoding, initial_fields, and output_paths
 * (`stderr`, `stdout`, or file paths — opened for appending).
 */
export function createServiceLogger(cfg: TelemetryConfig): Logger {
  const logs = cfg.logs;
  const writers: Array<(line: string) => void> = [];
  for (const p of logs.output_paths) {
    if (p === 'stderr') writers.push((l) => process.stderr.write(l + '\n'));
    else if (p === 'stdout') writers.push((l) => process.stdout.write(l + '\n'));
    else {
      const file = p.startsWith('file://') ? p.slice('file://'.length) : p;
      let fd: number | undefined;
      writers.push((l) => {
        try {
          if (fd === undefined) fd = fs.openSync(file, 'a');
          fs.writeSync(fd, l + '\n');
        } catch {
          process.stderr.write(l + '\n');
        }
      });
    }
  }
  const write = writers.length === 1 ? writers[0]! : (l: string) => writers.forEach((w) => w(l));
  return createLogger({ level: logs.level, encoding: logs.encoding, write }, { ...logs.initial_fields });
}
