// The filter processor: drops the spans, metrics / data points and log records (or whole resources and
// scopes) that match any configured condition, and forwards the rest.
//
//   traces  — resource/scope conditions drop everything under a matching resource/scope; span conditions drop
//             spans (with their events and links); then spanevent conditions, evaluated on the spans left, drop
//             the matching events from their spans (the span stays, its dropped_events_count unchanged, as
//             upstream). Legacy `spans.include/exclude`: spans not included or excluded.
//   metrics — resource/scope conditions drop their metrics; metric conditions drop whole metrics (their data
//             point conditions are not evaluated); data point conditions drop points, and a metric left with no
//             point is removed. Legacy `metrics.include/exclude`: by metric name and resource attributes.
//   logs    — resource/scope conditions, log_record conditions; legacy `logs.include/exclude`.
//
// Evaluation reads the batch's columns through compiled closures; resource- and scope-level conditions run
// once per resource/scope. The output is a new batch holding only what is kept (TraceBatch.filterSpans,
// TraceBatch.filterSpanEvents, MetricBatch.filterMetrics / filterDataPoints, LogBatch.filterLogRecords); when nothing is dropped the input
// batch is forwarded as is, and when everything is dropped nothing is forwarded (upstream's
// ErrSkipProcessingData: the sender gets success). The processor never modifies its input: mutatesData false.
//
// error_mode: with `propagate` (the default) the first condition that cannot be evaluated fails the whole batch
// (OttlEvalError, a permanent error); `ignore` logs it (rate-limited) and treats the condition as false;
// `silent` does the same without logging.
//
// Self-metrics: processorhelper's otelcol_processor_incoming_items / outgoing_items / internal_duration and
// upstream's otelcol_processor_filter_{spans,datapoints,logs}.filtered (Prometheus: `_filtered_total`),
// counted per batch (upstream has no counter of dropped span events: none here either), labelled `filter=<id>` as upstream (plus `processor=<id>`).

import type {
  Counter, CreateSettings, Host, LogsConsumer, LogsProcessor, MetricsConsumer, MetricsProcessor, Signal, TracesConsumer, TracesProcessor,
} from '../../component/types';
import { Lifecycle } from '../../component/types';
import type { AnyBatch } from '../../pdata/batch';
import type { TraceBatch } from '../../pdata/traces';
import type { MetricBatch } from '../../pdata/metrics';
import type { LogBatch } from '../../pdata/logs';
import { ProcessorTelemetry } from '../internal/processor-telemetry';
import { consumerFn } from '../internal/signal';
import { planIsEmpty, type Group, type LogsPlan, type MetricsPlan, type TracesPlan } from './plan';

const FILTERED: Readonly<Record<Signal, readonly [string, string]>> = {
  traces: ['otelcol_processor_filter_spans_filtered', 'Number of spans dropped by the filter processor'],
  metrics: ['otelcol_processor_filter_datapoints_filtered', 'Number of metric data points dropped by the filter processor'],
  logs: ['otelcol_processor_filter_logs_filtered', 'Number of logs dropped by the filter processor'],
};

/** Per-resource and per-scope drop flags from the groups' resource and scope conditions. */
function dropResourcesAndScopes(
  b: { resourceCount: number; scopeCount: number; scopeResource(s: number): number },
  groups: readonly Group[],
): { res: Uint8Array; scope: Uint8Array; any: boolean } {
  const res = new Uint8Array(b.resourceCount);
  const scope = new Uint8Array(b.scopeCount);
  let any = false;
  for (const g of groups) {
    if (g.resource && !g.resource.empty) {
      const m = g.resource.bind(b);
      for (let r = 0; r < res.length; r++) {
        if (res[r] === 0 && m(r)) {
          res[r] = 1;
          any = true;
        }
      }
    }
    if (g.scope && !g.scope.empty) {
      const m = g.scope.bind(b);
      for (let s = 0; s < scope.length; s++) {
        if (scope[s] === 0 && res[b.scopeResource(s)] === 0 && m(s)) {
          scope[s] = 1;
          any = true;
        }
      }
    }
  }
  return { res, scope, any };
}

/** Item-level matchers of the groups for a context, bound to a batch. */
function bindItems(groups: readonly Group[], ctx: 'span' | 'metric' | 'datapoint' | 'log', b: unknown): Array<(i: number) => boolean> {
  const out: Array<(i: number) => boolean> = [];
  for (const g of groups) {
    const seq = g[ctx];
    if (seq && !seq.empty) out.push(seq.bind(b));
  }
  return out;
}

function anyMatch(ms: ReadonlyArray<(i: number) => boolean>, i: number): boolean {
  for (let k = 0; k < ms.length; k++) if (ms[k]!(i)) return true;
  return false;
}

/** Spans to keep (1) / drop (0); undefined when everything is kept. */
export function filterTraces(b: TraceBatch, plan: TracesPlan): Uint8Array | undefined {
  const n = b.spanCount;
  const keep = new Uint8Array(n);
  let kept = 0;
  if (plan.legacy) {
    const skip = plan.legacy.forBatch(b);
    for (let i = 0; i < n; i++) if (!skip(i)) kept += keep[i] = 1;
  } else {
    const { res, scope, any } = dropResourcesAndScopes(b, plan.groups);
    const spans = bindItems(plan.groups, 'span', b);
    for (let i = 0; i < n; i++) {
      if (any && (res[b.spanResource(i)] === 1 || scope[b.spanScope(i)] === 1)) continue;
      if (spans.length && anyMatch(spans, i)) continue;
      kept += keep[i] = 1;
    }
  }
  return kept === n ? undefined : keep;
}

/**
 * Remove the span events matching any spanevent condition of the plan (upstream evaluates them on the spans the
 * span conditions kept); returns `b` itself when no event matches.
 */
export function filterSpanEvents(b: TraceBatch, plan: TracesPlan): TraceBatch {
  const ms: Array<(i: number, e?: number) => boolean> = [];
  for (const g of plan.groups) {
    const seq = g.spanevent;
    if (seq && !seq.empty) ms.push(seq.bind(b));
  }
  if (ms.length === 0) return b;
  return b.filterSpanEvents((i, e) => {
    for (let k = 0; k < ms.length; k++) if (ms[k]!(i, e)) return false;
    return true;
  });
}

/** Log records to keep (1) / drop (0); undefined when everything is kept. */
export function filterLogs(b: LogBatch, plan: LogsPlan): Uint8Array | undefined {
  const n = b.logRecordCount;
  const keep = new Uint8Array(n);
  let kept = 0;
  if (plan.legacy) {
    const skip = plan.legacy.forBatch(b);
    for (let i = 0; i < n; i++) if (!skip(i)) kept += keep[i] = 1;
  } else {
    const { res, scope, any } = dropResourcesAndScopes(b, plan.groups);
    const logs = bindItems(plan.groups, 'log', b);
    for (let i = 0; i < n; i++) {
      if (any && (res[b.logResource(i)] === 1 || scope[b.logScope(i)] === 1)) continue;
      if (logs.length && anyMatch(logs, i)) continue;
      kept += keep[i] = 1;
    }
  }
  return kept === n ? undefined : keep;
}

export interface MetricsVerdict {
  /** Metrics to keep (1) / drop (0). */
  readonly metrics: Uint8Array;
  /** Data points to keep, when some point of a kept metric is dropped; undefined when whole metrics only. */
  readonly points: Uint8Array | undefined;
}

/** What to keep of a metrics batch; undefined when everything is kept. */
export function filterMetrics(b: MetricBatch, plan: MetricsPlan): MetricsVerdict | undefined {
  const nm = b.metricCount;
  const metrics = new Uint8Array(nm).fill(1);
  let droppedMetric = false;
  let points: Uint8Array | undefined;
  if (plan.legacy) {
    const L = plan.legacy;
    const resSkip = new Int8Array(b.resourceCount);
    for (let m = 0; m < nm; m++) {
      const r = b.metricResource(m);
      if (L.includeResources || L.excludeResources) {
        if (resSkip[r] === 0) {
          const attrs = b.resourceAttributes(r);
          const skip = (L.includeResources !== undefined && !L.includeResources.match(attrs)) || (L.excludeResources !== undefined && L.excludeResources.match(attrs));
          resSkip[r] = skip ? 1 : 2;
        }
        if (resSkip[r] === 1) {
          metrics[m] = 0;
          droppedMetric = true;
          continue;
        }
      }
      if (L.includeNames || L.excludeNames) {
        const name = b.metricName(m);
        if ((L.includeNames && !L.includeNames.matches(name)) || (L.excludeNames && L.excludeNames.matches(name))) {
          metrics[m] = 0;
          droppedMetric = true;
        }
      }
    }
    return droppedMetric ? { metrics, points: undefined } : undefined;
  }
  const { res, scope, any } = dropResourcesAndScopes(b, plan.groups);
  const metricMatchers = bindItems(plan.groups, 'metric', b);
  const pointMatchers = bindItems(plan.groups, 'datapoint', b);
  const hasPointConditions = pointMatchers.length > 0;
  for (let m = 0; m < nm; m++) {
    if ((any && (res[b.metricResource(m)] === 1 || scope[b.metricScope(m)] === 1)) || (metricMatchers.length && anyMatch(metricMatchers, m))) {
      metrics[m] = 0;
      droppedMetric = true;
      continue;
    }
    if (!hasPointConditions) continue;
    const first = b.metricFirstPoint(m);
    const count = b.metricPointCount(m);
    if (count === 0) {
      // upstream: a metric of a known type left without points is removed (an empty-type metric is kept).
      if (b.metricType(m) !== 'empty') {
        metrics[m] = 0;
        droppedMetric = true;
      }
      continue;
    }
    let keptPoints = 0;
    for (let p = first; p < first + count; p++) {
      if (anyMatch(pointMatchers, p)) {
        if (!points) {
          points = new Uint8Array(b.dataPointCount).fill(1);
        }
        points[p] = 0;
      } else keptPoints++;
    }
    if (keptPoints === 0) {
      metrics[m] = 0;
      droppedMetric = true;
    }
  }
  if (!droppedMetric && !points) return undefined;
  if (points) {
    // Points of dropped metrics are dropped too (filterDataPoints works on points).
    for (let m = 0; m < nm; m++) {
      if (metrics[m] === 1) continue;
      const first = b.metricFirstPoint(m);
      points.fill(0, first, first + b.metricPointCount(m));
    }
  }
  return { metrics, points };
}

/** The filter processor core over one signal; thin per-signal classes add the consume method. */
class FilterCore<B extends AnyBatch> {
  readonly capabilities = { mutatesData: false } as const;
  private readonly lifecycle = new Lifecycle();
  private readonly telemetry: ProcessorTelemetry;
  private readonly filtered: Counter;

  constructor(
    set: CreateSettings,
    readonly signal: Signal,
    private readonly apply: (batch: B) => B | undefined,
    private readonly send: (batch: B) => Promise<void>,
  ) {
    this.telemetry = new ProcessorTelemetry(set, signal);
    const [name, help] = FILTERED[signal];
    this.filtered = set.meter.counter(name, help, { filter: set.id.id, processor: set.id.id });
  }

  start(_host: Host): Promise<void> {
    return this.lifecycle.start(async () => {});
  }

  shutdown(): Promise<void> {
    return this.lifecycle.shutdown(async () => {});
  }

  /** The batch to forward, or undefined when everything was dropped (exposed for tests and benchmarks). */
  process(batch: B): B | undefined {
    return this.apply(batch);
  }

  async consume(batch: B): Promise<void> {
    const t0 = performance.now();
    const n = batch.itemCount;
    const out = this.apply(batch);
    const kept = out ? out.itemCount : 0;
    this.filtered.add(n - kept);
    this.telemetry.record(n, kept, t0);
    if (out) await this.send(out);
  }
}

export class FilterTracesProcessor extends FilterCore<TraceBatch> implements TracesProcessor {
  constructor(set: CreateSettings, plan: TracesPlan, next: TracesConsumer) {
    const empty = planIsEmpty(plan);
    super(
      set,
      'traces',
      (b) => {
        if (empty) return b;
        const keep = filterTraces(b, plan);
        const out = keep ? b.filterSpans((i) => keep[i] === 1) : b;
        return out.spanCount === 0 ? undefined : filterSpanEvents(out, plan);
      },
      consumerFn('traces', next),
    );
  }
  consumeTraces(batch: TraceBatch): Promise<void> {
    return this.consume(batch);
  }
}

export class FilterMetricsProcessor extends FilterCore<MetricBatch> implements MetricsProcessor {
  constructor(set: CreateSettings, plan: MetricsPlan, next: MetricsConsumer) {
    const empty = planIsEmpty(plan);
    super(
      set,
      'metrics',
      (b) => {
        if (empty) return b;
        const v = filterMetrics(b, plan);
        if (!v) return b.metricCount === 0 ? undefined : b;
        const points = v.points;
        const out = points ? b.filterDataPoints((p) => points[p] === 1) : b.filterMetrics((m) => v.metrics[m] === 1);
        return out.metricCount === 0 ? undefined : out;
      },
      consumerFn('metrics', next),
    );
  }
  consumeMetrics(batch: MetricBatch): Promise<void> {
    return this.consume(batch);
  }
}

export class FilterLogsProcessor extends FilterCore<LogBatch> implements LogsProcessor {
  constructor(set: CreateSettings, plan: LogsPlan, next: LogsConsumer) {
    const empty = planIsEmpty(plan);
    super(
      set,
      'logs',
      (b) => {
        if (empty) return b;
        const keep = filterLogs(b, plan);
        if (!keep) return b.logRecordCount === 0 ? undefined : b;
        const out = b.filterLogRecords((i) => keep[i] === 1);
        return out.logRecordCount === 0 ? undefined : out;
      },
      consumerFn('logs', next),
    );
  }
  consumeLogs(batch: LogBatch): Promise<void> {
    return this.consume(batch);
  }
}
