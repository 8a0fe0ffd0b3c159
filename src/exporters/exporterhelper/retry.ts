// Retry with exponential backoff and jitter (retry_on_failure), per-attempt timeout, and the error helpers the
// exporters use to classify failures — after the Go exporterhelper's retry_sender/timeout_sender and
// cenkalti/backoff's ExponentialBackOff.

import { ShutdownError } from '../../errors';
import type { RetryConfig } from './config';
import { ExportTimeoutError, isPermanent, retryAfterMs, wrapError } from './errors';

export { ExportTimeoutError, isPermanent, retryAfterMs, wrapError, errorMessage } from './errors';

/**
 * cenkalti/backoff ExponentialBackOff: each delay is the current interval randomized by ±randomization_factor;
 * the interval grows by `multiplier` up to `max_interval`.
 */
export class ExponentialBackOff {
  private current: number;
  constructor(
    private readonly cfg: Pick<RetryConfig, 'initial_interval' | 'randomization_factor' | 'multiplier' | 'max_interval'>,
    private readonly random: () => number = Math.random,
  ) {
    this.current = cfg.initial_interval;
  }
  /** Next delay in ms. */
  next(): number {
    const cur = this.current;
    const delta = this.cfg.randomization_factor * cur;
    const lo = cur - delta;
    const hi = cur + delta;
    const delay = lo + this.random() * (hi - lo);
    if (this.cfg.multiplier > 0 && cur >= this.cfg.max_interval / this.cfg.multiplier) this.current = this.cfg.max_interval;
    else this.current = cur * this.cfg.multiplier;
    return Math.max(0, delay);
  }
}

/** Sleep `ms`; resolves true when the full time passed, false as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryHooks {
  /** Called before waiting `delayMs` after a transient failure (Go logs "Exporting failed. Will retry ..."). */
  onRetry?(err: unknown, delayMs: number): void;
  /** Aborted when the exporter shuts down: a backoff wait is cut short and one last attempt is made. */
  stopSignal?: AbortSignal;
  random?: () => number;
}

/**
 * Run `attempt` until it succeeds, fails permanently, or retries are exhausted (max_elapsed_time; 0 = never).
 * The delay before a retry is max(backoff, server's requested delay).
 */
export async function withRetry<R>(cfg: RetryConfig, attempt: () => Promise<R>, hooks: RetryHooks = {}): Promise<R> {
  const backoff = new ExponentialBackOff(cfg, hooks.random);
  const deadline = cfg.max_elapsed_time > 0 ? Date.now() + cfg.max_elapsed_time : Infinity;
  for (;;) {
    try {
      return await attempt();
    } catch (e) {
      if (isPermanent(e)) throw wrapError('not retryable error', e, false);
      if (hooks.stopSignal?.aborted) throw wrapError('interrupted due to shutdown', e, true);
      let delay = backoff.next();
      const serverDelay = retryAfterMs(e);
      if (serverDelay !== undefined) delay = Math.max(delay, serverDelay);
      if (Date.now() + delay > deadline) throw wrapError('no more retries left', e, true);
      hooks.onRetry?.(e, delay);
      const slept = await sleep(delay, hooks.stopSignal);
      if (!slept) {
        // Shutting down: one last attempt now rather than dropping the data without trying.
        try {
          return await attempt();
        } catch (e2) {
          throw wrapError('interrupted due to shutdown', e2, !isPermanent(e2));
        }
      }
    }
  }
}

/**
 * Run one attempt with a fresh AbortSignal that fires after `timeoutMs` (0 = no timeout) or when `parent`
 * aborts. The attempt is also raced against the signal, so a sender that ignores it cannot overrun the timeout.
 */
export async function withTimeout<R>(timeoutMs: number, parent: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<R>): Promise<R> {
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const onParent = () => ac.abort(parent!.reason ?? new ShutdownError('export cancelled: the exporter is shutting down'));
  if (parent) {
    if (parent.aborted) onParent();
    else parent.addEventListener('abort', onParent, { once: true });
  }
  if (timeoutMs > 0) {
    timer = setTimeout(() => ac.abort(new ExportTimeoutError(`export timed out after ${formatMs(timeoutMs)}`)), timeoutMs);
  }
  const aborted = new Promise<never>((_, reject) => {
    const fail = () => reject(ac.signal.reason);
    if (ac.signal.aborted) fail();
    else ac.signal.addEventListener('abort', fail, { once: true });
  });
  aborted.catch(() => undefined);
  try {
    return await Promise.race([fn(ac.signal), aborted]);
  } finally {
    if (timer) clearTimeout(timer);
    parent?.removeEventListener('abort', onParent);
  }
}

/** "5s", "200ms", "1m30s" (Go-ish duration text for messages). */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms * 1000) / 1000}ms`;
  if (ms < 60000) return `${Math.round(ms) / 1000}s`;
  const m = Math.floor(ms / 60000);
  const rest = ms - m * 60000;
  return rest ? `${m}m${Math.round(rest) / 1000}s` : `${m}m0s`;
}
