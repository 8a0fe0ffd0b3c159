// service.worker_sharding: round_robin hands whole batches to the workers in turn (no split, no copy on the
// acceptor) — the forwarding gateway's choice; trace_id (the default) keeps a trace's spans in one worker, and a
// config that combines round_robin with tail_sampling is refused at load with the YAML path.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parse } from 'yaml';
import { factories } from '../../src/components';
import { validateConfig, validateConfigOrThrow } from '../../src/config/config';
import { Registry } from '../../src/service/registry';
import { Service } from '../../src/service/service';
import { copyStats } from '../../src/pdata';
import { TraceBatch } from '../../src/pdata/traces';
import { realisticRequest } from '../../bench/fixtures/realistic';

const yaml = (sharding: string, processors = '[]') => `
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:0
processors:
  tail_sampling:
    policies: [{ name: all, type: always_sample }]
exporters:
  debug:
    verbosity: basic
service:
  workers: 2
  worker_sharding: ${sharding}
  telemetry:
    logs: { level: warn }
    metrics: { level: none }
  pipelines:
    traces:
      receivers: [otlp]
      processors: ${processors}
      exporters: [debug]
`;

test('worker_sharding: round_robin forwards multi-trace batches whole, in turn, without a copy on the acceptor', async () => {
  const config = validateConfigOrThrow(parse(yaml('round_robin')), new Registry(factories));
  assert.equal(config.service.workers.sharding, 'round_robin');
  const service = new Service({ config, mode: 'pool' });
  await service.start();
  try {
    const before = await Promise.all([0, 1].map((k) => service.pool!.stats(k)));
    const main0 = copyStats.arenaBytes + copyStats.tableBytes;
    let spans = 0;
    for (let seed = 1; seed <= 4; seed++) {
      const req = realisticRequest({ spans: 256, seed });
      assert.ok(req.traceCount > 1, 'the request holds several traces');
      const batch = TraceBatch.decode(req.bytes);
      const afterDecode = copyStats.arenaBytes + copyStats.tableBytes;
      await service.pool!.dispatch('otlp', 'traces', batch);
      assert.equal(copyStats.arenaBytes + copyStats.tableBytes, afterDecode, 'no split: nothing copied on the acceptor after decode');
      spans += req.spanCount;
    }
    assert.ok(copyStats.arenaBytes > main0, 'decode copied the requests (the baseline moved)');
    const after = await Promise.all([0, 1].map((k) => service.pool!.stats(k)));
    for (let k = 0; k < 2; k++) assert.equal(after[k]!.arenaBytes, before[k]!.arenaBytes, `worker ${k} copied nothing`);
    assert.ok(spans > 0);
  } finally {
    await service.shutdown();
  }
});

test('worker_sharding: round_robin with tail_sampling is refused at load; bad values name the key', () => {
  const r = validateConfig(parse(yaml('round_robin', '[tail_sampling]')), new Registry(factories));
  assert.deepEqual(r.issues.map((i) => i.path), ['service.worker_sharding']);
  assert.match(r.issues[0]!.message, /tail sampling needs every span of a trace in one worker/);
  const bad = validateConfig(parse(yaml('random')), new Registry(factories));
  assert.deepEqual(bad.issues.map((i) => `${i.path}: ${i.message}`), ['service.worker_sharding: expected trace_id or round_robin, got "random"']);
  const ok = validateConfig(parse(yaml('trace_id', '[tail_sampling]')), new Registry(factories));
  assert.deepEqual(ok.issues, []);
});

test('otelcol_process_runtime_heap_alloc_bytes counts every thread: the workers add their heaps', async () => {
  const raw = parse(yaml('trace_id')) as { service: { telemetry: Record<string, unknown> } };
  raw.service.telemetry = { logs: { level: 'warn' }, metrics: { readers: [{ pull: { exporter: { prometheus: { host: '127.0.0.1', port: 0 } } } }] } };
  const service = new Service({ config: validateConfigOrThrow(raw, new Registry(factories)), mode: 'pool' });
  await service.start();
  try {
    await service.metrics.refresh();
    const total = service.metrics.value('otelcol_process_runtime_heap_alloc_bytes');
    const mainOnly = require('node:v8').getHeapStatistics().used_heap_size as number;
    // Two worker isolates hold at least a few MB of heap each (the compiled components).
    assert.ok(total > mainOnly + 2 * 1024 * 1024, `summed heap ${total} > main thread heap ${mainOnly} + the workers'`);
    // Every thread reports its event loop; the pool reports each worker's queue depth.
    const text = service.metrics.renderPrometheus();
    for (const thread of ['main', 'worker-0', 'worker-1']) {
      assert.match(text, new RegExp(`otelcol_thread_event_loop_utilization\\{[^}]*thread="${thread}"`), `utilization of ${thread}`);
      assert.match(text, new RegExp(`otelcol_thread_event_loop_delay_seconds\\{[^}]*stat="p99"[^}]*thread="${thread}"`), `delay of ${thread}`);
    }
    for (const w of ['0', '1']) assert.match(text, new RegExp(`otelcol_worker_inflight_batches\\{[^}]*worker="${w}"[^}]*\\} 0`), `queue depth of worker ${w}`);
  } finally {
    await service.shutdown();
  }
});
