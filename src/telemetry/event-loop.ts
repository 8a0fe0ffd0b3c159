// Event-loop health of one thread (the acceptor and every worker register it for themselves):
//   otelcol_thread_event_loop_delay_seconds{thread, stat="p50"|"p99"|"max"}  — timer lateness over the last
//       window of ~10 s (perf_hooks.monitorEventLoopDelay, 20 ms resolution), the window restarting every 10 s;
//   otelcol_thread_event_loop_utilization{thread} — busy fraction (0..1) since the previous scrape.
// Ours (the Go collector has no event loop). A worker's `thread` is `worker-<shard>`, the acceptor's `main`.

import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { Meter } from '../component/types';

const WINDOW_MS = 10_000;

export function registerEventLoopMetrics(meter: Meter, thread: string): void {
  const h = monitorEventLoopDelay({ resolution: 20 });
  h.enable();
  const reset = setInterval(() => h.reset(), WINDOW_MS);
  reset.unref();
  const labels = { thread };
  const name = 'otelcol_thread_event_loop_delay_seconds';
  const help = 'Event-loop delay of the thread over the current ~10 s window, by stat (p50, p99, max)';
  const sec = (ns: number) => (Number.isFinite(ns) ? ns / 1e9 : 0);
  meter.observableGauge(name, help, { ...labels, stat: 'p50' }, () => (h.count ? sec(h.percentile(50)) : 0));
  meter.observableGauge(name, help, { ...labels, stat: 'p99' }, () => (h.count ? sec(h.percentile(99)) : 0));
  meter.observableGauge(name, help, { ...labels, stat: 'max' }, () => (h.count ? sec(h.max) : 0));
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  meter.observableGauge('otelcol_thread_event_loop_utilization', 'Fraction of time the thread was busy since the previous scrape', labels, () => {
    const now = performance.eventLoopUtilization();
    const d = performance.eventLoopUtilization(now, last);
    last = now;
    return d.utilization;
  });
}
