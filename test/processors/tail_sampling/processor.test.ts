// The tail_sampling processor in-process (factory.createTraces with testSettings, a CapturingConsumer behind it,
// real timers with a short decision_wait): traces are held until decision_wait and then forwarded whole when
// sampled; late spans follow the remembered decision; full buffers decide the oldest traces early without losing a
// span; shutdown decides (or, with drop_pending_traces_on_shutdown, drops) what is buffered; the Go-named
// self-metrics; a worker's share of the process-wide bounds.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOrThrow } from '../../../src/config/schema';
import { CapturingConsumer, testHost, testSettings } from '../../../src/component/testing';
import type { TracesProcessor } from '../../../src/component/types';
import type { TraceBatch } from '../../../src/pdata/traces';
import { tailSamplingConfigSchema } from '../../../src/processors/tail_sampling/config';
import { tailSamplingProcessorFactory } from '../../../src/processors/tail_sampling/factory';
import { MetricRegistry } from '../../../src/telemetry/metrics';
import { buildBatch, traceIdHex, type TResource, type TSpan } from './ts-helpers';

const P = 'otelcol_processor_tail_sampling_';
const WAIT = 150;
const ERROR = 2;

const ERRORS_POLICY = { name: 'errors', type: 'status_code', status_code: { status_codes: ['ERROR'] } };

interface Harness {
  proc: TracesProcessor;
  sink: CapturingConsumer;
  registry: MetricRegistry;
  metric(name: string, labels?: Record<string, string>): number;
}

async function start(t: { after(fn: () => unknown): void }, raw: Record<string, unknown>, worker?: { index: number; count: number }): Promise<Harness> {
  const cfg = parseOrThrow(tailSamplingConfigSchema, { decision_wait: `${WAIT}ms`, policies: [ERRORS_POLICY], ...raw }, 'processors.tail_sampling');
  const set = testSettings('tail_sampling', 'processor');
  const sink = new CapturingConsumer();
  const proc = tailSamplingProcessorFactory.createTraces!(worker ? { ...set, worker } : set, cfg, sink);
  await proc.start(testHost());
  t.after(() => proc.shutdown());
  return { proc, sink, registry: set.registry, metric: (name, labels = {}) => set.registry.value(P + name, labels) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves once `check()` holds; fails the test after `maxMs` (bounds every real-time wait). */
async function until(check: () => boolean, maxMs: number, what: string): Promise<void> {
  const deadline = performance.now() + maxMs;
  while (!check()) {
    if (performance.now() > deadline) assert.fail(`timed out after ${maxMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** What the sink got: one entry per span, in order, with the index of the consumeTraces call that carried it. */
function received(sink: CapturingConsumer): Array<{ call: number; trace: string; name: string; service: string | undefined; status: number }> {
  const out: Array<{ call: number; trace: string; name: string; service: string | undefined; status: number }> = [];
  sink.batches.forEach((b: TraceBatch, call) => {
    for (let i = 0; i < b.spanCount; i++) {
      out.push({ call, trace: b.traceIdHex(i), name: b.name(i), service: b.resourceAttributes(b.spanResource(i)).getString('service.name'), status: b.statusCode(i) });
    }
  });
  return out;
}

const names = (sink: CapturingConsumer) => received(sink).map((r) => r.name).sort();
const svc = (service: string, spans: TSpan[]): TResource => ({ attrs: { 'service.name': service }, spans });

test('a trace is held until decision_wait, then forwarded whole (both resources) when a policy samples it', async (t) => {
  const h = await start(t, {});
  const t0 = performance.now();
  // trace 1: an OK span from service a, then an ERROR span from service b in a later request; trace 2 all OK
  await h.proc.consumeTraces(buildBatch([svc('a', [{ trace: 1, name: 't1-a' }, { trace: 2, name: 't2-a' }])]));
  await h.proc.consumeTraces(buildBatch([svc('b', [{ trace: 1, name: 't1-b', status: ERROR }, { trace: 2, name: 't2-b' }])]));
  assert.equal(h.sink.spanCount, 0, 'nothing is forwarded before a decision');
  assert.equal(h.metric('sampling_traces_on_memory'), 2);
  assert.equal(h.metric('new_trace_id_received'), 2);

  await until(() => h.metric('global_count_traces_sampled') === 2, 3000, 'both traces decided');
  const forwardedAfter = performance.now() - t0;
  assert.ok(forwardedAfter >= WAIT, `decided after ${forwardedAfter.toFixed(0)} ms, before decision_wait`);
  const got = received(h.sink);
  assert.deepEqual(got.map((r) => r.name).sort(), ['t1-a', 't1-b'], 'the sampled trace, all of it; not the other');
  assert.equal(new Set(got.map((r) => r.call)).size, 1, 'the whole trace in one forwarded batch');
  assert.deepEqual(
    got.map((r) => [r.name, r.service, r.status]).sort(),
    [['t1-a', 'a', 0], ['t1-b', 'b', ERROR]],
    'each span keeps its own resource and status',
  );
  assert.ok(got.every((r) => r.trace === traceIdHex(1)));
  assert.equal(h.metric('sampling_traces_on_memory'), 0);
});

test('a late span of a sampled trace is forwarded at once; of a not-sampled trace, dropped (decision cache)', async (t) => {
  const h = await start(t, { decision_cache: { sampled_cache_size: 100, non_sampled_cache_size: 100 } });
  await h.proc.consumeTraces(buildBatch([svc('a', [{ trace: 1, name: 'err', status: ERROR }, { trace: 2, name: 'ok' }])]));
  await until(() => h.metric('global_count_traces_sampled') === 2, 3000, 'both traces decided');
  assert.deepEqual(names(h.sink), ['err']);

  await h.proc.consumeTraces(buildBatch([svc('a', [{ trace: 1, name: 'late-of-sampled' }, { trace: 2, name: 'late-of-not-sampled' }])]));
  // no waiting: the late span of the sampled trace was forwarded before consumeTraces resolved
  assert.deepEqual(names(h.sink), ['err', 'late-of-sampled']);
  assert.equal(h.metric('early_releases_from_cache_decision', { sampled: 'true' }), 1);
  assert.equal(h.metric('early_releases_from_cache_decision', { sampled: 'false' }), 1);
  assert.equal(h.metric('sampling_traces_on_memory'), 0, 'late spans do not start new traces');
  assert.equal(h.metric('new_trace_id_received'), 2);

  // and the dropped one never shows up later either
  await sleep(WAIT * 2 + 50);
  assert.deepEqual(names(h.sink), ['err', 'late-of-sampled']);
  assert.equal(h.metric('global_count_traces_sampled'), 2, 'no second decision for a late span');
});

test('num_traces reached: the oldest traces are decided early, nothing is lost, the counter counts them', async (t) => {
  // decision caches large enough to remember all 10 decisions (0 would mean num_traces ids, as upstream)
  const h = await start(t, { num_traces: 2, decision_cache: { sampled_cache_size: 100, non_sampled_cache_size: 100 } });
  const N = 10;
  const isErr = (k: number) => k % 3 === 0;
  // round 1: the first span of each of 10 traces, one request per trace
  for (let k = 1; k <= N; k++) {
    await h.proc.consumeTraces(buildBatch([svc('a', [{ trace: k, name: `t${k}-1`, status: isErr(k) ? ERROR : 0 }])]));
    assert.ok(h.metric('sampling_traces_on_memory') <= 2, 'never more than num_traces undecided traces');
  }
  assert.equal(h.metric('sampling_trace_decided_early'), N - 2, 'each new trace beyond 2 decided the oldest early');
  assert.equal(h.metric('sampling_trace_dropped_too_early'), 0);
  // round 2: the second span of each trace (late for the early-decided ones, buffered for the two in memory)
  await h.proc.consumeTraces(buildBatch([svc('a', Array.from({ length: N }, (_, i) => ({ trace: i + 1, name: `t${i + 1}-2` })))]));
  await until(() => h.metric('global_count_traces_sampled') === N, 3000, 'every trace decided');

  const want: string[] = [];
  for (let k = 1; k <= N; k++) if (isErr(k)) want.push(`t${k}-1`, `t${k}-2`);
  assert.deepEqual(names(h.sink), want.sort(), 'exactly the spans of the sampled traces, each once');
  assert.equal(h.metric('global_count_traces_sampled', { decision: 'sampled' }), 3);
  assert.equal(h.metric('global_count_traces_sampled', { decision: 'not_sampled' }), N - 3);
  // spans of early-decided traces that came later followed the decision: 2 forwarded (t3, t6), 6 dropped
  assert.equal(h.metric('early_releases_from_cache_decision', { sampled: 'true' }), 2);
  assert.equal(h.metric('early_releases_from_cache_decision', { sampled: 'false' }), N - 2 - 2);
});

test('max_buffered_bytes reached: early decisions keep the buffer within its bound and lose no span', async (t) => {
  const LIMIT = 1 << 20; // the smallest per-worker budget the processor uses
  const h = await start(t, { max_buffered_bytes: LIMIT, policies: [ERRORS_POLICY] });
  assert.equal(h.metric('buffered_bytes_limit'), LIMIT);
  const big = 'x'.repeat(8 * 1024);
  const N = 300; // ~2.5 MB of span bytes: more than twice the budget
  const isErr = (k: number) => k % 4 === 0;
  let maxSeen = 0;
  for (let k = 1; k <= N; k += 10) {
    const spans: TSpan[] = [];
    for (let j = k; j < k + 10; j++) spans.push({ trace: j, name: `s${j}`, status: isErr(j) ? ERROR : 0, attrs: { blob: big } });
    await h.proc.consumeTraces(buildBatch([svc('a', spans)]));
    maxSeen = Math.max(maxSeen, h.metric('buffered_bytes'));
  }
  assert.ok(maxSeen <= LIMIT, `buffered_bytes reached ${maxSeen} > ${LIMIT}`);
  assert.ok(h.metric('sampling_trace_decided_early') > 0, 'some traces were decided early');
  await until(() => h.metric('global_count_traces_sampled') === N, 3000, 'every trace decided');
  const want = Array.from({ length: N }, (_, i) => i + 1).filter(isErr).map((k) => `s${k}`);
  assert.deepEqual(names(h.sink), want.sort());
  assert.equal(h.metric('global_count_traces_sampled', { decision: 'sampled' }), want.length);
  assert.equal(h.metric('buffered_spans'), 0);
});

test('shutdown decides every buffered trace and forwards the sampled ones before it resolves', async (t) => {
  const h = await start(t, { decision_wait: '60s' });
  await h.proc.consumeTraces(buildBatch([svc('a', [{ trace: 1, name: 'e1', status: ERROR }, { trace: 1, name: 'e2' }, { trace: 2, name: 'ok' }, { trace: 3, name: 'e3', status: ERROR }])]));
  assert.equal(h.sink.spanCount, 0);
  await h.proc.shutdown();
  assert.deepEqual(names(h.sink), ['e1', 'e2', 'e3']);
  assert.equal(h.metric('global_count_traces_sampled', { decision: 'sampled' }), 2);
  assert.equal(h.metric('global_count_traces_sampled', { decision: 'not_sampled' }), 1);
  assert.equal(h.metric('sampling_traces_on_memory'), 0);
});

test('drop_pending_traces_on_shutdown: shutdown drops the undecided traces', async (t) => {
  const h = await start(t, { decision_wait: '60s', drop_pending_traces_on_shutdown: true });
  await h.proc.consumeTraces(buildBatch([svc('a', [{ trace: 1, name: 'e1', status: ERROR }, { trace: 2, name: 'ok' }])]));
  await h.proc.shutdown();
  assert.equal(h.sink.spanCount, 0);
  assert.equal(h.metric('global_count_traces_sampled'), 0, 'nothing was decided');
  assert.equal(h.metric('sampling_traces_on_memory'), 0);
});

test('self-metrics carry the Go names and labels (global and per-policy decisions, new traces, traces on memory)', async (t) => {
  const h = await start(t, {
    policies: [ERRORS_POLICY, { name: 'slow', type: 'latency', latency: { threshold_ms: 1000 } }],
  });
  const T0 = 1_700_000_000_000_000_000n;
  const S = 1_000_000_000n;
  await h.proc.consumeTraces(
    buildBatch([
      svc('a', [
        { trace: 1, name: 'err', status: ERROR },
        { trace: 2, name: 'slow', start: T0, end: T0 + 2n * S },
        { trace: 3, name: 'plain' },
      ]),
    ]),
  );
  assert.equal(h.metric('new_trace_id_received'), 3);
  assert.equal(h.metric('sampling_traces_on_memory'), 3);
  await until(() => h.metric('global_count_traces_sampled') === 3, 3000, 'every trace decided');
  assert.deepEqual(names(h.sink), ['err', 'slow']);
  assert.equal(h.metric('global_count_traces_sampled', { decision: 'sampled', sampled: 'true' }), 2);
  assert.equal(h.metric('global_count_traces_sampled', { decision: 'not_sampled', sampled: 'false' }), 1);
  assert.equal(h.metric('count_traces_sampled', { policy: 'errors', decision: 'sampled', sampled: 'true' }), 1);
  assert.equal(h.metric('count_traces_sampled', { policy: 'errors', decision: 'not_sampled' }), 2);
  assert.equal(h.metric('count_traces_sampled', { policy: 'slow', decision: 'sampled' }), 1);
  assert.equal(h.metric('count_traces_sampled', { policy: 'slow', decision: 'not_sampled' }), 2);
  assert.equal(h.metric('sampling_traces_on_memory'), 0);
  assert.equal(h.metric('sampling_trace_dropped_too_early'), 0);
  assert.equal(h.metric('early_releases_from_cache_decision'), 0);
  assert.equal(h.registry.value('otelcol_processor_incoming_items', { processor: 'tail_sampling' }), 3);
  // Prometheus text: the families as a Go collector user's dashboards query them
  const text = h.registry.renderPrometheus();
  for (const name of ['global_count_traces_sampled', 'count_traces_sampled', 'new_trace_id_received', 'sampling_traces_on_memory', 'early_releases_from_cache_decision', 'sampling_decision_latency']) {
    assert.match(text, new RegExp(`^# TYPE ${P}${name}(_total)? `, 'm'), `${name} is exposed`);
  }
  assert.match(text, new RegExp(`^${P}count_traces_sampled(_total)?\\{[^}]*policy="errors"[^}]*\\} 1$`, 'm'));
});

test('worker {index: 1, count: 2}: the process-wide bounds are halved for this worker and its metrics say which worker', async (t) => {
  const MIB = 1 << 20;
  const h = await start(t, { max_buffered_bytes: 8 * MIB, num_traces: 4 }, { index: 1, count: 2 });
  assert.equal(h.metric('buffered_bytes_limit', { worker: '1' }), 4 * MIB);
  for (let k = 1; k <= 3; k++) await h.proc.consumeTraces(buildBatch([svc('a', [{ trace: k, name: `t${k}`, status: ERROR }])]));
  // num_traces 4 over 2 workers: this worker holds 2, the third trace decides the first one early
  assert.equal(h.metric('sampling_traces_on_memory', { worker: '1' }), 2);
  assert.equal(h.metric('sampling_trace_decided_early', { worker: '1' }), 1);
  assert.deepEqual(names(h.sink), ['t1']);
  await until(() => h.metric('global_count_traces_sampled') === 3, 3000, 'every trace decided');
  assert.deepEqual(names(h.sink), ['t1', 't2', 't3']);
});
