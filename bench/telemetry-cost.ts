// What self-telemetry costs per span (issue #8: counting must cost < 1 % of per-span CPU).
//
//   node dist/bench/telemetry-cost.js [--requests 400]      (also: node dist/bench/run.js --only telemetry)
//
// Measured in one process, on the real components: an otelcol-ts Service (otlp receiver over HTTP → batch →
// otlphttp exporter with its sending queue, to an in-process sink), single-threaded so every instrument call is in
// this thread. A counting registry (a MetricRegistry whose instruments count their calls) gives the number of
// instrument calls per request at each level; a tight loop gives the cost of one call (counter add, gauge set,
// histogram record) on the same registry; their product divided by the spans per request is the per-span cost of
// counting, reported as a fraction of the per-span CPU of the same run (process CPU over the request loop ÷ spans).
// The scrape is not per span: its cost is reported per scrape (render of /metrics text with these families).

import * as http from 'node:http';
import { parse } from 'yaml';
import { factories } from '../src/components';
import { validateConfigOrThrow } from '../src/config/config';
import { Registry } from '../src/service/registry';
import { Service } from '../src/service/service';
import { MetricRegistry } from '../src/telemetry/metrics';
import type { Counter, Gauge, Histogram, Labels } from '../src/component/types';
import { realisticRequest } from './fixtures/realistic';
import { freePort } from './lib/child';
import { countSpans } from './lib/span-count';

/** A registry whose instruments count how often they are called. */
class CountingRegistry extends MetricRegistry {
  calls = 0;
  // Dropped families (the level) hand out no-op instruments: their calls are not counted.
  override counter(name: string, help: string, labels: Labels): Counter {
    const c = super.counter(name, help, labels);
    if (this.isDropped(name)) return c;
    return { add: (n: number) => (this.calls++, c.add(n)) };
  }
  override gauge(name: string, help: string, labels: Labels): Gauge {
    const g = super.gauge(name, help, labels);
    if (this.isDropped(name)) return g;
    return { set: (n: number) => (this.calls++, g.set(n)), add: (n: number) => (this.calls++, g.add(n)) };
  }
  override histogram(name: string, help: string, labels: Labels, buckets: readonly number[]): Histogram {
    const h = super.histogram(name, help, labels, buckets);
    if (this.isDropped(name)) return h;
    return { record: (v: number) => (this.calls++, h.record(v)) };
  }
}

export interface TelemetryCostRow {
  level: string;
  callsPerRequest: number;
  cpuUsPerSpan: number;
}
export interface TelemetryCostResult {
  spansPerRequest: number;
  bytesPerSpan: number;
  requests: number;
  nsPerCall: { counter: number; gauge: number; histogram: number };
  rows: TelemetryCostRow[];
  /** Worst level: instrument calls per span × the dearest call ÷ CPU per span. */
  fractionOfSpanCpu: number;
  scrapeMs: number;
  families: number;
}

function post(port: number, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/v1/traces', method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function runLevel(level: string, requests: number, body: Buffer, spansPerRequest: number): Promise<{ row: TelemetryCostRow; registry: CountingRegistry }> {
  let sunk = 0;
  const sink = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      sunk += countSpans(Buffer.concat(chunks));
      res.writeHead(200, { 'content-length': 0 });
      res.end();
    });
  });
  const sinkPort = await new Promise<number>((r) => sink.listen(0, '127.0.0.1', () => r((sink.address() as { port: number }).port)));
  const port = await freePort();
  const yaml = `
receivers: { otlp: { protocols: { http: { endpoint: 127.0.0.1:${port} } } } }
processors: { batch: {} }
exporters: { otlphttp: { endpoint: http://127.0.0.1:${sinkPort}, compression: none } }
service:
  workers: 0
  telemetry: { logs: { level: error }, metrics: { level: ${level}, readers: [ { pull: { exporter: { prometheus: { host: 127.0.0.1, port: 0 } } } } ] } }
  pipelines: { traces: { receivers: [otlp], processors: [batch], exporters: [otlphttp] } }
`;
  const raw = parse(yaml) as { service: { telemetry: { metrics: Record<string, unknown> } } };
  if (level === 'none') delete raw.service.telemetry.metrics.readers;
  const registry = new CountingRegistry();
  const svc = new Service({ config: validateConfigOrThrow(raw, new Registry(factories)), metrics: registry });
  await svc.start();
  try {
    for (let i = 0; i < 20; i++) await post(port, body); // warm-up
    const deadline = Date.now() + 10_000;
    while (sunk < 20 * spansPerRequest && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    registry.calls = 0;
    const sunk0 = sunk;
    const cpu0 = process.cpuUsage();
    const inflight = 8;
    let next = 0;
    await Promise.all(Array.from({ length: inflight }, async () => {
      while (next < requests) {
        next++;
        const st = await post(port, body);
        if (st !== 200) throw new Error(`collector answered ${st}`);
      }
    }));
    while (sunk - sunk0 < requests * spansPerRequest && Date.now() < deadline + 20_000) await new Promise((r) => setTimeout(r, 10));
    const cpu = process.cpuUsage(cpu0);
    const spans = requests * spansPerRequest;
    return { row: { level, callsPerRequest: registry.calls / requests, cpuUsPerSpan: (cpu.user + cpu.system) / spans }, registry };
  } finally {
    await svc.shutdown();
    await new Promise((r) => sink.close(r));
  }
}

function nsPerCall(f: () => void, n = 5_000_000): number {
  for (let i = 0; i < 100_000; i++) f();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f();
  return Number(process.hrtime.bigint() - t0) / n;
}

export async function runTelemetryCostBench(opts: { requests?: number; log?: (s: string) => void } = {}): Promise<TelemetryCostResult> {
  const requests = opts.requests ?? 400;
  const req = realisticRequest({ spans: 512 });
  const body = Buffer.from(req.bytes);
  const rows: TelemetryCostRow[] = [];
  let detailedRegistry: CountingRegistry | undefined;
  for (const level of ['none', 'basic', 'normal', 'detailed']) {
    const { row, registry } = await runLevel(level, requests, body, 512);
    opts.log?.(`telemetry cost: level ${level}: ${row.callsPerRequest.toFixed(1)} instrument calls per request, ${row.cpuUsPerSpan.toFixed(2)} µs CPU per span`);
    rows.push(row);
    if (level === 'detailed') detailedRegistry = registry;
  }
  const reg = new MetricRegistry();
  const c = reg.counter('bench_counter', 'x', { a: 'b' });
  const g = reg.gauge('bench_gauge', 'x', { a: 'b' });
  const h = reg.histogram('bench_histogram', 'x', { a: 'b' }, [10, 25, 50, 75, 100, 250, 500, 750, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 20000, 30000, 50000, 100000]);
  let v = 0;
  const ns = { counter: nsPerCall(() => c.add(1)), gauge: nsPerCall(() => g.set(v++)), histogram: nsPerCall(() => h.record((v++ % 9000) + 1)) };
  const dearest = Math.max(ns.counter, ns.gauge, ns.histogram);
  const worst = rows.reduce((a, r) => (r.callsPerRequest > a.callsPerRequest ? r : a));
  const spanCpuNs = rows.find((r) => r.level === worst.level)!.cpuUsPerSpan * 1000;
  const fraction = (worst.callsPerRequest * dearest) / 512 / spanCpuNs;
  // One scrape: render every family as Prometheus text.
  const t0 = process.hrtime.bigint();
  let text = '';
  for (let i = 0; i < 200; i++) text = detailedRegistry!.renderPrometheus();
  const scrapeMs = Number(process.hrtime.bigint() - t0) / 200 / 1e6;
  const families = text.split('\n').filter((l) => l.startsWith('# TYPE ')).length;
  return { spansPerRequest: 512, bytesPerSpan: Math.round(req.avgSpanBytes), requests, nsPerCall: ns, rows, fractionOfSpanCpu: fraction, scrapeMs, families };
}

export function telemetryCostMarkdown(r: TelemetryCostResult): string {
  const lines = [
    `### Self-telemetry cost: otlp (HTTP) → batch → otlphttp, single-threaded, ${r.requests} requests of ${r.spansPerRequest} spans (${r.bytesPerSpan} B/span) per level`,
    '',
    '| metrics level | instrument calls per request | per span | collector CPU µs per span (same run) |',
    '| --- | --- | --- | --- |',
    ...r.rows.map((x) => `| ${x.level} | ${x.callsPerRequest.toFixed(1)} | ${(x.callsPerRequest / r.spansPerRequest).toFixed(4)} | ${x.cpuUsPerSpan.toFixed(2)} |`),
    '',
    `One call: counter add ${r.nsPerCall.counter.toFixed(1)} ns, gauge set ${r.nsPerCall.gauge.toFixed(1)} ns, histogram record ${r.nsPerCall.histogram.toFixed(1)} ns.`,
    `Counting costs at most **${(r.fractionOfSpanCpu * 100).toFixed(4)} %** of the per-span CPU (target < 1 %): calls are per request/batch, not per span.`,
    `A scrape renders ${r.families} families in ${r.scrapeMs.toFixed(2)} ms (per scrape, not per span).`,
  ];
  return lines.join('\n');
}

if (require.main === module) {
  const i = process.argv.indexOf('--requests');
  runTelemetryCostBench({ requests: i > 0 ? Number(process.argv[i + 1]) : undefined, log: (s) => process.stderr.write(s + '\n') }).then(
    (r) => process.stdout.write(telemetryCostMarkdown(r) + '\n'),
    (e: unknown) => {
      process.stderr.write(`telemetry cost bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
