// `composite` (upstream composite.go + composite_helper.go): sub-policies are evaluated in composite_sub_policy
// order (upstream does not use policy_order either); the first one voting Sampled / InvertSampled decides: the
// trace is sampled when that sub-policy's spans this second plus the trace's spans stay <= its allocation and
// <= max_total_spans_per_second, else it is NotSampled (and later sub-policies are not asked). No sampling vote:
// NotSampled. A sub-policy error makes the policy Error.
//
// Allocations (upstream getRateAllocationMap): a rate_allocation entry with percent > 0 gets
// int64(percent / 100 × max_total_spans_per_second); with percent <= 0, max_total / number of sub-policies;
// a sub-policy without an entry gets 0 (it can never sample). Counters restart at each new second of nowMs.
//
// Each worker thread runs its own composite, so policies/index.ts passes allocations and the total already
// divided by the worker count.

import { Decision, type PolicyEvaluator, type SampledTrace } from '../types';
import { secondOf } from './util';

export interface CompositeSub {
  readonly name: string;
  readonly evaluator: PolicyEvaluator;
  /** Spans per second this sub-policy may sample (already divided by the worker count). */
  readonly allocatedSps: number;
}

export class Composite implements PolicyEvaluator {
  private readonly sampled: Float64Array;
  private currentSecond = Number.NaN;

  constructor(
    private readonly subs: readonly CompositeSub[],
    private readonly maxTotalSps: number,
  ) {
    this.sampled = new Float64Array(subs.length);
  }

  evaluate(trace: SampledTrace, nowMs: number): Decision {
    const sec = secondOf(nowMs);
    if (sec !== this.currentSecond) {
      this.currentSecond = sec;
      this.sampled.fill(0);
    }
    const n = trace.spans.length;
    for (let k = 0; k < this.subs.length; k++) {
      const sub = this.subs[k]!;
      const d = sub.evaluator.evaluate(trace, nowMs);
      if (d === Decision.Error) return Decision.Error;
      if (d === Decision.Sampled || d === Decision.InvertSampled) {
        const ifSampled = this.sampled[k]! + n;
        if (ifSampled <= sub.allocatedSps && ifSampled <= this.maxTotalSps) {
          this.sampled[k] = ifSampled;
          return Decision.Sampled;
        }
        return Decision.NotSampled;
      }
    }
    return Decision.NotSampled;
  }
}

/** Upstream getRateAllocationMap (before the division by workers): sub-policy name → spans per second. */
export function rateAllocations(maxTotal: number, subCount: number, allocations: ReadonlyArray<{ policy: string; percent: number }>): Map<string, number> {
  const m = new Map<string, number>();
  const defaultSps = maxTotal / subCount;
  for (const a of allocations) m.set(a.policy, a.percent > 0 ? (a.percent / 100) * maxTotal : defaultSps);
  // Go converts the float64 allocation with int64(): truncation toward zero.
  for (const [k, v] of m) m.set(k, Math.trunc(v));
  return m;
}
