// What the acceptor and the processor workers say to each other. Tasks go through piscina (one task = one
// batch for one receiver's pipelines, or a control step); batches travel as SharedArrayBuffer transfers
// (`toTransfer()`: buffers are shared, not copied; the meta array is a dozen numbers). Errors cross the thread
// boundary as plain data and become OtelTsErrors again, so the receiver answers the sender exactly as it would
// without the pool.

import { OtelTsError, type ErrorCode } from '../errors';
import type { Signal } from '../component/types';
import { TraceBatch, type TraceBatchTransfer } from '../pdata/traces';
import { MetricBatch, type MetricBatchTransfer } from '../pdata/metrics';
import { LogBatch, type LogBatchTransfer } from '../pdata/logs';
import type { AnyBatch } from '../pdata/batch';
import type { BuildInfo } from '../service/telemetry';

export type BatchTransfer = TraceBatchTransfer | MetricBatchTransfer | LogBatchTransfer;

export type Task =
  | { op: 'consume'; shard: number; receiver: string; signal: Signal; batch: BatchTransfer }
  /** A trace request's part framed and cut on the acceptor (frame.ts): ExportTraceServiceRequest bytes [off, off+len) of sab (a region of cap bytes), decoded in place. */
  | { op: 'consume-traces-bytes'; shard: number; receiver: string; sab: SharedArrayBuffer; off: number; len: number; cap: number; bufferId: number }
  /** Wait until the worker's pipelines started; report a failure to build or start them. */
  | { op: 'start'; shard: number }
  /** Shut the worker's pipelines down (processors flush, exporters drain). */
  | { op: 'shutdown'; shard: number }
  /** Pdata copy counters of the worker (tests: the zero-copy check). */
  | { op: 'stats'; shard: number };

export interface WireError {
  code: ErrorCode;
  message: string;
  grpcStatus: number;
  httpStatus: number;
  retryable: boolean;
  retryAfterSeconds?: number;
}

/**
 * `released`: buffer ids (frame.ts) of parts this worker no longer refers to since its last answer — the acceptor reuses
 * their buffers. Carried by any answer (a failed task's too).
 */
export type TaskResult =
  | { ok: true; stats?: Record<string, number>; released?: number[] }
  | { ok: false; error: WireError; released?: number[] };

/** What every worker is started with (piscina `workerData`). */
export interface WorkerData {
  /** The merged, expanded config map (validated again in the worker against the built-in components). */
  raw: unknown;
  /** Pool size (exporter queues are divided by it). */
  workers: number;
  /** BroadcastChannel name for telemetry snapshots. */
  channel: string;
  /**
   * Int32Array over this: the worker thread id holding each shard slot (0: free). A starting worker claims the
   * first free slot (compare-and-exchange); the acceptor frees the slot of a worker that ended and routes shard k
   * to the thread in slot k.
   */
  slots: SharedArrayBuffer;
  buildInfo: BuildInfo;
}

/** Telemetry messages on the BroadcastChannel. */
export type ChannelMessage =
  | { type: 'collect'; seq: number }
  | { type: 'snapshot'; seq: number; source: string; families: import('../telemetry/metrics').FamilySnapshot[] };

export function toWireError(e: unknown): WireError {
  if (e instanceof OtelTsError) {
    return {
      code: e.code,
      message: e.message,
      grpcStatus: e.grpcStatus,
      httpStatus: e.httpStatus,
      retryable: e.retryable,
      retryAfterSeconds: e.retryAfterSeconds,
    };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'OTELTS_ERR_INTERNAL', message, grpcStatus: 13, httpStatus: 500, retryable: false };
}

/** An error from a worker, with the code and statuses it had there. */
export class RemoteError extends OtelTsError {
  constructor(w: WireError) {
    super(w.code, w.message, w.grpcStatus, w.httpStatus, w.retryable, { retryAfterSeconds: w.retryAfterSeconds });
  }
}

export function fromTransfer(t: BatchTransfer): AnyBatch {
  switch (t.kind) {
    case 'traces':
      return TraceBatch.fromTransfer(t);
    case 'metrics':
      return MetricBatch.fromTransfer(t);
    default:
      return LogBatch.fromTransfer(t);
  }
}
