// `npm run bench`: codec then pipeline benchmarks; prints markdown tables and writes bench/results/latest.json.
// Measures and reports ratios against baselines measured in the same run; never asserts timing.
//
//   node dist/bench/run.js [--only codec|pipeline] [--quick] [--seconds N] [--rounds N] [--concurrency N]

import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../test/helpers/paths';
import { codecMarkdown, runCodecBench, type CodecResult } from './codec/codec-bench';
import { metricsLogsMarkdown, runMetricsLogsBench, type MetricsLogsResult } from './codec/metrics-logs-bench';
import { pipelineMarkdown, runPipelineBench, type PipelineResult } from './pipeline/pipeline-bench';
import { reexecWithGc } from './lib/gc';
import { machineInfo } from './lib/stats';

interface Args {
  only?: 'codec' | 'pipeline';
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
      if (v !== 'codec' && v !== 'pipeline') throw new Error(`--only codec|pipeline, got ${v}`);
      a.only = v;
    } else if (x.startsWith('--only=')) {
      const v = x.slice(7);
      if (v !== 'codec' && v !== 'pipeline') throw new Error(`--only codec|pipeline, got ${v}`);
      a.only = v;
    } else if (x === '--seconds') a.seconds = Number(val());
    else if (x === '--rounds') a.rounds = Number(val());
    else if (x === '--concurrency') a.concurrency = Number(val());
    else if (x === '--help' || x === '-h') {
      process.stdout.write('usage: node dist/bench/run.js [--only codec|pipeline] [--quick] [--seconds N] [--rounds N] [--concurrency N]\n');
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
  const out: string[] = [
    `## otelcol-ts benchmarks (${startedAt})`,
    '',
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemMiB} MiB, node ${machine.node}, ${machine.platform}, load average at start ${machine.loadAvg.join(' ')}${args.quick ? ' — QUICK run' : ''}`,
  ];
  if (args.only !== 'pipeline') {
    log('codec benchmark…');
    codec = await runCodecBench({ quick: args.quick, log });
    out.push('', codecMarkdown(codec));
    log('metrics/logs codec and processing benchmark…');
    metricsLogs = await runMetricsLogsBench({ quick: args.quick, log });
    out.push('', metricsLogsMarkdown(metricsLogs));
  }
  if (args.only !== 'codec') {
    log('pipeline benchmark…');
    pipeline = await runPipelineBench({ quick: args.quick, seconds: args.seconds, rounds: args.rounds, concurrency: args.concurrency, log });
    out.push('', pipelineMarkdown(pipeline));
  }
  process.stdout.write(out.join('\n') + '\n');

  const dir = path.join(REPO_ROOT, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'latest.json');
  const json = { startedAt, finishedAt: new Date().toISOString(), quick: args.quick, machine: { ...machine, loadAvgAtEnd: machineInfo().loadAvg }, codec: codec ?? null, metricsLogs: metricsLogs ?? null, pipeline: pipeline ?? null };
  fs.writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
  log(`wrote ${path.relative(process.cwd(), file)}`);
}

main().catch((e) => {
  process.stderr.write(String((e as Error).stack ?? e) + '\n');
  process.exitCode = 1;
});
