// Helpers for component tests: settings with a nop logger and a fresh registry, a capturing consumer, a host.

import type { ComponentStatus, CreateSettings, Host, Kind, LogsConsumer, MetricsConsumer, TracesConsumer } from './types';
import type { TraceBatch } from '../pdata/traces';
import type { MetricBatch } from '../pdata/metrics';
import type { LogBatch } from '../pdata/logs';
import { MetricRegistry } from '../telemetry/metrics';
import { nopLogger } from '../telemetry/logger';
import { parseComponentId } from './id';

export function testSettings(id: string, kind: Kind, registry = new MetricRegistry()): CreateSettings & { registry: MetricRegistry } {
  return { id: parseComponentId(id), kind, logger: nopLogger, meter: registry, metricsLevel: 'normal', registry };
}

/**
 * A consumer of every signal that keeps each batch it is given (traces in `batches`, metrics in `metricBatches`,
 * logs in `logBatches`); `fail` makes it reject.
 */
export class CapturingConsumer implements TracesConsumer, MetricsConsumer, LogsConsumer {
  readonly batches: TraceBatch[] = [];
  readonly metricBatches: MetricBatch[] = [];
  readonly logBatches: LogBatch[] = [];
  fail: Error | undefined;
  constructor(readonly capabilities = { mutatesData: false }) {}
  async consumeTraces(batch: TraceBatch): Promise<void> {
    if (this.fail) throw this.fail;
    this.batches.push(batch);
  }
  async consumeMetrics(batch: MetricBatch): Promise<void> {
    if (this.fail) throw this.fail;
    this.metricBatches.push(batch);
  }
  async consumeLogs(batch: LogBatch): Promise<void> {
    if (this.fail) throw this.fail;
    this.logBatches.push(batch);
  }
  get spanCount(): number {
    return this.batches.reduce((n, b) => n + b.spanCount, 0);
  }
  get dataPointCount(): number {
    return this.metricBatches.reduce((n, b) => n + b.dataPointCount, 0);
  }
  get logRecordCount(): number {
    return this.logBatches.reduce((n, b) => n + b.logRecordCount, 0);
  }
}

export function testHost(): Host {
  const statuses = new Map<string, ComponentStatus>();
  return {
    getExtension: () => undefined,
    pipelinesReady: true,
    componentStatuses: () => statuses,
    reportStatus: (k, s) => void statuses.set(k, s),
  };
}
