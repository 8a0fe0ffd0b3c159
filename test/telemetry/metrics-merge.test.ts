// The acceptor's MetricRegistry merges the worker threads' registries (snapshots sent over a BroadcastChannel)
// into one /metrics: N workers' instances of a component show as one series per label set, summed, with the
// acceptor's const labels (service_instance_id, ...) — what a Go collector user's dashboards expect.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { MetricRegistry, type FamilySnapshot } from '../../src/telemetry/metrics';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parse Prometheus text: samples, and the HELP/TYPE lines per family. */
function parseProm(text: string): { samples: Sample[]; types: Map<string, string[]>; seriesKeys: string[] } {
  const samples: Sample[] = [];
  const types = new Map<string, string[]>();
  const seriesKeys: string[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const t = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (t) {
      types.set(t[1]!, [...(types.get(t[1]!) ?? []), t[2]!]);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `unparsable sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const lm of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[lm[1]!] = lm[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
    seriesKeys.push(`${m[1]}{${m[2] ?? ''}}`);
  }
  return { samples, types, seriesKeys };
}

function find(samples: Sample[], name: string, labels: Record<string, string>): Sample[] {
  return samples.filter((s) => s.name === name && Object.keys(labels).length === Object.keys(s.labels).length && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

function one(samples: Sample[], name: string, labels: Record<string, string>): number {
  const got = find(samples, name, labels);
  assert.equal(got.length, 1, `exactly one ${name}${JSON.stringify(labels)} series; got ${JSON.stringify(got)}`);
  return got[0]!.value;
}

const CONST = { service_instance_id: 'abc', service_name: 'otelcol-ts' };

/** A worker's registry: no const labels (the acceptor adds them), the same instruments as the acceptor's. */
function workerRegistry(sent: number, failed: number, queue: number, latencies: number[]): MetricRegistry {
  const w = new MetricRegistry();
  w.counter('otelcol_exporter_sent_spans', 'Spans sent', { exporter: 'otlp' }).add(sent);
  w.counter('otelcol_exporter_send_failed_spans', 'Spans failed', { exporter: 'otlp' }).add(failed);
  w.observableGauge('otelcol_exporter_queue_size', 'Queue size', { exporter: 'otlp', data_type: 'traces' }, () => queue);
  const h = w.histogram('otelcol_processor_batch_batch_send_size', 'Batch sizes', { processor: 'batch' }, [10, 100, 1000]);
  for (const v of latencies) h.record(v);
  return w;
}

test('setRemote merges worker snapshots: counters and gauges summed per label set, const labels applied', () => {
  const main = new MetricRegistry(CONST);
  main.counter('otelcol_receiver_accepted_spans', 'Accepted', { receiver: 'otlp', transport: 'grpc' }).add(100);
  // The acceptor may also have a local instance of a series the workers report (e.g. after a fallback).
  main.counter('otelcol_exporter_sent_spans', 'Spans sent', { exporter: 'otlp' }).add(1);

  const w1 = workerRegistry(30, 2, 5, [5, 50]);
  const w2 = workerRegistry(40, 0, 7, [500, 5000, 7]);
  const w3 = new MetricRegistry();
  w3.counter('otelcol_exporter_sent_spans', 'Spans sent', { exporter: 'otlphttp/backup' }).add(9);
  main.setRemote('worker-1', w1.snapshot());
  main.setRemote('worker-2', w2.snapshot());
  main.setRemote('worker-3', w3.snapshot());

  const text = main.renderPrometheus();
  const { samples, types, seriesKeys } = parseProm(text);
  assert.deepEqual(seriesKeys.filter((k, i) => seriesKeys.indexOf(k) !== i), [], `one series per label set\n${text}`);
  for (const [fam, ts] of types) assert.equal(ts.length, 1, `one TYPE line for ${fam}`);

  assert.equal(one(samples, 'otelcol_exporter_sent_spans_total', { ...CONST, exporter: 'otlp' }), 71, 'local 1 + 30 + 40');
  assert.equal(one(samples, 'otelcol_exporter_sent_spans_total', { ...CONST, exporter: 'otlphttp/backup' }), 9, 'another label set stays apart');
  assert.equal(one(samples, 'otelcol_exporter_send_failed_spans_total', { ...CONST, exporter: 'otlp' }), 2);
  assert.equal(one(samples, 'otelcol_exporter_queue_size', { ...CONST, exporter: 'otlp', data_type: 'traces' }), 12, 'gauges summed (5 + 7)');
  assert.equal(one(samples, 'otelcol_receiver_accepted_spans_total', { ...CONST, receiver: 'otlp', transport: 'grpc' }), 100);
  assert.equal(types.get('otelcol_exporter_sent_spans_total')?.[0], 'counter');
  assert.equal(types.get('otelcol_exporter_queue_size')?.[0], 'gauge');
  // No remote series without the const labels.
  assert.deepEqual(samples.filter((s) => s.labels.service_instance_id !== 'abc'), [], 'every series carries the const labels');

  // value() (health checks, tests) reads the merged view.
  assert.equal(main.value('otelcol_exporter_sent_spans'), 80);
  assert.equal(main.value('otelcol_exporter_sent_spans', { exporter: 'otlp' }), 71);
  assert.equal(main.value('otelcol_exporter_queue_size'), 12);
});

test('histograms merge bucket-wise (counts, sum, count) and render cumulative buckets once', () => {
  const main = new MetricRegistry(CONST);
  const local = main.histogram('otelcol_processor_batch_batch_send_size', 'Batch sizes', { processor: 'batch' }, [10, 100, 1000]);
  local.record(1);
  main.setRemote('worker-1', workerRegistry(0, 0, 0, [5, 50]).snapshot());
  main.setRemote('worker-2', workerRegistry(0, 0, 0, [500, 5000, 7]).snapshot());
  const { samples, seriesKeys } = parseProm(main.renderPrometheus());
  assert.deepEqual(seriesKeys.filter((k, i) => seriesKeys.indexOf(k) !== i), []);
  const L = { ...CONST, processor: 'batch' };
  // Values: 1 (local), 5, 50 (w1), 500, 5000, 7 (w2) → le=10: 1,5,7; le=100: +50; le=1000: +500; +Inf: +5000.
  assert.equal(one(samples, 'otelcol_processor_batch_batch_send_size_bucket', { ...L, le: '10' }), 3);
  assert.equal(one(samples, 'otelcol_processor_batch_batch_send_size_bucket', { ...L, le: '100' }), 4);
  assert.equal(one(samples, 'otelcol_processor_batch_batch_send_size_bucket', { ...L, le: '1000' }), 5);
  assert.equal(one(samples, 'otelcol_processor_batch_batch_send_size_bucket', { ...L, le: '+Inf' }), 6);
  assert.equal(one(samples, 'otelcol_processor_batch_batch_send_size_count', L), 6);
  assert.equal(one(samples, 'otelcol_processor_batch_batch_send_size_sum', L), 1 + 5 + 50 + 500 + 5000 + 7);
  // Rendering twice must not accumulate into the local histogram.
  const again = parseProm(main.renderPrometheus()).samples;
  assert.equal(one(again, 'otelcol_processor_batch_batch_send_size_count', L), 6, 'merge does not modify the local series');
  local.record(2);
  assert.equal(one(parseProm(main.renderPrometheus()).samples, 'otelcol_processor_batch_batch_send_size_count', L), 7);
});

test('a new snapshot from a source replaces the previous one (cumulative values are not added twice); undefined removes it', () => {
  const main = new MetricRegistry(CONST);
  const w = new MetricRegistry();
  const c = w.counter('otelcol_exporter_sent_spans', 'Spans sent', { exporter: 'otlp' });
  c.add(10);
  main.setRemote('worker-9', w.snapshot());
  assert.equal(main.value('otelcol_exporter_sent_spans'), 10);
  c.add(5);
  main.setRemote('worker-9', w.snapshot());
  assert.equal(main.value('otelcol_exporter_sent_spans'), 15, 'latest snapshot only');
  main.renderPrometheus();
  assert.equal(main.value('otelcol_exporter_sent_spans'), 15, 'rendering does not change values');
  assert.deepEqual(main.remote('worker-9'), w.snapshot());
  main.setRemote('worker-9', undefined);
  assert.equal(main.value('otelcol_exporter_sent_spans'), 0);
  assert.equal(main.remote('worker-9'), undefined);
  assert.doesNotMatch(main.renderPrometheus(), /otelcol_exporter_sent_spans/);
});

test('snapshot() is plain data that survives structured cloning and reads observable gauges now', () => {
  const w = new MetricRegistry();
  let q = 3;
  w.observableGauge('otelcol_exporter_queue_size', 'Queue size', { exporter: 'otlp' }, () => q);
  w.gauge('otelcol_exporter_queue_capacity', 'Capacity', { exporter: 'otlp' }).set(1000);
  w.histogram('h', 'h', {}, [1]).record(0.5);
  const s1 = structuredClone(w.snapshot()) as FamilySnapshot[];
  q = 8;
  const s2 = structuredClone(w.snapshot()) as FamilySnapshot[];
  const val = (s: FamilySnapshot[], n: string) => s.find((f) => f.name === n)!.series[0]!.value;
  assert.equal(val(s1, 'otelcol_exporter_queue_size'), 3);
  assert.equal(val(s2, 'otelcol_exporter_queue_size'), 8);
  assert.equal(val(s2, 'otelcol_exporter_queue_capacity'), 1000);
  const h = s2.find((f) => f.name === 'h')!.series[0]!;
  assert.deepEqual([h.buckets, h.counts, h.sum, h.count], [[1], [1, 0], 0.5, 1]);
  // A snapshot is a copy: recording later does not change it.
  w.histogram('h', 'h', {}, [1]).record(5);
  assert.deepEqual(h.counts, [1, 0]);
});

test('refresh() asks every source for fresh snapshots, waits for them, and never rejects', async () => {
  const main = new MetricRegistry(CONST);
  const workers = [new MetricRegistry(), new MetricRegistry()];
  const counters = workers.map((w) => w.counter('otelcol_exporter_sent_spans', 'Spans sent', { exporter: 'otlp' }));
  let calls = 0;
  main.onRefresh(async () => {
    calls++;
    await new Promise((r) => setTimeout(r, 10));
    workers.forEach((w, k) => main.setRemote(`worker-${k}`, w.snapshot()));
  });
  main.onRefresh(async () => {
    throw new Error('a source that fails');
  });
  counters[0]!.add(4);
  counters[1]!.add(6);
  assert.equal(main.value('otelcol_exporter_sent_spans'), 0, 'nothing merged before refresh');
  await main.refresh();
  assert.equal(calls, 1);
  assert.equal(main.value('otelcol_exporter_sent_spans'), 10);
  counters[1]!.add(1);
  await main.refresh();
  const { samples } = parseProm(main.renderPrometheus());
  assert.equal(one(samples, 'otelcol_exporter_sent_spans_total', { ...CONST, exporter: 'otlp' }), 11);
});

test('remote series keep their own labels; label values are escaped once in the merged rendering', () => {
  const main = new MetricRegistry(CONST);
  const w = new MetricRegistry();
  w.counter('otelcol_receiver_refused_spans', 'Refused', { receiver: 'otlp/"quoted"\\x', transport: 'http' }).add(2);
  main.setRemote('worker-1', w.snapshot());
  main.setRemote('worker-2', w.snapshot());
  const text = main.renderPrometheus();
  assert.match(text, /^otelcol_receiver_refused_spans_total\{receiver="otlp\/\\"quoted\\"\\\\x",service_instance_id="abc",service_name="otelcol-ts",transport="http"\} 4$/m, text);
});
