// How the acceptor splits batches over N workers (src/workers/shard.ts): what must meet in one worker does
// (every span of a trace; every point of a resource's metric stream), nothing is lost or duplicated, order
// within a shard is arrival order, a batch that falls in one shard is handed over as is (no copy), and logs
// go round-robin.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TraceBatch } from '../../src/pdata/traces';
import { MetricBatch } from '../../src/pdata/metrics';
import { LogBatch } from '../../src/pdata/logs';
import { RoundRobin, shardBatch, shardLogs, shardMetrics, shardTraces, type ShardPart } from '../../src/workers/shard';
import { oracleEncodeLogs, oracleEncodeMetrics, oracleEncodeTraces } from '../oracle/otlp-oracle';
import { batchToCanonical, mulberry32, normalize, randomSharedTraceRequest, type Rng } from '../pdata/random-traces';
import { flattenMetrics, metricBatchToCanonical, normalizeMetrics, randomMetricsRequest } from '../pdata/random-metrics';
import { randomLogsRequest } from '../pdata/random-logs';

type Obj = Record<string, any>;

/** One record per span of a canonical trace request: its resource, scope and the span itself (JSON text). */
function flatSpans(b: TraceBatch): Array<{ key: string; traceId: string }> {
  const out: Array<{ key: string; traceId: string }> = [];
  const c = normalize(batchToCanonical(b)) as Obj;
  for (const rs of c.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        const key = JSON.stringify({ resource: rs.resource, rsSchema: rs.schemaUrl, scope: ss.scope, ssSchema: ss.schemaUrl, span });
        out.push({ key, traceId: span.traceId ?? '' });
      }
    }
  }
  return out;
}

/** A random trace request whose spans share a few trace ids (see randomSharedTraceRequest), decoded. */
function randomTraceBatch(rng: Rng, traceIds: number): TraceBatch {
  return TraceBatch.decode(randomSharedTraceRequest(rng, traceIds));
}

function sortedCounts(keys: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return new Map([...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function checkParts<B>(parts: ShardPart<B>[], n: number): void {
  const shards = parts.map((p) => p.shard);
  assert.ok(shards.every((k) => Number.isInteger(k) && k >= 0 && k < n), `shards ${shards} within [0, ${n})`);
  assert.equal(new Set(shards).size, shards.length, `one part per shard: ${shards}`);
}

test('shardTraces: every span in exactly one part, a trace in one shard, arrival order kept (n = 1..5)', () => {
  const rng = mulberry32(0x5a4d);
  let checked = 0;
  let multiShard = 0;
  for (let round = 0; round < 40; round++) {
    const batch = randomTraceBatch(rng, 1 + Math.floor(rng() * 12));
    const original = flatSpans(batch);
    for (let n = 1; n <= 5; n++) {
      const parts = shardTraces(batch, n);
      checkParts(parts, n);
      if (n === 1) assert.equal(parts[0]!.batch, batch, 'n = 1: the batch itself');
      if (parts.length === 1) {
        assert.equal(parts[0]!.batch, batch, 'a one-shard batch is handed over as the same object (no copy)');
        continue;
      }
      multiShard++;
      const flat = parts.map((p) => flatSpans(p.batch));
      // Nothing lost, nothing duplicated (spans compared with their resource and scope).
      assert.deepEqual(sortedCounts(flat.flat().map((s) => s.key)), sortedCounts(original.map((s) => s.key)), `round ${round} n ${n}: same spans`);
      assert.equal(parts.reduce((a, p) => a + p.batch.spanCount, 0), batch.spanCount);
      // A trace id (and the spans without one) lives in exactly one part.
      const owner = new Map<string, number>();
      flat.forEach((spans, k) => {
        for (const s of spans) {
          const prev = owner.get(s.traceId);
          assert.ok(prev === undefined || prev === k, `trace ${s.traceId || '(none)'} split over parts ${prev} and ${k}`);
          owner.set(s.traceId, k);
        }
      });
      // Within a part: the original order of its spans.
      flat.forEach((spans, k) => {
        const expected = original.filter((s) => owner.get(s.traceId) === k).map((s) => s.key);
        assert.deepEqual(spans.map((s) => s.key), expected, `round ${round} n ${n} part ${k}: arrival order`);
      });
      checked++;
    }
  }
  assert.ok(multiShard > 50, `enough split batches were checked (${multiShard})`);
  assert.ok(checked > 0);
});

test('shardTraces: many traces spread over every shard; one trace or no trace ids stay whole', () => {
  const spans: Obj[] = [];
  for (let k = 0; k < 200; k++) {
    const tid = Buffer.alloc(16);
    tid.writeUInt32BE(k * 2654435761 >>> 0, 0);
    tid.writeUInt32BE(k, 8);
    spans.push({ traceId: tid, spanId: Buffer.from([1, 2, 3, 4, 5, 6, 7, k]), name: `s${k}` });
  }
  const wide = { resourceSpans: [{ scopeSpans: [{ spans }] }] };
  const batch = TraceBatch.decode(oracleEncodeTraces(wide));
  for (let n = 2; n <= 5; n++) {
    const parts = shardTraces(batch, n);
    assert.deepEqual(parts.map((p) => p.shard), Array.from({ length: n }, (_, k) => k), `200 traces use all ${n} shards`);
    for (const p of parts) assert.ok(p.batch.spanCount >= 10, `shard ${p.shard} of ${n} got ${p.batch.spanCount} of 200 traces`);
  }
  // One trace: same object for every n.
  const one = { resourceSpans: [{ scopeSpans: [{ spans: spans.map((s) => ({ ...s, traceId: spans[0]!.traceId })) }] }] };
  const ob = TraceBatch.decode(oracleEncodeTraces(one));
  for (let n = 1; n <= 5; n++) {
    const parts = shardTraces(ob, n);
    assert.equal(parts.length, 1);
    assert.equal(parts[0]!.batch, ob);
  }
  // No trace ids at all (invalid but decodable): one part, shard 0, same object.
  const none = { resourceSpans: [{ scopeSpans: [{ spans: spans.map(({ traceId: _t, ...s }) => s) }] }] };
  const nb = TraceBatch.decode(oracleEncodeTraces(none));
  assert.deepEqual(shardTraces(nb, 4).map((p) => [p.shard, p.batch === nb]), [[0, true]]);
  // Empty batch: shard 0.
  const empty = TraceBatch.empty();
  assert.deepEqual(shardTraces(empty, 3).map((p) => [p.shard, p.batch === empty]), [[0, true]]);
});

/** Resource identity (attributes in order) + metric name of each flat point, and the point itself. */
function flatPoints(b: MetricBatch): Array<{ key: string; stream: string }> {
  const c = normalizeMetrics(metricBatchToCanonical(b)) as Obj;
  return flattenMetrics(c).map((p) => ({
    key: JSON.stringify(p),
    stream: JSON.stringify([(p.resource as Obj | undefined)?.attributes ?? [], (p.metric as Obj).name ?? '']),
  }));
}

/** Random metrics where resources repeat (same attributes in several resourceMetrics) and names collide. */
function randomMetricBatch(rng: Rng): MetricBatch {
  const obj = randomMetricsRequest(rng, { maxResources: 5, maxScopes: 3, maxMetrics: 6, maxPoints: 4 }) as Obj;
  const rms = obj.resourceMetrics as Obj[];
  for (let r = 1; r < rms.length; r++) if (rng() < 0.4) rms[r]!.resource = rms[Math.floor(rng() * r)]!.resource;
  return MetricBatch.decode(oracleEncodeMetrics(obj));
}

test('shardMetrics: points of one resource + metric name in one shard, nothing lost, order kept (n = 1..5)', () => {
  const rng = mulberry32(0xbeef);
  let multiShard = 0;
  for (let round = 0; round < 40; round++) {
    const batch = randomMetricBatch(rng);
    const original = flatPoints(batch);
    for (let n = 1; n <= 5; n++) {
      const parts = shardMetrics(batch, n);
      checkParts(parts, n);
      if (parts.length === 1) {
        assert.equal(parts[0]!.batch, batch, 'a one-shard batch is handed over as the same object');
        continue;
      }
      multiShard++;
      const flat = parts.map((p) => flatPoints(p.batch));
      assert.deepEqual(sortedCounts(flat.flat().map((p) => p.key)), sortedCounts(original.map((p) => p.key)), `round ${round} n ${n}: same points`);
      assert.equal(parts.reduce((a, p) => a + p.batch.itemCount, 0), batch.itemCount, 'data point count preserved');
      const owner = new Map<string, number>();
      flat.forEach((pts, k) => {
        for (const p of pts) {
          const prev = owner.get(p.stream);
          assert.ok(prev === undefined || prev === k, `stream ${p.stream} split over parts ${prev} and ${k}`);
          owner.set(p.stream, k);
        }
      });
      flat.forEach((pts, k) => {
        const expected = original.filter((p) => owner.get(p.stream) === k).map((p) => p.key);
        assert.deepEqual(pts.map((p) => p.key), expected, `round ${round} n ${n} part ${k}: arrival order`);
      });
    }
  }
  assert.ok(multiShard > 30, `enough split batches were checked (${multiShard})`);
});

test('shardLogs: whole batches round-robin over the shards; shardBatch dispatches by signal', () => {
  const rng = mulberry32(9);
  const logs = Array.from({ length: 7 }, () => LogBatch.decode(oracleEncodeLogs(randomLogsRequest(rng))));
  for (let n = 1; n <= 5; n++) {
    const rr = new RoundRobin();
    const got = logs.map((b) => {
      const parts = shardLogs(b, n, rr);
      assert.equal(parts.length, 1, 'a log batch is never split');
      assert.equal(parts[0]!.batch, b, 'and handed over as the same object');
      return parts[0]!.shard;
    });
    assert.deepEqual(got, logs.map((_, i) => i % n), `n = ${n}: round-robin`);
  }
  // The cursor is per RoundRobin, and shardBatch uses it for logs only.
  const rr = new RoundRobin();
  const traces = TraceBatch.empty();
  assert.deepEqual(shardBatch(logs[0]!, 3, rr).map((p) => p.shard), [0]);
  assert.deepEqual(shardBatch(traces, 3, rr).map((p) => p.shard), [0]);
  assert.deepEqual(shardBatch(logs[1]!, 3, rr).map((p) => p.shard), [1]);
  assert.deepEqual(shardBatch(logs[2]!, 3, rr).map((p) => p.shard), [2]);
  assert.deepEqual(shardBatch(logs[3]!, 3, rr).map((p) => p.shard), [0]);
  // Changing n between calls still gives a shard below n.
  const rr2 = new RoundRobin();
  for (const n of [5, 5, 5, 5, 2, 3, 1, 4]) {
    const k = shardLogs(logs[0]!, n, rr2)[0]!.shard;
    assert.ok(k >= 0 && k < n, `shard ${k} < ${n}`);
  }
});
