// service.telemetry.metrics.level, as the Go collector applies it: instruments are created by components as
// usual, and the level drops whole metric families (the Go service installs "drop" views; see
// service/internal/metricviews/views.go upstream). `none` serves no metrics at all (no endpoint).
//
//   basic    the core: receiver/exporter/processor item counts, queue size and capacity, process metrics, worker
//            pool refusals and in-flight bytes. Drops the batch processor's metrics (as upstream) and our
//            per-thread event-loop metrics (otelcol_thread_*).
//   normal   (default) basic + the above; drops the detailed-only families below.
//   detailed everything, plus label sets that only detailed records (e.g. tail sampling's per-policy span counts).

import type { MetricsLevel } from '../config/telemetry';

/** Families only `detailed` keeps (upstream: "Only available on detailed level"). */
const DETAILED_ONLY: readonly RegExp[] = [
  /^otelcol_processor_batch_batch_send_size_bytes$/,
  /^otelcol_exporter_queue_batch_send_size(_bytes)?$/,
  /^otelcol_exporter_enqueue_size(_bytes)?$/,
  /^otelcol_processor_internal_duration$/,
];
/** Families `basic` drops on top of those. */
const NORMAL_ONLY: readonly RegExp[] = [/^otelcol_processor_batch_/, /^otelcol_thread_/];

/** Whether a metric family is dropped at `level` (every family at `none`). */
export function droppedAt(level: MetricsLevel): (name: string) => boolean {
  switch (level) {
    case 'none':
      return () => true;
    case 'basic':
      return (name) => DETAILED_ONLY.some((r) => r.test(name)) || NORMAL_ONLY.some((r) => r.test(name));
    case 'normal':
      return (name) => DETAILED_ONLY.some((r) => r.test(name));
    default:
      return () => false;
  }
}
