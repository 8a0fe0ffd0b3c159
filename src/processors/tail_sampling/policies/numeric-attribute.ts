// `numeric_attribute` (upstream numeric_tag_filter.go): sampled when a resource or span attribute `key` has a
// value in [min_value, max_value] (both inclusive; an absent bound is unbounded). As upstream (Value.Int()),
// a value that is not an int counts as 0. invert_match: InvertSampled unless some resource/span value is in
// range (then InvertNotSampled); a trace without the key is InvertSampled.

import { Decision, type PolicyEvaluator, type SampledTrace } from '../types';
import type { Attributes } from '../../../pdata/traces';
import { hasResourceOrSpan, intOf, invertHasResourceOrSpan } from './util';

export class NumericAttribute implements PolicyEvaluator {
  private readonly inRange: (attrs: Attributes) => boolean;

  constructor(
    key: string,
    min: number | undefined,
    max: number | undefined,
    private readonly invert: boolean,
  ) {
    const lo = min === undefined ? undefined : BigInt(Math.trunc(min));
    const hi = max === undefined ? undefined : BigInt(Math.trunc(max));
    this.inRange = (attrs) => {
      const j = attrs.indexOf(key);
      if (j < 0) return false;
      const v = intOf(attrs, j);
      return (lo === undefined || v >= lo) && (hi === undefined || v <= hi);
    };
  }

  evaluate(trace: SampledTrace): Decision {
    const f = this.inRange;
    if (this.invert) {
      const may = (a: Attributes) => !f(a);
      return invertHasResourceOrSpan(trace, may, may);
    }
    return hasResourceOrSpan(trace, f, f);
  }
}
