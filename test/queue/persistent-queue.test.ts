// The persistent sending queue (src/queue/persistent-queue.ts) on real stores in temp dirs, every case on BOTH
// backends: openQueueStore() as a user gets it (LMDB here) and the native-free segment log (what
// OTELTS_NATIVE=off selects: openSegmentLogStore called directly). The last test per backend is model-based: a
// child process (persistent-queue-child.ts) runs the queue and is driven at random — offers, sends succeeding or
// failing, SIGKILL crashes, graceful restarts — against a reference model: nothing acknowledged is lost, a record
// comes back only if its delete had not committed, order is kept.

import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { PersistentQueue, RECORD_VERSION, type PersistentQueueOptions } from '../../src/queue/persistent-queue';
import { openQueueStore } from '../../src/queue/open';
import { openSegmentLogStore } from '../../native-free/segment-log';
import type { QueueStore } from '../../src/queue/store';
import type { Logger } from '../../src/component/types';
import type { Done } from '../../src/exporters/exporterhelper/queue';
import { ExportError, OverloadedError, ShutdownError } from '../../src/errors';
import { decodeItem, encodeItem } from './persistent-queue-child';

interface Item {
  id: number;
  items?: number;
  pad?: string;
}

const ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'otelts-pq-'));
after(() => fs.rmSync(ROOT, { recursive: true, force: true }));
let dirN = 0;
const newDir = (): string => path.join(ROOT, `q${dirN++}`);

const BACKENDS: Array<{ name: string; kind: 'lmdb' | 'segment-log'; open: (dir: string) => Promise<QueueStore> }> = [
  { name: 'openQueueStore', kind: 'lmdb', open: (directory) => openQueueStore({ directory, fsync: false }) },
  { name: 'segment log (OTELTS_NATIVE=off)', kind: 'segment-log', open: (directory) => openSegmentLogStore({ directory, fsync: false }) },
];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

class CapturingLogger implements Logger {
  readonly lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
  debug(msg: string, fields?: Record<string, unknown>) {
    this.lines.push({ level: 'debug', msg, fields });
  }
  info(msg: string, fields?: Record<string, unknown>) {
    this.lines.push({ level: 'info', msg, fields });
  }
  warn(msg: string, fields?: Record<string, unknown>) {
    this.lines.push({ level: 'warn', msg, fields });
  }
  error(msg: string, fields?: Record<string, unknown>) {
    this.lines.push({ level: 'error', msg, fields });
  }
  child(): Logger {
    return this;
  }
}

/** A consumer under the test's control: records each call; the test calls done. */
class Consumer {
  readonly calls: Array<{ item: Item; done: Done }> = [];
  private waiters: Array<() => void> = [];
  /** Answer every call at once with success. */
  auto = false;
  /**
   * true (default): consume() settles when done is called, like the exporter's direct send path (the consumer
   * slot is busy during the send). false: it settles at once and done comes later, like sending_queue.batch.
   */
  holdSlot = true;
  readonly consume = (item: Item, done: Done): Promise<void> => {
    let settle!: () => void;
    const p = new Promise<void>((r) => (settle = r));
    const d: Done = (err) => {
      done(err);
      settle();
    };
    this.calls.push({ item, done: d });
    if (this.auto) d();
    if (!this.holdSlot) settle();
    for (const w of this.waiters.splice(0)) w();
    return p;
  };
  ids(): number[] {
    return this.calls.map((c) => c.item.id);
  }
  async waitCalls(n: number, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.calls.length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} consume calls, got ${this.calls.length}: ${this.ids()}`);
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), sleep(50)]);
    }
  }
}

interface Made {
  q: PersistentQueue<Item>;
  c: Consumer;
  log: CapturingLogger;
  /** The store the queue opened (after start). */
  store: () => QueueStore;
}

function makeQueue(open: () => Promise<QueueStore>, over: Partial<PersistentQueueOptions<Item>> = {}): Made {
  const c = new Consumer();
  const log = new CapturingLogger();
  let store: QueueStore | undefined;
  const q = new PersistentQueue<Item>({
    signal: 'traces',
    sizer: 'requests',
    capacity: 1000,
    numConsumers: 1,
    blockOnOverflow: false,
    open: async () => (store = await open()),
    encode: (it) => encodeItem(it as { id: number }),
    decode: (b) => decodeItem(b) as Item,
    itemCount: (it) => it.items ?? 1,
    consume: c.consume,
    logger: log,
    ...over,
  });
  return { q, c, log, store: () => store! };
}

/** Ids of the records in a store directory (opened, read, closed). */
async function storedIds(open: (dir: string) => Promise<QueueStore>, dir: string): Promise<number[]> {
  const s = await open(dir);
  try {
    const out: number[] = [];
    for (let after = 0; ; ) {
      const recs = await s.read(after, 100);
      if (recs.length === 0) return out;
      for (const r of recs) out.push(decodeItem(r.data.subarray(6)).id);
      after = recs[recs.length - 1]!.seq;
    }
  } finally {
    await s.close();
  }
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms: ${cond}`);
    await sleep(5);
  }
}

/** Settles within `ms`? (used to show that an offer is still blocked) */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  await sleep(ms);
  return settled;
}

for (const b of BACKENDS) {
  test(`persistent queue [${b.name}]: a request's remembered encoding stays its own until it is sent, while record buffers are reused`, async () => {
    // Large records (pooled record buffers: see persistent-queue.ts) remembered as each request's encoding, sent by
    // 3 consumers that finish in a shuffled order while new requests keep arriving: every request must still read
    // as itself when it is sent — a record buffer reused too early would show another request's bytes.
    const dir = newDir();
    const remembered = new Map<number, Uint8Array>();
    const pad = 'x'.repeat(100_000);
    const { q, c } = makeQueue(() => b.open(dir), {
      numConsumers: 3,
      encode: (it) => new Uint8Array(Buffer.from(JSON.stringify({ id: (it as { id: number }).id, pad }))),
      remember: (it, bytes) => remembered.set((it as { id: number }).id, bytes),
    });
    await q.start();
    const seen: number[] = [];
    let sent = 0;
    for (let id = 1; id <= 60; id++) {
      await q.offer({ id });
      // Finish some in-flight sends, newest first, checking what each would send.
      while (c.calls.length > sent && (id % 4 === 0 || id === 60)) {
        const call = c.calls[c.calls.length - 1 - ((sent * 7) % (c.calls.length - sent))]!;
        if ((call as { finished?: boolean }).finished) {
          sent++;
          continue;
        }
        const want = (call.item as { id: number }).id;
        assert.equal(decodeItem(remembered.get(want)!).id, want, `request ${want} reads as itself when sent`);
        seen.push(want);
        (call as { finished?: boolean }).finished = true;
        call.done();
        sent++;
        await new Promise((r) => setImmediate(r));
      }
    }
    for (;;) {
      const open = c.calls.filter((x) => !(x as { finished?: boolean }).finished);
      if (open.length === 0 && seen.length === 60) break;
      for (const call of open) {
        const want = (call.item as { id: number }).id;
        assert.equal(decodeItem(remembered.get(want)!).id, want, `request ${want} reads as itself when sent`);
        seen.push(want);
        (call as { finished?: boolean }).finished = true;
        call.done();
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.deepEqual([...seen].sort((x, y) => x - y), Array.from({ length: 60 }, (_, i) => i + 1), 'every request sent once');
    await q.whenIdle();
    assert.equal((await q.shutdown(1000)).drained, true);
  });

  test(`persistent queue [${b.name}]: offer is acknowledged only once stored; consumed; deleted after a successful send`, async () => {
    const dir = newDir();
    const { q, c, store } = makeQueue(() => b.open(dir));
    await q.start();
    assert.equal(q.storeKind, b.kind);
    await q.offer({ id: 1, items: 3 });
    // Acknowledged → in the store, with the queue's header (version, signal, item count).
    assert.equal(store().count, 1);
    const [rec] = await store().read(0, 10);
    assert.deepEqual([...rec!.data.subarray(0, 6)], [RECORD_VERSION, 0, 3, 0, 0, 0]);
    assert.equal(decodeItem(rec!.data.subarray(6)).id, 1);
    await c.waitCalls(1);
    assert.deepEqual(c.calls[0]!.item, { id: 1, items: 3 }, 'the consumer gets the request as offered');
    assert.equal(q.size, 1, 'in flight still counts');
    assert.equal(store().count, 1, 'not deleted before the send finished');
    c.calls[0]!.done();
    await q.whenIdle();
    assert.equal(store().count, 0, 'deleted after the send');
    assert.equal(q.size, 0);
    // A send that fails for good (retries exhausted, permanent error) is dropped, as upstream: deleted too.
    await q.offer({ id: 2 });
    await c.waitCalls(2);
    c.calls[1]!.done(new Error('permanent'));
    await q.whenIdle();
    assert.equal(store().count, 0);
    assert.equal((await q.shutdown(1000)).drained, true);
    assert.deepEqual(await storedIds(b.open, dir), [], 'nothing left on disk after a reopen');
    await assert.rejects(q.offer({ id: 3 }), ShutdownError);
  });

  test(`persistent queue [${b.name}]: capacity per sizer (requests, items, bytes) → OverloadedError; block_on_overflow waits`, async () => {
    // requests: 2; the consumer holds the first (in flight still counts).
    {
      const dir = newDir();
      const { q, c, store } = makeQueue(() => b.open(dir), { sizer: 'requests', capacity: 2 });
      await q.start();
      await q.offer({ id: 1 });
      await q.offer({ id: 2 });
      await c.waitCalls(1);
      await assert.rejects(q.offer({ id: 3 }), OverloadedError);
      assert.equal(store().count, 2, 'a refused request is not stored');
      c.calls[0]!.done();
      await until(() => q.size === 1); // space again once 1's delete committed
      await q.offer({ id: 3 });
      assert.equal(store().count, 2);
      await q.shutdown(50);
    }
    // items: 10.
    {
      const dir = newDir();
      const { q, store } = makeQueue(() => b.open(dir), { sizer: 'items', capacity: 10 });
      await q.start();
      await q.offer({ id: 1, items: 4 });
      await q.offer({ id: 2, items: 4 });
      await assert.rejects(q.offer({ id: 3, items: 4 }), OverloadedError);
      await q.offer({ id: 4, items: 2 }); // exactly full
      assert.equal(q.size, 10);
      const tooBig = await q.offer({ id: 5, items: 11 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(tooBig instanceof ExportError && !tooBig.retryable, `larger than the whole queue: permanent, got ${String(tooBig)}`);
      assert.equal(store().count, 3);
      await q.shutdown(50);
    }
    // bytes: the encoded record (6-byte header + request).
    {
      const dir = newDir();
      const item = (id: number): Item => ({ id, pad: 'x'.repeat(100) });
      const recBytes = 6 + encodeItem(item(1) as { id: number }).length;
      const { q, store } = makeQueue(() => b.open(dir), { sizer: 'bytes', capacity: 3 * recBytes - 1 });
      await q.start();
      await q.offer(item(1));
      await q.offer(item(2));
      assert.equal(q.size, 2 * recBytes);
      await assert.rejects(q.offer(item(3)), OverloadedError);
      assert.equal(store().count, 2);
      assert.equal(store().bytes, 2 * recBytes);
      await q.shutdown(50);
    }
    // block_on_overflow: the offer waits for space instead of failing.
    {
      const dir = newDir();
      const { q, c, store } = makeQueue(() => b.open(dir), { sizer: 'requests', capacity: 1, blockOnOverflow: true });
      await q.start();
      await q.offer({ id: 1 });
      await c.waitCalls(1);
      const blocked = q.offer({ id: 2 });
      assert.equal(await settlesWithin(blocked, 100), false, 'waits while full');
      assert.equal(store().count, 1);
      c.calls[0]!.done();
      await blocked;
      await c.waitCalls(2);
      assert.deepEqual(c.ids(), [1, 2]);
      // Shutdown releases a blocked offer with ShutdownError.
      const blocked2 = q.offer({ id: 3 });
      const shut = q.shutdown(50);
      await assert.rejects(blocked2, ShutdownError);
      await shut;
      assert.deepEqual(await storedIds(b.open, dir), [2], 'the one in flight stays stored');
    }
  });

  test(`persistent queue [${b.name}]: a restart serves every undeleted record, in order, before new ones`, async () => {
    const dir = newDir();
    const one = makeQueue(() => b.open(dir));
    await one.q.start();
    for (let id = 1; id <= 5; id++) await one.q.offer({ id, items: id });
    await one.c.waitCalls(1);
    one.c.calls[0]!.done(); // 1 sent and deleted
    await one.c.waitCalls(2); // 2 in flight when the queue stops (never finished)
    assert.equal((await one.q.shutdown(100)).drained, false);
    assert.deepEqual(await storedIds(b.open, dir), [2, 3, 4, 5]);

    const two = makeQueue(() => b.open(dir), { sizer: 'items', capacity: 100 });
    two.c.auto = true;
    await two.q.start();
    assert.equal(two.q.size, 2 + 3 + 4 + 5, 'recovered records count against the capacity (their item counts)');
    await two.q.offer({ id: 6 });
    await two.q.offer({ id: 7 });
    await two.c.waitCalls(6);
    await two.q.whenIdle();
    assert.deepEqual(two.c.ids(), [2, 3, 4, 5, 6, 7]);
    assert.deepEqual(
      two.c.calls.map((x) => x.item.items),
      [2, 3, 4, 5, undefined, undefined],
      'recovered requests decode to what was offered',
    );
    assert.ok(two.log.lines.some((l) => l.level === 'info' && /Resending/.test(l.msg) && l.fields?.requests === 4), 'the recovery is logged');
    assert.equal(two.store().count, 0);
    assert.equal(two.q.size, 0);
    await two.q.shutdown(1000);
  });

  test(`persistent queue [${b.name}]: shutdown keeps what is queued; a send failing during shutdown stays stored`, async () => {
    const dir = newDir();
    const { q, c } = makeQueue(() => b.open(dir), { numConsumers: 2 });
    await q.start();
    for (let id = 1; id <= 4; id++) await q.offer({ id });
    await c.waitCalls(2);
    const shut = q.shutdown(5000);
    await assert.rejects(q.offer({ id: 5 }), ShutdownError);
    c.calls[0]!.done(new Error('backend gone while shutting down')); // id 1: failed during shutdown → kept
    c.calls[1]!.done(); // id 2: sent → deleted
    assert.equal((await shut).drained, true);
    assert.equal(c.calls.length, 2, 'no new sends start once shutting down');
    assert.deepEqual(await storedIds(b.open, dir), [1, 3, 4]);
    // The next start sends them.
    const again = makeQueue(() => b.open(dir));
    again.c.auto = true;
    await again.q.start();
    await again.c.waitCalls(3);
    await again.q.whenIdle();
    assert.deepEqual(again.c.ids(), [1, 3, 4]);
    await again.q.shutdown(1000);
    assert.deepEqual(await storedIds(b.open, dir), []);
  });

  test(`persistent queue [${b.name}]: undecodable records are dropped, counted and logged; the rest is served`, async () => {
    const dir = newDir();
    const rec = (version: number, signal: number, payload: Uint8Array): Uint8Array => {
      const r = new Uint8Array(6 + payload.length);
      r.set([version, signal, 1, 0, 0, 0]);
      r.set(payload, 6);
      return r;
    };
    const s = await b.open(dir);
    await s.append([
      rec(RECORD_VERSION, 0, encodeItem({ id: 1 })),
      new Uint8Array([0xde, 0xad]), // garbage, shorter than a header
      rec(RECORD_VERSION + 1, 0, encodeItem({ id: 90 })), // a future format version
      rec(RECORD_VERSION, 2, encodeItem({ id: 91 })), // logs in a traces queue
      rec(RECORD_VERSION, 0, new Uint8Array(Buffer.from('{not json'))), // right header, payload does not decode
      rec(RECORD_VERSION, 0, encodeItem({ id: 2 })),
    ]);
    await s.close();
    const { q, c, log, store } = makeQueue(() => b.open(dir));
    c.auto = true;
    await q.start();
    await c.waitCalls(2);
    await q.whenIdle();
    assert.deepEqual(c.ids(), [1, 2]);
    assert.equal(q.dropped, 4);
    assert.ok(log.lines.some((l) => l.level === 'warn' && /cannot be decoded/.test(l.msg)), 'logged');
    assert.equal(store().count, 0, 'dropped records are deleted from the store');
    assert.equal(q.size, 0, 'their capacity is released');
    await q.shutdown(1000);
  });

  test(`persistent queue [${b.name}]: an outage is held on disk — beyond memoryBytes queued requests live only in the store, and come back intact, in order`, async () => {
    const dir = newDir();
    let decoded = 0;
    const { q, c } = makeQueue(() => b.open(dir), {
      memoryBytes: 100,
      decode: (bytes) => (decoded++, decodeItem(bytes) as Item),
    });
    await q.start();
    const offered: Item[] = Array.from({ length: 20 }, (_, i) => ({ id: i + 1, items: 1 + (i % 3) }));
    let maxHeld = 0;
    for (const it of offered) {
      await q.offer(it);
      maxHeld = Math.max(maxHeld, q.memoryHeld);
    }
    assert.ok(maxHeld <= 100, `decoded requests held in memory stay within memoryBytes (max ${maxHeld})`);
    assert.ok(maxHeld > 0, 'the first requests are kept decoded');
    // The backend comes back: every request is sent, in order, as offered.
    c.auto = true;
    for (const call of c.calls) call.done();
    await c.waitCalls(20);
    await q.whenIdle();
    assert.deepEqual(c.calls.map((x) => x.item), offered);
    assert.ok(decoded >= 10, `requests beyond the bound were read back from the store (${decoded} decoded)`);
    assert.equal(q.memoryHeld, 0);
    assert.equal(q.size, 0);
    await q.shutdown(1000);
  });

  test(`persistent queue [${b.name}]: a consumer slot frees when consume() settles, not when done fires (sending_queue.batch)`, async () => {
    // The batcher takes a request (consume resolves) and calls done only once its batch is sent: with one consumer
    // it must still receive the following requests to fill the batch, as with the memory queue.
    const dir = newDir();
    const { q, c, store } = makeQueue(() => b.open(dir), { numConsumers: 1 });
    c.holdSlot = false;
    await q.start();
    for (let id = 1; id <= 3; id++) await q.offer({ id });
    await c.waitCalls(3, 2000);
    assert.deepEqual(c.ids(), [1, 2, 3]);
    assert.equal(store().count, 3, 'nothing deleted before done');
    const idle = q.whenIdle();
    assert.equal(await settlesWithin(idle, 50), false, 'not idle while sends are in flight');
    for (const x of c.calls) x.done();
    await idle;
    assert.equal(store().count, 0);
    assert.equal(q.size, 0);
    await q.shutdown(1000);
  });

  test(`persistent queue [${b.name}]: model-based — offers, sends ok/failing, SIGKILL crashes, restarts`, { timeout: 60_000 }, async (t) => {
    const r = await runModel(b.kind, newDir(), b.kind === 'lmdb' ? 0x1234 : 0x4321);
    t.diagnostic(
      `${b.kind}: ${r.steps} steps, ${r.offered} offered, ${r.acked} acked, ${r.crashes} SIGKILLs, ${r.restarts} graceful restarts, ` +
        `${r.redelivered} records delivered again after a crash/restart, ${r.failed} dropped by failed sends`,
    );
    assert.deepEqual(r.violations, []);
    assert.ok(r.crashes >= 3, `the run crashed the queue (${r.crashes})`);
    assert.ok(r.acked > 100);
  });
}

// ------------------------------------------------------------------------------------------------------------
// Model-based test driver.

const CHILD = path.join(__dirname, 'persistent-queue-child.js');

function prng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return (n: number) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

interface ModelResult {
  steps: number;
  offered: number;
  acked: number;
  crashes: number;
  restarts: number;
  redelivered: number;
  failed: number;
  violations: string[];
}

type ChildMsg = { ev: 'ready'; dropped: number; kind: string } | { ev: 'acked'; id: number } | { ev: 'offer-failed'; id: number; error: string } | { ev: 'consume'; id: number } | { ev: 'deleted'; ids: number[] } | { ev: 'idle'; size: number; count: number } | { ev: 'shut' };

async function runModel(kind: string, dir: string, seed: number): Promise<ModelResult> {
  const rand = prng(seed);
  const offered = new Set<number>();
  const acked = new Set<number>();
  const okSent = new Set<number>(); // answered ok: the backend got it
  const failedDropped = new Set<number>(); // answered failed while running: dropped by design
  const deleted = new Set<number>(); // delete committed (reported after store.delete resolved)
  const everConsumed = new Set<number>();
  const violations: string[] = [];
  let redelivered = 0;
  let crashes = 0;
  let restarts = 0;
  let nextId = 1;
  let steps = 0;

  interface Run {
    proc: ChildProcess;
    consumers: number;
    pending: number[];
    consumed: Set<number>;
    last: number;
    stopping: boolean;
    auto: boolean;
    ready: Promise<void>;
    exited: Promise<void>;
    onMsg: Array<(m: ChildMsg) => void>;
  }

  const start = (consumers: number, auto = false): Run => {
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    delete env.NODE_OPTIONS;
    const proc = spawn(process.execPath, [CHILD, kind, dir, String(consumers)], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env });
    let stderr = '';
    proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const run: Run = { proc, consumers, pending: [], consumed: new Set(), last: 0, stopping: false, auto, ready: undefined as never, exited: undefined as never, onMsg: [] };
    run.exited = new Promise<void>((resolve) => {
      let exited = false;
      let disconnected = !proc.connected;
      const check = () => exited && disconnected && resolve();
      proc.once('exit', (code, sig) => {
        if (code !== 0 && sig !== 'SIGKILL' && !run.stopping) violations.push(`child exited ${code} ${sig}: ${stderr}`);
        exited = true;
        check();
      });
      proc.once('disconnect', () => {
        disconnected = true;
        check();
      });
    });
    run.ready = new Promise<void>((resolve, reject) => {
      run.onMsg.push((m) => m.ev === 'ready' && resolve());
      proc.once('exit', () => reject(new Error(`child exited before ready: ${stderr}`)));
    });
    proc.on('message', (m: ChildMsg) => {
      switch (m.ev) {
        case 'acked':
          acked.add(m.id);
          break;
        case 'deleted':
          for (const id of m.ids) deleted.add(id);
          break;
        case 'consume': {
          const id = m.id;
          if (!offered.has(id)) violations.push(`consumed ${id}, never offered`);
          if (deleted.has(id)) violations.push(`consumed ${id} again after its delete had committed`);
          if (run.consumed.has(id)) violations.push(`consumed ${id} twice in one run`);
          if (run.consumers === 1 && id <= run.last) violations.push(`out of order: ${id} after ${run.last}`);
          if (everConsumed.has(id)) redelivered++;
          everConsumed.add(id);
          run.consumed.add(id);
          run.last = Math.max(run.last, id);
          if (run.auto) {
            okSent.add(id);
            proc.send({ op: 'answer', id, ok: true });
          } else {
            run.pending.push(id);
            if (run.stopping) answer(run, rand(2) === 0); // started just before the shutdown arrived
          }
          break;
        }
      }
      for (const f of run.onMsg) f(m);
    });
    return run;
  };

  const answer = (run: Run, ok: boolean): void => {
    const i = rand(run.pending.length);
    const id = run.pending.splice(i, 1)[0]!;
    if (ok) okSent.add(id);
    else if (!run.stopping) failedDropped.add(id); // failing during shutdown keeps it: expected again
    run.proc.send({ op: 'answer', id, ok });
  };

  let run = start(1 + rand(3));
  await run.ready;
  const STEPS = 500;
  for (; steps < STEPS; steps++) {
    const r = rand(1000);
    if (r < 400) {
      for (let k = 1 + rand(3); k > 0; k--) {
        const id = nextId++;
        offered.add(id);
        run.proc.send({ op: 'offer', id });
      }
    } else if (r < 750) {
      if (run.pending.length) answer(run, rand(10) !== 0);
    } else if (r < 780) {
      // Crash: SIGKILL with offers, sends and deletes in flight.
      run.proc.kill('SIGKILL');
      await run.exited;
      crashes++;
      run = start(1 + rand(3));
      await run.ready;
    } else if (r < 795) {
      // Graceful restart: shutdown, then the sends in flight finish (ok or failing) while it shuts down.
      run.stopping = true;
      run.proc.send({ op: 'shutdown' });
      while (run.pending.length) answer(run, rand(2) === 0);
      await run.exited;
      restarts++;
      run = start(1 + rand(3));
      await run.ready;
    }
    await sleep(rand(4));
  }
  // Final run: every send succeeds; wait until the queue is empty.
  run.proc.kill('SIGKILL');
  await run.exited;
  crashes++;
  run = start(1, true);
  await run.ready;
  const idle = await new Promise<{ size: number; count: number }>((resolve) => {
    run.onMsg.push((m) => m.ev === 'idle' && resolve(m));
    run.proc.send({ op: 'idle' });
  });
  if (idle.size !== 0 || idle.count !== 0) violations.push(`final queue not empty: size ${idle.size}, stored ${idle.count}`);
  run.stopping = true;
  run.proc.send({ op: 'shutdown' });
  await run.exited;
  const lost = [...acked].filter((id) => !okSent.has(id) && !failedDropped.has(id));
  if (lost.length) violations.push(`acknowledged and never sent: ${lost.slice(0, 20).join(',')} (${lost.length})`);
  return { steps, offered: offered.size, acked: acked.size, crashes, restarts, redelivered, failed: failedDropped.size, violations };
}
