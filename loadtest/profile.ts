// `npm run profile`: a loadtest run under clinic (flame by default, `--tool doctor` for doctor). Starts the
// collector with a profile under `clinic <tool>` (NO_INSIGHT=1: no telemetry prompt), drives it with the loadtest
// (see run.ts) through its --target mode, then stops it with SIGINT so clinic writes its report (.clinic/).
//
//   npm run profile -- [--tool flame|doctor] [--profile gateway] [--duration 10] [--protocol http|grpc|both]

import * as path from 'node:path';
import * as fs from 'node:fs';
import { spawn } from 'node:child_process';
import { freePort } from '../bench/lib/child';
import { runLoadtest, reportText, startSink } from './run';

const ROOT = path.resolve(__dirname, '..', '..');

async function waitPort(port: number, ms: number): Promise<void> {
  const net = await import('node:net');
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`the collector did not listen on ${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(argv: string[]): Promise<void> {
  let tool = 'flame';
  let profile = 'gateway';
  let duration = 10;
  let protocol: 'http' | 'grpc' | 'both' = 'http';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--tool') tool = argv[++i]!;
    else if (a === '--profile') profile = argv[++i]!;
    else if (a === '--duration') duration = Number(argv[++i]);
    else if (a === '--protocol') protocol = argv[++i] as typeof protocol;
    else throw new Error(`unknown option ${a}`);
  }
  if (!['flame', 'doctor'].includes(tool)) throw new Error('--tool flame|doctor');
  const [grpcPort, httpPort, health, metrics] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const clinic = path.join(ROOT, 'node_modules', '.bin', 'clinic');
  const sink = await startSink();
  const env = {
    ...process.env, NO_INSIGHT: '1', OTELCOL_BIND: '127.0.0.1', OTELCOL_GRPC_PORT: String(grpcPort), OTELCOL_HTTP_PORT: String(httpPort),
    OTELCOL_HEALTH_PORT: String(health), OTELCOL_METRICS_PORT: String(metrics), OTELCOL_STORAGE_DIR: fs.mkdtempSync('/tmp/otelcol-ts-profile-'),
    OTELCOL_UPSTREAM: `127.0.0.1:${sink.port}`, OTELCOL_GATEWAY: `127.0.0.1:${sink.port}`,
  };
  const child = spawn(clinic, [tool, '--', process.execPath, path.join(ROOT, 'bin', 'otelcol-ts.js'), '--config', path.join(ROOT, 'configs', `${profile}.yaml`)], {
    env, stdio: ['ignore', 'inherit', 'inherit'], cwd: ROOT,
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  await waitPort(httpPort, 60_000);
  const r = await runLoadtest({ target: `127.0.0.1:${httpPort},${grpcPort}`, protocol, durationS: duration, connections: 8, spansPerRequest: 512, rate: 0 });
  process.stdout.write(reportText(r) + '\n');
  child.kill('SIGINT');
  const code = await exited;
  await sink.close();
  process.stdout.write(`clinic ${tool} finished (exit ${code}); its report is under ${path.join(ROOT, '.clinic')}\n`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`profile failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
