// `latency` (upstream latency.go): the trace's duration is its latest span end minus its earliest span start.
// Without `upper_threshold_ms` a trace is sampled when duration >= threshold_ms (inclusive); with it, when
// threshold_ms < duration <= upper_threshold_ms (lower bound exclusive). Durations are whole milliseconds,
// truncated (Go's Duration.Milliseconds()).
//
// As upstream, the window is grown span by span (in arrival order) and the condition is checked after each span,
// so with an upper bound a trace whose window passed through the range is sampled even if later spans widen it
// beyond the upper bound. Timestamps are compared exactly (uint64 nanoseconds as bigint); a zero timestamp resets
// the running minimum/maximum like upstream's `minTime == 0` test.

import { Decision, type PolicyEvaluator, type SampledTrace } from '../types';

export class Latency implements PolicyEvaluator {
  private readonly lower: bigint;
  private readonly upper: bigint;

  constructor(thresholdMs: number, upperThresholdMs: number) {
    this.lower = BigInt(Math.trunc(thresholdMs));
    this.upper = BigInt(Math.trunc(upperThresholdMs));
  }

  evaluate(trace: SampledTrace): Decision {
    const b = trace.batch;
    const spans = trace.spans;
    let min = 0n;
    let max = 0n;
    const noUpper = this.upper === 0n;
    for (let k = 0; k < spans.length; k++) {
      const i = spans[k]!;
      const st = b.startTimeUnixNano(i);
      const en = b.endTimeUnixNano(i);
      if (min === 0n || st < min) min = st;
      if (max === 0n || en > max) max = en;
      const ms = (max - min) / 1_000_000n; // truncates toward zero, like Duration.Milliseconds()
      if (noUpper ? ms >= this.lower : this.lower < ms && ms <= this.upper) return Decision.Sampled;
    }
    return Decision.NotSampled;
  }
}
