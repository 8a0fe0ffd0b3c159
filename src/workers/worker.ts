// A processor worker (piscina runs this file in each worker thread). At load it rebuilds the pipelines from the
// config map the acceptor validated — processors and exporters only; receivers and extensions stay on the
// acceptor — and starts them. Each task hands it one batch for one receiver's pipelines; the result (ok or a
// wire error) is what the receiver answers the sender.
//
// Telemetry: the worker's components count into the worker's own MetricRegistry; the acceptor asks for
// snapshots over a BroadcastChannel before each scrape and merges them into its /metrics.
//
// Test hooks (only when OTELTS_TEST_HOOKS=1 in the environment, for the pool's fault tests): a span named
// `otelts.test.worker-exit` makes the worker thread exit while it holds the batch; `otelts.test.worker-throw`
// makes it throw an uncaught exception.

import { BroadcastChannel, threadId, workerData } from 'node:worker_threads';
import { factories as componentFactories } from '../components';
import { validateConfigOrThrow } from '../config/config';
import { Registry } from '../service/registry';
import { Service } from '../service/service';
import { createServiceLogger, registerHeapGauge } from '../service/telemetry';
import { MetricRegistry } from '../telemetry/metrics';
import { copyStats, tableMemory } from '../pdata/layout';
import { registerEventLoopMetrics } from '../telemetry/event-loop';
import { TraceBatch } from '../pdata/traces';
import type { CollectorConfig } from '../config/config';
import { fromTransfer, toWireError, type ChannelMessage, type Task, type TaskResult, type WireError, type WorkerData } from './protocol';

const data = workerData as WorkerData;
// A worker never hands its batches to another thread: decoded tables can be plain ArrayBuffers (layout.ts).
tableMemory.shared = false;
const metrics = new MetricRegistry();
registerHeapGauge(metrics);
const source = `worker-${threadId}`;
/** This worker's shard: the first free slot, claimed atomically (a replacement takes the slot of the worker it replaces). */
const slots = new Int32Array(data.slots);
let shardIndex = -1;
for (let k = 0; k < slots.length && shardIndex < 0; k++) if (Atomics.compareExchange(slots, k, 0, threadId) === 0) shardIndex = k;
const hooks = process.env.OTELTS_TEST_HOOKS === '1';
let service: Service | undefined;

const channel = new BroadcastChannel(data.channel);
(channel as unknown as { unref?: () => void }).unref?.();
channel.onmessage = (ev: MessageEvent) => {
  const m = ev.data as ChannelMessage;
  if (m.type === 'collect') postSnapshot(m.seq);
};
function postSnapshot(seq: number): void {
  const msg: ChannelMessage = { type: 'snapshot', seq, source, families: metrics.snapshot() };
  channel.postMessage(msg);
}

/**
 * Exporter queues are per worker: divide each `sending_queue.queue_size` by the pool size (rounding up) so
 * the configured figure stays the bound for the whole process, as a Go user expects.
 */
function divideQueues(config: CollectorConfig, workers: number): void {
  if (workers <= 1) return;
  for (const e of config.exporters.values()) {
    const q = (e.config as { sending_queue?: { queue_size?: unknown } } | null)?.sending_queue;
    if (q && typeof q.queue_size === 'number') q.queue_size = Math.max(1, Math.ceil(q.queue_size / workers));
  }
}

async function init(): Promise<WireError | undefined> {
  try {
    const config = validateConfigOrThrow(data.raw, new Registry(componentFactories));
    divideQueues(config, data.workers);
    if (shardIndex < 0) throw new Error(`worker thread ${threadId} found no free shard slot`);
    registerEventLoopMetrics(metrics, `worker-${shardIndex}`);
    const logger = createServiceLogger(config.service.telemetry).child({ 'otelcol.worker.thread': threadId, 'otelcol.worker': shardIndex });
    service = new Service({ config, logger, metrics, buildInfo: data.buildInfo, mode: 'worker', worker: { index: shardIndex, count: data.workers } });
    await service.start();
    return undefined;
  } catch (e) {
    return toWireError(e);
  }
}
const ready = init();

/** Returns true when the batch must be held forever (the thread is about to die with it). */
function testHook(task: Extract<Task, { op: 'consume' | 'consume-traces-bytes' }>, batch: ReturnType<typeof fromTransfer>): boolean {
  if (batch.signal !== 'traces') return false;
  const t = batch as TraceBatch;
  for (let i = 0; i < t.spanCount; i++) {
    const name = t.name(i);
    if (name === 'otelts.test.worker-exit') process.exit(3);
    if (name === 'otelts.test.worker-throw') {
      setImmediate(() => {
        throw new Error(`test hook: worker ${threadId} throws on shard ${task.shard}`);
      });
      return true;
    }
  }
  return false;
}

/**
 * Pooled buffers (frame.ts) of parts no object here refers to any more: the SharedArrayBuffer object a part
 * arrived in is this thread's own (one per message), held by the batch decoded from it; once it is collected,
 * nothing here can read or write the part, and the acceptor may reuse the buffer. Reported with the next answer.
 */
let released: number[] = [];
const partGone = new FinalizationRegistry<number>((id) => released.push(id));

function withReleased(r: TaskResult): TaskResult {
  if (released.length === 0) return r;
  r.released = released;
  released = [];
  return r;
}

export default async function handle(task: Task): Promise<TaskResult> {
  return withReleased(await run(task));
}

async function run(task: Task): Promise<TaskResult> {
  const err = await ready;
  if (err) return { ok: false, error: err };
  try {
    switch (task.op) {
      case 'consume': {
        const batch = fromTransfer(task.batch);
        if (hooks && testHook(task, batch)) await new Promise(() => undefined);
        await service!.consume(task.receiver, task.signal, batch);
        return { ok: true };
      }
      case 'consume-traces-bytes': {
        // Decoded in place: the part's buffer becomes the batch's arena (a DecodeError answers 400/INVALID_ARGUMENT).
        partGone.register(task.sab, task.bufferId);
        const batch = TraceBatch.decode(new Uint8Array(task.sab, task.off, task.len), { adopt: true, capacity: task.cap });
        if (hooks && testHook(task, batch)) await new Promise(() => undefined);
        await service!.consume(task.receiver, 'traces', batch);
        return { ok: true };
      }
      case 'start':
        return { ok: true };
      case 'shutdown':
        await service!.shutdown();
        postSnapshot(-1);
        channel.close();
        return { ok: true };
      case 'stats':
        return { ok: true, stats: { ...copyStats, threadId } };
    }
  } catch (e) {
    return { ok: false, error: toWireError(e) };
  }
}
