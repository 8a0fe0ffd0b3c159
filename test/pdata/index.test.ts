// The package surface (src/pdata/index.ts) exposes the three signals' batches, their enums and the
// signal-generic helpers, and they are the same objects as the modules' own.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as pdata from '../../src/pdata';
import type { PdataBatch, AnyBatch, MetricType } from '../../src/pdata';
import { MetricBatch } from '../../src/pdata/metrics';
import { LogBatch } from '../../src/pdata/logs';
import { TraceBatch } from '../../src/pdata/traces';
import { oracleEncodeLogs, oracleEncodeMetrics } from '../oracle/otlp-oracle';

test('index exports MetricBatch, LogBatch, their enums and concatBatches', () => {
  assert.equal(pdata.MetricBatch, MetricBatch);
  assert.equal(pdata.LogBatch, LogBatch);
  assert.equal(pdata.TraceBatch, TraceBatch);
  assert.deepStrictEqual(pdata.AggregationTemporality, { UNSPECIFIED: 0, DELTA: 1, CUMULATIVE: 2 });
  assert.equal(pdata.SeverityNumber.ERROR, 17);
  assert.equal(pdata.SeverityNumber.INFO, 9);
  const logs = oracleEncodeLogs({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ severityNumber: 17 }, { severityNumber: 9 }] }] }] });
  const batches: AnyBatch[] = [pdata.LogBatch.decode(logs), pdata.LogBatch.decode(logs)];
  const cat = pdata.concatBatches(batches as LogBatch[]) as PdataBatch;
  assert.equal(cat.signal, 'logs');
  assert.equal(cat.itemCount, 4);
  const metrics = oracleEncodeMetrics({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'm', sum: { aggregationTemporality: 2, dataPoints: [{ asInt: '1' }] } }] }] }] });
  const m = pdata.MetricBatch.decode(metrics);
  const type: MetricType = m.metricType(0);
  assert.equal(type, 'sum');
  assert.equal(m.metricAggregationTemporality(0), pdata.AggregationTemporality.CUMULATIVE);
});
