// Metrics and logs codec benchmark, and per-item processing cost of the filter and attributes processors.
//
//   1. Codec: a realistic 1000-data-point ExportMetricsServiceRequest (gauges, int/double sums, histograms,
//      exponential histograms, summaries) and a 1000-record ExportLogsServiceRequest (10 attributes, realistic
//      bodies) decoded and encoded by protobufjs (the oracle's reflection types) and by MetricBatch / LogBatch.
//   2. Processing: µs per item of a typical OTTL filter condition and of a 1-insert + 1-delete attributes
//      action on 512 spans, 1000 points and 1000 records, next to the decode cost of the same payload.
//
// One process, interleaved rounds, medians of CPU time (process.cpuUsage), GC between measurements when
// --expose-gc is on. Our rows are skipped, with the reason, while an implementation is a stub or a processor is
// not registered. Nothing here asserts timing.
//
//   node dist/bench/codec/metrics-logs-bench.js [--quick] [--json]

import { isDeepStrictEqual } from 'node:util';
import type * as protobuf from 'protobufjs';
import { ExportLogsServiceRequest, ExportMetricsServiceRequest, ExportTraceServiceRequest, oracleDecodeLogs, oracleDecodeMetrics } from '../../test/oracle/otlp-oracle';
import { MetricBatch } from '../../src/pdata/metrics';
import { LogBatch } from '../../src/pdata/logs';
import { TraceBatch } from '../../src/pdata/traces';
import { factories } from '../../src/components';
import { parseOrThrow } from '../../src/config/schema';
import { testHost, testSettings } from '../../src/component/testing';
import type { AnyFactory, ProcessorFactory } from '../../src/component/types';
import { realisticMetrics } from '../fixtures/realistic-metrics';
import { realisticLogs } from '../fixtures/realistic-logs';
import { realisticRequest } from '../fixtures/realistic';
import { NAIVE_TO_OBJECT } from '../lib/naive';
import { collectGarbage, gcAvailable, reexecWithGc } from '../lib/gc';
import { fmt, fmtRatio, machineInfo, mdTable, median } from '../lib/stats';

export interface MetricsLogsOptions {
  quick?: boolean;
  log?: (line: string) => void;
}

type Signal = 'traces' | 'metrics' | 'logs';

export interface MlCaseResult {
  table: 'codec' | 'processing';
  signal: Signal;
  name: string;
  impl: 'protobufjs' | 'otelcol-ts';
  /** Median CPU µs per item (null when skipped). */
  usPerItem: number | null;
  itemsPerSec: number | null;
  wallUsPerItem: number | null;
  rounds: number[];
  /** The case this one is compared with, and the ratio (codec: baseline/this, higher = faster; processing: this/decode). */
  baseline: string | null;
  ratio: number | null;
  /** Processing rows: this / protobufjs decode of the same payload. */
  ratioPbjsDecode?: number | null;
  skipped?: string;
}

export interface MlPayload {
  signal: Signal;
  items: number;
  bytes: number;
  bytesPerItem: number;
  description: string;
}

export interface MetricsLogsResult {
  rounds: number;
  gc: boolean;
  payloads: MlPayload[];
  checks: string[];
  cases: MlCaseResult[];
}

interface Case {
  table: 'codec' | 'processing';
  signal: Signal;
  name: string;
  impl: 'protobufjs' | 'otelcol-ts';
  baseline: string | null;
  items: number;
  /** Untimed preparation of the inputs of k iterations. */
  setup: (k: number) => unknown;
  /** One timed iteration (sync or async); returns a number derived from the output. */
  run: (state: unknown, i: number) => number | Promise<number>;
  /** What run must return per iteration (checked every measurement). */
  expect?: number;
  /** Most iterations per setup (bounds memory for cases that need a fresh batch per iteration). */
  chunk?: number;
  skipped?: string;
}

// protobufjs reflection types of the oracle (what a naive Node collector uses).
interface PbType {
  decode(b: Uint8Array): protobuf.Message;
  encode(m: protobuf.Message): protobuf.Writer;
  toObject(m: protobuf.Message, o: protobuf.IConversionOptions): Record<string, unknown>;
}

const key = (table: string, signal: Signal, name: string) => `${table}/${signal}: ${name}`;

function pbjsCodecCases(signal: Signal, T: PbType, bytes: Uint8Array, items: number, top: string): Case[] {
  const decode = 'protobufjs decode';
  const encode = 'protobufjs encode (from decoded message)';
  return [
    { table: 'codec', signal, name: decode, impl: 'protobufjs', baseline: null, items, setup: () => null, run: () => ((T.decode(bytes) as unknown as Record<string, unknown[]>)[top] ?? []).length },
    { table: 'codec', signal, name: 'protobufjs decode + toObject', impl: 'protobufjs', baseline: null, items, setup: () => null, run: () => ((T.toObject(T.decode(bytes), NAIVE_TO_OBJECT)[top] as unknown[]) ?? []).length },
    { table: 'codec', signal, name: encode, impl: 'protobufjs', baseline: null, items, setup: () => T.decode(bytes), run: (m) => T.encode(m as protobuf.Message).finish().length, expect: bytes.length },
  ];
}

interface BatchLike {
  readonly itemCount: number;
  encode(opts?: { fromColumns?: boolean }): Uint8Array;
}
interface BatchClass {
  decode(bytes: Uint8Array, opts?: { eager?: boolean }): BatchLike;
}

/** Why our codec cannot run on `bytes` (stub, wrong count, mismatch with the oracle), or undefined. */
function oursReady(signal: Signal, C: BatchClass, bytes: Uint8Array, items: number, oracle: (b: Uint8Array) => unknown, checks: string[]): string | undefined {
  let b: BatchLike;
  try {
    b = C.decode(bytes, { eager: true });
  } catch (e) {
    return `${signal === 'metrics' ? 'MetricBatch' : signal === 'logs' ? 'LogBatch' : 'TraceBatch'}.decode unavailable: ${(e as Error).message}`;
  }
  if (b.itemCount !== items) return `${signal}: decode gave ${b.itemCount} items, expected ${items}`;
  try {
    const want = oracle(bytes);
    const full = C.decode(bytes, { eager: true }).encode({ fromColumns: true });
    const same = Buffer.compare(Buffer.from(full), Buffer.from(bytes)) === 0;
    const equiv = same || isDeepStrictEqual(oracle(full), want);
    checks.push(`${signal}: encode({fromColumns}) after eager decode: ${same ? 'byte-identical' : equiv ? 'equivalent (oracle), not byte-identical' : 'MISMATCH with the oracle'}`);
    const raw = C.decode(bytes).encode();
    const rawSame = Buffer.compare(Buffer.from(raw), Buffer.from(bytes)) === 0;
    checks.push(`${signal}: encode() of an untouched lazy batch: ${rawSame ? 'byte-identical' : isDeepStrictEqual(oracle(raw), want) ? 'equivalent (oracle), not byte-identical' : 'MISMATCH with the oracle'}`);
  } catch (e) {
    return `${signal}: encode unavailable: ${(e as Error).message}`;
  }
  return undefined;
}

function oursCodecCases(signal: Signal, C: BatchClass, bytes: Uint8Array, items: number, skip: string | undefined): Case[] {
  const decode = 'protobufjs decode';
  const encode = 'protobufjs encode (from decoded message)';
  return [
    { table: 'codec', signal, name: 'otelcol-ts decode {eager: true} (full columnar)', impl: 'otelcol-ts', baseline: decode, items, setup: () => null, run: () => C.decode(bytes, { eager: true }).itemCount, expect: items, skipped: skip },
    { table: 'codec', signal, name: 'otelcol-ts decode (lazy index)', impl: 'otelcol-ts', baseline: decode, items, setup: () => null, run: () => C.decode(bytes).itemCount, expect: items, skipped: skip },
    {
      table: 'codec',
      signal,
      name: 'otelcol-ts encode {fromColumns: true}',
      impl: 'otelcol-ts',
      baseline: encode,
      items,
      setup: (k) => Array.from({ length: k }, () => C.decode(bytes, { eager: true })),
      run: (bs, i) => (bs as BatchLike[])[i]!.encode({ fromColumns: true }).length,
      chunk: 32,
      skipped: skip,
    },
    {
      table: 'codec',
      signal,
      name: 'otelcol-ts encode() untouched (raw copy)',
      impl: 'otelcol-ts',
      baseline: encode,
      items,
      setup: (k) => Array.from({ length: k }, () => C.decode(bytes)),
      run: (bs, i) => (bs as BatchLike[])[i]!.encode().length,
      expect: bytes.length,
      chunk: 32,
      skipped: skip,
    },
  ];
}

// ---- processing

const METHOD: Record<Signal, 'consumeTraces' | 'consumeMetrics' | 'consumeLogs'> = { traces: 'consumeTraces', metrics: 'consumeMetrics', logs: 'consumeLogs' };
const CREATE: Record<Signal, 'createTraces' | 'createMetrics' | 'createLogs'> = { traces: 'createTraces', metrics: 'createMetrics', logs: 'createLogs' };

/** The next consumer: remembers how many items the last batch it got had. */
class CountingSink {
  readonly capabilities = { mutatesData: false };
  last = 0;
  private take(b: { itemCount: number }): Promise<void> {
    this.last = b.itemCount;
    return Promise.resolve();
  }
  consumeTraces(b: TraceBatch): Promise<void> {
    return this.take(b);
  }
  consumeMetrics(b: MetricBatch): Promise<void> {
    return this.take(b);
  }
  consumeLogs(b: LogBatch): Promise<void> {
    return this.take(b);
  }
}

interface Proc {
  consume(b: unknown): Promise<void>;
  sink: CountingSink;
  shutdown(): Promise<void>;
}

async function makeProcessor(type: string, signal: Signal, raw: unknown): Promise<Proc | string> {
  const f = factories.find((x: AnyFactory) => x.type === type && x.kind === 'processor') as ProcessorFactory<unknown> | undefined;
  if (!f) return `the ${type} processor is not registered in src/components.ts`;
  const create = f[CREATE[signal]] as ((set: unknown, cfg: unknown, next: unknown) => Record<string, unknown>) | undefined;
  if (!create) return `the ${type} processor has no ${signal} support (${CREATE[signal]})`;
  try {
    const cfg = parseOrThrow(f.configSchema, raw, `processors.${type}`);
    const sink = new CountingSink();
    const p = create.call(f, testSettings(`${type}/bench`, 'processor'), cfg, sink) as unknown as {
      start(h: unknown): Promise<void>;
      shutdown(): Promise<void>;
    } & Record<string, (b: unknown) => Promise<void>>;
    await p.start(testHost());
    const consume = p[METHOD[signal]]!.bind(p);
    return { consume, sink, shutdown: () => p.shutdown() };
  } catch (e) {
    return `the ${type} processor could not be created for ${signal}: ${(e as Error).message}`;
  }
}

interface SignalPayload {
  signal: Signal;
  bytes: Uint8Array;
  items: number;
  C: BatchClass;
  skip: string | undefined;
  filter: { raw: unknown; condition: string; expectKept?: number };
  attrs: { raw: unknown; text: string; check: (b: unknown) => string | undefined };
}

async function processingCases(p: SignalPayload, checks: string[], cleanups: Array<() => Promise<void>>): Promise<Case[]> {
  const cases: Case[] = [];
  const decodeName = 'otelcol-ts decode (lazy index)';
  cases.push({ table: 'processing', signal: p.signal, name: decodeName, impl: 'otelcol-ts', baseline: null, items: p.items, setup: () => null, run: () => p.C.decode(p.bytes).itemCount, expect: p.items, skipped: p.skip });
  for (const [label, type, raw, expectKept, check] of [
    [`filter: ${p.filter.condition}`, 'filter', p.filter.raw, p.filter.expectKept, undefined],
    [`attributes: ${p.attrs.text}`, 'attributes', p.attrs.raw, p.items, p.attrs.check],
  ] as Array<[string, string, unknown, number | undefined, ((b: unknown) => string | undefined) | undefined]>) {
    let skip = p.skip;
    let proc: Proc | undefined;
    if (!skip) {
      const made = await makeProcessor(type, p.signal, raw);
      if (typeof made === 'string') skip = made;
      else {
        proc = made;
        cleanups.push(() => made.shutdown());
        // One untimed run: it must work and keep what it should.
        try {
          const b = p.C.decode(p.bytes);
          await made.consume(b);
          const kept = made.sink.last;
          if (expectKept !== undefined && kept !== expectKept) checks.push(`${p.signal}: ${label} kept ${kept} of ${p.items} items, expected ${expectKept} (figures not comparable)`);
          else checks.push(`${p.signal}: ${label} keeps ${kept} of ${p.items} items`);
          const bad = check?.(b);
          if (bad) checks.push(`${p.signal}: ${label}: WRONG RESULT: ${bad}`);
        } catch (e) {
          skip = `the ${type} processor failed on ${p.signal}: ${(e as Error).message}`;
        }
      }
    }
    const pr = proc;
    cases.push({
      table: 'processing',
      signal: p.signal,
      name: label,
      impl: 'otelcol-ts',
      baseline: decodeName,
      items: p.items,
      // A fresh lazily decoded batch per iteration (processors change the batch they get); decode is untimed.
      setup: (k) => Array.from({ length: k }, () => p.C.decode(p.bytes)),
      run: async (bs, i) => {
        await pr!.consume((bs as unknown[])[i]);
        return pr!.sink.last;
      },
      expect: expectKept,
      chunk: 32,
      skipped: skip,
    });
  }
  return cases;
}

// ---- measurement

export async function runMetricsLogsBench(opts: MetricsLogsOptions = {}): Promise<MetricsLogsResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const roundsN = opts.quick ? 3 : 7;
  const roundMs = opts.quick ? 60 : 150;
  const checks: string[] = [];

  const met = realisticMetrics({ points: 1000, seed: 1 });
  const lg = realisticLogs({ records: 1000, seed: 1 });
  const tr = realisticRequest({ spans: 512, seed: 1 });
  const payloads: MlPayload[] = [
    { signal: 'metrics', items: met.dataPointCount, bytes: met.bytes.length, bytesPerItem: met.avgPointBytes, description: `${met.metricCount} metrics: ${Object.entries(met.byType).map(([k, v]) => `${v} ${k}`).join(', ')}` },
    { signal: 'logs', items: lg.logRecordCount, bytes: lg.bytes.length, bytesPerItem: lg.avgRecordBytes, description: `10 attributes/record, access-log/message/kvlist/stack-trace bodies, ${lg.belowWarn} below WARN` },
    { signal: 'traces', items: tr.spanCount, bytes: tr.bytes.length, bytesPerItem: tr.avgSpanBytes, description: '20 attributes/span (bench/fixtures/realistic.ts)' },
  ];

  const metSkip = oursReady('metrics', MetricBatch, met.bytes, met.dataPointCount, oracleDecodeMetrics, checks);
  const logSkip = oursReady('logs', LogBatch, lg.bytes, lg.logRecordCount, oracleDecodeLogs, checks);
  let trSkip: string | undefined;
  try {
    if (TraceBatch.decode(tr.bytes).spanCount !== tr.spanCount) trSkip = 'TraceBatch.decode gave a wrong span count';
  } catch (e) {
    trSkip = `TraceBatch.decode unavailable: ${(e as Error).message}`;
  }
  for (const s of [metSkip, logSkip]) if (s) log(`metrics/logs bench: skipped: ${s}`);

  const cases: Case[] = [
    ...pbjsCodecCases('metrics', ExportMetricsServiceRequest as unknown as PbType, met.bytes, met.dataPointCount, 'resourceMetrics'),
    ...oursCodecCases('metrics', MetricBatch, met.bytes, met.dataPointCount, metSkip),
    ...pbjsCodecCases('logs', ExportLogsServiceRequest as unknown as PbType, lg.bytes, lg.logRecordCount, 'resourceLogs'),
    ...oursCodecCases('logs', LogBatch, lg.bytes, lg.logRecordCount, logSkip),
  ];

  const cleanups: Array<() => Promise<void>> = [];
  const insertDelete = (del: string) => ({
    actions: [
      { key: 'bench.pipeline', value: 'processing', action: 'insert' },
      { key: del, action: 'delete' },
    ],
  });
  const attrCheck = (getAttrs: (b: never) => { get(k: string): unknown; indexOf(k: string): number }, del: string) => (b: unknown) => {
    try {
      const a = getAttrs(b as never);
      if (a.get('bench.pipeline') === undefined) return 'bench.pipeline not inserted on item 0';
      if (a.indexOf(del) >= 0) return `${del} not deleted on item 0`;
    } catch (e) {
      return (e as Error).message;
    }
    return undefined;
  };
  const signals: SignalPayload[] = [
    {
      signal: 'traces',
      bytes: tr.bytes,
      items: tr.spanCount,
      C: TraceBatch,
      skip: trSkip,
      filter: { raw: { error_mode: 'ignore', traces: { span: ['attributes["http.route"] == "/healthz"'] } }, condition: 'span: attributes["http.route"] == "/healthz"' },
      attrs: { raw: insertDelete('thread.name'), text: 'insert bench.pipeline + delete thread.name', check: attrCheck((b: TraceBatch) => b.spanAttributes(0), 'thread.name') },
    },
    {
      signal: 'metrics',
      bytes: met.bytes,
      items: met.dataPointCount,
      C: MetricBatch,
      skip: metSkip,
      filter: { raw: { error_mode: 'ignore', metrics: { datapoint: ['attributes["http.route"] == "/healthz"'] } }, condition: 'datapoint: attributes["http.route"] == "/healthz"' },
      attrs: { raw: insertDelete('host.name'), text: 'insert bench.pipeline + delete host.name', check: attrCheck((b: MetricBatch) => b.pointAttributes(0), 'host.name') },
    },
    {
      signal: 'logs',
      bytes: lg.bytes,
      items: lg.logRecordCount,
      C: LogBatch,
      skip: logSkip,
      filter: { raw: { error_mode: 'ignore', logs: { log_record: ['severity_number < SEVERITY_NUMBER_WARN'] } }, condition: 'log_record: severity_number < SEVERITY_NUMBER_WARN', expectKept: lg.logRecordCount - lg.belowWarn },
      attrs: { raw: insertDelete('thread.name'), text: 'insert bench.pipeline + delete thread.name', check: attrCheck((b: LogBatch) => b.logAttributes(0), 'thread.name') },
    },
  ];
  for (const s of signals) {
    // protobufjs decode of the same payload first: what a naive collector pays before any processing.
    const T = (s.signal === 'traces' ? ExportTraceServiceRequest : s.signal === 'metrics' ? ExportMetricsServiceRequest : ExportLogsServiceRequest) as unknown as PbType;
    cases.push({ table: 'processing', signal: s.signal, name: 'protobufjs decode', impl: 'protobufjs', baseline: null, items: s.items, setup: () => null, run: () => (T.decode(s.bytes) ? 1 : 0) });
    cases.push(...(await processingCases(s, checks, cleanups)));
  }
  for (const c of cases) if (c.table === 'processing' && c.skipped && c.name.startsWith('filter')) log(`metrics/logs bench: ${c.signal} ${c.name} skipped: ${c.skipped}`);

  const mismatches = new Set<string>();
  const measure = async (c: Case, k: number): Promise<{ cpuUs: number; wallUs: number }> => {
    let cpuUs = 0;
    let wallUs = 0;
    const chunk = c.chunk ?? k;
    for (let done = 0; done < k; done += chunk) {
      const n = Math.min(chunk, k - done);
      const state = c.setup(n);
      collectGarbage();
      let total = 0;
      const w0 = process.hrtime.bigint();
      const c0 = process.cpuUsage();
      for (let i = 0; i < n; i++) {
        const r = c.run(state, i);
        total += typeof r === 'number' ? r : await r;
      }
      const c1 = process.cpuUsage(c0);
      const w1 = process.hrtime.bigint();
      cpuUs += c1.user + c1.system;
      wallUs += Number(w1 - w0) / 1000;
      if (c.expect !== undefined && total !== c.expect * n) mismatches.add(key(c.table, c.signal, c.name));
    }
    return { cpuUs, wallUs };
  };

  const active = cases.filter((c) => !c.skipped);
  const iters = new Map<Case, number>();
  for (const c of active) {
    await measure(c, 2);
    let k = 2;
    for (;;) {
      const { wallUs } = await measure(c, k);
      if (wallUs > 25_000 || k >= 2048) {
        iters.set(c, Math.max(3, Math.round((k * roundMs * 1000) / wallUs)));
        break;
      }
      k *= 2;
    }
  }
  const perRound = new Map<Case, { cpu: number[]; wall: number[] }>();
  for (const c of active) perRound.set(c, { cpu: [], wall: [] });
  for (let r = 0; r < roundsN; r++) {
    for (let j = 0; j < active.length; j++) {
      const c = active[(j + r) % active.length]!;
      const k = iters.get(c)!;
      const { cpuUs, wallUs } = await measure(c, k);
      perRound.get(c)!.cpu.push(cpuUs / (k * c.items));
      perRound.get(c)!.wall.push(wallUs / (k * c.items));
    }
    log(`metrics/logs: round ${r + 1}/${roundsN} done`);
  }
  for (const fn of cleanups) await fn().catch(() => undefined);
  for (const name of mismatches) checks.push(`WRONG OUTPUT in timed iterations of "${name}" (figures not valid)`);

  const med = new Map<string, number>();
  for (const c of active) med.set(key(c.table, c.signal, c.name), median(perRound.get(c)!.cpu));
  const results: MlCaseResult[] = cases.map((c) => {
    const base = { table: c.table, signal: c.signal, name: c.name, impl: c.impl, baseline: c.baseline };
    if (c.skipped) return { ...base, usPerItem: null, itemsPerSec: null, wallUsPerItem: null, rounds: [], ratio: null, skipped: c.skipped };
    const us = med.get(key(c.table, c.signal, c.name))!;
    const b = c.baseline ? med.get(key(c.table, c.signal, c.baseline)) : undefined;
    return {
      ...base,
      usPerItem: us,
      itemsPerSec: 1e6 / us,
      wallUsPerItem: median(perRound.get(c)!.wall),
      rounds: perRound.get(c)!.cpu,
      // codec: baseline / this (higher = faster); processing: this / decode (cost in units of a lazy decode).
      ratio: b === undefined ? null : c.table === 'codec' ? b / us : us / b,
      ...(c.table === 'processing' && c.impl === 'otelcol-ts' ? { ratioPbjsDecode: us / (med.get(key('processing', c.signal, 'protobufjs decode')) ?? NaN) } : {}),
    };
  });
  return { rounds: roundsN, gc: gcAvailable(), payloads, checks, cases: results };
}

export function metricsLogsMarkdown(r: MetricsLogsResult): string {
  const lines: string[] = [];
  const unit: Record<Signal, string> = { traces: 'span', metrics: 'point', logs: 'record' };
  for (const signal of ['metrics', 'logs'] as const) {
    const p = r.payloads.find((x) => x.signal === signal)!;
    const rows = r.cases
      .filter((c) => c.table === 'codec' && c.signal === signal)
      .map((c) => [
        c.name,
        c.usPerItem === null ? 'skipped' : fmt(c.usPerItem, 3),
        c.itemsPerSec === null ? '' : fmt(c.itemsPerSec),
        c.wallUsPerItem === null ? '' : fmt(c.wallUsPerItem, 3),
        c.ratio === null ? (c.baseline ? '' : 'baseline') : `${fmtRatio(c.ratio)} vs ${c.baseline}`,
      ]);
    lines.push(
      `### Codec: ${signal}, ${fmt(p.items)}-${unit[signal]} request, ${fmt(p.bytes)} bytes (${fmt(p.bytesPerItem, 1)} bytes/${unit[signal]}; ${p.description})`,
      '',
      `Median of ${r.rounds} interleaved rounds, CPU time (process.cpuUsage)${r.gc ? ', GC between measurements' : ', no --expose-gc'}.`,
      '',
      mdTable(['case', `CPU µs/${unit[signal]}`, `${unit[signal]}s/s (CPU)`, `wall µs/${unit[signal]}`, 'ratio (higher = faster)'], rows),
      '',
    );
  }
  const prow = r.cases
    .filter((c) => c.table === 'processing')
    .map((c) => [
      c.signal,
      c.name,
      c.usPerItem === null ? 'skipped' : fmt(c.usPerItem, 3),
      c.itemsPerSec === null ? '' : fmt(c.itemsPerSec),
      c.ratio === null ? '' : `${fmtRatio(c.ratio)}`,
      c.ratioPbjsDecode == null ? '' : `${fmtRatio(c.ratioPbjsDecode)}`,
    ]);
  const pl = r.payloads.map((p) => `${p.signal}: ${fmt(p.items)} ${unit[p.signal]}s`).join(', ');
  lines.push(
    `### Processing cost per item (${pl}; same payloads as above)`,
    '',
    'A processor consuming a freshly (lazily) decoded batch; the decode is not in its time. The last two columns give its cost in units of our lazy decode and of a protobufjs decode of the same payload.',
    '',
    mdTable(['signal', 'case', 'CPU µs/item', 'items/s (CPU)', '× our lazy decode', '× protobufjs decode'], prow),
  );
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
  runMetricsLogsBench({ quick }).then(
    (r) => {
      const m = machineInfo();
      process.stdout.write(`${m.cpuModel}, ${m.cores} cores, node ${m.node}\n\n${metricsLogsMarkdown(r)}\n`);
      if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    },
    (e) => {
      process.stderr.write(String((e as Error).stack ?? e) + '\n');
      process.exitCode = 1;
    },
  );
}
