// The debug exporter for metrics and logs: basic counts, and the normal and detailed texts compared with the Go
// debug exporter's own expected output for the same data (exporter/debugexporter/internal/{normal,otlptext}
// tests and testdata/*.out; the input is Go's pdata/testdata generators, rebuilt in ../fixtures.ts).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { debugExporterFactory } from '../../../src/exporters/debug/factory';
import { goFixed, goFloat } from '../../../src/exporters/debug/go-format';
import { severityName } from '../../../src/exporters/debug/logs-marshaler';
import { parseOrThrow } from '../../../src/config/schema';
import { MetricBatch } from '../../../src/pdata/metrics';
import { LogBatch } from '../../../src/pdata/logs';
import { testHost, testSettings } from '../../../src/component/testing';
import { oracleEncodeLogs, oracleEncodeMetrics } from '../../oracle/otlp-oracle';
import { goAllTypesMetricsBytes, goLogsBytes } from '../fixtures';
import { capturingLogger, type LogRecord } from '../util';

// Go: testdata/metrics/metrics_with_all_types.out
const GO_METRICS_DETAILED = [
  'ResourceMetrics #0',
  'Resource SchemaURL: ',
  'Resource attributes:',
  '     -> resource-attr: Str(resource-attr-val-1)',
  'ScopeMetrics #0',
  'ScopeMetrics SchemaURL: ',
  'InstrumentationScope  ',
  'Metric #0',
  'Descriptor:',
  '     -> Name: gauge-int',
  '     -> Description: ',
  '     -> Unit: 1',
  '     -> DataType: Gauge',
  'NumberDataPoints #0',
  'Data point attributes:',
  '     -> label-1: Str(label-value-1)',
  'StartTimestamp: 2020-02-11 20:26:12.000000321 +0000 UTC',
  'Timestamp: 2020-02-11 20:26:13.000000789 +0000 UTC',
  'Value: 123',
  'NumberDataPoints #1',
  'Data point attributes:',
  '     -> label-2: Str(label-value-2)',
  'StartTimestamp: 2020-02-11 20:26:12.000000321 +0000 UTC',
  'Timestamp: 2020-02-11 20:26:13.000000789 +0000 UTC',
  'Value: 456',
  'Metric #1',
  'Descriptor:',
  '     -> Name: gauge-double',
  '     -> Description: ',
  '     -> Unit: 1',
  '     -> DataType: Gauge',
  'NumberDataPoints #0',
  'Data point attributes:',
  '     -> label-1: Str(label-value-1)',
  '     -> label-2: Str(label-value-2)',
  'StartTimestamp: 2020-02-11 20:26:12.000000321 +0000 UTC',
  'Timestamp: 2020-02-11 20:26:13.000000789 +0000 UTC',
  'Value: 1.230000',
  'NumberDataPoints #1',
  'Data point attributes:',
  '     -> label-1: Str(label-value-1)',
  '     -> label-3: Str(label-value-3)',
  'StartTimestamp: 2020-02-11 20:26:12.000000321 +0000 UTC',
  'Timestamp: 2020-02-11 20:26:13.000000789 +0000 UTC',
  'Value: 4.560000',
  'Metric #2',
  'Descriptor:',
  '     -> Name: sum-int',
  '     -> Description: ',
  '     -> Unit: 1',
  '     -> DataType: Sum',
  '     -> IsMonotonic: true',
  '     -> AggregationTemporality: Cumulative',
  'NumberDataPoints #0',
  'Data point attributes:',
  '     -> label-1: Str(label-value-1)',
  'StartTimestamp: 2020-02-11 20:26:12.000000321 +0000 UTC',
  'Timestamp: 2020-02-11 20:26:13.000000789 +0000 UTC',
  'Value: 123',
  'NumberDataPoints #1',
  'Data point attributes:',
  '     -> label-2: Str(label-value-2)',
  'StartTimestamp: 2020-02-11 20:26:12.000000321 +0000 UTC',
  'Timestamp: 2020-02-11 20:26:13.000000789 +0000 UTC',
  'Value: 456',
  'Metric #3',
  'Descriptor:',
  '     -> Name: sum-double',
  '     -> Description: ',
  '     -> Unit: 1',
  '     -> DataType: Sum',
  '     -> IsMonotonic: true',
  '     -> AggregationTemporality: Cumulative',
  'NumberDataPoints #0',
  'Data point attributes:',
  '     -> label-1: Str(label-value-1)',
  '     -> label-2: Str(label-value-2)',
  'StartTimestamp: 2020-02-11 20:26:12.000000321 +0000 UTC',
  'Timestamp: 2020-02-11 20:26:13.000000789 +0000 UTC',
  'Value: 1.230000',
  'NumberDataPoints #1',
  'Data point attributes:',
  '     -> label-1: Str(label-value-1)',
  '     -> label-3: Str(label-value-3)',
  'StartTimestamp: 2020-02-11 20:26:12.000000321 +0000 UTC',
  'Timestamp: 2020-02-11 20:26:13.000000789 +0000 UTC',
  'Value: 4.560000',
  'Metric #4',
  'Descriptor:',
  '     -> Name: histogram',
  '     -> Description: ',
  '     -> Unit: 1',
  '     -> DataType: Histogram',
  '     -> AggregationTemporality: Cumulative',
  'HistogramDataPoints #0',
  'Data point attributes:',
  '     -> label-1: Str(label-value-1)',
  '     -> label-3: Str(label-value-3)',
  'StartTimestamp: 2020-02-11 20:26:12.000000321 +0000 UTC',
  'Timestamp: 2020-02-11 20:26:13.000000789 +0000 UTC',
  'Count: 1',
  'Sum: 15.000000',
  'HistogramDataPoints #1',
  'Data point attributes:',
  '     -> label-2: Str(label-value-2)',
  'StartTimestamp: 2020-02-11 20:26:12.000000321 +0000 UTC',
  'Timestamp: 2020-02-11 20:26:13.000000789 +0000 UTC',
  'Count: 1',
  'Sum: 15.000000',
  'Min: 15.000000',
  'Max: 15.000000',
  'ExplicitBounds #0: 1.000000',
  'Buckets #0, Count: 0',
  'Buckets #1, Count: 1',
  'Exemplars:',
  'Exemplar #0',
  '     -> Trace ID: 0102030405060708090a0b0c0d0e0f10',
  '     -> Span ID: 1112131415161718',
  '     -> Timestamp: 2020-02-11 20:26:13.000000123 +0000 UTC',
  '     -> Value: 15.000000',
  '     -> FilteredAttributes:',
  '          -> exemplar-attachment: Str(exemplar-attachment-value)',
  'Metric #5',
  'Descriptor:',
  '     -> Name: exponential-histogram',
  '     -> Description: ',
  '     -> Unit: 1',
  '     -> DataType: ExponentialHistogram',
  '     -> AggregationTemporality: Delta',
  'ExponentialHistogramDataPoints #0',
  'Data point attributes:',
  '     -> label-1: Str(label-value-1)',
  '     -> label-3: Str(label-value-3)',
  'StartTimestamp: 2020-02-11 20:26:12.000000321 +0000 UTC',
  'Timestamp: 2020-02-11 20:26:13.000000789 +0000 UTC',
  'Count: 5',
  'Sum: 0.150000',
  'Bucket [-1.414214, -1.000000), Count: 1',
  'Bucket [-1.000000, -0.707107), Count: 1',
  'Bucket [0, 0], Count: 1',
  'Bucket (1.414214, 2.000000], Count: 1',
  'Bucket (2.000000, 2.828427], Count: 1',
  'ExponentialHistogramDataPoints #1',
  'Data point attributes:',
  '     -> label-2: Str(label-value-2)',
  'StartTimestamp: 2020-02-11 20:26:12.000000321 +0000 UTC',
  'Timestamp: 2020-02-11 20:26:13.000000789 +0000 UTC',
  'Count: 3',
  'Sum: 1.250000',
  'Min: 0.000000',
  'Max: 1.000000',
  'Bucket [0, 0], Count: 1',
  'Bucket (0.250000, 1.000000], Count: 1',
  'Bucket (1.000000, 4.000000], Count: 1',
  'Exemplars:',
  'Exemplar #0',
  '     -> Trace ID: 0102030405060708090a0b0c0d0e0f10',
  '     -> Span ID: 1112131415161718',
  '     -> Timestamp: 2020-02-11 20:26:13.000000123 +0000 UTC',
  '     -> Value: 15',
  '     -> FilteredAttributes:',
  '          -> exemplar-attachment: Str(exemplar-attachment-value)',
  'Metric #6',
  'Descriptor:',
  '     -> Name: summary',
  '     -> Description: ',
  '     -> Unit: 1',
  '     -> DataType: Summary',
  'SummaryDataPoints #0',
  'Data point attributes:',
  '     -> label-1: Str(label-value-1)',
  '     -> label-3: Str(label-value-3)',
  'StartTimestamp: 2020-02-11 20:26:12.000000321 +0000 UTC',
  'Timestamp: 2020-02-11 20:26:13.000000789 +0000 UTC',
  'Count: 1',
  'Sum: 15.000000',
  'SummaryDataPoints #1',
  'Data point attributes:',
  '     -> label-2: Str(label-value-2)',
  'StartTimestamp: 2020-02-11 20:26:12.000000321 +0000 UTC',
  'Timestamp: 2020-02-11 20:26:13.000000789 +0000 UTC',
  'Count: 1',
  'Sum: 15.000000',
  'QuantileValue #0: Quantile 0.010000, Value 15.000000',].join('\n');

// Go: testdata/logs/two_records.out
const GO_LOGS_DETAILED = [
  'ResourceLog #0',
  'Resource SchemaURL: ',
  'Resource attributes:',
  '     -> resource-attr: Str(resource-attr-val-1)',
  'ScopeLogs #0',
  'ScopeLogs SchemaURL: ',
  'InstrumentationScope  ',
  'LogRecord #0',
  'ObservedTimestamp: 1970-01-01 00:00:00 +0000 UTC',
  'Timestamp: 2020-02-11 20:26:13.000000789 +0000 UTC',
  'SeverityText: Info',
  'SeverityNumber: Info(9)',
  'Body: Str(This is a log message)',
  'Attributes:',
  '     -> app: Str(server)',
  '     -> instance_num: Int(1)',
  'Trace ID: 08040201000000000000000000000000',
  'Span ID: 0102040800000000',
  'Flags: 0',
  'LogRecord #1',
  'ObservedTimestamp: 1970-01-01 00:00:00 +0000 UTC',
  'Timestamp: 2020-02-11 20:26:13.000000789 +0000 UTC',
  'SeverityText: Info',
  'SeverityNumber: Info(9)',
  'Body: Str(something happened)',
  'Attributes:',
  '     -> customer: Str(acme)',
  '     -> env: Str(dev)',
  'Trace ID: ',
  'Span ID: ',
  'Flags: 0',].join('\n');

type Signal = 'metrics' | 'logs';

async function run(signal: Signal, raw: Record<string, unknown>, bytes: Uint8Array) {
  const logs: LogRecord[] = [];
  const set = { ...testSettings('debug', 'exporter'), logger: capturingLogger(logs) };
  const cfg = parseOrThrow(debugExporterFactory.configSchema, raw, 'exporters.debug');
  if (signal === 'metrics') {
    const exp = debugExporterFactory.createMetrics!(set, cfg);
    await exp.start(testHost());
    await exp.consumeMetrics(MetricBatch.decode(bytes));
    await exp.shutdown();
  } else {
    const exp = debugExporterFactory.createLogs!(set, cfg);
    await exp.start(testHost());
    await exp.consumeLogs(LogBatch.decode(bytes));
    await exp.shutdown();
  }
  return logs;
}

const hex = (h: string) => Buffer.from(h, 'hex');

test('debug factory: metrics and logs are supported (alpha, as Go)', () => {
  assert.deepEqual(debugExporterFactory.stability, { traces: 'alpha', metrics: 'alpha', logs: 'alpha' });
  assert.equal(typeof debugExporterFactory.createMetrics, 'function');
  assert.equal(typeof debugExporterFactory.createLogs, 'function');
});

test('debug basic: one "Metrics" record per batch with resource metrics, metrics and data points counts', async () => {
  const logs = await run('metrics', {}, goAllTypesMetricsBytes());
  assert.deepEqual(logs, [{ level: 'info', msg: 'Metrics', fields: { 'resource metrics': 1, metrics: 7, 'data points': 14 } }]);
});

test('debug basic: one "Logs" record per batch with resource logs and log records counts', async () => {
  const logs = await run('logs', {}, goLogsBytes(2));
  assert.deepEqual(logs, [{ level: 'info', msg: 'Logs', fields: { 'resource logs': 1, 'log records': 2 } }]);
});

test('debug detailed metrics: every data point type printed as the Go otlptext marshaler does', async () => {
  const logs = await run('metrics', { verbosity: 'detailed' }, goAllTypesMetricsBytes());
  assert.equal(logs.length, 2);
  assert.equal(logs[1]!.msg, GO_METRICS_DETAILED);
});

test('debug detailed logs: timestamps, severity, body, attributes, ids, flags as the Go otlptext marshaler', async () => {
  const logs = await run('logs', { verbosity: 'detailed' }, goLogsBytes(2));
  assert.equal(logs.length, 2);
  assert.equal(logs[1]!.msg, GO_LOGS_DETAILED);
});

test('debug detailed logs: event name, map bodies, metadata and unknown severities', async () => {
  const bytes = oracleEncodeLogs({
    resourceLogs: [
      {
        scopeLogs: [
          {
            logRecords: [
              {
                timeUnixNano: '1581452773000000789',
                severityNumber: 9,
                severityText: 'Info',
                eventName: 'event_name',
                body: { stringValue: 'This is a log message' },
                attributes: [
                  { key: 'app', value: { stringValue: 'server' } },
                  { key: 'instance_num', value: { intValue: 1 } },
                ],
                spanId: hex('0102040800000000'),
                traceId: hex('08040201000000000000000000000000'),
              },
              { severityNumber: 30, body: { kvlistValue: { values: [{ key: 'k', value: { stringValue: 'v' } }] } }, flags: 1 },
              { severityNumber: 22 },
            ],
          },
        ],
      },
    ],
  });
  const logs = await run('logs', { verbosity: 'detailed' }, bytes);
  assert.equal(
    logs[1]!.msg,
    [
      // Go: testdata/logs/log_with_event_name.out
      'ResourceLog #0',
      'Resource SchemaURL: ',
      'ScopeLogs #0',
      'ScopeLogs SchemaURL: ',
      'InstrumentationScope  ',
      'LogRecord #0',
      'ObservedTimestamp: 1970-01-01 00:00:00 +0000 UTC',
      'Timestamp: 2020-02-11 20:26:13.000000789 +0000 UTC',
      'SeverityText: Info',
      'SeverityNumber: Info(9)',
      'EventName: event_name',
      'Body: Str(This is a log message)',
      'Attributes:',
      '     -> app: Str(server)',
      '     -> instance_num: Int(1)',
      'Trace ID: 08040201000000000000000000000000',
      'Span ID: 0102040800000000',
      'Flags: 0',
      // an out-of-range severity prints as Go's SeverityNumber.String(): "" then the number
      'LogRecord #1',
      'ObservedTimestamp: 1970-01-01 00:00:00 +0000 UTC',
      'Timestamp: 1970-01-01 00:00:00 +0000 UTC',
      'SeverityText: ',
      'SeverityNumber: (30)',
      'Body: Map({"k":"v"})',
      'Trace ID: ',
      'Span ID: ',
      'Flags: 1',
      'LogRecord #2',
      'ObservedTimestamp: 1970-01-01 00:00:00 +0000 UTC',
      'Timestamp: 1970-01-01 00:00:00 +0000 UTC',
      'SeverityText: ',
      'SeverityNumber: Fatal2(22)',
      'Body: Empty()',
      'Trace ID: ',
      'Span ID: ',
      'Flags: 0',
    ].join('\n'),
  );
});

test('debug normal metrics: one line per data point, as the Go normal marshaler', async () => {
  // The inputs of Go's internal/normal/metrics_test.go, one resource each.
  const m = (metric: Record<string, unknown>) => ({ scopeMetrics: [{ metrics: [metric] }] });
  const http = [
    { key: 'http.response.status_code', value: { intValue: 200 } },
    { key: 'http.request.method', value: { stringValue: 'GET' } },
  ];
  const bytes = oracleEncodeMetrics({
    resourceMetrics: [
      {
        schemaUrl: 'https://opentelemetry.io/resource-schema-url',
        resource: { attributes: [{ key: 'resourceKey1', value: { stringValue: 'resourceValue1' } }, { key: 'resourceKey2', value: { boolValue: false } }] },
        scopeMetrics: [
          {
            schemaUrl: 'http://opentelemetry.io/scope-schema-url',
            scope: { name: 'scope-name', version: '1.2.3', attributes: [{ key: 'scopeKey1', value: { stringValue: 'scopeValue1' } }, { key: 'scopeKey2', value: { boolValue: true } }] },
            metrics: [
              {
                name: 'system.cpu.time',
                sum: { dataPoints: [{ asDouble: 123.456, attributes: [{ key: 'state', value: { stringValue: 'user' } }, { key: 'cpu', value: { intValue: 0 } }] }] },
              },
            ],
          },
        ],
      },
      m({
        name: 'system.cpu.utilization',
        gauge: { dataPoints: [{ asDouble: 78.901234567, attributes: [{ key: 'state', value: { stringValue: 'free' } }, { key: 'cpu', value: { intValue: 8 } }] }] },
      }),
      m({
        name: 'http.server.request.duration',
        histogram: { dataPoints: [{ attributes: http, explicitBounds: [0.125, 0.5, 1, 3], bucketCounts: [1324, 13, 0, 2, 1], count: 1340, sum: 99.573, min: 0.017, max: 8.13 }] },
      }),
      m({ name: 'http.server.request.duration', exponentialHistogram: { dataPoints: [{ attributes: http, count: 1340, sum: 99.573, min: 0.017, max: 8.13 }] } }),
      m({
        name: 'http.server.request.duration',
        exponentialHistogram: {
          dataPoints: [
            {
              attributes: http,
              count: 1340,
              sum: 99.573,
              min: 0.017,
              max: 8.13,
              scale: 3,
              zeroCount: 3,
              negative: { offset: -2, bucketCounts: [10, 20] },
              positive: { offset: 1, bucketCounts: [40, 50, 60] },
            },
          ],
        },
      }),
      m({ name: 'latency', exponentialHistogram: { dataPoints: [{ count: 2, scale: 1, positive: { offset: 1, bucketCounts: [1, 1] } }] } }),
      m({ name: 'summary', summary: { dataPoints: [{ attributes: http, count: 1340, sum: 99.573, quantileValues: [{ quantile: 0.01, value: 15 }] }] } }),
      m({ name: 'counter', sum: { dataPoints: [{ asInt: '-9007199254740993' }, { asDouble: 1e6 }, { asDouble: 0.00001 }] } }),
    ],
  });
  const logs = await run('metrics', { verbosity: 'normal' }, bytes);
  assert.equal(logs.length, 2);
  // Go computes these boundaries as fmt %v of math.Exp(k·Ldexp(Ln2, -scale)); its exp (assembly on amd64) may
  // differ from V8's in the last bit for some k, so the expectation uses the same formula.
  const f3 = Math.LN2 / 8;
  const f1 = Math.LN2 / 2;
  assert.equal(
    logs[1]!.msg,
    [
      'ResourceMetrics #0 [https://opentelemetry.io/resource-schema-url] resourceKey1=resourceValue1 resourceKey2=false',
      'ScopeMetrics #0 scope-name@1.2.3 [http://opentelemetry.io/scope-schema-url] scopeKey1=scopeValue1 scopeKey2=true',
      'system.cpu.time{state=user,cpu=0} 123.456',
      'ResourceMetrics #1',
      'ScopeMetrics #0',
      'system.cpu.utilization{state=free,cpu=8} 78.901234567',
      'ResourceMetrics #2',
      'ScopeMetrics #0',
      'http.server.request.duration{http.response.status_code=200,http.request.method=GET} count=1340 sum=99.573 min=0.017 max=8.13 le0.125=1324 le0.5=13 le1=0 le3=2 1',
      'ResourceMetrics #3',
      'ScopeMetrics #0',
      'http.server.request.duration{http.response.status_code=200,http.request.method=GET} count=1340 sum=99.573 min=0.017 max=8.13',
      'ResourceMetrics #4',
      'ScopeMetrics #0',
      'http.server.request.duration{http.response.status_code=200,http.request.method=GET} count=1340 sum=99.573 min=0.017 max=8.13' +
        ` le${goFloat(-Math.exp(-1 * f3))}=20 le${goFloat(-Math.exp(-2 * f3))}=10 zero=3` +
        ` le${goFloat(Math.exp(2 * f3))}=40 le${goFloat(Math.exp(3 * f3))}=50 le${goFloat(Math.exp(4 * f3))}=60`,
      'ResourceMetrics #5',
      'ScopeMetrics #0',
      `latency{} count=2 le${goFloat(Math.exp(2 * f1))}=1 le${goFloat(Math.exp(3 * f1))}=1`,
      'ResourceMetrics #6',
      'ScopeMetrics #0',
      'summary{http.response.status_code=200,http.request.method=GET} count=1340 sum=99.573000 q0.01=15',
      'ResourceMetrics #7',
      'ScopeMetrics #0',
      'counter{} -9007199254740993',
      'counter{} 1e+06',
      'counter{} 1e-05',
    ].join('\n'),
  );
  // The boundaries themselves, as Go prints them (fmt %v, shortest digits).
  assert.equal(goFloat(Math.exp(2 * f1)), '2');
  assert.equal(goFloat(-Math.exp(-1 * f3)), '-0.9170040432046712');
});

test('debug normal logs: one line per record — body, then attributes (the space stays without attributes, as Go)', async () => {
  const bytes = oracleEncodeLogs({
    resourceLogs: [
      {
        schemaUrl: 'https://opentelemetry.io/resource-schema-url',
        resource: { attributes: [{ key: 'resourceKey1', value: { stringValue: 'resourceValue1' } }, { key: 'resourceKey2', value: { boolValue: false } }] },
        scopeLogs: [
          {
            schemaUrl: 'http://opentelemetry.io/scope-schema-url',
            scope: { name: 'scope-name', version: '1.2.3', attributes: [{ key: 'scopeKey1', value: { stringValue: 'scopeValue1' } }] },
            logRecords: [
              {
                severityNumber: 9,
                severityText: 'INFO',
                body: { stringValue: 'Single line log message' },
                attributes: [{ key: 'key1', value: { stringValue: 'value1' } }, { key: 'key2', value: { stringValue: 'value2' } }],
              },
              { body: { stringValue: 'Multi-line\nlog message' }, attributes: [{ key: 'mykey2', value: { stringValue: 'myvalue2' } }] },
            ],
          },
          { scope: { name: 'scope-one' }, logRecords: [{ body: { intValue: 42 } }] },
        ],
      },
    ],
  });
  const logs = await run('logs', { verbosity: 'normal' }, bytes);
  assert.equal(
    logs[1]!.msg,
    [
      'ResourceLog #0 [https://opentelemetry.io/resource-schema-url] resourceKey1=resourceValue1 resourceKey2=false',
      'ScopeLog #0 scope-name@1.2.3 [http://opentelemetry.io/scope-schema-url] scopeKey1=scopeValue1',
      'Single line log message key1=value1 key2=value2',
      'Multi-line\nlog message mykey2=myvalue2',
      'ScopeLog #1 scope-one',
      '42 ',
    ].join('\n'),
  );
});

test('debug use_internal_logger false: metrics and logs as zap console lines to output_paths', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otelcol-ts-debug-'));
  const [mFile, lFile] = [path.join(dir, 'metrics.log'), path.join(dir, 'logs.log')];
  try {
    const cfg = (file: string) => parseOrThrow(debugExporterFactory.configSchema, { use_internal_logger: false, output_paths: [file] }, 'exporters.debug');
    const m = debugExporterFactory.createMetrics!(testSettings('debug', 'exporter'), cfg(mFile));
    const l = debugExporterFactory.createLogs!(testSettings('debug', 'exporter'), cfg(lFile));
    await m.start(testHost());
    await l.start(testHost());
    await m.consumeMetrics(MetricBatch.decode(goAllTypesMetricsBytes()));
    await l.consumeLogs(LogBatch.decode(goLogsBytes(3)));
    await m.shutdown();
    await l.shutdown();
    assert.equal(fs.readFileSync(mFile, 'utf8'), 'Metrics\t{"resource metrics": 1, "metrics": 7, "data points": 14}\n');
    assert.equal(fs.readFileSync(lFile, 'utf8'), 'Logs\t{"resource logs": 1, "log records": 3}\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('Go number formatting: %f and %v of float64, severity names', () => {
  assert.equal(goFixed(1.23), '1.230000');
  assert.equal(goFixed(0.0078125), '0.007812', 'exact ties round half to even, as Go');
  assert.equal(goFixed(0.0234375), '0.023438');
  assert.equal(goFixed(-0), '-0.000000');
  assert.equal(goFixed(1e21), '1000000000000000000000.000000');
  assert.equal(goFixed(Infinity), '+Inf');
  assert.equal(goFloat(123456), '123456');
  assert.equal(goFloat(1234567), '1.234567e+06');
  assert.equal(goFloat(0.0001), '0.0001');
  assert.equal(goFloat(1.5e-7), '1.5e-07');
  assert.equal(goFloat(1e100), '1e+100');
  assert.equal(goFloat(-Infinity), '-Inf');
  assert.equal(goFloat(NaN), 'NaN');
  assert.deepEqual([0, 1, 2, 4, 5, 9, 12, 13, 17, 21, 24, 25].map(severityName), [
    'Unspecified', 'Trace', 'Trace2', 'Trace4', 'Debug', 'Info', 'Info4', 'Warn', 'Error', 'Fatal', 'Fatal4', '',
  ]);
});
