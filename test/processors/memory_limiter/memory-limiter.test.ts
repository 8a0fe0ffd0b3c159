import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { memoryLimiterConfigSchema, type MemoryLimiterConfig } from '../../../src/processors/memory_limiter/config';
import { createMemoryLimiterTraces, memoryLimiterProcessorFactory } from '../../../src/processors/memory_limiter/factory';
import { cgroupMemoryLimit } from '../../../src/processors/memory_limiter/total-memory';
import { parseOrThrow } from '../../../src/config/schema';
import { CapturingConsumer, testHost, testSettings } from '../../../src/component/testing';
import { ConfigError, GrpcStatus, MemoryLimitError } from '../../../src/errors';
import { spansBatch } from '../helpers';

const MIB = 1024 * 1024;
const P = 'processors.memory_limiter';

function cfg(raw: Record<string, unknown> | null): MemoryLimiterConfig {
  return parseOrThrow(memoryLimiterConfigSchema, raw, P);
}

function rejects(raw: Record<string, unknown> | null, pathSuffix: string, message: string): void {
  assert.throws(
    () => cfg(raw),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.deepEqual(e.issues, [{ path: `${P}.${pathSuffix}`, message }]);
      return true;
    },
  );
}

test('config: upstream defaults and validation rules, each reported with its path', () => {
  rejects(null, 'check_interval', "'check_interval' must be greater than zero");
  rejects({ limit_mib: 100 }, 'check_interval', "'check_interval' must be greater than zero");
  rejects({ check_interval: '1s' }, 'limit_mib', "'limit_mib' or 'limit_percentage' must be greater than zero");
  rejects({ check_interval: '1s', limit_mib: 100, spike_limit_mib: 100 }, 'spike_limit_mib', "'spike_limit_mib' must be smaller than 'limit_mib'");
  rejects({ check_interval: '1s', limit_percentage: 101 }, 'limit_percentage', "'limit_percentage' and 'spike_limit_percentage' must be greater than zero and less than or equal to hundred");
  rejects(
    { check_interval: '1s', limit_percentage: 50, spike_limit_percentage: 50 },
    'spike_limit_percentage',
    "'spike_limit_percentage' must be smaller than 'limit_percentage'",
  );
  rejects(
    { check_interval: '1s', limit_mib: 100, min_gc_interval_when_soft_limited: '1s', min_gc_interval_when_hard_limited: '2s' },
    'min_gc_interval_when_soft_limited',
    "'min_gc_interval_when_soft_limited' should be larger than 'min_gc_interval_when_hard_limited'",
  );
  rejects(
    { check_interval: '1s', limit_mib: 100, max_gc_interval_when_soft_limited: '5s' },
    'max_gc_interval_when_soft_limited',
    "'max_gc_interval_when_soft_limited' must be greater than or equal to 'min_gc_interval_when_soft_limited' (or 0 to disable)",
  );
  rejects({ check_interval: '1s', limit_mib: -5 }, 'limit_mib', 'expected an integer between 0 and 4294967295, got -5');

  const c = cfg({ check_interval: '5s', limit_mib: 4000, spike_limit_mib: 500 }); // upstream testdata/config.yaml
  assert.deepEqual(c, {
    check_interval: 5000,
    limit_mib: 4000,
    spike_limit_mib: 500,
    limit_percentage: 0,
    spike_limit_percentage: 0,
    min_gc_interval_when_soft_limited: 10000,
    min_gc_interval_when_hard_limited: 0,
    max_gc_interval_when_soft_limited: 30000,
    max_gc_interval_when_hard_limited: 30000,
  });
  // limit_mib takes precedence; both set is valid.
  assert.equal(cfg({ check_interval: '1s', limit_mib: 100, limit_percentage: 80 }).limit_mib, 100);
  assert.equal(memoryLimiterProcessorFactory.type, 'memory_limiter');
});

test('over the soft limit data is refused with MemoryLimitError (UNAVAILABLE / 503, Retry-After); it recovers below', async () => {
  let used = 90 * MIB; // limit 100, spike 20 → soft limit 80 MiB
  const next = new CapturingConsumer();
  const set = testSettings('memory_limiter', 'processor');
  const host = testHost();
  const p = createMemoryLimiterTraces(set, cfg({ check_interval: '2500ms', limit_mib: 100, spike_limit_mib: 20 }), next, {
    readMemory: () => used,
    gc: null,
  });
  assert.equal(p.capabilities.mutatesData, false);
  await p.start(host); // measures at once
  const labels = { processor: 'memory_limiter' };
  assert.equal(set.registry.value('otelcol_processor_memory_limiter_refusing', labels), 1);
  assert.equal(host.componentStatuses().get('processor:memory_limiter'), 'recoverable_error');

  await assert.rejects(p.consumeTraces(spansBatch(3)), (e: unknown) => {
    assert.ok(e instanceof MemoryLimitError);
    assert.equal(e.message, 'data refused due to high memory usage');
    assert.equal(e.grpcStatus, GrpcStatus.UNAVAILABLE);
    assert.equal(e.httpStatus, 503);
    assert.equal(e.retryable, true);
    assert.equal(e.retryAfterSeconds, 3); // one check interval, rounded up
    return true;
  });
  assert.equal(next.batches.length, 0);
  assert.equal(set.registry.value('otelcol_processor_memory_limiter_refused_spans', labels), 3);

  used = 50 * MIB;
  p.limiter.checkMemLimits();
  await p.consumeTraces(spansBatch(2));
  assert.equal(next.spanCount, 2);
  assert.equal(set.registry.value('otelcol_processor_memory_limiter_accepted_spans', labels), 2);
  assert.equal(set.registry.value('otelcol_processor_memory_limiter_refusing', labels), 0);
  assert.equal(set.registry.value('otelcol_processor_memory_limiter_memory_used_bytes', labels), 50 * MIB);
  assert.equal(host.componentStatuses().get('processor:memory_limiter'), 'ok');
  assert.equal(set.registry.value('otelcol_processor_incoming_items', { ...labels, otel_signal: 'traces' }), 5);
  assert.equal(set.registry.value('otelcol_processor_outgoing_items', { ...labels, otel_signal: 'traces' }), 2);

  // Exactly at the soft limit refuses (upstream compares with >=).
  used = 80 * MIB;
  p.limiter.checkMemLimits();
  assert.equal(p.limiter.mustRefuse, true);
  used = 80 * MIB - 1;
  p.limiter.checkMemLimits();
  assert.equal(p.limiter.mustRefuse, false);
  await p.shutdown();
  await p.shutdown();
});

test('above the hard limit a GC is forced when available; if it frees enough, data keeps flowing', async () => {
  let used = 120 * MIB;
  let gcs = 0;
  let now = 0;
  const next = new CapturingConsumer();
  const p = createMemoryLimiterTraces(testSettings('memory_limiter', 'processor'), cfg({ check_interval: '1s', limit_mib: 100 }), next, {
    readMemory: () => used,
    gc: () => {
      gcs++;
      used = 40 * MIB;
    },
    now: () => now,
  });
  now = 5; // later than the last (initial) GC mark: min_gc_interval_when_hard_limited is 0
  await p.start(testHost());
  assert.equal(gcs, 1);
  assert.equal(p.limiter.mustRefuse, false);
  await p.consumeTraces(spansBatch(1));
  assert.equal(next.spanCount, 1);

  // Above the soft limit only (spike defaults to 20% → soft 80 MiB): GC waits for min_gc_interval_when_soft_limited (10s).
  used = 85 * MIB;
  now = 1000;
  p.limiter.checkMemLimits();
  assert.equal(gcs, 1);
  assert.equal(p.limiter.mustRefuse, true);
  now = 12_000;
  used = 85 * MIB;
  p.limiter.checkMemLimits();
  assert.equal(gcs, 2);
  assert.equal(p.limiter.mustRefuse, false);
  await p.shutdown();
});

test('limit_percentage is of total memory; spike defaults to 20% of the limit', async () => {
  let used = 700 * MIB;
  const p = createMemoryLimiterTraces(
    testSettings('memory_limiter', 'processor'),
    cfg({ check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 15 }),
    new CapturingConsumer(),
    { readMemory: () => used, totalMemory: () => 1000 * MIB, gc: null },
  );
  assert.equal(p.limiter.limitBytes, 800 * MIB);
  assert.equal(p.limiter.softLimitBytes, 650 * MIB); // upstream README example
  await p.start(testHost());
  assert.equal(p.limiter.mustRefuse, true);
  used = 600 * MIB;
  p.limiter.checkMemLimits();
  assert.equal(p.limiter.mustRefuse, false);
  await p.shutdown();

  const q = createMemoryLimiterTraces(testSettings('memory_limiter', 'processor'), cfg({ check_interval: '1s', limit_percentage: 50 }), new CapturingConsumer(), {
    readMemory: () => 0,
    totalMemory: () => 1000 * MIB,
    gc: null,
  });
  assert.equal(q.limiter.limitBytes, 500 * MIB);
  assert.equal(q.limiter.softLimitBytes, 400 * MIB);
});

test('factory: pipelines created from the same config share one limiter', async () => {
  const c = cfg({ check_interval: '1s', limit_mib: 1_000_000 });
  const a = memoryLimiterProcessorFactory.createTraces!(testSettings('memory_limiter', 'processor'), c, new CapturingConsumer());
  const b = memoryLimiterProcessorFactory.createTraces!(testSettings('memory_limiter', 'processor'), c, new CapturingConsumer());
  const other = memoryLimiterProcessorFactory.createTraces!(testSettings('memory_limiter', 'processor'), cfg({ check_interval: '1s', limit_mib: 1_000_000 }), new CapturingConsumer());
  const la = (a as unknown as { limiter: unknown }).limiter;
  assert.equal(la, (b as unknown as { limiter: unknown }).limiter);
  assert.notEqual(la, (other as unknown as { limiter: unknown }).limiter);
  await a.start(testHost());
  await b.start(testHost());
  await a.shutdown();
  await b.shutdown();
});

test('cgroup memory limit: v2 memory.max, v1 limit_in_bytes, "max"/unlimited → none', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cg-'));
  try {
    assert.equal(cgroupMemoryLimit(root), undefined);
    fs.mkdirSync(path.join(root, 'proc/self'), { recursive: true });
    fs.mkdirSync(path.join(root, 'sys/fs/cgroup/app'), { recursive: true });
    fs.writeFileSync(path.join(root, 'proc/self/cgroup'), '0::/app\n');
    fs.writeFileSync(path.join(root, 'sys/fs/cgroup/app/memory.max'), 'max\n');
    assert.equal(cgroupMemoryLimit(root), undefined);
    fs.writeFileSync(path.join(root, 'sys/fs/cgroup/app/memory.max'), '1073741824\n');
    assert.equal(cgroupMemoryLimit(root), 1024 * MIB);

    const v1 = fs.mkdtempSync(path.join(os.tmpdir(), 'cg1-'));
    fs.mkdirSync(path.join(v1, 'proc/self'), { recursive: true });
    fs.mkdirSync(path.join(v1, 'sys/fs/cgroup/memory'), { recursive: true });
    fs.writeFileSync(path.join(v1, 'proc/self/cgroup'), '4:memory:/\n');
    fs.writeFileSync(path.join(v1, 'sys/fs/cgroup/memory/memory.limit_in_bytes'), '9223372036854771712\n');
    assert.equal(cgroupMemoryLimit(v1), undefined);
    fs.writeFileSync(path.join(v1, 'sys/fs/cgroup/memory/memory.limit_in_bytes'), '536870912\n');
    assert.equal(cgroupMemoryLimit(v1), 512 * MIB);
    fs.rmSync(v1, { recursive: true, force: true });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('forced GC works without --expose-gc: garbage released by the collector shows up as freed memory', async () => {
  const { runtimeGc } = await import('../../../src/processors/memory_limiter/memory-limiter');
  const gc = runtimeGc();
  assert.equal(typeof gc, 'function', 'a full GC is available to the memory_limiter in a plain `node` process');
  // 64 MiB of external memory that becomes garbage: a forced GC must give it back (what the limiter relies on).
  let keep: Uint8Array[] | null = Array.from({ length: 64 }, () => new Uint8Array(MIB).fill(1));
  gc!();
  const held = process.memoryUsage().arrayBuffers;
  assert.ok(keep.length === 64 && held >= 64 * MIB, `64 MiB held (${held})`);
  keep = null;
  gc!();
  // V8 sweeps freed array buffers concurrently: the figure drops once the sweeper finished (a tick later).
  await new Promise((r) => setImmediate(r));
  gc!();
  const after = process.memoryUsage().arrayBuffers;
  assert.ok(held - after >= 60 * MIB, `a forced GC freed the 64 MiB (${held} → ${after} bytes of array buffers)`);
});
