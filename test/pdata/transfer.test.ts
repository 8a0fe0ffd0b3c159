// toTransfer -> real worker_threads Worker -> fromTransfer: same data, same memory.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { TraceBatch } from '../../src/pdata/traces';
import { oracleEncodeTraces } from '../oracle/otlp-oracle';
import { mulberry32, randomRequest, batchToCanonical, normalize } from './random-traces';

// The worker runs compiled JS next to this file (whatever dist folder the tests were built into).
const WORKER_SRC = `
const { parentPort } = require('node:worker_threads');
const { TraceBatch } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'pdata', 'traces.js'))});
const { batchToCanonical, normalize } = require(${JSON.stringify(path.join(__dirname, 'random-traces.js'))});
const serialize = (v) => JSON.stringify(v, (k, x) => (typeof x === 'number' && !Number.isFinite(x)) || Object.is(x, -0) ? 'num:' + String(Object.is(x, -0) ? '-0' : x) : x);
let batch;
parentPort.on('message', (m) => {
  if (m.op === 'read') {
    batch = TraceBatch.fromTransfer(m.transfer);
    parentPort.postMessage({ canonical: serialize(normalize(batchToCanonical(batch))), encoded: Buffer.from(batch.encode()).toString('hex') });
  } else if (m.op === 'write') {
    // modify in place through the API (no buffer growth): visible to the main thread's views
    batch.setStatus(0, 2, '');
    new Uint8Array(m.transfer.buffers[0])[m.transfer.meta[1]] = 0x5a; // and one raw byte in the free part of the arena
    parentPort.postMessage({ transfer: batch.toTransfer() }); // hand the batch back
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

test('toTransfer -> worker -> fromTransfer reads identical data in the same shared memory', async () => {
  const bytes = oracleEncodeTraces(randomRequest(mulberry32(11), { maxResources: 3, maxScopes: 2, maxSpans: 8 }));
  const b = TraceBatch.decode(bytes);
  assert.ok(b.spanCount > 0);
  b.spanAttributes(0).set('main.thread', { stringValue: 'yes' }); // parsed + modified state travels too
  // A transfer is a hand-off: this thread is done with the batch when it calls toTransfer() (lazy parsing
  // after that would write rows the receiver cannot see).
  const want = serialize(normalize(batchToCanonical(b)));
  const wantBytes = Buffer.from(b.encode()).toString('hex');
  const statusBefore = b.statusCode(0);
  const t = b.toTransfer();
  assert.equal(t.kind, 'traces');
  for (const buf of t.buffers) assert.ok(buf instanceof SharedArrayBuffer);
  assert.ok(t.meta.every((x) => typeof x === 'number'));
  const arenaView = new Uint8Array(t.buffers[0]);
  const spanView = new Int32Array(t.buffers[3]);

  const w = new Worker(WORKER_SRC, { eval: true });
  try {
    const r = await ask(w, { op: 'read', transfer: t });
    assert.equal(r.canonical, want, 'the worker reads the same data');
    assert.equal(r.encoded, wantBytes, 'the worker encodes the same bytes');

    const spanRowBefore = Array.from(spanView.subarray(0, 40));
    const back = await ask(w, { op: 'write', transfer: t });
    // Same memory: views created here before the hand-off see the worker's writes.
    assert.equal(arenaView[t.meta[1]], 0x5a, 'arena byte written by the worker is visible here');
    assert.notDeepEqual(Array.from(spanView.subarray(0, 40)), spanRowBefore, 'span row written by the worker is visible here');
    const b2 = TraceBatch.fromTransfer(back.transfer);
    assert.equal(b2.statusCode(0), 2);
    assert.notEqual(statusBefore, 2, 'precondition: the worker really changed the status');
    const round = TraceBatch.decode(b2.encode());
    assert.equal(round.statusCode(0), 2, 'the worker\'s edit is encoded');
    assert.equal(round.spanAttributes(0).getString('main.thread'), 'yes', 'the main thread\'s edit survived the trip');
  } finally {
    await w.terminate();
  }
});

test('fromTransfer rejects something that is not a transfer of this layout', () => {
  assert.throws(() => TraceBatch.fromTransfer({ kind: 'traces', buffers: [], meta: [] }), TypeError);
});
