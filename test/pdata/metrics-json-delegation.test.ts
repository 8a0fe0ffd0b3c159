// MetricBatch.fromJSON / toJSON delegate to src/pdata/otlp-json-metrics.ts (written by the JSON work): a batch
// read back from its own OTLP/JSON has the same contents. (The JSON codec itself is tested with that module.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricBatch } from '../../src/pdata/metrics';
import { oracleEncodeMetrics } from '../oracle/otlp-oracle';
import { mulberry32, randomMetricsRequest, edgeCaseMetricsRequests, metricBatchToCanonical, normalizeMetrics } from './random-metrics';

/** JSON numbers have no negative zero: compare -0 as 0. */
const noNegZero = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x) => (Object.is(x, -0) ? 0 : typeof x === 'number' && !Number.isFinite(x) ? `num:${x}` : x)));
const contents = (b: MetricBatch): unknown => noNegZero(normalizeMetrics(metricBatchToCanonical(b)));

test('MetricBatch.toJSON -> MetricBatch.fromJSON keeps every metric and point (text and UTF-8 bytes input)', () => {
  const reqs = [
    ...edgeCaseMetricsRequests().map(([, o]) => o),
    ...[1, 2, 3, 4, 5, 6, 7, 8].map((s) => randomMetricsRequest(mulberry32(300 + s))),
  ];
  for (const obj of reqs) {
    const b = MetricBatch.decode(oracleEncodeMetrics(obj));
    const json = b.toJSON();
    assert.equal(typeof json, 'string');
    JSON.parse(json); // valid JSON
    const want = contents(b);
    assert.deepStrictEqual(contents(MetricBatch.fromJSON(json)), want);
    assert.deepStrictEqual(contents(MetricBatch.fromJSON(Buffer.from(json, 'utf8'))), want);
  }
});

test('MetricBatch.fromJSON reads a hand-written OTLP/JSON request', () => {
  const b = MetricBatch.fromJSON(JSON.stringify({
    resourceMetrics: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
      scopeMetrics: [{
        scope: { name: 'lib' },
        metrics: [
          {
            name: 'requests', unit: '{request}',
            sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ asInt: '42', timeUnixNano: '1700000000000000001', attributes: [{ key: 'm', value: { stringValue: 'GET' } }] }] },
          },
          {
            name: 'latency',
            histogram: { aggregationTemporality: 1, dataPoints: [{ count: '3', sum: 0, bucketCounts: ['1', '2'], explicitBounds: [10], min: 1, max: 20 }] },
          },
        ],
      }],
    }],
  }));
  assert.equal(b.metricCount, 2);
  assert.equal(b.dataPointCount, 2);
  assert.equal(b.resourceAttributes(0).getString('service.name'), 'svc');
  assert.equal(b.metricName(0), 'requests');
  assert.equal(b.metricType(0), 'sum');
  assert.equal(b.metricIsMonotonic(0), true);
  assert.equal(b.metricAggregationTemporality(0), 2);
  assert.equal(b.pointIntValue(0), 42n);
  assert.equal(b.pointTimeUnixNano(0), 1700000000000000001n);
  assert.equal(b.pointAttributes(0).getString('m'), 'GET');
  assert.equal(b.metricType(1), 'histogram');
  assert.equal(b.pointCount(1), 3n);
  assert.ok(b.pointHasSum(1), 'a present zero sum stays present');
  assert.deepStrictEqual(b.pointBucketCounts(1), [1n, 2n]);
  assert.deepStrictEqual(b.pointExplicitBounds(1), [10]);
  assert.equal(b.pointMax(1), 20);
});
