// `not` (upstream not.go): the opposite of its sub-policy: Sampled ↔ NotSampled; any other decision (the
// inverted ones, Error) is passed through unchanged, as upstream.

import { Decision, type PolicyEvaluator, type SampledTrace } from '../types';

export class Not implements PolicyEvaluator {
  constructor(private readonly sub: PolicyEvaluator) {}

  evaluate(trace: SampledTrace, nowMs: number): Decision {
    const d = this.sub.evaluate(trace, nowMs);
    if (d === Decision.Sampled) return Decision.NotSampled;
    if (d === Decision.NotSampled) return Decision.Sampled;
    return d;
  }
}
