// `and` (upstream and.go): sampled when no sub-policy says NotSampled / InvertNotSampled (an empty list samples);
// a sub-policy error makes the whole policy Error. Sub-policies are evaluated in order and stop at the first
// "not sampled".

import { Decision, type PolicyEvaluator, type SampledTrace } from '../types';

export class And implements PolicyEvaluator {
  constructor(private readonly subs: readonly PolicyEvaluator[]) {}

  evaluate(trace: SampledTrace, nowMs: number): Decision {
    for (const sub of this.subs) {
      const d = sub.evaluate(trace, nowMs);
      if (d === Decision.Error) return Decision.Error;
      if (d === Decision.NotSampled || d === Decision.InvertNotSampled) return Decision.NotSampled;
    }
    return Decision.Sampled;
  }
}
