// Per-signal table for the exporter tests of metrics and logs: how to build each signal's exporter from a
// factory, hand it a batch decoded from oracle-built bytes, and what the backend should see.

import type { Component, CreateSettings, ExporterFactory } from '../../src/component/types';
import { LogBatch } from '../../src/pdata/logs';
import { MetricBatch } from '../../src/pdata/metrics';
import { oracleDecodeLogs, oracleDecodeMetrics } from '../oracle/otlp-oracle';
import type { BackendSignal } from '../helpers/otlp-backend';
import { goAllTypesMetricsBytes, goLogsBytes, pointsRequestBytes, recordsRequestBytes } from './fixtures';

export interface SignalExporter extends Component {
  /** consumeMetrics / consumeLogs of a batch decoded from `bytes`. */
  send(bytes: Uint8Array): Promise<void>;
}

export interface SignalCase {
  signal: 'metrics' | 'logs';
  backendSignal: BackendSignal;
  grpcPath: string;
  httpPath: string;
  endpointKey: 'metrics_endpoint' | 'logs_endpoint';
  /** Self-metric item word. */
  unit: string;
  /** Go's zap field for a partial success' rejected count. */
  droppedKey: string;
  /** A request with every shape of the signal, and its item count. */
  rich(): Uint8Array;
  richItems: number;
  /** A request with `n` items. */
  small(n: number, seed: number): Uint8Array;
  oracleDecode(bytes: Uint8Array): Record<string, unknown>;
  create<C>(factory: ExporterFactory<C>, set: CreateSettings, cfg: C): SignalExporter;
}

export const SIGNAL_CASES: SignalCase[] = [
  {
    signal: 'metrics',
    backendSignal: 'metrics',
    grpcPath: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
    httpPath: '/v1/metrics',
    endpointKey: 'metrics_endpoint',
    unit: 'metric_points',
    droppedKey: 'dropped_data_points',
    rich: goAllTypesMetricsBytes,
    richItems: 14,
    small: pointsRequestBytes,
    oracleDecode: oracleDecodeMetrics,
    create(factory, set, cfg) {
      const exp = factory.createMetrics!(set, cfg);
      return Object.assign(exp, { send: (b: Uint8Array) => exp.consumeMetrics(MetricBatch.decode(b)) });
    },
  },
  {
    signal: 'logs',
    backendSignal: 'logs',
    grpcPath: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
    httpPath: '/v1/logs',
    endpointKey: 'logs_endpoint',
    unit: 'log_records',
    droppedKey: 'dropped_log_records',
    rich: () => goLogsBytes(3),
    richItems: 3,
    small: recordsRequestBytes,
    oracleDecode: oracleDecodeLogs,
    create(factory, set, cfg) {
      const exp = factory.createLogs!(set, cfg);
      return Object.assign(exp, { send: (b: Uint8Array) => exp.consumeLogs(LogBatch.decode(b)) });
    },
  },
];
