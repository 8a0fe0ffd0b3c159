// `span_count` (upstream span_count_sampler.go): sampled when min_spans <= spans of the trace <= max_spans
// (both inclusive; max_spans 0 = no upper bound). The count is of the spans buffered at decision time.

import { Decision, type PolicyEvaluator, type SampledTrace } from '../types';

export class SpanCount implements PolicyEvaluator {
  constructor(
    private readonly minSpans: number,
    private readonly maxSpans: number,
  ) {}

  evaluate(trace: SampledTrace): Decision {
    const n = trace.spans.length;
    if (this.maxSpans === 0 && n >= this.minSpans) return Decision.Sampled;
    if (n >= this.minSpans && n <= this.maxSpans) return Decision.Sampled;
    return Decision.NotSampled;
  }
}
