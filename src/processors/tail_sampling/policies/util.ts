// Helpers shared by the attribute policies (upstream internal/sampling/util.go): walk the resources and spans of
// one trace. Upstream walks the trace's ReceivedBatches (one ResourceSpans per arriving batch and resource); here
// the trace is a list of span indices in a lazily decoded batch, and each distinct resource of those spans is
// checked once per run of spans sharing it — the "any" / "all" results are the same.

import type { Attributes, TraceBatch } from '../../../pdata/traces';
import { Decision, type SampledTrace } from '../types';

export type AttrPredicate = (attrs: Attributes) => boolean;

/** Sampled when a resource or a span of the trace satisfies its predicate (hasResourceOrSpanWithCondition). */
export function hasResourceOrSpan(trace: SampledTrace, onResource: AttrPredicate, onSpan: AttrPredicate): Decision {
  const b = trace.batch;
  const spans = trace.spans;
  let lastRes = -1;
  for (let k = 0; k < spans.length; k++) {
    const i = spans[k]!;
    const r = b.spanResource(i);
    if (r !== lastRes) {
      lastRes = r;
      if (onResource(b.resourceAttributes(r))) return Decision.Sampled;
    }
    if (onSpan(b.spanAttributes(i))) return Decision.Sampled;
  }
  return Decision.NotSampled;
}

/**
 * invert_match (invertHasResourceOrSpanWithCondition): the predicates say "may sample" (true unless the value
 * matched); InvertNotSampled as soon as one says false, else InvertSampled.
 */
export function invertHasResourceOrSpan(trace: SampledTrace, onResource: AttrPredicate, onSpan: AttrPredicate): Decision {
  const b = trace.batch;
  const spans = trace.spans;
  let lastRes = -1;
  for (let k = 0; k < spans.length; k++) {
    const i = spans[k]!;
    const r = b.spanResource(i);
    if (r !== lastRes) {
      lastRes = r;
      if (!onResource(b.resourceAttributes(r))) return Decision.InvertNotSampled;
    }
    if (!onSpan(b.spanAttributes(i))) return Decision.InvertNotSampled;
  }
  return Decision.InvertSampled;
}

/** Sampled when a span of the trace satisfies `check` (hasSpanWithCondition). */
export function hasSpan(trace: SampledTrace, check: (b: TraceBatch, i: number) => boolean): Decision {
  const b = trace.batch;
  const spans = trace.spans;
  for (let k = 0; k < spans.length; k++) if (check(b, spans[k]!)) return Decision.Sampled;
  return Decision.NotSampled;
}

/** pcommon.Value.Str(): the string value, or "" when the value is not a string. */
export function strOf(attrs: Attributes, j: number): string {
  if (attrs.type(j) !== 'string') return '';
  return (attrs.value(j) as { stringValue: string }).stringValue;
}

/** pcommon.Value.Int(): the int value, or 0 when the value is not an int (a double 150.5 counts as 0). */
export function intOf(attrs: Attributes, j: number): bigint {
  if (attrs.type(j) !== 'int') return 0n;
  return (attrs.value(j) as { intValue: bigint }).intValue;
}

/** pcommon.Value.Bool(): the bool value, or false when the value is not a bool. */
export function boolOf(attrs: Attributes, j: number): boolean {
  if (attrs.type(j) !== 'bool') return false;
  return (attrs.value(j) as { boolValue: boolean }).boolValue;
}

/** The per-second window of stateful policies: upstream uses the wall clock's Unix second; we use nowMs's. */
export function secondOf(nowMs: number): number {
  return Math.floor(nowMs / 1000);
}
