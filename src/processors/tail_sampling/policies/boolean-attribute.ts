// `boolean_attribute` (upstream boolean_tag_filter.go): sampled when a resource or span attribute `key` equals
// `value`. As upstream (Value.Bool()), a present value that is not a bool reads as false — so `value: false`
// matches e.g. a string "true". invert_match: InvertNotSampled when some resource/span value equals `value`,
// else InvertSampled (also when the key is absent).

import { Decision, type PolicyEvaluator, type SampledTrace } from '../types';
import type { Attributes } from '../../../pdata/traces';
import { boolOf, hasResourceOrSpan, invertHasResourceOrSpan } from './util';

export class BooleanAttribute implements PolicyEvaluator {
  private readonly matches: (attrs: Attributes) => boolean;

  constructor(
    key: string,
    value: boolean,
    private readonly invert: boolean,
  ) {
    this.matches = (attrs) => {
      const j = attrs.indexOf(key);
      return j >= 0 && boolOf(attrs, j) === value;
    };
  }

  evaluate(trace: SampledTrace): Decision {
    const f = this.matches;
    if (this.invert) {
      const may = (a: Attributes) => !f(a);
      return invertHasResourceOrSpan(trace, may, may);
    }
    return hasResourceOrSpan(trace, f, f);
  }
}
