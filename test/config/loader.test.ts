import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadRawConfig } from '../../src/config/loader';
import { deepMerge, unflattenKeys } from '../../src/config/merge';

function tmp(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otelcol-ts-loader-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('merge: maps merged, lists and scalars replaced, null replaces', () => {
  const a = { processors: { batch: { timeout: '1s', send_batch_size: 10 } }, list: [1, 2, 3], keep: 'a', gone: { x: 1 } };
  const b = { processors: { batch: { timeout: '2s' }, attributes: {} }, list: [9], gone: null };
  assert.deepEqual(deepMerge(a, b), {
    processors: { batch: { timeout: '2s', send_batch_size: 10 }, attributes: {} },
    list: [9],
    keep: 'a',
    gone: null,
  });
  assert.deepEqual(a.processors.batch, { timeout: '1s', send_batch_size: 10 }, 'inputs are not modified');
});

test('merge: `::` keys become nested maps', () => {
  assert.deepEqual(unflattenKeys({ 'processors::batch::timeout': '2s', processors: { batch: { x: 1 } } }), {
    processors: { batch: { timeout: '2s', x: 1 } },
  });
});

test('loader: two --config files are deep-merged in order (lists replaced)', (t) => {
  const dir = tmp(t);
  const a = path.join(dir, 'a.yaml');
  const b = path.join(dir, 'b.yaml');
  fs.writeFileSync(a, 'processors:\n  batch:\n    timeout: 1s\n    send_batch_size: 100\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      processors: [batch, attributes]\n');
  fs.writeFileSync(b, 'processors:\n  batch:\n    timeout: 5s\nservice:\n  pipelines:\n    traces:\n      processors: [batch]\n');
  const r = loadRawConfig([a, 'file:' + b], [], { env: {} });
  assert.deepEqual(r.issues, []);
  assert.deepEqual(r.raw, {
    processors: { batch: { timeout: '5s', send_batch_size: 100 } },
    service: { pipelines: { traces: { receivers: ['otlp'], processors: ['batch'] } } },
  });
});

test('loader: --set overrides come last, with `.` or `::` separators and YAML-typed values', (t) => {
  const dir = tmp(t);
  const a = path.join(dir, 'a.yaml');
  fs.writeFileSync(a, 'processors:\n  batch:\n    timeout: 1s\n    send_batch_size: 100\n');
  const r = loadRawConfig([a], ['processors.batch.timeout=2s', 'processors::batch::send_batch_size = 200', 'exporters.debug.verbosity=detailed', 'x.list=[a, b]'], { env: {} });
  assert.deepEqual(r.issues, []);
  assert.deepEqual(r.raw, {
    processors: { batch: { timeout: '2s', send_batch_size: 200 } },
    exporters: { debug: { verbosity: 'detailed' } },
    x: { list: ['a', 'b'] },
  });
  const bad = loadRawConfig([a], ['processors.batch.timeout'], { env: {} });
  assert.equal(bad.issues.length, 1);
  assert.match(bad.issues[0]!.message, /missing equal sign/);
});

test('loader: env: and yaml: sources; variables are expanded after merging', () => {
  const r = loadRawConfig(
    ['env:CFG', 'yaml:processors::batch::timeout: 2s'],
    ['exporters.otlp.endpoint=${env:BACKEND}'],
    { env: { CFG: 'receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: ${env:HOST}:4317\n', HOST: '0.0.0.0', BACKEND: 'backend:4317' } },
  );
  assert.deepEqual(r.issues, []);
  assert.deepEqual(r.raw, {
    receivers: { otlp: { protocols: { grpc: { endpoint: '0.0.0.0:4317' } } } },
    processors: { batch: { timeout: '2s' } },
    exporters: { otlp: { endpoint: 'backend:4317' } },
  });
});

test('loader: unreadable sources and YAML errors are reported with the source and line', (t) => {
  const dir = tmp(t);
  const broken = path.join(dir, 'broken.yaml');
  fs.writeFileSync(broken, 'receivers:\n  otlp:\n    protocols: [grpc\n');
  const dup = path.join(dir, 'dup.yaml');
  fs.writeFileSync(dup, 'receivers:\n  otlp: {}\n  otlp: {}\n');
  const r = loadRawConfig([path.join(dir, 'missing.yaml'), broken, dup, 'env:NOT_SET', 'ftp:x', 'yaml:- 1'], [], { env: {} });
  const msgs = r.issues.map((i) => i.message);
  assert.equal(msgs.length, 6, msgs.join('\n'));
  assert.match(msgs[0]!, /unable to read the file .*missing\.yaml: no such file or directory/);
  assert.match(msgs[1]!, /broken\.yaml \(line \d+, column \d+\)/);
  assert.match(msgs[2]!, /dup\.yaml .*unique/i);
  assert.match(msgs[3]!, /environment variable "NOT_SET" is not set/);
  assert.match(msgs[4]!, /scheme "ftp" is not supported/);
  assert.match(msgs[5]!, /expected a map at the top level/);
});

test('loader: an empty file is an empty config, and YAML merge keys and flow lists with trailing commas work', (t) => {
  const dir = tmp(t);
  const empty = path.join(dir, 'empty.yaml');
  fs.writeFileSync(empty, '# nothing here\n');
  const anchors = path.join(dir, 'anchors.yaml');
  fs.writeFileSync(anchors, 'x: &base { a: 1, b: 2 }\ny:\n  <<: *base\n  b: 3\nz: [a, b, ]\n');
  const r = loadRawConfig([empty, anchors], [], { env: {} });
  assert.deepEqual(r.issues, []);
  assert.deepEqual(r.raw, { x: { a: 1, b: 2 }, y: { a: 1, b: 3 }, z: ['a', 'b'] });
});
