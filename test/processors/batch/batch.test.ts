import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchProcessorFactory } from '../../../src/processors/batch/factory';
import { BatchTracesProcessor } from '../../../src/processors/batch/batch-processor';
import { batchConfigSchema, type BatchConfig } from '../../../src/processors/batch/config';
import { parseOrThrow } from '../../../src/config/schema';
import { CapturingConsumer, testHost, testSettings } from '../../../src/component/testing';
import { ConfigError, OverloadedError, ShutdownError, isOtelTsError } from '../../../src/errors';
import type { TraceBatch } from '../../../src/pdata/traces';
import type { TracesConsumer } from '../../../src/component/types';
import { flattenSpans, makeBatch, spansBatch, waitFor } from '../helpers';

function cfg(raw: Record<string, unknown>): BatchConfig {
  return parseOrThrow(batchConfigSchema, raw, 'processors.batch');
}

function setup(raw: Record<string, unknown>, next: TracesConsumer = new CapturingConsumer(), opts = {}) {
  const set = testSettings('batch', 'processor');
  const p = new BatchTracesProcessor(set, cfg(raw), next, opts);
  return { p, set, reg: set.registry };
}

test('config: Go defaults', () => {
  const c = cfg({});
  assert.deepEqual(c, { timeout: 200, send_batch_size: 8192, send_batch_max_size: 0, metadata_keys: [], metadata_cardinality_limit: 1000 });
  assert.deepEqual(parseOrThrow(batchConfigSchema, null, 'processors.batch'), c);
  assert.equal(batchProcessorFactory.type, 'batch');
  assert.equal(batchProcessorFactory.stability.traces, 'beta');
});

test('config: send_batch_max_size below send_batch_size is rejected with upstream message and path', () => {
  assert.throws(
    () => cfg({ send_batch_size: 100, send_batch_max_size: 10 }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.issues.some((i) => i.path === 'processors.batch.send_batch_max_size' && i.message === 'send_batch_max_size must be greater or equal to send_batch_size'),
  );
  assert.equal(cfg({ send_batch_size: 100, send_batch_max_size: 100 }).send_batch_max_size, 100);
  assert.equal(cfg({ send_batch_size: 100, send_batch_max_size: 0 }).send_batch_max_size, 0);
});

test('config: duplicate metadata_keys (case-insensitive) and bad types are rejected with paths', () => {
  assert.throws(
    () => cfg({ metadata_keys: ['Tenant', 'tenant'] }),
    (e: unknown) => e instanceof ConfigError && e.issues[0]!.path === 'processors.batch.metadata_keys[1]' && /duplicate entry in metadata_keys: "tenant"/.test(e.message),
  );
  assert.throws(() => cfg({ timeout: 'soon' }), (e: unknown) => e instanceof ConfigError && e.issues[0]!.path === 'processors.batch.timeout');
  assert.throws(() => cfg({ send_batch_size: -1 }), (e: unknown) => e instanceof ConfigError && e.issues[0]!.path === 'processors.batch.send_batch_size');
  assert.throws(() => cfg({ sendbatchsize: 5 }), (e: unknown) => e instanceof ConfigError && e.issues[0]!.path === 'processors.batch.sendbatchsize');
});

test('25 single-span batches with send_batch_size 8 are sent as 8, 8, 8 (size) then 1 (timeout)', async () => {
  const next = new CapturingConsumer();
  const { p, reg } = setup({ send_batch_size: 8, timeout: '50ms' }, next);
  await p.start(testHost());
  for (let i = 0; i < 25; i++) await p.consumeTraces(spansBatch(1));
  await waitFor(() => next.batches.length === 3, 5000, 'three size-triggered batches');
  assert.deepEqual(next.batches.map((b) => b.spanCount), [8, 8, 8]);
  await waitFor(() => next.batches.length === 4, 5000, 'the timeout-triggered batch');
  assert.deepEqual(next.batches.map((b) => b.spanCount), [8, 8, 8, 1]);
  const labels = { processor: 'batch' };
  assert.equal(reg.value('otelcol_processor_batch_batch_size_trigger_send', labels), 3);
  assert.equal(reg.value('otelcol_processor_batch_timeout_trigger_send', labels), 1);
  assert.equal(reg.value('otelcol_processor_batch_batch_send_size', labels), 4); // histogram: count of sends
  assert.match(reg.renderPrometheus(), /otelcol_processor_batch_batch_send_size_sum\{processor="batch"\} 25/);
  assert.equal(reg.value('otelcol_processor_batch_metadata_cardinality', labels), 1);
  assert.equal(reg.value('otelcol_processor_batch_pending_spans', labels), 0);
  await p.shutdown();
});

test('batching keeps every span byte-identical (oracle decode of the sent requests)', async () => {
  const next = new CapturingConsumer();
  const { p } = setup({ send_batch_size: 10, timeout: '10s' }, next);
  await p.start(testHost());
  const inputs = [
    makeBatch([
      { attributes: { 'service.name': 'a', 'host.name': 'h1' }, scopes: [{ name: 'lib1', version: '1.0', spans: [{ name: 'x', attributes: { k: 'v', n: 3 } }, { name: 'y' }] }] },
      { attributes: { 'service.name': 'b' }, scopes: [{ name: 'lib2', spans: [{ name: 'z', kind: 2 }] }] },
    ]),
    spansBatch(4, 'c', { big: 'x'.repeat(300) }),
    spansBatch(6, 'd'),
  ];
  const expected = inputs.flatMap((b) => flattenSpans(b.encode()));
  for (const b of inputs) await p.consumeTraces(b);
  await p.shutdown();
  assert.deepEqual(next.batches.map((b) => b.spanCount), [13]);
  assert.deepEqual(next.batches.flatMap((b) => flattenSpans(b.encode())), expected);
});

test('send_batch_max_size splits a large incoming batch; the remainder below send_batch_size waits for the timeout', async () => {
  const next = new CapturingConsumer();
  const { p, reg } = setup({ send_batch_size: 8, send_batch_max_size: 10, timeout: '50ms' }, next);
  await p.start(testHost());
  const input = makeBatch([
    { attributes: { 'service.name': 'a' }, scopes: [{ name: 's1', spans: Array.from({ length: 7 }, () => ({})) }, { name: 's2', spans: Array.from({ length: 6 }, () => ({})) }] },
    { attributes: { 'service.name': 'b' }, scopes: [{ name: 's3', spans: Array.from({ length: 12 }, () => ({})) }] },
  ]);
  const expected = flattenSpans(input.encode());
  await p.consumeTraces(input);
  assert.deepEqual(next.batches.map((b) => b.spanCount), [10, 10]);
  await waitFor(() => next.batches.length === 3, 5000, 'timeout send');
  assert.deepEqual(next.batches.map((b) => b.spanCount), [10, 10, 5]);
  assert.ok(next.batches.every((b) => b.spanCount <= 10));
  // Same spans, same order, each still under its own resource and scope.
  assert.deepEqual(next.batches.flatMap((b) => flattenSpans(b.encode())), expected);
  assert.equal(reg.value('otelcol_processor_batch_batch_size_trigger_send', { processor: 'batch' }), 2);
  assert.equal(reg.value('otelcol_processor_batch_timeout_trigger_send', { processor: 'batch' }), 1);
  await p.shutdown();
});

test('without send_batch_max_size a large incoming batch is sent whole', async () => {
  const next = new CapturingConsumer();
  const { p } = setup({ send_batch_size: 8, timeout: '10s' }, next);
  await p.start(testHost());
  await p.consumeTraces(spansBatch(25));
  assert.deepEqual(next.batches.map((b) => b.spanCount), [25]);
  await p.shutdown();
});

test('timeout 0 sends every incoming batch at once, split at send_batch_max_size', async () => {
  const next = new CapturingConsumer();
  const { p, reg } = setup({ send_batch_size: 8, send_batch_max_size: 10, timeout: 0 }, next);
  await p.start(testHost());
  await p.consumeTraces(spansBatch(3));
  assert.deepEqual(next.batches.map((b) => b.spanCount), [3]);
  await p.consumeTraces(spansBatch(25));
  assert.deepEqual(next.batches.map((b) => b.spanCount), [3, 10, 10, 5]);
  assert.equal(reg.value('otelcol_processor_batch_batch_size_trigger_send', { processor: 'batch' }), 4);
  assert.equal(reg.value('otelcol_processor_batch_timeout_trigger_send', { processor: 'batch' }), 0);
  await p.shutdown();
});

test('shutdown flushes everything pending downstream before it resolves; later data is refused', async () => {
  const next = new CapturingConsumer();
  const { p, reg } = setup({ send_batch_size: 100, timeout: '1h' }, next);
  await p.start(testHost());
  await p.consumeTraces(spansBatch(3));
  await p.consumeTraces(spansBatch(4));
  assert.equal(next.batches.length, 0);
  assert.equal(p.pendingSpanCount, 7);
  await p.shutdown();
  assert.deepEqual(next.batches.map((b) => b.spanCount), [7]);
  assert.equal(reg.value('otelcol_processor_batch_timeout_trigger_send', { processor: 'batch' }), 1);
  await p.shutdown(); // idempotent
  await assert.rejects(p.consumeTraces(spansBatch(1)), (e: unknown) => e instanceof ShutdownError);
});

test('shutdown waits for sends still in flight', async () => {
  let release!: () => void;
  const got: TraceBatch[] = [];
  const slow: TracesConsumer = {
    capabilities: { mutatesData: false },
    consumeTraces: (b) => new Promise<void>((resolve) => {
      got.push(b);
      release = resolve;
    }),
  };
  const { p } = setup({ send_batch_size: 2, timeout: '1h' }, slow);
  await p.start(testHost());
  await p.consumeTraces(spansBatch(2)); // sent, not yet acknowledged
  let done = false;
  const s = p.shutdown().then(() => (done = true));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(done, false);
  release();
  await s;
  assert.equal(got.length, 1);
});

test('a downstream failure is logged and counted, not returned to the sender', async () => {
  const next = new CapturingConsumer();
  next.fail = new Error('backend down');
  const { p, reg } = setup({ send_batch_size: 5, timeout: '1h' }, next);
  await p.start(testHost());
  await p.consumeTraces(spansBatch(5)); // resolves although the send fails
  await waitFor(() => reg.value('otelcol_processor_batch_send_failed_spans', { processor: 'batch' }) === 5, 5000, 'failure counted');
  assert.equal(reg.value('otelcol_processor_batch_batch_size_trigger_send', { processor: 'batch' }), 0); // upstream records only successful sends
  await p.shutdown();
});

test('buffered bytes are bounded: above the bound new data is refused with OverloadedError (retryable)', async () => {
  const releases: Array<() => void> = [];
  const held: TracesConsumer = {
    capabilities: { mutatesData: false },
    consumeTraces: () => new Promise<void>((resolve) => releases.push(resolve)),
  };
  const first = spansBatch(4, 'svc', { payload: 'y'.repeat(200) });
  const { p, reg } = setup({ send_batch_size: 4, timeout: '1h' }, held, { maxBufferedBytes: first.byteSize + 10 });
  await p.start(testHost());
  await p.consumeTraces(first); // sent, held in flight
  assert.ok(p.bufferedBytes > 0);
  assert.equal(reg.value('otelcol_processor_batch_in_flight_bytes', { processor: 'batch' }), p.bufferedBytes);
  await assert.rejects(p.consumeTraces(spansBatch(4, 'svc', { payload: 'y'.repeat(200) })), (e: unknown) => {
    assert.ok(e instanceof OverloadedError && isOtelTsError(e));
    assert.equal(e.retryable, true);
    assert.equal(e.httpStatus, 503);
    return true;
  });
  assert.equal(reg.value('otelcol_processor_batch_refused_spans', { processor: 'batch' }), 4);
  releases.forEach((r) => r());
  await waitFor(() => p.bufferedBytes === 0, 5000, 'in-flight bytes released');
  await p.consumeTraces(spansBatch(4)); // accepted again
  const s = p.shutdown();
  await waitFor(() => releases.length === 2, 5000, 'second send');
  releases[1]!();
  await s;
});

test('factory: creates a traces processor; start/shutdown are idempotent; empty batches are ignored', async () => {
  const next = new CapturingConsumer();
  const p = batchProcessorFactory.createTraces!(testSettings('batch/2', 'processor'), cfg({ timeout: '1h' }), next);
  await p.start(testHost());
  await p.start(testHost());
  await p.consumeTraces(makeBatch([]));
  await p.shutdown();
  await p.shutdown();
  assert.equal(next.batches.length, 0);
});
