// Fan-out of one batch to several consumers, with the Go collector's `internal/fanoutconsumer` semantics:
//
//  * consumers that do not mutate data all get the ORIGINAL batch (they only read it);
//  * consumers that mutate data get a private `clone()` — except the last mutating one, which gets the original
//    when there is no read-only consumer at all (nobody else will look at it). A batch is never shared between
//    a mutating and a read-only consumer, since the read-only one may still hold it (e.g. in a queue) when the
//    mutating one changes it.
//  * the fan-out itself reports `mutatesData` only when every consumer mutates (so whoever feeds it knows it
//    takes ownership of what it is given).
//
// Unlike Go, which calls the consumers one after the other, the consumers are called concurrently (every clone
// is made first, before any consumer can touch the original) and the returned promise settles when ALL of them
// settled. Errors are combined like Go's multierr seen through consumererror.IsPermanent: if any consumer failed
// permanently (a non-retryable OtelTsError or a non-OtelTsError) that error is returned, else the first error; so
// the sender is told to retry only when every failure is retryable.
//
// The core is signal-agnostic (any batch with `clone()`, any consumer with `consume<Signal>()`), so metrics and
// logs pipelines reuse it once their consumer interfaces exist.

import type { Capabilities, Signal, TracesConsumer } from '../component/types';
import type { TraceBatch } from '../pdata/traces';
import { isOtelTsError } from '../errors';

/** The consume method of a consumer of each signal. */
export const CONSUME_METHOD: Record<Signal, string> = { traces: 'consumeTraces', metrics: 'consumeMetrics', logs: 'consumeLogs' };

export interface Cloneable<B> {
  clone(): B;
}

/** A consumer of one signal seen through a uniform `consume`. */
export interface SignalConsumer<B> {
  readonly capabilities: Capabilities;
  consume(batch: B): Promise<void>;
}

/** Pick the error a fan-out reports from several failures (see the header). */
export function combineErrors(errors: readonly unknown[]): unknown {
  if (errors.length === 1) return errors[0];
  const permanent = errors.find((e) => !isOtelTsError(e) || !e.retryable);
  return permanent ?? errors[0];
}

export class Fanout<B extends Cloneable<B>> implements SignalConsumer<B> {
  readonly capabilities: Capabilities;
  private readonly mutable: SignalConsumer<B>[] = [];
  private readonly readonly: SignalConsumer<B>[] = [];

  constructor(consumers: readonly SignalConsumer<B>[]) {
    for (const c of consumers) (c.capabilities.mutatesData ? this.mutable : this.readonly).push(c);
    this.capabilities = { mutatesData: this.mutable.length > 0 && this.readonly.length === 0 };
  }

  async consume(batch: B): Promise<void> {
    const calls: Array<[SignalConsumer<B>, B]> = [];
    const m = this.mutable.length;
    for (let i = 0; i < m; i++) {
      const giveOriginal = i === m - 1 && this.readonly.length === 0;
      calls.push([this.mutable[i]!, giveOriginal ? batch : batch.clone()]);
    }
    for (const c of this.readonly) calls.push([c, batch]);
    const results = await Promise.allSettled(calls.map(([c, b]) => callSafely(c, b)));
    const errors: unknown[] = [];
    for (const r of results) if (r.status === 'rejected') errors.push(r.reason);
    if (errors.length) throw combineErrors(errors);
  }
}

function callSafely<B>(c: SignalConsumer<B>, b: B): Promise<void> {
  try {
    return Promise.resolve(c.consume(b));
  } catch (e) {
    return Promise.reject(e);
  }
}

/** View a `consume<Signal>` consumer (e.g. a TracesConsumer) as a SignalConsumer. */
export function asSignalConsumer<B>(signal: Signal, c: object & { capabilities: Capabilities }): SignalConsumer<B> {
  const method = CONSUME_METHOD[signal];
  const fn = (c as Record<string, unknown>)[method];
  if (typeof fn !== 'function') throw new TypeError(`consumer has no ${method}()`);
  if (c instanceof SignalView) return c.inner as SignalConsumer<B>;
  return { capabilities: c.capabilities, consume: (b: B) => (fn as (b: B) => Promise<void>).call(c, b) };
}

/** A SignalConsumer dressed as a `consume<Signal>` consumer (what components are given). */
export class SignalView<B> {
  readonly capabilities: Capabilities;
  constructor(
    signal: Signal,
    readonly inner: SignalConsumer<B>,
  ) {
    this.capabilities = inner.capabilities;
    (this as unknown as Record<string, unknown>)[CONSUME_METHOD[signal]] = (b: B) => inner.consume(b);
  }
}

/**
 * A consumer of `signal` feeding every one of `consumers`; a single consumer is returned as is (nothing to fan
 * out, and Go hands it the original batch too).
 */
export function fanoutFor<C extends object & { capabilities: Capabilities }>(signal: Signal, consumers: readonly C[]): C {
  if (consumers.length === 1) return consumers[0]!;
  const f = new Fanout<Cloneable<never>>(consumers.map((c) => asSignalConsumer<Cloneable<never>>(signal, c)));
  return new SignalView(signal, f) as unknown as C;
}

/** Fan-out for traces (typed convenience). */
export class TracesFanout implements TracesConsumer {
  private readonly f: Fanout<TraceBatch>;
  readonly capabilities: Capabilities;
  constructor(consumers: readonly TracesConsumer[]) {
    this.f = new Fanout<TraceBatch>(consumers.map((c) => ({ capabilities: c.capabilities, consume: (b: TraceBatch) => c.consumeTraces(b) })));
    this.capabilities = this.f.capabilities;
  }
  consumeTraces(batch: TraceBatch): Promise<void> {
    return this.f.consume(batch);
  }
}

export function fanoutTraces(consumers: readonly TracesConsumer[]): TracesConsumer {
  return fanoutFor('traces', consumers);
}

/**
 * The first consumer of a pipeline, presenting the pipeline's aggregate capabilities to the receivers: it mutates
 * data when any processor of the pipeline does, or when the exporters' fan-out does (Go's capabilitiesNode).
 */
export function withCapabilities<C extends object & { capabilities: Capabilities }>(signal: Signal, next: C, capabilities: Capabilities): C {
  const sc = asSignalConsumer<unknown>(signal, next);
  return new SignalView(signal, { capabilities, consume: (b) => sc.consume(b) }) as unknown as C;
}
