// The real binary (node bin/otelcol-ts.js, which loads the compiled dist/src/cli/main.js) with the real component
// list. Tests that need particular components compute what to expect from the registry, and skip with a reason
// when the components they need are not registered.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { factories } from '../../src/components';
import { Registry } from '../../src/service/registry';
import { listComponents } from '../../src/cli/components-list';
import { REPO_ROOT } from '../helpers/paths';
import { freePorts, runCli, spawnCli, tempDir, writeFile } from '../helpers/collector';

const registry = new Registry(factories);
const has = (kind: 'receiver' | 'processor' | 'exporter' | 'extension', type: string) => registry.get(kind, type) !== undefined;

test('bin: validate prints every problem with its path, no stack trace, exit 1', async (t) => {
  const dir = tempDir(t);
  const cfg = writeFile(
    dir,
    'bad.yaml',
    `
receivers:
  definitely_not_a_receiver:
exporters:
  definitely_not_an_exporter:
unknown_section: {}
service:
  pipelines:
    traces:
      receivers: [definitely_not_a_receiver]
      processors: [batch/missing]
      exporters: [definitely_not_an_exporter]
`,
  );
  const r = await runCli(t, ['validate', '--config', cfg]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^ {2}unknown_section: unknown top-level key "unknown_section"/m);
  assert.match(r.stderr, /^ {2}receivers\.definitely_not_a_receiver: unknown type "definitely_not_a_receiver" for receiver/m);
  assert.match(r.stderr, /^ {2}exporters\.definitely_not_an_exporter: unknown type "definitely_not_an_exporter" for exporter/m);
  assert.match(r.stderr, /^ {2}service\.pipelines\.traces\.processors\[0\]: references processor "batch\/missing" which is not configured/m);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('bin: unknown flag exits 2; --version exits 0', async (t) => {
  const r = await runCli(t, ['--definitely-unknown']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown flag: --definitely-unknown/);
  const v = await runCli(t, ['--version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^otelcol-ts version \d+\.\d+\.\d+/);
});

test('bin: components --json lists exactly the registered components', async (t) => {
  const r = await runCli(t, ['components', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const parsed = JSON.parse(r.stdout) as Record<string, Array<{ kind: string; type: string }>>;
  const got = Object.values(parsed).flat().map((c) => `${c.kind}:${c.type}`);
  assert.deepEqual(got, listComponents(registry).map((c) => `${c.kind}:${c.type}`));
});

test('bin: validate without --config checks the embedded configs/default.yaml', async (t) => {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'configs', 'default.yaml'), 'utf8');
  const cfg = parse(text) as Record<string, Record<string, unknown>>;
  const needed: Array<['receiver' | 'processor' | 'exporter', string]> = [];
  for (const [section, kind] of [['receivers', 'receiver'], ['processors', 'processor'], ['exporters', 'exporter']] as const) {
    for (const id of Object.keys(cfg[section] ?? {})) needed.push([kind, id.split('/')[0]!]);
  }
  const missing = needed.filter(([k, ty]) => !has(k, ty)).map(([, ty]) => ty);
  const r = await runCli(t, ['validate'], { cwd: tempDir(t) });
  if (missing.length === 0) {
    assert.equal(r.code, 0, r.stderr);
  } else {
    assert.equal(r.code, 1);
    for (const ty of missing) assert.match(r.stderr, new RegExp(`unknown type "${ty}"`));
  }
});

const canRun = has('receiver', 'otlp') && has('exporter', 'debug');
const skipRun = canRun ? false : 'needs the otlp receiver and the debug exporter in src/components.ts (filled at integration)';

async function runningConfig(t: Parameters<typeof tempDir>[0]): Promise<{ cfg: string; ports: number[] }> {
  const ports = await freePorts(3);
  const dir = tempDir(t);
  const cfg = writeFile(
    dir,
    'run.yaml',
    `
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:${ports[0]} }
      http: { endpoint: 127.0.0.1:${ports[1]} }
exporters:
  debug:
service:
  pipelines:
    traces: { receivers: [otlp], exporters: [debug] }
  telemetry:
    metrics:
      readers: [ { pull: { exporter: { prometheus: { host: 127.0.0.1, port: ${ports[2]} } } } } ]
`,
  );
  return { cfg, ports };
}

test('bin: runs until SIGTERM, then shuts down gracefully and exits 0', { skip: skipRun }, async (t) => {
  const { cfg } = await runningConfig(t);
  const c = spawnCli(t, ['--config', cfg]);
  await c.waitForOutput(/Everything is ready/, 15_000);
  const code = await c.stop(10_000);
  assert.equal(code, 0, c.output());
  assert.match(c.stderr(), /Shutdown complete/);
});

test('bin: a start failure (port in use) exits 1 with the reason', { skip: skipRun }, async (t) => {
  const { cfg, ports } = await runningConfig(t);
  const first = spawnCli(t, ['--config', cfg]);
  await first.waitForOutput(/Everything is ready/, 15_000);
  const second = spawnCli(t, ['--config', cfg]);
  const info = await second.waitForExit(15_000);
  assert.equal(info.code, 1, second.output());
  assert.match(second.stderr(), new RegExp(`Error: .*(${ports[2]}|${ports[0]}|${ports[1]}).*`));
  assert.doesNotMatch(second.stderr(), /^\s+at /m);
  assert.equal(await first.stop(10_000), 0);
});
