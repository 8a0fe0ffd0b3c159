// OTLP/JSON ⇄ protobuf for metrics: differential tests against the protobufjs oracle (every metric type,
// oneof and presence case, rendered as senders write OTLP/JSON), the published metrics.json example, bad
// inputs, and MetricBatch → JSON (metricBatchToJSON) including round trips through the real MetricBatch.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { jsonToMetricsRequest, metricBatchToJSON } from '../../src/pdata/otlp-json-metrics';
import { MetricBatch } from '../../src/pdata/metrics';
import { oracleDecodeMetrics, oracleEncodeMetrics } from '../oracle/otlp-oracle';
import { CORPUS_DIR } from '../helpers/paths';
import { mulberry32, randomMetricsRequest, edgeCaseMetricsRequests } from './random-metrics';
import {
  type J, type Rng, type VariantRules, chance, toFromObject, stripDefaults, serialize, toJsonText, jsonDouble,
  checkBadInputs, decodeErr, compareFieldByField, mutationFuzz,
} from './json/otlp-json-variants';

// ---------------------------------------------------------------------------------------------------------
// Canonical requests: what the oracle decodes, minus defaults that only protobufjs writes (set explicitly by
// the generators); fields with explicit presence keep their zeros.

const HIST = new Set(['histogram', 'exponentialHistogram']);
function presence(key: string, owner: string, grandOwner: string): boolean {
  if (key === 'asDouble' || key === 'asInt') return true;
  return (key === 'sum' || key === 'min' || key === 'max') && owner === 'dataPoints' && HIST.has(grandOwner);
}

function canonical(fromObject: J): J {
  return stripDefaults(oracleDecodeMetrics(oracleEncodeMetrics(fromObject)), presence) as J;
}

/** Random and hand-written requests in canonical form. */
function requests(n: number, seedBase: number): J[] {
  const out = edgeCaseMetricsRequests().map(([, o]) => canonical(o));
  for (let s = 1; s <= n; s++) out.push(canonical(randomMetricsRequest(mulberry32(seedBase + s))));
  return out;
}

const RULES: VariantRules = {
  int64Keys: new Set(['startTimeUnixNano', 'timeUnixNano', 'count', 'zeroCount', 'bucketCounts', 'asInt', 'intValue']),
  int32Keys: new Set(['droppedAttributesCount', 'flags', 'scale', 'offset']),
  doubleKeys: new Set(['asDouble', 'sum', 'min', 'max', 'zeroThreshold', 'explicitBounds', 'quantile', 'value', 'doubleValue']),
  enums: { aggregationTemporality: ['AGGREGATION_TEMPORALITY_UNSPECIFIED', 'AGGREGATION_TEMPORALITY_DELTA', 'AGGREGATION_TEMPORALITY_CUMULATIVE'] },
  defaults: [
    ['name', ''], ['description', ''], ['unit', null], ['droppedAttributesCount', 0], ['droppedAttributesCount', '0'],
    ['schemaUrl', null], ['attributes', []], ['metadata', null], ['exemplars', []], ['flags', 0], ['startTimeUnixNano', '0'],
    ['aggregationTemporality', 'AGGREGATION_TEMPORALITY_UNSPECIFIED'], ['isMonotonic', false], ['scale', 0], ['zeroCount', '0'],
    ['zeroThreshold', 0], ['count', 0], ['bucketCounts', []], ['explicitBounds', null], ['quantileValues', []], ['offset', '0'],
    ['stringValue', null], ['asInt', null], ['positive', null], ['sum', null], ['min', null], ['spanId', ''], ['traceId', null],
  ],
};

type Counts = Record<string, number>;
/** What a canonical request holds (to show the generators reach every case). */
function census(c: J, counts: Counts): void {
  const bump = (k: string): void => {
    counts[k] = (counts[k] ?? 0) + 1;
  };
  const walk = (v: unknown, key: string, owner: string): void => {
    if (Array.isArray(v)) {
      v.forEach((x) => walk(x, key, owner));
      return;
    }
    if (!v || typeof v !== 'object') {
      if ((key === 'sum' || key === 'min' || key === 'max') && HIST.has(owner) && v === 0) bump(`${key}=0`);
      if (key === 'scale' && (v as number) < 0) bump('negative scale');
      if (key === 'offset' && (v as number) < 0) bump('negative offset');
      if (key === 'asInt' || key === 'asDouble') bump(key);
      return;
    }
    for (const [k, x] of Object.entries(v as J)) {
      if (['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'].includes(k) && x && typeof x === 'object') bump(k);
      if (k === 'dataPoints') counts.points = (counts.points ?? 0) + (x as unknown[]).length;
      if (k === 'exemplars') bump('exemplars');
      if (k === 'quantileValues' || k === 'positive' || k === 'negative' || k === 'metadata') bump(k);
      walk(x, k, key === 'dataPoints' ? owner : key);
    }
  };
  walk(c, '', '');
}

// ---------------------------------------------------------------------------------------------------------
// 1. Differential against the protobufjs oracle

test('generator sanity: canonical objects survive the oracle unchanged', () => {
  for (const c of requests(40, 100)) assert.deepStrictEqual(canonical(toFromObject(c) as J), c);
});

test('jsonToMetricsRequest matches the protobufjs oracle on 300 random requests (every type, oneof and presence case, sender variations)', () => {
  const counts: Counts = {};
  const all = requests(300, 7000);
  all.forEach((c, n) => {
    const r = mulberry32(n * 7919 + 1);
    const text = toJsonText(r, RULES, c);
    const want = oracleEncodeMetrics(toFromObject(c) as J);
    const body = chance(r, 0.5) ? text : new Uint8Array(Buffer.from(text, 'utf8'));
    const got = jsonToMetricsRequest(body);
    assert.deepStrictEqual(oracleDecodeMetrics(got), c, `request ${n}: ${text.slice(0, 300)}`);
    // Field order, packing and minimal varints: byte-identical to protobufjs.
    assert.deepStrictEqual(Buffer.from(got), Buffer.from(want), `request ${n}: bytes differ`);
    census(c, counts);
  });
  for (const k of ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary', 'exemplars', 'quantileValues', 'positive', 'negative',
    'metadata', 'asInt', 'asDouble', 'sum=0', 'min=0', 'max=0', 'negative scale', 'negative offset']) {
    assert.ok((counts[k] ?? 0) >= 5, `generators covered ${k} only ${counts[k] ?? 0} times`);
  }
  assert.ok(counts.points > 1000, `only ${counts.points} data points`);
});

/** A request holding one metric (serialize keeps -0, which JSON.stringify would print as 0). */
const M = (metric: J): string => serialize({ resourceMetrics: [{ scopeMetrics: [{ metrics: [metric] }] }] }, false);
const metricOf = (bytes: Uint8Array): J => (((oracleDecodeMetrics(bytes).resourceMetrics as J[])[0].scopeMetrics as J[])[0].metrics as J[])[0];
const pointsOf = (bytes: Uint8Array, kind: string): J[] => (metricOf(bytes)[kind] as J).dataPoints as J[];

test('explicit presence: histogram and exponential histogram sum/min/max keep a present 0; absent and null stay absent', () => {
  for (const kind of ['histogram', 'exponentialHistogram']) {
    const pts = pointsOf(jsonToMetricsRequest(M({ [kind]: { dataPoints: [
      { sum: 0, min: 0, max: 0 },
      { count: '1' },
      { sum: null, min: null, max: null, count: '2' },
      { sum: -0, min: '0', max: '-0.0' },
      { sum: '0.5', min: 'NaN', max: 'Infinity' },
    ] } })), kind);
    assert.deepStrictEqual(pts, [
      { sum: 0, min: 0, max: 0 },
      { count: '1' },
      { count: '2' },
      { sum: -0, min: 0, max: -0 },
      { sum: 0.5, min: NaN, max: Infinity },
    ], kind);
  }
  // Summary sum has no presence: 0 is not written (-0 is, it has other bits).
  const sums = pointsOf(jsonToMetricsRequest(M({ summary: { dataPoints: [{ sum: 0, count: 0 }, { sum: -0 }, { sum: 3 }] } })), 'summary');
  assert.deepStrictEqual(sums, [{}, { sum: -0 }, { sum: 3 }]);
  // Oneof values: a present 0 is written, a point without value has none.
  const nums = pointsOf(jsonToMetricsRequest(M({ gauge: { dataPoints: [{ asDouble: 0 }, { asInt: '0' }, { asInt: 0 }, {}, { asDouble: null }] } })), 'gauge');
  assert.deepStrictEqual(nums, [{ asDouble: 0 }, { asInt: '0' }, { asInt: '0' }, {}, {}]);
  const ex = (pointsOf(jsonToMetricsRequest(M({ sum: { dataPoints: [{ exemplars: [{ asDouble: 0 }, { asInt: '0' }, {}] }] } })), 'sum')[0]).exemplars;
  assert.deepStrictEqual(ex, [{ asDouble: 0 }, { asInt: '0' }, {}]);
});

test('oneofs: the last non-null member wins (metric data, point and exemplar values); empty messages are present', () => {
  const m = metricOf(jsonToMetricsRequest(M({ name: 'x', gauge: { dataPoints: [{ asInt: '1' }] }, sum: { isMonotonic: true }, summary: null })));
  assert.deepStrictEqual(m, { name: 'x', sum: { isMonotonic: true } });
  const m2 = metricOf(jsonToMetricsRequest(M({ exponential_histogram: {}, histogram: null })));
  assert.deepStrictEqual(m2, { exponentialHistogram: {} });
  const m3 = metricOf(jsonToMetricsRequest(M({ name: 'no data', unit: 'ms' })));
  assert.deepStrictEqual(m3, { name: 'no data', unit: 'ms' });
  const pts = pointsOf(jsonToMetricsRequest(M({ gauge: { dataPoints: [{ asDouble: 1.5, asInt: '2' }, { as_int: '3', asDouble: 4 }, { asInt: '5', asDouble: null }] } })), 'gauge');
  assert.deepStrictEqual(pts, [{ asInt: '2' }, { asDouble: 4 }, { asInt: '5' }]);
  const eh = pointsOf(jsonToMetricsRequest(M({ exponentialHistogram: { dataPoints: [{ positive: {}, negative: null }, { negative: { offset: 0, bucketCounts: [] } }] } })), 'exponentialHistogram');
  assert.deepStrictEqual(eh, [{ positive: {} }, { negative: {} }]);
  const q = pointsOf(jsonToMetricsRequest(M({ summary: { dataPoints: [{ quantileValues: [{}, { quantile: 0, value: 0 }, { quantile: 0.5, value: -0 }] }] } })), 'summary');
  assert.deepStrictEqual(q, [{ quantileValues: [{}, {}, { quantile: 0.5, value: -0 }] }]);
});

test('64-bit integers are exact beyond 2^53, as strings and as bare JSON numbers', () => {
  const text = `{"resourceMetrics":[{"scopeMetrics":[{"metrics":[
    {"gauge":{"dataPoints":[{"asInt":9223372036854775807,"timeUnixNano":18446744073709551615},{"asInt":-9223372036854775808,"startTimeUnixNano":1.5e18},
      {"asInt":"-1","exemplars":[{"asInt":-9007199254740993,"timeUnixNano":9007199254740993}]}]}},
    {"histogram":{"dataPoints":[{"count":18446744073709551615,"bucketCounts":[9007199254740993,"18446744073709551615",0,1]}]}},
    {"exponentialHistogram":{"dataPoints":[{"zeroCount":9007199254740995,"positive":{"bucketCounts":[18446744073709551615,"4294967296"]}}]}}
  ]}]}]}`;
  const ms = ((oracleDecodeMetrics(jsonToMetricsRequest(text)).resourceMetrics as J[])[0].scopeMetrics as J[])[0].metrics as J[];
  assert.deepStrictEqual((ms[0].gauge as J).dataPoints, [
    { asInt: '9223372036854775807', timeUnixNano: '18446744073709551615' },
    { asInt: '-9223372036854775808', startTimeUnixNano: '1500000000000000000' },
    { asInt: '-1', exemplars: [{ asInt: '-9007199254740993', timeUnixNano: '9007199254740993' }] },
  ]);
  assert.deepStrictEqual((ms[1].histogram as J).dataPoints, [{ count: '18446744073709551615', bucketCounts: ['9007199254740993', '18446744073709551615', '0', '1'] }]);
  assert.deepStrictEqual((ms[2].exponentialHistogram as J).dataPoints, [{ zeroCount: '9007199254740995', positive: { bucketCounts: ['18446744073709551615', '4294967296'] } }]);
});

test('sint32 scale and offset are zigzag varints; enum names and numbers (unknown numbers kept)', () => {
  const bytes = jsonToMetricsRequest(M({ exponentialHistogram: { dataPoints: [{ scale: -1, positive: { offset: '-2' } }] } }));
  // ... Buckets { offset = 1 (sint32 -2 → zigzag 3) } then scale field 6 (sint32 -1 → zigzag 1) precede it.
  const hex = Buffer.from(bytes).toString('hex');
  assert.ok(hex.endsWith('300142020803'), hex);
  const pts = pointsOf(jsonToMetricsRequest(M({ exponentialHistogram: { dataPoints: [
    { scale: -2147483648, positive: { offset: 2147483647 }, negative: { offset: -2147483648 } },
    { scale: '20', negative: { offset: '-37' } },
  ] } })), 'exponentialHistogram');
  assert.deepStrictEqual(pts, [
    { scale: -2147483648, positive: { offset: 2147483647 }, negative: { offset: -2147483648 } },
    { scale: 20, negative: { offset: -37 } },
  ]);
  const temps = [
    ['AGGREGATION_TEMPORALITY_DELTA', 1], ['AGGREGATION_TEMPORALITY_CUMULATIVE', 2], [2, 2], [7, 7], ['AGGREGATION_TEMPORALITY_UNSPECIFIED', undefined], [0, undefined],
  ] as const;
  for (const [t, want] of temps) {
    for (const kind of ['sum', 'histogram', 'exponentialHistogram']) {
      const m = metricOf(jsonToMetricsRequest(M({ [kind]: { aggregationTemporality: t } })));
      assert.equal((m[kind] as J).aggregationTemporality, want, `${kind} ${t}`);
    }
  }
});

test('snake_case keys and unknown fields are accepted; the result equals the lowerCamelCase one', () => {
  const camel = { resourceMetrics: [{
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }], droppedAttributesCount: 1 },
    scopeMetrics: [{
      scope: { name: 'lib', version: '1', droppedAttributesCount: 2 },
      metrics: [
        { name: 's', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ startTimeUnixNano: '1', timeUnixNano: '2', asDouble: 1.5, flags: 1,
          exemplars: [{ timeUnixNano: '3', asInt: '4', spanId: '0102030405060708', traceId: '0102030405060708090a0b0c0d0e0f10', filteredAttributes: [{ key: 'f', value: { boolValue: true } }] }] }] },
          metadata: [{ key: 'm', value: { intValue: '7' } }] },
        { name: 'h', histogram: { aggregationTemporality: 1, dataPoints: [{ count: '3', sum: 0, bucketCounts: ['1', '2'], explicitBounds: [0.5], min: 0, max: 9 }] } },
        { name: 'e', exponentialHistogram: { dataPoints: [{ count: '4', scale: -3, zeroCount: '1', zeroThreshold: 1e-9, positive: { offset: -1, bucketCounts: ['1'] }, negative: { bucketCounts: ['2'] } }] } },
        { name: 'q', summary: { dataPoints: [{ count: '5', sum: 6, quantileValues: [{ quantile: 0.5, value: 1 }] }] } },
      ],
      schemaUrl: 'u1',
    }],
    schemaUrl: 'u2',
  }] };
  const snakeText = JSON.stringify({ resource_metrics: [{
    resource: { attributes: [{ key: 'service.name', value: { string_value: 'svc' } }], dropped_attributes_count: '1' },
    scope_metrics: [{
      scope: { name: 'lib', version: '1', dropped_attributes_count: 2 },
      metrics: [
        { name: 's', sum: { aggregation_temporality: 'AGGREGATION_TEMPORALITY_CUMULATIVE', is_monotonic: true, data_points: [{ start_time_unix_nano: 1, time_unix_nano: '2', as_double: '1.5', flags: '1',
          exemplars: [{ time_unix_nano: 3, as_int: 4, span_id: '0102030405060708', trace_id: '0102030405060708090A0B0C0D0E0F10', filtered_attributes: [{ key: 'f', value: { bool_value: true } }] }] }] },
          metadata: [{ key: 'm', value: { int_value: 7 } }], extra_field: { a: 1 } },
        { name: 'h', histogram: { aggregation_temporality: 1, data_points: [{ count: 3, sum: 0, bucket_counts: [1, '2'], explicit_bounds: ['0.5'], min: 0, max: 9 }] } },
        { name: 'e', exponential_histogram: { data_points: [{ count: '4', scale: '-3', zero_count: 1, zero_threshold: '1e-9', positive: { offset: -1, bucket_counts: [1] }, negative: { bucket_counts: ['2'] } }] } },
        { name: 'q', summary: { data_points: [{ count: '5', sum: 6, quantile_values: [{ quantile: 0.5, value: 1 }] }] } },
      ],
      schema_url: 'u1',
    }],
    schema_url: 'u2',
    instrumentationLibraryMetrics: [{ metrics: [{ name: 'ignored' }] }],
  }], unknown: true });
  const want = jsonToMetricsRequest(JSON.stringify(camel));
  assert.deepStrictEqual(Buffer.from(jsonToMetricsRequest(snakeText)), Buffer.from(want));
  assert.deepStrictEqual(Buffer.from(want), Buffer.from(oracleEncodeMetrics(toFromObject(camel) as J)));
});

// ---------------------------------------------------------------------------------------------------------
// 2. The published example (opentelemetry-proto examples/metrics.json, in the shared corpus)

function readCorpus(name: string): string | undefined {
  const p = path.join(CORPUS_DIR, 'otlp-json', name);
  return fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined;
}
const corpusMissing = (name: string): string => `corpus file ${path.join(CORPUS_DIR, 'otlp-json', name)} is absent`;

test('corpus: opentelemetry-proto examples/metrics.json converts field for field (min: 0 stays present)', (t) => {
  const text = readCorpus('metrics.json');
  if (text === undefined) {
    t.skip(corpusMissing('metrics.json'));
    return;
  }
  const bytes = jsonToMetricsRequest(text);
  const d = oracleDecodeMetrics(bytes);
  // Every field with its value; "scale": 0 and "zeroThreshold": 0 are proto3 defaults (not written), "min": 0 has presence.
  compareFieldByField(JSON.parse(text), d, 'request', (k) => k === 'min' || k === 'max' || k === 'sum' || k === 'asDouble' || k === 'asInt');
  const ms = ((d.resourceMetrics as J[])[0].scopeMetrics as J[])[0].metrics as J[];
  assert.deepStrictEqual(ms.map((m) => m.name), ['my.counter', 'my.gauge', 'my.histogram', 'my.exponential.histogram']);
  assert.deepStrictEqual(ms[0].sum, { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ asDouble: 5, startTimeUnixNano: '1544712660300000000', timeUnixNano: '1544712660300000000',
    attributes: [{ key: 'my.counter.attr', value: { stringValue: 'some value' } }] }] });
  const h = ((ms[2].histogram as J).dataPoints as J[])[0];
  assert.equal(h.min, 0, 'histogram min: 0 is present');
  assert.equal(h.max, 2);
  assert.equal(h.sum, 2);
  assert.deepStrictEqual(h.bucketCounts, ['1', '1']);
  assert.deepStrictEqual(h.explicitBounds, [1]);
  const e = ((ms[3].exponentialHistogram as J).dataPoints as J[])[0];
  assert.equal(e.min, 0, 'exponential histogram min: 0 is present');
  assert.equal(e.scale, undefined, 'scale 0 is the default');
  assert.deepStrictEqual(e.positive, { offset: 1, bucketCounts: ['0', '2'] });
  // As bytes: what protobufjs writes for the same request.
  assert.deepStrictEqual(Buffer.from(bytes), Buffer.from(oracleEncodeMetrics(stripDefaults(JSON.parse(text), presence) as J)));
});

test('corpus: the traces and logs examples hold no metrics: an empty request', (t) => {
  const present = ['trace.json', 'logs.json', 'events.json'].filter((n) => readCorpus(n) !== undefined);
  if (present.length === 0) {
    t.skip(`corpus directory ${path.join(CORPUS_DIR, 'otlp-json')} is absent`);
    return;
  }
  for (const n of present) assert.equal(jsonToMetricsRequest(readCorpus(n)!).length, 0, n);
});

// ---------------------------------------------------------------------------------------------------------
// 3. Bad inputs: DecodeError naming the path, never another exception

const MET0 = 'resourceMetrics[0].scopeMetrics[0].metrics[0]';
const PT = (kind: string, point: J): string => M({ [kind]: { dataPoints: [point] } });
const H0 = `${MET0}.histogram.dataPoints[0]`;
const E0 = `${MET0}.exponentialHistogram.dataPoints[0]`;
const G0 = `${MET0}.gauge.dataPoints[0]`;

const BAD: Array<[string, string | Uint8Array, string | RegExp]> = [
  ['not JSON', '{"resourceMetrics":', /invalid JSON/],
  ['top-level array', '[]', /OTLP\/JSON: expected an object, got an array/],
  ['resourceMetrics not an array', '{"resourceMetrics":{}}', 'resourceMetrics: expected an array'],
  ['scopeMetrics element null', '{"resourceMetrics":[{"scopeMetrics":[null]}]}', 'resourceMetrics[0].scopeMetrics[0]: expected an object, got null'],
  ['metrics not an array', '{"resourceMetrics":[{"scopeMetrics":[{"metrics":"m"}]}]}', 'resourceMetrics[0].scopeMetrics[0].metrics: expected an array'],
  ['metric name', M({ name: 5 }), `${MET0}.name: expected a string, got the number 5`],
  ['gauge not an object', M({ gauge: 5 }), `${MET0}.gauge: expected an object, got the number 5`],
  ['exponential_histogram not an object (snake_case reported in camelCase)', M({ exponential_histogram: [] }), `${MET0}.exponentialHistogram: expected an object, got an array`],
  ['dataPoints not an array', M({ sum: { dataPoints: {} } }), `${MET0}.sum.dataPoints: expected an array`],
  ['data_points element not an object', M({ sum: { data_points: [1] } }), `${MET0}.sum.dataPoints[0]: expected an object, got the number 1`],
  ['unknown temporality name', M({ sum: { aggregationTemporality: 'CUMULATIVE' } }), `${MET0}.sum.aggregationTemporality: unknown enum name "CUMULATIVE"`],
  ['fractional temporality', M({ histogram: { aggregationTemporality: 1.5 } }), `${MET0}.histogram.aggregationTemporality: expected an enum number`],
  ['isMonotonic as string', M({ sum: { isMonotonic: 'true' } }), `${MET0}.sum.isMonotonic: expected true or false, got the string "true"`],
  ['asInt fraction', PT('gauge', { asInt: 1.5 }), `${G0}.asInt: expected an integer`],
  ['asInt > int64', PT('gauge', { asInt: '9223372036854775808' }), `${G0}.asInt: 9223372036854775808 is out of range for a signed 64-bit integer`],
  ['asInt bare number > int64', `{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"gauge":{"dataPoints":[{"asInt":9223372036854775808}]}}]}]}]}`, `${G0}.asInt: 9223372036854775808 is out of range`],
  ['asDouble word', PT('gauge', { asDouble: 'abc' }), `${G0}.asDouble: expected a number or one of "NaN"`],
  ['asDouble bool', PT('sum', { as_double: true }), `${MET0}.sum.dataPoints[0].asDouble: expected a number`],
  ['time negative', PT('gauge', { timeUnixNano: '-1' }), `${G0}.timeUnixNano: -1 is out of range for an unsigned 64-bit integer`],
  ['start time word', PT('gauge', { start_time_unix_nano: 'now' }), `${G0}.startTimeUnixNano: expected a decimal integer`],
  ['flags negative', PT('gauge', { flags: -1 }), `${G0}.flags: expected an unsigned 32-bit integer`],
  ['point attributes', PT('gauge', { attributes: [{ key: 'k', value: { intValue: 'x' } }] }), `${G0}.attributes[0].value.intValue: expected a decimal integer`],
  ['exemplar traceId length', PT('gauge', { exemplars: [{}, { traceId: 'abcd' }] }), `${G0}.exemplars[1].traceId: expected 32 hex characters, got 4`],
  ['exemplar spanId hex', PT('sum', { exemplars: [{ span_id: '0102030405060G08' }] }), `${MET0}.sum.dataPoints[0].exemplars[0].spanId: invalid hex character "G"`],
  ['exemplar filteredAttributes', PT('gauge', { exemplars: [{ filteredAttributes: {} }] }), `${G0}.exemplars[0].filteredAttributes: expected an array`],
  ['exemplar filtered_attributes value', PT('gauge', { exemplars: [{ filtered_attributes: [{ key: 'a', value: 'v' }] }] }), `${G0}.exemplars[0].filteredAttributes[0].value: expected an object`],
  ['exemplar asInt', PT('gauge', { exemplars: [{ asInt: {} }] }), `${G0}.exemplars[0].asInt: expected a 64-bit integer`],
  ['histogram count negative', PT('histogram', { count: -1 }), `${H0}.count: -1 is out of range for an unsigned 64-bit integer`],
  ['histogram sum word', PT('histogram', { sum: 'lots' }), `${H0}.sum: expected a number`],
  ['histogram min object', PT('histogram', { min: {} }), `${H0}.min: expected a number`],
  ['histogram max array', PT('histogram', { max: [1] }), `${H0}.max: expected a number`],
  ['bucketCounts not an array', PT('histogram', { bucketCounts: '1,2' }), `${H0}.bucketCounts: expected an array, got the string "1,2"`],
  ['bucketCounts element', PT('histogram', { bucketCounts: ['1', 'x'] }), `${H0}.bucketCounts[1]: expected a decimal integer, got the string "x"`],
  ['bucketCounts null element', PT('histogram', { bucket_counts: [null] }), `${H0}.bucketCounts[0]: expected a non-negative 64-bit integer (number or decimal string), got null`],
  ['bucketCounts ≥ 2^64', PT('histogram', { bucketCounts: ['18446744073709551616'] }), `${H0}.bucketCounts[0]: 18446744073709551616 is out of range`],
  ['explicitBounds element', PT('histogram', { explicitBounds: [1, 'nan'] }), `${H0}.explicitBounds[1]: expected a number or one of "NaN", "Infinity", "-Infinity", got the string "nan"`],
  ['explicitBounds null element', PT('histogram', { explicitBounds: [null] }), `${H0}.explicitBounds[0]: expected a number`],
  ['scale ≥ 2^31', PT('exponentialHistogram', { scale: 2147483648 }), `${E0}.scale: expected a 32-bit integer`],
  ['scale string ≥ 2^31', PT('exponentialHistogram', { scale: '-2147483649' }), `${E0}.scale: -2147483649 is out of range for a signed 32-bit integer`],
  ['scale fraction', PT('exponentialHistogram', { scale: 0.5 }), `${E0}.scale: expected a 32-bit integer, got the number 0.5`],
  ['zeroCount word', PT('exponentialHistogram', { zero_count: 'none' }), `${E0}.zeroCount: expected a decimal integer`],
  ['zeroThreshold bool', PT('exponentialHistogram', { zeroThreshold: true }), `${E0}.zeroThreshold: expected a number`],
  ['positive not an object', PT('exponentialHistogram', { positive: [1, 2] }), `${E0}.positive: expected an object, got an array`],
  ['negative offset', PT('exponentialHistogram', { negative: { offset: 'left' } }), `${E0}.negative.offset: expected a 32-bit integer`],
  ['positive bucketCounts negative', PT('exponentialHistogram', { positive: { bucketCounts: ['1', '-1'] } }), `${E0}.positive.bucketCounts[1]: -1 is out of range for an unsigned 64-bit integer`],
  ['summary quantile word', PT('summary', { quantileValues: [{ quantile: 'median' }] }), `${MET0}.summary.dataPoints[0].quantileValues[0].quantile: expected a number`],
  ['summary quantile_values not an array', PT('summary', { quantile_values: 1 }), `${MET0}.summary.dataPoints[0].quantileValues: expected an array`],
  ['summary sum word', PT('summary', { sum: 'x' }), `${MET0}.summary.dataPoints[0].sum: expected a number`],
  ['metadata not an array', M({ metadata: { k: 'v' } }), `${MET0}.metadata: expected an array`],
  ['metadata value', M({ metadata: [{ key: 'k', value: { boolValue: 1 } }] }), `${MET0}.metadata[0].value.boolValue: expected true or false`],
  ['resource attributes', '{"resourceMetrics":[{"resource":{"attributes":[{"key":"a","value":{"bytesValue":"@@"}}]}}]}', 'resourceMetrics[0].resource.attributes[0].value.bytesValue: expected base64'],
  ['scope version', '{"resourceMetrics":[{"scopeMetrics":[{"scope":{"version":1}}]}]}', 'resourceMetrics[0].scopeMetrics[0].scope.version: expected a string'],
];

test('bad inputs give DecodeError with the JSON path of the bad value', () => {
  checkBadInputs(jsonToMetricsRequest, BAD);
  decodeErr(() => jsonToMetricsRequest(42 as unknown as string));
});

test('mutated valid requests either convert or throw DecodeError, never anything else', () => {
  const r = mulberry32(4243);
  let k = 0;
  const { converted, rejected } = mutationFuzz(r, () => toJsonText(r, RULES, canonical(randomMetricsRequest(mulberry32(900 + (k++ % 60))))), jsonToMetricsRequest, 300);
  assert.ok(rejected > 50 && converted > 10, `rejected ${rejected}, converted ${converted}`);
});

// ---------------------------------------------------------------------------------------------------------
// 4. MetricBatch → JSON

const DOUBLE_KEYS = new Set(['asDouble', 'sum', 'min', 'max', 'zeroThreshold', 'quantile', 'value', 'doubleValue']);

function anyOut(v: J): J {
  if ('bytesValue' in v) return { bytesValue: Buffer.from(v.bytesValue as string, 'hex').toString('base64') };
  if ('doubleValue' in v) return { doubleValue: jsonDouble(v.doubleValue as number) };
  if ('arrayValue' in v) {
    const vals = ((v.arrayValue as J).values as J[] | undefined) ?? [];
    return { arrayValue: vals.length ? { values: vals.map(anyOut) } : {} };
  }
  if ('kvlistValue' in v) {
    const vals = ((v.kvlistValue as J).values as J[] | undefined) ?? [];
    return { kvlistValue: vals.length ? { values: vals.map(kvOut) } : {} };
  }
  return { ...v };
}
const kvOut = (kv: J): J => ({ key: (kv.key as string | undefined) ?? '', value: anyOut((kv.value as J | undefined) ?? {}) });

/** The OTLP/JSON metricBatchToJSON should print for a canonical request (defaults and empty resource/scope omitted). */
function expectedOutput(c: J): J {
  const map = (v: unknown, key: string): unknown => {
    if (key === 'attributes' || key === 'metadata' || key === 'filteredAttributes') return (v as J[]).map(kvOut);
    if (key === 'explicitBounds') return (v as number[]).map(jsonDouble);
    if (typeof v === 'number' && DOUBLE_KEYS.has(key)) return jsonDouble(v);
    if (Array.isArray(v)) return v.map((x) => map(x, key));
    if (v && typeof v === 'object') {
      const out: J = {};
      for (const [k, x] of Object.entries(v as J)) {
        if (k === 'entityRefs') continue;
        const y = map(x, k);
        if ((k === 'resource' || k === 'scope') && Object.keys(y as J).length === 0) continue;
        out[k] = y;
      }
      return out;
    }
    return v;
  };
  const out = map(c, '') as J;
  return { resourceMetrics: out.resourceMetrics ?? [] };
}

test('metricBatchToJSON prints what the batch holds (200 random requests through the real MetricBatch), and it converts back', () => {
  for (const c of requests(200, 31000)) {
    const bytes = oracleEncodeMetrics(toFromObject(c) as J);
    const text = metricBatchToJSON(MetricBatch.decode(bytes));
    assert.deepStrictEqual(JSON.parse(text), expectedOutput(c));
    // Lossless: the printed JSON converts back to the same protobuf (apart from empty resource/scope messages).
    assert.deepStrictEqual(oracleDecodeMetrics(jsonToMetricsRequest(text)), oracleDecodeMetrics(jsonToMetricsRequest(serialize(expectedOutput(c), false))));
  }
  assert.equal(metricBatchToJSON(MetricBatch.empty()), '{"resourceMetrics":[]}');
});

test('metricBatchToJSON output format: lowercase hex, 64-bit integers as strings, enums as integers, presence kept, special doubles as strings', () => {
  const tid = Buffer.from('ABABABABABABABABABABABABABABABAB', 'hex');
  const b = MetricBatch.decode(oracleEncodeMetrics({ resourceMetrics: [{ scopeMetrics: [{ metrics: [
    { name: 'g', gauge: { dataPoints: [{ asInt: '-9223372036854775808', timeUnixNano: '18446744073709551615', exemplars: [{ asDouble: 0, traceId: tid, spanId: Buffer.alloc(8, 0xcd) }] }, { asDouble: 0 }, { asDouble: NaN }] } },
    { name: 's', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ asDouble: -0 }] } },
    { name: 'h', histogram: { aggregationTemporality: 1, dataPoints: [{ count: '18446744073709551615', sum: 0, min: 0, bucketCounts: ['1', '18446744073709551615'], explicitBounds: [-Infinity] }, { count: '1' }] } },
    { name: 'e', exponentialHistogram: { dataPoints: [{ scale: -3, zeroCount: '7', positive: {}, negative: { offset: -2, bucketCounts: ['4'] }, max: 0, zeroThreshold: 1e-9 }] } },
    { name: 'q', summary: { dataPoints: [{ count: '2', sum: 0, quantileValues: [{ quantile: 0, value: 1 }] }] } },
    { name: 'empty' },
  ] }] }] }));
  const text = metricBatchToJSON(b);
  for (const piece of [
    '"asInt":"-9223372036854775808"', '"timeUnixNano":"18446744073709551615"',
    '"exemplars":[{"asDouble":0,"spanId":"cdcdcdcdcdcdcdcd","traceId":"abababababababababababababababab"}]',
    '{"asDouble":0}', '{"asDouble":"NaN"}', '{"asDouble":-0}',
    '"aggregationTemporality":2,"isMonotonic":true', '"aggregationTemporality":1',
    '"count":"18446744073709551615","sum":0,"bucketCounts":["1","18446744073709551615"],"explicitBounds":["-Infinity"],"min":0}',
    '{"count":"1"}',
    '"scale":-3,"zeroCount":"7","positive":{},"negative":{"offset":-2,"bucketCounts":["4"]},"max":0,"zeroThreshold":1e-9}',
    '{"count":"2","quantileValues":[{"value":1}]}',
    '{"name":"empty"}',
  ]) assert.ok(text.includes(piece), `${piece} not in ${text}`);
  const ms = ((JSON.parse(text).resourceMetrics as J[])[0].scopeMetrics as J[])[0].metrics as J[];
  const hp = (ms[2].histogram as J).dataPoints as J[];
  assert.ok(!('sum' in hp[1]) && !('min' in hp[1]) && !('max' in hp[1]), 'absent sum/min/max are not printed');
  const ep = ((ms[3].exponentialHistogram as J).dataPoints as J[])[0];
  assert.ok(!('sum' in ep) && !('min' in ep), 'absent sum/min are not printed');
});

test('round trip: OTLP/JSON (sender variations) → jsonToMetricsRequest → MetricBatch.decode → metricBatchToJSON equals the normalized input', () => {
  requests(120, 52000).forEach((c, n) => {
    const r: Rng = mulberry32(n * 101 + 5);
    const batch = MetricBatch.decode(jsonToMetricsRequest(toJsonText(r, RULES, c)));
    assert.deepStrictEqual(JSON.parse(metricBatchToJSON(batch)), expectedOutput(c), `request ${n}`);
    assert.deepStrictEqual(JSON.parse(batch.toJSON()), expectedOutput(c), `request ${n} via MetricBatch.toJSON`);
  });
});

test('round trip through MetricBatch: corpus metrics.json comes back as the file (ids, defaults and key order aside)', (t) => {
  const text = readCorpus('metrics.json');
  if (text === undefined) {
    t.skip(corpusMissing('metrics.json'));
    return;
  }
  const batch = MetricBatch.fromJSON(text);
  assert.equal(batch.metricCount, 4);
  assert.equal(batch.dataPointCount, 4);
  assert.ok(batch.pointHasMin(2) && batch.pointMin(2) === 0, 'histogram min 0 present in the batch');
  const out = JSON.parse(metricBatchToJSON(batch)) as J;
  // The file without its two proto3 defaults ("scale": 0, "zeroThreshold": 0) is exactly what comes out.
  assert.deepStrictEqual(out, stripDefaults(JSON.parse(text), presence));
  const e = (((((out.resourceMetrics as J[])[0].scopeMetrics as J[])[0].metrics as J[])[3].exponentialHistogram as J).dataPoints as J[])[0];
  assert.equal(e.min, 0);
  assert.ok(!('scale' in e) && !('zeroThreshold' in e));
});
