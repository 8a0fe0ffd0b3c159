// The Dockerfile cannot be built here (no docker), so it is checked the way a reviewer would read it: parsed into
// stages and instructions, then every claim it makes is held against the repository.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT } from '../helpers/paths';
import { runCli } from '../helpers/collector';

interface Instruction {
  cmd: string;
  args: string;
  line: number;
}
interface Stage {
  base: string;
  name: string | undefined;
  body: Instruction[];
}

/** Instructions (comments dropped, `\` continuations joined) grouped by FROM. */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i]!.trim();
    const start = i + 1;
    if (l === '' || l.startsWith('#')) continue;
    while (l.endsWith('\\') && i + 1 < lines.length) {
      l = l.slice(0, -1).trimEnd() + ' ' + lines[++i]!.trim();
    }
    const m = /^(\S+)\s*(.*)$/.exec(l)!;
    const ins = { cmd: m[1]!.toUpperCase(), args: m[2]!, line: start };
    if (ins.cmd === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      assert.ok(f, `line ${start}: FROM <image> [AS <name>]`);
      stages.push({ base: f[1]!, name: f[2], body: [] });
    } else {
      assert.ok(stages.length, `line ${start}: ${ins.cmd} before any FROM`);
      stages[stages.length - 1]!.body.push(ins);
    }
  }
  return stages;
}

const text = fs.readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(text);
const final = stages[stages.length - 1]!;
const all = (s: Stage, cmd: string) => s.body.filter((i) => i.cmd === cmd);
const json = (args: string): string[] => JSON.parse(args) as string[];

test('parser: continuations, comments, stages', () => {
  const s = parseDockerfile('# c\nFROM a AS b\nRUN x \\\n  && y\nFROM c\nUSER n\n');
  assert.deepEqual(s.map((x) => [x.base, x.name, x.body.map((i) => `${i.cmd} ${i.args}`)]), [
    ['a', 'b', ['RUN x && y']],
    ['c', undefined, ['USER n']],
  ]);
});

test('multi-stage, slim Node 20 runtime, non-root user', () => {
  assert.ok(stages.length >= 2, 'a build stage and a runtime stage');
  assert.match(final.base, /^node:20(\.[\d.]+)?-(slim|bookworm-slim)$/, `runtime base ${final.base}`);
  const users = all(final, 'USER');
  assert.ok(users.length, 'the runtime stage sets USER');
  assert.ok(!['root', '0', '0:0'].includes(users[users.length - 1]!.args.trim()), 'the last USER is not root');
  assert.ok(!all(final, 'RUN').some((r) => /npm (ci|install)(?!.*--omit=dev)/.test(r.args)), 'the runtime installs production dependencies only');
});

test('every COPY --from names an earlier stage; every copied path exists in the repository', () => {
  const names = new Set<string>();
  for (const s of stages) {
    for (const c of all(s, 'COPY')) {
      const from = /--from=(\S+)/.exec(c.args);
      const parts = c.args.replace(/--\S+/g, '').trim().split(/\s+/);
      parts.pop(); // destination
      if (from) {
        assert.ok(names.has(from[1]!), `line ${c.line}: COPY --from=${from[1]} names no earlier stage`);
        continue;
      }
      for (const src of parts) assert.ok(fs.existsSync(path.join(REPO_ROOT, src)), `line ${c.line}: ${src} does not exist`);
    }
    if (s.name) names.add(s.name);
  }
  const ignore = fs.readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
  for (const p of ['node_modules', 'dist']) assert.ok(ignore.includes(p), `.dockerignore keeps ${p} out of the build context`);
});

test('HEALTHCHECK asks health_check, the ports are the config\'s, and the config it runs validates', async (t) => {
  const hc = all(final, 'HEALTHCHECK');
  assert.equal(hc.length, 1);
  assert.match(hc[0]!.args, /127\.0\.0\.1:13133/);
  const entry = json(all(final, 'ENTRYPOINT')[0]!.args);
  const cmd = json(all(final, 'CMD')[0]!.args);
  assert.deepEqual(entry.slice(0, 1), ['node']);
  assert.ok(fs.existsSync(path.join(REPO_ROOT, entry[1]!.replace(/^\/app\//, ''))), `entrypoint ${entry[1]} is in the repository`);
  const cfgPath = cmd[cmd.indexOf('--config') + 1]!;
  const copy = all(final, 'COPY').find((c) => c.args.trim().endsWith(` ${cfgPath}`));
  assert.ok(copy, `the runtime stage COPYs the config it runs (${cfgPath})`);
  const repoCfg = copy.args.trim().split(/\s+/)[0]!;
  const r = await runCli(t, ['validate', '--config', path.join(REPO_ROOT, repoCfg)]);
  assert.equal(r.code, 0, r.stderr);
  // Ports: the image exposes what the config listens on by default.
  const exposed = new Set(all(final, 'EXPOSE').flatMap((e) => e.args.split(/\s+/)).map(Number));
  const raw = fs.readFileSync(path.join(REPO_ROOT, repoCfg), 'utf8').replace(/\$\{env:[A-Z_]+:-([^}]*)\}/g, '$1');
  const cfg = parseYaml(raw) as {
    receivers: { otlp: { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } } };
    extensions: { health_check: { endpoint: string } };
    service: { telemetry: { metrics: { readers: Array<{ pull: { exporter: { prometheus: { port: number } } } }> } } };
  };
  const port = (ep: string) => Number(ep.split(':').pop());
  const wanted = [
    port(cfg.receivers.otlp.protocols.grpc.endpoint),
    port(cfg.receivers.otlp.protocols.http.endpoint),
    port(cfg.extensions.health_check.endpoint),
    Number(cfg.service.telemetry.metrics.readers[0]!.pull.exporter.prometheus.port),
  ];
  for (const p of wanted) assert.ok(exposed.has(p), `EXPOSE ${p}`);
});
