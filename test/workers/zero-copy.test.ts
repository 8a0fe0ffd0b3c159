// The worker pool hands batches to its workers without copying pdata: the batch's SharedArrayBuffers are shared
// with the worker thread (postMessage of a SharedArrayBuffer shares the memory; it is not structured-cloned), so
// a batch that falls in one shard costs no pdata copy on either side, and a batch split over the workers costs
// one copy of the bytes each shard keeps (on the acceptor) and nothing in the workers.
//
// Evidence: `copyStats` (src/pdata/layout.ts) counts every byte pdata copies in a thread (arena copies at decode,
// slice/filter/concat, buffer growth; table rows copied). We read it on the acceptor (this thread) and in each
// worker (`pool.stats(k)`) before and after the hand-off. A cloned SharedArrayBuffer would not show in these
// counters, but a worker working on a clone could not be proven otherwise either: the counters prove that no
// pdata code path copied, and SharedArrayBuffers cannot be transferred-by-copy by postMessage (they are always
// shared), so "zero bytes counted" is the zero-copy claim a user relies on.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parse } from 'yaml';
import { factories } from '../../src/components';
import { validateConfigOrThrow } from '../../src/config/config';
import { Registry } from '../../src/service/registry';
import { Service } from '../../src/service/service';
import { copyStats } from '../../src/pdata';
import { TraceBatch } from '../../src/pdata/traces';
import { shardTraces } from '../../src/workers/shard';
import type { FramedTraces } from '../../src/workers/frame';
import { oracleEncodeTraces } from '../oracle/otlp-oracle';
import { realisticRequestObject } from '../../bench/fixtures/realistic';

const CONFIG = `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:0
      http:
        endpoint: 127.0.0.1:0
exporters:
  debug:
    verbosity: basic
service:
  workers: 2
  telemetry:
    logs:
      level: warn
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: 0
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [debug]
`;

type Spans = Array<Record<string, unknown>>;

/** Every span of a realistic request object (protobufjs fromObject form). */
function spansOf(obj: Record<string, unknown>): Spans {
  const out: Spans = [];
  for (const rs of obj.resourceSpans as Array<Record<string, unknown>>) {
    for (const ss of rs.scopeSpans as Array<Record<string, unknown>>) out.push(...(ss.spans as Spans));
  }
  return out;
}

/** A realistic request of `spans` spans, all rewritten to one trace id. */
function oneTraceRequest(spans: number, seed: number): Uint8Array {
  const { obj } = realisticRequestObject({ spans, seed });
  const tid = Buffer.alloc(16);
  tid.writeUInt32BE(0xc0ffee00 + seed, 0);
  tid[15] = seed;
  for (const s of spansOf(obj)) s.traceId = tid;
  return oracleEncodeTraces(obj);
}

const snap = () => ({ arena: copyStats.arenaBytes, table: copyStats.tableBytes });

async function workerSnaps(service: Service): Promise<Array<{ arena: number; table: number }>> {
  const out = [];
  for (let k = 0; k < service.pool!.size; k++) {
    const s = await service.pool!.stats(k);
    out.push({ arena: s.arenaBytes ?? NaN, table: s.tableBytes ?? NaN });
  }
  return out;
}

async function sentSpans(service: Service): Promise<number> {
  await service.metrics.refresh();
  return service.metrics.value('otelcol_exporter_sent_spans');
}

test('worker pool hand-off: one-shard batches copy nothing, split batches copy once on the acceptor only', { timeout: 60_000 }, async (t) => {
  const config = validateConfigOrThrow(parse(CONFIG), new Registry(factories));
  const service = new Service({ config, mode: 'pool' });
  assert.ok(service.pool, 'mode pool with service.workers: 2 runs a worker pool');
  assert.equal(service.pool.size, 2);
  await service.start();
  t.after(() => service.shutdown());

  let expectedSent = 0;

  await t.test('a batch whose spans are all of one trace is handed over without any pdata copy', async () => {
    for (const seed of [3, 4, 5, 6]) {
      const wire = oneTraceRequest(400, seed);
      const batch = TraceBatch.decode(wire);
      assert.equal(batch.spanCount, 400);
      assert.equal(shardTraces(batch, 2).length, 1, 'one trace: one shard');
      const mainBefore = snap();
      const workersBefore = await workerSnaps(service);
      await service.pool!.dispatch('otlp', 'traces', batch);
      expectedSent += 400;
      const mainAfter = snap();
      const workersAfter = await workerSnaps(service);
      assert.deepEqual(
        { arena: mainAfter.arena - mainBefore.arena, table: mainAfter.table - mainBefore.table },
        { arena: 0, table: 0 },
        'acceptor: no pdata bytes copied after decode (no shard split, no clone, no transfer copy)',
      );
      for (let k = 0; k < workersBefore.length; k++) {
        assert.deepEqual(
          { arena: workersAfter[k]!.arena - workersBefore[k]!.arena, table: workersAfter[k]!.table - workersBefore[k]!.table },
          { arena: 0, table: 0 },
          `worker ${k}: the batch's SharedArrayBuffers are shared with it, not copied`,
        );
      }
    }
    assert.equal(await sentSpans(service), expectedSent, 'otelcol_exporter_sent_spans counts every span dispatched');
  });

  await t.test('a batch of many traces split over 2 workers copies about its wire bytes once, on the acceptor', async (tt) => {
    for (const seed of [11, 12, 13]) {
      const { obj, spanCount, traceCount } = realisticRequestObject({ spans: 512, seed });
      const wire = oracleEncodeTraces(obj);
      const batch = TraceBatch.decode(wire);
      const parts = shardTraces(batch, 2);
      assert.equal(parts.length, 2, `${traceCount} random trace ids land in both shards`);
      const tableCapacity = batch.byteSize - batch.arenaBytes.byteLength;
      const mainBefore = snap();
      const workersBefore = await workerSnaps(service);
      await service.pool!.dispatch('otlp', 'traces', batch);
      expectedSent += spanCount;
      const mainAfter = snap();
      const workersAfter = await workerSnaps(service);
      const arena = mainAfter.arena - mainBefore.arena;
      const table = mainAfter.table - mainBefore.table;
      tt.diagnostic(
        `seed ${seed}: ${spanCount} spans in ${traceCount} traces, ${wire.length} wire bytes; acceptor copied ${arena} arena + ${table} table bytes ` +
          `(${(arena / wire.length).toFixed(3)}x wire, ${((arena + table) / spanCount).toFixed(1)} bytes/span)`,
      );
      assert.ok(arena > 0, 'splitting copies each shard\'s kept bytes');
      assert.ok(arena <= 1.1 * wire.length, `acceptor arena copy ${arena} bytes <= 1.1 x ${wire.length} wire bytes`);
      // copyStats.tableBytes counts column rows copied (whole tables and the rows a split copies one by one): a
      // split copies each kept row once, plus what its growing tables copy when they double (at most as much again).
      assert.ok(table > 0, 'the split copies the kept rows');
      assert.ok(table <= 2 * tableCapacity, `acceptor table copy ${table} bytes <= 2 x the batch's table bytes ${tableCapacity}`);
      for (let k = 0; k < workersBefore.length; k++) {
        assert.deepEqual(
          { arena: workersAfter[k]!.arena - workersBefore[k]!.arena, table: workersAfter[k]!.table - workersBefore[k]!.table },
          { arena: 0, table: 0 },
          `worker ${k}: its part arrives without a copy`,
        );
      }
    }
    assert.equal(await sentSpans(service), expectedSent, 'the workers exported exactly the spans sent');
  });

  await t.test('the receivers\' path (frame and shard): the acceptor copies the request bytes once into the parts, the workers decode them in place', async (tt) => {
    const consumer = service.pool!.consumersFor('otlp', ['traces']).traces as unknown as { frameTraces(b: Uint8Array): FramedTraces };
    for (const seed of [21, 22]) {
      const { obj, spanCount } = realisticRequestObject({ spans: 512, seed });
      const wire = oracleEncodeTraces(obj);
      const mainBefore = snap();
      const workersBefore = await workerSnaps(service);
      const framed = consumer.frameTraces(wire);
      assert.equal(framed.parts.length, 2, 'many traces: a part per worker');
      await service.pool!.dispatch('otlp', 'traces', framed);
      expectedSent += spanCount;
      const mainAfter = snap();
      const workersAfter = await workerSnaps(service);
      const partBytes = framed.parts.reduce((a, p) => a + p.len, 0);
      tt.diagnostic(`seed ${seed}: ${wire.length} wire bytes, parts ${partBytes} bytes; acceptor copied ${mainAfter.arena - mainBefore.arena} arena + ${mainAfter.table - mainBefore.table} table bytes`);
      assert.deepEqual(
        { arena: mainAfter.arena - mainBefore.arena, table: mainAfter.table - mainBefore.table },
        { arena: partBytes, table: 0 },
        'acceptor: one copy of the kept bytes (body → parts), no columns built',
      );
      assert.ok(partBytes <= 1.1 * wire.length, `parts ${partBytes} bytes <= 1.1 x ${wire.length} wire bytes`);
      for (let k = 0; k < workersBefore.length; k++) {
        assert.equal(workersAfter[k]!.arena - workersBefore[k]!.arena, 0, `worker ${k}: its part is decoded in place (no byte copy)`);
      }
    }
    assert.equal(await sentSpans(service), expectedSent, 'the workers exported exactly the spans sent');
  });

  await t.test('a request that falls in one shard, read into a body buffer from allocBody (the HTTP receiver), reaches its worker without any copy', async (tt) => {
    type Framing = { frameTraces(b: Uint8Array): FramedTraces; allocBody(n: number): Buffer; releaseBody(b: Buffer): void };
    const consumer = service.pool!.consumersFor('otlp', ['traces']).traces as unknown as Framing;
    const { obj, spanCount } = realisticRequestObject({ spans: 512, seed: 31 });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    for (const rs of (obj as any).resourceSpans) for (const ss of rs.scopeSpans) for (const sp of ss.spans) sp.traceId = Buffer.alloc(16, 7);
    const wire = oracleEncodeTraces(obj);
    const body = consumer.allocBody(wire.length);
    body.set(wire); // what readBody does with the chunks
    const mainBefore = snap();
    const workersBefore = await workerSnaps(service);
    const framed = consumer.frameTraces(body);
    assert.equal(framed.parts.length, 1, 'one trace: one part');
    assert.equal(framed.parts[0]!.sab, body.buffer, "the part is the body's own buffer");
    await service.pool!.dispatch('otlp', 'traces', framed);
    consumer.releaseBody(body); // what the HTTP server does once it answered: nothing, for a body that became a part
    const next = consumer.allocBody(wire.length);
    assert.notEqual(next.buffer, body.buffer, 'a body handed to a worker is not reused while the worker holds it');
    consumer.releaseBody(next);
    expectedSent += spanCount;
    const mainAfter = snap();
    const workersAfter = await workerSnaps(service);
    tt.diagnostic(`${wire.length} wire bytes; acceptor copied ${mainAfter.arena - mainBefore.arena} arena bytes`);
    assert.equal(mainAfter.arena - mainBefore.arena, 0, 'acceptor: no copy at all');
    for (let k = 0; k < workersBefore.length; k++) assert.equal(workersAfter[k]!.arena - workersBefore[k]!.arena, 0, `worker ${k}: no copy`);
    assert.equal(await sentSpans(service), expectedSent, 'the workers exported exactly the spans sent');
  });
});
