// concatLazy (what the batch processor emits): a concatenation that is not copied until something reads its
// tables. What a user sees must not change: the exporter sends exactly the bytes an eager concat encodes (checked
// against the protobufjs oracle), counts and sizes are right without copying, and anything that reads the batch
// (names, attributes, edits, slicing, JSON) sees the same data as with an eager concat — for all three signals.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TraceBatch } from '../../src/pdata/traces';
import { LogBatch } from '../../src/pdata/logs';
import { MetricBatch } from '../../src/pdata/metrics';
import { concatBatchesLazy } from '../../src/pdata/batch';
import { sizeClass } from '../../src/pdata/buffer-pool';
import { copyStats } from '../../src/pdata/layout';
import { mulberry32, randomRequest } from './random-traces';
import { randomLogsRequest } from './random-logs';
import { randomMetricsRequest } from './random-metrics';
import { oracleDecodeTraces, oracleEncodeLogs, oracleEncodeMetrics, oracleEncodeTraces } from '../oracle/otlp-oracle';

function traceRequests(seed: number, n: number): Uint8Array[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => oracleEncodeTraces(randomRequest(rng)));
}

test('concatLazy (traces): encodes to the same bytes as concat, counts without copying, nested concatenations flatten', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const reqs = traceRequests(seed, 1 + (seed % 5));
    const eager = TraceBatch.concat(reqs.map((b) => TraceBatch.decode(b)));
    const parts = reqs.map((b) => TraceBatch.decode(b));
    const before = copyStats.arenaBytes;
    const lazy = TraceBatch.concatLazy(reqs.map((b) => TraceBatch.decode(b)));
    assert.equal(lazy.spanCount, eager.spanCount, `seed ${seed}: span count`);
    assert.equal(lazy.itemCount, eager.itemCount);
    assert.equal(lazy.byteSize, parts.reduce((n, p) => n + p.byteSize, 0), 'bytes held are the parts\' bytes');
    const bytes = lazy.encode();
    assert.equal(copyStats.arenaBytes - before, reqs.reduce((n, b) => n + b.length, 0), 'decode copies each request once; counting and encoding the concatenation copy no arena bytes');
    assert.deepEqual(Buffer.from(bytes), Buffer.from(eager.encode()), `seed ${seed}: same wire bytes as the eager concat`);
    assert.deepEqual(Buffer.from(bytes), Buffer.concat(reqs), 'an untouched concatenation is its requests, back to back');
    // A concatenation of concatenations is one flat list of parts.
    const half = Math.ceil(reqs.length / 2);
    const nested = TraceBatch.concatLazy([
      TraceBatch.concatLazy(reqs.slice(0, half).map((b) => TraceBatch.decode(b))),
      TraceBatch.concatLazy(reqs.slice(half).map((b) => TraceBatch.decode(b))),
    ]);
    assert.deepEqual(Buffer.from(nested.encode()), Buffer.concat(reqs));
  }
});

test('concatLazy (traces): reading, editing, slicing and JSON see what an eager concat sees', () => {
  const reqs = traceRequests(77, 4);
  const eager = TraceBatch.concat(reqs.map((b) => TraceBatch.decode(b)));
  const lazy = TraceBatch.concatLazy(reqs.map((b) => TraceBatch.decode(b)));
  assert.equal(lazy.toJSON(), eager.toJSON(), 'JSON (reads every table)');
  for (let i = 0; i < eager.spanCount; i++) {
    assert.equal(lazy.name(i), eager.name(i));
    assert.equal(lazy.traceIdHex(i), eager.traceIdHex(i));
  }
  assert.equal(lazy.resourceCount, eager.resourceCount);
  // Edits after materializing are encoded like edits of an eager concat.
  const edited = TraceBatch.concatLazy(reqs.map((b) => TraceBatch.decode(b)));
  if (edited.spanCount > 0) {
    edited.spanAttributes(0).set('lazy.edit', { stringValue: 'yes' });
    eager.spanAttributes(0).set('lazy.edit', { stringValue: 'yes' });
  }
  assert.deepEqual(oracleDecodeTraces(edited.encode()), oracleDecodeTraces(eager.encode()));
  const sl = TraceBatch.concatLazy(reqs.map((b) => TraceBatch.decode(b))).slice(1, 3);
  assert.deepEqual(Buffer.from(sl.encode()), Buffer.from(TraceBatch.concat(reqs.map((b) => TraceBatch.decode(b))).slice(1, 3).encode()));
});

test('concatLazy (traces): a part modified before the concatenation is encoded with its modification', () => {
  const reqs = traceRequests(5, 3);
  const parts = reqs.map((b) => TraceBatch.decode(b));
  const eagerParts = reqs.map((b) => TraceBatch.decode(b));
  for (const p of [parts[1]!, eagerParts[1]!]) if (p.spanCount > 0) p.spanAttributes(0).set('k', { stringValue: 'v' });
  const lazy = TraceBatch.concatLazy(parts);
  assert.deepEqual(oracleDecodeTraces(lazy.encode()), oracleDecodeTraces(TraceBatch.concat(eagerParts).encode()));
  assert.deepEqual(Buffer.from(lazy.encodeView()), Buffer.from(lazy.encode()), 'encodeView of a lazy concatenation');
});

test('concatLazy: logs and metrics encode like concat and count without copying; one batch is returned as is', () => {
  const rng = mulberry32(11);
  for (let k = 0; k < 10; k++) {
    const logReqs = Array.from({ length: 3 }, () => oracleEncodeLogs(randomLogsRequest(rng)));
    const lazyLogs = concatBatchesLazy(logReqs.map((b) => LogBatch.decode(b)));
    const eagerLogs = LogBatch.concat(logReqs.map((b) => LogBatch.decode(b)));
    assert.equal(lazyLogs.logRecordCount, eagerLogs.logRecordCount);
    assert.deepEqual(Buffer.from(lazyLogs.encode()), Buffer.from(eagerLogs.encode()));
    assert.equal(lazyLogs.toJSON(), eagerLogs.toJSON());

    const metricReqs = Array.from({ length: 3 }, () => oracleEncodeMetrics(randomMetricsRequest(rng)));
    const lazyMetrics = concatBatchesLazy(metricReqs.map((b) => MetricBatch.decode(b)));
    const eagerMetrics = MetricBatch.concat(metricReqs.map((b) => MetricBatch.decode(b)));
    assert.equal(lazyMetrics.dataPointCount, eagerMetrics.dataPointCount);
    assert.deepEqual(Buffer.from(lazyMetrics.encode()), Buffer.from(eagerMetrics.encode()));
    assert.equal(lazyMetrics.metricCount, eagerMetrics.metricCount);
    assert.equal(lazyMetrics.toJSON(), eagerMetrics.toJSON());
  }
  const one = TraceBatch.decode(traceRequests(3, 1)[0]!);
  assert.equal(TraceBatch.concatLazy([one]), one);
  assert.equal(TraceBatch.concatLazy([]).spanCount, 0);
});

test('encodeLeased: the bytes encode() gives, in a pooled buffer reused once released (never while held)', () => {
  const reqs = traceRequests(21, 3);
  const expect = Buffer.concat(reqs);
  const a = TraceBatch.concatLazy(reqs.map((b) => TraceBatch.decode(b))).encodeLeased();
  const b = TraceBatch.concatLazy(reqs.map((b) => TraceBatch.decode(b))).encodeLeased();
  assert.deepEqual(a.bytes, expect);
  assert.deepEqual(b.bytes, expect);
  assert.notEqual(a.bytes.buffer, b.bytes.buffer, 'two held leases never share a buffer');
  const buf = a.bytes.buffer;
  a.release();
  a.release(); // twice: no effect
  const c = TraceBatch.concatLazy(reqs.map((b) => TraceBatch.decode(b))).encodeLeased();
  assert.equal(c.bytes.buffer, buf, 'the released buffer is reused');
  assert.deepEqual(c.bytes, expect);
  assert.deepEqual(b.bytes, expect, 'the held lease is intact');
  // A single untouched batch, and a modified one (encoded as encode() does).
  const one = TraceBatch.decode(reqs[0]!);
  assert.deepEqual(one.encodeLeased().bytes, Buffer.from(reqs[0]!));
  const mod = TraceBatch.decode(reqs[1]!);
  if (mod.spanCount > 0) mod.spanAttributes(0).set('m', { stringValue: 'x' });
  assert.deepEqual(mod.encodeLeased().bytes, Buffer.from(mod.encode()));
  b.release();
  c.release();
});

test('sizeClass: at least the size asked, at most 1/8 more (above the minimum), stable for its own sizes', () => {
  for (let n = 1; n < 1 << 22; n = Math.ceil(n * 1.37) + 1) {
    const c = sizeClass(n, 4096);
    assert.ok(c >= n, `${n} -> ${c}`);
    if (n > 4096) assert.ok(c <= n * 1.125 + 1, `${n} -> ${c}: at most 1/8 unused`);
    assert.equal(sizeClass(c, 4096), c, 'a class is its own class');
  }
});

test('encodeViews: pieces that join to encode() (a lazy concatenation: one per part, views of the parts)', () => {
  const reqs = traceRequests(31, 3);
  const lazy = TraceBatch.concatLazy(reqs.map((b) => TraceBatch.decode(b)));
  const views = lazy.encodeViews();
  assert.equal(views.length, 3);
  assert.deepEqual(Buffer.concat(views), Buffer.from(lazy.encode()));
  const mod = TraceBatch.decode(reqs[0]!);
  if (mod.spanCount > 0) mod.spanAttributes(0).set('m', { stringValue: 'y' });
  const mixed = TraceBatch.concatLazy([mod, TraceBatch.decode(reqs[1]!)]);
  assert.deepEqual(Buffer.concat(mixed.encodeViews()), Buffer.from(TraceBatch.concat([mod, TraceBatch.decode(reqs[1]!)]).encode()));
  assert.deepEqual(Buffer.concat(TraceBatch.decode(reqs[2]!).encodeViews()), Buffer.from(reqs[2]!));
});
