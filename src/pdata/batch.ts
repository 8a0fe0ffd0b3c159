// What every signal's batch has in common, for signal-generic code (exporters, the batch processor, queues,
// fan-out, the worker pool). TraceBatch, MetricBatch and LogBatch implement it.

import type { TraceBatch } from './traces';
import type { MetricBatch } from './metrics';
import type { LogBatch } from './logs';

export type Signal = 'traces' | 'metrics' | 'logs';

export interface PdataBatch {
  readonly signal: Signal;
  /** What batching, queues and self-metrics count: spans, metric data points (as the Go collector), log records. */
  readonly itemCount: number;
  /** Bytes held (wire bytes + columns): what memory bounds count. */
  readonly byteSize: number;
  /** The Export*ServiceRequest protobuf; an untouched batch encodes to its original bytes. */
  encode(): Uint8Array;
  /** OTLP/JSON text. */
  toJSON(): string;
  /** Items [start, end) with their resources/scopes (and metric shells) as a new batch. */
  slice(start: number, end: number): PdataBatch;
  /** A private copy (fan-out to a mutating consumer). */
  clone(): PdataBatch;
}

export type AnyBatch = TraceBatch | MetricBatch | LogBatch;

/** Concatenate batches of one signal (batching). */
export function concatBatches<B extends AnyBatch>(batches: readonly B[]): B {
  if (batches.length === 0) throw new RangeError('concatBatches needs at least one batch');
  const first = batches[0]!;
  // Each class has a static concat over its own type.
  const ctor = first.constructor as unknown as { concat(b: readonly B[]): B };
  return ctor.concat(batches);
}

/**
 * concatBatches without copying until the result's tables are read (TraceBatch.concatLazy): for a caller that
 * owns `batches` and hands them over (the batch processor). A batch that is only counted and encoded is written
 * to the wire straight from its parts.
 */
export function concatBatchesLazy<B extends AnyBatch>(batches: readonly B[]): B {
  if (batches.length === 0) throw new RangeError('concatBatchesLazy needs at least one batch');
  const ctor = batches[0]!.constructor as unknown as { concatLazy(b: readonly B[]): B };
  return ctor.concatLazy(batches);
}
