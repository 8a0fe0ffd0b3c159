// Re-runs the current script under --expose-gc when it was started without it, so benchmarks can collect
// garbage between rounds (`node dist/bench/run.js` works as is).

import { spawnSync } from 'node:child_process';

export function gcAvailable(): boolean {
  return typeof (globalThis as { gc?: unknown }).gc === 'function';
}

export function collectGarbage(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) g();
}

/**
 * If gc is not exposed, runs this same script again with --expose-gc (output inherited) and returns its exit
 * code; returns undefined when the caller should go on in this process.
 */
export function reexecWithGc(): number | undefined {
  if (gcAvailable() || process.env.OTELTS_BENCH_REEXEC === '1') return undefined;
  const r = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, process.argv[1], ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, OTELTS_BENCH_REEXEC: '1' },
  });
  if (r.error) return undefined; // could not re-run: go on without gc
  return r.status ?? 1;
}
