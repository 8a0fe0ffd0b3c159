// The attributes processor: applies the configured actions, in place on the batch's columns, to
//   traces  — the attributes of every span that passes include/exclude (filterspan);
//   metrics — the attributes of every data point of every metric whose name passes include/exclude
//             (filtermetric: the whole metric is in or out);
//   logs    — the attributes of every log record that passes include/exclude (filterlog).
// It mutates data, so fan-out hands it a private copy. Resource- and scope-level matching is evaluated once
// per resource/scope of a batch, metric-name matching once per metric.

import type { CreateSettings, LogsConsumer, MetricsConsumer, TracesConsumer } from '../../component/types';
import type { TraceBatch } from '../../pdata/traces';
import type { MetricBatch } from '../../pdata/metrics';
import type { LogBatch } from '../../pdata/logs';
import type { AttrProc } from '../internal/attraction';
import type { LogSkip, MetricSkip, SpanSkip } from '../internal/filter-match';
import { InPlaceLogsProcessor, InPlaceMetricsProcessor, InPlaceTracesProcessor } from '../internal/in-place';

/** Apply `proc` to the attributes of every span not skipped. */
export function applyToSpans(proc: AttrProc, skip: SpanSkip | undefined): (batch: TraceBatch) => void {
  return (batch) => {
    const n = batch.spanCount;
    if (skip === undefined) {
      for (let i = 0; i < n; i++) proc.process(batch.spanAttributes(i));
      return;
    }
    const skipped = skip.forBatch(batch);
    for (let i = 0; i < n; i++) if (!skipped(i)) proc.process(batch.spanAttributes(i));
  };
}

/** Apply `proc` to the attributes of every data point of every metric not skipped. */
export function applyToDataPoints(proc: AttrProc, skip: MetricSkip | undefined): (batch: MetricBatch) => void {
  return (batch) => {
    if (skip === undefined) {
      const n = batch.dataPointCount;
      for (let p = 0; p < n; p++) proc.process(batch.pointAttributes(p));
      return;
    }
    const skipped = skip.forBatch(batch);
    const metrics = batch.metricCount;
    for (let m = 0; m < metrics; m++) {
      const count = batch.metricPointCount(m);
      if (count === 0 || skipped(m)) continue;
      const first = batch.metricFirstPoint(m);
      for (let p = first; p < first + count; p++) proc.process(batch.pointAttributes(p));
    }
  };
}

/** Apply `proc` to the attributes of every log record not skipped. */
export function applyToLogRecords(proc: AttrProc, skip: LogSkip | undefined): (batch: LogBatch) => void {
  return (batch) => {
    const n = batch.logRecordCount;
    if (skip === undefined) {
      for (let i = 0; i < n; i++) proc.process(batch.logAttributes(i));
      return;
    }
    const skipped = skip.forBatch(batch);
    for (let i = 0; i < n; i++) if (!skipped(i)) proc.process(batch.logAttributes(i));
  };
}

export class AttributesTracesProcessor extends InPlaceTracesProcessor {
  constructor(set: CreateSettings, attrProc: AttrProc, skip: SpanSkip | undefined, next: TracesConsumer) {
    super(set, applyToSpans(attrProc, skip), next);
  }
}

export class AttributesMetricsProcessor extends InPlaceMetricsProcessor {
  constructor(set: CreateSettings, attrProc: AttrProc, skip: MetricSkip | undefined, next: MetricsConsumer) {
    super(set, applyToDataPoints(attrProc, skip), next);
  }
}

export class AttributesLogsProcessor extends InPlaceLogsProcessor {
  constructor(set: CreateSettings, attrProc: AttrProc, skip: LogSkip | undefined, next: LogsConsumer) {
    super(set, applyToLogRecords(attrProc, skip), next);
  }
}
