// Helpers for component tests: settings with a nop logger and a fresh registry, a capturing consumer, a host.

import type { ComponentStatus, CreateSettings, Host, Kind, TracesConsumer } from './types';
import type { TraceBatch } from '../pdata/traces';
import { MetricRegistry } from '../telemetry/metrics';
import { nopLogger } from '../telemetry/logger';
import { parseComponentId } from './id';

export function testSettings(id: string, kind: Kind, registry = new MetricRegistry()): CreateSettings & { registry: MetricRegistry } {
  return { id: parseComponentId(id), kind, logger: nopLogger, meter: registry, metricsLevel: 'normal', registry };
}

/** A consumer that keeps every batch it is given; `fail` makes it reject. */
export class CapturingConsumer implements TracesConsumer {
  readonly batches: TraceBatch[] = [];
  fail: Error | undefined;
  constructor(readonly capabilities = { mutatesData: false }) {}
  async consumeTraces(batch: TraceBatch): Promise<void> {
    if (this.fail) throw this.fail;
    this.batches.push(batch);
  }
  get spanCount(): number {
    return this.batches.reduce((n, b) => n + b.spanCount, 0);
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
