// The contracts between the parts of the `tail_sampling` processor (contrib processor/tailsamplingprocessor):
//
//   tail-sampling.ts (the processor)  ── add(batch) ──►  trace-store.ts (the per-worker buffer)
//        │   ◄── due traces (decision_wait elapsed, or decided early for space) as DueTraces ──┘
//        └── for each SampledTrace: policies (policies/*.ts, built from config.ts by policies/index.ts)
//            → a Decision; the store remembers it for late spans; sampled traces' spans go downstream.
//
// Each worker thread owns its processor instance and so its store outright: no locks. Traces reach one worker
// because the worker pool shards by trace id (src/workers/shard.ts).

import type { TraceBatch } from '../../pdata/traces';

/** Sampling decisions (upstream sampling.Decision). */
export const Decision = {
  Unspecified: 0,
  Pending: 1,
  Sampled: 2,
  NotSampled: 3,
  Dropped: 4,
  Error: 5,
  InvertSampled: 6,
  InvertNotSampled: 7,
} as const;
export type Decision = (typeof Decision)[keyof typeof Decision];

/**
 * One buffered trace as the policies see it: the indices of its spans in `batch` (a lazily decoded batch the
 * store built for every trace decided in the same tick — read it, never modify it).
 */
export interface SampledTrace {
  readonly batch: TraceBatch;
  /** Indices in `batch` of this trace's spans, in arrival order. */
  readonly spans: Int32Array;
  /** The 16 trace id bytes (a view; do not keep it after evaluate returns). */
  readonly traceId: Uint8Array;
  /** When the first span of the trace arrived (ms, the store's clock). */
  readonly arrivalMs: number;
  /** Wire bytes of the trace's spans (bytes_limiting counts these). */
  readonly byteSize: number;
  /** true when the trace was decided before decision_wait elapsed (buffer full: num_traces or max_buffered_bytes). */
  readonly early: boolean;
}

/** A policy (or a sub-policy of and/composite/not/drop). `nowMs` is the processor's clock at decision time. */
export interface PolicyEvaluator {
  evaluate(trace: SampledTrace, nowMs: number): Decision;
}

/** What the store hands to the processor when traces are due. */
export interface DueTraces {
  /** One batch with every span of every trace below (built from the buffered wire bytes, lazily decoded). */
  readonly batch: TraceBatch;
  readonly traces: readonly SampledTrace[];
}
