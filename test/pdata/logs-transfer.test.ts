// LogBatch toTransfer -> real worker_threads Worker -> fromTransfer: same data, same memory.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { LogBatch } from '../../src/pdata/logs';
import { oracleEncodeLogs } from '../oracle/otlp-oracle';
import { mulberry32, randomLogsRequest, logBatchToCanonical, normalize } from './random-logs';

// The worker runs compiled JS next to this file (whatever dist folder the tests were built into).
const WORKER_SRC = `
const { parentPort } = require('node:worker_threads');
const { LogBatch } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'pdata', 'logs.js'))});
const { logBatchToCanonical, normalize } = require(${JSON.stringify(path.join(__dirname, 'random-logs.js'))});
const serialize = (v) => JSON.stringify(v, (k, x) => (typeof x === 'number' && !Number.isFinite(x)) || Object.is(x, -0) ? 'num:' + String(Object.is(x, -0) ? '-0' : x) : x);
let batch;
parentPort.on('message', (m) => {
  if (m.op === 'read') {
    batch = LogBatch.fromTransfer(m.transfer);
    parentPort.postMessage({ canonical: serialize(normalize(logBatchToCanonical(batch))), encoded: Buffer.from(batch.encode()).toString('hex') });
  } else if (m.op === 'write') {
    // modify in place through the API without growing any buffer: visible to the main thread's views
    batch.setSeverity(0, 17, '');
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

test('LogBatch toTransfer -> worker -> fromTransfer reads identical data in the same shared memory', async () => {
  let seed = 11;
  let bytes = oracleEncodeLogs(randomLogsRequest(mulberry32(seed), { maxResources: 3, maxScopes: 2, maxRecords: 8 }));
  while (LogBatch.decode(bytes).logRecordCount === 0) bytes = oracleEncodeLogs(randomLogsRequest(mulberry32(++seed), { maxResources: 3, maxScopes: 2, maxRecords: 8 }));
  const b = LogBatch.decode(bytes);
  b.logAttributes(0).set('main.thread', { stringValue: 'yes' }); // parsed + modified state travels too
  b.setBody(0, { stringValue: 'body from the main thread' });
  const want = serialize(normalize(logBatchToCanonical(b)));
  const wantBytes = Buffer.from(b.encode()).toString('hex');
  const sevBefore = b.severityNumber(0);
  const t = b.toTransfer();
  assert.equal(t.kind, 'logs');
  assert.equal(t.buffers.length, 5);
  for (const buf of t.buffers) assert.ok(buf instanceof SharedArrayBuffer);
  assert.ok(t.meta.every((x) => typeof x === 'number'));
  const arenaView = new Uint8Array(t.buffers[0]);
  const logView = new Int32Array(t.buffers[3]);

  const w = new Worker(WORKER_SRC, { eval: true });
  try {
    const r = await ask(w, { op: 'read', transfer: t });
    assert.equal(r.canonical, want, 'the worker reads the same data');
    assert.equal(r.encoded, wantBytes, 'the worker encodes the same bytes');

    const rowBefore = Array.from(logView.subarray(0, 26));
    const back = await ask(w, { op: 'write', transfer: t });
    // Same memory: views created here before the hand-off see the worker's writes.
    assert.equal(arenaView[t.meta[1]], 0x5a, 'arena byte written by the worker is visible here');
    assert.notDeepEqual(Array.from(logView.subarray(0, 26)), rowBefore, 'record row written by the worker is visible here');
    const b2 = LogBatch.fromTransfer(back.transfer);
    assert.equal(b2.severityNumber(0), 17);
    assert.notEqual(sevBefore, 17, 'precondition: the worker really changed the severity');
    const round = LogBatch.decode(b2.encode());
    assert.equal(round.severityNumber(0), 17, "the worker's edit is encoded");
    assert.equal(round.logAttributes(0).getString('main.thread'), 'yes', "the main thread's edit survived the trip");
    assert.equal(round.bodyString(0), 'body from the main thread');
  } finally {
    await w.terminate();
  }
});

test('LogBatch.fromTransfer rejects something that is not a logs transfer of this layout', () => {
  assert.throws(() => LogBatch.fromTransfer({ kind: 'logs', buffers: [], meta: [] }), TypeError);
  const t = LogBatch.empty().toTransfer();
  assert.throws(() => LogBatch.fromTransfer({ ...t, kind: 'traces' } as never), TypeError);
  assert.equal(LogBatch.fromTransfer(t).logRecordCount, 0);
});
