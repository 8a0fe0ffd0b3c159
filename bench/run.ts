// `npm run bench`: codec then pipeline benchmarks; prints markdown tables and writes bench/results/latest.json.
// Measures and reports ratios against baselines measured in the same run; never asserts timing.
//
//   node dist/bench/run.js [--only codec|pipeline|scaling|tailsampling|queue|telemetry] [--quick] [--seconds N] [--rounds N] [--concurrency N]

import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../test/helpers/paths';
import { codecMarkdown, runCodecBench, type CodecResult } from './codec/codec-bench';
import { metricsLogsMarkdown, runMetricsLogsBench, type MetricsLogsResult } from './codec/metrics-logs-bench';
import { pipelineMarkdown, runPipelineBench, type PipelineResult } from './pipeline/pipeline-bench';
import { runScalingBench, scalingMarkdown, type ScalingResult } from './pipeline/scaling-bench';
import { runTailSamplingBench, tailSamplingMarkdown, type TailSamplingBenchResult } from './pipeline/tail-sampling-bench';
import { queueMarkdown, runQueueBench, type QueueBenchResult } from './pipeline/queue-bench';
import { reexecWithGc } from './lib/gc';
import { runTelemetryCostBench, telemetryCostMarkdown, type TelemetryCostResult } from './telemetry-cost';
import { machineInfo } from './lib/stats';

const PARTS = ['codec', 'pipeline', 'scaling', 'tailsampling', 'queue', 'telemetry'] as const;
type Part = (typeof PARTS)[number];
const isPart = (v: string): v is Part => (PARTS as readonly string[]).includes(v);

interface Args {
  only?: Part;
  quick: boolean;
  seconds?: number;
  rounds?: number;
  concurrency?: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${x} needs a value`);
      return v;
    };
    if (x === '--quick') a.quick = true;
    else if (x === '--only') {
      const v = val();
      if (!isPart(v)) throw new Error(`--only codec|pipeline|scaling|tailsampling|queue|telemetry, got ${v}`);
      a.only = v;
    } else if (x.startsWith('--only=')) {
      const v = x.slice(7);
      if (!isPart(v)) throw new Error(`--only codec|pipeline|scaling|tailsampling|queue|telemetry, got ${v}`);
      a.only = v;
    } else if (x === '--seconds') a.seconds = Number(val());
    else if (x === '--rounds') a.rounds = Number(val());
    else if (x === '--concurrency') a.concurrency = Number(val());
    else if (x === '--help' || x === '-h') {
      process.stdout.write('usage: node dist/bench/run.js [--only codec|pipeline|scaling|tailsampling|queue|telemetry] [--quick] [--seconds N] [--rounds N] [--concurrency N]\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${x}`);
  }
  return a;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const code = reexecWithGc(); // GC between codec rounds
  if (code !== undefined) {
    process.exitCode = code;
    return;
  }
  const log = (l: string) => process.stderr.write(`[bench] ${l}\n`);
  const machine = machineInfo();
  const startedAt = new Date().toISOString();
  let codec: CodecResult | undefined;
  let metricsLogs: MetricsLogsResult | undefined;
  let pipeline: PipelineResult | undefined;
  let scaling: ScalingResult | undefined;
  let tailSampling: TailSamplingBenchResult | undefined;
  let queue: QueueBenchResult | undefined;
  let telemetry: TelemetryCostResult | undefined;
  const part = (p: Part) => args.only === undefined || args.only === p;
  const out: string[] = [
    `## otelcol-ts benchmarks (${startedAt})`,
    '',
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemMiB} MiB, node ${machine.node}, ${machine.platform}, load average at start ${machine.loadAvg.join(' ')}${args.quick ? ' — QUICK run' : ''}`,
  ];
  if (part('codec')) {
    log('codec benchmark…');
    codec = await runCodecBench({ quick: args.quick, log });
    out.push('', codecMarkdown(codec));
    log('metrics/logs codec and processing benchmark…');
    metricsLogs = await runMetricsLogsBench({ quick: args.quick, log });
    out.push('', metricsLogsMarkdown(metricsLogs));
  }
  if (part('pipeline')) {
    log('pipeline benchmark…');
    pipeline = await runPipelineBench({ quick: args.quick, seconds: args.seconds, rounds: args.rounds, concurrency: args.concurrency, log });
    out.push('', pipelineMarkdown(pipeline));
  }
  if (part('scaling')) {
    log('worker pool scaling benchmark…');
    scaling = await runScalingBench({ quick: args.quick, seconds: args.seconds, rounds: args.rounds, concurrency: args.concurrency, log });
    out.push('', scalingMarkdown(scaling));
  }
  if (part('tailsampling')) {
    log('tail sampling benchmark…');
    tailSampling = await runTailSamplingBench({ quick: args.quick, seconds: args.seconds, rounds: args.rounds, concurrency: args.concurrency, log });
    out.push('', tailSamplingMarkdown(tailSampling));
  }
  if (part('queue')) {
    log('sending queue benchmark…');
    queue = await runQueueBench({ quick: args.quick, seconds: args.seconds, rounds: args.rounds, concurrency: args.concurrency, log });
    out.push('', queueMarkdown(queue));
  }
  if (part('telemetry')) {
    log('self-telemetry cost benchmark…');
    telemetry = await runTelemetryCostBench({ requests: args.quick ? 100 : 400, log });
    out.push('', telemetryCostMarkdown(telemetry));
  }
  process.stdout.write(out.join('\n') + '\n');

  const dir = path.join(REPO_ROOT, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'latest.json');
  const json = { startedAt, finishedAt: new Date().toISOString(), quick: args.quick, machine: { ...machine, loadAvgAtEnd: machineInfo().loadAvg }, codec: codec ?? null, metricsLogs: metricsLogs ?? null, pipeline: pipeline ?? null, scaling: scaling ?? null, tailSampling: tailSampling ?? null, queue: queue ?? null, telemetry: telemetry ?? null };
  fs.writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
  log(`wrote ${path.relative(process.cwd(), file)}`);
}

main().catch((e) => {
  process.stderr.write(String((e as Error).stack ?? e) + '\n');
  process.exitCode = 1;
});
