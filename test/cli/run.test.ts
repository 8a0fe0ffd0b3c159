// The run command's process behaviour (signals, exit codes, start failures) with fake components, in a child
// process (run-fake-collector.js calls main() like bin/otelcol-ts.js does, with the fake factories).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CHILD = path.join(__dirname, 'run-fake-collector.js');

interface Child {
  proc: ChildProcess;
  out(): string;
  err(): string;
  exited: Promise<number | null>;
  waitFor(re: RegExp, ms?: number): Promise<void>;
}

function start(t: { after(fn: () => unknown): void }, config: string): Child {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otelcol-ts-run-'));
  const cfg = path.join(dir, 'c.yaml');
  fs.writeFileSync(cfg, config);
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const proc = spawn(process.execPath, [CHILD, '--config', cfg], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((r) => proc.once('close', (code) => r(code)));
  t.after(async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    proc,
    out: () => out,
    err: () => err,
    exited,
    async waitFor(re, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (!re.test(out + err)) {
        if (proc.exitCode !== null) throw new Error(`exited before ${re}:\n${out}\n${err}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}:\n${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

const CONFIG = (exporter = '') => `
receivers: { fakerecv: }
processors: { fakeproc: }
exporters: { capture: { ${exporter} } }
service:
  pipelines:
    traces: { receivers: [fakerecv], processors: [fakeproc], exporters: [capture] }
  telemetry: { metrics: { level: none } }
`;

test('run: SIGTERM shuts down gracefully (receivers first, exporters last) and exits 0', async (t) => {
  const c = start(t, CONFIG());
  await c.waitFor(/Everything is ready/);
  c.proc.kill('SIGTERM');
  assert.equal(await c.exited, 0, c.err());
  const events = c.out().split('\n').filter((l) => l.startsWith('EVENT shutdown'));
  assert.deepEqual(events, ['EVENT shutdown receiver:fakerecv', 'EVENT shutdown processor:fakeproc', 'EVENT shutdown exporter:capture']);
  assert.match(c.out(), /^EXIT 0$/m);
  assert.match(c.err(), /Received signal from OS\tsignal=SIGTERM/);
  assert.match(c.err(), /Shutdown complete/);
});

test('run: SIGINT works the same; a second signal forces exit 1 when shutdown hangs', async (t) => {
  const c = start(t, CONFIG('hang_shutdown: true'));
  await c.waitFor(/Everything is ready/);
  c.proc.kill('SIGINT');
  await c.waitFor(/EVENT shutdown exporter:capture/);
  c.proc.kill('SIGINT');
  assert.equal(await c.exited, 1);
  assert.match(c.err(), /second signal: forcing exit/);
});

test('run: a component failing at start exits 1 with the reason and no stack trace', async (t) => {
  const c = start(t, CONFIG().replace('fakerecv: }', 'fakerecv: { fail_start: true } }'));
  assert.equal(await c.exited, 1);
  assert.match(c.err(), /^Error: cannot start pipelines: failed to start "fakerecv" receiver: receiver fakerecv cannot bind$/m);
  assert.doesNotMatch(c.err(), /^\s+at /m);
  assert.match(c.out(), /EVENT shutdown exporter:capture/, 'what started was stopped');
});

test('run: an invalid config exits 1 before starting anything', async (t) => {
  const c = start(t, CONFIG().replace('processors: { fakeproc: }', 'processors: { fakeproc: { count: -1 } }'));
  assert.equal(await c.exited, 1);
  assert.match(c.err(), /processors\.fakeproc\.count: expected a positive integer, got -1/);
  assert.doesNotMatch(c.out(), /EVENT start/);
});
