// The exporter helper with real metric and log batches: items are data points / log records (queue sizer,
// batching, self-metrics named otelcol_exporter_*_metric_points / _log_records), and sending_queue.batch merges
// with MetricBatch/LogBatch concat and splits with slice without losing or reordering an item.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { helperExporter } from '../../../src/exporters/exporterhelper/exporter-helper';
import { queueSchema, type QueueConfig } from '../../../src/exporters/exporterhelper/config';
import { parseOrThrow } from '../../../src/config/schema';
import { testHost, testSettings } from '../../../src/component/testing';
import { LogBatch } from '../../../src/pdata/logs';
import { MetricBatch } from '../../../src/pdata/metrics';
import { oracleDecodeLogs, oracleDecodeMetrics } from '../../oracle/otlp-oracle';
import { pointsRequestBytes, recordsRequestBytes } from '../fixtures';
import { until } from '../util';

function queueCfg(over: Record<string, unknown> = {}): QueueConfig {
  return parseOrThrow(queueSchema(true), over, 'exporters.x.sending_queue');
}

type Rows = Array<Record<string, unknown>>;
const list = (v: unknown): Rows => (Array.isArray(v) ? (v as Rows) : []);

/** One string per data point with its resource, scope and metric descriptor: what must survive batching. */
function metricRows(canonical: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const rm of list(canonical['resourceMetrics'])) {
    for (const sm of list(rm['scopeMetrics'])) {
      for (const m of list(sm['metrics'])) {
        const gauge = m['gauge'] as Record<string, unknown>;
        for (const p of list(gauge['dataPoints'])) out.push(JSON.stringify([rm['resource'], sm['scope'], m['name'], m['unit'], p]));
      }
    }
  }
  return out;
}

function logRows(canonical: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const rl of list(canonical['resourceLogs'])) {
    for (const sl of list(rl['scopeLogs'])) for (const r of list(sl['logRecords'])) out.push(JSON.stringify([rl['resource'], sl['scope'], r]));
  }
  return out;
}

const CASES = [
  {
    signal: 'metrics' as const,
    unit: 'metric_points',
    make: (n: number, seed: number) => MetricBatch.decode(pointsRequestBytes(n, seed)),
    rows: (b: Uint8Array) => metricRows(oracleDecodeMetrics(b)),
  },
  {
    signal: 'logs' as const,
    unit: 'log_records',
    make: (n: number, seed: number) => LogBatch.decode(recordsRequestBytes(n, seed)),
    rows: (b: Uint8Array) => logRows(oracleDecodeLogs(b)),
  },
];

for (const c of CASES) {
  test(`${c.signal}: sending_queue.batch merges to min_size and splits at max_size in items, every item once, in order`, async () => {
    const sent: Uint8Array[] = [];
    const set = testSettings('otlp/test', 'exporter');
    const exp = helperExporter(c.signal, set, {
      timeoutMs: 5000,
      queue: queueCfg({ num_consumers: 1, batch: { min_size: 10, max_size: 12, flush_timeout: '10s' } }),
      push: async (b) => void sent.push(b.encode()),
    });
    await exp.start(testHost());
    const consume = (b: MetricBatch | LogBatch) =>
      c.signal === 'metrics' ? (exp as ReturnType<typeof helperExporter<'metrics'>>).consumeMetrics(b as MetricBatch) : (exp as ReturnType<typeof helperExporter<'logs'>>).consumeLogs(b as LogBatch);
    const expected: string[] = [];
    for (let seed = 1; seed <= 4; seed++) {
      const b = c.make(3, seed); // 3, 6, 9, 12 items: one batch of 12
      expected.push(...c.rows(b.encode()));
      await consume(b);
    }
    await until(() => sent.length === 1);
    const big = c.make(30, 5); // split into 12 + 12 + 6 (the 6 is flushed at shutdown)
    expected.push(...c.rows(big.encode()));
    await consume(big);
    await until(() => sent.length === 3);
    await exp.shutdown();
    const got = sent.map((b) => c.rows(b));
    assert.deepEqual(got.map((r) => r.length), [12, 12, 12, 6]);
    assert.deepEqual(got.flat(), expected);
    assert.equal(set.registry.value(`otelcol_exporter_sent_${c.unit}`, { exporter: 'otlp/test' }), 42);
    assert.equal(set.registry.value('otelcol_exporter_queue_capacity', { data_type: c.signal }), 1000);
  });

  test(`${c.signal}: the bytes sizer bounds the queue by the batches' byteSize`, async () => {
    const set = testSettings('otlp/test', 'exporter');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const one = c.make(50, 1);
    const exp = helperExporter(c.signal, set, {
      timeoutMs: 5000,
      // Room for two such batches, not three.
      queue: queueCfg({ num_consumers: 1, sizer: 'bytes', queue_size: Math.floor(one.byteSize * 2.5) }),
      push: () => gate,
    });
    await exp.start(testHost());
    const consume = (b: MetricBatch | LogBatch) =>
      c.signal === 'metrics' ? (exp as ReturnType<typeof helperExporter<'metrics'>>).consumeMetrics(b as MetricBatch) : (exp as ReturnType<typeof helperExporter<'logs'>>).consumeLogs(b as LogBatch);
    await consume(c.make(50, 1));
    await consume(c.make(50, 2));
    await assert.rejects(consume(c.make(50, 3)), /sending queue is full/);
    assert.equal(set.registry.value(`otelcol_exporter_enqueue_failed_${c.unit}`, { exporter: 'otlp/test' }), 50);
    release();
    await exp.shutdown();
    assert.equal(set.registry.value(`otelcol_exporter_sent_${c.unit}`, { exporter: 'otlp/test' }), 100);
  });
}
