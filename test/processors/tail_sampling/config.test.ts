// tail_sampling config: upstream keys and defaults, the README's example config, our max_buffered_bytes, and
// every policy validation error reported at its YAML path (OTTL syntax errors with line and column).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { parseOrThrow } from '../../../src/config/schema';
import { ConfigError, type ConfigIssue } from '../../../src/errors';
import { tailSamplingConfigSchema, type TailSamplingConfig } from '../../../src/processors/tail_sampling/config';
import { buildPolicies } from '../../../src/processors/tail_sampling/policies';

const P = 'processors.tail_sampling';

function cfg(raw: unknown): TailSamplingConfig {
  return parseOrThrow(tailSamplingConfigSchema, raw, P);
}
function issuesOf(raw: unknown): ConfigIssue[] {
  try {
    cfg(raw);
    return [];
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    return [...e.issues];
  }
}
const one = (policy: Record<string, unknown>) => issuesOf({ policies: [{ name: 'p', ...policy }] });

test('defaults as upstream, plus max_buffered_bytes 256 MiB', () => {
  const d = cfg(null);
  assert.equal(d.decision_wait, 30000);
  assert.equal(d.num_traces, 50000);
  assert.equal(d.expected_new_traces_per_sec, 0);
  assert.deepEqual(d.decision_cache, { sampled_cache_size: 0, non_sampled_cache_size: 0 });
  assert.equal(d.sample_on_first_match, false);
  assert.equal(d.drop_pending_traces_on_shutdown, false);
  assert.equal(d.block_on_overflow, false);
  assert.equal(d.max_buffered_bytes, 268435456);
  assert.deepEqual(d.policies, []);
  const c = cfg({ decision_wait: '10s', num_traces: 100, decision_cache: { sampled_cache_size: 100000 }, max_buffered_bytes: 1 << 20 });
  assert.equal(c.decision_wait, 10000);
  assert.equal(c.decision_cache.sampled_cache_size, 100000);
  assert.equal(c.decision_cache.non_sampled_cache_size, 0);
  assert.equal(c.max_buffered_bytes, 1 << 20);
});

const README_EXAMPLE = `
decision_wait: 10s
num_traces: 100
expected_new_traces_per_sec: 10
decision_cache:
  sampled_cache_size: 100000
  non_sampled_cache_size: 100000
policies:
  [
    { name: test-policy-1, type: always_sample },
    { name: test-policy-2, type: latency, latency: {threshold_ms: 5000, upper_threshold_ms: 10000} },
    { name: test-policy-3, type: numeric_attribute, numeric_attribute: {key: key1, min_value: 50, max_value: 100} },
    { name: test-policy-4, type: probabilistic, probabilistic: {sampling_percentage: 10} },
    { name: test-policy-5, type: status_code, status_code: {status_codes: [ERROR, UNSET]} },
    { name: test-policy-6, type: string_attribute, string_attribute: {key: key2, values: [value1, value2]} },
    { name: test-policy-7, type: string_attribute, string_attribute: {key: key2, values: [value1, val*], enabled_regex_matching: true, cache_max_size: 10} },
    { name: test-policy-8, type: rate_limiting, rate_limiting: {spans_per_second: 35} },
    { name: test-policy-9, type: bytes_limiting, bytes_limiting: {bytes_per_second: 1024000, burst_capacity: 2048000} },
    { name: test-policy-10, type: span_count, span_count: {min_spans: 2, max_spans: 20} },
    { name: test-policy-11, type: trace_state, trace_state: { key: key3, values: [value1, value2] } },
    { name: test-policy-12, type: boolean_attribute, boolean_attribute: {key: key4, value: true} },
    { name: test-policy-13, type: ottl_condition, ottl_condition: {
        error_mode: ignore,
        span: [ "attributes[\\"test_attr_key_1\\"] == \\"test_attr_val_1\\"", "attributes[\\"test_attr_key_2\\"] != \\"test_attr_val_1\\"" ],
        spanevent: [ "name != \\"test_span_event_name\\"", "attributes[\\"test_event_attr_key_2\\"] != \\"test_event_attr_val_1\\"" ] } },
    { name: test-policy-14, type: trace_flags },
    { name: not-policy-1, type: not, not: { not_sub_policy: { name: n, type: status_code, status_code: { status_codes: [OK] } } } },
    { name: and-policy-1, type: and, and: { and_sub_policy: [
        { name: test-and-policy-1, type: numeric_attribute, numeric_attribute: { key: key1, min_value: 50, max_value: 100 } },
        { name: test-and-policy-2, type: string_attribute, string_attribute: { key: key2, values: [ value1, value2 ] } } ] } },
    { name: drop-policy-1, type: drop, drop: { drop_sub_policy: [
        { name: test-drop-policy-1, type: string_attribute, string_attribute: {key: url.path, values: [\\/health, \\/metrics], enabled_regex_matching: true} } ] } },
    { name: composite-policy-1, type: composite, composite: {
        max_total_spans_per_second: 1000,
        policy_order: [test-composite-policy-1, test-composite-policy-2, test-composite-policy-3],
        composite_sub_policy: [
          { name: test-composite-policy-1, type: numeric_attribute, numeric_attribute: {key: key1, min_value: 50} },
          { name: test-composite-policy-2, type: string_attribute, string_attribute: {key: key2, values: [value1, value2]} },
          { name: test-composite-policy-3, type: always_sample },
          { name: test-composite-policy-4, type: and, and: { and_sub_policy: [ { name: x, type: always_sample } ] } } ],
        rate_allocation: [ { policy: test-composite-policy-1, percent: 50 }, { policy: test-composite-policy-2, percent: 25 } ] } },
  ]
`;

test("the README's example config loads and builds every policy type (drop policies first)", () => {
  const c = cfg(parseYaml(README_EXAMPLE));
  assert.equal(c.decision_wait, 10000);
  assert.equal(c.decision_cache.non_sampled_cache_size, 100000);
  assert.equal(c.policies.length, 18);
  assert.equal(c.policies[2]!.numeric_attribute.min_value, 50);
  assert.equal(c.policies[12]!.ottl_condition.error_mode, 'ignore');
  const built = buildPolicies(c, { workers: 4 });
  assert.equal(built.length, 18);
  assert.equal(built[0]!.name, 'drop-policy-1');
  assert.deepEqual(built.slice(1, 4).map((p) => p.name), ['test-policy-1', 'test-policy-2', 'test-policy-3']);
});

test('policy names: empty and duplicate names are errors at the name path', () => {
  assert.deepEqual(issuesOf({ policies: [{ type: 'always_sample' }] }), [{ path: `${P}.policies[0].name`, message: 'policy name cannot be empty' }]);
  assert.deepEqual(issuesOf({ policies: [{ name: 'a', type: 'always_sample' }, { name: 'a', type: 'trace_flags' }] }), [
    { path: `${P}.policies[1].name`, message: 'duplicate policy name "a"' },
  ]);
});

test('unknown policy types, also where a compound type is not allowed', () => {
  const [u] = one({ type: 'nope' });
  assert.equal(u!.path, `${P}.policies[0].type`);
  assert.match(u!.message, /^unknown sampling policy type "nope" \(valid: always_sample, latency, .*composite\)$/);
  const [nested] = one({ type: 'and', and: { and_sub_policy: [{ name: 'x', type: 'and' }] } });
  assert.equal(nested!.path, `${P}.policies[0].and.and_sub_policy[0].type`);
  assert.match(nested!.message, /^unknown sampling policy type "and" in a sub-policy/);
  const [comp] = one({ type: 'composite', composite: { composite_sub_policy: [{ name: 'c', type: 'composite' }] } });
  assert.equal(comp!.path, `${P}.policies[0].composite.composite_sub_policy[0].type`);
  const [notMissing] = one({ type: 'not' });
  assert.equal(notMissing!.path, `${P}.policies[0].not.not_sub_policy.type`);
  const [dropInDrop] = one({ type: 'drop', drop: { drop_sub_policy: [{ name: 'd', type: 'drop' }] } });
  assert.equal(dropInDrop!.path, `${P}.policies[0].drop.drop_sub_policy[0].type`);
});

test('unknown keys are rejected at their path, in policies and in their blocks', () => {
  assert.deepEqual(one({ type: 'latency', latency: { threshold: 5 } }).map((i) => i.path), [`${P}.policies[0].latency.threshold`]);
  assert.deepEqual(one({ type: 'always_sample', bogus: 1 }).map((i) => i.path), [`${P}.policies[0].bogus`]);
  assert.deepEqual(issuesOf({ policy: [] }).map((i) => i.path), [`${P}.policy`]);
  // as upstream (squash), a sub-policy may not carry and/composite blocks
  assert.deepEqual(one({ type: 'and', and: { and_sub_policy: [{ name: 'x', type: 'always_sample', composite: {} }] } }).map((i) => i.path), [
    `${P}.policies[0].and.and_sub_policy[0].composite`,
  ]);
});

test('status_code, numeric_attribute and ottl_condition validation', () => {
  assert.deepEqual(one({ type: 'status_code', status_code: { status_codes: ['ERROR', 'error'] } }), [
    { path: `${P}.policies[0].status_code.status_codes[1]`, message: 'unknown status code "error", supported: OK, ERROR, UNSET' },
  ]);
  assert.deepEqual(one({ type: 'status_code' }), [{ path: `${P}.policies[0].status_code.status_codes`, message: 'expected at least one status code to filter on' }]);
  assert.deepEqual(one({ type: 'numeric_attribute', numeric_attribute: { key: 'k' } }), [
    { path: `${P}.policies[0].numeric_attribute`, message: 'at least one of min_value or max_value must be set' },
  ]);
  assert.deepEqual(one({ type: 'numeric_attribute', numeric_attribute: { key: 'k', min_value: 10, max_value: 5 } }), [
    { path: `${P}.policies[0].numeric_attribute.min_value`, message: 'min_value must be less than or equal to max_value' },
  ]);
  assert.deepEqual(one({ type: 'ottl_condition', ottl_condition: {} }), [{ path: `${P}.policies[0].ottl_condition`, message: 'expected at least one OTTL condition to filter on' }]);
  assert.deepEqual(one({ type: 'ottl_condition', ottl_condition: { error_mode: 'loud', span: ['name == "x"'] } }).map((i) => i.path), [`${P}.policies[0].ottl_condition.error_mode`]);
});

test('OTTL syntax errors carry line:column at the condition path (also inside and)', () => {
  const [e] = one({ type: 'ottl_condition', ottl_condition: { span: ['name == "ok"', 'name == == "x"'] } });
  assert.equal(e!.path, `${P}.policies[0].ottl_condition.span[1]`);
  assert.match(e!.message, /^condition has invalid syntax: 1:\d+: .* in condition 'name == == "x"'$/);
  const [ev] = one({ type: 'and', and: { and_sub_policy: [{ name: 'o', type: 'ottl_condition', ottl_condition: { spanevent: ['attributes["x" == 1'] } }] } });
  assert.equal(ev!.path, `${P}.policies[0].and.and_sub_policy[0].ottl_condition.spanevent[0]`);
  assert.match(ev!.message, /1:\d+/);
  // a path unknown to the span context is a compile error at load too
  const [unknown] = one({ type: 'ottl_condition', ottl_condition: { span: ['body == "x"'] } });
  assert.equal(unknown!.path, `${P}.policies[0].ottl_condition.span[0]`);
});

test('bad regexps (RE2 rejects look-around) are errors at the value path; not checked without regex matching', () => {
  const [e] = one({ type: 'string_attribute', string_attribute: { key: 'k', values: ['ok.*', '(?=x)a', '[unclosed'], enabled_regex_matching: true } });
  const all = one({ type: 'string_attribute', string_attribute: { key: 'k', values: ['ok.*', '(?=x)a', '[unclosed'], enabled_regex_matching: true } });
  assert.deepEqual(all.map((i) => i.path), [`${P}.policies[0].string_attribute.values[1]`, `${P}.policies[0].string_attribute.values[2]`]);
  assert.match(e!.message, /^invalid regular expression "\(\?=x\)a": /);
  assert.deepEqual(one({ type: 'string_attribute', string_attribute: { key: 'k', values: ['[unclosed'] } }), []);
});

test('top-level keys: decision_wait > 0; unsupported upstream options that change decisions are rejected', () => {
  assert.deepEqual(issuesOf({ decision_wait: '0s' }), [{ path: `${P}.decision_wait`, message: 'decision_wait must be greater than 0' }]);
  assert.deepEqual(issuesOf({ num_traces: 0 }).map((i) => i.path), [`${P}.num_traces`]);
  assert.deepEqual(issuesOf({ decision_wait_after_root_received: '2s' }).map((i) => i.path), [`${P}.decision_wait_after_root_received`]);
  assert.deepEqual(issuesOf({ maximum_trace_size_bytes: 1000 }).map((i) => i.path), [`${P}.maximum_trace_size_bytes`]);
  assert.deepEqual(issuesOf({ sampling_strategy: 'span-ingest' }).map((i) => i.path), [`${P}.sampling_strategy`]);
  // accepted as upstream
  const ok = cfg({ block_on_overflow: true, drop_pending_traces_on_shutdown: true, decision_wait_after_root_received: '0s', sampling_strategy: 'trace-complete', num_shards: 4, expected_new_traces_per_sec: 500 });
  assert.equal(ok.drop_pending_traces_on_shutdown, true);
  assert.equal(ok.block_on_overflow, true);
});
