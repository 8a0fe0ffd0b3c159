// The worker pool's keys under `service` (an otelcol-ts addition; the Go collector has no equivalent because
// goroutines need no pool):
//
//   service:
//     workers: 2                # processor worker threads; default: the number of CPUs; 0 = run the
//                               # pipelines on the acceptor thread (no pool)
//     worker_inflight_mib: 64   # bytes of batches handed to one worker and not yet accepted by its pipelines;
//                               # beyond it the receivers refuse (gRPC RESOURCE_EXHAUSTED + RetryInfo,
//                               # HTTP 429 + Retry-After)
//     worker_sharding: trace_id # trace_id (default): a trace's spans always meet in one worker (and a metric
//                               # stream's points); round_robin: whole batches in turn, no split — for gateways
//                               # that only forward (no tail_sampling): splitting a request by trace id costs a
//                               # copy of every span on the acceptor (docs/PERFORMANCE.md, worker pool scaling)

import * as os from 'node:os';
import type { ConfigIssue } from '../errors';
import { join, show } from '../config/schema';

export const SERVICE_WORKER_KEYS = ['workers', 'worker_inflight_mib', 'worker_sharding'] as const;

export interface WorkersConfig {
  /** Worker threads (0: no pool). */
  readonly count: number;
  /** Bound on in-flight bytes per worker. */
  readonly inflightBytes: number;
  /** How batches are spread over the workers. */
  readonly sharding: 'trace_id' | 'round_robin';
}

export function defaultWorkerCount(): number {
  return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
}

export const DEFAULT_WORKER_INFLIGHT_MIB = 64;
/** More threads than this is a configuration mistake, not a tuning choice. */
const MAX_WORKERS = 256;

/** Parse `service.workers` / `service.worker_inflight_mib` from the service map; problems go to `issues`. */
export function parseWorkersConfig(svc: Record<string, unknown>, issues: ConfigIssue[]): WorkersConfig {
  let count = defaultWorkerCount();
  let mib = DEFAULT_WORKER_INFLIGHT_MIB;
  const w = svc.workers;
  if (w !== undefined && w !== null) {
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > MAX_WORKERS) {
      issues.push({ path: join('service', 'workers'), message: `expected an integer from 0 to ${MAX_WORKERS}, got ${show(w)}` });
    } else count = w;
  }
  const m = svc.worker_inflight_mib;
  if (m !== undefined && m !== null) {
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 1) {
      issues.push({ path: join('service', 'worker_inflight_mib'), message: `expected a positive integer, got ${show(m)}` });
    } else mib = m;
  }
  let sharding: WorkersConfig['sharding'] = 'trace_id';
  const sh = svc.worker_sharding;
  if (sh !== undefined && sh !== null) {
    if (sh !== 'trace_id' && sh !== 'round_robin') {
      issues.push({ path: join('service', 'worker_sharding'), message: `expected trace_id or round_robin, got ${show(sh)}` });
    } else sharding = sh;
  }
  return { count, inflightBytes: mib * 1024 * 1024, sharding };
}
