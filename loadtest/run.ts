// `npm run loadtest`: how many spans per second, at what latency and cost, does a collector profile take?
//
//   npm run loadtest -- [--profile gateway | --config FILE | --target HOST:HTTPPORT[,GRPCPORT]] [--protocol http|grpc|both]
//                       [--duration 10] [--connections 16] [--spans-per-request 512] [--rate REQ_PER_S] [--json] [--references]
//                       [--variants N]
//
// Starts a sink backend (OTLP gRPC, counts spans by walking the protobuf framing) and the collector with the chosen
// profile (configs/<name>.yaml, its ports and upstream set through the profile's env variables), or targets a running
// collector (then loss and CPU are not measured). `--variants N` sends N distinct requests in turn (other trace ids;
// default 1, 64 for a tail-sampling profile so that traces do not just grow for the whole run). Drives it from
// pre-encoded realistic requests (bench/fixtures:
// 20 attributes per span, ≈ 900 B/span) with autocannon's API over OTLP/HTTP (a Buffer body: its CLI mangles binary
// bodies) and a grpc-js driver over OTLP/gRPC, for a bounded time, loopback only. Reports offered vs accepted
// spans/s, refusals, loss (accepted − received at the sink), latency p50/p99/p99.9 (hdr-histogram-js), collector
// CPU-seconds per million spans (/proc, all threads) and peak RSS. `--references` then runs the same load (OTLP/HTTP)
// against the naive collector (bench/pipeline/naive-collector.ts: protobufjs decode → objects → encode) and the raw
// byte pass-through (bench/pipeline/passthrough.ts), each forwarding to an OTLP/HTTP sink, measured the same way, and
// reports the profile's spans per CPU-second as a multiple of each.

import * as path from 'node:path';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import * as hdr from 'hdr-histogram-js';
import { realisticRequest } from '../bench/fixtures/realistic';
import { countSpans } from '../bench/lib/span-count';
import { freePort, spawnCaptured, stopProcess, waitForPort } from '../bench/lib/child';
import { procTreeCpuSeconds } from '../bench/lib/stats';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: Record<string, unknown>, cb?: unknown) => AutocannonInstance;
interface AutocannonInstance {
  on(ev: 'response', fn: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): void;
  then: Promise<unknown>['then'];
}

export interface LoadtestOptions {
  profile?: string;
  config?: string;
  target?: string;
  protocol: 'http' | 'grpc' | 'both';
  durationS: number;
  connections: number;
  spansPerRequest: number;
  /** Requests per second over all connections (0: as fast as possible). */
  rate: number;
  /** Also measure the naive collector and the raw pass-through (bench/pipeline) with the same load over OTLP/HTTP. */
  references?: boolean;
  /**
   * Distinct requests (other trace ids) sent in turn. Default 1 (one request repeated), 64 for a profile with
   * tail_sampling: with one request its ≈ 70 traces would only grow for the whole run.
   */
  variants?: number;
}

export interface LoadtestReport {
  profile: string;
  protocol: string;
  durationS: number;
  bytesPerSpan: number;
  spansPerRequest: number;
  offeredSpansPerS: number;
  acceptedSpansPerS: number;
  refusedRequests: number;
  failedRequests: number;
  /** Spans acknowledged to the load generator minus spans the sink received (undefined with --target). */
  lostSpans?: number;
  /** Spans the sink received (undefined with --target). */
  receivedSpans?: number;
  latencyMs: { p50: number; p99: number; p999: number; max: number };
  collectorCpuSecondsPerMillionSpans?: number;
  spansPerCollectorCpuSecond?: number;
  peakRssMiB?: number;
  /** --references: the reference collectors measured in the same run (OTLP/HTTP in and out). */
  references?: ReferenceReport[];
}

/** A reference collector measured by the same harness, and how the profile compares with it per CPU-second. */
export interface ReferenceReport extends LoadtestReport {
  reference: 'naive' | 'passthrough';
  /** The profile's spans per collector CPU-second ÷ the reference's. */
  profilePerCpuRatio?: number;
}

const TRACE_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const ROOT = path.resolve(__dirname, '..', '..');

/** A gRPC OTLP sink counting spans (no decode beyond the framing). */
export async function startSink(): Promise<{ port: number; spans: () => number; close: () => Promise<void> }> {
  let spans = 0;
  const server = new grpc.Server({ 'grpc.max_receive_message_length': -1 });
  server.addService(
    { Export: { path: TRACE_EXPORT, requestStream: false, responseStream: false, requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b } },
    { Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => { spans += countSpans(call.request); cb(null, Buffer.alloc(0)); } },
  );
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  return { port, spans: () => spans, close: () => new Promise((r) => server.tryShutdown(() => r())) };
}

/** An OTLP/HTTP sink counting spans (no decode beyond the framing), for the reference collectors. */
export async function startHttpSink(): Promise<{ port: number; spans: () => number; close: () => Promise<void> }> {
  let spans = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        spans += countSpans(Buffer.concat(chunks));
        res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 });
      } catch {
        res.writeHead(400, { 'content-length': 0 });
      }
      res.end();
    });
  });
  server.keepAliveTimeout = 60_000;
  const port = await new Promise<number>((res) => server.listen(0, '127.0.0.1', () => res((server.address() as { port: number }).port)));
  return {
    port,
    spans: () => spans,
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

function peakRssWatcher(pid: number): { stop: () => number } {
  let peak = 0;
  const read = () => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    } catch {
      /* gone */
    }
  };
  const t = setInterval(read, 100);
  read();
  return { stop: () => (clearInterval(t), read(), peak) };
}

async function driveHttp(url: string, bodies: readonly Buffer[], o: LoadtestOptions, h: hdr.Histogram, counts: { ok: number; refused: number; failed: number }): Promise<void> {
  const inst = autocannon({
    url, method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, connections: o.connections,
    // Several bodies: each connection sends them in turn.
    ...(bodies.length === 1 ? { body: bodies[0] } : { requests: bodies.map((body) => ({ method: 'POST', body })) }),
    duration: o.durationS, ...(o.rate > 0 ? { overallRate: o.rate } : {}),
  });
  inst.on('response', (_c, status, _b, ms) => {
    h.recordValue(Math.max(1, Math.round(ms * 1000)));
    if (status === 200) counts.ok++;
    else if (status === 429 || status === 503) counts.refused++;
    else counts.failed++;
  });
  await inst;
}

async function driveGrpc(addr: string, bodies: readonly Buffer[], o: LoadtestOptions, h: hdr.Histogram, counts: { ok: number; refused: number; failed: number }): Promise<void> {
  let next = 0;
  const client = new grpc.Client(addr, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 64 << 20 });
  const end = Date.now() + o.durationS * 1000;
  const gap = o.rate > 0 ? (1000 * o.connections) / o.rate : 0;
  const loop = async () => {
    while (Date.now() < end) {
      const t0 = process.hrtime.bigint();
      const code = await new Promise<number>((res) =>
        client.makeUnaryRequest(TRACE_EXPORT, (b: Buffer) => b, (b: Buffer) => b, bodies[next++ % bodies.length]!, (err) => res(err ? (err.code ?? 2) : 0)),
      );
      h.recordValue(Math.max(1, Number(process.hrtime.bigint() - t0) / 1000));
      if (code === 0) counts.ok++;
      else if (code === grpc.status.RESOURCE_EXHAUSTED || code === grpc.status.UNAVAILABLE) counts.refused++;
      else counts.failed++;
      if (gap > 0) await new Promise((r) => setTimeout(r, gap));
    }
  };
  await Promise.all(Array.from({ length: o.connections }, loop));
  client.close();
}

interface Target {
  name: string;
  httpUrl: string;
  grpcAddr: string;
  /** The collector's process (absent with --target: CPU, RSS and loss are not measured). */
  pid?: number;
  sinkSpans?: () => number;
  /** The profile drops spans by policy (tail_sampling): sent − received is not a loss, and the sink is not waited for. */
  samples?: boolean;
}

/** Drive `t` with the load of `o` and measure it. */
async function measure(t: Target, o: LoadtestOptions, req: { bytes: Uint8Array; avgSpanBytes: number }): Promise<LoadtestReport> {
  const variants = o.variants ?? (t.samples ? 64 : 1);
  const bodies = [Buffer.from(req.bytes)];
  for (let k = 1; k < variants; k++) bodies.push(Buffer.from(realisticRequest({ spans: o.spansPerRequest, seed: 1 + k }).bytes));
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
  const counts = { ok: 0, refused: 0, failed: 0 };
  const pid = t.pid;
  const cpu0 = pid ? procTreeCpuSeconds(pid) : 0;
  const rss = pid ? peakRssWatcher(pid) : undefined;
  const t0 = Date.now();
  const drives: Array<Promise<void>> = [];
  const per = o.protocol === 'both' ? { ...o, connections: Math.max(1, o.connections >> 1), rate: o.rate / 2 } : o;
  if (o.protocol !== 'grpc') drives.push(driveHttp(t.httpUrl, bodies, per, h, counts));
  if (o.protocol !== 'http') drives.push(driveGrpc(t.grpcAddr, bodies, per, h, counts));
  await Promise.all(drives);
  // Offered: every request answered (any status) in the run; requests cut off in flight at the end are not counted.
  const sent = counts.ok + counts.refused + counts.failed;
  const elapsed = (Date.now() - t0) / 1000;
  const accepted = counts.ok * o.spansPerRequest;
  let lost: number | undefined;
  let received: number | undefined;
  let cpu: number | undefined;
  if (t.sinkSpans && pid) {
    const sinkSpans = t.sinkSpans;
    // Let the collector flush (batch timeout, queue) before counting what arrived.
    const deadline = Date.now() + 15_000;
    while (!t.samples && sinkSpans() < accepted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    cpu = procTreeCpuSeconds(pid) - cpu0;
    // Requests cut off at the end may reach the sink without their answer being counted: a loss is only what was
    // acknowledged and never arrived. A sampling profile forwards a subset, decided up to decision_wait later.
    lost = t.samples ? undefined : Math.max(0, accepted - sinkSpans());
    received = sinkSpans();
  }
  const peak = rss?.stop();
  const processed = Math.max(accepted, received ?? 0);
  return {
    profile: t.name,
    protocol: o.protocol,
    durationS: elapsed,
    bytesPerSpan: Math.round(req.avgSpanBytes),
    spansPerRequest: o.spansPerRequest,
    offeredSpansPerS: Math.round((sent * o.spansPerRequest) / elapsed),
    acceptedSpansPerS: Math.round(accepted / elapsed),
    refusedRequests: counts.refused,
    failedRequests: counts.failed,
    lostSpans: lost,
    latencyMs: {
      p50: h.getValueAtPercentile(50) / 1000,
      p99: h.getValueAtPercentile(99) / 1000,
      p999: h.getValueAtPercentile(99.9) / 1000,
      // hdr reports a percentile as the highest value of its bucket, which can exceed the exact recorded max.
      max: Math.max(h.maxValue, h.getValueAtPercentile(99.9)) / 1000,
    },
    receivedSpans: received,
    collectorCpuSecondsPerMillionSpans: cpu !== undefined && processed > 0 ? (cpu * 1e6) / processed : undefined,
    spansPerCollectorCpuSecond: cpu ? Math.round(processed / cpu) : undefined,
    peakRssMiB: peak !== undefined ? Math.round(peak / 1048576) : undefined,
  };
}

/** The reference collectors' scripts (compiled beside this file's bench/ sibling). */
const REFERENCE_SCRIPTS: Record<ReferenceReport['reference'], string> = {
  naive: path.join(__dirname, '..', 'bench', 'pipeline', 'naive-collector.js'),
  passthrough: path.join(__dirname, '..', 'bench', 'pipeline', 'passthrough.js'),
};

/** Measure one reference collector (OTLP/HTTP in → OTLP/HTTP out to a counting sink) under the same load. */
async function measureReference(ref: ReferenceReport['reference'], o: LoadtestOptions, req: { bytes: Uint8Array; avgSpanBytes: number }): Promise<ReferenceReport> {
  const sink = await startHttpSink();
  const port = await freePort();
  const { proc, out } = spawnCaptured(process.execPath, [REFERENCE_SCRIPTS[ref], '--port', String(port), '--upstream', `http://127.0.0.1:${sink.port}/v1/traces`]);
  try {
    await waitForPort(port, proc, out, 30_000);
    const r = await measure(
      { name: `${ref === 'naive' ? 'naive collector (protobufjs decode → objects → encode)' : 'raw pass-through (no decode)'}`, httpUrl: `http://127.0.0.1:${port}/v1/traces`, grpcAddr: '', pid: proc.pid, sinkSpans: sink.spans },
      { ...o, protocol: 'http' },
      req,
    );
    return { ...r, reference: ref };
  } finally {
    await stopProcess(proc, 10_000);
    await sink.close();
  }
}

export async function runLoadtest(o: LoadtestOptions, log: (s: string) => void = () => undefined): Promise<LoadtestReport> {
  const req = realisticRequest({ spans: o.spansPerRequest });
  let stop = async () => undefined as void;
  let sink: Awaited<ReturnType<typeof startSink>> | undefined;
  let target: Target;
  const name = o.target ? `target ${o.target}` : o.config ?? `configs/${o.profile ?? 'gateway'}.yaml`;
  if (o.target) {
    const [host, ports] = o.target.split(':') as [string, string];
    const [hp, gp] = ports.split(',');
    target = { name, httpUrl: `http://${host}:${hp}/v1/traces`, grpcAddr: `${host}:${gp ?? '4317'}` };
  } else {
    sink = await startSink();
    const [g, h, health, metrics] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const cfg = o.config ?? path.join(ROOT, 'configs', `${o.profile ?? 'gateway'}.yaml`);
    const env = {
      ...process.env, OTELCOL_BIND: '127.0.0.1', OTELCOL_GRPC_PORT: String(g), OTELCOL_HTTP_PORT: String(h), OTELCOL_HEALTH_PORT: String(health),
      OTELCOL_METRICS_PORT: String(metrics), OTELCOL_UPSTREAM: `127.0.0.1:${sink.port}`, OTELCOL_GATEWAY: `127.0.0.1:${sink.port}`,
      OTELCOL_STORAGE_DIR: fs.mkdtempSync('/tmp/otelcol-ts-loadtest-'),
    };
    const { proc, out } = spawnCaptured(process.execPath, [path.join(ROOT, 'bin', 'otelcol-ts.js'), '--config', cfg], env);
    await waitForPort(h, proc, out, 30_000);
    await waitForPort(g, proc, out, 30_000);
    const samples = /^\s*tail_sampling\b/m.test(fs.readFileSync(cfg, 'utf8'));
    target = { name, httpUrl: `http://127.0.0.1:${h}/v1/traces`, grpcAddr: `127.0.0.1:${g}`, pid: proc.pid!, sinkSpans: sink.spans, samples };
    stop = () => stopProcess(proc, 20_000);
  }
  log(`loadtest: ${name}, ${o.protocol}, ${o.durationS}s, ${o.connections} connections, ${o.spansPerRequest} spans/request (${req.avgSpanBytes.toFixed(0)} B/span)`);
  let report: LoadtestReport;
  try {
    report = await measure(target, o, req);
  } finally {
    await stop();
    await sink?.close();
  }
  if (o.references) {
    report.references = [];
    for (const ref of ['naive', 'passthrough'] as const) {
      log(`loadtest: reference ${ref} (OTLP/HTTP), same load`);
      const r = await measureReference(ref, o, req);
      if (report.spansPerCollectorCpuSecond && r.spansPerCollectorCpuSecond) r.profilePerCpuRatio = report.spansPerCollectorCpuSecond / r.spansPerCollectorCpuSecond;
      report.references.push(r);
    }
  }
  return report;
}

export function reportText(r: LoadtestReport): string {
  const f = (n: number | undefined, d = 0) => (n === undefined ? 'n/a' : n.toLocaleString('en-US', { maximumFractionDigits: d }));
  return [
    `profile            ${r.profile} (${r.protocol}, ${r.spansPerRequest} spans/request, ${r.bytesPerSpan} B/span, ${r.durationS.toFixed(1)} s)`,
    `offered            ${f(r.offeredSpansPerS)} spans/s`,
    `accepted           ${f(r.acceptedSpansPerS)} spans/s`,
    `refused / failed   ${r.refusedRequests} / ${r.failedRequests} requests`,
    r.lostSpans === undefined && r.receivedSpans !== undefined
      ? `lost               n/a: the profile samples (${f(r.receivedSpans)} spans received by the end of the run; CPU counts the decisions made by then)`
      : `lost               ${f(r.lostSpans)} spans (acknowledged, not received at the sink; ${f(r.receivedSpans)} received)`,
    `latency            p50 ${f(r.latencyMs.p50, 2)} ms, p99 ${f(r.latencyMs.p99, 2)} ms, p99.9 ${f(r.latencyMs.p999, 2)} ms`,
    `collector CPU      ${f(r.collectorCpuSecondsPerMillionSpans, 2)} CPU-s per million spans (${f(r.spansPerCollectorCpuSecond)} spans per CPU-s)`,
    `peak RSS           ${f(r.peakRssMiB)} MiB`,
    ...(r.references ?? []).flatMap((x) => [
      '',
      `reference          ${x.profile} — OTLP/HTTP in and out, same requests and connections, same run`,
      `  accepted         ${f(x.acceptedSpansPerS)} spans/s, ${x.refusedRequests} refused, ${f(x.lostSpans)} lost`,
      `  latency          p50 ${f(x.latencyMs.p50, 2)} ms, p99 ${f(x.latencyMs.p99, 2)} ms`,
      `  collector CPU    ${f(x.spansPerCollectorCpuSecond)} spans per CPU-s, peak RSS ${f(x.peakRssMiB)} MiB`,
      `  profile ÷ it     ${x.profilePerCpuRatio === undefined ? 'n/a' : `${x.profilePerCpuRatio.toFixed(2)}×`} spans per CPU-s (${r.bytesPerSpan} B/span)`,
    ]),
  ].join('\n');
}

function parseArgs(argv: string[]): LoadtestOptions & { json: boolean } {
  const o: LoadtestOptions & { json: boolean } = { protocol: 'both', durationS: 10, connections: 16, spansPerRequest: 512, rate: 0, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${a} needs a value`);
      return x;
    };
    if (a === '--profile') o.profile = v();
    else if (a === '--config') o.config = v();
    else if (a === '--target') o.target = v();
    else if (a === '--protocol') o.protocol = v() as LoadtestOptions['protocol'];
    else if (a === '--duration') o.durationS = Math.min(600, Number(v()));
    else if (a === '--connections') o.connections = Number(v());
    else if (a === '--spans-per-request') o.spansPerRequest = Number(v());
    else if (a === '--rate') o.rate = Number(v());
    else if (a === '--json') o.json = true;
    else if (a === '--references') o.references = true;
    else if (a === '--variants') o.variants = Math.max(1, Math.min(1024, Number(v())));
    else throw new Error(`unknown option ${a} (see the header of loadtest/run.ts)`);
  }
  if (!['http', 'grpc', 'both'].includes(o.protocol)) throw new Error('--protocol http|grpc|both');
  return o;
}

if (require.main === module) {
  const o = parseArgs(process.argv.slice(2));
  runLoadtest(o, o.json ? undefined : (s) => process.stderr.write(s + '\n')).then(
    (r) => process.stdout.write((o.json ? JSON.stringify(r, null, 2) : reportText(r)) + '\n'),
    (e: unknown) => {
      process.stderr.write(`loadtest failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
