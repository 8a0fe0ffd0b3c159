// MetricBatch differential tests against the protobufjs oracle (test/oracle/otlp-oracle.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricBatch } from '../../src/pdata/metrics';
import type { AnyValue } from '../../src/pdata/traces';
import { DecodeError } from '../../src/errors';
import { oracleDecodeMetrics, oracleEncodeMetrics, oracleRoot } from '../oracle/otlp-oracle';
import { canonicalValue, randomAnyValue, randomString } from './random-traces';
import {
  mulberry32, randomMetricsRequest, edgeCaseMetricsRequests, normalizeMetrics, metricBatchToCanonical, flattenMetrics,
  type Rng,
} from './random-metrics';

const N_RANDOM = 250;

function corpus(): Array<[string, Uint8Array]> {
  const out: Array<[string, Uint8Array]> = edgeCaseMetricsRequests().map(([name, obj]) => [name, oracleEncodeMetrics(obj)]);
  for (let seed = 1; seed <= N_RANDOM; seed++) out.push([`random seed ${seed}`, oracleEncodeMetrics(randomMetricsRequest(mulberry32(seed)))]);
  return out;
}
const CORPUS = corpus();

const canon = (b: MetricBatch): unknown => normalizeMetrics(metricBatchToCanonical(b));
const oracle = (bytes: Uint8Array): unknown => normalizeMetrics(oracleDecodeMetrics(bytes));
const eqBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
const hexb = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
function varint(n: number): Buffer {
  const out = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}
/** A length-delimited field. */
const ld = (tag: number, content: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), varint(content.length), content]);
/** request > resource metrics > scope metrics > metric (content). */
const inMetric = (metric: Buffer): Buffer => ld(0x0a, ld(0x12, ld(0x12, metric)));
const f64 = (x: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x);
  return b;
};
const u64 = (x: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(x);
  return b;
};

test('decode: accessors read back exactly what the oracle decodes (lazy and eager)', () => {
  for (const [name, bytes] of CORPUS) {
    const want = oracle(bytes);
    assert.deepStrictEqual(canon(MetricBatch.decode(bytes)), want, name);
    assert.deepStrictEqual(canon(MetricBatch.decode(bytes, { eager: true })), want, `${name} (eager)`);
  }
});

test('decode: counts, index helpers and range checks', () => {
  const obj = randomMetricsRequest(mulberry32(4242), { maxResources: 3, maxScopes: 3, maxMetrics: 4, maxPoints: 4 });
  const o = oracleDecodeMetrics(oracleEncodeMetrics(obj)) as any;
  const b = MetricBatch.decode(oracleEncodeMetrics(obj));
  const rms = o.resourceMetrics ?? [];
  const sms = rms.flatMap((r: any) => r.scopeMetrics ?? []);
  const ms = sms.flatMap((s: any) => s.metrics ?? []);
  assert.equal(b.resourceCount, rms.length);
  assert.equal(b.scopeCount, sms.length);
  assert.equal(b.metricCount, ms.length);
  const nPoints = flattenMetrics(o).filter((f) => f.point !== null).length;
  assert.equal(b.dataPointCount, nPoints);
  assert.equal(b.itemCount, nPoints);
  assert.equal(b.signal, 'metrics');
  for (let p = 0; p < b.dataPointCount; p++) {
    const m = b.pointMetric(p);
    assert.ok(p >= b.metricFirstPoint(m) && p < b.metricFirstPoint(m) + b.metricPointCount(m));
  }
  for (let m = 0; m < b.metricCount; m++) assert.equal(b.metricResource(m), b.scopeResource(b.metricScope(m)));
  assert.throws(() => b.metricName(b.metricCount), RangeError);
  assert.throws(() => b.pointFlags(-1), RangeError);
  assert.throws(() => b.pointFlags(b.dataPointCount), RangeError);
  assert.throws(() => b.scopeName(b.scopeCount), RangeError);
});

test('accessors: values, presence, buckets and quantiles of hand-checked points', () => {
  const b = MetricBatch.decode(oracleEncodeMetrics(edgeCaseMetricsRequests().find(([n]) => n === 'extremes')![1]));
  assert.equal(b.metricType(0), 'gauge');
  assert.equal(b.pointValueType(0), 'int');
  assert.equal(b.pointIntValue(0), 9223372036854775807n);
  assert.equal(b.pointIntValue(1), -9223372036854775808n);
  assert.equal(b.pointValue(2), -1);
  assert.equal(b.pointValueType(3), 'double');
  assert.ok(Number.isNaN(b.pointDoubleValue(3)));
  assert.equal(b.pointValue(4), Infinity);
  assert.equal(b.pointDoubleValue(6), 5e-324);
  assert.equal(b.pointIntValue(3), 0n, 'int of a double point');
  // histogram
  const h = b.metricFirstPoint(2);
  assert.equal(b.metricType(2), 'histogram');
  assert.equal(b.metricAggregationTemporality(2), 2);
  assert.equal(b.pointCount(h), 18446744073709551615n);
  assert.ok(b.pointHasSum(h) && Number.isNaN(b.pointSum(h)));
  assert.equal(b.pointMin(h), -Infinity);
  assert.equal(b.pointMax(h), Infinity);
  assert.deepStrictEqual(b.pointBucketCounts(h), [18446744073709551615n, 0n, 4294967296n]);
  assert.equal(b.pointExplicitBounds(h)[0], -Infinity);
  assert.ok(Number.isNaN(b.pointExplicitBounds(h)[1]));
  assert.equal(b.pointValueType(h), 'none');
  assert.ok(Number.isNaN(b.pointValue(h)));
  // exponential histogram
  const e = b.metricFirstPoint(3);
  assert.equal(b.metricType(3), 'exponential_histogram');
  assert.equal(b.pointScale(e), -2147483648);
  assert.equal(b.pointBucketsOffset(e, 'positive'), -2147483648);
  assert.deepStrictEqual(b.pointBucketsCounts(e, 'positive'), [18446744073709551615n, 0n]);
  assert.equal(b.pointBucketsOffset(e, 'negative'), 2147483647);
  assert.deepStrictEqual(b.pointBucketsCounts(e, 'negative'), []);
  assert.ok(b.pointHasBuckets(e, 'negative'));
  assert.equal(b.pointFlags(e), 0xffffffff);
  assert.ok(!b.pointHasSum(e) && !b.pointHasMin(e));
  // exemplars
  const x = b.metricFirstPoint(4);
  assert.equal(b.pointExemplarCount(x), 2);
  assert.equal(b.exemplarValueType(x, 0), 'int');
  assert.equal(b.exemplarIntValue(x, 0), -9223372036854775808n);
  assert.equal(b.exemplarTraceIdHex(x, 0), 'ab'.repeat(16));
  assert.equal(b.exemplarSpanIdHex(x, 0), 'cd'.repeat(8));
  assert.deepStrictEqual(b.exemplarFilteredAttributes(x, 0).toObject(), { k: { intValue: -1n } });
  assert.equal(b.exemplarValueType(x, 1), 'double');
  assert.equal(b.exemplarSpanIdHex(x, 1), '');
  assert.throws(() => b.exemplarTimeUnixNano(x, 2), RangeError);

  // present zeros: histogram sum/min/max presence is kept
  const z = MetricBatch.decode(oracleEncodeMetrics(edgeCaseMetricsRequests().find(([n]) => n === 'present default values')![1]));
  const hz = z.metricFirstPoint(1);
  assert.ok(z.pointHasSum(hz) && z.pointHasMin(hz) && z.pointHasMax(hz));
  assert.deepStrictEqual(z.pointBucketCounts(hz), [0n]);
  const ez = z.metricFirstPoint(2);
  assert.ok(z.pointHasSum(ez) && Object.is(z.pointSum(ez), -0));
  assert.ok(z.pointHasBuckets(ez, 'positive') && z.pointHasBuckets(ez, 'negative'));
  const sz = z.metricFirstPoint(3);
  assert.deepStrictEqual(z.pointQuantiles(sz), [{ quantile: 0, value: 0 }, { quantile: 0, value: 0 }]);
  assert.ok(z.pointHasSum(sz), 'summary sum is always present');
  assert.equal(z.metricType(4), 'gauge');
  assert.equal(z.pointValueType(z.metricFirstPoint(4) + 2), 'none');
  assert.equal(z.metricIsMonotonic(0), false);
  // empty metrics
  const em = MetricBatch.decode(oracleEncodeMetrics(edgeCaseMetricsRequests().find(([n]) => n === 'empty metric (no data)')![1]));
  assert.equal(em.metricCount, 2);
  assert.equal(em.metricType(0), 'empty');
  assert.equal(em.metricUnit(0), 'ms');
  assert.equal(em.dataPointCount, 0);
  const ed = MetricBatch.decode(oracleEncodeMetrics(edgeCaseMetricsRequests().find(([n]) => n === 'metrics with empty data messages')![1]));
  assert.deepStrictEqual([0, 1, 2, 3, 4].map((m) => ed.metricType(m)), ['gauge', 'sum', 'histogram', 'exponential_histogram', 'summary']);
});

test('encode: an untouched batch is byte-for-byte its input; fromColumns re-encodes identically', () => {
  for (const [name, bytes] of CORPUS) {
    const b = MetricBatch.decode(bytes);
    assert.ok(eqBytes(b.encode(), bytes), `${name}: encode() != input`);
    // protobufjs writes fields in field-number order and repeated numbers packed, as our columns encoder does
    assert.ok(eqBytes(b.encode({ fromColumns: true }), bytes), `${name}: encode({fromColumns}) != input`);
    assert.ok(eqBytes(MetricBatch.decode(bytes, { eager: true }).encode({ fromColumns: true }), bytes), `${name}: eager fromColumns`);
    metricBatchToCanonical(b);
    assert.ok(eqBytes(b.encode(), bytes), `${name}: encode() after reads`);
  }
});

// ---------------------------------------------------------------- hand-crafted wire shapes

test('encode: unpacked and split repeated fields, duplicates, unknown fields and field order survive', () => {
  // Histogram point: bucket_counts unpacked (0x31) and in two packed runs, explicit_bounds unpacked (0x39),
  // an unknown field (99), sum present as 0, attributes after the arrays.
  const hp = Buffer.concat([
    hexb('31'), u64(3n), ld(0x32, Buffer.concat([u64(4n), u64(5n)])), ld(0x32, u64(6n)),
    hexb('39'), f64(1.5), hexb('39'), f64(2.5), ld(0x3a, f64(10)),
    hexb('98 06 07'), // field 99 varint (unknown)
    hexb('29'), f64(0), // sum = 0 (present)
    ld(0x4a, hexb('0a 01 6b 12 03 0a 01 76')), // attribute k="v"
  ]);
  // Exponential histogram point: positive buckets with unpacked counts (0x10) and a packed run.
  const ep = Buffer.concat([hexb('30 03'), ld(0x42, Buffer.concat([hexb('08 05 10 07'), ld(0x12, hexb('01 ac 02'))]))]);
  const metric = Buffer.concat([
    ld(0x0a, Buffer.from('h')),
    ld(0x2a, ld(0x0a, Buffer.concat([hexb('21'), f64(9)]))), // an earlier gauge: replaced by the histogram below
    ld(0x4a, Buffer.concat([ld(0x0a, hp), hexb('10 02'), hexb('a0 06 01'), ld(0x0a, Buffer.concat([hexb('21'), u64(1n)]))])), // histogram (2 points) + unknown field 100
    hexb('a8 06 09'), // unknown Metric field 101
    ld(0x0a, Buffer.from('h2')), // name again: last wins
  ]);
  const emetric = Buffer.concat([ld(0x0a, Buffer.from('e')), ld(0x52, ld(0x0a, ep))]);
  const req = Buffer.concat([inMetric(metric), inMetric(emetric)]);
  const b = MetricBatch.decode(req);
  assert.equal(b.metricCount, 2);
  assert.equal(b.metricName(0), 'h2');
  assert.equal(b.metricType(0), 'histogram');
  assert.equal(b.metricAggregationTemporality(0), 2);
  assert.equal(b.dataPointCount, 3, 'the replaced gauge point is gone');
  assert.equal(b.pointCount(1), 1n);
  assert.deepStrictEqual(b.pointBucketCounts(0), [3n, 4n, 5n, 6n]);
  assert.deepStrictEqual(b.pointExplicitBounds(0), [1.5, 2.5, 10]);
  assert.ok(b.pointHasSum(0) && b.pointSum(0) === 0);
  assert.equal(b.pointScale(2), -2);
  assert.equal(b.pointBucketsOffset(2, 'positive'), -3);
  assert.deepStrictEqual(b.pointBucketsCounts(2, 'positive'), [7n, 1n, 300n]);
  assert.ok(eqBytes(b.encode(), req), 'untouched: identical');
  // fromColumns: packed, number order; same message
  const fc = MetricBatch.decode(b.encode({ fromColumns: true }));
  assert.deepStrictEqual(canon(fc), canon(b));
  assert.deepStrictEqual(fc.pointBucketCounts(0), [3n, 4n, 5n, 6n]);
  // an edit keeps the unknown fields (the oracle ignores them: look at the bytes)
  b.pointAttributes(0).set('k2', { boolValue: true });
  const out = Buffer.from(b.encode());
  assert.ok(out.includes(hexb('98 06 07')), 'point unknown field kept');
  assert.ok(out.includes(hexb('a0 06 01')), 'data message unknown field kept');
  assert.ok(out.includes(hexb('a8 06 09')), 'metric unknown field kept');
  const back = MetricBatch.decode(out);
  assert.deepStrictEqual(back.pointAttributes(0).toObject(), { k: { stringValue: 'v' }, k2: { boolValue: true } });
  assert.deepStrictEqual(back.pointBucketCounts(0), [3n, 4n, 5n, 6n]);
  assert.deepStrictEqual(back.pointExplicitBounds(0), [1.5, 2.5, 10]);
  // a slice splitting the histogram rebuilds its shell from the columns: unknown fields kept too
  for (const sl of [b.slice(1, 2), b.slice(0, 1), MetricBatch.concat([b, b]).slice(4, 5)]) {
    const enc = Buffer.from(sl.encode());
    assert.ok(enc.includes(hexb('a8 06 09')) && enc.includes(hexb('a0 06 01')), 'unknown metric/data fields in a split metric');
    const d = MetricBatch.decode(enc);
    assert.equal(d.metricName(0), 'h2');
    assert.equal(d.metricAggregationTemporality(0), 2);
    assert.deepStrictEqual(canon(MetricBatch.decode(sl.encode({ fromColumns: true }))), canon(d));
  }
  assert.deepStrictEqual(MetricBatch.decode(b.slice(0, 1).encode()).pointBucketCounts(0), [3n, 4n, 5n, 6n]);
});

// ---------------------------------------------------------------- mutations

interface Edit { apply(b: MetricBatch): void; expect(o: any): void }

function pointsOf(o: any): any[] {
  const out = [];
  for (const rm of o.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        for (const k of ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary']) for (const p of m[k]?.dataPoints ?? []) out.push({ p, key: k });
      }
    }
  }
  return out;
}
function metricsOf(o: any): any[] {
  const out = [];
  for (const rm of o.resourceMetrics ?? []) for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) out.push(m);
  return out;
}
function scopesOf(o: any): any[] {
  const out = [];
  for (const rm of o.resourceMetrics ?? []) for (const sm of rm.scopeMetrics ?? []) out.push(sm);
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
/** Oracle-form AnyValue -> contract AnyValue. */
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
const attrKey = (p: any, field: string): string => (field === 'attributes' ? 'attributes' : field);

function randomEdit(rng: Rng, b: MetricBatch, o: any): Edit | null {
  const pts = pointsOf(o);
  const ms = metricsOf(o);
  const kind = Math.floor(rng() * 8);
  const key = rng() < 0.5 ? `attr.${Math.floor(rng() * 3)}.${Math.floor(rng() * 5)}` : randomString(rng);
  const jsv = jsValue(randomAnyValue(rng));
  if (kind <= 1 && pts.length) {
    const i = Math.floor(rng() * pts.length);
    const f = attrKey(pts[i].p, 'attributes');
    if (kind === 0) return { apply: (x) => x.pointAttributes(i).set(key, jsv), expect: () => { pts[i].p[f] = setAttr(pts[i].p[f], key, jsv); } };
    const existing = pts[i].p[f]?.[0]?.key ?? key;
    return { apply: (x) => { x.pointAttributes(i).delete(existing); }, expect: () => { pts[i].p[f] = delAttr(pts[i].p[f], existing); } };
  }
  if (kind === 2 && ms.length) {
    const m = Math.floor(rng() * ms.length);
    const name = randomString(rng);
    return { apply: (x) => x.setMetricName(m, name), expect: () => { ms[m].name = name; } };
  }
  if (kind === 3 && ms.length) {
    const m = Math.floor(rng() * ms.length);
    return { apply: (x) => x.metricMetadata(m).set(key, jsv), expect: () => { ms[m].metadata = setAttr(ms[m].metadata, key, jsv); } };
  }
  if (kind === 4) {
    const i = pts.findIndex((x) => (x.p.exemplars?.length ?? 0) > 0);
    if (i < 0) return null;
    const e = Math.floor(rng() * pts[i].p.exemplars.length);
    return {
      apply: (x) => x.exemplarFilteredAttributes(i, e).set(key, jsv),
      expect: () => { pts[i].p.exemplars[e].filteredAttributes = setAttr(pts[i].p.exemplars[e].filteredAttributes, key, jsv); },
    };
  }
  if (kind === 5 && b.resourceCount) {
    const r = Math.floor(rng() * b.resourceCount);
    return {
      apply: (x) => x.resourceAttributes(r).set(key, jsv),
      expect: () => {
        const rm = o.resourceMetrics[r];
        rm.resource = rm.resource ?? {};
        rm.resource.attributes = setAttr(rm.resource.attributes, key, jsv);
      },
    };
  }
  if (kind === 6 && b.scopeCount) {
    const s = Math.floor(rng() * b.scopeCount);
    return {
      apply: (x) => x.scopeAttributes(s).set(key, jsv),
      expect: () => {
        const sm = scopesOf(o)[s];
        sm.scope = sm.scope ?? {};
        sm.scope.attributes = setAttr(sm.scope.attributes, key, jsv);
      },
    };
  }
  if (kind === 7 && ms.length) {
    const m = ms.findIndex((x) => (x.metadata?.length ?? 0) > 0);
    if (m < 0) return null;
    const k = ms[m].metadata[0].key ?? '';
    return { apply: (x) => { x.metricMetadata(m).delete(k); }, expect: () => { ms[m].metadata = delAttr(ms[m].metadata, k); } };
  }
  return null;
}

test('mutations: point/metadata/exemplar/resource/scope attributes and metric names show up exactly', () => {
  for (let seed = 1; seed <= 150; seed++) {
    const rng = mulberry32(seed * 7919);
    const bytes = oracleEncodeMetrics(randomMetricsRequest(mulberry32(seed)));
    const b = MetricBatch.decode(bytes);
    const expected = oracleDecodeMetrics(bytes) as any;
    const nEdits = 1 + Math.floor(rng() * 5);
    let applied = 0;
    for (let k = 0; k < nEdits * 3 && applied < nEdits; k++) {
      const e = randomEdit(rng, b, expected);
      if (!e) continue;
      e.apply(b);
      e.expect(expected);
      applied++;
    }
    const want = normalizeMetrics(expected);
    const out = b.encode();
    assert.deepStrictEqual(oracle(out), want, `seed ${seed}: encode()`);
    assert.deepStrictEqual(canon(b), want, `seed ${seed}: accessors after edits`);
    assert.deepStrictEqual(oracle(b.encode({ fromColumns: true })), want, `seed ${seed}: encode({fromColumns})`);
    assert.deepStrictEqual(oracle(b.clone().encode()), want, `seed ${seed}: clone`);
    assert.deepStrictEqual(flattenMetrics(oracle(b.slice(0, b.dataPointCount).encode())), flattenMetrics(want), `seed ${seed}: slice(all)`);
    assert.ok(eqBytes(MetricBatch.decode(out).encode(), out));
  }
});

test('mutations: untouched points and metrics are copied byte-for-byte next to a modified one', () => {
  const opts = { maxResources: 1, maxScopes: 1, maxMetrics: 4, maxPoints: 5, kinds: ['histogram', 'sum'] as const };
  let seed = 77;
  while (pointsOf(randomMetricsRequest(mulberry32(seed), opts)).length < 4) seed++;
  const obj = randomMetricsRequest(mulberry32(seed), opts);
  const bytes = oracleEncodeMetrics(obj);
  const b = MetricBatch.decode(bytes);
  assert.ok(b.dataPointCount >= 3);
  b.pointAttributes(0).set('changed', { intValue: 1n });
  const out = Buffer.from(b.encode());
  const M = oracleRoot.lookupType('opentelemetry.proto.metrics.v1.Metric');
  const H = oracleRoot.lookupType('opentelemetry.proto.metrics.v1.HistogramDataPoint');
  const N = oracleRoot.lookupType('opentelemetry.proto.metrics.v1.NumberDataPoint');
  const metrics = metricsOf(obj);
  const m0 = b.pointMetric(0);
  let checked = 0;
  metrics.forEach((m, k) => {
    if (k !== m0) assert.ok(out.includes(Buffer.from(M.encode(M.fromObject(m)).finish())), `metric ${k} verbatim`);
  });
  const pts = pointsOf(obj);
  for (let i = 1; i < pts.length; i++) {
    const T = pts[i].key === 'histogram' ? H : N;
    assert.ok(out.includes(Buffer.from(T.encode(T.fromObject(pts[i].p)).finish())), `point ${i} verbatim`);
    checked++;
  }
  assert.ok(checked >= 2);
  assert.deepStrictEqual(MetricBatch.decode(out).pointAttributes(0).get('changed'), { intValue: 1n });
});

// ---------------------------------------------------------------- slice / concat / filter / clone

/** Point records only (metrics without points are not addressed by point index). */
const pointRecords = (o: unknown): unknown[] => flattenMetrics(o).filter((f) => f.point !== null);

test('slice/filterDataPoints/filterMetrics/clone/concat keep every point exactly, under its metric shell', () => {
  for (let seed = 1; seed <= 120; seed++) {
    const rng = mulberry32(seed * 31);
    const bytes = oracleEncodeMetrics(randomMetricsRequest(mulberry32(seed)));
    const b = MetricBatch.decode(bytes, { eager: seed % 2 === 0 });
    if (seed % 3 === 0 && b.dataPointCount > 0) b.pointAttributes(0).set('touched', { boolValue: true });
    if (seed % 4 === 0 && b.metricCount > 0) b.metricMetadata(b.metricCount - 1).set('meta', { stringValue: 'x' });
    if (seed % 5 === 0) {
      const p = Array.from({ length: b.dataPointCount }, (_, k) => k).find((k) => b.pointExemplarCount(k) > 0);
      if (p !== undefined) b.exemplarFilteredAttributes(p, 0).set('ex.touched', { intValue: 7n });
    }
    const allFlat = flattenMetrics(canon(b));
    const all = pointRecords(canon(b));
    const n = b.dataPointCount;
    assert.equal(all.length, n);
    // slices partition the batch: every point and every metric (with or without points) exactly once
    const cuts = [0];
    while (cuts[cuts.length - 1] < n) cuts.push(Math.min(n, cuts[cuts.length - 1] + 1 + Math.floor(rng() * 4)));
    if (cuts.length === 1) cuts.push(0);
    const slices = [];
    for (let k = 1; k < cuts.length; k++) {
      const sl = b.slice(cuts[k - 1], cuts[k]);
      assert.equal(sl.dataPointCount, cuts[k] - cuts[k - 1]);
      assert.deepStrictEqual(pointRecords(canon(sl)), all.slice(cuts[k - 1], cuts[k]), `seed ${seed}: slice accessors`);
      assert.deepStrictEqual(pointRecords(oracle(sl.encode())), all.slice(cuts[k - 1], cuts[k]), `seed ${seed}: slice encode`);
      slices.push(sl);
    }
    assert.deepStrictEqual(slices.flatMap((sl) => flattenMetrics(oracle(sl.encode()))), allFlat, `seed ${seed}: slices partition`);
    // filterDataPoints
    const mask = Array.from({ length: n }, () => rng() < 0.5);
    const f = b.filterDataPoints((p) => mask[p]);
    const kept = mask.flatMap((k, i) => (k ? [i] : []));
    assert.equal(f.dataPointCount, kept.length);
    assert.deepStrictEqual(flattenMetrics(canon(f)), kept.map((i) => all[i]), `seed ${seed}: filter accessors (no empty metric left)`);
    assert.deepStrictEqual(flattenMetrics(oracle(f.encode())), kept.map((i) => all[i]), `seed ${seed}: filter encode`);
    assert.deepStrictEqual(flattenMetrics(oracle(f.encode({ fromColumns: true }))), kept.map((i) => all[i]));
    // filterMetrics
    const mmask = Array.from({ length: b.metricCount }, () => rng() < 0.6);
    const fm = b.filterMetrics((m) => mmask[m]);
    // records of metric m: one per point, or one for a metric without points (in metric order)
    const recMetric = Array.from({ length: b.metricCount }, (_, m) => Array<number>(Math.max(1, b.metricPointCount(m))).fill(m)).flat();
    const keptMetrics = allFlat.filter((_r, k) => mmask[recMetric[k]]);
    assert.deepStrictEqual(flattenMetrics(oracle(fm.encode())), keptMetrics, `seed ${seed}: filterMetrics`);
    assert.equal(fm.metricCount, mmask.filter(Boolean).length);
    // clone: same bytes, independent memory
    const c = b.clone();
    assert.ok(eqBytes(c.encode(), b.encode()), `seed ${seed}: clone encodes the same`);
    if (c.metricCount > 0) {
      c.setMetricName(0, 'only-in-clone');
      assert.notEqual(b.metricName(0), 'only-in-clone');
    }
    // concat of a slice, the filtered batch and the original: nothing merged
    const sl = slices[0];
    const cat = MetricBatch.concat([sl, f, b]);
    assert.equal(cat.dataPointCount, sl.dataPointCount + f.dataPointCount + n);
    assert.equal(cat.resourceCount, sl.resourceCount + f.resourceCount + b.resourceCount, 'resources never merged');
    const want = [...pointRecords(canon(sl)), ...kept.map((i) => all[i]), ...all];
    assert.deepStrictEqual(pointRecords(oracle(cat.encode())), want, `seed ${seed}: concat`);
    assert.deepStrictEqual(pointRecords(canon(cat)), want);
    assert.deepStrictEqual(pointRecords(oracle(cat.encode({ fromColumns: true }))), want);
  }
});

test('slice: a split metric repeats its shell (name, unit, type, temporality, monotonic, metadata) in each piece', () => {
  const obj = {
    resourceMetrics: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
      scopeMetrics: [{
        scope: { name: 'lib', version: '1' },
        metrics: [
          { name: 'before', gauge: { dataPoints: [{ asInt: '1' }] } },
          {
            name: 'requests', description: 'd', unit: '{r}', metadata: [{ key: 'm', value: { boolValue: true } }],
            sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [1, 2, 3, 4, 5].map((v) => ({ asInt: String(v), timeUnixNano: String(v) })) },
          },
          { name: 'after' },
        ],
      }],
    }],
  };
  const b = MetricBatch.decode(oracleEncodeMetrics(obj));
  assert.equal(b.dataPointCount, 6);
  const pieces = [b.slice(0, 2), b.slice(2, 4), b.slice(4, 6)];
  const shells = pieces.map((p) => (oracleDecodeMetrics(p.encode()) as any).resourceMetrics[0].scopeMetrics[0].metrics);
  assert.deepStrictEqual(shells[0].map((m: any) => m.name), ['before', 'requests']);
  assert.deepStrictEqual(shells[1].map((m: any) => m.name), ['requests']);
  assert.deepStrictEqual(shells[2].map((m: any) => m.name), ['requests', 'after'], 'the empty metric at the end goes with the last slice');
  for (const ms of shells) {
    const r = ms.find((m: any) => m.name === 'requests');
    assert.equal(r.description, 'd');
    assert.equal(r.unit, '{r}');
    assert.deepStrictEqual(r.metadata, [{ key: 'm', value: { boolValue: true } }]);
    assert.equal(r.sum.aggregationTemporality, 2);
    assert.equal(r.sum.isMonotonic, true);
  }
  assert.deepStrictEqual(shells.flatMap((ms) => ms.flatMap((m: any) => (m.sum?.dataPoints ?? []).map((p: any) => p.asInt))), ['1', '2', '3', '4', '5']);
  for (const p of pieces) {
    assert.equal(p.resourceAttributes(0).getString('service.name'), 'svc');
    assert.equal(p.scopeName(0), 'lib');
  }
  // the pieces are batches like any other: edit, slice again, concat back
  pieces[1].metricMetadata(0).set('piece', { intValue: 2n });
  const again = MetricBatch.concat([pieces[0], pieces[1].slice(1, 2), pieces[1].slice(0, 1), pieces[2]]);
  assert.equal(again.dataPointCount, 6);
  const o = oracleDecodeMetrics(again.encode()) as any;
  const names = o.resourceMetrics.flatMap((rm: any) => rm.scopeMetrics[0].metrics.map((m: any) => m.name));
  assert.deepStrictEqual(names, ['before', 'requests', 'requests', 'requests', 'requests', 'after']);
  assert.deepStrictEqual(o.resourceMetrics[1].scopeMetrics[0].metrics[0].metadata.map((a: any) => a.key), ['m', 'piece']);
});

test('concat of untouched batches is the concatenation of their requests; empty()', () => {
  const reqs = [1, 2, 3].map((s) => oracleEncodeMetrics(randomMetricsRequest(mulberry32(1000 + s))));
  const edge = oracleEncodeMetrics(edgeCaseMetricsRequests().find(([n]) => n === 'resource without scope metrics')![1]);
  const cat = MetricBatch.concat([...reqs, edge].map((r) => MetricBatch.decode(r)));
  assert.ok(eqBytes(cat.encode(), Buffer.concat([...reqs, edge])));
  assert.equal(MetricBatch.concat([]).dataPointCount, 0);
  assert.equal(MetricBatch.empty().encode().length, 0);
  assert.equal(MetricBatch.decode(edge).slice(0, 0).resourceCount, 0);
  const b = MetricBatch.decode(reqs[0]);
  assert.ok(b.byteSize >= reqs[0].length);
});

// ---------------------------------------------------------------- malformed input

/** The oracle (protobufjs) shows every member of a oneof found on the wire; proto semantics keep the last. */
function ambiguousOneof(o: any): boolean {
  for (const m of metricsOf(o)) {
    if (['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'].filter((k) => k in m).length > 1) return true;
  }
  for (const { p } of pointsOf(o)) {
    if ('asDouble' in p && 'asInt' in p) return true;
    for (const x of p.exemplars ?? []) if ('asDouble' in x && 'asInt' in x) return true;
  }
  return false;
}

function decodeOutcome(bytes: Uint8Array): 'ok' | 'decode-error' {
  try {
    const b = MetricBatch.decode(bytes);
    const mine = canon(b);
    let theirs: any;
    try {
      theirs = oracleDecodeMetrics(bytes);
    } catch (e) {
      assert.fail(`accepted input the oracle rejects (${(e as Error).message}): ${Buffer.from(bytes).toString('hex').slice(0, 200)}`);
    }
    if (!ambiguousOneof(theirs)) assert.deepStrictEqual(mine, normalizeMetrics(theirs));
    assert.ok(eqBytes(b.encode(), bytes));
    const fc = b.encode({ fromColumns: true });
    assert.deepStrictEqual(canon(MetricBatch.decode(fc)), mine);
    if (b.dataPointCount > 1) b.slice(1, b.dataPointCount).encode();
    return 'ok';
  } catch (e) {
    if (e instanceof DecodeError) return 'decode-error';
    throw e;
  }
}

test('malformed: every truncation of valid messages is rejected with DecodeError or decodes consistently', () => {
  let rejected = 0;
  for (const [, bytes] of CORPUS.slice(0, 30)) {
    if (bytes.length > 3000) continue;
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

test('malformed: crafted bad framing is rejected with DecodeError', () => {
  let deep: Buffer = Buffer.alloc(0); // AnyValue nested 300 arrays deep
  for (let k = 0; k < 300; k++) deep = ld(0x0a, ld(0x2a, deep));
  const deepKv = Buffer.concat([hexb('0a 01 6b'), ld(0x12, ld(0x2a, deep))]);
  const gaugePoint = (pt: Buffer): Buffer => ld(0x2a, ld(0x0a, pt));
  const histPoint = (pt: Buffer): Buffer => ld(0x4a, ld(0x0a, pt));
  const expPoint = (pt: Buffer): Buffer => ld(0x52, ld(0x0a, pt));
  const sumPoint = (pt: Buffer): Buffer => ld(0x5a, ld(0x0a, pt));
  const cases: Array<[string, Buffer]> = [
    ['truncated tag varint', hexb('8a')],
    ['length past end', hexb('0a 05 12')],
    ['wrong wire type for resource_metrics', hexb('08 01')],
    ['group wire type', hexb('0a 02 0b 0c')],
    ['field number 0', hexb('00 00')],
    ['metric name as varint', inMetric(hexb('08 01'))],
    ['gauge as varint', inMetric(hexb('28 01'))],
    ['metadata as fixed64', inMetric(Buffer.concat([hexb('61'), u64(1n)]))],
    ['data_points as varint', inMetric(ld(0x2a, hexb('08 01')))],
    ['temporality as len', inMetric(ld(0x3a, hexb('12 00')))],
    ['is_monotonic as fixed64', inMetric(ld(0x3a, Buffer.concat([hexb('19'), u64(1n)])))],
    ['number point time as varint', inMetric(gaugePoint(hexb('18 01')))],
    ['as_double truncated', inMetric(gaugePoint(hexb('21 00 00 00')))],
    ['as_int as varint', inMetric(gaugePoint(hexb('30 01')))],
    ['flags as fixed32', inMetric(gaugePoint(hexb('45 01 00 00 00')))],
    ['point attribute value bad wire type', inMetric(gaugePoint(ld(0x3a, hexb('12 02 08 01'))))],
    ['point attributes nested too deeply', inMetric(gaugePoint(ld(0x3a, deepKv)))],
    ['exemplar trace_id of 15 bytes', inMetric(gaugePoint(ld(0x2a, ld(0x2a, Buffer.alloc(15)))))],
    ['exemplar trace_id of 17 bytes', inMetric(gaugePoint(ld(0x2a, ld(0x2a, Buffer.alloc(17)))))],
    ['exemplar span_id of 7 bytes', inMetric(gaugePoint(ld(0x2a, ld(0x22, Buffer.alloc(7)))))],
    ['exemplar span_id of 9 bytes', inMetric(gaugePoint(ld(0x2a, ld(0x22, Buffer.alloc(9)))))],
    ['exemplar value as varint', inMetric(gaugePoint(ld(0x2a, hexb('18 01'))))],
    ['exemplar attributes truncated', inMetric(gaugePoint(ld(0x2a, hexb('3a 05 0a 09'))))],
    ['histogram packed bucket_counts of 7 bytes', inMetric(histPoint(ld(0x32, Buffer.alloc(7))))],
    ['histogram packed explicit_bounds of 9 bytes', inMetric(histPoint(ld(0x3a, Buffer.alloc(9))))],
    ['histogram unpacked bucket count truncated', inMetric(histPoint(hexb('31 00 00')))],
    ['histogram count as varint', inMetric(histPoint(hexb('20 01')))],
    ['histogram sum as fixed32', inMetric(histPoint(hexb('2d 00 00 00 00')))],
    ['histogram exemplar span id bad', inMetric(histPoint(ld(0x42, ld(0x22, Buffer.alloc(3)))))],
    ['exp scale as fixed64', inMetric(expPoint(Buffer.concat([hexb('31'), u64(1n)])))],
    ['exp buckets as varint', inMetric(expPoint(hexb('40 01')))],
    ['exp buckets offset as len', inMetric(expPoint(ld(0x42, hexb('0a 00'))))],
    ['exp buckets packed counts truncated varint', inMetric(expPoint(ld(0x42, ld(0x12, hexb('ff')))))],
    ['exp bucket count overflowing 64 bits', inMetric(expPoint(ld(0x42, ld(0x12, hexb('ff ff ff ff ff ff ff ff ff 7f')))))],
    ['exp exemplar trace id of 1 byte', inMetric(expPoint(ld(0x5a, ld(0x2a, Buffer.alloc(1)))))],
    ['summary quantile value as varint', inMetric(sumPoint(ld(0x32, hexb('10 01'))))],
    ['summary quantile truncated', inMetric(sumPoint(ld(0x32, hexb('09 00 00'))))],
    ['summary count as len', inMetric(sumPoint(hexb('22 00')))],
    ['metric metadata truncated', inMetric(hexb('62 05 0a 09 6b'))],
    ['resource attributes truncated', hexb('0a 04 0a 02 0a 05')],
    ['scope name as varint', hexb('0a 06 12 04 0a 02 08 01')],
  ];
  for (const [name, bytes] of cases) {
    assert.throws(() => MetricBatch.decode(bytes), (e: unknown) => e instanceof DecodeError && e.code === 'OTELTS_ERR_DECODE', name);
  }
  // Sanity: the same shapes with valid content decode.
  assert.equal(MetricBatch.decode(inMetric(gaugePoint(ld(0x2a, ld(0x2a, Buffer.alloc(16, 7)))))).exemplarTraceIdHex(0, 0), '07'.repeat(16));
  assert.equal(MetricBatch.decode(inMetric(gaugePoint(ld(0x2a, ld(0x22, Buffer.alloc(0)))))).exemplarSpanIdHex(0, 0), '');
  assert.deepStrictEqual(MetricBatch.decode(inMetric(histPoint(ld(0x32, Buffer.alloc(8))))).pointBucketCounts(0), [0n]);
  assert.equal(MetricBatch.decode(inMetric(gaugePoint(hexb('40 82 80 80 80 00')))).pointFlags(0), 2, 'overlong varint accepted');
  assert.throws(() => MetricBatch.decode('abc' as unknown as Uint8Array), DecodeError);
});
