// The `tail_sampling` processor (contrib processor/tailsamplingprocessor): buffers every span of a trace until
// `decision_wait` after its first span, then runs the policies on the whole trace and forwards the spans of
// sampled traces. Spans arriving after their trace was decided follow the remembered decision.
//
// Scaling (why this does not fall over like the Go one): the worker pool shards traces by trace id, so each
// worker thread holds a disjoint set of traces in its own TraceStore (trace-store.ts: span wire bytes in
// recycled chunks, typed-array indexes — no object per span) with no lock. Process-wide bounds are divided by
// the worker count: `num_traces`, `max_buffered_bytes`, and the policies' rates (policies/index.ts).
//
// Memory is bounded in bytes: when a new span would exceed `num_traces` or `max_buffered_bytes`, the oldest
// undecided traces are decided early — evaluated with what has arrived — instead of being dropped (upstream
// drops them: otelcol_processor_tail_sampling_sampling_trace_dropped_too_early). Early decisions are counted in
// otelcol_processor_tail_sampling_sampling_trace_decided_early (ours; dropped_too_early stays 0).
//
// The sender is answered once its spans are buffered (as upstream); what happens downstream of a decision is
// logged and counted, not reported to that sender. Shutdown decides every buffered trace and forwards the
// sampled ones before it resolves, so a graceful stop loses nothing it accepted.

import type { Counter, CreateSettings, Gauge, Histogram, Host, TracesConsumer, TracesProcessor } from '../../component/types';
import { Lifecycle } from '../../component/types';
import type { TraceBatch } from '../../pdata/traces';
import { ProcessorTelemetry } from '../internal/processor-telemetry';
import type { TailSamplingConfig } from './config';
import { buildPolicies, evaluateTrace } from './policies';
import { TraceStore } from './trace-store';
import { Decision, type DueTraces, type SampledTrace } from './types';

const SECONDS_BUCKETS = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600];
const MS_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
const US_BUCKETS = [1, 2, 5, 10, 25, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000, 2000, 3000, 4000, 5000, 10000, 20000, 30000, 50000];

function decisionLabel(d: Decision): 'sampled' | 'not_sampled' | 'dropped' {
  return d === Decision.Sampled || d === Decision.InvertSampled ? 'sampled' : d === Decision.Dropped ? 'dropped' : 'not_sampled';
}


/** Spans per batch of due traces (the batch processor's default send_batch_size). */
const DUE_BATCH_SPANS = 8192;
export class TailSamplingProcessor implements TracesProcessor {
  readonly capabilities = { mutatesData: false };
  private readonly lifecycle = new Lifecycle();
  private readonly store: TraceStore;
  private readonly policies: ReturnType<typeof buildPolicies>;
  private readonly tel: ProcessorTelemetry;
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly inflight = new Set<Promise<void>>();
  private readonly m: {
    newTraces: Counter;
    tracesOnMemory: Gauge;
    decidedEarly: Counter;
    droppedTooEarly: Counter;
    timerLatency: Histogram;
    removalAge: Histogram;
    lateSpanAge: Histogram;
    earlyReleases: { sampled: Counter; notSampled: Counter };
    global: Record<string, Counter>;
    perPolicy: Map<string, Record<string, { traces: Counter; spans: Counter }>>;
    evalErrors: Map<string, Counter>;
    decisionLatency: Histogram;
    exportFailed: Counter;
  };

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: TailSamplingConfig,
    private readonly next: TracesConsumer,
  ) {
    const workers = set.worker?.count ?? 1;
    this.store = new TraceStore({
      decisionWaitMs: cfg.decision_wait,
      numTraces: Math.max(1, Math.ceil(cfg.num_traces / workers)),
      maxBufferedBytes: Math.max(1 << 20, Math.floor(cfg.max_buffered_bytes / workers)),
      sampledCacheSize: Math.ceil(cfg.decision_cache.sampled_cache_size / workers),
      nonSampledCacheSize: Math.ceil(cfg.decision_cache.non_sampled_cache_size / workers),
    });
    this.policies = buildPolicies(cfg, { workers, logger: set.logger });
    this.tel = new ProcessorTelemetry(set, 'traces');
    // Upstream decides once per second (decision_wait has second granularity there); shorter waits tick faster.
    this.tickMs = Math.max(10, Math.min(1000, Math.floor(cfg.decision_wait / 4) || 10));

    const meter = set.meter;
    const w = { worker: String(set.worker?.index ?? 0) };
    const P = 'otelcol_processor_tail_sampling_';
    const global: Record<string, Counter> = {};
    for (const d of ['sampled', 'not_sampled', 'dropped'] as const) {
      global[d] = meter.counter(`${P}global_count_traces_sampled`, 'Global count of traces that were sampled or not by at least one policy', {
        ...w, sampled: String(d === 'sampled'), decision: d,
      });
    }
    const perPolicy = new Map<string, Record<string, { traces: Counter; spans: Counter }>>();
    const evalErrors = new Map<string, Counter>();
    for (const p of this.policies) {
      const byDecision: Record<string, { traces: Counter; spans: Counter }> = {};
      for (const d of ['sampled', 'not_sampled', 'dropped'] as const) {
        const labels = { ...w, policy: p.name, sampled: String(d === 'sampled'), decision: d };
        byDecision[d] = {
          traces: meter.counter(`${P}count_traces_sampled`, 'Count of traces that were sampled or not per sampling policy', labels),
          spans: meter.counter(`${P}count_spans_sampled`, 'Count of spans that were sampled or not per sampling policy', labels),
        };
      }
      perPolicy.set(p.name, byDecision);
      evalErrors.set(p.name, meter.counter(`${P}sampling_policy_evaluation_error`, 'Count of sampling policy evaluation errors', { ...w, policy: p.name }));
    }
    this.m = {
      newTraces: meter.counter(`${P}new_trace_id_received`, 'Counts the arrival of new traces', w),
      tracesOnMemory: meter.gauge(`${P}sampling_traces_on_memory`, 'Tracks the number of traces current on memory', w),
      decidedEarly: meter.counter(`${P}sampling_trace_decided_early`, 'Traces decided before decision_wait because num_traces or max_buffered_bytes was reached (otelcol-ts: never dropped)', w),
      droppedTooEarly: meter.counter(`${P}sampling_trace_dropped_too_early`, 'Count of traces that needed to be dropped before the configured wait time (always 0: otelcol-ts decides them early instead)', w),
      timerLatency: meter.histogram(`${P}sampling_decision_timer_latency`, 'Latency (in milliseconds) of each run of the sampling decision timer', w, MS_BUCKETS),
      removalAge: meter.histogram(`${P}sampling_trace_removal_age`, 'Time (in seconds) from arrival of a new trace until its removal from memory', w, SECONDS_BUCKETS),
      lateSpanAge: meter.histogram(`${P}sampling_late_span_age`, 'Time (in seconds) from the sampling decision was taken and the arrival of a late span', w, SECONDS_BUCKETS),
      earlyReleases: {
        sampled: meter.counter(`${P}early_releases_from_cache_decision`, 'Number of spans that were able to be immediately released due to a decision cache hit.', { ...w, sampled: 'true' }),
        notSampled: meter.counter(`${P}early_releases_from_cache_decision`, 'Number of spans that were able to be immediately released due to a decision cache hit.', { ...w, sampled: 'false' }),
      },
      global,
      perPolicy,
      evalErrors,
      decisionLatency: meter.histogram(`${P}sampling_decision_latency`, 'Latency (in microseconds) of a given sampling policy', w, US_BUCKETS),
      exportFailed: meter.counter(`${P}forward_failed_spans`, 'Spans of sampled traces the next consumer refused (logged; the sender was already answered)', w),
    };
    meter.observableGauge(`${P}buffered_bytes`, 'Bytes held by the trace buffer (span bytes in chunks + indexes)', w, () => this.store.bufferedBytes);
    meter.observableGauge(`${P}buffered_spans`, 'Spans held by the trace buffer', w, () => this.store.bufferedSpans);
    meter.observableGauge(`${P}buffered_bytes_limit`, 'Bound on the trace buffer of this worker (max_buffered_bytes / workers)', w, () => Math.max(1 << 20, Math.floor(cfg.max_buffered_bytes / (set.worker?.count ?? 1))));
  }

  start(_host: Host): Promise<void> {
    return this.lifecycle.start(async () => {
      this.timer = setInterval(() => this.tick(), this.tickMs);
      this.timer.unref();
    });
  }

  shutdown(): Promise<void> {
    return this.lifecycle.shutdown(async () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
      while (this.inflight.size) await Promise.allSettled([...this.inflight]);
      const all = this.store.takeAll();
      if (all && this.cfg.drop_pending_traces_on_shutdown) {
        this.set.logger.info('Dropping the traces still waiting for a decision (drop_pending_traces_on_shutdown)', { traces: all.traces.length });
      } else if (all) {
        await this.decideAndForward(all, performance.now());
      }
      this.m.tracesOnMemory.set(this.store.tracesInMemory);
    });
  }

  async consumeTraces(batch: TraceBatch): Promise<void> {
    const t0 = performance.now();
    const n = batch.spanCount;
    const r = this.store.add(batch, t0);
    if (r.newTraces) this.m.newTraces.add(r.newTraces);
    const work: Promise<void>[] = [];
    const late = r.lateSampled.length;
    if (late) {
      this.m.earlyReleases.sampled.add(late);
      const keep = new Uint8Array(n);
      for (let k = 0; k < late; k++) keep[r.lateSampled[k]!] = 1;
      work.push(this.forward(late === n ? batch : batch.filterSpans((i) => keep[i] === 1)));
    }
    if (r.lateNotSampled) this.m.earlyReleases.notSampled.add(r.lateNotSampled);
    if (r.early) {
      this.m.decidedEarly.add(r.early.traces.length);
      work.push(this.decideAndForward(r.early, t0));
    }
    this.m.tracesOnMemory.set(this.store.tracesInMemory);
    this.tel.record(n, late, t0);
    if (work.length) await Promise.all(work);
  }

  private tick(): void {
    const t0 = performance.now();
    // Due traces leave in batches of about DUE_BATCH_SPANS spans (trace-store.ts takeDue).
    for (let due = this.store.takeDue(t0, DUE_BATCH_SPANS); due; due = this.store.takeDue(t0, DUE_BATCH_SPANS)) {
      void this.track(this.decideAndForward(due, t0));
    }
    this.m.tracesOnMemory.set(this.store.tracesInMemory);
    this.m.timerLatency.record(performance.now() - t0);
  }

  private track(p: Promise<void>): Promise<void> {
    this.inflight.add(p);
    const done = () => this.inflight.delete(p);
    p.then(done, done);
    return p;
  }

  /** Evaluate every due trace, remember the decisions, forward the sampled traces' spans. Never rejects. */
  private async decideAndForward(due: DueTraces, nowMs: number): Promise<void> {
    const batch = due.batch;
    const keep = new Uint8Array(batch.spanCount);
    let kept = 0;
    for (const trace of due.traces) {
      const t0 = performance.now();
      const { decision, perPolicy } = evaluateTrace(this.policies, trace, nowMs, this.cfg);
      this.m.decisionLatency.record((performance.now() - t0) * 1000);
      const sampled = decision === Decision.Sampled || decision === Decision.InvertSampled;
      this.store.recordDecision(trace, sampled);
      this.m.global[decisionLabel(decision)]!.add(1);
      this.m.removalAge.record((nowMs - trace.arrivalMs) / 1000);
      this.countPolicies(trace, perPolicy);
      if (sampled) {
        const spans = trace.spans;
        for (let k = 0; k < spans.length; k++) keep[spans[k]!] = 1;
        kept += spans.length;
      }
    }
    if (kept === 0) return;
    await this.forward(kept === batch.spanCount ? batch : batch.filterSpans((i) => keep[i] === 1));
  }

  private countPolicies(trace: SampledTrace, perPolicy: readonly Decision[]): void {
    for (let i = 0; i < this.policies.length; i++) {
      const name = this.policies[i]!.name;
      const d = perPolicy[i];
      if (d === undefined) continue;
      if (d === Decision.Error) {
        this.m.evalErrors.get(name)!.add(1);
        continue;
      }
      const c = this.m.perPolicy.get(name)![decisionLabel(d)]!;
      c.traces.add(1);
      if (this.set.metricsLevel === 'detailed') c.spans.add(trace.spans.length);
    }
  }

  private async forward(b: TraceBatch): Promise<void> {
    try {
      await this.next.consumeTraces(b);
    } catch (e) {
      this.m.exportFailed.add(b.spanCount);
      this.set.logger.warn('Failed to forward the spans of sampled traces', { error: e instanceof Error ? e.message : String(e), spans: b.spanCount });
    }
  }
}
