// Signal-generic plumbing shared by the processors: the batch and consumer types of each signal, how a consumer
// of a signal is called, and the Go collector's per-signal item names used in self-metric names
// (`otelcol_processor_memory_limiter_refused_spans` / `_metric_points` / `_log_records`).
//
// A processor's core is written once over `B extends AnyBatch` and a plain `(batch) => Promise<void>` for the
// next consumer; a thin per-signal class adds the `consumeTraces` / `consumeMetrics` / `consumeLogs` method the
// pipeline calls.

import type { LogsConsumer, Meter, Labels, MetricsConsumer, Signal, TracesConsumer } from '../../component/types';
import type { TraceBatch } from '../../pdata/traces';
import type { MetricBatch } from '../../pdata/metrics';
import type { LogBatch } from '../../pdata/logs';

export type { Signal };

export type BatchOf<S extends Signal> = S extends 'traces' ? TraceBatch : S extends 'metrics' ? MetricBatch : LogBatch;
export type ConsumerOf<S extends Signal> = S extends 'traces' ? TracesConsumer : S extends 'metrics' ? MetricsConsumer : LogsConsumer;

/** The item word of the Go collector's per-signal metric names. */
export const ITEM_NAME: Readonly<Record<Signal, 'spans' | 'metric_points' | 'log_records'>> = {
  traces: 'spans',
  metrics: 'metric_points',
  logs: 'log_records',
};

/** Human words for help texts and logs. */
export const ITEM_WORDS: Readonly<Record<Signal, string>> = { traces: 'spans', metrics: 'metric data points', logs: 'log records' };

/** `next.consumeTraces` / `consumeMetrics` / `consumeLogs`, bound, as a plain function. */
export function consumerFn<S extends Signal>(signal: S, next: ConsumerOf<S>): (batch: BatchOf<S>) => Promise<void> {
  switch (signal) {
    case 'traces': {
      const c = next as TracesConsumer;
      return ((b: TraceBatch) => c.consumeTraces(b)) as (batch: BatchOf<S>) => Promise<void>;
    }
    case 'metrics': {
      const c = next as MetricsConsumer;
      return ((b: MetricBatch) => c.consumeMetrics(b)) as (batch: BatchOf<S>) => Promise<void>;
    }
    default: {
      const c = next as LogsConsumer;
      return ((b: LogBatch) => c.consumeLogs(b)) as (batch: BatchOf<S>) => Promise<void>;
    }
  }
}

// ---------------------------------------------------------------- summed observable gauges

const summed = new WeakMap<Meter, Map<string, Set<() => number>>>();

/**
 * An observable gauge whose value is the sum of every reader registered under the same meter, name and labels.
 * Several instances of one processor id (one per pipeline, as in the Go collector) would otherwise replace each
 * other's reader; with this each buffer is counted. Returns a function that removes this reader (shutdown).
 */
export function observeSummed(meter: Meter, name: string, help: string, labels: Labels, read: () => number): () => void {
  let byKey = summed.get(meter);
  if (!byKey) summed.set(meter, (byKey = new Map()));
  const key = `${name}\u0000${Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('\u0000')}`;
  let readers = byKey.get(key);
  if (!readers) {
    const set = new Set<() => number>();
    readers = set;
    byKey.set(key, set);
    meter.observableGauge(name, help, labels, () => {
      let total = 0;
      for (const r of set) total += r();
      return total;
    });
  }
  const mine = () => read();
  readers.add(mine);
  const own = readers;
  return () => void own.delete(mine);
}
