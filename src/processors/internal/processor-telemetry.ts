// The self-metrics every Go processor built with processorhelper emits: otelcol_processor_incoming_items,
// otelcol_processor_outgoing_items (labels processor, otel_signal) and otelcol_processor_internal_duration.
// Updated once per batch.

import type { CreateSettings, Counter, Histogram, Signal } from '../../component/types';

/** The OTel SDK's default explicit-bucket boundaries (what Go's histogram gets without advice). */
const DEFAULT_BUCKETS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

export class ProcessorTelemetry {
  private readonly incoming: Counter;
  private readonly outgoing: Counter;
  private readonly duration: Histogram;

  constructor(set: CreateSettings, signal: Signal) {
    const labels = { processor: set.id.id, otel_signal: signal };
    this.incoming = set.meter.counter('otelcol_processor_incoming_items', 'Number of items passed to the processor.', labels);
    this.outgoing = set.meter.counter('otelcol_processor_outgoing_items', 'Number of items emitted from the processor.', labels);
    this.duration = set.meter.histogram(
      'otelcol_processor_internal_duration',
      'Duration of time taken to process a batch of telemetry data through the processor.',
      labels,
      DEFAULT_BUCKETS,
    );
  }

  /** Record one processed batch: items in and out, and the processing time since `startMs` (performance.now()). */
  record(itemsIn: number, itemsOut: number, startMs: number): void {
    this.duration.record((performance.now() - startMs) / 1000);
    this.incoming.add(itemsIn);
    this.outgoing.add(itemsOut);
  }
}
