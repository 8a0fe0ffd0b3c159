// `trace_flags` (upstream trace_flags.go): sampled when any span of the trace has the W3C "sampled" flag
// (bit 0 of the span's flags).

import { Decision, type PolicyEvaluator, type SampledTrace } from '../types';
import { hasSpan } from './util';

export class TraceFlags implements PolicyEvaluator {
  evaluate(trace: SampledTrace): Decision {
    return hasSpan(trace, (b, i) => (b.flags(i) & 0x01) !== 0);
  }
}
