import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ExporterHelper, type ExporterHelperOptions, type PushFunc } from '../../../src/exporters/exporterhelper/exporter-helper';
import { queueSchema, retrySchema, type QueueConfig, type RetryConfig } from '../../../src/exporters/exporterhelper/config';
import { BackendError } from '../../../src/exporters/exporterhelper/errors';
import { ExponentialBackOff } from '../../../src/exporters/exporterhelper/retry';
import { parseOrThrow } from '../../../src/config/schema';
import { ConfigError, OverloadedError, ShutdownError } from '../../../src/errors';
import { testHost, testSettings } from '../../../src/component/testing';

/** A fake request: a list of item ids. */
interface Data {
  ids: number[];
}
let nextId = 0;
const data = (n: number): Data => ({ ids: Array.from({ length: n }, () => nextId++) });

function queueCfg(over: Record<string, unknown> = {}): QueueConfig {
  return parseOrThrow(queueSchema(true), over, 'exporters.x.sending_queue');
}
function retryCfg(over: Record<string, unknown> = {}): RetryConfig {
  return parseOrThrow(retrySchema, { initial_interval: '5ms', max_interval: '20ms', max_elapsed_time: '5s', ...over }, 'exporters.x.retry_on_failure');
}

function helper(push: PushFunc<Data>, over: Partial<ExporterHelperOptions<Data>> = {}, level: 'normal' | 'detailed' = 'normal') {
  const set = { ...testSettings('otlp/test', 'exporter'), metricsLevel: level };
  const h = new ExporterHelper<Data>(set, {
    signal: 'traces',
    timeoutMs: 5000,
    retry: retryCfg(),
    queue: queueCfg({ enabled: false }),
    push,
    itemCount: (d) => d.ids.length,
    byteSize: (d) => d.ids.length * 100,
    batchOps: {
      merge: (parts) => ({ ids: parts.flatMap((p) => p.ids) }),
      split: (d, n) => [{ ids: d.ids.slice(0, n) }, { ids: d.ids.slice(n) }],
    },
    ...over,
  });
  const reg = set.registry;
  const metric = (name: string, labels: Record<string, string> = {}) => reg.value(name, { exporter: 'otlp/test', ...labels });
  return { h, reg, metric };
}

/** A push that the test releases by hand. */
function gatedPush() {
  const calls: Array<{ d: Data; signal: AbortSignal; resolve: () => void; reject: (e: unknown) => void }> = [];
  const push: PushFunc<Data> = (d, signal) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ d, signal, resolve, reject });
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  return { calls, push };
}

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await tick();
  }
}

// ---------------------------------------------------------------- config

test('config: Go defaults for retry_on_failure and sending_queue', () => {
  const r = parseOrThrow(retrySchema, undefined, 'r');
  assert.deepEqual(r, { enabled: true, initial_interval: 5000, randomization_factor: 0.5, multiplier: 1.5, max_interval: 30000, max_elapsed_time: 300000 });
  const q = parseOrThrow(queueSchema(true), undefined, 'q');
  assert.deepEqual(q, {
    enabled: true, wait_for_result: false, sizer: 'requests', queue_size: 1000, block_on_overflow: false, storage: undefined, num_consumers: 10, batch: undefined,
  });
  assert.equal(parseOrThrow(queueSchema(false), undefined, 'q').enabled, false);
  // Present but empty means enabled with defaults, even where the default is disabled (debug).
  assert.equal(parseOrThrow(queueSchema(false), null, 'q').enabled, true);
});

test('config: `batch:` null turns queue batching on with the Go defaults; sizer inherited as in Go', () => {
  const q = queueCfg({ batch: null });
  assert.deepEqual(q.batch, { flush_timeout: 200, sizer: 'items', min_size: 8192, max_size: 0, partition: { metadata_keys: [] } });
  const q2 = queueCfg({ sizer: 'items', queue_size: 100000, batch: { min_size: 1000 } });
  assert.equal(q2.batch?.sizer, 'items');
  // batch section empty: no inheritance, batch keeps its own default sizer
  const q3 = queueCfg({ sizer: 'bytes', queue_size: 100000000, batch: {} });
  assert.equal(q3.batch?.sizer, 'items');
});

test('config: invalid values are rejected with their YAML path and the Go message', () => {
  const issues = (raw: unknown) => {
    try {
      parseOrThrow(queueSchema(true), raw, 'exporters.otlp.sending_queue');
      return [];
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      return e.issues.map((i) => `${i.path}: ${i.message}`);
    }
  };
  assert.deepEqual(issues({ storage: 'file_storage' }), []);
  assert.deepEqual(issues({ num_consumers: 0 }), ['exporters.otlp.sending_queue.num_consumers: `num_consumers` must be positive']);
  assert.deepEqual(issues({ queue_size: -1 }), ['exporters.otlp.sending_queue.queue_size: `queue_size` must be positive']);
  assert.ok(
    issues({ sizer: 'requests', batch: { flush_timeout: '1s' } }).includes(
      'exporters.otlp.sending_queue.batch.sizer: `batch` supports only `items` or `bytes` sizer, found "requests"',
    ),
  );
  assert.deepEqual(issues({ sizer: 'items', queue_size: 10, batch: { min_size: 20 } }), [
    'exporters.otlp.sending_queue.batch.min_size: `min_size` must be less than or equal to `queue_size`',
  ]);
  assert.deepEqual(issues({ enabled: false, num_consumers: 0 }), []); // a disabled section is not validated (Go)
  assert.match(issues({ sizer: 'pages' })[0]!, /^exporters\.otlp\.sending_queue\.sizer: expected one of "requests", "items", "bytes"/);
  assert.throws(() => parseOrThrow(retrySchema, { max_elapsed_time: '1s', initial_interval: '5s' }, 'e.retry_on_failure'), (e: ConfigError) =>
    e.issues.some((i) => i.path === 'e.retry_on_failure.max_elapsed_time' && i.message === "'max_elapsed_time' must not be less than 'initial_interval'"));
  assert.throws(() => parseOrThrow(retrySchema, { randomization_factor: 2 }, 'r'), /randomization_factor value must be less than or equal to 1/);
});

test('backoff: randomized exponential intervals capped at max_interval', () => {
  const seq = (rand: number) => {
    const b = new ExponentialBackOff({ initial_interval: 100, randomization_factor: 0.5, multiplier: 2, max_interval: 500 }, () => rand);
    return Array.from({ length: 6 }, () => Math.round(b.next()));
  };
  assert.deepEqual(seq(0.5), [100, 200, 400, 500, 500, 500]);
  assert.deepEqual(seq(0), [50, 100, 200, 250, 250, 250]);
  assert.deepEqual(seq(1), [150, 300, 600, 750, 750, 750]);
});

// ---------------------------------------------------------------- sending without a queue

test('queue disabled: consume awaits the send; success counted as sent', async () => {
  const seen: Data[] = [];
  const { h, metric } = helper(async (d) => void seen.push(d));
  await h.start(testHost());
  const d = data(3);
  await h.consume(d);
  assert.deepEqual(seen, [d]);
  assert.equal(metric('otelcol_exporter_sent_spans'), 3);
  assert.equal(metric('otelcol_exporter_send_failed_spans'), 0);
  await h.shutdown();
});

test('permanent error: not retried, propagated to the caller and counted as failed', async () => {
  let calls = 0;
  const { h, metric } = helper(async () => {
    calls++;
    throw new BackendError('rpc error: code = InvalidArgument desc = bad data', { retryable: false, grpcStatus: 3, httpStatus: 400 });
  });
  await h.start(testHost());
  await assert.rejects(h.consume(data(4)), (e: BackendError) => {
    assert.equal(e.retryable, false);
    assert.equal(e.grpcStatus, 3);
    assert.match(e.message, /^not retryable error: rpc error: code = InvalidArgument/);
    return true;
  });
  assert.equal(calls, 1);
  assert.equal(metric('otelcol_exporter_send_failed_spans'), 4);
  assert.equal(metric('otelcol_exporter_sent_spans'), 0);
  await h.shutdown();
});

test('transient errors are retried with backoff until the send succeeds', async () => {
  let calls = 0;
  const { h, metric } = helper(async () => {
    if (++calls <= 3) throw new BackendError('rpc error: code = Unavailable desc = try later', { retryable: true, grpcStatus: 14 });
  });
  await h.start(testHost());
  await h.consume(data(2));
  assert.equal(calls, 4);
  assert.equal(metric('otelcol_exporter_sent_spans'), 2);
  assert.equal(metric('otelcol_exporter_send_failed_spans'), 0);
  await h.shutdown();
});

test('retry honours the delay the server asks for (Retry-After / RetryInfo)', async () => {
  let calls = 0;
  const { h } = helper(async () => {
    if (++calls === 1) throw new BackendError('throttled', { retryable: true, retryAfterSeconds: 0.3 });
  });
  // Capture the delay the retry sender decided on (logged as "interval").
  const intervals: string[] = [];
  (h as unknown as { log: { info: (m: string, f: Record<string, unknown>) => void } }).log.info = (_m, f) => void intervals.push(String(f['interval']));
  await h.start(testHost());
  await h.consume(data(1));
  assert.equal(calls, 2);
  assert.deepEqual(intervals, ['300ms']); // backoff alone would be ≤ 7.5ms
  await h.shutdown();
});

test('retries stop after max_elapsed_time: "no more retries left", counted failed', async () => {
  let calls = 0;
  const { h, metric } = helper(
    async () => {
      calls++;
      throw new BackendError('unavailable', { retryable: true });
    },
    { retry: retryCfg({ initial_interval: '20ms', max_interval: '20ms', max_elapsed_time: '100ms', randomization_factor: 0 }) },
  );
  await h.start(testHost());
  await assert.rejects(h.consume(data(5)), /^Error: no more retries left: unavailable|no more retries left: unavailable/);
  assert.ok(calls >= 2 && calls <= 6, `calls=${calls}`); // ~5: one attempt per 20 ms within 100 ms
  assert.equal(metric('otelcol_exporter_send_failed_spans'), 5);
  await h.shutdown();
});

test('retry_on_failure disabled: a transient error is returned after one attempt', async () => {
  let calls = 0;
  const { h } = helper(
    async () => {
      calls++;
      throw new BackendError('unavailable', { retryable: true });
    },
    { retry: retryCfg({ enabled: false }) },
  );
  await h.start(testHost());
  await assert.rejects(h.consume(data(1)), /unavailable/);
  assert.equal(calls, 1);
  await h.shutdown();
});

test('timeout is enforced per attempt and the push sees its signal aborted', async () => {
  const g = gatedPush();
  const { h, metric } = helper(g.push, { timeoutMs: 50, retry: retryCfg({ enabled: false }) });
  await h.start(testHost());
  await assert.rejects(h.consume(data(2)), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'OTELTS_ERR_TIMEOUT');
    assert.match(e.message, /timed out after 50ms/);
    return true;
  });
  assert.equal(g.calls.length, 1);
  assert.equal(g.calls[0]!.signal.aborted, true);
  assert.equal(metric('otelcol_exporter_send_failed_spans'), 2);
  await h.shutdown();
});

test('partial success: rejected items are counted as failed, the rest as sent', async () => {
  const { h, metric } = helper(async () => ({ rejectedItems: 2, message: 'two were bad' }));
  await h.start(testHost());
  await h.consume(data(5));
  assert.equal(metric('otelcol_exporter_sent_spans'), 3);
  assert.equal(metric('otelcol_exporter_send_failed_spans'), 2);
  await h.shutdown();
});

test('metrics level detailed: send_failed carries error_type and error_permanent', async () => {
  const { h, metric } = helper(
    async () => {
      throw new BackendError('rpc error: code = Unimplemented desc = nope', { retryable: false, grpcStatus: 12 });
    },
    {},
    'detailed',
  );
  await h.start(testHost());
  await assert.rejects(h.consume(data(3)));
  assert.equal(metric('otelcol_exporter_send_failed_spans', { error_type: 'Unimplemented', error_permanent: 'true' }), 3);
  await h.shutdown();
});

// ---------------------------------------------------------------- the sending queue

test('queue: consume resolves once queued; data is sent by the consumers; queue_size/capacity gauges', async () => {
  const g = gatedPush();
  const { h, metric } = helper(g.push, { queue: queueCfg({ num_consumers: 2, queue_size: 10 }) });
  await h.start(testHost());
  for (let i = 0; i < 5; i++) await h.consume(data(1));
  await until(() => g.calls.length === 2); // only num_consumers sends at a time
  assert.equal(metric('otelcol_exporter_queue_capacity', { data_type: 'traces' }), 10);
  assert.equal(metric('otelcol_exporter_queue_size', { data_type: 'traces' }), 5); // in-flight still counts, as in Go
  assert.equal(metric('otelcol_exporter_in_flight_requests', { data_type: 'traces' }), 2);
  for (let released = 0; released < 5; released++) {
    await until(() => g.calls.length > released);
    g.calls[released]!.resolve();
  }
  await until(() => metric('otelcol_exporter_sent_spans') === 5);
  assert.equal(metric('otelcol_exporter_queue_size', { data_type: 'traces' }), 0);
  await h.shutdown();
});

test('queue full: refused at once with a retryable OverloadedError and counted in enqueue_failed', async () => {
  const g = gatedPush();
  const { h, metric } = helper(g.push, { queue: queueCfg({ num_consumers: 1, queue_size: 2 }) });
  await h.start(testHost());
  await h.consume(data(1)); // taken by the consumer (still counts)
  await h.consume(data(1)); // waiting
  await assert.rejects(h.consume(data(7)), (e: OverloadedError) => {
    assert.ok(e instanceof OverloadedError);
    assert.equal(e.message, 'sending queue is full');
    assert.equal(e.retryable, true);
    assert.equal(e.grpcStatus, 14);
    return true;
  });
  assert.equal(metric('otelcol_exporter_enqueue_failed_spans'), 7);
  await until(() => g.calls.length === 1);
  g.calls[0]!.resolve();
  await until(() => g.calls.length === 2);
  g.calls[1]!.resolve();
  await h.shutdown();
  assert.equal(metric('otelcol_exporter_sent_spans'), 2);
});

test('queue sizer items: capacity counts items; block_on_overflow waits for space instead of refusing', async () => {
  const g = gatedPush();
  const { h } = helper(g.push, { queue: queueCfg({ num_consumers: 1, sizer: 'items', queue_size: 10, block_on_overflow: true }) });
  await h.start(testHost());
  await h.consume(data(6));
  let third = false;
  const blocked = h.consume(data(6)).then(() => (third = true)); // 12 > 10: waits
  await tick(30);
  assert.equal(third, false);
  await until(() => g.calls.length === 1);
  g.calls[0]!.resolve(); // frees 6
  await blocked;
  assert.equal(third, true);
  await until(() => g.calls.length === 2);
  g.calls[1]!.resolve();
  await h.shutdown();
});

test('queue: a request larger than the whole capacity is refused permanently', async () => {
  const { h, metric } = helper(async () => undefined, { queue: queueCfg({ sizer: 'items', queue_size: 5 }) });
  await h.start(testHost());
  await assert.rejects(h.consume(data(6)), (e: Error & { retryable?: boolean }) => e.retryable === false);
  assert.equal(metric('otelcol_exporter_enqueue_failed_spans'), 6);
  await h.shutdown();
});

test('queue: failures of queued requests are retried, then dropped and counted (not returned)', async () => {
  let calls = 0;
  const { h, metric } = helper(
    async () => {
      calls++;
      throw new BackendError('bad request', { retryable: false });
    },
    { queue: queueCfg({ num_consumers: 1 }) },
  );
  await h.start(testHost());
  await h.consume(data(3)); // accepted
  await until(() => metric('otelcol_exporter_send_failed_spans') === 3);
  assert.equal(calls, 1);
  await h.shutdown();
});

test('wait_for_result: consume settles with the outcome of the send', async () => {
  const { h } = helper(
    async () => {
      throw new BackendError('denied', { retryable: false });
    },
    { queue: queueCfg({ wait_for_result: true }) },
  );
  await h.start(testHost());
  await assert.rejects(h.consume(data(1)), /denied/);
  await h.shutdown();
});

test('shutdown drains the queue: everything queued is sent before it resolves', async () => {
  const seen: number[] = [];
  const { h, metric } = helper(
    async (d) => {
      await tick(2);
      seen.push(...d.ids);
    },
    { queue: queueCfg({ num_consumers: 2 }) },
  );
  await h.start(testHost());
  const sent: number[] = [];
  for (let i = 0; i < 40; i++) {
    const d = data(2);
    sent.push(...d.ids);
    await h.consume(d);
  }
  await h.shutdown();
  assert.deepEqual([...seen].sort((a, b) => a - b), sent);
  assert.equal(metric('otelcol_exporter_sent_spans'), 80);
  await assert.rejects(h.consume(data(1)), ShutdownError);
  await h.shutdown(); // idempotent
});

test('shutdown cuts a long retry backoff short and makes one last attempt', async () => {
  let calls = 0;
  const { h, metric } = helper(
    async () => {
      if (++calls === 1) throw new BackendError('unavailable', { retryable: true });
    },
    { queue: queueCfg({ num_consumers: 1 }), retry: retryCfg({ initial_interval: '10s', max_interval: '10s', max_elapsed_time: '60s' }) },
  );
  await h.start(testHost());
  await h.consume(data(4));
  await until(() => calls === 1);
  await h.shutdown(); // would take ~10 s if it waited for the backoff
  assert.equal(calls, 2);
  assert.equal(metric('otelcol_exporter_sent_spans'), 4);
});

test('shutdown is bounded: what cannot be sent within the drain time is aborted and counted as failed', async () => {
  const g = gatedPush();
  const { h, metric } = helper(g.push, { queue: queueCfg({ num_consumers: 1 }), drainTimeoutMs: 100, retry: retryCfg({ enabled: false }) });
  await h.start(testHost());
  await h.consume(data(1)); // in flight forever
  await h.consume(data(2)); // never gets a consumer
  await until(() => g.calls.length === 1);
  await h.shutdown();
  assert.equal(g.calls[0]!.signal.aborted, true);
  assert.equal(metric('otelcol_exporter_send_failed_spans'), 3);
});

// ---------------------------------------------------------------- batching in the queue

test('sending_queue.batch: requests are merged up to min_size, split at max_size', async () => {
  const batches: number[][] = [];
  const { h, metric } = helper(async (d) => void batches.push(d.ids), {
    queue: queueCfg({ num_consumers: 1, batch: { min_size: 10, max_size: 12, flush_timeout: '10s' } }),
  });
  await h.start(testHost());
  const all: number[] = [];
  for (let i = 0; i < 4; i++) {
    const d = data(3);
    all.push(...d.ids);
    await h.consume(d); // 3, 6, 9, 12 → one batch of 12
  }
  await until(() => batches.length === 1);
  assert.deepEqual(batches[0], all);
  const big = data(30); // split into 12 + 12 + 6 (the 6 waits for more or for the flush at shutdown)
  await h.consume(big);
  await until(() => batches.length === 3);
  assert.deepEqual(batches.slice(1).map((b) => b.length), [12, 12]);
  await h.shutdown(); // flushes the remaining 6
  assert.deepEqual(batches.map((b) => b.length), [12, 12, 12, 6]);
  assert.deepEqual(batches.slice(1).flat(), big.ids);
  assert.equal(metric('otelcol_exporter_sent_spans'), 42);
});

test('sending_queue.batch: flush_timeout sends a partial batch', async () => {
  const batches: number[][] = [];
  const { h } = helper(async (d) => void batches.push(d.ids), { queue: queueCfg({ batch: { min_size: 100, flush_timeout: '30ms' } }) });
  await h.start(testHost());
  await h.consume(data(2));
  await h.consume(data(3));
  await until(() => batches.length === 1);
  assert.equal(batches[0]!.length, 5);
  await h.shutdown();
});
