// The batch processor for metrics (items = data points) and logs (items = log records), with real batches
// built and read back through the protobufjs oracle.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchProcessorFactory } from '../../../src/processors/batch/factory';
import { BatchLogsProcessor, BatchMetricsProcessor, BatchTracesProcessor } from '../../../src/processors/batch/batch-processor';
import { batchConfigSchema, type BatchConfig } from '../../../src/processors/batch/config';
import { parseOrThrow } from '../../../src/config/schema';
import { CapturingConsumer, testHost, testSettings } from '../../../src/component/testing';
import { OverloadedError, ShutdownError } from '../../../src/errors';
import { LogBatch } from '../../../src/pdata/logs';
import { MetricBatch } from '../../../src/pdata/metrics';
import type { LogsConsumer } from '../../../src/component/types';
import { spansBatch, waitFor } from '../helpers';
import { oracleEncodeLogs, oracleEncodeMetrics } from '../../oracle/otlp-oracle';
import { mulberry32, randomMetricsRequest } from '../../pdata/random-metrics';
import { randomLogsRequest } from '../../pdata/random-logs';
import { Capturing, flattenPoints, flattenRecords, makeLogs, makeMetrics, pointsBatch, recordsBatch, type FlatPoint } from '../internal/signal-helpers';

function cfg(raw: Record<string, unknown>): BatchConfig {
  return parseOrThrow(batchConfigSchema, raw, 'processors.batch');
}

const L = { processor: 'batch' };

/** 25 points over five metrics of the five types, two resources and three scopes. */
function mixedMetrics(): MetricBatch {
  return makeMetrics([
    {
      attributes: { 'service.name': 'a', 'host.name': 'h1' },
      scopes: [
        {
          name: 'lib1',
          version: '1.0',
          metrics: [
            { name: 'g', type: 'gauge', points: [{ attributes: { k: 'v1' } }, { attributes: { k: 'v2' } }, {}, {}, {}, {}] },
            { name: 's', type: 'sum', unit: 'By', points: 7 },
          ],
        },
        { name: 'lib2', metrics: [{ name: 'h', type: 'histogram', unit: 'ms', points: 4 }] },
      ],
    },
    {
      attributes: { 'service.name': 'b' },
      scopes: [{ name: 'lib3', metrics: [{ name: 'e', type: 'exponential_histogram', points: 5 }, { name: 'q', type: 'summary', points: 3 }] }],
    },
  ]);
}

/** Group flattened points by metric name and check each group's shell is the input's. */
function assertShellsIntact(sent: FlatPoint[], input: FlatPoint[]): void {
  const shellOf = new Map(input.map((p) => [(p.shell as { name: string }).name, p]));
  for (const p of sent) {
    const orig = shellOf.get((p.shell as { name: string }).name)!;
    assert.deepEqual(p.shell, orig.shell);
    assert.deepEqual(p.scope, orig.scope);
    assert.deepEqual(p.resource, orig.resource);
  }
}

test('factory: batch declares beta for traces, metrics and logs and creates each', async () => {
  assert.deepEqual(batchProcessorFactory.stability, { traces: 'beta', metrics: 'beta', logs: 'beta' });
  const m = batchProcessorFactory.createMetrics!(testSettings('batch', 'processor'), cfg({ timeout: '1h' }), new Capturing<MetricBatch>());
  const l = batchProcessorFactory.createLogs!(testSettings('batch', 'processor'), cfg({ timeout: '1h' }), new Capturing<LogBatch>());
  assert.ok(m instanceof BatchMetricsProcessor && l instanceof BatchLogsProcessor);
  assert.equal(m.capabilities.mutatesData, true);
  await Promise.all([m.start(testHost()), l.start(testHost())]);
  await Promise.all([m.shutdown(), l.shutdown()]);
});

test('metrics: 25 points split 8, 8, 8 (size) then 1 (timeout); metrics are cut across sends with their shells repeated', async () => {
  const next = new Capturing<MetricBatch>();
  const set = testSettings('batch', 'processor');
  const p = new BatchMetricsProcessor(set, cfg({ send_batch_size: 8, send_batch_max_size: 8, timeout: '50ms' }), next);
  await p.start(testHost());
  const input = mixedMetrics();
  assert.equal(input.itemCount, 25);
  const expected = flattenPoints(input.encode());
  await p.consumeMetrics(input);
  assert.deepEqual(next.counts, [8, 8, 8]);
  assert.equal(p.pendingItemCount, 1);
  await waitFor(() => next.batches.length === 4, 5000, 'the timeout-triggered batch');
  assert.deepEqual(next.counts, [8, 8, 8, 1]);

  // Every point preserved, in order, each under its own metric shell, scope and resource.
  const sent = next.batches.flatMap((b) => flattenPoints(b.encode()));
  assert.deepEqual(sent, expected);
  assertShellsIntact(sent, expected);
  // The 7-point sum starts in the first send (2 points after the gauge's 6) and ends in the second: its shell
  // (name, unit, temporality, monotonic) is in both.
  const names = next.batches.map((b) => flattenPoints(b.encode()).map((x) => (x.shell as { name: string }).name));
  assert.deepEqual(names[0], ['g', 'g', 'g', 'g', 'g', 'g', 's', 's']);
  assert.deepEqual(names[1], ['s', 's', 's', 's', 's', 'h', 'h', 'h']);
  assert.deepEqual(names[2], ['h', 'e', 'e', 'e', 'e', 'e', 'q', 'q']);
  assert.deepEqual(names[3], ['q']);
  // Each send is a well-formed request whose own count is what was counted.
  for (const b of next.batches) assert.equal(flattenPoints(b.encode()).length, b.itemCount);

  assert.equal(set.registry.value('otelcol_processor_batch_batch_size_trigger_send', L), 3);
  assert.equal(set.registry.value('otelcol_processor_batch_timeout_trigger_send', L), 1);
  assert.match(set.registry.renderPrometheus(), /otelcol_processor_batch_batch_send_size_sum\{processor="batch"\} 25/);
  assert.equal(set.registry.value('otelcol_processor_batch_pending_metric_points', L), 0);
  await p.shutdown();
});

test('metrics: 25 single-point batches with send_batch_size 8 are concatenated into 8, 8, 8 and a timeout send of 1', async () => {
  const next = new Capturing<MetricBatch>();
  const set = testSettings('batch', 'processor');
  const p = new BatchMetricsProcessor(set, cfg({ send_batch_size: 8, timeout: '50ms' }), next);
  await p.start(testHost());
  const inputs = Array.from({ length: 25 }, (_, i) => pointsBatch(1, `m${i}`, { i }));
  const expected = inputs.flatMap((b) => flattenPoints(b.encode()));
  for (const b of inputs) await p.consumeMetrics(b);
  assert.deepEqual(next.counts, [8, 8, 8]);
  assert.equal(set.registry.value('otelcol_processor_batch_pending_metric_points', L), 1);
  await waitFor(() => next.batches.length === 4, 5000, 'timeout send');
  assert.deepEqual(next.counts, [8, 8, 8, 1]);
  assert.deepEqual(next.batches.flatMap((b) => flattenPoints(b.encode())), expected);
  await p.shutdown();
});

test('logs: 25 records over two resources and three scopes split 8, 8, 8, 1 with every record preserved', async () => {
  const next = new Capturing<LogBatch>();
  const set = testSettings('batch', 'processor');
  const p = new BatchLogsProcessor(set, cfg({ send_batch_size: 8, send_batch_max_size: 8, timeout: '50ms' }), next);
  await p.start(testHost());
  const input = makeLogs([
    { attributes: { 'service.name': 'a' }, scopes: [{ name: 's1', records: 5 }, { name: 's2', version: '2', records: [{ body: 'x', severityNumber: 9, attributes: { k: 1 } }, ...Array.from({ length: 9 }, () => ({}))] }] },
    { attributes: { 'service.name': 'b' }, scopes: [{ name: 's3', records: 10 }] },
  ]);
  assert.equal(input.itemCount, 25);
  const expected = flattenRecords(input.encode());
  await p.consumeLogs(input);
  assert.deepEqual(next.counts, [8, 8, 8]);
  await waitFor(() => next.batches.length === 4, 5000, 'timeout send');
  assert.deepEqual(next.counts, [8, 8, 8, 1]);
  const sent = next.batches.flatMap((b) => flattenRecords(b.encode()));
  assert.deepEqual(sent, expected);
  // The cut inside scope s2 repeats its scope and resource in the next send.
  const scopes = next.batches.map((b) => [...new Set(flattenRecords(b.encode()).map((r) => (r.scope as { name: string }).name))]);
  assert.deepEqual(scopes, [['s1', 's2'], ['s2', 's3'], ['s3'], ['s3']]);
  assert.equal(set.registry.value('otelcol_processor_batch_batch_size_trigger_send', L), 3);
  assert.equal(set.registry.value('otelcol_processor_batch_timeout_trigger_send', L), 1);
  assert.match(set.registry.renderPrometheus(), /otelcol_processor_batch_batch_send_size_sum\{processor="batch"\} 25/);
  await p.shutdown();
});

test('logs and metrics: timeout 0 sends each batch at once, split at send_batch_max_size', async () => {
  const logs = new Capturing<LogBatch>();
  const metrics = new Capturing<MetricBatch>();
  const pl = new BatchLogsProcessor(testSettings('batch', 'processor'), cfg({ send_batch_size: 8, send_batch_max_size: 10, timeout: 0 }), logs);
  const pm = new BatchMetricsProcessor(testSettings('batch', 'processor'), cfg({ send_batch_size: 8, send_batch_max_size: 10, timeout: 0 }), metrics);
  await pl.start(testHost());
  await pm.start(testHost());
  await pl.consumeLogs(recordsBatch(3));
  await pl.consumeLogs(recordsBatch(25));
  await pm.consumeMetrics(pointsBatch(25));
  assert.deepEqual(logs.counts, [3, 10, 10, 5]);
  assert.deepEqual(metrics.counts, [10, 10, 5]);
  await pl.shutdown();
  await pm.shutdown();
});

test('shutdown flushes pending metrics and logs downstream before it resolves; later data is refused', async () => {
  const logs = new Capturing<LogBatch>();
  const metrics = new Capturing<MetricBatch>();
  const pl = new BatchLogsProcessor(testSettings('batch', 'processor'), cfg({ send_batch_size: 100, timeout: '1h' }), logs);
  const pm = new BatchMetricsProcessor(testSettings('batch', 'processor'), cfg({ send_batch_size: 100, timeout: '1h' }), metrics);
  await pl.start(testHost());
  await pm.start(testHost());
  await pl.consumeLogs(recordsBatch(3));
  await pl.consumeLogs(recordsBatch(4));
  await pm.consumeMetrics(pointsBatch(5));
  await pm.consumeMetrics(mixedMetrics());
  assert.equal(logs.batches.length + metrics.batches.length, 0);
  await Promise.all([pl.shutdown(), pm.shutdown()]);
  assert.deepEqual(logs.counts, [7]);
  assert.deepEqual(metrics.counts, [30]);
  await assert.rejects(pl.consumeLogs(recordsBatch(1)), (e: unknown) => e instanceof ShutdownError);
  await assert.rejects(pm.consumeMetrics(pointsBatch(1)), (e: unknown) => e instanceof ShutdownError);
});

test('logs: a downstream failure is counted per signal (send_failed_log_records); a full buffer refuses (refused_log_records)', async () => {
  const next = new Capturing<LogBatch>();
  next.fail = new Error('backend down');
  const set = testSettings('batch', 'processor');
  const p = new BatchLogsProcessor(set, cfg({ send_batch_size: 5, timeout: '1h' }), next);
  await p.start(testHost());
  await p.consumeLogs(recordsBatch(5));
  await waitFor(() => set.registry.value('otelcol_processor_batch_send_failed_log_records', L) === 5, 5000, 'failure counted');
  assert.equal(set.registry.value('otelcol_processor_batch_send_failed_spans', L), 0);
  await p.shutdown();

  const releases: Array<() => void> = [];
  const held: LogsConsumer = { capabilities: { mutatesData: false }, consumeLogs: () => new Promise<void>((r) => releases.push(r)) };
  const first = recordsBatch(4, { payload: 'y'.repeat(200) });
  const set2 = testSettings('batch', 'processor');
  const q = new BatchLogsProcessor(set2, cfg({ send_batch_size: 4, timeout: '1h' }), held, { maxBufferedBytes: first.byteSize + 10 });
  await q.start(testHost());
  await q.consumeLogs(first);
  assert.equal(set2.registry.value('otelcol_processor_batch_in_flight_bytes', { processor: 'batch', otel_signal: 'logs' }), q.bufferedBytes);
  await assert.rejects(q.consumeLogs(recordsBatch(4, { payload: 'y'.repeat(200) })), (e: unknown) => e instanceof OverloadedError);
  assert.equal(set2.registry.value('otelcol_processor_batch_refused_log_records', L), 4);
  releases.forEach((r) => r());
  await q.shutdown();
});

test('two instances of one batch id (two pipelines) add up in the pending gauges instead of hiding each other', async () => {
  const set = testSettings('batch', 'processor');
  const a = new BatchTracesProcessor(set, cfg({ send_batch_size: 100, timeout: '1h' }), new CapturingConsumer());
  const b = new BatchTracesProcessor(set, cfg({ send_batch_size: 100, timeout: '1h' }), new CapturingConsumer());
  const m = new BatchMetricsProcessor(set, cfg({ send_batch_size: 100, timeout: '1h' }), new Capturing<MetricBatch>());
  await a.consumeTraces(spansBatch(3));
  await b.consumeTraces(spansBatch(4));
  await m.consumeMetrics(pointsBatch(6));
  assert.equal(set.registry.value('otelcol_processor_batch_pending_spans', L), 7);
  assert.equal(set.registry.value('otelcol_processor_batch_pending_metric_points', L), 6);
  assert.equal(
    set.registry.value('otelcol_processor_batch_pending_bytes', { processor: 'batch', otel_signal: 'traces' }),
    a.bufferedBytes + b.bufferedBytes,
  );
  await Promise.all([a.shutdown(), b.shutdown(), m.shutdown()]);
  assert.equal(set.registry.value('otelcol_processor_batch_pending_spans', L), 0);
});

test('random metrics and logs requests: batching and splitting preserve every point and record with its context', async () => {
  for (let seed = 1; seed <= 25; seed++) {
    const metricsIn = Array.from({ length: 3 }, (_, k) =>
      oracleEncodeMetrics(randomMetricsRequest(mulberry32(seed * 10 + k), { kinds: ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] })),
    );
    const logsIn = Array.from({ length: 3 }, (_, k) => oracleEncodeLogs(randomLogsRequest(mulberry32(seed * 10 + k))));
    const max = 1 + (seed % 7);
    const metrics = new Capturing<MetricBatch>();
    const logs = new Capturing<LogBatch>();
    const pm = new BatchMetricsProcessor(testSettings('batch', 'processor'), cfg({ send_batch_size: max, send_batch_max_size: max, timeout: '1h' }), metrics);
    const pl = new BatchLogsProcessor(testSettings('batch', 'processor'), cfg({ send_batch_size: max, send_batch_max_size: max, timeout: '1h' }), logs);
    for (const b of metricsIn) await pm.consumeMetrics(MetricBatch.decode(b));
    for (const b of logsIn) await pl.consumeLogs(LogBatch.decode(b));
    await pm.shutdown();
    await pl.shutdown();
    const ctx = `seed ${seed}, max ${max}`;
    assert.ok(metrics.counts.every((n) => n > 0 && n <= max), ctx);
    assert.ok(logs.counts.every((n) => n > 0 && n <= max), ctx);
    assert.deepEqual(metrics.batches.flatMap((b) => flattenPoints(b.encode())), metricsIn.flatMap((b) => flattenPoints(b)), ctx);
    assert.deepEqual(logs.batches.flatMap((b) => flattenRecords(b.encode())), logsIn.flatMap((b) => flattenRecords(b)), ctx);
  }
});
