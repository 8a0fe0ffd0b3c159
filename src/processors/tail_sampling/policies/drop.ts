// `drop` (upstream drop.go): Dropped when no sub-policy says NotSampled / InvertNotSampled (like `and`), else
// NotSampled. A Dropped vote overrides every other policy (policies/index.ts evaluates drop policies first and
// stops at the first Dropped, as upstream).

import { Decision, type PolicyEvaluator, type SampledTrace } from '../types';

export class Drop implements PolicyEvaluator {
  constructor(private readonly subs: readonly PolicyEvaluator[]) {}

  evaluate(trace: SampledTrace, nowMs: number): Decision {
    for (const sub of this.subs) {
      const d = sub.evaluate(trace, nowMs);
      if (d === Decision.Error) return Decision.Error;
      if (d === Decision.NotSampled || d === Decision.InvertNotSampled) return Decision.NotSampled;
    }
    return Decision.Dropped;
  }
}
