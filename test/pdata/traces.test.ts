// TraceBatch differential tests against the protobufjs oracle (test/oracle/otlp-oracle.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TraceBatch, type AnyValue } from '../../src/pdata/traces';
import { DecodeError } from '../../src/errors';
import { oracleDecodeTraces, oracleEncodeTraces, oracleRoot } from '../oracle/otlp-oracle';
import {
  mulberry32, randomRequest, edgeCaseRequests, normalize, batchToCanonical, canonicalValue, randomAnyValue, randomString,
  type Rng,
} from './random-traces';

const N_RANDOM = 300;

function corpus(): Array<[string, Uint8Array]> {
  const out: Array<[string, Uint8Array]> = edgeCaseRequests().map(([name, obj]) => [name, oracleEncodeTraces(obj)]);
  for (let seed = 1; seed <= N_RANDOM; seed++) out.push([`random seed ${seed}`, oracleEncodeTraces(randomRequest(mulberry32(seed)))]);
  return out;
}
const CORPUS = corpus();

const canon = (b: TraceBatch): unknown => normalize(batchToCanonical(b));
const oracle = (bytes: Uint8Array): unknown => normalize(oracleDecodeTraces(bytes));
const eqBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

test('decode: accessors read back exactly what the oracle decodes (lazy and eager)', () => {
  for (const [name, bytes] of CORPUS) {
    const want = oracle(bytes);
    assert.deepStrictEqual(canon(TraceBatch.decode(bytes)), want, name);
    assert.deepStrictEqual(canon(TraceBatch.decode(bytes, { eager: true })), want, `${name} (eager)`);
  }
});

test('decode: counts and index helpers', () => {
  const obj = randomRequest(mulberry32(4242), { maxResources: 3, maxScopes: 3, maxSpans: 5 });
  const o = oracleDecodeTraces(oracleEncodeTraces(obj)) as { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }> };
  const b = TraceBatch.decode(oracleEncodeTraces(obj));
  const rs = o.resourceSpans ?? [];
  assert.equal(b.resourceCount, rs.length);
  assert.equal(b.scopeCount, rs.reduce((n, r) => n + (r.scopeSpans?.length ?? 0), 0));
  assert.equal(b.spanCount, rs.reduce((n, r) => n + (r.scopeSpans ?? []).reduce((m, s) => m + (s.spans?.length ?? 0), 0), 0));
  for (let i = 0; i < b.spanCount; i++) assert.equal(b.spanResource(i), b.scopeResource(b.spanScope(i)));
  assert.throws(() => b.name(b.spanCount), RangeError);
  assert.throws(() => b.name(-1), RangeError);
});

test('encode: an untouched batch is byte-for-byte its input; fromColumns re-encodes identically', () => {
  for (const [name, bytes] of CORPUS) {
    const b = TraceBatch.decode(bytes);
    assert.ok(eqBytes(b.encode(), bytes), `${name}: encode() != input`);
    // protobufjs writes fields in field-number order, as our columns encoder does (presence kept): identical
    assert.ok(eqBytes(b.encode({ fromColumns: true }), bytes), `${name}: encode({fromColumns}) != input`);
    assert.ok(eqBytes(TraceBatch.decode(bytes, { eager: true }).encode({ fromColumns: true }), bytes), `${name}: eager fromColumns`);
    // reading everything does not make the batch dirty
    batchToCanonical(b);
    assert.ok(eqBytes(b.encode(), bytes), `${name}: encode() after reads`);
  }
});

test('encode: field order, duplicates and unknown fields of hand-crafted input survive', () => {
  // Span with fields out of order, an unknown field (99, varint), name twice (last wins), status code 0 present.
  const span = Buffer.concat([
    hexb('2a 01 61'), // name "a"
    hexb('98 06 07'), // field 99 varint 7 (unknown)
    hexb('0a 10'), Buffer.alloc(16, 1), // trace_id
    hexb('12 08'), Buffer.alloc(8, 2), // span_id
    hexb('7a 02 18 00'), // status { code: 0 } (present default)
    hexb('2a 01 62'), // name "b"
    hexb('4a 08 0a 01 6b 12 03 0a 01 76'), // attribute k="v"
  ]);
  const ss = Buffer.concat([hexb('12'), varint(span.length), span, hexb('a2 06 01 7a')]); // + unknown field 100 (len)
  const rs = Buffer.concat([hexb('12'), varint(ss.length), ss, hexb('1a 01 75'), hexb('a0 06 05')]); // schema_url "u" + unknown 100 varint
  const req = Buffer.concat([hexb('0a'), varint(rs.length), rs]);
  const b = TraceBatch.decode(req);
  assert.equal(b.name(0), 'b');
  assert.equal(b.statusCode(0), 0);
  assert.ok(eqBytes(b.encode(), req));
  assert.deepStrictEqual(oracle(b.encode({ fromColumns: true })), oracle(req));
  // modify the span: the unknown fields are still there (oracle ignores them, so look at the bytes)
  b.spanAttributes(0).set('k2', { boolValue: true });
  const out = Buffer.from(b.encode());
  assert.ok(out.includes(hexb('98 06 07')), 'span unknown field kept');
  assert.ok(out.includes(hexb('a2 06 01 7a')), 'scope spans unknown field kept');
  assert.ok(out.includes(hexb('a0 06 05')), 'resource spans unknown field kept');
  assert.ok(out.includes(hexb('7a 02 18 00')), 'present default status kept verbatim');
  const o = oracleDecodeTraces(out) as any;
  assert.deepStrictEqual(o.resourceSpans[0].scopeSpans[0].spans[0].attributes.map((a: any) => a.key), ['k', 'k2']);
  // slicing (partial wrapper rebuild) keeps unknown wrapper fields too
  const sl = Buffer.from(TraceBatch.concat([b, b]).slice(1, 2).encode());
  assert.ok(sl.includes(hexb('a2 06 01 7a')) && sl.includes(hexb('a0 06 05')));
});

// ---------------------------------------------------------------- mutations

interface Edit { apply(b: TraceBatch): void; expect(o: any): void }

/** Spans of a canonical (oracle) object in batch order, with their resource and scope. */
function spansOf(o: any): Array<{ rs: any; ss: any; span: any }> {
  const out = [];
  for (const rs of o.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) for (const span of ss.spans ?? []) out.push({ rs, ss, span });
  return out;
}
function scopesOf(o: any): any[] {
  const out = [];
  for (const rs of o.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) out.push(ss);
  return out;
}

function setAttr(list: any[] | undefined, key: string, v: AnyValue): any[] {
  const l = list ?? [];
  let j = -1;
  for (let k = l.length - 1; k >= 0; k--) if ((l[k].key ?? '') === key) { j = k; break; }
  if (j >= 0) l[j] = { ...l[j], value: canonicalValue(v) };
  else l.push({ key, value: canonicalValue(v) });
  return l;
}
function delAttr(list: any[] | undefined, key: string): any[] {
  return (list ?? []).filter((a) => (a.key ?? '') !== key);
}

function randomEdit(rng: Rng, b: TraceBatch, o: any): Edit | null {
  const spans = spansOf(o);
  const kind = Math.floor(rng() * 9);
  const key = rng() < 0.5 ? `attr.${Math.floor(rng() * 3)}.${Math.floor(rng() * 5)}` : randomString(rng);
  const v = randomAnyValue(rng) as unknown as AnyValue;
  const jsv = jsValue(v);
  if (kind <= 2 && spans.length) {
    const i = Math.floor(rng() * spans.length);
    if (kind === 0) return { apply: (x) => x.spanAttributes(i).set(key, jsv), expect: () => { spans[i].span.attributes = setAttr(spans[i].span.attributes, key, jsv); } };
    const existing = spans[i].span.attributes?.[0]?.key ?? key;
    if (kind === 1) return { apply: (x) => { x.spanAttributes(i).delete(existing); }, expect: () => { spans[i].span.attributes = delAttr(spans[i].span.attributes, existing); } };
    const name = randomString(rng);
    return { apply: (x) => x.setName(i, name), expect: () => { spans[i].span.name = name; } };
  }
  if (kind === 3 && spans.length) {
    const i = Math.floor(rng() * spans.length);
    const code = Math.floor(rng() * 3);
    const msg = rng() < 0.5 ? '' : randomString(rng);
    return { apply: (x) => x.setStatus(i, code, msg), expect: () => { spans[i].span.status = { code, message: msg }; } };
  }
  if (kind === 4 && b.resourceCount) {
    const r = Math.floor(rng() * b.resourceCount);
    return {
      apply: (x) => x.resourceAttributes(r).set(key, jsv),
      expect: () => {
        const rs = o.resourceSpans[r];
        rs.resource = rs.resource ?? {};
        rs.resource.attributes = setAttr(rs.resource.attributes, key, jsv);
      },
    };
  }
  if (kind === 5 && b.scopeCount) {
    const s = Math.floor(rng() * b.scopeCount);
    return {
      apply: (x) => x.scopeAttributes(s).set(key, jsv),
      expect: () => {
        const ss = scopesOf(o)[s];
        ss.scope = ss.scope ?? {};
        ss.scope.attributes = setAttr(ss.scope.attributes, key, jsv);
      },
    };
  }
  if (kind === 6) {
    const i = spans.findIndex((x) => (x.span.events?.length ?? 0) > 0);
    if (i < 0) return null;
    return { apply: (x) => x.eventAttributes(i, 0).set(key, jsv), expect: () => { spans[i].span.events[0].attributes = setAttr(spans[i].span.events[0].attributes, key, jsv); } };
  }
  if (kind === 7) {
    const i = spans.findIndex((x) => (x.span.links?.length ?? 0) > 0);
    if (i < 0) return null;
    return { apply: (x) => x.linkAttributes(i, 0).set(key, jsv), expect: () => { spans[i].span.links[0].attributes = setAttr(spans[i].span.links[0].attributes, key, jsv); } };
  }
  if (kind === 8 && spans.length) {
    const i = Math.floor(rng() * spans.length);
    const existing = spans[i].span.attributes?.[spans[i].span.attributes.length - 1]?.key;
    if (existing === undefined) return null;
    return { apply: (x) => x.spanAttributes(i).set(existing, { stringValue: 'replaced' }), expect: () => { spans[i].span.attributes = setAttr(spans[i].span.attributes, existing, { stringValue: 'replaced' }); } };
  }
  return null;
}

/** Oracle-form AnyValue (from randomAnyValue) -> contract AnyValue. */
function jsValue(v: any): AnyValue {
  if ('stringValue' in v) return { stringValue: v.stringValue };
  if ('boolValue' in v) return { boolValue: v.boolValue };
  if ('intValue' in v) return { intValue: BigInt(v.intValue) };
  if ('doubleValue' in v) return { doubleValue: v.doubleValue };
  if ('bytesValue' in v) return { bytesValue: new Uint8Array(v.bytesValue) };
  if ('arrayValue' in v) return { arrayValue: (v.arrayValue.values ?? []).map(jsValue) };
  if ('kvlistValue' in v) return { kvlistValue: (v.kvlistValue.values ?? []).map((kv: any) => [kv.key, jsValue(kv.value ?? {})]) };
  return {};
}

test('mutations: set/delete attributes, setName, setStatus show up exactly in the encoded output', () => {
  for (let seed = 1; seed <= 150; seed++) {
    const rng = mulberry32(seed * 7919);
    const bytes = oracleEncodeTraces(randomRequest(mulberry32(seed)));
    const b = TraceBatch.decode(bytes);
    const expected = oracleDecodeTraces(bytes) as any;
    const nEdits = 1 + Math.floor(rng() * 5);
    let applied = 0;
    for (let k = 0; k < nEdits * 2 && applied < nEdits; k++) {
      const e = randomEdit(rng, b, expected);
      if (!e) continue;
      e.apply(b);
      e.expect(expected);
      applied++;
    }
    const want = normalize(expected);
    const out = b.encode();
    assert.deepStrictEqual(oracle(out), want, `seed ${seed}: encode()`);
    assert.deepStrictEqual(canon(b), want, `seed ${seed}: accessors after edits`);
    assert.deepStrictEqual(oracle(b.encode({ fromColumns: true })), want, `seed ${seed}: encode({fromColumns})`);
    // the edited batch survives slicing/cloning, and a re-decode of its output encodes byte-identically
    assert.deepStrictEqual(oracle(b.clone().encode()), want, `seed ${seed}: clone`);
    assert.ok(eqBytes(TraceBatch.decode(out).encode(), out));
  }
});

test('mutations: untouched spans are copied byte-for-byte next to a modified one', () => {
  const obj = randomRequest(mulberry32(77), { maxResources: 2, maxScopes: 2, maxSpans: 6 });
  const bytes = oracleEncodeTraces(obj);
  const b = TraceBatch.decode(bytes);
  assert.ok(b.spanCount >= 2);
  b.setName(0, 'changed');
  const out = Buffer.from(b.encode());
  const SpanType = oracleRoot.lookupType('opentelemetry.proto.trace.v1.Span');
  const spans = spansOf(obj);
  for (let i = 1; i < spans.length; i++) {
    const spanBytes = Buffer.from(SpanType.encode(SpanType.fromObject(spans[i].span)).finish());
    assert.ok(out.includes(spanBytes), `span ${i} copied verbatim`);
  }
  assert.equal(TraceBatch.decode(out).name(0), 'changed');
});

test('attributes view: get/getString/indexOf/type/toObject/delete/set on every value type', () => {
  const bytes = oracleEncodeTraces(edgeCaseRequests().find(([n]) => n === 'int64 and double extremes')![1]);
  const b = TraceBatch.decode(bytes);
  const a = b.spanAttributes(0);
  assert.equal(a.type(a.indexOf('max')), 'int');
  assert.deepStrictEqual(a.get('max'), { intValue: 9223372036854775807n });
  assert.deepStrictEqual(a.get('min'), { intValue: -9223372036854775808n });
  assert.ok(Number.isNaN((a.get('nan') as { doubleValue: number }).doubleValue));
  assert.ok(Object.is((a.get('negzero') as { doubleValue: number }).doubleValue, -0));
  assert.deepStrictEqual(a.get('bytes'), { bytesValue: new Uint8Array([0, 255, 1]) });
  assert.equal(a.type(a.indexOf('nested')), 'array');
  assert.deepStrictEqual(a.get('nested'), { arrayValue: [{ kvlistValue: [['x', { arrayValue: [{}, { intValue: -1n }] }]] }, { arrayValue: [] }] });
  assert.deepStrictEqual(a.get('emptykv'), { kvlistValue: [] });
  assert.equal(a.getString('max'), undefined);
  assert.equal(a.get('absent'), undefined);
  const values: AnyValue[] = [
    { stringValue: 'ünïcode' }, { boolValue: true }, { intValue: -42n }, { doubleValue: -0 }, { bytesValue: new Uint8Array([9]) },
    { arrayValue: [{ stringValue: 'a' }, { arrayValue: [{ boolValue: false }] }] }, { kvlistValue: [['k', { intValue: 1n }], ['', {}]] }, {},
  ];
  values.forEach((v, k) => a.set(`new.${k}`, v));
  values.forEach((v, k) => assert.deepStrictEqual(a.get(`new.${k}`), v));
  assert.equal(a.getString('new.0'), 'ünïcode');
  assert.equal(a.delete('max'), true);
  assert.equal(a.delete('max'), false);
  assert.equal(a.indexOf('max'), -1);
  const obj = a.toObject();
  assert.equal(Object.keys(obj).length, a.length);
  const round = TraceBatch.decode(b.encode()).spanAttributes(0);
  assert.deepStrictEqual(round.toObject(), obj);
  assert.throws(() => a.set('bad', { nope: 1 } as unknown as AnyValue), TypeError);
  assert.deepStrictEqual(TraceBatch.decode(b.encode()).spanAttributes(0).toObject(), obj, 'failed set left the batch unchanged');
});

// ---------------------------------------------------------------- slice / concat / filter / clone

interface Flat { resource: unknown; rsSchema: unknown; scope: unknown; ssSchema: unknown; span: unknown }
function flat(o: any): Flat[] {
  const out: Flat[] = [];
  for (const rs of o.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) out.push({ resource: rs.resource, rsSchema: rs.schemaUrl, scope: ss.scope, ssSchema: ss.schemaUrl, span });
    }
  }
  return out;
}

/** Number of runs of consecutive kept spans sharing a resource (what the re-encoded output must contain). */
function resourceRuns(b: TraceBatch, kept: number[]): number {
  let runs = 0;
  let prev = -1;
  for (const i of kept) {
    const r = b.spanResource(i);
    if (r !== prev) runs++;
    prev = r;
  }
  return runs;
}

test('slice/filterSpans/clone/concat keep every span exactly, nested under their resource and scope', () => {
  for (let seed = 1; seed <= 120; seed++) {
    const rng = mulberry32(seed * 31);
    const bytes = oracleEncodeTraces(randomRequest(mulberry32(seed)));
    const b = TraceBatch.decode(bytes, { eager: seed % 2 === 0 });
    if (seed % 3 === 0 && b.spanCount > 0) b.spanAttributes(0).set('touched', { boolValue: true });
    const all = flat(normalize(batchToCanonical(b)));
    const n = b.spanCount;
    // slice
    const s0 = Math.floor(rng() * (n + 1));
    const s1 = s0 + Math.floor(rng() * (n - s0 + 1));
    const sl = b.slice(s0, s1);
    assert.equal(sl.spanCount, s1 - s0);
    assert.deepStrictEqual(flat(canon(sl)), all.slice(s0, s1), `seed ${seed}: slice accessors`);
    assert.deepStrictEqual(flat(oracle(sl.encode())), all.slice(s0, s1), `seed ${seed}: slice encode`);
    const keptSlice = Array.from({ length: s1 - s0 }, (_, k) => s0 + k);
    assert.equal(sl.resourceCount, resourceRuns(b, keptSlice), `seed ${seed}: one resource per run`);
    // filter
    const mask = Array.from({ length: n }, () => rng() < 0.5);
    const f = b.filterSpans((i) => mask[i]);
    const kept = mask.flatMap((k, i) => (k ? [i] : []));
    assert.equal(f.spanCount, kept.length);
    assert.deepStrictEqual(flat(canon(f)), kept.map((i) => all[i]), `seed ${seed}: filter accessors`);
    assert.deepStrictEqual(flat(oracle(f.encode())), kept.map((i) => all[i]), `seed ${seed}: filter encode`);
    assert.deepStrictEqual(flat(oracle(f.encode({ fromColumns: true }))), kept.map((i) => all[i]));
    // clone: same bytes, independent memory
    const c = b.clone();
    assert.ok(eqBytes(c.encode(), b.encode()), `seed ${seed}: clone encodes the same`);
    if (c.spanCount > 0) {
      c.setName(0, 'only-in-clone');
      assert.notEqual(b.name(0), 'only-in-clone');
    }
    // concat of the slice, the filtered batch and the original
    const cat = TraceBatch.concat([sl, f, b]);
    assert.equal(cat.spanCount, sl.spanCount + f.spanCount + b.spanCount);
    assert.equal(cat.resourceCount, sl.resourceCount + f.resourceCount + b.resourceCount, 'resources never merged');
    const want = [...all.slice(s0, s1), ...kept.map((i) => all[i]), ...all];
    assert.deepStrictEqual(flat(oracle(cat.encode())), want, `seed ${seed}: concat`);
    assert.deepStrictEqual(flat(canon(cat)), want);
  }
});

test('concat of untouched batches is the concatenation of their requests; empty resources survive concat', () => {
  const reqs = [1, 2, 3].map((s) => oracleEncodeTraces(randomRequest(mulberry32(1000 + s))));
  const edge = oracleEncodeTraces(edgeCaseRequests().find(([n]) => n === 'resource without scope spans')![1]);
  const batches = [...reqs, edge].map((r) => TraceBatch.decode(r));
  const cat = TraceBatch.concat(batches);
  assert.ok(eqBytes(cat.encode(), Buffer.concat([...reqs, edge])));
  assert.equal(TraceBatch.concat([]).spanCount, 0);
  assert.equal(TraceBatch.empty().encode().length, 0);
  // slicing drops resources/scopes left without spans
  assert.equal(TraceBatch.decode(edge).slice(0, 0).resourceCount, 0);
});

test('byteSize counts wire bytes and columns', () => {
  const bytes = CORPUS[CORPUS.length - 1][1];
  const b = TraceBatch.decode(bytes);
  assert.ok(b.byteSize >= bytes.length);
  const before = b.byteSize;
  if (b.spanCount > 0) {
    for (let i = 0; i < b.spanCount; i++) b.spanAttributes(i).toObject();
    assert.ok(b.byteSize >= before);
  }
});

// ---------------------------------------------------------------- malformed input

function decodeOutcome(bytes: Uint8Array): 'ok' | 'decode-error' {
  try {
    const b = TraceBatch.decode(bytes);
    // an accepted message must be fully readable and agree with the oracle
    const mine = canon(b);
    let theirs: unknown;
    try {
      theirs = oracle(bytes);
    } catch (e) {
      assert.fail(`accepted input the oracle rejects (${(e as Error).message}): ${Buffer.from(bytes).toString('hex').slice(0, 200)}`);
    }
    assert.deepStrictEqual(mine, theirs);
    assert.ok(eqBytes(b.encode(), bytes));
    oracle(b.encode({ fromColumns: true }));
    return 'ok';
  } catch (e) {
    if (e instanceof DecodeError) return 'decode-error';
    throw e;
  }
}

test('malformed: every truncation of valid messages is rejected with DecodeError or decodes consistently', () => {
  let rejected = 0;
  for (const [, bytes] of CORPUS.slice(0, 40)) {
    if (bytes.length > 4000) continue;
    for (let n = 0; n < bytes.length; n++) if (decodeOutcome(bytes.subarray(0, n)) === 'decode-error') rejected++;
  }
  assert.ok(rejected > 0);
});

test('malformed: random byte flips never throw anything but DecodeError', () => {
  const rng = mulberry32(99);
  for (let k = 0; k < 2000; k++) {
    const src = CORPUS[1 + Math.floor(rng() * (CORPUS.length - 1))][1];
    if (src.length === 0) continue;
    const b = Buffer.from(src);
    const flips = 1 + Math.floor(rng() * 3);
    for (let f = 0; f < flips; f++) b[Math.floor(rng() * b.length)] = Math.floor(rng() * 256);
    decodeOutcome(b);
  }
});

function hexb(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}
function varint(n: number): Buffer {
  const out = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}
/** Wrap span content as request > resource spans > scope spans > span. */
function inSpan(content: Buffer): Buffer {
  const span = Buffer.concat([hexb('12'), varint(content.length), content]);
  const ss = Buffer.concat([hexb('12'), varint(span.length), span]);
  const rs = Buffer.concat([hexb('0a'), varint(ss.length), ss]);
  return rs;
}
test('malformed: crafted bad framing is rejected with DecodeError', () => {
  let deep = Buffer.alloc(0); // AnyValue nested 300 arrays deep
  for (let k = 0; k < 300; k++) {
    const av = Buffer.concat([hexb('2a'), varint(deep.length + (deep.length ? 0 : 0)), deep]);
    const arr = Buffer.concat([hexb('0a'), varint(av.length), av]);
    deep = arr;
  }
  const deepKv = Buffer.concat([hexb('0a 01 6b 12'), varint(deep.length + 2), hexb('2a'), varint(deep.length), deep]);
  const cases: Array<[string, Buffer]> = [
    ['truncated tag varint', hexb('8a')],
    ['truncated length', hexb('0a')],
    ['length past end', hexb('0a 05 12')],
    ['huge length', hexb('0a ff ff ff ff 0f')],
    ['wrong wire type for resource_spans', hexb('08 01')],
    ['group wire type', hexb('0a 02 0b 0c')],
    ['end group wire type', hexb('0c')],
    ['wire type 6', hexb('0e')],
    ['wire type 7', hexb('0f 00')],
    ['field number 0', hexb('00 00')],
    ['overlong varint (11 bytes)', Buffer.concat([hexb('0a 0c 12 0a 12 08 30'), hexb('ff ff ff ff ff ff ff ff ff ff 01')])],
    ['varint overflowing 64 bits', inSpan(hexb('30 ff ff ff ff ff ff ff ff ff 7f'))],
    ['trace_id of 15 bytes', inSpan(Buffer.concat([hexb('0a 0f'), Buffer.alloc(15)]))],
    ['trace_id of 17 bytes', inSpan(Buffer.concat([hexb('0a 11'), Buffer.alloc(17)]))],
    ['span_id of 7 bytes', inSpan(Buffer.concat([hexb('12 07'), Buffer.alloc(7)]))],
    ['parent_span_id of 9 bytes', inSpan(Buffer.concat([hexb('22 09'), Buffer.alloc(9)]))],
    ['link trace_id of 4 bytes', inSpan(hexb('6a 06 0a 04 00 00 00 00'))],
    ['link span_id of 3 bytes', inSpan(hexb('6a 05 12 03 00 00 00'))],
    ['flags as varint', inSpan(hexb('80 01 05'))],
    ['start time as varint', inSpan(hexb('38 05'))],
    ['truncated fixed64', inSpan(hexb('39 00 00 00'))],
    ['name as varint', inSpan(hexb('28 01'))],
    ['attribute value with bad wire type', inSpan(hexb('4a 04 12 02 08 01'))],
    ['attribute key as varint', inSpan(hexb('4a 02 08 01'))],
    ['truncated attribute', inSpan(hexb('4a 05 0a 09 6b'))],
    ['event time as varint', inSpan(hexb('5a 02 08 01'))],
    ['status code as len', inSpan(hexb('7a 02 1a 00'))],
    ['values nested too deeply', inSpan(Buffer.concat([hexb('4a'), varint(deepKv.length), deepKv]))],
    ['bad nested kvlist', inSpan(hexb('4a 08 0a 01 6b 12 03 32 01 0a'))],
    ['resource attributes truncated', hexb('0a 04 0a 02 0a 05')],
    ['scope name as varint', hexb('0a 06 12 04 0a 02 08 01')],
    ['entity ref field as varint', hexb('0a 06 0a 04 1a 02 08 01')],
  ];
  for (const [name, bytes] of cases) {
    assert.throws(() => TraceBatch.decode(bytes), (e: unknown) => e instanceof DecodeError && e.code === 'OTELTS_ERR_DECODE', name);
  }
  // Sanity: the same shapes with valid content decode.
  assert.equal(TraceBatch.decode(inSpan(Buffer.concat([hexb('0a 10'), Buffer.alloc(16, 7)]))).traceIdHex(0), '07'.repeat(16));
  assert.equal(TraceBatch.decode(inSpan(hexb('0a 00'))).traceIdHex(0), '');
  assert.equal(TraceBatch.decode(inSpan(hexb('85 01 01 02 00 00'))).flags(0), 0x201);
  // overlong but valid (<= 10 bytes) varints are accepted
  assert.equal(TraceBatch.decode(inSpan(hexb('30 82 80 80 80 00'))).kind(0), 2);
});

test('malformed: non-bytes input is a DecodeError', () => {
  assert.throws(() => TraceBatch.decode('abc' as unknown as Uint8Array), DecodeError);
});
