// `ottl_condition` (upstream ottl.go): sampled when any span matches any `span` condition, or any event of a span
// matches any `spanevent` condition. Spans are visited in order; for each, its span conditions then its events.
// error_mode (default propagate): propagate — an evaluation error makes the policy's decision Error (counted
// in sampling_policy_evaluation_error, ignored by the final decision, as upstream); ignore / silent — the
// failing condition counts as false (ignore logs a rate-limited warning).
//
// Conditions are compiled once; the evaluators are bound once per decision batch (every trace decided in a tick
// shares one batch), so resource/scope parts are cached across the traces of that batch.

import type { Logger } from '../../../component/types';
import { compileCondition, ConditionSequence, OttlEvalError, type ErrorMode } from '../../../ottl';
import type { TraceBatch } from '../../../pdata/traces';
import { Decision, type PolicyEvaluator, type SampledTrace } from '../types';

export class OttlCondition implements PolicyEvaluator {
  private readonly spanSeq: ConditionSequence | undefined;
  private readonly eventSeq: ConditionSequence | undefined;
  private boundBatch: TraceBatch | undefined;
  private spanFn: ((i: number, j?: number) => boolean) | undefined;
  private eventFn: ((i: number, j?: number) => boolean) | undefined;

  /** Throws OttlConditionError for a condition that does not compile (validated at config load). */
  constructor(spanConditions: readonly string[], eventConditions: readonly string[], errorMode: ErrorMode, logger?: Logger) {
    this.spanSeq = spanConditions.length ? new ConditionSequence(spanConditions.map((c) => compileCondition(c, 'span')), errorMode, logger) : undefined;
    this.eventSeq = eventConditions.length ? new ConditionSequence(eventConditions.map((c) => compileCondition(c, 'spanevent')), errorMode, logger) : undefined;
  }

  private bind(b: TraceBatch): void {
    if (this.boundBatch === b) return;
    this.boundBatch = b;
    this.spanFn = this.spanSeq?.bind(b);
    this.eventFn = this.eventSeq?.bind(b);
  }

  evaluate(trace: SampledTrace): Decision {
    if (!this.spanSeq && !this.eventSeq) return Decision.NotSampled;
    const b = trace.batch;
    this.bind(b);
    const spanFn = this.spanFn;
    const eventFn = this.eventFn;
    const spans = trace.spans;
    try {
      for (let k = 0; k < spans.length; k++) {
        const i = spans[k]!;
        if (spanFn && spanFn(i)) return Decision.Sampled;
        if (eventFn) {
          const n = b.eventCount(i);
          for (let e = 0; e < n; e++) if (eventFn(i, e)) return Decision.Sampled;
        }
      }
    } catch (e) {
      if (e instanceof OttlEvalError) return Decision.Error;
      throw e;
    }
    return Decision.NotSampled;
  }
}
