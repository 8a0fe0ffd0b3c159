// Tail-sampling benchmark (issue #6), two parts:
//
// 1. Throughput, same harness as pipeline-bench (sink process counting spans from the framing, collector CPU from
//    /proc/<pid>/stat including its worker threads, alternating variants, warm-up not measured):
//      baseline       otelcol-ts: otlp(http) → batch → otlphttp
//      tail_sampling  otelcol-ts: otlp(http) → tail_sampling (decision_wait 1s, always_sample) → batch → otlphttp
//    Both with the default worker pool. Output volume = input volume. The load generator (this file with --loadgen)
//    posts the realistic 512-span requests of bench/fixtures/realistic.ts but rewrites 4 bytes of every trace id
//    with a request counter, so every request brings NEW traces (the stock load generator repeats the same ids,
//    which a tail sampler would treat as late spans of already decided traces). The collector's CPU is read after
//    the sink has received every accepted span, i.e. after the decisions.
//
// 2. Memory per buffered span (this file with --memory, a child with --expose-gc): the tail_sampling processor
//    in-process (as in one worker), decision_wait 1h, fed 1,000,000 spans of 10 attributes (5-span traces, 1000
//    spans per request, fresh trace ids per request); RSS and V8 (heap + external) deltas after GC divided by the
//    buffered spans, next to the store's own accounting (buffered_bytes) and the spans' wire and string bytes.
//
//   node dist/bench/pipeline/tail-sampling-bench.js [--quick] [--seconds N] [--rounds N] [--concurrency N] [--spans N]

import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { fork } from 'node:child_process';
import { IpcChild, freePort, spawnCaptured, stopProcess, waitForPort } from '../lib/child';
import { fmt, fmtRatio, mdTable, procPeakRssMiB, procTreeCpuSeconds, sleep, sum } from '../lib/stats';
import { realisticRequests } from '../fixtures/realistic';
import type { SinkStats } from './sink';
import { CLI_MAIN } from './launch-otelcol';

// ------------------------------------------------------------------------------------------ shared

/** Offsets of every span's 16 trace id bytes in `bytes` (an ExportTraceServiceRequest). */
function traceIdOffsets(bytes: Uint8Array): Int32Array {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { TraceBatch } = require('../../src/pdata/traces') as typeof import('../../src/pdata/traces');
  const b = TraceBatch.decode(bytes);
  const arena = b.arenaBytes;
  const out = new Int32Array(b.spanCount);
  for (let i = 0; i < b.spanCount; i++) {
    const off = b.traceIdOffset(i);
    if (off < 0) throw new Error(`span ${i} has no trace id`);
    for (let k = 0; k < 16; k++) if (arena[off + k] !== bytes[off + k]) throw new Error('arena offsets do not match the request bytes');
    out[i] = off;
  }
  return out;
}

/** Writes `n` into bytes 12..15 of every trace id (a fresh set of trace ids per n; traces stay distinct). */
function stampTraceIds(buf: Uint8Array, offsets: Int32Array, n: number): void {
  for (let i = 0; i < offsets.length; i++) {
    const o = offsets[i]! + 12;
    buf[o] = n & 0xff;
    buf[o + 1] = (n >>> 8) & 0xff;
    buf[o + 2] = (n >>> 16) & 0xff;
    buf[o + 3] = (n >>> 24) & 0xff;
  }
}

// ------------------------------------------------------------------------------------------ load generator

interface TsLoadResult {
  acceptedSpans: number;
  acceptedRequests: number;
  refused: Record<string, number>;
  errors: number;
  lastError: string;
  elapsedMs: number;
}

function loadgenMain(): void {
  const payloads = realisticRequests(4, { spans: 512, seed: 1 }).map((r) => ({ bytes: r.bytes, spans: r.spanCount, offsets: traceIdOffsets(r.bytes), traces: r.traceCount }));
  let counter = 1;
  const post = (agent: http.Agent, port: number, body: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, path: '/v1/traces', method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error('request timed out after 30 s')));
      req.on('error', reject);
      req.end(body);
    });
  const run = async (port: number, durationMs: number, concurrency: number): Promise<TsLoadResult> => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, keepAliveMsecs: 10_000 });
    const out: TsLoadResult = { acceptedSpans: 0, acceptedRequests: 0, refused: {}, errors: 0, lastError: '', elapsedMs: 0 };
    const t0 = performance.now();
    const deadline = t0 + durationMs;
    let next = 0;
    const worker = async () => {
      while (performance.now() < deadline) {
        const p = payloads[next++ % payloads.length]!;
        const body = Buffer.from(p.bytes);
        stampTraceIds(body, p.offsets, counter++);
        try {
          const status = await post(agent, port, body);
          if (status >= 200 && status < 300) {
            out.acceptedRequests++;
            out.acceptedSpans += p.spans;
          } else {
            out.refused[status] = (out.refused[status] ?? 0) + 1;
            await sleep(5);
          }
        } catch (e) {
          out.errors++;
          out.lastError = String((e as Error).message);
          await sleep(20);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    out.elapsedMs = performance.now() - t0;
    agent.destroy();
    return out;
  };
  const avgSpanBytes = sum(payloads.map((p) => p.bytes.length)) / sum(payloads.map((p) => p.spans));
  const spansPerTrace = sum(payloads.map((p) => p.spans)) / sum(payloads.map((p) => p.traces));
  process.send!({ id: 0, type: 'ready', spansPerRequest: payloads[0]!.spans, avgSpanBytes, spansPerTrace });
  process.on('message', (m: { id: number; cmd: string; port: number; durationMs: number; concurrency: number }) => {
    if (m.cmd !== 'run') return;
    run(m.port, m.durationMs, m.concurrency).then(
      (r) => process.send!({ id: m.id, ...r }),
      (e) => process.send!({ id: m.id, error: String((e as Error).stack ?? e) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}

// ------------------------------------------------------------------------------------------ throughput

export type TsVariant = 'baseline' | 'tail_sampling';
const VARIANTS: TsVariant[] = ['baseline', 'tail_sampling'];
const DECISION_WAIT = '1s';

function collectorConfig(v: TsVariant, port: number, sinkBase: string, metricsPort: number): string {
  const tail = `  tail_sampling:
    decision_wait: ${DECISION_WAIT}
    num_traces: 1000000
    policies:
      - name: everything
        type: always_sample
`;
  return `receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${port}
processors:
  batch: {}
${v === 'tail_sampling' ? tail : ''}exporters:
  otlphttp:
    endpoint: ${sinkBase}
    compression: none
service:
  telemetry:
    logs:
      level: warn
    metrics:
      level: normal
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: ${metricsPort}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [${v === 'tail_sampling' ? 'tail_sampling, batch' : 'batch'}]
      exporters: [otlphttp]
`;
}

function scrape(port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/metrics', timeout: 3000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', () => resolve(''));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(''));
  });
}
function metricSum(text: string, name: string): number {
  let total = 0;
  const re = new RegExp(`^${name}(?:_total)?(?:\\{[^}]*\\})?\\s+([-+0-9.eE]+)`, 'gm');
  for (const m of text.matchAll(re)) total += Number(m[1]);
  return total;
}

export interface TsRound {
  acceptedSpans: number;
  receivedSpans: number;
  lost: number;
  cpuSeconds: number;
  loadSeconds: number;
  refused: Record<string, number>;
  errors: number;
  peakRssMiB: number;
  /** tail_sampling only: traces decided early (buffer bounds) and decided in all, from /metrics. */
  decidedEarly?: number;
  decided?: number;
}

export interface TsVariantResult {
  key: TsVariant;
  skipped?: string;
  rounds: TsRound[];
  spansPerCpuSecond: number | null;
  ingestSpansPerSec: number | null;
  peakRssMiB: number | null;
  lost: number;
}

export interface MemoryResult {
  spans: number;
  traces: number;
  attributesPerSpan: number;
  wireBytesPerSpan: number;
  stringBytesPerSpan: number;
  rssBytesPerSpan: number;
  v8BytesPerSpan: number;
  storeBytesPerSpan: number;
  decidedEarly: number;
  feedSeconds: number;
  rssMiBBefore: number;
  rssMiBAfter: number;
}

export interface TailSamplingBenchResult {
  seconds: number;
  roundsPerVariant: number;
  concurrency: number;
  spansPerRequest: number;
  avgSpanBytes: number;
  spansPerTrace: number;
  variants: TsVariantResult[];
  /** tail_sampling spans per CPU-s ÷ baseline's. */
  throughputRatio: number | null;
  memory: MemoryResult | null;
  memorySkipped?: string;
}

export interface TailSamplingBenchOptions {
  quick?: boolean;
  seconds?: number;
  rounds?: number;
  concurrency?: number;
  /** Spans buffered in the memory part (default 1,000,000; quick 200,000). */
  memorySpans?: number;
  log?: (line: string) => void;
}

async function runThroughput(opts: TailSamplingBenchOptions, log: (l: string) => void): Promise<Omit<TailSamplingBenchResult, 'memory' | 'memorySkipped'>> {
  const seconds = opts.seconds ?? (opts.quick ? 3 : 5);
  const roundsN = opts.rounds ?? (opts.quick ? 1 : 2);
  const warmupMs = opts.quick ? 1000 : 2000;
  const concurrency = opts.concurrency ?? 8;
  const results = new Map<TsVariant, TsVariantResult>(
    VARIANTS.map((k) => [k, { key: k, rounds: [], spansPerCpuSecond: null, ingestSpansPerSec: null, peakRssMiB: null, lost: 0, skipped: fs.existsSync(CLI_MAIN) ? undefined : `otelcol-ts CLI not built: ${CLI_MAIN} is missing` }]),
  );
  const sink = new IpcChild(path.join(__dirname, 'sink.js'));
  const loadgen = new IpcChild(__filename, ['--loadgen']);
  try {
    const sinkBase = `http://127.0.0.1:${(await sink.ready).port as number}`;
    const gen = await loadgen.ready;
    const sinkStats = () => sink.request<SinkStats>({ cmd: 'stats' });
    const load = (port: number, durationMs: number) => loadgen.request<TsLoadResult>({ cmd: 'run', port, durationMs, concurrency }, durationMs + 120_000);
    const drain = async (target: number, idleLimitMs: number): Promise<number> => {
      let last = -1;
      let lastChange = performance.now();
      for (;;) {
        const s = await sinkStats();
        if (s.spans >= target) return s.spans;
        const now = performance.now();
        if (s.spans !== last) {
          last = s.spans;
          lastChange = now;
        } else if (now - lastChange > idleLimitMs) return s.spans;
        await sleep(20);
      }
    };
    for (let r = 0; r < roundsN; r++) {
      for (let j = 0; j < VARIANTS.length; j++) {
        const key = VARIANTS[(j + r) % VARIANTS.length]!;
        const vr = results.get(key)!;
        if (vr.skipped) continue;
        const port = await freePort();
        const metricsPort = await freePort();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otelcol-ts-bench-ts-'));
        const cfgFile = path.join(dir, `${key}.yaml`);
        fs.writeFileSync(cfgFile, collectorConfig(key, port, sinkBase, metricsPort));
        const started = spawnCaptured(process.execPath, [path.join(__dirname, 'launch-otelcol.js'), '--config', cfgFile]);
        const pid = started.proc.pid!;
        try {
          await waitForPort(port, started.proc, started.out, 20_000);
          const base = (await sinkStats()).spans;
          const w = await load(port, warmupMs);
          if (w.acceptedSpans === 0) throw new Error(`accepted no spans during warm-up (refused ${JSON.stringify(w.refused)}, errors ${w.errors} ${w.lastError}); output: ${started.out.text()}`);
          await drain(base + w.acceptedSpans, 5000);
          const s0 = (await sinkStats()).spans;
          const cpu0 = procTreeCpuSeconds(pid);
          const m = await load(port, seconds * 1000);
          const got = await drain(s0 + m.acceptedSpans, 6000);
          const cpu1 = procTreeCpuSeconds(pid);
          const rr: TsRound = {
            acceptedSpans: m.acceptedSpans,
            receivedSpans: got - s0,
            lost: m.acceptedSpans - (got - s0),
            cpuSeconds: cpu1 - cpu0,
            loadSeconds: m.elapsedMs / 1000,
            refused: m.refused,
            errors: m.errors,
            peakRssMiB: procPeakRssMiB(pid),
          };
          if (key === 'tail_sampling') {
            const text = await scrape(metricsPort);
            rr.decidedEarly = metricSum(text, 'otelcol_processor_tail_sampling_sampling_trace_decided_early');
            rr.decided = metricSum(text, 'otelcol_processor_tail_sampling_global_count_traces_sampled');
          }
          vr.rounds.push(rr);
          log(
            `tail-sampling: round ${r + 1}/${roundsN} ${key}: ${fmt(rr.receivedSpans / rr.cpuSeconds)} spans/CPU-s, ingest ${fmt(rr.acceptedSpans / rr.loadSeconds)} spans/s, lost ${rr.lost}` +
              (rr.decidedEarly !== undefined ? `, decided ${rr.decided} traces (${rr.decidedEarly} early)` : '') +
              (Object.keys(rr.refused).length ? `, refused ${JSON.stringify(rr.refused)}` : ''),
          );
        } catch (e) {
          const msg = String((e as Error).message).slice(0, 2000);
          if (vr.rounds.length === 0) vr.skipped = `failed: ${msg}`;
          log(`tail-sampling: ${key} failed: ${msg}`);
        } finally {
          await stopProcess(started.proc);
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }
    }
    for (const v of results.values()) {
      if (v.rounds.length === 0) continue;
      v.spansPerCpuSecond = sum(v.rounds.map((x) => x.receivedSpans)) / sum(v.rounds.map((x) => x.cpuSeconds));
      v.ingestSpansPerSec = sum(v.rounds.map((x) => x.acceptedSpans)) / sum(v.rounds.map((x) => x.loadSeconds));
      v.peakRssMiB = Math.max(...v.rounds.map((x) => x.peakRssMiB));
      v.lost = sum(v.rounds.map((x) => x.lost));
    }
    const b = results.get('baseline')!.spansPerCpuSecond;
    const t = results.get('tail_sampling')!.spansPerCpuSecond;
    return {
      seconds,
      roundsPerVariant: roundsN,
      concurrency,
      spansPerRequest: gen.spansPerRequest as number,
      avgSpanBytes: gen.avgSpanBytes as number,
      spansPerTrace: gen.spansPerTrace as number,
      variants: [...results.values()],
      throughputRatio: b && t ? t / b : null,
    };
  } finally {
    await Promise.all([sink.stop(), loadgen.stop()]);
  }
}

// ------------------------------------------------------------------------------------------ memory

const MEM_SPANS_PER_REQUEST = 1000;
const MEM_SPANS_PER_TRACE = 5;

/** 1000 spans of 10 attributes in 200 traces of 5 spans; returns the bytes and the spans' string bytes. */
function memoryRequest(): { bytes: Uint8Array; stringBytes: number } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { oracleEncodeTraces } = require('../../test/oracle/otlp-oracle') as typeof import('../../test/oracle/otlp-oracle');
  const routes = ['/api/v1/users/{id}/orders', '/api/v1/orders/{id}', '/api/v1/cart/{id}/items', '/api/v2/products/{id}/reviews'];
  const base = BigInt(Date.UTC(2024, 5, 1)) * 1_000_000n;
  let stringBytes = 0;
  const s = (v: string) => {
    stringBytes += Buffer.byteLength(v);
    return v;
  };
  const spans: Record<string, unknown>[] = [];
  for (let i = 0; i < MEM_SPANS_PER_REQUEST; i++) {
    const trace = Math.floor(i / MEM_SPANS_PER_TRACE);
    const tid = Buffer.alloc(16);
    tid.writeUInt32BE(0x5eed0000 + trace, 0);
    tid.writeUInt32BE(trace * 2654435761 >>> 0, 4);
    const sid = Buffer.alloc(8);
    sid.writeUInt32BE(i + 1, 4);
    const parent = i % MEM_SPANS_PER_TRACE === 0 ? undefined : (() => { const p = Buffer.alloc(8); p.writeUInt32BE(i - (i % MEM_SPANS_PER_TRACE) + 1, 4); return p; })();
    const str = (key: string, v: string) => ({ key: s(key), value: { stringValue: s(v) } });
    const int = (key: string, v: number) => ({ key: s(key), value: { intValue: v } });
    const start = base + BigInt(i) * 1_000_000n;
    spans.push({
      traceId: tid,
      spanId: sid,
      ...(parent ? { parentSpanId: parent } : {}),
      name: s(i % MEM_SPANS_PER_TRACE === 0 ? `GET ${routes[trace % routes.length]}` : `SELECT orders ${i % 7}`),
      kind: i % MEM_SPANS_PER_TRACE === 0 ? 2 : 3,
      startTimeUnixNano: String(start),
      endTimeUnixNano: String(start + BigInt(1_000_000 + (i % 50) * 100_000)),
      attributes: [
        str('http.method', 'GET'),
        str('http.route', routes[trace % routes.length]!),
        int('http.status_code', 200),
        str('net.peer.name', `orders-db-${i % 3}.prod.internal`),
        int('net.peer.port', 5432),
        str('db.system', 'postgresql'),
        str('db.name', 'orders'),
        int('thread.id', 1000 + (i % 16)),
        str('request.id', `req-${(i * 7919) % 1_000_000}`),
        { key: s('cache.hit'), value: { boolValue: i % 2 === 0 } },
      ],
      status: {},
    });
  }
  const bytes = oracleEncodeTraces({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'orders' } }, { key: 'host.name', value: { stringValue: 'orders-7f9c' } }] },
        scopeSpans: [{ scope: { name: '@opentelemetry/instrumentation-http', version: '0.52.1' }, spans }],
      },
    ],
  });
  return { bytes, stringBytes };
}

async function memoryMain(totalSpans: number): Promise<MemoryResult> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { TraceBatch } = require('../../src/pdata/traces') as typeof import('../../src/pdata/traces');
  const { parseOrThrow } = require('../../src/config/schema') as typeof import('../../src/config/schema');
  const { CapturingConsumer, testHost, testSettings } = require('../../src/component/testing') as typeof import('../../src/component/testing');
  const { tailSamplingConfigSchema } = require('../../src/processors/tail_sampling/config') as typeof import('../../src/processors/tail_sampling/config');
  const { tailSamplingProcessorFactory } = require('../../src/processors/tail_sampling/factory') as typeof import('../../src/processors/tail_sampling/factory');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const settle = async () => {
    for (let k = 0; k < 4; k++) {
      gc();
      await sleep(50);
    }
  };
  const { bytes, stringBytes } = memoryRequest();
  const offsets = traceIdOffsets(bytes);
  const requests = Math.ceil(totalSpans / MEM_SPANS_PER_REQUEST);
  const cfg = parseOrThrow(
    tailSamplingConfigSchema,
    { decision_wait: '1h', num_traces: 10_000_000, max_buffered_bytes: 8 * 1024 ** 3, policies: [{ name: 'everything', type: 'always_sample' }] },
    'processors.tail_sampling',
  );
  const set = testSettings('tail_sampling', 'processor');
  const proc = tailSamplingProcessorFactory.createTraces!(set, cfg, new CapturingConsumer());
  await proc.start(testHost());
  const buf = Buffer.from(bytes);
  // warm up the code paths with a separate processor (its memory is released before the baseline)
  {
    const warm = tailSamplingProcessorFactory.createTraces!(testSettings('tail_sampling', 'processor'), { ...cfg, drop_pending_traces_on_shutdown: true }, new CapturingConsumer());
    await warm.start(testHost());
    for (let k = 0; k < 20; k++) {
      stampTraceIds(buf, offsets, 0x7f000000 + k);
      await warm.consumeTraces(TraceBatch.decode(buf));
    }
    await warm.shutdown();
  }
  await settle();
  const m0 = process.memoryUsage();
  const t0 = performance.now();
  for (let k = 0; k < requests; k++) {
    stampTraceIds(buf, offsets, k + 1);
    await proc.consumeTraces(TraceBatch.decode(buf));
  }
  const feedSeconds = (performance.now() - t0) / 1000;
  await settle();
  const m1 = process.memoryUsage();
  const P = 'otelcol_processor_tail_sampling_';
  const spans = set.registry.value(`${P}buffered_spans`);
  const traces = set.registry.value(`${P}sampling_traces_on_memory`);
  const storeBytes = set.registry.value(`${P}buffered_bytes`);
  const res: MemoryResult = {
    spans,
    traces,
    attributesPerSpan: 10,
    wireBytesPerSpan: bytes.length / MEM_SPANS_PER_REQUEST,
    stringBytesPerSpan: stringBytes / MEM_SPANS_PER_REQUEST,
    rssBytesPerSpan: (m1.rss - m0.rss) / spans,
    v8BytesPerSpan: (m1.heapUsed + m1.external - (m0.heapUsed + m0.external)) / spans,
    storeBytesPerSpan: storeBytes / spans,
    decidedEarly: set.registry.value(`${P}sampling_trace_decided_early`),
    feedSeconds,
    rssMiBBefore: m0.rss / 1048576,
    rssMiBAfter: m1.rss / 1048576,
  };
  return res;
}

function runMemory(spans: number): Promise<MemoryResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--memory', String(spans)], { execArgv: ['--expose-gc'], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    let result: MemoryResult | undefined;
    child.on('message', (m: { result?: MemoryResult; error?: string }) => {
      if (m.result) result = m.result;
      else reject(new Error(m.error));
    });
    child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`memory child exited ${code}: ${out.slice(-2000)}`))));
  });
}

// ------------------------------------------------------------------------------------------ entry points

export async function runTailSamplingBench(opts: TailSamplingBenchOptions = {}): Promise<TailSamplingBenchResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const thr = await runThroughput(opts, log);
  const spans = opts.memorySpans ?? (opts.quick ? 200_000 : 1_000_000);
  log(`tail-sampling: memory, ${fmt(spans)} buffered spans…`);
  try {
    const memory = await runMemory(spans);
    log(`tail-sampling: memory: ${fmt(memory.rssBytesPerSpan)} B/span RSS, store ${fmt(memory.storeBytesPerSpan)} B/span, strings ${fmt(memory.stringBytesPerSpan)} B/span`);
    return { ...thr, memory };
  } catch (e) {
    log(`tail-sampling: memory part failed: ${(e as Error).message}`);
    return { ...thr, memory: null, memorySkipped: String((e as Error).message).slice(0, 1000) };
  }
}

export function tailSamplingMarkdown(r: TailSamplingBenchResult): string {
  const label: Record<TsVariant, string> = {
    baseline: 'otlp → batch → otlphttp',
    tail_sampling: `otlp → tail_sampling (decision_wait ${DECISION_WAIT}, always_sample) → batch → otlphttp`,
  };
  const rows = r.variants.map((v) =>
    v.spansPerCpuSecond === null
      ? [label[v.key], 'skipped', '', '', '', '']
      : [
          label[v.key],
          fmt(v.spansPerCpuSecond),
          fmt(1e6 / v.spansPerCpuSecond, 2),
          fmt(v.ingestSpansPerSec!),
          fmt(v.peakRssMiB!),
          `${v.lost} of ${fmt(sum(v.rounds.map((x) => x.acceptedSpans)))}`,
        ],
  );
  const lines = [
    `### Tail sampling: throughput (${r.spansPerRequest}-span requests, ${fmt(r.avgSpanBytes, 1)} bytes/span, ~${fmt(r.spansPerTrace, 1)} spans/trace, fresh trace ids per request)`,
    '',
    `${r.roundsPerVariant} round(s) × ${r.seconds} s per collector, alternating, after a warm-up; ${r.concurrency} requests in flight; default worker pool; ` +
      'collector CPU from /proc/<pid>/stat, read once the sink got every accepted span.',
    '',
    mdTable(['pipeline', 'spans per collector CPU-s', 'CPU µs/span', 'ingest spans/s', 'peak RSS MiB', 'spans lost'], rows),
    '',
    `- tail_sampling ÷ baseline (spans per CPU-s): ${r.throughputRatio === null ? 'n/a' : fmtRatio(r.throughputRatio)} (target ≥ 0.7×)`,
  ];
  const ts = r.variants.find((v) => v.key === 'tail_sampling');
  for (const x of ts?.rounds ?? []) lines.push(`- tail_sampling round: ${x.decided} traces decided, ${x.decidedEarly} of them early (buffer bounds)`);
  for (const v of r.variants) if (v.skipped) lines.push(`- ${v.key}: skipped — ${v.skipped}`);
  lines.push('');
  if (r.memory) {
    const m = r.memory;
    lines.push(
      `### Tail sampling: memory per buffered span (${fmt(m.spans)} spans of ${m.attributesPerSpan} attributes in ${fmt(m.traces)} traces, decision_wait 1h, one processor instance)`,
      '',
      mdTable(
        ['measure', 'bytes per span'],
        [
          ['RSS delta after GC ÷ spans', fmt(m.rssBytesPerSpan, 1)],
          ['V8 heap + external delta ÷ spans', fmt(m.v8BytesPerSpan, 1)],
          ["store's own accounting (buffered_bytes ÷ spans)", fmt(m.storeBytesPerSpan, 1)],
          ['span wire bytes (OTLP protobuf)', fmt(m.wireBytesPerSpan, 1)],
          ['string bytes of a span (name, attribute keys and string values)', fmt(m.stringBytesPerSpan, 1)],
          ['**RSS delta minus string bytes** (target ≤ 150)', `**${fmt(m.rssBytesPerSpan - m.stringBytesPerSpan, 1)}**`],
        ],
      ),
      '',
      `- RSS ${fmt(m.rssMiBBefore)} → ${fmt(m.rssMiBAfter)} MiB; fed in ${fmt(m.feedSeconds, 1)} s; ${m.decidedEarly} traces decided early.`,
    );
  } else {
    lines.push(`- memory part skipped: ${r.memorySkipped}`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (argv[0] === '--loadgen') {
    loadgenMain();
  } else if (argv[0] === '--memory') {
    memoryMain(Number(argv[1])).then(
      (result) => process.send!({ result }, () => process.exit(0)),
      (e) => process.send!({ error: String((e as Error).stack ?? e) }, () => process.exit(1)),
    );
  } else {
    const num = (name: string) => {
      const i = argv.indexOf(name);
      return i >= 0 ? Number(argv[i + 1]) : undefined;
    };
    runTailSamplingBench({ quick: argv.includes('--quick'), seconds: num('--seconds'), rounds: num('--rounds'), concurrency: num('--concurrency'), memorySpans: num('--spans') }).then(
      (r) => process.stdout.write(tailSamplingMarkdown(r) + '\n'),
      (e) => {
        process.stderr.write(String((e as Error).stack ?? e) + '\n');
        process.exitCode = 1;
      },
    );
  }
}
