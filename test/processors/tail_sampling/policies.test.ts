// tail_sampling policies: each policy's decisions on real (oracle-encoded, pdata-decoded) traces, with upstream's
// edge cases (inclusive/exclusive thresholds, invert_match, regexps, missing and non-typed attributes, resource
// attributes), the stateful limits (per-second windows and token bucket driven by nowMs, divided by workers),
// composite allocation, and/not/drop, and the final decision precedence (makeDecision). Probabilistic decisions
// are cross-checked against an independent BigInt FNV-1a implementation written here from upstream's algorithm.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOrThrow } from '../../../src/config/schema';
import { tailSamplingConfigSchema, type TailSamplingConfig } from '../../../src/processors/tail_sampling/config';
import { buildPolicies, combineDecisions, evaluateTrace } from '../../../src/processors/tail_sampling/policies';
import { hashTraceId, probabilisticThreshold } from '../../../src/processors/tail_sampling/policies/probabilistic';
import { parseTraceState } from '../../../src/processors/tail_sampling/policies/trace-state';
import { Decision, type PolicyEvaluator, type SampledTrace } from '../../../src/processors/tail_sampling/types';
import { buildBatch, dbl, ms, oneTrace, spans, T0, traceIdHex, tracesOf } from './ts-helpers';

const D = Decision;
const P = 'processors.tail_sampling';

function config(raw: Record<string, unknown>): TailSamplingConfig {
  return parseOrThrow(tailSamplingConfigSchema, raw, P);
}
function policy(p: Record<string, unknown>, workers = 1): PolicyEvaluator {
  return buildPolicies(config({ policies: [{ name: 'p', ...p }] }), { workers })[0]!.evaluator;
}
const ev = (p: PolicyEvaluator, t: SampledTrace, nowMs = 0) => p.evaluate(t, nowMs);

// ---------------------------------------------------------------- simple policies

test('always_sample samples every trace', () => {
  assert.equal(ev(policy({ type: 'always_sample' }), spans([{}])), D.Sampled);
});

test('latency: max end - min start over the trace; lower bound inclusive alone, exclusive with upper bound', () => {
  const lat = policy({ type: 'latency', latency: { threshold_ms: 100 } });
  // two spans: [0, 40ms] and [60ms, 100ms] -> trace latency 100ms (not the longest span)
  const t100 = spans([{ start: T0, end: T0 + ms(40) }, { start: T0 + ms(60), end: T0 + ms(100) }]);
  assert.equal(ev(lat, t100), D.Sampled);
  const t99 = spans([{ start: T0, end: T0 + ms(99) + 999_999n }]); // 99.999999 ms truncates to 99
  assert.equal(ev(lat, t99), D.NotSampled);
  const ranged = policy({ type: 'latency', latency: { threshold_ms: 100, upper_threshold_ms: 200 } });
  assert.equal(ev(ranged, t100), D.NotSampled, 'lower bound exclusive when an upper bound is set');
  assert.equal(ev(ranged, spans([{ start: T0, end: T0 + ms(200) }])), D.Sampled, 'upper bound inclusive');
  assert.equal(ev(ranged, spans([{ start: T0, end: T0 + ms(201) }])), D.NotSampled);
  // upstream checks the growing window after each span: passing through the range samples
  const grows = spans([{ start: T0, end: T0 + ms(150) }, { start: T0, end: T0 + ms(500) }]);
  assert.equal(ev(ranged, grows), D.Sampled);
  const growsOtherOrder = spans([{ start: T0, end: T0 + ms(500) }, { start: T0, end: T0 + ms(150) }]);
  assert.equal(ev(ranged, growsOtherOrder), D.NotSampled);
});

test('status_code: any span with one of the codes', () => {
  const p = policy({ type: 'status_code', status_code: { status_codes: ['ERROR', 'UNSET'] } });
  assert.equal(ev(p, spans([{ status: 1 }, { status: 2 }])), D.Sampled);
  assert.equal(ev(p, spans([{ status: 1 }, {}])), D.Sampled, 'no status = UNSET');
  assert.equal(ev(p, spans([{ status: 1 }, { status: 1 }])), D.NotSampled);
  assert.equal(ev(policy({ type: 'status_code', status_code: { status_codes: ['OK'] } }), spans([{ status: 1 }])), D.Sampled);
});

test('span_count: min and max inclusive, max 0 = unbounded', () => {
  const three = spans([{}, {}, {}]);
  assert.equal(ev(policy({ type: 'span_count', span_count: { min_spans: 3 } }), three), D.Sampled);
  assert.equal(ev(policy({ type: 'span_count', span_count: { min_spans: 4 } }), three), D.NotSampled);
  assert.equal(ev(policy({ type: 'span_count', span_count: { min_spans: 1, max_spans: 3 } }), three), D.Sampled);
  assert.equal(ev(policy({ type: 'span_count', span_count: { min_spans: 1, max_spans: 2 } }), three), D.NotSampled);
});

test('trace_flags: any span with the sampled flag bit', () => {
  const p = policy({ type: 'trace_flags' });
  assert.equal(ev(p, spans([{ flags: 0 }, { flags: 0x101 }])), D.Sampled);
  assert.equal(ev(p, spans([{ flags: 0x100 }, {}])), D.NotSampled);
});

test('trace_state: key/value from a valid W3C tracestate; invalid tracestates never match', () => {
  const p = policy({ type: 'trace_state', trace_state: { key: 'vendor', values: ['gold', 'silver'] } });
  assert.equal(ev(p, spans([{ traceState: 'other=1' }, { traceState: 'a=b, vendor=gold ' }])), D.Sampled);
  assert.equal(ev(p, spans([{ traceState: 'vendor=bronze' }])), D.NotSampled);
  assert.equal(ev(p, spans([{ traceState: 'vendor=gold,vendor=silver' }])), D.NotSampled, 'duplicate key: invalid');
  assert.equal(ev(p, spans([{ traceState: 'Vendor=gold' }])), D.NotSampled, 'upper-case key: invalid');
  assert.equal(ev(p, spans([{}])), D.NotSampled);
  assert.deepEqual(parseTraceState('t@sys=1,,x=y'), new Map([['t@sys', '1'], ['x', 'y']]));
  assert.equal(parseTraceState('novalue'), undefined);
});

// ---------------------------------------------------------------- attribute policies

test('numeric_attribute: span or resource attribute in [min, max] inclusive; absent bound = unbounded', () => {
  const p = policy({ type: 'numeric_attribute', numeric_attribute: { key: 'code', min_value: 400, max_value: 499 } });
  assert.equal(ev(p, spans([{ attrs: { code: 200 } }, { attrs: { code: 400 } }])), D.Sampled);
  assert.equal(ev(p, spans([{ attrs: { code: 499 } }])), D.Sampled);
  assert.equal(ev(p, spans([{ attrs: { code: 500 } }])), D.NotSampled);
  assert.equal(ev(p, spans([{ attrs: { other: 450 } }])), D.NotSampled, 'missing key');
  assert.equal(ev(p, spans([{}], { code: 404 })), D.Sampled, 'resource attribute');
  const minOnly = policy({ type: 'numeric_attribute', numeric_attribute: { key: 'n', min_value: 10 } });
  assert.equal(ev(minOnly, spans([{ attrs: { n: 9007199254740991n } }])), D.Sampled);
  assert.equal(ev(minOnly, spans([{ attrs: { n: 9 } }])), D.NotSampled);
  // Value.Int() of a non-int is 0: a double or string never reaches min 10, but counts as 0 in a range with 0
  assert.equal(ev(minOnly, spans([{ attrs: { n: dbl(50.5) } }])), D.NotSampled);
  const withZero = policy({ type: 'numeric_attribute', numeric_attribute: { key: 'n', min_value: -5, max_value: 5 } });
  assert.equal(ev(withZero, spans([{ attrs: { n: 'text' } }])), D.Sampled);
});

test('numeric_attribute invert_match: InvertNotSampled when a value is in range, InvertSampled otherwise (also absent)', () => {
  const p = policy({ type: 'numeric_attribute', numeric_attribute: { key: 'code', min_value: 400, max_value: 499, invert_match: true } });
  assert.equal(ev(p, spans([{ attrs: { code: 200 } }, { attrs: { code: 404 } }])), D.InvertNotSampled);
  assert.equal(ev(p, spans([{ attrs: { code: 200 } }])), D.InvertSampled);
  assert.equal(ev(p, spans([{}])), D.InvertSampled);
  assert.equal(ev(p, spans([{}], { code: 410 })), D.InvertNotSampled, 'resource attribute');
});

test('string_attribute: exact values, span and resource attributes, non-string values', () => {
  const p = policy({ type: 'string_attribute', string_attribute: { key: 'service.name', values: ['checkout', 'cart'] } });
  assert.equal(ev(p, spans([{}], { 'service.name': 'cart' })), D.Sampled);
  assert.equal(ev(p, spans([{ attrs: { 'service.name': 'checkout' } }])), D.Sampled);
  assert.equal(ev(p, spans([{ attrs: { 'service.name': 'check' } }])), D.NotSampled);
  assert.equal(ev(p, spans([{ attrs: { other: 'cart' } }])), D.NotSampled);
  // spans of several resources: one matching resource is enough
  const multi = oneTrace({ attrs: { 'service.name': 'a' }, spans: [{ trace: 1 }] }, { attrs: { 'service.name': 'cart' }, spans: [{ trace: 1 }] });
  assert.equal(ev(p, multi), D.Sampled);
  const num = policy({ type: 'string_attribute', string_attribute: { key: 'k', values: ['1'] } });
  assert.equal(ev(num, spans([{ attrs: { k: 1 } }])), D.NotSampled, 'an int attribute is not the string "1"');
});

test('string_attribute regex: Go syntax, unanchored search, resource non-string reads as ""', () => {
  const p = policy({ type: 'string_attribute', string_attribute: { key: 'http.route', values: ['/v1/name/.+', '(?i)^/HEALTH'], enabled_regex_matching: true, cache_max_size: 2 } });
  assert.equal(ev(p, spans([{ attrs: { 'http.route': '/api/v1/name/42' } }])), D.Sampled, 'unanchored');
  assert.equal(ev(p, spans([{ attrs: { 'http.route': '/healthz' } }])), D.Sampled, '(?i) flag');
  assert.equal(ev(p, spans([{ attrs: { 'http.route': '/v1/name/' } }])), D.NotSampled);
  // the result cache (size 2) does not change answers when evicting
  for (const r of ['/a', '/b', '/c', '/v1/name/x', '/a']) ev(p, spans([{ attrs: { 'http.route': r } }]));
  assert.equal(ev(p, spans([{ attrs: { 'http.route': '/v1/name/x' } }])), D.Sampled);
  assert.equal(ev(p, spans([{ attrs: { 'http.route': '/a' } }])), D.NotSampled);
  const any = policy({ type: 'string_attribute', string_attribute: { key: 'k', values: ['.*'], enabled_regex_matching: true } });
  assert.equal(ev(any, spans([{ attrs: { k: 7 } }])), D.NotSampled, 'span: only non-empty strings are matched');
  assert.equal(ev(any, spans([{}], { k: 7 })), D.Sampled, 'resource: Value.Str() of an int is "", which .* matches');
});

test('string_attribute invert_match', () => {
  const p = policy({ type: 'string_attribute', string_attribute: { key: 'team', values: ['team_a'], invert_match: true } });
  assert.equal(ev(p, spans([{ attrs: { team: 'team_b' } }])), D.InvertSampled);
  assert.equal(ev(p, spans([{}])), D.InvertSampled, 'absent key samples');
  assert.equal(ev(p, spans([{ attrs: { team: 'team_b' } }, { attrs: { team: 'team_a' } }])), D.InvertNotSampled);
  assert.equal(ev(p, spans([{}], { team: 'team_a' })), D.InvertNotSampled);
});

test('boolean_attribute: exact bool, non-bool reads as false; invert_match', () => {
  const p = policy({ type: 'boolean_attribute', boolean_attribute: { key: 'force', value: true } });
  assert.equal(ev(p, spans([{ attrs: { force: false } }, { attrs: { force: true } }])), D.Sampled);
  assert.equal(ev(p, spans([{ attrs: { force: 'true' } }])), D.NotSampled);
  assert.equal(ev(p, spans([{}], { force: true })), D.Sampled);
  const f = policy({ type: 'boolean_attribute', boolean_attribute: { key: 'force', value: false } });
  assert.equal(ev(f, spans([{ attrs: { force: 'true' } }])), D.Sampled, 'Value.Bool() of a string is false');
  assert.equal(ev(f, spans([{}])), D.NotSampled);
  const inv = policy({ type: 'boolean_attribute', boolean_attribute: { key: 'skip', value: true, invert_match: true } });
  assert.equal(ev(inv, spans([{ attrs: { skip: true } }])), D.InvertNotSampled);
  assert.equal(ev(inv, spans([{ attrs: { skip: false } }])), D.InvertSampled);
});

test('ottl_condition: span and span event conditions; error_mode propagate gives Error, ignore counts false', () => {
  const p = policy({ type: 'ottl_condition', ottl_condition: { span: ['attributes["http.status_code"] >= 500', 'name == "boom"'] } });
  assert.equal(ev(p, spans([{ attrs: { 'http.status_code': 200 } }, { attrs: { 'http.status_code': 503 } }])), D.Sampled);
  assert.equal(ev(p, spans([{ name: 'boom' }])), D.Sampled);
  assert.equal(ev(p, spans([{ name: 'fine' }])), D.NotSampled);
  const e = policy({ type: 'ottl_condition', ottl_condition: { spanevent: ['name == "exception" and resource.attributes["env"] == "prod"'] } });
  assert.equal(ev(e, spans([{ events: [{ name: 'log' }, { name: 'exception' }] }], { env: 'prod' })), D.Sampled);
  assert.equal(ev(e, spans([{ events: [{ name: 'exception' }] }], { env: 'dev' })), D.NotSampled);
  const bad = 'attributes["s"]["x"] == "y"'; // indexing a string: evaluation error
  const prop = policy({ type: 'ottl_condition', ottl_condition: { span: [bad] } });
  assert.equal(ev(prop, spans([{ attrs: { s: 'str' } }])), D.Error);
  const ign = policy({ type: 'ottl_condition', ottl_condition: { error_mode: 'ignore', span: [bad, 'name == "next"'] } });
  assert.equal(ev(ign, spans([{ attrs: { s: 'str' } }, { name: 'next' }])), D.Sampled);
  assert.equal(ev(ign, spans([{ attrs: { s: 'str' } }])), D.NotSampled);
  // the same evaluator over traces of two different batches (re-binds per batch)
  const b = buildBatch([{ spans: [{ trace: 5, name: 'boom' }, { trace: 6, name: 'x' }] }]);
  const ts = tracesOf(b);
  assert.equal(ev(p, ts.get(traceIdHex(5))!), D.Sampled);
  assert.equal(ev(p, ts.get(traceIdHex(6))!), D.NotSampled);
});

// ---------------------------------------------------------------- probabilistic

const MASK64 = (1n << 64n) - 1n;
/** Independent FNV-1a 64 (BigInt), from the FNV spec. */
function fnv1a64(bytes: Uint8Array): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & MASK64;
  return h;
}

test('probabilistic: FNV-1a over salt ‖ trace id vs a big.Float threshold, as upstream', () => {
  // the reference FNV against published test vectors
  assert.equal(fnv1a64(Buffer.from('')), 0xcbf29ce484222325n);
  assert.equal(fnv1a64(Buffer.from('a')), 0xaf63dc4c8601ec8cn);
  assert.equal(fnv1a64(Buffer.from('foobar')), 0x85944171f73967e8n);
  // thresholds: MaxUint64 × ratio rounded to 64 bits then truncated
  assert.equal(probabilisticThreshold(1), MASK64);
  assert.equal(probabilisticThreshold(2), MASK64);
  assert.equal(probabilisticThreshold(0), 0n);
  assert.equal(probabilisticThreshold(-0.5), 0n);
  assert.equal(probabilisticThreshold(0.5), (1n << 63n) - 1n);
  assert.equal(probabilisticThreshold(0.25), (1n << 62n) - 1n);
  const t10 = probabilisticThreshold(0.1);
  const exact10 = MASK64 / 10n;
  assert.ok(t10 > exact10 - 4096n && t10 < exact10 + 4096n, `0.1 threshold ${t10} near ${exact10}`);

  // decisions for (trace id, salt, percentage) from the reference hash and an exact rational threshold;
  // cases within 2^20 of the boundary (where float rounding could matter) are skipped
  let checked = 0;
  let sampled = 0;
  for (const salt of ['', 'my-salt', 'ünïcode']) {
    for (const pct of [1, 10, 33, 50, 99]) {
      const p = policy({ type: 'probabilistic', probabilistic: { hash_salt: salt, sampling_percentage: pct } });
      for (let n = 0; n < 60; n++) {
        const idHex = (BigInt(n) * 0x9e3779b97f4a7c15n * 0x1000193n).toString(16).padStart(32, '0').slice(-32);
        const id = Buffer.from(idHex, 'hex');
        const h = fnv1a64(Buffer.concat([Buffer.from(salt === '' ? 'default-hash-seed' : salt, 'utf8'), id]));
        assert.equal(hashTraceId(salt === '' ? 'default-hash-seed' : salt, id), h);
        const threshold = (MASK64 * BigInt(pct)) / 100n;
        const diff = h > threshold ? h - threshold : threshold - h;
        if (diff < 1n << 20n) continue;
        const want = h <= threshold ? D.Sampled : D.NotSampled;
        const t = oneTrace({ spans: [{ trace: idHex }] });
        assert.equal(ev(p, t), want, `id ${idHex} salt "${salt}" ${pct}%`);
        checked++;
        if (want === D.Sampled) sampled++;
      }
    }
  }
  assert.ok(checked > 800, `checked ${checked}`);
  assert.ok(sampled > 100 && sampled < checked - 100, `sampled ${sampled} of ${checked}`);
  // hard-coded pairs derived from the reference implementation above
  const fixed: Array<[string, string, number]> = [
    ['0102030405060708090a0b0c0d0e0f10', '', 50],
    ['ffffffffffffffffffffffffffffffff', 'salt', 50],
    ['00000000000000000000000000000001', 'default-hash-seed', 10],
  ];
  for (const [idHex, salt, pct] of fixed) {
    const h = fnv1a64(Buffer.concat([Buffer.from(salt === '' ? 'default-hash-seed' : salt), Buffer.from(idHex, 'hex')]));
    const want = h <= (MASK64 * BigInt(pct)) / 100n ? D.Sampled : D.NotSampled;
    const p = policy({ type: 'probabilistic', probabilistic: { hash_salt: salt, sampling_percentage: pct } });
    assert.equal(ev(p, oneTrace({ spans: [{ trace: idHex }] })), want);
  }
  // 100 % samples everything, 0 % nothing (but hash 0 would still pass: threshold 0 is inclusive)
  const all = policy({ type: 'probabilistic', probabilistic: { sampling_percentage: 100 } });
  const none = policy({ type: 'probabilistic', probabilistic: { sampling_percentage: 0 } });
  const t = oneTrace({ spans: [{ trace: 'abcdef0123456789abcdef0123456789' }] });
  assert.equal(ev(all, t), D.Sampled);
  assert.equal(ev(none, t), D.NotSampled);
});

// ---------------------------------------------------------------- stateful limits

test('rate_limiting: spans per second window (strictly below the limit), reset each second, divided by workers', () => {
  const p = policy({ type: 'rate_limiting', rate_limiting: { spans_per_second: 5 } });
  const two = spans([{}, {}]);
  assert.equal(ev(p, two, 1000), D.Sampled); // 2 < 5
  assert.equal(ev(p, two, 1500), D.Sampled); // 4 < 5
  assert.equal(ev(p, two, 1999), D.NotSampled); // 6
  assert.equal(ev(p, spans([{}]), 1999), D.NotSampled); // 5 is not < 5
  assert.equal(ev(p, two, 2000), D.Sampled, 'new second');
  // 2 workers: each instance gets 10 / 2 = 5
  const w = policy({ type: 'rate_limiting', rate_limiting: { spans_per_second: 10 } }, 2);
  assert.equal(ev(w, two, 0), D.Sampled);
  assert.equal(ev(w, two, 0), D.Sampled);
  assert.equal(ev(w, two, 0), D.NotSampled);
});

test('bytes_limiting: token bucket (full at start, refill per nowMs, burst default 2x), divided by workers', () => {
  const sized = (bytes: number): SampledTrace => ({ ...spans([{}]), byteSize: bytes });
  const p = policy({ type: 'bytes_limiting', bytes_limiting: { bytes_per_second: 1000 } });
  assert.equal(ev(p, sized(1500), 0), D.Sampled); // 2000 -> 500
  assert.equal(ev(p, sized(1500), 0), D.NotSampled); // not enough, nothing taken
  assert.equal(ev(p, sized(500), 0), D.Sampled); // 500 -> 0
  assert.equal(ev(p, sized(1000), 1000), D.Sampled, 'refilled 1000 in 1 s');
  assert.equal(ev(p, sized(2001), 60000), D.NotSampled, 'bigger than the burst: never');
  assert.equal(ev(p, sized(2000), 60000), D.Sampled, 'refill is capped at the burst');
  const burst = policy({ type: 'bytes_limiting', bytes_limiting: { bytes_per_second: 100, burst_capacity: 3000 } });
  assert.equal(ev(burst, sized(3000), 0), D.Sampled);
  assert.equal(ev(burst, sized(100), 500), D.NotSampled); // 50 tokens
  assert.equal(ev(burst, sized(100), 1000), D.Sampled);
  const w = policy({ type: 'bytes_limiting', bytes_limiting: { bytes_per_second: 1000 } }, 4); // 250/s, burst 500
  assert.equal(ev(w, sized(501), 0), D.NotSampled);
  assert.equal(ev(w, sized(500), 0), D.Sampled);
});

// ---------------------------------------------------------------- composite, and, not, drop

test('composite: first sampling sub-policy decides within its allocation and the total; unallocated gets 0', () => {
  const cfg = {
    type: 'composite',
    composite: {
      max_total_spans_per_second: 10,
      policy_order: ['errors', 'rest', 'unallocated'],
      composite_sub_policy: [
        { name: 'errors', type: 'status_code', status_code: { status_codes: ['ERROR'] } },
        { name: 'unallocated', type: 'string_attribute', string_attribute: { key: 'vip', values: ['yes'] } },
        { name: 'rest', type: 'always_sample' },
      ],
      rate_allocation: [
        { policy: 'errors', percent: 60 },
        { policy: 'rest', percent: 30 },
      ],
    },
  };
  const p = policy(cfg);
  const err3 = spans([{ status: 2 }, {}, {}]);
  const ok2 = spans([{}, {}]);
  assert.equal(ev(p, err3, 0), D.Sampled); // errors 3 <= 6
  assert.equal(ev(p, err3, 0), D.Sampled); // errors 6 <= 6
  assert.equal(ev(p, err3, 0), D.NotSampled, 'over its allocation: not sampled, later sub-policies not asked');
  assert.equal(ev(p, ok2, 0), D.Sampled); // rest 2 <= 3
  assert.equal(ev(p, ok2, 0), D.NotSampled); // rest 4 > 3
  // "unallocated" matches first but has 0 spans/s
  assert.equal(ev(p, spans([{ attrs: { vip: 'yes' } }]), 0), D.NotSampled);
  assert.equal(ev(p, err3, 1000), D.Sampled, 'counters reset each second');
  // percent 0 = max_total / number of sub-policies; the total caps everything
  const even = policy({
    type: 'composite',
    composite: {
      max_total_spans_per_second: 4,
      composite_sub_policy: [{ name: 'a', type: 'always_sample' }, { name: 'b', type: 'always_sample' }],
      rate_allocation: [{ policy: 'a', percent: 0 }],
    },
  });
  assert.equal(ev(even, spans([{}, {}]), 0), D.Sampled); // a: 2 <= 2
  assert.equal(ev(even, spans([{}]), 0), D.NotSampled); // a: 3 > 2
  // workers divide the allocations: 2 workers -> errors 3, total 5
  const w = policy(cfg, 2);
  assert.equal(ev(w, err3, 0), D.Sampled);
  assert.equal(ev(w, spans([{ status: 2 }]), 0), D.NotSampled);
});

test('composite with an and sub-policy; an error in a sub-policy is the composite\'s error', () => {
  const p = policy({
    type: 'composite',
    composite: {
      max_total_spans_per_second: 100,
      composite_sub_policy: [
        {
          name: 'both',
          type: 'and',
          and: { and_sub_policy: [{ name: 'x', type: 'boolean_attribute', boolean_attribute: { key: 'x', value: true } }, { name: 'all', type: 'always_sample' }] },
        },
        { name: 'bad', type: 'ottl_condition', ottl_condition: { span: ['attributes["s"]["k"] == "v"'] } },
      ],
      rate_allocation: [{ policy: 'both', percent: 50 }, { policy: 'bad', percent: 50 }],
    },
  });
  assert.equal(ev(p, spans([{ attrs: { x: true } }])), D.Sampled);
  assert.equal(ev(p, spans([{ attrs: { s: 'str' } }])), D.Error);
});

test('and: sampled when no sub-policy says not sampled (inverted ones included)', () => {
  const mk = (subs: unknown[]) => policy({ type: 'and', and: { and_sub_policy: subs } });
  const svc = { name: 's', type: 'string_attribute', string_attribute: { key: 'service.name', values: ['a'] } };
  const notB = { name: 'nb', type: 'string_attribute', string_attribute: { key: 'route', values: ['/b'], invert_match: true } };
  const p = mk([svc, notB]);
  assert.equal(ev(p, spans([{ attrs: { route: '/x' } }], { 'service.name': 'a' })), D.Sampled);
  assert.equal(ev(p, spans([{ attrs: { route: '/b' } }], { 'service.name': 'a' })), D.NotSampled, 'InvertNotSampled sub → NotSampled');
  assert.equal(ev(p, spans([{ attrs: { route: '/x' } }], { 'service.name': 'z' })), D.NotSampled);
  assert.equal(ev(mk([]), spans([{}])), D.Sampled, 'empty and samples, as upstream');
});

test('not: inverts Sampled/NotSampled, passes inverted decisions through', () => {
  const n = (sub: unknown) => policy({ type: 'not', not: { not_sub_policy: sub } });
  const always = n({ name: 'a', type: 'always_sample' });
  assert.equal(ev(always, spans([{}])), D.NotSampled);
  const err = n({ name: 'e', type: 'status_code', status_code: { status_codes: ['ERROR'] } });
  assert.equal(ev(err, spans([{ status: 1 }])), D.Sampled);
  assert.equal(ev(err, spans([{ status: 2 }])), D.NotSampled);
  const inv = n({ name: 'i', type: 'boolean_attribute', boolean_attribute: { key: 'k', value: true, invert_match: true } });
  assert.equal(ev(inv, spans([{}])), D.InvertSampled);
});

test('drop: Dropped when every sub-policy samples, else NotSampled', () => {
  const p = policy({
    type: 'drop',
    drop: {
      drop_sub_policy: [
        { name: 'health', type: 'string_attribute', string_attribute: { key: 'url.path', values: ['/health', '/metrics'], enabled_regex_matching: true } },
        { name: 'ok', type: 'status_code', status_code: { status_codes: ['OK', 'UNSET'] } },
      ],
    },
  });
  assert.equal(ev(p, spans([{ attrs: { 'url.path': '/healthz' } }])), D.Dropped);
  assert.equal(ev(p, spans([{ attrs: { 'url.path': '/api' } }])), D.NotSampled);
});

// ---------------------------------------------------------------- final decision

function decide(policies: unknown[], t: SampledTrace, extra: Record<string, unknown> = {}) {
  const cfg = config({ policies, ...extra });
  const built = buildPolicies(cfg, { workers: 1 });
  return { built, ...evaluateTrace(built, t, 0, cfg) };
}

test('final decision: drop policies run first and override; inverted not-sampled beats sampled', () => {
  const drop = { name: 'drop-health', type: 'drop', drop: { drop_sub_policy: [{ name: 'h', type: 'string_attribute', string_attribute: { key: 'route', values: ['/health'] } }] } };
  const always = { name: 'all', type: 'always_sample' };
  const health = spans([{ attrs: { route: '/health' } }]);
  const r = decide([always, drop], health);
  assert.deepEqual(r.built.map((p) => p.name), ['drop-health', 'all'], 'drop policies are evaluated first');
  assert.equal(r.decision, D.Dropped);
  assert.equal(r.perPolicy[0], D.Dropped);
  assert.equal(r.perPolicy[1], undefined, 'evaluation stops at the first Dropped');
  assert.equal(decide([always, drop], spans([{ attrs: { route: '/api' } }])).decision, D.Sampled);

  const invTeamA = { name: 'not-team-a', type: 'string_attribute', string_attribute: { key: 'team', values: ['a'], invert_match: true } };
  assert.equal(decide([always, invTeamA], spans([{ attrs: { team: 'a' } }])).decision, D.NotSampled, 'InvertNotSampled overrides Sampled');
  assert.equal(decide([invTeamA], spans([{ attrs: { team: 'b' } }])).decision, D.Sampled, 'InvertSampled alone samples');
  const errOnly = { name: 'errors', type: 'status_code', status_code: { status_codes: ['ERROR'] } };
  assert.equal(decide([invTeamA, errOnly], spans([{ attrs: { team: 'b' } }])).decision, D.NotSampled, 'InvertSampled + NotSampled → NotSampled');
  assert.equal(decide([], spans([{}])).decision, D.NotSampled, 'no policies: not sampled');
});

test('final decision: sample_on_first_match stops at the first Sampled; errors take no part', () => {
  const always = { name: 'all', type: 'always_sample' };
  const rl = { name: 'rl', type: 'rate_limiting', rate_limiting: { spans_per_second: 2 } };
  const t = spans([{}]);
  const cfg = config({ sample_on_first_match: true, policies: [always, rl] });
  const built = buildPolicies(cfg, { workers: 1 });
  for (let k = 0; k < 5; k++) {
    const r = evaluateTrace(built, t, 0, cfg);
    assert.equal(r.decision, D.Sampled);
    assert.equal(r.perPolicy[1], undefined);
  }
  // the rate limiter was never consumed: it still samples (1 < 2)
  assert.equal(built[1]!.evaluator.evaluate(t, 0), D.Sampled);
  const without = decide([always, rl], t);
  assert.equal(without.perPolicy[1], D.Sampled);

  const bad = { name: 'bad', type: 'ottl_condition', ottl_condition: { span: ['attributes["s"]["k"] == "v"'] } };
  const r = decide([bad], spans([{ attrs: { s: 'x' } }]));
  assert.equal(r.perPolicy[0], D.Error);
  assert.equal(r.decision, D.NotSampled);
  assert.equal(decide([bad, always], spans([{ attrs: { s: 'x' } }])).decision, D.Sampled);
  // an evaluator that throws is an Error vote, never a crash
  const throwing = [{ name: 'x', type: 'always_sample', evaluator: { evaluate: () => { throw new Error('bug'); } } }];
  assert.deepEqual(evaluateTrace(throwing, t, 0, { sample_on_first_match: false }), { decision: D.NotSampled, perPolicy: [D.Error] });
  assert.equal(combineDecisions([D.InvertSampled, undefined, D.Error]), D.Sampled);
});
