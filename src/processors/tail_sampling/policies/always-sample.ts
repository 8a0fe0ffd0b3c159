// `always_sample` (upstream always_sample.go): every trace is sampled.

import { Decision, type PolicyEvaluator } from '../types';

export class AlwaysSample implements PolicyEvaluator {
  evaluate(): Decision {
    return Decision.Sampled;
  }
}
