// Memory of the tail_sampling TraceStore with 1,000,000 buffered spans of 10 attributes each (issue #6: at most
// 150 bytes per span besides the span's own bytes). One realistic-ish batch of 1000 spans (5 spans per trace) is
// reused 1000 times with different trace ids written into its arena. Reported (t.diagnostic): the store's
// bytes/span, its overhead/span beyond the spans' wire bytes, the RSS delta per span, the average string bytes
// per span. Asserted (deterministic): the store's own accounting minus the spans' wire bytes ≤ 150 bytes/span,
// and bufferedBytes ≤ maxBufferedBytes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { TraceStore } from '../../../src/processors/tail_sampling/trace-store';
import { TraceBatch } from '../../../src/pdata/traces';
import { oracleEncodeTraces } from '../../oracle/otlp-oracle';
import { mulberry32 } from '../../pdata/random-traces';

const SPANS_PER_BATCH = 1000;
const REPS = 1000;
const SPANS_PER_TRACE = 5;

/** A gc() when it can be had (measurement only: the assertions do not depend on it). */
function getGc(): (() => void) | null {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
}

function templateBatch(): { batch: TraceBatch; stringBytes: number } {
  const rng = mulberry32(7);
  const hex = (n: number) => {
    let s = '';
    for (let k = 0; k < n; k++) s += Math.floor(rng() * 256).toString(16).padStart(2, '0');
    return s;
  };
  const routes = ['/api/v1/users/{id}/orders', '/api/v1/orders/{id}', '/api/v1/cart/{id}/items', '/api/v2/products/{id}/reviews'];
  const agents = ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15', 'okhttp/4.12.0', 'Go-http-client/1.1'];
  let stringBytes = 0;
  const str = (key: string, v: string) => {
    stringBytes += Buffer.byteLength(key) + Buffer.byteLength(v);
    return { key, value: { stringValue: v } };
  };
  const int = (key: string, v: number) => {
    stringBytes += Buffer.byteLength(key);
    return { key, value: { intValue: v } };
  };
  const spans: Record<string, unknown>[] = [];
  const t0 = 1_717_243_200_000_000_000n;
  for (let i = 0; i < SPANS_PER_BATCH; i++) {
    const route = routes[Math.floor(rng() * routes.length)]!;
    const name = i % SPANS_PER_TRACE === 0 ? `GET ${route}` : 'SELECT orders';
    stringBytes += Buffer.byteLength(name);
    const start = t0 + BigInt(i) * 1_000_000n;
    spans.push({
      traceId: Buffer.from(hex(16), 'hex'),
      spanId: Buffer.from(hex(8), 'hex'),
      ...(i % SPANS_PER_TRACE === 0 ? {} : { parentSpanId: Buffer.from(hex(8), 'hex') }),
      name,
      kind: i % SPANS_PER_TRACE === 0 ? 2 : 3,
      startTimeUnixNano: String(start),
      endTimeUnixNano: String(start + BigInt(Math.floor(rng() * 5e7))),
      attributes: [
        str('http.request.method', 'GET'),
        str('http.route', route),
        str('url.full', `https://shop.example.com${route.replace('{id}', String(Math.floor(rng() * 1e6)))}?page=${Math.floor(rng() * 10)}`),
        int('http.response.status_code', rng() < 0.05 ? 503 : 200),
        str('user_agent.original', agents[Math.floor(rng() * agents.length)]!),
        str('server.address', 'shop.example.com'),
        int('server.port', 443),
        str('network.protocol.version', '1.1'),
        str('client.address', `10.${Math.floor(rng() * 255)}.${Math.floor(rng() * 255)}.${Math.floor(rng() * 255)}`),
        str('enduser.id', hex(8)),
      ],
      ...(rng() < 0.05 ? { status: { code: 2, message: 'upstream connect error' } } : {}),
    });
  }
  const bytes = oracleEncodeTraces({
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }, { key: 'host.name', value: { stringValue: 'checkout-7f9c-abcde' } }] },
      scopeSpans: [{ scope: { name: '@opentelemetry/instrumentation-http', version: '0.52.1' }, spans }],
    }],
  });
  return { batch: TraceBatch.decode(bytes), stringBytes };
}

test('1,000,000 buffered spans of 10 attributes: ≤ 150 bytes per span besides the span bytes', (t) => {
  const gc = getGc();
  const { batch, stringBytes } = templateBatch();
  const tidOffsets = new Int32Array(SPANS_PER_BATCH);
  for (let i = 0; i < SPANS_PER_BATCH; i++) tidOffsets[i] = batch.traceIdOffset(i);
  const arena = batch.arenaBytes;
  const maxBufferedBytes = 2 ** 31;

  gc?.();
  const rss0 = process.memoryUsage().rss;
  const store = new TraceStore({ decisionWaitMs: 30_000, numTraces: 1_000_000, maxBufferedBytes, sampledCacheSize: 0, nonSampledCacheSize: 0 });
  const started = performance.now();
  let newTraces = 0;
  for (let rep = 0; rep < REPS; rep++) {
    // distinct trace ids: (rep, trace within batch) in the first 4 bytes, a constant after
    for (let i = 0; i < SPANS_PER_BATCH; i++) {
      const o = tidOffsets[i]!;
      const tr = rep * (SPANS_PER_BATCH / SPANS_PER_TRACE) + Math.floor(i / SPANS_PER_TRACE);
      arena[o] = tr & 0xff;
      arena[o + 1] = (tr >>> 8) & 0xff;
      arena[o + 2] = (tr >>> 16) & 0xff;
      arena[o + 3] = (tr >>> 24) & 0xff;
      arena.fill(0x7a, o + 4, o + 16);
    }
    const r = store.add(batch, rep);
    assert.equal(r.early, null);
    newTraces += r.newTraces;
  }
  const addMs = performance.now() - started;
  gc?.();
  const rss1 = process.memoryUsage().rss;

  const spans = store.bufferedSpans;
  assert.equal(spans, SPANS_PER_BATCH * REPS);
  assert.equal(newTraces, (SPANS_PER_BATCH / SPANS_PER_TRACE) * REPS);
  assert.equal(store.tracesInMemory, newTraces);
  const bytesPerSpan = store.bufferedBytes / spans;
  const wirePerSpan = store.bufferedSpanBytes / spans;
  const overheadPerSpan = (store.bufferedBytes - store.bufferedSpanBytes) / spans;
  t.diagnostic(`spans buffered: ${spans}, traces: ${store.tracesInMemory}, add time ${addMs.toFixed(0)} ms (${((addMs * 1e6) / spans).toFixed(0)} ns/span)`);
  t.diagnostic(`store bytes/span: ${bytesPerSpan.toFixed(1)} = span wire bytes ${wirePerSpan.toFixed(1)} + overhead ${overheadPerSpan.toFixed(1)}`);
  t.diagnostic(`average string bytes/span (name, keys, string values): ${(stringBytes / SPANS_PER_BATCH).toFixed(1)}`);
  t.diagnostic(`RSS delta/span: ${((rss1 - rss0) / spans).toFixed(1)} bytes${gc ? '' : ' (no gc available: rough)'}; decision caches ${store.decisionCacheBytes} bytes`);
  assert.ok(overheadPerSpan <= 150, `overhead ${overheadPerSpan.toFixed(1)} bytes/span > 150`);
  assert.ok(store.bufferedBytes <= maxBufferedBytes);

  // the first second's traces are due after decision_wait: 1000 traces of 5 spans, in arrival order
  const due = store.takeDue(30_000 + 4)!;
  assert.equal(due.traces.length, 5 * (SPANS_PER_BATCH / SPANS_PER_TRACE));
  assert.equal(due.batch.spanCount, 5 * SPANS_PER_BATCH);
  let prev = -1;
  for (const tr of due.traces) {
    assert.equal(tr.spans.length, SPANS_PER_TRACE);
    const id = tr.traceId[0]! | (tr.traceId[1]! << 8) | (tr.traceId[2]! << 16);
    assert.equal(id, prev + 1);
    prev = id;
    for (const i of tr.spans) assert.equal(due.batch.spanAttributes(i).length, 10);
  }
  assert.equal(store.bufferedSpans, spans - 5 * SPANS_PER_BATCH);
});
