// Codec benchmark: the same pre-encoded realistic 512-span ExportTraceServiceRequest decoded and encoded by
// protobufjs (what a naive collector does) and by our TraceBatch, in one process, interleaved rounds, medians.
// CPU time from process.cpuUsage; garbage collected between rounds when --expose-gc is on.
//
//   node dist/bench/codec/codec-bench.js [--quick] [--json]

import { ExportTraceServiceRequest, oracleDecodeTraces } from '../../test/oracle/otlp-oracle';
import { TraceBatch } from '../../src/pdata/traces';
import { realisticRequest } from '../fixtures/realistic';
import { NAIVE_TO_OBJECT } from '../lib/naive';
import { collectGarbage, gcAvailable, reexecWithGc } from '../lib/gc';
import { countSpans } from '../lib/span-count';
import { fmt, fmtRatio, machineInfo, mdTable, median } from '../lib/stats';
import { isDeepStrictEqual } from 'node:util';

export interface CodecOptions {
  quick?: boolean;
  spans?: number;
  log?: (line: string) => void;
}

export interface CodecCaseResult {
  name: string;
  impl: 'protobufjs' | 'otelcol-ts';
  op: 'decode' | 'encode';
  /** Median CPU µs per span over rounds (null when skipped). */
  usPerSpan: number | null;
  /** 1e6 / usPerSpan */
  spansPerSec: number | null;
  /** Median wall µs per span. */
  wallUsPerSpan: number | null;
  /** Per-round CPU µs per span. */
  rounds: number[];
  /** The protobufjs case this one is compared with, and baseline/this (higher is faster). */
  baseline: string | null;
  ratio: number | null;
  skipped?: string;
}

export interface CodecResult {
  spans: number;
  requestBytes: number;
  avgSpanBytes: number;
  rounds: number;
  gc: boolean;
  /** Checks of our codec against the oracle, done once outside the timing. */
  checks: string[];
  cases: CodecCaseResult[];
}

interface Case {
  name: string;
  impl: 'protobufjs' | 'otelcol-ts';
  op: 'decode' | 'encode';
  baseline: string | null;
  /** Untimed preparation of the inputs of k iterations. */
  setup: (k: number) => unknown;
  /** One timed iteration; returns something derived from the output so it is not optimised away. */
  run: (state: unknown, i: number) => number;
  /** What `run` must return per iteration (checked every round: catches batches that share or clobber state). */
  expect?: number;
  skipped?: string;
}

const PBJS_DECODE = 'protobufjs decode';
const PBJS_DECODE_OBJ = 'protobufjs decode + toObject';
const PBJS_ENCODE = 'protobufjs encode (from decoded message)';

export async function runCodecBench(opts: CodecOptions = {}): Promise<CodecResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const spans = opts.spans ?? 512;
  const req = realisticRequest({ spans, seed: 1 });
  const bytes = req.bytes;
  const roundsN = opts.quick ? 3 : 7;
  const roundMs = opts.quick ? 80 : 250;

  // Can our codec run yet?
  const checks: string[] = [];
  let oursSkip: string | undefined;
  try {
    const b = TraceBatch.decode(bytes, { eager: true });
    if (b.spanCount !== req.spanCount) oursSkip = `TraceBatch.decode gave ${b.spanCount} spans, expected ${req.spanCount}`;
  } catch (e) {
    oursSkip = `TraceBatch.decode unavailable: ${(e as Error).message}`;
  }
  if (!oursSkip) {
    // Correctness first (untimed): a benchmark of a wrong codec is meaningless.
    const want = oracleDecodeTraces(bytes);
    const full = TraceBatch.decode(bytes, { eager: true }).encode({ fromColumns: true });
    const same = Buffer.compare(Buffer.from(full), Buffer.from(bytes)) === 0;
    const equiv = same || isDeepStrictEqual(oracleDecodeTraces(full), want);
    checks.push(`encode({fromColumns}) after eager decode: ${same ? 'byte-identical' : equiv ? 'equivalent (oracle), not byte-identical' : 'MISMATCH with the oracle'}, ${countSpans(full)} spans`);
    const raw = TraceBatch.decode(bytes).encode();
    const rawSame = Buffer.compare(Buffer.from(raw), Buffer.from(bytes)) === 0;
    checks.push(`encode() of an untouched lazy batch: ${rawSame ? 'byte-identical' : isDeepStrictEqual(oracleDecodeTraces(raw), want) ? 'equivalent (oracle), not byte-identical' : 'MISMATCH with the oracle'}`);
  }

  const cases: Case[] = [
    { name: PBJS_DECODE, impl: 'protobufjs', op: 'decode', baseline: null, setup: () => null, run: () => (ExportTraceServiceRequest.decode(bytes) as unknown as { resourceSpans: unknown[] }).resourceSpans.length },
    {
      name: PBJS_DECODE_OBJ,
      impl: 'protobufjs',
      op: 'decode',
      baseline: null,
      setup: () => null,
      run: () => (ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(bytes), NAIVE_TO_OBJECT).resourceSpans as unknown[]).length,
    },
    {
      name: PBJS_ENCODE,
      impl: 'protobufjs',
      op: 'encode',
      baseline: null,
      setup: () => ExportTraceServiceRequest.decode(bytes),
      run: (msg) => ExportTraceServiceRequest.encode(msg as ReturnType<typeof ExportTraceServiceRequest.decode>).finish().length,
    },
    {
      name: 'protobufjs fromObject + encode (naive collector)',
      impl: 'protobufjs',
      op: 'encode',
      baseline: null,
      setup: () => ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(bytes), NAIVE_TO_OBJECT),
      run: (obj) => ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(obj as Record<string, unknown>)).finish().length,
    },
    { name: 'otelcol-ts decode {eager: true} (full columnar)', impl: 'otelcol-ts', op: 'decode', baseline: PBJS_DECODE, setup: () => null, run: () => TraceBatch.decode(bytes, { eager: true }).spanCount, expect: req.spanCount, skipped: oursSkip },
    { name: 'otelcol-ts decode (lazy span index)', impl: 'otelcol-ts', op: 'decode', baseline: PBJS_DECODE, setup: () => null, run: () => TraceBatch.decode(bytes).spanCount, expect: req.spanCount, skipped: oursSkip },
    {
      name: 'otelcol-ts encode {fromColumns: true}',
      impl: 'otelcol-ts',
      op: 'encode',
      baseline: PBJS_ENCODE,
      // A fresh eagerly decoded batch per iteration, so no encode can reuse an earlier one's output.
      setup: (k) => Array.from({ length: k }, () => TraceBatch.decode(bytes, { eager: true })),
      run: (bs, i) => (bs as TraceBatch[])[i].encode({ fromColumns: true }).length,
      expect: bytes.length,
      skipped: oursSkip,
    },
    {
      name: 'otelcol-ts encode() untouched (raw copy)',
      impl: 'otelcol-ts',
      op: 'encode',
      baseline: PBJS_ENCODE,
      setup: (k) => Array.from({ length: k }, () => TraceBatch.decode(bytes)),
      run: (bs, i) => (bs as TraceBatch[])[i].encode().length,
      expect: bytes.length,
      skipped: oursSkip,
    },
  ];
  if (oursSkip) log(`codec: otelcol-ts cases skipped: ${oursSkip}`);

  const mismatches = new Set<string>();
  const measure = (c: Case, k: number): { cpuUs: number; wallUs: number } => {
    const state = c.setup(k);
    collectGarbage();
    let total = 0;
    const w0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    for (let i = 0; i < k; i++) total += c.run(state, i);
    const c1 = process.cpuUsage(c0);
    const w1 = process.hrtime.bigint();
    if (c.expect !== undefined && total !== c.expect * k) mismatches.add(c.name);
    return { cpuUs: c1.user + c1.system, wallUs: Number(w1 - w0) / 1000 };
  };

  // Warm up (JIT) and calibrate iterations per round from wall time.
  const active = cases.filter((c) => !c.skipped);
  const iters = new Map<Case, number>();
  for (const c of active) {
    measure(c, 3);
    let k = 4;
    for (;;) {
      const { wallUs } = measure(c, k);
      if (wallUs > 40_000 || k >= 4096) {
        iters.set(c, Math.max(3, Math.round((k * roundMs * 1000) / wallUs)));
        break;
      }
      k *= 2;
    }
  }

  const perRound = new Map<Case, { cpu: number[]; wall: number[] }>();
  for (const c of active) perRound.set(c, { cpu: [], wall: [] });
  for (let r = 0; r < roundsN; r++) {
    // Interleave: every case once per round, rotating the order so no case always runs first.
    for (let j = 0; j < active.length; j++) {
      const c = active[(j + r) % active.length];
      const k = iters.get(c)!;
      const { cpuUs, wallUs } = measure(c, k);
      perRound.get(c)!.cpu.push(cpuUs / (k * req.spanCount));
      perRound.get(c)!.wall.push(wallUs / (k * req.spanCount));
    }
    log(`codec: round ${r + 1}/${roundsN} done`);
  }
  for (const name of mismatches) checks.push(`WRONG OUTPUT SIZE in timed iterations of "${name}" (figures not valid)`);

  const med = new Map<string, number>();
  for (const c of active) med.set(c.name, median(perRound.get(c)!.cpu));
  const results: CodecCaseResult[] = cases.map((c) => {
    if (c.skipped) {
      return { name: c.name, impl: c.impl, op: c.op, usPerSpan: null, spansPerSec: null, wallUsPerSpan: null, rounds: [], baseline: c.baseline, ratio: null, skipped: c.skipped };
    }
    const us = med.get(c.name)!;
    const base = c.baseline ? med.get(c.baseline) : undefined;
    return {
      name: c.name,
      impl: c.impl,
      op: c.op,
      usPerSpan: us,
      spansPerSec: 1e6 / us,
      wallUsPerSpan: median(perRound.get(c)!.wall),
      rounds: perRound.get(c)!.cpu,
      baseline: c.baseline,
      ratio: base !== undefined ? base / us : null,
    };
  });
  return { spans: req.spanCount, requestBytes: bytes.length, avgSpanBytes: req.avgSpanBytes, rounds: roundsN, gc: gcAvailable(), checks, cases: results };
}

export function codecMarkdown(r: CodecResult): string {
  const rows = r.cases.map((c) => [
    c.name,
    c.usPerSpan === null ? 'skipped' : fmt(c.usPerSpan, 2),
    c.spansPerSec === null ? '' : fmt(c.spansPerSec),
    c.wallUsPerSpan === null ? '' : fmt(c.wallUsPerSpan, 2),
    c.ratio === null ? (c.baseline ? '' : 'baseline') : `${fmtRatio(c.ratio)} vs ${c.baseline}`,
  ]);
  const lines = [
    `### Codec: ${r.spans}-span request, ${fmt(r.requestBytes)} bytes (${fmt(r.avgSpanBytes, 1)} bytes/span, 20 attributes/span)`,
    '',
    `Median of ${r.rounds} interleaved rounds, CPU time (process.cpuUsage)${r.gc ? ', GC between rounds' : ', no --expose-gc'}.`,
    '',
    mdTable(['case', 'CPU µs/span', 'spans/s (CPU)', 'wall µs/span', 'ratio (higher = faster)'], rows),
  ];
  const notes: string[] = [];
  for (const reason of new Set(r.cases.filter((c) => c.skipped).map((c) => c.skipped!))) {
    notes.push(`- skipped (${r.cases.filter((c) => c.skipped === reason).length} cases): ${reason}`);
  }
  for (const ch of r.checks) notes.push(`- check: ${ch}`);
  if (notes.length) lines.push('', ...notes);
  return lines.join('\n');
}

if (require.main === module) {
  const code = reexecWithGc();
  if (code !== undefined) process.exit(code);
  const quick = process.argv.includes('--quick');
  runCodecBench({ quick }).then(
    (r) => {
      const m = machineInfo();
      process.stdout.write(`${m.cpuModel}, ${m.cores} cores, node ${m.node}\n\n${codecMarkdown(r)}\n`);
      if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    },
    (e) => {
      process.stderr.write(String((e as Error).stack ?? e) + '\n');
      process.exitCode = 1;
    },
  );
}
