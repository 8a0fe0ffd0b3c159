// The CLI in-process with fake components (main(argv, io, factories)); the spawned binary is in bin.test.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main, type MainIO } from '../../src/cli/main';
import { parseArgs, UsageError } from '../../src/cli/args';
import { FakeWorld } from '../service/fakes';
import { REPO_ROOT } from '../helpers/paths';

function io(env: NodeJS.ProcessEnv = {}, cwd = process.cwd()): MainIO & { out: string; err: string } {
  const r = {
    out: '',
    err: '',
    env,
    cwd,
    stdout: (s: string) => void (r.out += s),
    stderr: (s: string) => void (r.err += s),
  };
  return r;
}

function tmpFile(t: { after(fn: () => void): void }, name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otelcol-ts-cli-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

const VALID = `
receivers: { fakerecv: { endpoint: "\${env:EP}" } }
exporters: { capture: }
service:
  pipelines:
    traces: { receivers: [fakerecv], exporters: [capture] }
`;

test('cli args: flags, subcommands and usage errors', () => {
  assert.deepEqual(parseArgs(['--config', 'a.yaml', '--config=b.yaml', '--set=x.y=1', '--set', 'z=2']), {
    command: 'run',
    configs: ['a.yaml', 'b.yaml'],
    sets: ['x.y=1', 'z=2'],
    json: false,
    markdown: false,
    featureGates: [],
  });
  assert.equal(parseArgs(['validate', '--config', 'a']).command, 'validate');
  assert.equal(parseArgs(['--config', 'a', 'validate']).command, 'validate');
  assert.equal(parseArgs(['components', '--json']).json, true);
  assert.equal(parseArgs(['--version']).command, 'version');
  assert.equal(parseArgs(['validate', '-h']).command, 'help');
  for (const bad of [['--bogus'], ['--config'], ['frobnicate'], ['validate', 'extra'], ['--json'], ['components', '--config', 'x']]) {
    assert.throws(() => parseArgs(bad), UsageError, bad.join(' '));
  }
});

test('cli: validate exits 0 for a valid config and 1 with every problem, one per line with its path', async (t) => {
  const world = new FakeWorld();
  const good = tmpFile(t, 'good.yaml', VALID);
  const r1 = io({ EP: '127.0.0.1:1234' });
  assert.equal(await main(['validate', '--config', good], r1, world.factories), 0, r1.err);
  assert.equal(r1.out, '');

  const bad = tmpFile(
    t,
    'bad.yaml',
    `
receivers: { fakerecv: , nope: }
processors: { fakeproc: { count: 0 } }
exporters: { capture: }
extra: 1
service:
  pipelines:
    traces: { receivers: [fakerecv], processors: [fakeproc, batch], exporters: [capture] }
`,
  );
  const r2 = io();
  assert.equal(await main(['validate', '--config', bad], r2, world.factories), 1);
  const lines = r2.err.trimEnd().split('\n');
  assert.equal(lines[0], 'Error: invalid configuration (4 problems):');
  assert.deepEqual(lines.slice(1), [
    '  extra: unknown top-level key "extra" (valid keys: receivers, processors, exporters, connectors, extensions, service)',
    '  receivers.nope: unknown type "nope" for receiver (valid values: fake_recv, fakerecv, metricsonly)',
    '  processors.fakeproc.count: expected a positive integer, got 0',
    '  service.pipelines.traces.processors[1]: references processor "batch" which is not configured',
  ]);
  assert.doesNotMatch(r2.err, /\n\s+at /, 'no stack trace');
});

test('cli: --set and several --config are honoured by validate; unset variables are warnings', async (t) => {
  const world = new FakeWorld();
  const a = tmpFile(t, 'a.yaml', VALID);
  const r = io();
  assert.equal(await main(['validate', '--config', a, '--set', 'processors.fakeproc.count=two'], r, world.factories), 1);
  assert.match(r.err, /processors\.fakeproc\.count: expected a positive integer, got "two"/);
  const r2 = io();
  assert.equal(await main(['validate', '--config', a, '--config', 'yaml:processors::fakeproc::count: 3', '--set=service.pipelines.traces.processors=[fakeproc]'], r2, world.factories), 0, r2.err);
  assert.match(r2.err, /warning: .*unset environment variable "EP"/);
});

test('cli: usage errors exit 2 with the usage text', async () => {
  const r = io();
  assert.equal(await main(['--no-such-flag'], r, []), 2);
  assert.match(r.err, /^Error: unknown flag: --no-such-flag\n\nUsage:/);
});

test('cli: --version, --help', async () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  const v = io();
  assert.equal(await main(['--version'], v, []), 0);
  assert.equal(v.out, `otelcol-ts version ${pkg.version}\n`);
  const h = io();
  assert.equal(await main(['--help'], h, []), 0);
  assert.match(h.out, /otelcol-ts validate/);
});

test('cli: components lists every factory with its stability, as a table and as JSON', async () => {
  const world = new FakeWorld();
  const r = io();
  assert.equal(await main(['components'], r, world.factories), 0);
  const rows = r.out.trimEnd().split('\n');
  assert.match(rows[0]!, /^KIND\s+TYPE\s+ALIASES\s+STABILITY\s+DESCRIPTION$/);
  assert.match(r.out, /^receiver\s+fakerecv\s+fake_recv\s+traces: beta\s+A receiver tests push batches into$/m);
  assert.match(r.out, /^receiver\s+metricsonly\s+-\s+metrics: alpha/m);
  assert.match(r.out, /^processor\s+fakeproc\s+-\s+traces: alpha/m);
  assert.match(r.out, /^exporter\s+capture\s+-\s+traces: stable/m);
  assert.match(r.out, /^extension\s+fakeext\s+-\s+extension: beta/m);
  assert.equal(rows.length, 6);

  const j = io();
  assert.equal(await main(['components', '--json'], j, world.factories), 0);
  const parsed = JSON.parse(j.out);
  assert.deepEqual(
    parsed.receivers.map((c: { type: string }) => c.type),
    ['fakerecv', 'metricsonly'],
  );
  assert.deepEqual(parsed.receivers[0], {
    kind: 'receiver',
    type: 'fakerecv',
    aliases: ['fake_recv'],
    description: 'A receiver tests push batches into',
    stability: { traces: 'beta' },
    configKeys: ['fail_start', 'endpoint'],
  });
  assert.deepEqual(parsed.extensions[0].stability, { extension: 'beta' });
});

test('cli: a config that cannot be read exits 1 naming the file', async () => {
  const r = io();
  assert.equal(await main(['validate', '--config', '/nonexistent/otelcol.yaml'], r, new FakeWorld().factories), 1);
  assert.equal(r.err, 'Error: invalid configuration (1 problem):\n  cannot retrieve the configuration: unable to read the file /nonexistent/otelcol.yaml: no such file or directory\n');
});
