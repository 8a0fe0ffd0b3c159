// Config of the `tail_sampling` processor (contrib processor/tailsamplingprocessor/config.go). Keys as upstream:
//
//   decision_wait: 30s                 wait after a trace's first span before deciding (must be > 0)
//   num_traces: 50000                  traces kept in memory (process-wide; divided by the worker count)
//   expected_new_traces_per_sec: 0     allocation hint (accepted; otelcol-ts sizes its buffers in bytes instead)
//   decision_cache: { sampled_cache_size: 0, non_sampled_cache_size: 0 }   LRU of decided trace ids (0 = off)
//   sample_on_first_match: false       stop evaluating policies at the first "sampled" vote
//   drop_pending_traces_on_shutdown: false   on shutdown, drop undecided traces instead of deciding them
//   block_on_overflow: false           upstream: wait for room instead of evicting. otelcol-ts never evicts an
//                                      undecided trace (it decides the oldest early), so both values behave alike
//   decision_wait_after_root_received: 0s    (upstream: decide sooner once the root span arrived) — only 0 is
//                                      supported; another value is rejected at load (it would change decisions)
//   maximum_trace_size_bytes: 0        (upstream: drop traces bigger than this early) — only 0 is supported
//   sampling_strategy: trace-complete  only `trace-complete` (the classic behaviour) is supported
//   num_shards: 1                      accepted and ignored: otelcol-ts shards traces over its worker threads
//   policies: [ { name, type, <type>: {...} } ]
//
// Ours: `max_buffered_bytes` (default 256 MiB) bounds the span bytes the whole processor buffers, across every
// worker thread (each worker gets max_buffered_bytes / workers). When it (or num_traces) is reached the oldest
// undecided traces are decided early with what has arrived, never dropped.
//
// Policy types (policies/*.ts): always_sample, latency, numeric_attribute, probabilistic, status_code,
// string_attribute, rate_limiting, bytes_limiting, span_count, trace_state, trace_flags, boolean_attribute,
// ottl_condition, and, not, drop, composite. As upstream (mapstructure squash), every policy map accepts the
// blocks of every leaf type; the block named by `type` is the one used. Sub-policies (and_sub_policy,
// drop_sub_policy, not_sub_policy, composite_sub_policy) accept leaf types only (composite also `and`).
// Policy problems (unknown type, empty/duplicate names, bad status codes, bad regexps, OTTL errors with line and
// column, empty OTTL lists, numeric ranges) are reported at load with the YAML path of the offending key.

import { s, type Schema } from '../../config/schema';
import type { ConfigIssue } from '../../errors';
import type { ErrorMode } from '../../ottl';
import { errorModeSchema } from '../filter/config';
import { validatePolicies } from './policies';

// ---------------------------------------------------------------- policy blocks

const latencyShape = s.object({ threshold_ms: s.int(0), upper_threshold_ms: s.int(0) });
const numericShape = s.object({
  key: s.string(''),
  /** Absent = unbounded (math.MinInt64 upstream). */
  min_value: s.optional(s.int()),
  /** Absent = unbounded (math.MaxInt64 upstream). */
  max_value: s.optional(s.int()),
  invert_match: s.bool(false),
});
const probabilisticShape = s.object({ hash_salt: s.string(''), sampling_percentage: s.number(0) });
const statusCodeShape = s.object({ status_codes: s.array(s.string()) });
const stringShape = s.object({
  key: s.string(''),
  values: s.array(s.string()),
  enabled_regex_matching: s.bool(false),
  cache_max_size: s.int(0),
  invert_match: s.bool(false),
});
const rateLimitingShape = s.object({ spans_per_second: s.int(0) });
const bytesLimitingShape = s.object({ bytes_per_second: s.int(0), burst_capacity: s.int(0) });
const spanCountShape = s.object({ min_spans: s.int(0), max_spans: s.int(0) });
const traceStateShape = s.object({ key: s.string(''), values: s.array(s.string()) });
const booleanShape = s.object({ key: s.string(''), value: s.bool(false), invert_match: s.bool(false) });
const ottlShape = s.object({ error_mode: errorModeSchema, span: s.array(s.string()), spanevent: s.array(s.string()) });

/** The blocks every policy (and sub-policy) map accepts (upstream sharedPolicyCfg). */
const sharedShape = {
  name: s.string(''),
  type: s.string(''),
  latency: latencyShape,
  numeric_attribute: numericShape,
  probabilistic: probabilisticShape,
  status_code: statusCodeShape,
  string_attribute: stringShape,
  rate_limiting: rateLimitingShape,
  bytes_limiting: bytesLimitingShape,
  span_count: spanCountShape,
  trace_state: traceStateShape,
  boolean_attribute: booleanShape,
  ottl_condition: ottlShape,
};

export interface LatencyCfg { threshold_ms: number; upper_threshold_ms: number }
export interface NumericAttributeCfg { key: string; min_value: number | undefined; max_value: number | undefined; invert_match: boolean }
export interface ProbabilisticCfg { hash_salt: string; sampling_percentage: number }
export interface StatusCodeCfg { status_codes: string[] }
export interface StringAttributeCfg { key: string; values: string[]; enabled_regex_matching: boolean; cache_max_size: number; invert_match: boolean }
export interface RateLimitingCfg { spans_per_second: number }
export interface BytesLimitingCfg { bytes_per_second: number; burst_capacity: number }
export interface SpanCountCfg { min_spans: number; max_spans: number }
export interface TraceStateCfg { key: string; values: string[] }
export interface BooleanAttributeCfg { key: string; value: boolean; invert_match: boolean }
export interface OttlConditionCfg { error_mode: ErrorMode; span: string[]; spanevent: string[] }

/** A leaf (shared) policy config: and/drop/not sub-policies. */
export interface SharedPolicyCfg {
  name: string;
  type: string;
  latency: LatencyCfg;
  numeric_attribute: NumericAttributeCfg;
  probabilistic: ProbabilisticCfg;
  status_code: StatusCodeCfg;
  string_attribute: StringAttributeCfg;
  rate_limiting: RateLimitingCfg;
  bytes_limiting: BytesLimitingCfg;
  span_count: SpanCountCfg;
  trace_state: TraceStateCfg;
  boolean_attribute: BooleanAttributeCfg;
  ottl_condition: OttlConditionCfg;
}
export interface AndCfg { and_sub_policy: SharedPolicyCfg[] }
export interface DropCfg { drop_sub_policy: SharedPolicyCfg[] }
export interface NotCfg { not_sub_policy: SharedPolicyCfg }
export interface CompositeSubPolicyCfg extends SharedPolicyCfg { and: AndCfg }
export interface RateAllocationCfg { policy: string; percent: number }
export interface CompositeCfg {
  max_total_spans_per_second: number;
  /** Accepted as upstream, which does not use it either: sub-policies run in composite_sub_policy order. */
  policy_order: string[];
  composite_sub_policy: CompositeSubPolicyCfg[];
  rate_allocation: RateAllocationCfg[];
}
/** A top-level policy config. */
export interface PolicyCfg extends SharedPolicyCfg {
  and: AndCfg;
  drop: DropCfg;
  not: NotCfg;
  composite: CompositeCfg;
}

const sharedPolicySchema = s.object(sharedShape) as unknown as Schema<SharedPolicyCfg>;
const andSchema = s.object({ and_sub_policy: s.array(sharedPolicySchema) }) as Schema<AndCfg>;
const compositeSubPolicySchema = s.object({ ...sharedShape, and: andSchema }) as unknown as Schema<CompositeSubPolicyCfg>;
const compositeSchema = s.object({
  max_total_spans_per_second: s.int(0),
  policy_order: s.array(s.string()),
  composite_sub_policy: s.array(compositeSubPolicySchema),
  rate_allocation: s.array(s.object({ policy: s.string(''), percent: s.int(0) })),
}) as Schema<CompositeCfg>;

export const policySchema = s.object({
  ...sharedShape,
  and: andSchema,
  drop: s.object({ drop_sub_policy: s.array(sharedPolicySchema) }) as Schema<DropCfg>,
  not: s.object({ not_sub_policy: sharedPolicySchema }) as Schema<NotCfg>,
  composite: compositeSchema,
}) as unknown as Schema<PolicyCfg>;

// ---------------------------------------------------------------- the config

const shape = {
  decision_wait: s.duration('30s'),
  num_traces: s.positiveInt(50000),
  expected_new_traces_per_sec: s.nonNegativeInt(0),
  decision_cache: s.object({ sampled_cache_size: s.nonNegativeInt(0), non_sampled_cache_size: s.nonNegativeInt(0) }),
  sample_on_first_match: s.bool(false),
  drop_pending_traces_on_shutdown: s.bool(false),
  block_on_overflow: s.bool(false),
  decision_wait_after_root_received: s.duration('0s'),
  maximum_trace_size_bytes: s.nonNegativeInt(0),
  sampling_strategy: s.enum(['trace-complete', 'span-ingest'] as const, 'trace-complete'),
  num_shards: s.int(1, { min: 1, max: 256 }),
  /**
   * otelcol-ts: bytes of span data the whole processor may buffer, across all worker threads (each worker's
   * store gets max_buffered_bytes / workers, at least 1 MiB). Reaching it decides the oldest traces early.
   */
  max_buffered_bytes: s.positiveInt(268435456),
  policies: s.array(policySchema),
};

export interface TailSamplingConfig {
  /** Milliseconds. */
  decision_wait: number;
  num_traces: number;
  expected_new_traces_per_sec: number;
  decision_cache: { sampled_cache_size: number; non_sampled_cache_size: number };
  sample_on_first_match: boolean;
  drop_pending_traces_on_shutdown: boolean;
  block_on_overflow: boolean;
  /** Milliseconds; only 0 is accepted. */
  decision_wait_after_root_received: number;
  /** Only 0 is accepted. */
  maximum_trace_size_bytes: number;
  sampling_strategy: 'trace-complete' | 'span-ingest';
  num_shards: number;
  max_buffered_bytes: number;
  policies: PolicyCfg[];
}

function checkConfig(v: TailSamplingConfig, path: string, issues: ConfigIssue[]): void {
  const at = (k: string) => (path ? `${path}.${k}` : k);
  if (!(v.decision_wait > 0)) issues.push({ path: at('decision_wait'), message: 'decision_wait must be greater than 0' });
  if (v.decision_wait_after_root_received !== 0) {
    issues.push({
      path: at('decision_wait_after_root_received'),
      message: 'decision_wait_after_root_received is not supported by otelcol-ts yet (only 0s): traces are decided decision_wait after their first span',
    });
  }
  if (v.maximum_trace_size_bytes !== 0) {
    issues.push({
      path: at('maximum_trace_size_bytes'),
      message: 'maximum_trace_size_bytes is not supported by otelcol-ts yet (only 0); bound the buffer with max_buffered_bytes instead',
    });
  }
  if (v.sampling_strategy !== 'trace-complete') {
    issues.push({ path: at('sampling_strategy'), message: `sampling_strategy "${v.sampling_strategy}" is not supported by otelcol-ts (only "trace-complete")` });
  }
  validatePolicies(v.policies, at('policies'), issues);
}

export const tailSamplingConfigSchema: Schema<TailSamplingConfig> = s.object(shape, {
  check: (v, path, issues) => checkConfig(v as unknown as TailSamplingConfig, path, issues),
}) as unknown as Schema<TailSamplingConfig>;
