// Builds the policy evaluators of a tail_sampling config and combines their votes into the final decision
// (upstream processor.go loadSamplingPolicies / getPolicyEvaluator / makeDecision, and_helper.go,
// composite_helper.go, drop_helper.go).
//
// Worker threads: every worker thread runs its own processor and so its own evaluators, each seeing a disjoint
// share of the traces (the pool shards by trace id). The stateful limits — rate_limiting.spans_per_second,
// bytes_limiting.bytes_per_second and burst_capacity, composite.max_total_spans_per_second and its allocations —
// are therefore DIVIDED by ctx.workers here, so that the process as a whole samples about the configured rate.
//
// Final decision (makeDecision): policies are evaluated in order, drop policies first (upstream moves them to the
// front); evaluation stops at the first Dropped vote, and with sample_on_first_match at the first Sampled vote.
// Then: any Dropped → Dropped; else any InvertNotSampled → NotSampled; else any Sampled → Sampled; else any
// InvertSampled and no NotSampled → Sampled; else NotSampled. Error votes (an OTTL error in propagate mode, or
// an evaluator that threw) count as evaluation errors and take no part in the decision.

import type { Logger } from '../../../component/types';
import { join } from '../../../config/schema';
import type { ConfigIssue } from '../../../errors';
import { conditionIssue } from '../../filter/config';
import { GoRegexpError, compileGoRegexp } from '../../internal/go-regexp';
import { compileCondition } from '../../../ottl';
import type { CompositeSubPolicyCfg, PolicyCfg, SharedPolicyCfg, TailSamplingConfig } from '../config';
import { Decision, type PolicyEvaluator, type SampledTrace } from '../types';
import { AlwaysSample } from './always-sample';
import { And } from './and';
import { BooleanAttribute } from './boolean-attribute';
import { BytesLimiting } from './bytes-limiting';
import { Composite, rateAllocations, type CompositeSub } from './composite';
import { Drop } from './drop';
import { Latency } from './latency';
import { Not } from './not';
import { NumericAttribute } from './numeric-attribute';
import { OttlCondition } from './ottl-condition';
import { Probabilistic } from './probabilistic';
import { RateLimiting } from './rate-limiting';
import { SpanCount } from './span-count';
import { STATUS_CODES, StatusCode } from './status-code';
import { StringAttribute } from './string-attribute';
import { TraceFlags } from './trace-flags';
import { TraceState } from './trace-state';

export interface BuildContext {
  /** Worker threads running their own instance (>= 1; 0 / single-thread counts as 1). */
  readonly workers: number;
  /** For OTTL error_mode ignore warnings. */
  readonly logger?: Logger;
}

export interface NamedPolicy {
  readonly name: string;
  readonly type: string;
  readonly evaluator: PolicyEvaluator;
}

const LEAF_TYPES = [
  'always_sample', 'latency', 'numeric_attribute', 'probabilistic', 'status_code', 'string_attribute', 'rate_limiting',
  'bytes_limiting', 'span_count', 'trace_state', 'trace_flags', 'boolean_attribute', 'ottl_condition',
] as const;
const TOP_TYPES = [...LEAF_TYPES, 'and', 'not', 'drop', 'composite'] as const;
const COMPOSITE_SUB_TYPES = [...LEAF_TYPES, 'and'] as const;

type Level = 'top' | 'leaf' | 'composite-sub';

function allowedTypes(level: Level): readonly string[] {
  return level === 'top' ? TOP_TYPES : level === 'composite-sub' ? COMPOSITE_SUB_TYPES : LEAF_TYPES;
}

interface Ctx {
  readonly w: number;
  readonly logger?: Logger;
  readonly issues: ConfigIssue[];
}

/** Build one policy's evaluator; problems are pushed to ctx.issues (undefined is returned then). */
function build(cfg: PolicyCfg | SharedPolicyCfg | CompositeSubPolicyCfg, level: Level, path: string, ctx: Ctx): PolicyEvaluator | undefined {
  const issues = ctx.issues;
  const before = issues.length;
  const at = (...keys: Array<string | number>) => keys.reduce<string>((p, k) => join(p, k), path);
  const type = cfg.type;
  if (!allowedTypes(level).includes(type)) {
    const where = level === 'top' ? '' : level === 'composite-sub' ? ' in a composite sub-policy' : ' in a sub-policy';
    issues.push({ path: at('type'), message: `unknown sampling policy type "${type}"${where} (valid: ${allowedTypes(level).join(', ')})` });
    return undefined;
  }
  switch (type) {
    case 'always_sample':
      return new AlwaysSample();
    case 'latency':
      return new Latency(cfg.latency.threshold_ms, cfg.latency.upper_threshold_ms);
    case 'numeric_attribute': {
      const c = cfg.numeric_attribute;
      if (c.min_value === undefined && c.max_value === undefined) {
        issues.push({ path: at('numeric_attribute'), message: 'at least one of min_value or max_value must be set' });
      } else if (c.min_value !== undefined && c.max_value !== undefined && c.min_value > c.max_value) {
        issues.push({ path: at('numeric_attribute', 'min_value'), message: 'min_value must be less than or equal to max_value' });
      }
      return issues.length > before ? undefined : new NumericAttribute(c.key, c.min_value, c.max_value, c.invert_match);
    }
    case 'probabilistic':
      return new Probabilistic(cfg.probabilistic.hash_salt, cfg.probabilistic.sampling_percentage);
    case 'status_code': {
      const codes = cfg.status_code.status_codes;
      if (codes.length === 0) issues.push({ path: at('status_code', 'status_codes'), message: 'expected at least one status code to filter on' });
      codes.forEach((c, k) => {
        if (!(c in STATUS_CODES)) issues.push({ path: at('status_code', 'status_codes', k), message: `unknown status code "${c}", supported: OK, ERROR, UNSET` });
      });
      return issues.length > before ? undefined : new StatusCode(codes);
    }
    case 'string_attribute': {
      const c = cfg.string_attribute;
      if (c.enabled_regex_matching) {
        c.values.forEach((v, k) => {
          try {
            compileGoRegexp(v);
          } catch (e) {
            const msg = e instanceof GoRegexpError || e instanceof SyntaxError ? e.message : String(e);
            issues.push({ path: at('string_attribute', 'values', k), message: `invalid regular expression ${JSON.stringify(v)}: ${msg}` });
          }
        });
      }
      return issues.length > before ? undefined : new StringAttribute(c.key, c.values, c.enabled_regex_matching, c.cache_max_size, c.invert_match);
    }
    case 'rate_limiting':
      return new RateLimiting(cfg.rate_limiting.spans_per_second / ctx.w);
    case 'bytes_limiting': {
      const c = cfg.bytes_limiting;
      const burst = c.burst_capacity > 0 ? c.burst_capacity : 2 * c.bytes_per_second;
      return new BytesLimiting(c.bytes_per_second / ctx.w, burst / ctx.w);
    }
    case 'span_count':
      return new SpanCount(cfg.span_count.min_spans, cfg.span_count.max_spans);
    case 'trace_state':
      return new TraceState(cfg.trace_state.key, cfg.trace_state.values);
    case 'trace_flags':
      return new TraceFlags();
    case 'boolean_attribute': {
      const c = cfg.boolean_attribute;
      return new BooleanAttribute(c.key, c.value, c.invert_match);
    }
    case 'ottl_condition': {
      const c = cfg.ottl_condition;
      if (c.span.length === 0 && c.spanevent.length === 0) {
        issues.push({ path: at('ottl_condition'), message: 'expected at least one OTTL condition to filter on' });
      }
      c.span.forEach((text, k) => {
        try {
          compileCondition(text, 'span');
        } catch (e) {
          issues.push(conditionIssue(at('ottl_condition', 'span', k), e));
        }
      });
      c.spanevent.forEach((text, k) => {
        try {
          compileCondition(text, 'spanevent');
        } catch (e) {
          issues.push(conditionIssue(at('ottl_condition', 'spanevent', k), e));
        }
      });
      return issues.length > before ? undefined : new OttlCondition(c.span, c.spanevent, c.error_mode, ctx.logger);
    }
    case 'and': {
      const subs = (cfg as PolicyCfg).and.and_sub_policy.map((sc, k) => build(sc, 'leaf', at('and', 'and_sub_policy', k), ctx));
      return issues.length > before ? undefined : new And(subs as PolicyEvaluator[]);
    }
    case 'drop': {
      const subs = (cfg as PolicyCfg).drop.drop_sub_policy.map((sc, k) => build(sc, 'leaf', at('drop', 'drop_sub_policy', k), ctx));
      return issues.length > before ? undefined : new Drop(subs as PolicyEvaluator[]);
    }
    case 'not': {
      const sub = build((cfg as PolicyCfg).not.not_sub_policy, 'leaf', at('not', 'not_sub_policy'), ctx);
      return sub ? new Not(sub) : undefined;
    }
    case 'composite': {
      const c = (cfg as PolicyCfg).composite;
      const alloc = rateAllocations(c.max_total_spans_per_second, c.composite_sub_policy.length, c.rate_allocation);
      const subs: CompositeSub[] = [];
      c.composite_sub_policy.forEach((sc, k) => {
        const ev = build(sc, 'composite-sub', at('composite', 'composite_sub_policy', k), ctx);
        if (ev) subs.push({ name: sc.name, evaluator: ev, allocatedSps: (alloc.get(sc.name) ?? 0) / ctx.w });
      });
      return issues.length > before ? undefined : new Composite(subs, c.max_total_spans_per_second / ctx.w);
    }
  }
  return undefined;
}

function buildAll(policies: readonly PolicyCfg[], path: string, ctx: Ctx): NamedPolicy[] {
  const names = new Set<string>();
  const drops: NamedPolicy[] = [];
  const others: NamedPolicy[] = [];
  policies.forEach((p, i) => {
    const pp = join(path, i);
    if (p.name === '') ctx.issues.push({ path: join(pp, 'name'), message: 'policy name cannot be empty' });
    else if (names.has(p.name)) ctx.issues.push({ path: join(pp, 'name'), message: `duplicate policy name "${p.name}"` });
    names.add(p.name);
    const ev = build(p, 'top', pp, ctx);
    if (ev) (p.type === 'drop' ? drops : others).push({ name: p.name, type: p.type, evaluator: ev });
  });
  // Dropped takes precedence over every other vote, so drop policies are evaluated first (as upstream).
  return [...drops, ...others];
}

/** Config-time check of `policies` (called by the config schema): every problem with its YAML path. */
export function validatePolicies(policies: readonly PolicyCfg[], path: string, issues: ConfigIssue[]): void {
  buildAll(policies, path, { w: 1, issues });
}

/**
 * The evaluators of cfg.policies, drop policies first. Stateful limits are divided by ctx.workers (each worker
 * thread runs its own instance). Throws a plain Error listing the problems if the config was not validated.
 */
export function buildPolicies(cfg: Pick<TailSamplingConfig, 'policies'>, ctx: BuildContext): NamedPolicy[] {
  const issues: ConfigIssue[] = [];
  const w = Math.max(1, Math.floor(ctx.workers) || 1);
  const out = buildAll(cfg.policies, 'policies', { w, logger: ctx.logger, issues });
  if (issues.length) throw new Error(`invalid tail_sampling policies: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  return out;
}

/** Upstream makeDecision's final rule over the votes (undefined = not evaluated; Error votes are ignored). */
export function combineDecisions(votes: ReadonlyArray<Decision | undefined>): Decision {
  let dropped = false;
  let invertNot = false;
  let sampled = false;
  let invertSampled = false;
  let notSampled = false;
  for (const d of votes) {
    if (d === Decision.Dropped) dropped = true;
    else if (d === Decision.InvertNotSampled) invertNot = true;
    else if (d === Decision.Sampled) sampled = true;
    else if (d === Decision.InvertSampled) invertSampled = true;
    else if (d === Decision.NotSampled) notSampled = true;
  }
  if (dropped) return Decision.Dropped;
  if (invertNot) return Decision.NotSampled;
  if (sampled) return Decision.Sampled;
  if (invertSampled && !notSampled) return Decision.Sampled;
  return Decision.NotSampled;
}

export interface TraceDecision {
  /** Sampled, NotSampled or Dropped. */
  readonly decision: Decision;
  /** Each policy's vote, by index in `policies`; holes (undefined) for policies not evaluated (early stop). */
  readonly perPolicy: Decision[];
}

/** Evaluate `trace` against `policies` (from buildPolicies) and combine the votes as upstream makeDecision. */
export function evaluateTrace(
  policies: readonly NamedPolicy[],
  trace: SampledTrace,
  nowMs: number,
  cfg: Pick<TailSamplingConfig, 'sample_on_first_match'>,
): TraceDecision {
  const perPolicy: Decision[] = new Array<Decision>(policies.length);
  const firstMatch = cfg.sample_on_first_match;
  for (let i = 0; i < policies.length; i++) {
    let d: Decision;
    try {
      d = policies[i]!.evaluator.evaluate(trace, nowMs);
    } catch {
      d = Decision.Error;
    }
    perPolicy[i] = d;
    if (d === Decision.Dropped) break;
    if (firstMatch && d === Decision.Sampled) break;
  }
  return { decision: combineDecisions(perPolicy), perPolicy };
}
