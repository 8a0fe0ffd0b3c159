// MetricBatch: toTransfer -> real worker_threads Worker -> fromTransfer: same data, same memory.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { MetricBatch } from '../../src/pdata/metrics';
import { oracleEncodeMetrics } from '../oracle/otlp-oracle';
import { mulberry32, randomMetricsRequest, metricBatchToCanonical, normalizeMetrics } from './random-metrics';

// The worker runs compiled JS next to this file (whatever dist folder the tests were built into).
const WORKER_SRC = `
const { parentPort } = require('node:worker_threads');
const { MetricBatch } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'pdata', 'metrics.js'))});
const { metricBatchToCanonical, normalizeMetrics } = require(${JSON.stringify(path.join(__dirname, 'random-metrics.js'))});
const serialize = (v) => JSON.stringify(v, (k, x) => (typeof x === 'number' && !Number.isFinite(x)) || Object.is(x, -0) ? 'num:' + String(Object.is(x, -0) ? '-0' : x) : x);
let batch;
parentPort.on('message', (m) => {
  if (m.op === 'read') {
    batch = MetricBatch.fromTransfer(m.transfer);
    parentPort.postMessage({ canonical: serialize(normalizeMetrics(metricBatchToCanonical(batch))), encoded: Buffer.from(batch.encode()).toString('hex') });
  } else if (m.op === 'write') {
    // modify in place through the API (the name fits in the arena's free room: no buffer growth)
    batch.setMetricName(0, 'renamed');
    new Uint8Array(m.transfer.buffers[0])[m.transfer.meta[1] + 16] = 0x5a; // one raw byte in the free part of the arena
    parentPort.postMessage({ transfer: batch.toTransfer() });
  }
});
`;

const serialize = (v: unknown): string =>
  JSON.stringify(v, (_k, x) => ((typeof x === 'number' && !Number.isFinite(x)) || Object.is(x, -0) ? 'num:' + String(Object.is(x, -0) ? '-0' : x) : x));

function ask(w: Worker, msg: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('worker timeout')), 10_000);
    w.once('message', (m) => {
      clearTimeout(timer);
      resolve(m);
    });
    w.once('error', reject);
    w.postMessage(msg);
  });
}

test('MetricBatch toTransfer -> worker -> fromTransfer reads identical data in the same shared memory', async () => {
  let seed = 11;
  const opts = { maxResources: 3, maxScopes: 2, maxMetrics: 4, maxPoints: 4 };
  while (MetricBatch.decode(oracleEncodeMetrics(randomMetricsRequest(mulberry32(seed), opts))).dataPointCount < 3) seed++;
  const b = MetricBatch.decode(oracleEncodeMetrics(randomMetricsRequest(mulberry32(seed), opts)));
  b.pointAttributes(0).set('main.thread', { stringValue: 'yes' }); // parsed + modified state travels too
  b.parseAll(); // everything parsed: the worker only reads rows
  const want = serialize(normalizeMetrics(metricBatchToCanonical(b)));
  const wantBytes = Buffer.from(b.encode()).toString('hex');
  const nameBefore = b.metricName(0);
  const t = b.toTransfer();
  assert.equal(t.kind, 'metrics');
  assert.equal(t.buffers.length, 7);
  for (const buf of t.buffers) assert.ok(buf instanceof SharedArrayBuffer);
  assert.ok(t.meta.every((x) => typeof x === 'number'));
  const arenaView = new Uint8Array(t.buffers[0]);
  const metricView = new Int32Array(t.buffers[3]);

  const w = new Worker(WORKER_SRC, { eval: true });
  try {
    const r = await ask(w, { op: 'read', transfer: t });
    assert.equal(r.canonical, want, 'the worker reads the same data');
    assert.equal(r.encoded, wantBytes, 'the worker encodes the same bytes');

    const rowBefore = Array.from(metricView.subarray(0, 22));
    assert.ok(t.meta[1] + 64 <= arenaView.length, 'precondition: room in the arena');
    const back = await ask(w, { op: 'write', transfer: t });
    assert.equal(arenaView[t.meta[1] + 16], 0x5a, 'arena byte written by the worker is visible here');
    assert.notDeepEqual(Array.from(metricView.subarray(0, 22)), rowBefore, 'metric row written by the worker is visible here');
    const b2 = MetricBatch.fromTransfer(back.transfer);
    assert.equal(b2.metricName(0), 'renamed');
    assert.notEqual(nameBefore, 'renamed');
    const round = MetricBatch.decode(b2.encode());
    assert.equal(round.metricName(0), 'renamed', "the worker's edit is encoded");
    assert.equal(round.pointAttributes(0).getString('main.thread'), 'yes', "the main thread's edit survived the trip");
    assert.equal(round.dataPointCount, b.dataPointCount);
  } finally {
    await w.terminate();
  }
});

test('MetricBatch.fromTransfer rejects something that is not a transfer of this layout', () => {
  assert.throws(() => MetricBatch.fromTransfer({ kind: 'metrics', buffers: [], meta: [] }), TypeError);
  const t = MetricBatch.empty().toTransfer();
  assert.throws(() => MetricBatch.fromTransfer({ ...t, kind: 'traces' } as unknown as typeof t), TypeError);
  assert.equal(MetricBatch.fromTransfer(t).dataPointCount, 0);
});
