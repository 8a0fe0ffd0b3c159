// Pipeline benchmark: OTLP/HTTP in → batch → OTLP/HTTP out, measured as spans per collector CPU-second and
// spans/s, for four collectors run in the same run, alternating:
//   otelcol-forwarding  otelcol-ts: otlp(http) → batch → otlphttp
//   otelcol-processing  otelcol-ts: otlp(http) → memory_limiter → attributes (insert 1, delete 1) → batch → otlphttp
//   naive               bench/pipeline/naive-collector.ts (protobufjs decode → objects → batch → encode → POST)
//   passthrough         bench/pipeline/passthrough.ts (bytes in → same bytes out; the ceiling)
// Processes: the sink (counts spans from the framing), the load generator and each collector run separately.
// Collector CPU = utime+stime from /proc/<pid>/stat (with its threads and child processes), read after a
// warm-up and after the sink has received every span accepted during the measured phase.
//
//   node dist/bench/pipeline/pipeline-bench.js [--quick] [--seconds N] [--rounds N] [--concurrency N] [--variants a,b]

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChildProcess } from 'node:child_process';
import { IpcChild, OutputTail, freePort, spawnCaptured, stopProcess, waitForPort } from '../lib/child';
import { fmt, fmtRatio, mdTable, median, procPeakRssMiB, procTreeCpuSeconds, sleep, sum } from '../lib/stats';
import type { LoadRunResult } from './loadgen';
import type { SinkStats } from './sink';
import { CLI_MAIN } from './launch-otelcol';
import { forwardingConfig, processingConfig } from './configs';

export type VariantKey = 'otelcol-forwarding' | 'otelcol-processing' | 'naive' | 'passthrough';
export const ALL_VARIANTS: VariantKey[] = ['otelcol-forwarding', 'otelcol-processing', 'naive', 'passthrough'];

export interface PipelineOptions {
  quick?: boolean;
  /** Measured seconds per round (default 5; quick 3). */
  seconds?: number;
  /** Rounds per variant (default 2; quick 1). */
  rounds?: number;
  /** Requests in flight from the load generator (default 8). */
  concurrency?: number;
  variants?: VariantKey[];
  log?: (line: string) => void;
}

export interface RoundResult {
  acceptedSpans: number;
  receivedSpans: number;
  /** accepted − received (negative: duplicates). */
  lost: number;
  cpuSeconds: number;
  elapsedSeconds: number;
  refused: Record<string, number>;
  errors: number;
  lastError: string;
  peakRssMiB: number;
}

export interface VariantResult {
  key: VariantKey;
  label: string;
  skipped?: string;
  rounds: RoundResult[];
  spansPerSec: number | null;
  spansPerCpuSecond: number | null;
  cpuUsPerSpan: number | null;
  /** Collector CPU-seconds per wall second while loaded. */
  coresUsed: number | null;
  peakRssMiB: number | null;
  lost: number;
  accepted: number;
  refusedRequests: number;
  errors: number;
  /** Ratios to the naive collector (higher = better). */
  perCpuVsNaive: number | null;
  spansPerSecVsNaive: number | null;
}

export interface PipelineResult {
  seconds: number;
  warmupSeconds: number;
  roundsPerVariant: number;
  concurrency: number;
  spansPerRequest: number;
  avgSpanBytes: number;
  requestBytes: number[];
  variants: VariantResult[];
}

const LABELS: Record<VariantKey, string> = {
  'otelcol-forwarding': 'otelcol-ts forwarding (otlp → batch → otlphttp)',
  'otelcol-processing': 'otelcol-ts processing (memory_limiter → attributes → batch)',
  naive: 'naive Node collector (protobufjs → objects → batch → protobufjs)',
  passthrough: 'raw byte pass-through (ceiling)',
};

interface Started {
  proc: ChildProcess;
  out: OutputTail;
  cleanup?: () => void;
}

async function startVariant(key: VariantKey, port: number, sinkBase: string): Promise<Started> {
  const js = (name: string) => path.join(__dirname, name);
  const node = process.execPath;
  if (key === 'naive' || key === 'passthrough') {
    const file = key === 'naive' ? 'naive-collector.js' : 'passthrough.js';
    return spawnCaptured(node, [js(file), '--port', String(port), '--upstream', `${sinkBase}/v1/traces`]);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otelcol-ts-bench-'));
  const cfgFile = path.join(dir, `${key}.yaml`);
  const cfg = { port, sinkEndpoint: sinkBase, metricsPort: await freePort() };
  fs.writeFileSync(cfgFile, key === 'otelcol-forwarding' ? forwardingConfig(cfg) : processingConfig(cfg));
  const s = spawnCaptured(node, [js('launch-otelcol.js'), '--config', cfgFile]);
  return { ...s, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function staticSkip(key: VariantKey): string | undefined {
  if (key.startsWith('otelcol-') && !fs.existsSync(CLI_MAIN)) {
    return `otelcol-ts CLI not built: ${path.relative(process.cwd(), CLI_MAIN)} is missing`;
  }
  return undefined;
}

export async function runPipelineBench(opts: PipelineOptions = {}): Promise<PipelineResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const seconds = opts.seconds ?? (opts.quick ? 3 : 5);
  const roundsN = opts.rounds ?? (opts.quick ? 1 : 2);
  const warmupMs = opts.quick ? 750 : 1500;
  const concurrency = opts.concurrency ?? 8;
  const keys = opts.variants ?? ALL_VARIANTS;

  const sink = new IpcChild(path.join(__dirname, 'sink.js'));
  const loadgen = new IpcChild(path.join(__dirname, 'loadgen.js'));
  const results = new Map<VariantKey, VariantResult>();
  for (const k of keys) {
    results.set(k, {
      key: k, label: LABELS[k], skipped: staticSkip(k), rounds: [], spansPerSec: null, spansPerCpuSecond: null, cpuUsPerSpan: null,
      coresUsed: null, peakRssMiB: null, lost: 0, accepted: 0, refusedRequests: 0, errors: 0, perCpuVsNaive: null, spansPerSecVsNaive: null,
    });
  }
  try {
    const sinkPort = (await sink.ready).port as number;
    const gen = await loadgen.ready;
    const sinkBase = `http://127.0.0.1:${sinkPort}`;
    const sinkStats = () => sink.request<SinkStats>({ cmd: 'stats' });
    const load = (port: number, durationMs: number) => loadgen.request<LoadRunResult>({ cmd: 'run', port, durationMs, concurrency }, durationMs + 120_000);

    /** Waits until the sink holds `target` spans or stops making progress; returns the count and when it got there. */
    const drain = async (target: number, idleLimitMs: number): Promise<{ spans: number; at: number }> => {
      let last = -1;
      let lastChange = performance.now();
      for (;;) {
        const s = await sinkStats();
        const now = performance.now();
        if (s.spans >= target) return { spans: s.spans, at: now };
        if (s.spans !== last) {
          last = s.spans;
          lastChange = now;
        } else if (now - lastChange > idleLimitMs) {
          return { spans: s.spans, at: lastChange };
        }
        await sleep(20);
      }
    };

    for (const k of keys) {
      const sk = results.get(k)!.skipped;
      if (sk) log(`pipeline: ${k} skipped: ${sk}`);
    }

    for (let r = 0; r < roundsN; r++) {
      for (let j = 0; j < keys.length; j++) {
        const key = keys[(j + r) % keys.length];
        const vr = results.get(key)!;
        if (vr.skipped) continue;
        const port = await freePort();
        const started = await startVariant(key, port, sinkBase);
        const pid = started.proc.pid!;
        try {
          await waitForPort(port, started.proc, started.out, 20_000);
          // Warm-up (JIT, pools, sockets): not measured, but it must get through to the sink.
          const base = (await sinkStats()).spans;
          const w = await load(port, warmupMs);
          const wd = await drain(base + w.acceptedSpans, 5000);
          if (w.acceptedSpans === 0) {
            throw new Error(`accepted no spans during warm-up (refused ${JSON.stringify(w.refused)}, errors ${w.errors} ${w.lastError}); output: ${started.out.text() || '(none)'}`);
          }
          if (wd.spans - base === 0) {
            throw new Error(`accepted ${w.acceptedSpans} spans during warm-up but the sink received none; output: ${started.out.text() || '(none)'}`);
          }
          const s0 = (await sinkStats()).spans;
          const cpu0 = procTreeCpuSeconds(pid);
          const t0 = performance.now();
          const m = await load(port, seconds * 1000);
          const d = await drain(s0 + m.acceptedSpans, Math.max(5000, seconds * 1000));
          const cpu1 = procTreeCpuSeconds(pid);
          const rr: RoundResult = {
            acceptedSpans: m.acceptedSpans,
            receivedSpans: d.spans - s0,
            lost: m.acceptedSpans - (d.spans - s0),
            cpuSeconds: cpu1 - cpu0,
            elapsedSeconds: (d.at - t0) / 1000,
            refused: m.refused,
            errors: m.errors,
            lastError: m.lastError,
            peakRssMiB: procPeakRssMiB(pid),
          };
          vr.rounds.push(rr);
          log(
            `pipeline: round ${r + 1}/${roundsN} ${key}: ${fmt(rr.receivedSpans / rr.elapsedSeconds)} spans/s, ` +
              `${fmt(rr.receivedSpans / rr.cpuSeconds)} spans/CPU-s, lost ${rr.lost}` +
              (Object.keys(rr.refused).length ? `, refused ${JSON.stringify(rr.refused)}` : '') +
              (rr.errors ? `, errors ${rr.errors} (${rr.lastError})` : ''),
          );
        } catch (e) {
          const msg = String((e as Error).message).slice(0, 2000);
          vr.skipped = vr.rounds.length === 0 ? `failed: ${msg}` : undefined;
          log(`pipeline: ${key} ${vr.rounds.length === 0 ? 'skipped' : 'round failed'}: ${msg}`);
        } finally {
          await stopProcess(started.proc);
          started.cleanup?.();
        }
      }
    }
    void gen;

    const naive = results.get('naive');
    const agg = (v: VariantResult) => {
      if (v.rounds.length === 0) return;
      const received = sum(v.rounds.map((x) => x.receivedSpans));
      const cpu = sum(v.rounds.map((x) => x.cpuSeconds));
      const wall = sum(v.rounds.map((x) => x.elapsedSeconds));
      v.spansPerSec = received / wall;
      v.spansPerCpuSecond = received / cpu;
      v.cpuUsPerSpan = (cpu * 1e6) / received;
      v.coresUsed = cpu / wall;
      v.peakRssMiB = Math.max(...v.rounds.map((x) => x.peakRssMiB));
      v.lost = sum(v.rounds.map((x) => x.lost));
      v.accepted = sum(v.rounds.map((x) => x.acceptedSpans));
      v.refusedRequests = sum(v.rounds.map((x) => sum(Object.values(x.refused))));
      v.errors = sum(v.rounds.map((x) => x.errors));
    };
    for (const v of results.values()) agg(v);
    for (const v of results.values()) {
      if (naive?.spansPerCpuSecond && v.spansPerCpuSecond) v.perCpuVsNaive = v.spansPerCpuSecond / naive.spansPerCpuSecond;
      if (naive?.spansPerSec && v.spansPerSec) v.spansPerSecVsNaive = v.spansPerSec / naive.spansPerSec;
    }
    return {
      seconds,
      warmupSeconds: warmupMs / 1000,
      roundsPerVariant: roundsN,
      concurrency,
      spansPerRequest: gen.spansPerRequest as number,
      avgSpanBytes: gen.avgSpanBytes as number,
      requestBytes: gen.requestBytes as number[],
      variants: [...results.values()],
    };
  } finally {
    await Promise.all([sink.stop(), loadgen.stop()]);
  }
}

export function pipelineMarkdown(r: PipelineResult): string {
  const rows = r.variants.map((v) =>
    v.spansPerSec === null
      ? [v.label, 'skipped', '', '', '', '', '', '', '']
      : [
          v.label,
          fmt(v.spansPerSec),
          fmt(v.spansPerCpuSecond!),
          fmt(v.cpuUsPerSpan!, 2),
          fmt(v.coresUsed!, 2),
          fmt(v.peakRssMiB!),
          `${v.lost} of ${fmt(v.accepted)}`,
          v.perCpuVsNaive === null ? 'n/a' : fmtRatio(v.perCpuVsNaive),
          v.spansPerSecVsNaive === null ? 'n/a' : fmtRatio(v.spansPerSecVsNaive),
        ],
  );
  const lines = [
    `### Pipeline: OTLP/HTTP → batch → OTLP/HTTP, ${r.spansPerRequest}-span requests, ${fmt(r.avgSpanBytes, 1)} bytes/span, 20 attributes/span`,
    '',
    `${r.roundsPerVariant} round(s) × ${r.seconds} s per collector, alternating, after a ${r.warmupSeconds} s warm-up each; ` +
      `${r.concurrency} requests in flight; collector CPU from /proc/<pid>/stat.`,
    '',
    mdTable(['collector', 'spans/s', 'spans per collector CPU-s', 'CPU µs/span', 'collector cores', 'peak RSS MiB', 'spans lost', '× naive (per CPU-s)', '× naive (spans/s)'], rows),
  ];
  const notes: string[] = [];
  for (const v of r.variants) {
    if (v.skipped) notes.push(`- ${v.key}: skipped — ${v.skipped}`);
    if (v.refusedRequests) notes.push(`- ${v.key}: ${v.refusedRequests} requests refused (${v.rounds.map((x) => JSON.stringify(x.refused)).join(', ')})`);
    if (v.errors) notes.push(`- ${v.key}: ${v.errors} request errors (last: ${v.rounds.map((x) => x.lastError).filter(Boolean).pop()})`);
    if (v.rounds.length > 1) {
      notes.push(`- ${v.key}: spans per CPU-s by round: ${v.rounds.map((x) => fmt(x.receivedSpans / x.cpuSeconds)).join(', ')} (median ${fmt(median(v.rounds.map((x) => x.receivedSpans / x.cpuSeconds)))})`);
    }
  }
  const totalLost = sum(r.variants.map((v) => v.lost));
  notes.push(`- loss check: ${totalLost === 0 ? 'the sink received every accepted span' : `${totalLost} accepted spans never reached the sink`}`);
  lines.push('', ...notes);
  return lines.join('\n');
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const num = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : undefined;
  };
  const vi = argv.indexOf('--variants');
  runPipelineBench({
    quick: argv.includes('--quick'),
    seconds: num('--seconds'),
    rounds: num('--rounds'),
    concurrency: num('--concurrency'),
    variants: vi >= 0 ? (argv[vi + 1].split(',') as VariantKey[]) : undefined,
  }).then(
    (r) => process.stdout.write(pipelineMarkdown(r) + '\n'),
    (e) => {
      process.stderr.write(String((e as Error).stack ?? e) + '\n');
      process.exitCode = 1;
    },
  );
}
