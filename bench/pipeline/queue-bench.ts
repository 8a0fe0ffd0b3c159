// Sending-queue benchmark (issue #7): OTLP/HTTP in → batch → otlphttp out, the exporter's sending queue being
//   * the memory queue (default `sending_queue`),
//   * the persistent queue on LMDB (`sending_queue.storage: file_storage`),
//   * the persistent queue on the native-free segment log (same config, OTELTS_NATIVE=off),
// same run, alternating, order rotated each round; default `service.workers` (the CPU count).
//
// Two measurements per row:
//   1. steady state: spans/s received by the sink and spans per collector CPU-second (utime+stime, all threads)
//      with a healthy sink; ratio to the memory queue (target for the persistent queue: ≥ 0.8×).
//   2. drain after an outage: the exporter's endpoint has nothing listening while the load generator sends for
//      `outage` seconds (the queue fills: in memory, or on disk); then a sink starts on that port and we measure
//      spans/s from that moment until it has every accepted span.
//
//   node dist/bench/pipeline/queue-bench.js [--quick] [--seconds N] [--rounds N] [--concurrency N] [--outage N]

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { IpcChild, freePort, spawnCaptured, stopProcess, waitForPort, type OutputTail } from '../lib/child';
import { fmt, fmtRatio, mdTable, procPeakRssMiB, procTreeCpuSeconds, sleep, sum } from '../lib/stats';
import type { ChildProcess } from 'node:child_process';
import type { LoadRunResult } from './loadgen';
import type { SinkStats } from './sink';
import { CLI_MAIN } from './launch-otelcol';

export type QueueKey = 'memory' | 'lmdb' | 'segment-log';
const KEYS: QueueKey[] = ['memory', 'lmdb', 'segment-log'];
const LABELS: Record<QueueKey, string> = {
  memory: 'memory queue (default `sending_queue`)',
  lmdb: 'persistent queue, LMDB (`storage: file_storage`)',
  'segment-log': 'persistent queue, native-free segment log (`OTELTS_NATIVE=off`)',
};

export interface QueueBenchOptions {
  quick?: boolean;
  seconds?: number;
  rounds?: number;
  concurrency?: number;
  /** Seconds of load while the backend is down (default 4; quick 2). */
  outageSeconds?: number;
  log?: (line: string) => void;
}

export interface QueueRound {
  acceptedSpans: number;
  receivedSpans: number;
  cpuSeconds: number;
  elapsedSeconds: number;
  peakRssMiB: number;
  /** Drain after the outage. */
  queuedSpans: number;
  drainedSpans: number;
  drainSeconds: number;
  drainCpuSeconds: number;
  storeMiB: number;
}

export interface QueueRow {
  key: QueueKey;
  label: string;
  skipped?: string;
  rounds: QueueRound[];
  spansPerSec: number | null;
  spansPerCpuSecond: number | null;
  vsMemory: number | null;
  vsMemoryPerCpu: number | null;
  drainSpansPerSec: number | null;
  drainSpansPerCpuSecond: number | null;
  lost: number;
  drainLost: number;
  peakRssMiB: number | null;
}

export interface QueueBenchResult {
  seconds: number;
  outageSeconds: number;
  roundsPerRow: number;
  concurrency: number;
  spansPerRequest: number;
  avgSpanBytes: number;
  rows: QueueRow[];
}

function config(key: QueueKey, port: number, sinkBase: string, metricsPort: number, storeDir: string): string {
  const persistent = key !== 'memory';
  return `${persistent ? `extensions:\n  file_storage:\n    directory: ${storeDir}\n` : ''}receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${port}
processors:
  batch: {}
exporters:
  otlphttp:
    endpoint: ${sinkBase}
    compression: none
    retry_on_failure:
      enabled: true
      initial_interval: 100ms
      max_interval: 500ms
      max_elapsed_time: 300s
    sending_queue:
      enabled: true
      queue_size: 100000${persistent ? '\n      storage: file_storage' : ''}
service:
${persistent ? '  extensions: [file_storage]\n' : ''}  telemetry:
    logs:
      level: warn
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: ${metricsPort}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [otlphttp]
`;
}

interface Started {
  proc: ChildProcess;
  out: OutputTail;
  dir: string;
}

async function start(key: QueueKey, port: number, sinkBase: string): Promise<Started> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otelcol-ts-queue-bench-'));
  const store = path.join(dir, 'store');
  fs.mkdirSync(store);
  const cfg = path.join(dir, 'config.yaml');
  fs.writeFileSync(cfg, config(key, port, sinkBase, await freePort(), store));
  const env = { ...process.env };
  if (key === 'segment-log') env.OTELTS_NATIVE = 'off';
  else delete env.OTELTS_NATIVE;
  const s = spawnCaptured(process.execPath, [path.join(__dirname, 'launch-otelcol.js'), '--config', cfg], env);
  return { ...s, dir };
}

function dirMiB(dir: string): number {
  let total = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else total += fs.statSync(p).blocks * 512;
    }
  };
  try {
    walk(dir);
  } catch {
    /* gone */
  }
  return total / 1048576;
}

export async function runQueueBench(opts: QueueBenchOptions = {}): Promise<QueueBenchResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const seconds = opts.seconds ?? (opts.quick ? 3 : 5);
  const roundsN = opts.rounds ?? (opts.quick ? 1 : 2);
  const outage = opts.outageSeconds ?? (opts.quick ? 2 : 4);
  const warmupMs = opts.quick ? 750 : 1500;
  const concurrency = opts.concurrency ?? 16;
  const rows = new Map<QueueKey, QueueRow>();
  for (const k of KEYS) {
    rows.set(k, {
      key: k, label: LABELS[k], rounds: [], spansPerSec: null, spansPerCpuSecond: null, vsMemory: null, vsMemoryPerCpu: null,
      drainSpansPerSec: null, drainSpansPerCpuSecond: null, lost: 0, drainLost: 0, peakRssMiB: null,
      skipped: fs.existsSync(CLI_MAIN) ? undefined : `otelcol-ts CLI not built: ${CLI_MAIN} is missing`,
    });
  }
  const sink = new IpcChild(path.join(__dirname, 'sink.js'));
  const loadgen = new IpcChild(path.join(__dirname, 'loadgen.js'));
  try {
    const sinkPort = (await sink.ready).port as number;
    const gen = await loadgen.ready;
    const load = (port: number, durationMs: number) => loadgen.request<LoadRunResult>({ cmd: 'run', port, durationMs, concurrency }, durationMs + 120_000);
    /** Poll a sink until it has `target` spans or nothing arrived for idleLimitMs. */
    const drain = async (s: IpcChild, target: number, idleLimitMs: number): Promise<{ spans: number; at: number }> => {
      let last = -1;
      let lastChange = performance.now();
      for (;;) {
        const st = await s.request<SinkStats>({ cmd: 'stats' });
        const now = performance.now();
        if (st.spans >= target) return { spans: st.spans, at: now };
        if (st.spans !== last) {
          last = st.spans;
          lastChange = now;
        } else if (now - lastChange > idleLimitMs) return { spans: st.spans, at: lastChange };
        await sleep(20);
      }
    };
    for (let round = 0; round < roundsN; round++) {
      for (let j = 0; j < KEYS.length; j++) {
        const key = KEYS[(j + round) % KEYS.length]!;
        const row = rows.get(key)!;
        if (row.skipped) continue;
        let a: Started | undefined;
        let b: Started | undefined;
        let sink2: IpcChild | undefined;
        try {
          // 1. Steady state with a healthy sink.
          const port = await freePort();
          a = await start(key, port, `http://127.0.0.1:${sinkPort}`);
          await waitForPort(port, a.proc, a.out, 30_000);
          const base = (await sink.request<SinkStats>({ cmd: 'stats' })).spans;
          const w = await load(port, warmupMs);
          await drain(sink, base + w.acceptedSpans, 5000);
          const s0 = (await sink.request<SinkStats>({ cmd: 'stats' })).spans;
          const cpu0 = procTreeCpuSeconds(a.proc.pid!);
          const t0 = performance.now();
          const m = await load(port, seconds * 1000);
          const d = await drain(sink, s0 + m.acceptedSpans, Math.max(5000, seconds * 1000));
          const cpuSeconds = procTreeCpuSeconds(a.proc.pid!) - cpu0;
          const peak = procPeakRssMiB(a.proc.pid!);
          await stopProcess(a.proc);

          // 2. Outage, then drain.
          const port2 = await freePort();
          const downPort = await freePort();
          b = await start(key, port2, `http://127.0.0.1:${downPort}`);
          await waitForPort(port2, b.proc, b.out, 30_000);
          const o = await load(port2, outage * 1000);
          await sleep(1500); // the batch processor flushes (200 ms) and the queue stores what it has
          const storeMiB = dirMiB(path.join(b.dir, 'store'));
          const dcpu0 = procTreeCpuSeconds(b.proc.pid!);
          const td0 = performance.now();
          sink2 = new IpcChild(path.join(__dirname, 'sink.js'), ['--port', String(downPort)]);
          await sink2.ready;
          const dd = await drain(sink2, o.acceptedSpans, 10_000);
          const drainCpu = procTreeCpuSeconds(b.proc.pid!) - dcpu0;
          const rr: QueueRound = {
            acceptedSpans: m.acceptedSpans,
            receivedSpans: d.spans - s0,
            cpuSeconds,
            elapsedSeconds: (d.at - t0) / 1000,
            peakRssMiB: peak,
            queuedSpans: o.acceptedSpans,
            drainedSpans: dd.spans,
            drainSeconds: (dd.at - td0) / 1000,
            drainCpuSeconds: drainCpu,
            storeMiB,
          };
          row.rounds.push(rr);
          log(
            `queue: round ${round + 1}/${roundsN} ${key}: ${fmt(rr.receivedSpans / rr.elapsedSeconds)} spans/s, ${fmt(rr.receivedSpans / rr.cpuSeconds)} spans/CPU-s, ` +
              `lost ${rr.acceptedSpans - rr.receivedSpans}; outage: ${fmt(rr.queuedSpans)} spans queued (${fmt(storeMiB, 1)} MiB on disk), drained ${fmt(rr.drainedSpans)} at ${fmt(rr.drainedSpans / rr.drainSeconds)} spans/s` +
              (Object.keys(m.refused).length ? `, refused ${JSON.stringify(m.refused)}` : '') + (m.errors ? `, errors ${m.errors} (${m.lastError})` : ''),
          );
        } catch (e) {
          const msg = String((e as Error).message).slice(0, 2000);
          if (row.rounds.length === 0) row.skipped = `failed: ${msg}`;
          log(`queue: ${key} failed: ${msg}`);
        } finally {
          await sink2?.stop();
          for (const s of [a, b]) {
            if (!s) continue;
            await stopProcess(s.proc);
            fs.rmSync(s.dir, { recursive: true, force: true });
          }
        }
      }
    }
    for (const r of rows.values()) {
      if (r.rounds.length === 0) continue;
      const received = sum(r.rounds.map((x) => x.receivedSpans));
      r.spansPerSec = received / sum(r.rounds.map((x) => x.elapsedSeconds));
      r.spansPerCpuSecond = received / sum(r.rounds.map((x) => x.cpuSeconds));
      const drained = sum(r.rounds.map((x) => x.drainedSpans));
      r.drainSpansPerSec = drained / sum(r.rounds.map((x) => x.drainSeconds));
      r.drainSpansPerCpuSecond = drained / sum(r.rounds.map((x) => x.drainCpuSeconds));
      r.lost = sum(r.rounds.map((x) => x.acceptedSpans - x.receivedSpans));
      r.drainLost = sum(r.rounds.map((x) => x.queuedSpans - x.drainedSpans));
      r.peakRssMiB = Math.max(...r.rounds.map((x) => x.peakRssMiB));
    }
    const mem = rows.get('memory')!;
    for (const r of rows.values()) {
      if (r.spansPerSec && mem.spansPerSec) r.vsMemory = r.spansPerSec / mem.spansPerSec;
      if (r.spansPerCpuSecond && mem.spansPerCpuSecond) r.vsMemoryPerCpu = r.spansPerCpuSecond / mem.spansPerCpuSecond;
    }
    return {
      seconds, outageSeconds: outage, roundsPerRow: roundsN, concurrency,
      spansPerRequest: gen.spansPerRequest as number, avgSpanBytes: gen.avgSpanBytes as number, rows: [...rows.values()],
    };
  } finally {
    await Promise.all([sink.stop(), loadgen.stop()]);
  }
}

export function queueMarkdown(r: QueueBenchResult): string {
  const rows = r.rows.map((v) => {
    if (v.spansPerSec === null) return [v.label, 'skipped', '', '', '', '', '', ''];
    const q = sum(v.rounds.map((x) => x.queuedSpans)) / v.rounds.length;
    const mib = sum(v.rounds.map((x) => x.storeMiB)) / v.rounds.length;
    return [
      v.label,
      fmt(v.spansPerSec),
      fmt(v.spansPerCpuSecond!),
      v.key === 'memory' ? '1.00× (baseline)' : `**${fmtRatio(v.vsMemory!)}** / **${fmtRatio(v.vsMemoryPerCpu!)}**`,
      `${fmt(q)} spans${v.key === 'memory' ? '' : `, ${fmt(mib, 1)} MiB on disk`}`,
      fmt(v.drainSpansPerSec!),
      fmt(v.drainSpansPerCpuSecond!),
      `${v.lost} / ${v.drainLost}`,
    ];
  });
  const notes: string[] = [];
  for (const v of r.rows) if (v.skipped) notes.push(`- ${v.key}: skipped — ${v.skipped}`);
  const lines = [
    `### Sending queue: OTLP/HTTP → batch → otlphttp, memory vs persistent queue, ${r.spansPerRequest}-span requests, ${fmt(r.avgSpanBytes, 1)} bytes/span, 20 attributes/span`,
    '',
    `${r.roundsPerRow} round(s) × ${r.seconds} s per row, alternating; ${r.concurrency} requests in flight; default \`service.workers\`; ` +
      `outage: ${r.outageSeconds} s of load with nothing listening on the exporter's port, then a sink starts there and the drain is timed until it has every accepted span.`,
    '',
    mdTable(['sending queue', 'spans/s', 'spans per collector CPU-s', '× memory (spans/s / per CPU-s; target ≥ 0.8)', 'queued during the outage', 'drain spans/s', 'drain spans per CPU-s', 'spans lost (steady / drain)'], rows),
  ];
  if (notes.length) lines.push('', ...notes);
  return lines.join('\n');
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const num = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : undefined;
  };
  runQueueBench({ quick: argv.includes('--quick'), seconds: num('--seconds'), rounds: num('--rounds'), concurrency: num('--concurrency'), outageSeconds: num('--outage') }).then(
    (r) => process.stdout.write(queueMarkdown(r) + '\n'),
    (e) => {
      process.stderr.write(String((e as Error).stack ?? e) + '\n');
      process.exitCode = 1;
    },
  );
}
