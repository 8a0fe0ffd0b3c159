// A processor that edits each batch in place and forwards it (attributes, resource): written once over any
// signal. It declares mutatesData, so fan-out hands it a private copy when the batch is shared. Self-metrics
// as processorhelper (otelcol_processor_incoming_items / outgoing_items / internal_duration, per signal).

import type {
  CreateSettings, Host, LogsConsumer, LogsProcessor, MetricsConsumer, MetricsProcessor, Signal, TracesConsumer, TracesProcessor,
} from '../../component/types';
import { Lifecycle } from '../../component/types';
import type { AnyBatch } from '../../pdata/batch';
import type { TraceBatch } from '../../pdata/traces';
import type { MetricBatch } from '../../pdata/metrics';
import type { LogBatch } from '../../pdata/logs';
import { ProcessorTelemetry } from './processor-telemetry';
import { consumerFn } from './signal';

export class InPlaceProcessor<B extends AnyBatch> {
  readonly capabilities = { mutatesData: true } as const;
  private readonly lifecycle = new Lifecycle();
  private readonly telemetry: ProcessorTelemetry;

  constructor(
    set: CreateSettings,
    readonly signal: Signal,
    private readonly apply: (batch: B) => void,
    private readonly send: (batch: B) => Promise<void>,
  ) {
    this.telemetry = new ProcessorTelemetry(set, signal);
  }

  start(_host: Host): Promise<void> {
    return this.lifecycle.start(async () => {});
  }

  shutdown(): Promise<void> {
    return this.lifecycle.shutdown(async () => {});
  }

  /** Apply the edits to `batch` in place (exposed for tests and benchmarks). */
  process(batch: B): void {
    this.apply(batch);
  }

  async consume(batch: B): Promise<void> {
    const t0 = performance.now();
    const n = batch.itemCount;
    this.apply(batch);
    this.telemetry.record(n, n, t0);
    await this.send(batch);
  }
}

export class InPlaceTracesProcessor extends InPlaceProcessor<TraceBatch> implements TracesProcessor {
  constructor(set: CreateSettings, apply: (batch: TraceBatch) => void, next: TracesConsumer) {
    super(set, 'traces', apply, consumerFn('traces', next));
  }
  consumeTraces(batch: TraceBatch): Promise<void> {
    return this.consume(batch);
  }
}

export class InPlaceMetricsProcessor extends InPlaceProcessor<MetricBatch> implements MetricsProcessor {
  constructor(set: CreateSettings, apply: (batch: MetricBatch) => void, next: MetricsConsumer) {
    super(set, 'metrics', apply, consumerFn('metrics', next));
  }
  consumeMetrics(batch: MetricBatch): Promise<void> {
    return this.consume(batch);
  }
}

export class InPlaceLogsProcessor extends InPlaceProcessor<LogBatch> implements LogsProcessor {
  constructor(set: CreateSettings, apply: (batch: LogBatch) => void, next: LogsConsumer) {
    super(set, 'logs', apply, consumerFn('logs', next));
  }
  consumeLogs(batch: LogBatch): Promise<void> {
    return this.consume(batch);
  }
}
