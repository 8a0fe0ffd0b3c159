// Worker-pool scaling benchmark (issue #5): the same OTLP/HTTP in → batch → OTLP/HTTP out pipeline as
// pipeline-bench, run with `service.workers: 0` (single-threaded: the pipelines run on the acceptor thread),
// and with the pool at `service.workers: 1, 2, 4`, plus the naive collector as the usual baseline and, unless
// `--no-processing`, a processing variant (attributes upsert of one attribute) at workers 0 and 2. Same run,
// alternating, order rotated each round.
//
// Measured per row: spans/s accepted (received by the sink over the wall time until it had them all), spans per
// collector CPU-second (utime+stime of /proc/<pid>/stat: every thread, live or exited), the ratio of spans per
// CPU-second to the single-threaded row of the same pipeline ("handoff overhead": target ≥ 0.9), the ratio to
// the naive collector, and where the CPU went: the main thread (the acceptor: HTTP, lazy decode, sharding,
// handoff; tid == pid), the worker threads (identified by the `thread-tag.js` preload, which runs in every JS
// thread) and the rest (V8's GC/compiler platform threads, libuv), from /proc/<pid>/task/<tid>/stat.
//
//   node dist/bench/pipeline/scaling-bench.js [--quick] [--seconds N] [--rounds N] [--concurrency N] [--no-processing]
//     [--rows w0,w1,w2,w4,naive,proc-w0,proc-w2]

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChildProcess } from 'node:child_process';
import { IpcChild, OutputTail, freePort, spawnCaptured, stopProcess, waitForPort } from '../lib/child';
import { fmt, fmtRatio, mdTable, procPeakRssMiB, procTreeCpuSeconds, sleep, sum } from '../lib/stats';
import type { LoadRunResult } from './loadgen';
import type { SinkStats } from './sink';
import { CLI_MAIN } from './launch-otelcol';
import { workersConfig } from './configs';

export type ScalingKey = 'w0' | 'w1' | 'w2' | 'w4' | 'naive' | 'proc-w0' | 'proc-w2';
const FORWARDING: ScalingKey[] = ['w0', 'w1', 'w2', 'w4', 'naive'];
const PROCESSING: ScalingKey[] = ['proc-w0', 'proc-w2'];

interface RowSpec {
  label: string;
  /** service.workers, or undefined for the naive collector. */
  workers?: number;
  processing: boolean;
  /** The single-threaded row this one is compared with. */
  base?: ScalingKey;
}

const SPECS: Record<ScalingKey, RowSpec> = {
  w0: { label: 'single-threaded (`service.workers: 0`)', workers: 0, processing: false, base: 'w0' },
  w1: { label: 'pool, `service.workers: 1`', workers: 1, processing: false, base: 'w0' },
  w2: { label: 'pool, `service.workers: 2`', workers: 2, processing: false, base: 'w0' },
  w4: { label: 'pool, `service.workers: 4` (oversubscribed on 2 cores)', workers: 4, processing: false, base: 'w0' },
  naive: { label: 'naive Node collector (protobufjs, baseline)', processing: false },
  'proc-w0': { label: 'attributes upsert, `service.workers: 0`', workers: 0, processing: true, base: 'proc-w0' },
  'proc-w2': { label: 'attributes upsert, `service.workers: 2`', workers: 2, processing: true, base: 'proc-w0' },
};

export interface ScalingOptions {
  quick?: boolean;
  /** Measured seconds per round (default 5; quick 3). */
  seconds?: number;
  /** Rounds per row (default 2; quick 1). */
  rounds?: number;
  /** Requests in flight from the load generator (default 16). */
  concurrency?: number;
  /** Include the attributes-upsert rows (default true). */
  processing?: boolean;
  /** Only these rows (default: all). */
  rows?: ScalingKey[];
  log?: (line: string) => void;
}

/** CPU-seconds by thread group over the measured phase. */
export interface ThreadSplit {
  /** The main thread (tid == pid): the acceptor in pool mode, everything JS in single-threaded mode. */
  main: number;
  /** Each worker thread (pool mode), in thread-id order. */
  workers: number[];
  /** Everything else: V8 platform threads (GC, compiler), libuv threads, exited threads. */
  other: number;
}

export interface ScalingRound {
  acceptedSpans: number;
  receivedSpans: number;
  lost: number;
  cpuSeconds: number;
  elapsedSeconds: number;
  threads: ThreadSplit | null;
  /** CPU-seconds of the load generator and of the sink over the same phase (who else used the cores). */
  loadgenCpuSeconds: number;
  sinkCpuSeconds: number;
  refused: Record<string, number>;
  errors: number;
  lastError: string;
  peakRssMiB: number;
}

export interface ScalingRow {
  key: ScalingKey;
  label: string;
  workers: number | null;
  processing: boolean;
  skipped?: string;
  rounds: ScalingRound[];
  spansPerSec: number | null;
  spansPerCpuSecond: number | null;
  /** Collector CPU-seconds per wall second. */
  coresUsed: number | null;
  /** Load generator + sink CPU-seconds per wall second. */
  auxCores: number | null;
  /** Spans per CPU-s vs the single-threaded row of the same pipeline. */
  perCpuVsSingle: number | null;
  perCpuVsNaive: number | null;
  /** Summed over rounds (CPU-seconds). */
  threads: ThreadSplit | null;
  wallSeconds: number;
  lost: number;
  accepted: number;
  refusedRequests: number;
  errors: number;
  peakRssMiB: number | null;
}

export interface ScalingResult {
  seconds: number;
  warmupSeconds: number;
  roundsPerRow: number;
  concurrency: number;
  spansPerRequest: number;
  avgSpanBytes: number;
  cores: number;
  rows: ScalingRow[];
}

interface Started {
  proc: ChildProcess;
  out: OutputTail;
  tagsFile?: string;
  cleanup?: () => void;
}

async function start(key: ScalingKey, port: number, sinkBase: string): Promise<Started> {
  const js = (name: string) => path.join(__dirname, name);
  const node = process.execPath;
  const spec = SPECS[key];
  if (spec.workers === undefined) {
    return spawnCaptured(node, [js('naive-collector.js'), '--port', String(port), '--upstream', `${sinkBase}/v1/traces`]);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otelcol-ts-scaling-'));
  const cfgFile = path.join(dir, `${key}.yaml`);
  const tagsFile = path.join(dir, 'threads.txt');
  fs.writeFileSync(cfgFile, workersConfig({ port, sinkEndpoint: sinkBase, metricsPort: await freePort() }, spec.workers, spec.processing));
  const s = spawnCaptured(node, ['-r', js('thread-tag.js'), js('launch-otelcol.js'), '--config', cfgFile], { ...process.env, OTELTS_BENCH_THREAD_TAGS: tagsFile });
  return { ...s, tagsFile, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

const clkTck = Number(process.env.BENCH_CLK_TCK) || 100;

/** utime+stime (seconds) of every live thread of `pid`, by tid. */
function threadCpu(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  let tasks: string[] = [];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const t of tasks) {
    try {
      const text = fs.readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
      const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
      out.set(Number(t), (Number(rest[11]) + Number(rest[12])) / clkTck);
    } catch {
      /* thread exited */
    }
  }
  return out;
}

/** Worker thread tids from the preload's tag file, in threadId order. */
function workerTids(tagsFile: string | undefined): number[] {
  if (!tagsFile) return [];
  let text = '';
  try {
    text = fs.readFileSync(tagsFile, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((l) => l.trim().split(' '))
    .filter((f) => f[1] === 'worker')
    .sort((a, b) => Number(a[2]) - Number(b[2]))
    .map((f) => Number(f[0]));
}

function split(pid: number, total: number, before: Map<number, number>, after: Map<number, number>, workers: number[]): ThreadSplit {
  const delta = (tid: number) => (after.get(tid) ?? before.get(tid) ?? 0) - (before.get(tid) ?? 0);
  const main = delta(pid);
  const ws = workers.map(delta);
  return { main, workers: ws, other: Math.max(0, total - main - sum(ws)) };
}

export async function runScalingBench(opts: ScalingOptions = {}): Promise<ScalingResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const seconds = opts.seconds ?? (opts.quick ? 3 : 5);
  const roundsN = opts.rounds ?? (opts.quick ? 1 : 2);
  const warmupMs = opts.quick ? 750 : 1500;
  const concurrency = opts.concurrency ?? 16;
  const keys = opts.rows ?? [...FORWARDING, ...(opts.processing === false ? [] : PROCESSING)];
  for (const k of keys) if (!(k in SPECS)) throw new Error(`unknown scaling row ${k} (rows: ${Object.keys(SPECS).join(', ')})`);

  const rows = new Map<ScalingKey, ScalingRow>();
  for (const k of keys) {
    const spec = SPECS[k];
    rows.set(k, {
      key: k, label: spec.label, workers: spec.workers ?? null, processing: spec.processing, rounds: [],
      skipped: spec.workers !== undefined && !fs.existsSync(CLI_MAIN) ? `otelcol-ts CLI not built: ${path.relative(process.cwd(), CLI_MAIN)} is missing` : undefined,
      spansPerSec: null, spansPerCpuSecond: null, coresUsed: null, auxCores: null, perCpuVsSingle: null, perCpuVsNaive: null, threads: null,
      wallSeconds: 0, lost: 0, accepted: 0, refusedRequests: 0, errors: 0, peakRssMiB: null,
    });
  }

  const sink = new IpcChild(path.join(__dirname, 'sink.js'));
  const loadgen = new IpcChild(path.join(__dirname, 'loadgen.js'));
  try {
    const sinkPort = (await sink.ready).port as number;
    const gen = await loadgen.ready;
    const sinkBase = `http://127.0.0.1:${sinkPort}`;
    const sinkStats = () => sink.request<SinkStats>({ cmd: 'stats' });
    const load = (port: number, durationMs: number) => loadgen.request<LoadRunResult>({ cmd: 'run', port, durationMs, concurrency }, durationMs + 120_000);
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
        } else if (now - lastChange > idleLimitMs) return { spans: s.spans, at: lastChange };
        await sleep(20);
      }
    };
    for (const r of rows.values()) if (r.skipped) log(`scaling: ${r.key} skipped: ${r.skipped}`);

    for (let round = 0; round < roundsN; round++) {
      for (let j = 0; j < keys.length; j++) {
        const key = keys[(j + round) % keys.length];
        const row = rows.get(key)!;
        if (row.skipped) continue;
        const port = await freePort();
        const started = await start(key, port, sinkBase);
        const pid = started.proc.pid!;
        try {
          await waitForPort(port, started.proc, started.out, 30_000);
          const base = (await sinkStats()).spans;
          const w = await load(port, warmupMs);
          const wd = await drain(base + w.acceptedSpans, 5000);
          if (w.acceptedSpans === 0 || wd.spans === base) {
            throw new Error(`warm-up: accepted ${w.acceptedSpans} spans, sink received ${wd.spans - base} (refused ${JSON.stringify(w.refused)}, errors ${w.errors} ${w.lastError}); output: ${started.out.text() || '(none)'}`);
          }
          const tids = workerTids(started.tagsFile);
          if (row.workers && tids.length !== row.workers) {
            log(`scaling: ${key}: expected ${row.workers} worker threads, the preload tagged ${tids.length}; no per-thread split`);
          }
          const s0 = (await sinkStats()).spans;
          const cpu0 = procTreeCpuSeconds(pid);
          const th0 = threadCpu(pid);
          const aux0 = [procTreeCpuSeconds(loadgen.proc.pid!), procTreeCpuSeconds(sink.proc.pid!)];
          const t0 = performance.now();
          const m = await load(port, seconds * 1000);
          const d = await drain(s0 + m.acceptedSpans, Math.max(5000, seconds * 1000));
          const cpu1 = procTreeCpuSeconds(pid);
          const th1 = threadCpu(pid);
          const aux1 = [procTreeCpuSeconds(loadgen.proc.pid!), procTreeCpuSeconds(sink.proc.pid!)];
          const cpuSeconds = cpu1 - cpu0;
          const rr: ScalingRound = {
            acceptedSpans: m.acceptedSpans,
            receivedSpans: d.spans - s0,
            lost: m.acceptedSpans - (d.spans - s0),
            cpuSeconds,
            elapsedSeconds: (d.at - t0) / 1000,
            threads: row.workers === null || (row.workers > 0 && tids.length !== row.workers) ? null : split(pid, cpuSeconds, th0, th1, tids),
            loadgenCpuSeconds: aux1[0]! - aux0[0]!,
            sinkCpuSeconds: aux1[1]! - aux0[1]!,
            refused: m.refused,
            errors: m.errors,
            lastError: m.lastError,
            peakRssMiB: procPeakRssMiB(pid),
          };
          row.rounds.push(rr);
          log(
            `scaling: round ${round + 1}/${roundsN} ${key}: ${fmt(rr.receivedSpans / rr.elapsedSeconds)} spans/s, ` +
              `${fmt(rr.receivedSpans / rr.cpuSeconds)} spans/CPU-s, ${fmt(rr.cpuSeconds / rr.elapsedSeconds, 2)} cores` +
              (rr.threads ? ` (main ${fmt(rr.threads.main / rr.elapsedSeconds, 2)}, workers ${rr.threads.workers.map((x) => fmt(x / rr.elapsedSeconds, 2)).join('+') || '-'}, other ${fmt(rr.threads.other / rr.elapsedSeconds, 2)})` : '') +
              `; loadgen ${fmt(rr.loadgenCpuSeconds / rr.elapsedSeconds, 2)}, sink ${fmt(rr.sinkCpuSeconds / rr.elapsedSeconds, 2)} cores, load avg ${os.loadavg()[0]!.toFixed(1)}` +
              `, lost ${rr.lost}` +
              (Object.keys(rr.refused).length ? `, refused ${JSON.stringify(rr.refused)}` : '') +
              (rr.errors ? `, errors ${rr.errors} (${rr.lastError})` : ''),
          );
        } catch (e) {
          const msg = String((e as Error).message).slice(0, 2000);
          if (row.rounds.length === 0) row.skipped = `failed: ${msg}`;
          log(`scaling: ${key} ${row.rounds.length === 0 ? 'skipped' : 'round failed'}: ${msg}`);
        } finally {
          await stopProcess(started.proc);
          started.cleanup?.();
        }
      }
    }

    for (const r of rows.values()) {
      if (r.rounds.length === 0) continue;
      const received = sum(r.rounds.map((x) => x.receivedSpans));
      const cpu = sum(r.rounds.map((x) => x.cpuSeconds));
      const wall = sum(r.rounds.map((x) => x.elapsedSeconds));
      r.spansPerSec = received / wall;
      r.spansPerCpuSecond = received / cpu;
      r.coresUsed = cpu / wall;
      r.auxCores = sum(r.rounds.map((x) => x.loadgenCpuSeconds + x.sinkCpuSeconds)) / wall;
      r.wallSeconds = wall;
      r.peakRssMiB = Math.max(...r.rounds.map((x) => x.peakRssMiB));
      r.lost = sum(r.rounds.map((x) => x.lost));
      r.accepted = sum(r.rounds.map((x) => x.acceptedSpans));
      r.refusedRequests = sum(r.rounds.map((x) => sum(Object.values(x.refused))));
      r.errors = sum(r.rounds.map((x) => x.errors));
      const ts = r.rounds.map((x) => x.threads);
      if (ts.every((t): t is ThreadSplit => t !== null)) {
        r.threads = {
          main: sum(ts.map((t) => t.main)),
          workers: ts[0]!.workers.map((_, i) => sum(ts.map((t) => t.workers[i] ?? 0))),
          other: sum(ts.map((t) => t.other)),
        };
      }
    }
    const naive = rows.get('naive');
    for (const r of rows.values()) {
      const b = SPECS[r.key].base ? rows.get(SPECS[r.key].base!) : undefined;
      if (b?.spansPerCpuSecond && r.spansPerCpuSecond) r.perCpuVsSingle = r.spansPerCpuSecond / b.spansPerCpuSecond;
      if (naive?.spansPerCpuSecond && r.spansPerCpuSecond) r.perCpuVsNaive = r.spansPerCpuSecond / naive.spansPerCpuSecond;
    }
    return {
      seconds,
      warmupSeconds: warmupMs / 1000,
      roundsPerRow: roundsN,
      concurrency,
      spansPerRequest: gen.spansPerRequest as number,
      avgSpanBytes: gen.avgSpanBytes as number,
      cores: os.availableParallelism?.() ?? os.cpus().length,
      rows: [...rows.values()],
    };
  } finally {
    await Promise.all([sink.stop(), loadgen.stop()]);
  }
}

const pct = (x: number, total: number) => (total > 0 ? `${Math.round((100 * x) / total)} %` : 'n/a');

export function scalingMarkdown(r: ScalingResult): string {
  const perRound = (row: ScalingRow) => row.rounds.map((x) => x.receivedSpans / x.cpuSeconds);
  const rows = r.rows.map((v) => {
    if (v.spansPerSec === null) return [v.label, 'skipped', '', '', '', '', '', '', ''];
    const pr = perRound(v);
    return [
      v.label,
      fmt(v.spansPerSec),
      fmt(v.spansPerCpuSecond!),
      v.perCpuVsSingle === null ? 'n/a' : v.key === SPECS[v.key].base ? '1.00× (baseline)' : `**${fmtRatio(v.perCpuVsSingle)}**`,
      v.perCpuVsNaive === null ? 'n/a' : v.key === 'naive' ? '1.00×' : fmtRatio(v.perCpuVsNaive),
      fmt(v.coresUsed!, 2),
      fmt(v.auxCores!, 2),
      pr.length > 1 ? `${fmt(Math.min(...pr))} – ${fmt(Math.max(...pr))}` : fmt(pr[0]!),
      `${v.lost} of ${fmt(v.accepted)}`,
    ];
  });
  const split = r.rows
    .filter((v) => v.threads && v.workers !== null)
    .map((v) => {
      const t = v.threads!;
      const total = t.main + sum(t.workers) + t.other;
      const wall = v.wallSeconds;
      const spans = sum(v.rounds.map((x) => x.receivedSpans));
      const us = (cpu: number) => fmt((cpu * 1e6) / spans, 2);
      return [
        v.label,
        `${pct(t.main, total)} (${fmt(t.main / wall, 2)} cores)`,
        t.workers.length ? `${pct(sum(t.workers), total)} (${t.workers.map((x) => fmt(x / wall, 2)).join(' + ')} cores)` : '—',
        `${pct(t.other, total)} (${fmt(t.other / wall, 2)} cores)`,
        fmt(total / wall, 2),
        `${us(t.main)} / ${t.workers.length ? us(sum(t.workers)) : '—'} / ${us(t.other)} = ${us(total)}`,
      ];
    });
  const lines = [
    `### Worker pool scaling: OTLP/HTTP → batch → OTLP/HTTP, ${r.spansPerRequest}-span requests, ${fmt(r.avgSpanBytes, 1)} bytes/span, 20 attributes/span`,
    '',
    `${r.roundsPerRow} round(s) × ${r.seconds} s per row, alternating, after a ${r.warmupSeconds} s warm-up each; ${r.concurrency} requests in flight from ` +
      `the load generator (its own process); collector CPU from /proc/<pid>/stat (all threads). ${r.cores} cores: ` +
      `${r.cores <= 2 ? 'the load generator and the sink share them with the collector, and `workers: 4` measures oversubscription.' : ''}`,
    '',
    mdTable(['configuration', 'spans/s accepted', 'spans per collector CPU-s', '× single-threaded (per CPU-s; target ≥ 0.9)', '× naive (per CPU-s)', 'collector cores', 'load generator + sink cores', 'spans/CPU-s by round (min – max)', 'spans lost'], rows),
  ];
  if (split.length) {
    lines.push(
      '',
      'Where the collector CPU went (per-thread utime+stime from /proc/<pid>/task/<tid>/stat; main = the acceptor in pool mode, tid == pid; other = V8 GC/compiler platform threads and libuv):',
      '',
      mdTable(['configuration', 'main thread (acceptor)', 'worker threads', 'other threads', 'total cores', 'CPU µs/span: main / workers / other = total'], split),
    );
  }
  const notes: string[] = [];
  for (const v of r.rows) {
    if (v.skipped) notes.push(`- ${v.key}: skipped — ${v.skipped}`);
    if (v.refusedRequests) notes.push(`- ${v.key}: ${v.refusedRequests} requests refused (${v.rounds.map((x) => JSON.stringify(x.refused)).join(', ')})`);
    if (v.errors) notes.push(`- ${v.key}: ${v.errors} request errors (last: ${v.rounds.map((x) => x.lastError).filter(Boolean).pop()})`);
  }
  const pool = r.rows.filter((v) => v.workers !== null && v.workers > 0 && v.perCpuVsSingle !== null);
  if (pool.length) {
    const below = pool.filter((v) => v.perCpuVsSingle! < 0.9);
    notes.push(`- handoff overhead: ${below.length === 0 ? 'every pool row is at ≥ 0.9× the single-threaded spans per CPU-s' : `below 0.9× single-threaded per CPU-s: ${below.map((v) => `${v.key} ${fmtRatio(v.perCpuVsSingle!)}`).join(', ')}`}` + ' (rows are summed over their rounds)');
  }
  const totalLost = sum(r.rows.map((v) => v.lost));
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
  runScalingBench({
    quick: argv.includes('--quick'),
    seconds: num('--seconds'),
    rounds: num('--rounds'),
    concurrency: num('--concurrency'),
    processing: !argv.includes('--no-processing'),
    rows: argv.includes('--rows') ? (argv[argv.indexOf('--rows') + 1]!.split(',') as ScalingKey[]) : undefined,
  }).then(
    (r) => process.stdout.write(scalingMarkdown(r) + '\n'),
    (e) => {
      process.stderr.write(String((e as Error).stack ?? e) + '\n');
      process.exitCode = 1;
    },
  );
}
