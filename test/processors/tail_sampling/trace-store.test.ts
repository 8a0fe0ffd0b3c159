// TraceStore (the tail_sampling buffer) against a simple Map-based reference model: random batches of traces
// arriving over simulated time, decisions recorded, late spans. Every span added must come back exactly once
// (due, early, late sampled or late not sampled) with its exact bytes (compared span by span, with its resource
// and scope, through the protobufjs oracle), traces in arrival order, bounds never exceeded.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TraceStore, type TraceStoreOptions } from '../../../src/processors/tail_sampling/trace-store';
import type { DueTraces } from '../../../src/processors/tail_sampling/types';
import { TraceBatch } from '../../../src/pdata/traces';
import { S_LEN, S_STRIDE } from '../../../src/pdata/layout';
import { oracleDecodeTraces, oracleEncodeTraces } from '../../oracle/otlp-oracle';
import { mulberry32, randomString, type Rng } from '../../pdata/random-traces';

const ZERO_KEY = '0'.repeat(32);
const int = (rng: Rng, n: number): number => Math.floor(rng() * n);

type Obj = Record<string, unknown>;

// Resources and scopes: schema urls present/absent, absent messages, dropped counts, attributes.
const RESOURCES: (Obj | null)[] = [
  { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] }, schemaUrl: 'https://opentelemetry.io/schemas/1.21.0' },
  { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'cart' } }, { key: 'pid', value: { intValue: 42 } }] } },
  null, // no Resource message at all
  { resource: { droppedAttributesCount: 3 }, schemaUrl: '' },
];
const SCOPES: (Obj | null)[] = [
  { scope: { name: 'http', version: '1.0.0' }, schemaUrl: 'https://example.com/s' },
  { scope: { name: 'pg', attributes: [{ key: 'db', value: { boolValue: true } }] } },
  null, // no InstrumentationScope message
];

interface Gen {
  rng: Rng;
  seq: number;
  /** Trace ids used so far (hex); '' = spans without a trace id. */
  recent: string[];
  bigValues: boolean;
}

function newTraceId(g: Gen): string {
  if (int(g.rng, 100) === 0) return ''; // absent trace id: the all-zero key
  let h = '';
  for (let k = 0; k < 16; k++) h += int(g.rng, 256).toString(16).padStart(2, '0');
  return h;
}

function randomSpan(g: Gen, traceHex: string): Obj {
  const rng = g.rng;
  const seq = ++g.seq;
  const spanId = Buffer.alloc(8);
  spanId.writeUInt32BE(seq, 4);
  const attrs: Obj[] = [];
  for (let k = int(rng, 6); k > 0; k--) attrs.push({ key: `a${int(rng, 20)}`, value: { stringValue: randomString(rng) } });
  if (g.bigValues && int(rng, 6) === 0) attrs.push({ key: 'big', value: { stringValue: 'x'.repeat(500 + int(rng, 9000)) } });
  if (g.bigValues && int(rng, 150) === 0) attrs.push({ key: 'huge', value: { stringValue: 'y'.repeat(80_000) } }); // > the whole budget
  const span: Obj = {
    spanId,
    name: `op-${int(rng, 50)}`,
    kind: int(rng, 6),
    startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(seq) * 1000n),
    endTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(seq) * 1000n + BigInt(int(rng, 1e6))),
    attributes: attrs,
  };
  if (traceHex !== '') span.traceId = Buffer.from(traceHex, 'hex');
  if (int(rng, 3) === 0) span.parentSpanId = Buffer.from('0102030405060708', 'hex');
  if (int(rng, 5) === 0) span.status = { code: 2, message: 'boom' };
  if (int(rng, 8) === 0) span.events = [{ name: 'ev', timeUnixNano: '5', attributes: [{ key: 'e', value: { intValue: 1 } }] }];
  return span;
}

/** A random request: spans of old (possibly decided) and new traces under random resources/scopes. */
function randomBatch(g: Gen): TraceBatch {
  const rng = g.rng;
  const resourceSpans: Obj[] = [];
  for (let r = 1 + int(rng, 2); r > 0; r--) {
    const res = RESOURCES[int(rng, RESOURCES.length)]!;
    const scopeSpans: Obj[] = [];
    for (let s = 1 + int(rng, 2); s > 0; s--) {
      const sc = SCOPES[int(rng, SCOPES.length)]!;
      const spans: Obj[] = [];
      for (let k = int(rng, 12); k > 0; k--) {
        let tid: string;
        if (g.recent.length > 0 && rng() < 0.6) tid = g.recent[g.recent.length - 1 - int(rng, Math.min(g.recent.length, 40))]!;
        else {
          tid = newTraceId(g);
          g.recent.push(tid);
        }
        spans.push(randomSpan(g, tid));
        if (rng() < 0.3) spans.push(randomSpan(g, tid)); // consecutive spans of one trace
      }
      scopeSpans.push({ ...(sc ?? {}), spans });
    }
    resourceSpans.push({ ...(res ?? {}), scopeSpans });
  }
  const batch = TraceBatch.decode(oracleEncodeTraces({ resourceSpans }));
  // Some batches reach the store modified by an earlier processor (not pristine): a renamed span or a slice.
  const m = int(rng, 10);
  if (m === 0 && batch.spanCount > 0) batch.setName(0, 'renamed-by-processor');
  if (m === 1 && batch.spanCount > 2) return batch.slice(1, batch.spanCount);
  return batch;
}

/** span id hex → canonical {resource, rsSchema, scope, ssSchema, span} of every span of an encoded request. */
function canonicalSpans(bytes: Uint8Array): Map<string, Obj> {
  const out = new Map<string, Obj>();
  const req = oracleDecodeTraces(bytes) as { resourceSpans?: Obj[] };
  for (const rs of req.resourceSpans ?? []) {
    for (const ss of (rs.scopeSpans as Obj[] | undefined) ?? []) {
      for (const span of (ss.spans as Obj[] | undefined) ?? []) {
        out.set(span.spanId as string, { resource: rs.resource, rsSchema: rs.schemaUrl, scope: ss.scope, ssSchema: ss.schemaUrl, span });
      }
    }
  }
  return out;
}

interface Incarnation {
  spans: string[];
  arrival: number;
  /** Creation order (-1: the rest of a trace taken out early in the middle of an add()). */
  seq: number;
}

class Model {
  readonly expected = new Map<string, Obj>(); // span id → canonical
  readonly returned = new Set<string>();
  readonly buffered = new Map<string, Incarnation>(); // trace key → buffered spans
  readonly decisions = new Map<string, boolean>();
  added = 0;
  late = 0;
  earlyTraces = 0;
  private incSeq = 0;
  private lastSeq = -1;
  private lastArrival = -Infinity;

  constructor(readonly store: TraceStore, readonly opts: TraceStoreOptions, readonly rng: Rng) {}

  add(batch: TraceBatch, now: number): void {
    const canon = canonicalSpans(batch.encode());
    const expLate: number[] = [];
    let expLateNot = 0;
    let expNew = 0;
    const touched = new Set<string>();
    const pending: Array<[string, string]> = [];
    for (let i = 0; i < batch.spanCount; i++) {
      const sid = batch.spanIdHex(i);
      assert.ok(!this.expected.has(sid), 'generator: span ids are unique');
      this.expected.set(sid, canon.get(sid)!);
      this.added++;
      const key = batch.traceIdHex(i) || ZERO_KEY;
      const d = this.decisions.get(key);
      if (d === true) expLate.push(i);
      else if (d === false) expLateNot++;
      else {
        if (!this.buffered.has(key) && !touched.has(key)) expNew++;
        touched.add(key);
        pending.push([key, sid]);
      }
    }
    const r = this.store.add(batch, now);
    assert.deepEqual([...r.lateSampled], expLate, 'late sampled spans');
    assert.equal(r.lateNotSampled, expLateNot, 'late not-sampled spans');
    this.late += expLate.length + expLateNot;
    for (const sid of [...expLate.map((i) => batch.spanIdHex(i))]) this.markReturned(sid);
    for (let i = 0; i < batch.spanCount; i++) if (this.decisions.get(batch.traceIdHex(i) || ZERO_KEY) === false) this.markReturned(batch.spanIdHex(i));
    for (const [key, sid] of pending) {
      let inc = this.buffered.get(key);
      if (!inc) this.buffered.set(key, (inc = { spans: [], arrival: now, seq: this.incSeq++ }));
      inc.spans.push(sid);
    }
    if (r.early) {
      assert.ok(r.newTraces >= expNew, 'new traces (some restarted after being taken out early)');
      this.taken(r.early, true, now);
    } else {
      assert.equal(r.newTraces, expNew, 'new traces');
    }
    this.checkBounds();
  }

  takeDue(now: number): void {
    const due = this.store.takeDue(now);
    if (due) this.taken(due, false, now);
    for (const [key, inc] of this.buffered) assert.ok(inc.arrival + this.opts.decisionWaitMs > now, `trace ${key} is due but was not taken`);
    this.checkBounds();
  }

  takeAll(): void {
    const all = this.store.takeAll();
    if (all) this.taken(all, false, Infinity);
    assert.equal(this.buffered.size, 0, 'takeAll returned every buffered trace');
    this.checkBounds();
  }

  private markReturned(sid: string): void {
    assert.ok(!this.returned.has(sid), `span ${sid} returned twice`);
    this.returned.add(sid);
  }

  private taken(due: DueTraces, early: boolean, now: number): void {
    const b = due.batch;
    const got = canonicalSpans(b.encode());
    const seen = new Uint8Array(b.spanCount);
    for (const tr of due.traces) {
      assert.equal(tr.batch, b);
      assert.equal(tr.early, early);
      if (early) this.earlyTraces++;
      else assert.ok(tr.arrivalMs + this.opts.decisionWaitMs <= now, 'only due traces are taken');
      const key = Buffer.from(tr.traceId).toString('hex');
      const inc = this.buffered.get(key);
      assert.ok(inc, `trace ${key} returned but not buffered`);
      const sids = [...tr.spans].map((i) => b.spanIdHex(i));
      assert.ok(sids.length > 0);
      assert.deepEqual(sids, inc.spans.slice(0, sids.length), 'a trace comes back with its buffered spans, in arrival order');
      assert.equal(tr.arrivalMs, inc.arrival, 'arrival time of the trace');
      // arrival (FIFO) order
      assert.ok(tr.arrivalMs >= this.lastArrival, 'traces are taken in arrival order');
      this.lastArrival = tr.arrivalMs;
      if (inc.seq >= 0) {
        assert.ok(inc.seq > this.lastSeq, 'traces are taken in arrival order (creation order)');
        this.lastSeq = inc.seq;
      }
      let bytes = 0;
      for (const i of tr.spans) {
        assert.equal(seen[i], 0, 'span indices of traces are distinct');
        seen[i] = 1;
        assert.equal(b.traceIdHex(i) || ZERO_KEY, key);
        bytes += b.spans.i32[i * S_STRIDE + S_LEN]!;
        const sid = b.spanIdHex(i);
        assert.deepEqual(got.get(sid), this.expected.get(sid), `span ${sid}: exact span, resource and scope`);
        this.markReturned(sid);
      }
      assert.equal(tr.byteSize, bytes, 'byteSize = wire bytes of the spans');
      if (sids.length === inc.spans.length) this.buffered.delete(key);
      else {
        // taken out early in the middle of an add(): the rest of its spans started a new trace in that add
        assert.ok(early, 'only an early take can leave part of a trace behind');
        inc.spans = inc.spans.slice(sids.length);
        inc.arrival = now;
        inc.seq = -1;
      }
      const sampled = this.rng() < 0.5;
      this.store.recordDecision(tr, sampled);
      this.decisions.set(key, sampled);
    }
    assert.ok(seen.every((x) => x === 1), 'the batch holds exactly the spans of its traces');
  }

  checkBounds(): void {
    const s = this.store;
    let spans = 0;
    for (const inc of this.buffered.values()) spans += inc.spans.length;
    assert.equal(s.bufferedSpans, spans, 'bufferedSpans');
    assert.equal(s.tracesInMemory, this.buffered.size, 'tracesInMemory');
    assert.ok(s.tracesInMemory <= this.opts.numTraces, `tracesInMemory ${s.tracesInMemory} > numTraces`);
    assert.ok(s.bufferedBytes <= this.opts.maxBufferedBytes, `bufferedBytes ${s.bufferedBytes} > ${this.opts.maxBufferedBytes}`);
    assert.equal(s.earlyDecided, this.earlyTraces);
  }
}

function run(seed: number, opts: TraceStoreOptions, steps: number, bigValues: boolean): { model: Model; store: TraceStore } {
  const rng = mulberry32(seed);
  const store = new TraceStore(opts);
  const model = new Model(store, opts, mulberry32(seed ^ 0xabcdef));
  const g: Gen = { rng, seq: 0, recent: [], bigValues };
  let now = 1000;
  for (let step = 0; step < steps; step++) {
    now += int(rng, Math.ceil(opts.decisionWaitMs / 4));
    model.add(randomBatch(g), now);
    if (rng() < 0.5) model.takeDue(now);
  }
  model.takeAll();
  assert.equal(model.returned.size, model.added, 'every span added came back exactly once');
  assert.equal(store.bufferedSpans, 0);
  return { model, store };
}

const BIG_CACHES = { sampledCacheSize: 1_000_000, nonSampledCacheSize: 1_000_000 };

test('model: plenty of room — due traces in arrival order, late spans follow the decision', () => {
  for (const seed of [1, 2, 3]) {
    const { store, model } = run(seed, { decisionWaitMs: 1000, numTraces: 100_000, maxBufferedBytes: 64 << 20, ...BIG_CACHES }, 250, false);
    assert.equal(store.earlyDecided, 0);
    assert.ok(model.late > 0, 'the run had late spans');
  }
});

test('model: num_traces reached — the oldest traces are decided early, nothing is dropped', () => {
  for (const seed of [4, 5]) {
    const { store } = run(seed, { decisionWaitMs: 1000, numTraces: 8, maxBufferedBytes: 64 << 20, ...BIG_CACHES }, 250, false);
    assert.ok(store.earlyDecided > 0, 'the run decided traces early');
  }
});

test('model: max_buffered_bytes reached (small budget, large and oversize spans) — early, within bounds', () => {
  for (const seed of [6, 7, 8]) {
    const { store } = run(seed, { decisionWaitMs: 1000, numTraces: 100_000, maxBufferedBytes: 64 * 1024, ...BIG_CACHES }, 300, true);
    assert.ok(store.earlyDecided > 0, 'the run decided traces early');
  }
});

test('model: both bounds and a long run (chunks and index arrays recycled and shrunk)', () => {
  const { store } = run(9, { decisionWaitMs: 500, numTraces: 40, maxBufferedBytes: 256 * 1024, ...BIG_CACHES }, 600, true);
  assert.ok(store.earlyDecided > 0);
  // idle: only the current chunk and minimum index arrays remain
  assert.ok(store.bufferedBytes <= 64 * 1024, `idle store holds ${store.bufferedBytes} bytes`);
});

// ---- focused cases

function oneSpanBatch(traceHex: string, name: string, extra: Obj = {}): TraceBatch {
  return TraceBatch.decode(oracleEncodeTraces({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 's' } }] }, scopeSpans: [{ scope: { name: 'sc' }, spans: [{ traceId: Buffer.from(traceHex, 'hex'), spanId: Buffer.alloc(8, 1), name, ...extra }] }] }],
  }));
}
const tid = (n: number): string => n.toString(16).padStart(32, '0');

test('decision caches are bounded (0 = num_traces): the oldest decision is forgotten', () => {
  const store = new TraceStore({ decisionWaitMs: 10, numTraces: 3, maxBufferedBytes: 1 << 20, sampledCacheSize: 0, nonSampledCacheSize: 0 });
  for (let k = 1; k <= 4; k++) store.add(oneSpanBatch(tid(k), 'a'), 0);
  // numTraces 3: trace 1 was decided early when trace 4 came
  const due = store.takeDue(10)!;
  assert.equal(store.earlyDecided, 1);
  assert.deepEqual(due.traces.map((t) => Buffer.from(t.traceId).toString('hex')), [tid(2), tid(3), tid(4)]);
  for (const t of due.traces) store.recordDecision(t, true);
  // the sampled cache holds 3 ids (= num_traces): 2, 3, 4
  let r = store.add(oneSpanBatch(tid(3), 'late'), 20);
  assert.deepEqual([...r.lateSampled], [0]);
  assert.equal(r.newTraces, 0);
  for (let k = 5; k <= 7; k++) {
    const d = store.add(oneSpanBatch(tid(k), 'b'), 20);
    assert.equal(d.newTraces, 1);
  }
  const d2 = store.takeDue(30)!;
  for (const t of d2.traces) store.recordDecision(t, false);
  // not-sampled decisions: 5, 6, 7; recording them forgot nothing of the sampled cache
  r = store.add(oneSpanBatch(tid(6), 'late'), 40);
  assert.equal(r.lateNotSampled, 1);
  r = store.add(oneSpanBatch(tid(2), 'late'), 40);
  assert.deepEqual([...r.lateSampled], [0]);
  // a 4th sampled decision pushes the oldest id not refreshed since (4) out of the 3-id cache (3 and 2 were hits)
  store.add(oneSpanBatch(tid(8), 'c'), 40);
  for (const t of store.takeDue(50)!.traces) store.recordDecision(t, true);
  r = store.add(oneSpanBatch(tid(4), 'again'), 60);
  assert.equal(r.lateSampled.length, 0);
  assert.equal(r.newTraces, 1, 'a forgotten trace starts over');
  r = store.add(oneSpanBatch(tid(8), 'late'), 60);
  assert.deepEqual([...r.lateSampled], [0]);
});

test('a decision changes cache: sampled then not sampled is remembered as not sampled', () => {
  const store = new TraceStore({ decisionWaitMs: 0, numTraces: 10, maxBufferedBytes: 1 << 20, sampledCacheSize: 10, nonSampledCacheSize: 10 });
  store.add(oneSpanBatch(tid(1), 'a'), 0);
  const t = store.takeDue(0)!.traces[0]!;
  store.recordDecision(t, true);
  store.recordDecision(t, false);
  const r = store.add(oneSpanBatch(tid(1), 'late'), 1);
  assert.equal(r.lateSampled.length, 0);
  assert.equal(r.lateNotSampled, 1);
});

test('a modified batch is stored with its modifications; ONE request groups spans by resource and scope', () => {
  const store = new TraceStore({ decisionWaitMs: 100, numTraces: 10, maxBufferedBytes: 1 << 20, sampledCacheSize: 10, nonSampledCacheSize: 10 });
  const b1 = oneSpanBatch(tid(1), 'original', { attributes: [{ key: 'k', value: { stringValue: 'v' } }] });
  b1.spanAttributes(0).set('k', { stringValue: 'changed' });
  b1.setName(0, 'renamed');
  store.add(b1, 0);
  store.add(oneSpanBatch(tid(2), 'second'), 1);
  store.add(oneSpanBatch(tid(1), 'third'), 2);
  const due = store.takeDue(200)!;
  assert.equal(due.batch.resourceCount, 1, 'identical resources are interned once');
  assert.equal(due.batch.scopeCount, 1);
  assert.equal(due.traces.length, 2);
  const [t1, t2] = due.traces;
  assert.deepEqual([...t1!.spans].map((i) => due.batch.name(i)), ['renamed', 'third']);
  assert.equal(due.batch.spanAttributes(t1!.spans[0]!).getString('k'), 'changed');
  assert.deepEqual([...t2!.spans].map((i) => due.batch.name(i)), ['second']);
  assert.equal(t1!.arrivalMs, 0);
  assert.equal(t2!.arrivalMs, 1);
  assert.equal(store.takeDue(10_000), null);
  assert.equal(store.takeAll(), null);
});
