// memory_limiter for metrics and logs: one limiter shared across signals, refusals per signal.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryLimiterConfigSchema, type MemoryLimiterConfig } from '../../../src/processors/memory_limiter/config';
import {
  createMemoryLimiterLogs, createMemoryLimiterMetrics, createMemoryLimiterTraces, memoryLimiterProcessorFactory,
} from '../../../src/processors/memory_limiter/factory';
import {
  MemoryLimiter, MemoryLimiterLogsProcessor, MemoryLimiterMetricsProcessor, MemoryLimiterTracesProcessor,
} from '../../../src/processors/memory_limiter/memory-limiter';
import { parseOrThrow } from '../../../src/config/schema';
import { CapturingConsumer, testHost, testSettings } from '../../../src/component/testing';
import { GrpcStatus, MemoryLimitError } from '../../../src/errors';
import { nopLogger } from '../../../src/telemetry/logger';
import type { LogBatch } from '../../../src/pdata/logs';
import type { MetricBatch } from '../../../src/pdata/metrics';
import { spansBatch } from '../helpers';
import { Capturing, pointsBatch, recordsBatch } from '../internal/signal-helpers';

const MIB = 1024 * 1024;
const L = { processor: 'memory_limiter' };

function cfg(raw: Record<string, unknown>): MemoryLimiterConfig {
  return parseOrThrow(memoryLimiterConfigSchema, raw, 'processors.memory_limiter');
}

test('factory: beta for traces, metrics and logs; one limiter per config object, shared by every signal', () => {
  assert.deepEqual(memoryLimiterProcessorFactory.stability, { traces: 'beta', metrics: 'beta', logs: 'beta' });
  const c = cfg({ check_interval: '1s', limit_mib: 4000 });
  const set = testSettings('memory_limiter', 'processor');
  const t = memoryLimiterProcessorFactory.createTraces!(set, c, new CapturingConsumer()) as MemoryLimiterTracesProcessor;
  const m = memoryLimiterProcessorFactory.createMetrics!(set, c, new Capturing<MetricBatch>()) as MemoryLimiterMetricsProcessor;
  const l = memoryLimiterProcessorFactory.createLogs!(set, c, new Capturing<LogBatch>()) as MemoryLimiterLogsProcessor;
  assert.ok(m instanceof MemoryLimiterMetricsProcessor && l instanceof MemoryLimiterLogsProcessor);
  assert.equal(m.limiter, t.limiter);
  assert.equal(l.limiter, t.limiter);
  assert.equal(m.capabilities.mutatesData, false);
  // Another config object (another memory_limiter id) has its own limiter.
  const other = memoryLimiterProcessorFactory.createMetrics!(set, cfg({ check_interval: '1s', limit_mib: 4000 }), new Capturing<MetricBatch>());
  assert.notEqual((other as MemoryLimiterMetricsProcessor).limiter, t.limiter);
});

test('above the soft limit every signal is refused with MemoryLimitError; refusals are counted per signal; below, data flows', async () => {
  let used = 90 * MIB; // limit 100, spike 20 → soft limit 80 MiB
  const limiter = new MemoryLimiter(cfg({ check_interval: '1h', limit_mib: 100, spike_limit_mib: 20 }), nopLogger, { readMemory: () => used, gc: null });
  const set = testSettings('memory_limiter', 'processor');
  const traces = new CapturingConsumer();
  const metrics = new Capturing<MetricBatch>();
  const logs = new Capturing<LogBatch>();
  const pt = new MemoryLimiterTracesProcessor(set, limiter, traces);
  const pm = new MemoryLimiterMetricsProcessor(set, limiter, metrics);
  const pl = new MemoryLimiterLogsProcessor(set, limiter, logs);
  const host = testHost();
  await Promise.all([pt.start(host), pm.start(host), pl.start(host)]); // first start measures: refusing
  assert.equal(limiter.mustRefuse, true);

  const refused = (e: unknown) => {
    assert.ok(e instanceof MemoryLimitError, String(e));
    assert.equal(e.retryable, true);
    assert.equal(e.grpcStatus, GrpcStatus.UNAVAILABLE);
    assert.equal(e.httpStatus, 503);
    return true;
  };
  await assert.rejects(pt.consumeTraces(spansBatch(2)), refused);
  await assert.rejects(pm.consumeMetrics(pointsBatch(5)), refused);
  await assert.rejects(pm.consumeMetrics(pointsBatch(1)), refused);
  await assert.rejects(pl.consumeLogs(recordsBatch(7)), refused);
  assert.equal(metrics.batches.length + logs.batches.length + traces.batches.length, 0);
  assert.equal(set.registry.value('otelcol_processor_memory_limiter_refused_spans', L), 2);
  assert.equal(set.registry.value('otelcol_processor_memory_limiter_refused_metric_points', L), 6);
  assert.equal(set.registry.value('otelcol_processor_memory_limiter_refused_log_records', L), 7);
  assert.equal(set.registry.value('otelcol_processor_incoming_items', { ...L, otel_signal: 'metrics' }), 6);
  assert.equal(set.registry.value('otelcol_processor_outgoing_items', { ...L, otel_signal: 'metrics' }), 0);
  assert.equal(set.registry.value('otelcol_processor_incoming_items', { ...L, otel_signal: 'logs' }), 7);

  used = 50 * MIB;
  limiter.checkMemLimits();
  const mb = pointsBatch(3);
  const lb = recordsBatch(4);
  await pm.consumeMetrics(mb);
  await pl.consumeLogs(lb);
  assert.equal(metrics.batches[0], mb); // forwarded unchanged (the same batch)
  assert.equal(logs.batches[0], lb);
  assert.equal(set.registry.value('otelcol_processor_memory_limiter_accepted_metric_points', L), 3);
  assert.equal(set.registry.value('otelcol_processor_memory_limiter_accepted_log_records', L), 4);
  assert.equal(set.registry.value('otelcol_processor_outgoing_items', { ...L, otel_signal: 'logs' }), 4);
  assert.equal(set.registry.value('otelcol_processor_memory_limiter_refusing', L), 0);

  // The limiter keeps measuring until the last of its processors shuts down.
  await pt.shutdown();
  await pm.shutdown();
  used = 95 * MIB;
  limiter.checkMemLimits();
  await assert.rejects(pl.consumeLogs(recordsBatch(1)), refused);
  await pl.shutdown();
});

test('factory helpers with injected memory reader create working metrics and logs processors', async () => {
  let used = 10 * MIB;
  const c = cfg({ check_interval: '1h', limit_mib: 100 });
  const opts = { readMemory: () => used, gc: null };
  const set = testSettings('memory_limiter/x', 'processor');
  const m = createMemoryLimiterMetrics(set, c, new Capturing<MetricBatch>(), opts);
  const l = createMemoryLimiterLogs(set, c, new Capturing<LogBatch>(), opts);
  const t = createMemoryLimiterTraces(set, c, new CapturingConsumer(), opts);
  await Promise.all([m.start(testHost()), l.start(testHost()), t.start(testHost())]);
  await m.consumeMetrics(pointsBatch(2));
  await l.consumeLogs(recordsBatch(2));
  used = 99 * MIB;
  m.limiter.checkMemLimits();
  await assert.rejects(m.consumeMetrics(pointsBatch(2)), MemoryLimitError);
  await Promise.all([m.shutdown(), l.shutdown(), t.shutdown()]);
});
