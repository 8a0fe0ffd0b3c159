// `rate_limiting` (upstream rate_limiting.go): counts the spans of the traces it samples in the current second;
// a trace is sampled when that count plus its spans stays strictly below spans_per_second. The window restarts
// at each new second of `nowMs` (upstream: of the wall clock).
//
// Each worker thread runs its own evaluator, so the limit given here is spans_per_second / workers
// (policies/index.ts divides it).

import { Decision, type PolicyEvaluator, type SampledTrace } from '../types';
import { secondOf } from './util';

export class RateLimiting implements PolicyEvaluator {
  private currentSecond = Number.NaN;
  private spansInSecond = 0;

  constructor(private readonly spansPerSecond: number) {}

  evaluate(trace: SampledTrace, nowMs: number): Decision {
    const sec = secondOf(nowMs);
    if (sec !== this.currentSecond) {
      this.currentSecond = sec;
      this.spansInSecond = 0;
    }
    const ifSampled = this.spansInSecond + trace.spans.length;
    if (ifSampled < this.spansPerSecond) {
      this.spansInSecond = ifSampled;
      return Decision.Sampled;
    }
    return Decision.NotSampled;
  }
}
