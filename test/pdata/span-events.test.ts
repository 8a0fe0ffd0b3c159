// TraceBatch.filterSpanEvents against the protobufjs oracle: removing span events (filter processor,
// spanevent context) keeps everything else, and spans that lost no event keep their exact bytes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TraceBatch } from '../../src/pdata/traces';
import { oracleDecodeTraces, oracleEncodeTraces } from '../oracle/otlp-oracle';
import { mulberry32, randomRequest, normalize, batchToCanonical, type Rng } from './random-traces';

type Obj = Record<string, unknown>;
const eqBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/** The oracle's spans of a request in wire order (the batch's span indices). */
function oracleSpans(o: Obj): Obj[] {
  const out: Obj[] = [];
  for (const rs of (o.resourceSpans as Obj[] | undefined) ?? []) {
    for (const ss of (rs.scopeSpans as Obj[] | undefined) ?? []) out.push(...((ss.spans as Obj[] | undefined) ?? []));
  }
  return out;
}

/** The raw bytes of every Span message of an ExportTraceServiceRequest, in order (minimal wire walker). */
function rawSpans(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const varint = (u8: Uint8Array, p: number): [number, number] => {
    let v = 0, m = 1;
    for (;;) {
      const b = u8[p++];
      v += (b & 0x7f) * m;
      m *= 128;
      if (b < 0x80) return [v, p];
    }
  };
  const walk = (u8: Uint8Array, start: number, end: number, f: (field: number, off: number, len: number) => void): void => {
    let p = start;
    while (p < end) {
      let tag: number;
      [tag, p] = varint(u8, p);
      const wt = tag & 7;
      if (wt === 2) {
        let len: number;
        [len, p] = varint(u8, p);
        f(Math.floor(tag / 8), p, len);
        p += len;
      } else if (wt === 0) [, p] = varint(u8, p);
      else if (wt === 1) p += 8;
      else if (wt === 5) p += 4;
      else throw new Error(`wire type ${wt}`);
    }
  };
  walk(bytes, 0, bytes.length, (f, o, l) => {
    if (f !== 1) return;
    walk(bytes, o, o + l, (f2, o2, l2) => {
      if (f2 !== 2) return;
      walk(bytes, o2, o2 + l2, (f3, o3, l3) => {
        if (f3 === 2) out.push(bytes.subarray(o3, o3 + l3));
      });
    });
  });
  return out;
}

/** Remove, per span, the events whose mask entry is 0 from an oracle object (in place). */
function removeEvents(o: Obj, masks: Map<number, boolean[]>): void {
  oracleSpans(o).forEach((s, i) => {
    const m = masks.get(i);
    if (m === undefined) return;
    const kept = (s.events as Obj[]).filter((_, e) => m[e]);
    if (kept.length > 0) s.events = kept;
    else delete s.events;
  });
}

/** Random keep decisions (some spans all kept, some all dropped, some mixed); records the removals. */
function randomKeep(rng: Rng, b: TraceBatch): { keep: (i: number, e: number) => boolean; masks: Map<number, boolean[]> } {
  const masks = new Map<number, boolean[]>();
  const decisions: boolean[][] = [];
  for (let i = 0; i < b.spanCount; i++) {
    const mode = rng();
    const d: boolean[] = [];
    for (let e = 0; e < b.eventCount(i); e++) d.push(mode < 0.4 ? true : mode < 0.55 ? false : rng() < 0.5);
    decisions.push(d);
    if (d.some((k) => !k)) masks.set(i, d);
  }
  return { keep: (i, e) => decisions[i][e], masks };
}

function check(name: string, input: Uint8Array, b: TraceBatch, rng: Rng): void {
  const { keep, masks } = randomKeep(rng, b);
  const out = b.filterSpanEvents(keep);
  if (masks.size === 0) {
    assert.equal(out, b, `${name}: nothing removed returns the same batch`);
    return;
  }
  assert.notEqual(out, b, name);
  const want = oracleDecodeTraces(input) as Obj;
  removeEvents(want, masks);
  const bytes = out.encode();
  assert.deepStrictEqual(normalize(oracleDecodeTraces(bytes)), normalize(want), `${name}: encode`);
  assert.deepStrictEqual(normalize(batchToCanonical(out)), normalize(want), `${name}: accessors`);
  assert.equal(out.spanCount, b.spanCount, name);
  // The source batch is unchanged.
  assert.ok(eqBytes(b.encode(), TraceBatch.decode(input).encode()), `${name}: source unchanged`);
  // Spans that lost no event keep their bytes.
  const before = rawSpans(input);
  const after = rawSpans(bytes);
  assert.equal(after.length, before.length, name);
  for (let i = 0; i < before.length; i++) {
    if (!masks.has(i)) assert.ok(eqBytes(after[i], before[i]), `${name}: span ${i} bytes`);
    else assert.ok(after[i].length < before[i].length, `${name}: span ${i} shrank`);
  }
  // Re-encoding from columns agrees, and the result can be sliced/filtered again.
  assert.deepStrictEqual(normalize(oracleDecodeTraces(out.encode({ fromColumns: true }))), normalize(want), `${name}: fromColumns`);
  // (slice drops resources without spans: compare the spans)
  const sliced = oracleDecodeTraces(out.slice(0, out.spanCount).encode()) as Obj;
  assert.deepStrictEqual(normalize(oracleSpans(sliced)), normalize(oracleSpans(want)), `${name}: slice`);
}

test('filterSpanEvents: random requests and predicates match the oracle with exactly those events removed', () => {
  const rng = mulberry32(777);
  let removedSomewhere = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const input = oracleEncodeTraces(randomRequest(mulberry32(seed), { maxSpans: 8 }));
    // lazy (events parsed by the predicate or not at all) and eager batches
    check(`seed ${seed} lazy`, input, TraceBatch.decode(input), rng);
    check(`seed ${seed} eager`, input, TraceBatch.decode(input, { eager: true }), rng);
    const b = TraceBatch.decode(input);
    if (b.filterSpanEvents(() => false) !== b) removedSomewhere++;
  }
  assert.ok(removedSomewhere > 50, `the corpus has events to remove (${removedSomewhere})`);
});

test('filterSpanEvents: predicate that never reads the events, all removed; dropped_events_count unchanged', () => {
  const obj = {
    resourceSpans: [{ scopeSpans: [{ spans: [
      { name: 'a', droppedEventsCount: 2, events: [{ name: 'exception' }, { name: 'log', attributes: [{ key: 'k', value: { stringValue: 'v' } }] }] },
      { name: 'b', events: [{ name: 'keep' }] },
      { name: 'c' },
    ] }] }],
  };
  const input = oracleEncodeTraces(obj);
  const b = TraceBatch.decode(input);
  const out = b.filterSpanEvents((i) => i !== 0);
  assert.equal(out.eventCount(0), 0);
  assert.equal(out.droppedEventsCount(0), 2);
  assert.equal(out.eventCount(1), 1);
  assert.equal(out.eventName(1, 0), 'keep');
  assert.throws(() => out.eventName(0, 0), RangeError);
  const spans = oracleSpans(oracleDecodeTraces(out.encode()) as Obj);
  assert.equal(spans[0].events, undefined);
  assert.equal(spans[0].droppedEventsCount, 2);
  assert.deepStrictEqual((spans[1].events as Obj[]).map((e) => e.name), ['keep']);
  // Select by name: removes exactly the "exception" event.
  const byName = b.filterSpanEvents((i, e) => b.eventName(i, e) !== 'exception');
  assert.deepStrictEqual([byName.eventCount(0), byName.eventName(0, 0)], [1, 'log']);
  assert.deepStrictEqual(byName.eventAttributes(0, 0).toObject(), { k: { stringValue: 'v' } });
});

test('filterSpanEvents: keeps modifications made before (dirty events and spans) and after', () => {
  const obj = {
    resourceSpans: [{ scopeSpans: [{ spans: [
      { name: 'a', events: [{ name: 'e0' }, { name: 'e1', attributes: [{ key: 'x', value: { intValue: '1' } }] }, { name: 'e2' }] },
    ] }] }],
  };
  const b = TraceBatch.decode(oracleEncodeTraces(obj));
  b.eventAttributes(0, 1).set('y', { stringValue: 'z' });
  b.setName(0, 'renamed');
  const out = b.filterSpanEvents((_i, e) => e !== 0);
  out.eventAttributes(0, 1).set('w', { boolValue: true });
  const span = oracleSpans(oracleDecodeTraces(out.encode()) as Obj)[0];
  assert.equal(span.name, 'renamed');
  assert.deepStrictEqual(span.events, [
    { name: 'e1', attributes: [{ key: 'x', value: { intValue: '1' } }, { key: 'y', value: { stringValue: 'z' } }] },
    { name: 'e2', attributes: [{ key: 'w', value: { boolValue: true } }] },
  ]);
  // chained: a second filter on the result
  const out2 = out.filterSpanEvents((i, e) => out.eventName(i, e) !== 'e2');
  assert.deepStrictEqual(oracleSpans(oracleDecodeTraces(out2.encode()) as Obj)[0].events, [
    { name: 'e1', attributes: [{ key: 'x', value: { intValue: '1' } }, { key: 'y', value: { stringValue: 'z' } }] },
  ]);
});
