// Requests for exporter tests, built with the protobufjs oracle (independent of our codec): traces, and metrics
// and logs equal to the Go collector's pdata/testdata generators (so the debug exporter's output can be compared
// with the Go debug exporter's expected output for the same data).

import { oracleEncodeLogs, oracleEncodeMetrics, oracleEncodeTraces } from '../oracle/otlp-oracle';

const hex = (h: string) => Buffer.from(h, 'hex');

/** Two resources, three scopes (one empty), spans with every attribute type, events, links, flags, status. */
export function richRequest(): Record<string, unknown> {
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: 'checkout' } },
            { key: 'host.cpu', value: { intValue: 8 } },
          ],
          droppedAttributesCount: 1,
        },
        schemaUrl: 'https://opentelemetry.io/schemas/1.21.0',
        scopeSpans: [
          {
            scope: { name: 'io.opentelemetry.http', version: '1.2.3', attributes: [{ key: 'lib', value: { boolValue: true } }] },
            schemaUrl: 'https://opentelemetry.io/schemas/1.20.0',
            spans: [
              {
                traceId: hex('5b8efff798038103d269b633813fc60c'),
                spanId: hex('eee19b7ec3c1b174'),
                parentSpanId: hex('eee19b7ec3c1b173'),
                traceState: 'vendor=x',
                flags: 257,
                name: 'GET /api/cart',
                kind: 2,
                startTimeUnixNano: '1544712660000000000',
                endTimeUnixNano: '1544712661000000789',
                attributes: [
                  { key: 'http.method', value: { stringValue: 'GET' } },
                  { key: 'http.status_code', value: { intValue: '200' } },
                  { key: 'ratio', value: { doubleValue: 0.25 } },
                  { key: 'ok', value: { boolValue: false } },
                  { key: 'raw', value: { bytesValue: Buffer.from('hi there') } },
                  { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 2 }] } } },
                  { key: 'map', value: { kvlistValue: { values: [{ key: 'z', value: { stringValue: 'last' } }, { key: 'a', value: { doubleValue: 1.5 } }] } } },
                ],
                droppedAttributesCount: 2,
                events: [
                  {
                    timeUnixNano: '1544712660500000000',
                    name: 'cache miss',
                    attributes: [{ key: 'key', value: { stringValue: 'cart:42' } }],
                  },
                ],
                droppedEventsCount: 3,
                links: [
                  {
                    traceId: hex('0102030405060708090a0b0c0d0e0f10'),
                    spanId: hex('1112131415161718'),
                    traceState: 'k=v',
                    attributes: [{ key: 'link.kind', value: { stringValue: 'follows' } }],
                    flags: 1,
                  },
                ],
                droppedLinksCount: 4,
                status: { code: 2, message: 'upstream failed' },
              },
              {
                traceId: hex('5b8efff798038103d269b633813fc60c'),
                spanId: hex('eee19b7ec3c1b175'),
                name: 'db query',
                kind: 3,
                startTimeUnixNano: '1544712660100000000',
                endTimeUnixNano: '1544712660200000000',
                status: { code: 1 },
              },
            ],
          },
          { scope: { name: 'empty-scope' }, spans: [] },
        ],
      },
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'payments' } }] },
        scopeSpans: [
          {
            scope: { name: 'manual' },
            spans: [
              {
                traceId: hex('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'),
                spanId: hex('bbbbbbbbbbbbbbbb'),
                name: 'charge',
                kind: 1,
                startTimeUnixNano: '1700000000000000000',
                endTimeUnixNano: '1700000000123000000',
                attributes: [{ key: 'amount', value: { doubleValue: 12.5 } }],
              },
            ],
          },
        ],
      },
    ],
  };
}

export function richRequestBytes(): Uint8Array {
  return oracleEncodeTraces(richRequest());
}

/** A request with `n` small spans in one resource/scope (ids derived from `seed`). */
export function spansRequestBytes(n: number, seed = 1): Uint8Array {
  const spans = [];
  for (let i = 0; i < n; i++) {
    const id = (seed * 100000 + i).toString(16).padStart(16, '0');
    spans.push({
      traceId: hex(id + id),
      spanId: hex(id),
      name: `span-${seed}-${i}`,
      kind: 1,
      startTimeUnixNano: String(1700000000000000000n + BigInt(i)),
      endTimeUnixNano: String(1700000000000001000n + BigInt(i)),
      attributes: [{ key: 'i', value: { intValue: i } }],
    });
  }
  return oracleEncodeTraces({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: `svc-${seed}` } }] }, scopeSpans: [{ scope: { name: 's' }, spans }] }],
  });
}

// ---------------------------------------------------------------- metrics (Go: pdata/testdata/metric.go)

const START = '1581452772000000321'; // 2020-02-11 20:26:12.000000321 UTC
const EXEMPLAR_TIME = '1581452773000000123';
const TIME = '1581452773000000789';
const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });
const L1 = [attr('label-1', 'label-value-1')];
const L2 = [attr('label-2', 'label-value-2')];
const L12 = [...L1, ...L2];
const L13 = [...L1, attr('label-3', 'label-value-3')];
const EXEMPLAR = {
  traceId: hex('0102030405060708090a0b0c0d0e0f10'),
  spanId: hex('1112131415161718'),
  timeUnixNano: EXEMPLAR_TIME,
  filteredAttributes: [attr('exemplar-attachment', 'exemplar-attachment-value')],
};
const point = (attributes: unknown[], v: Record<string, unknown>) => ({ attributes, startTimeUnixNano: START, timeUnixNano: TIME, ...v });
const CUMULATIVE = 2;
const DELTA = 1;

/** Go's testdata.GenerateMetricsAllTypes(): one resource, one scope, one metric of every type (12 data points). */
export function goAllTypesMetrics(): Record<string, unknown> {
  return {
    resourceMetrics: [
      {
        resource: { attributes: [attr('resource-attr', 'resource-attr-val-1')] },
        scopeMetrics: [
          {
            metrics: [
              { name: 'gauge-int', unit: '1', gauge: { dataPoints: [point(L1, { asInt: 123 }), point(L2, { asInt: 456 })] } },
              { name: 'gauge-double', unit: '1', gauge: { dataPoints: [point(L12, { asDouble: 1.23 }), point(L13, { asDouble: 4.56 })] } },
              {
                name: 'sum-int',
                unit: '1',
                sum: { isMonotonic: true, aggregationTemporality: CUMULATIVE, dataPoints: [point(L1, { asInt: 123 }), point(L2, { asInt: 456 })] },
              },
              {
                name: 'sum-double',
                unit: '1',
                sum: { isMonotonic: true, aggregationTemporality: CUMULATIVE, dataPoints: [point(L12, { asDouble: 1.23 }), point(L13, { asDouble: 4.56 })] },
              },
              {
                name: 'histogram',
                unit: '1',
                histogram: {
                  aggregationTemporality: CUMULATIVE,
                  dataPoints: [
                    point(L13, { count: 1, sum: 15 }),
                    point(L2, { count: 1, sum: 15, min: 15, max: 15, bucketCounts: [0, 1], explicitBounds: [1], exemplars: [{ ...EXEMPLAR, asDouble: 15 }] }),
                  ],
                },
              },
              {
                name: 'exponential-histogram',
                unit: '1',
                exponentialHistogram: {
                  aggregationTemporality: DELTA,
                  dataPoints: [
                    point(L13, { count: 5, sum: 0.15, zeroCount: 1, scale: 1, positive: { offset: 1, bucketCounts: [1, 1] }, negative: { offset: -1, bucketCounts: [1, 1] } }),
                    point(L2, { count: 3, sum: 1.25, min: 0, max: 1, zeroCount: 1, scale: -1, positive: { offset: -1, bucketCounts: [1, 1] }, exemplars: [{ ...EXEMPLAR, asInt: 15 }] }),
                  ],
                },
              },
              {
                name: 'summary',
                unit: '1',
                summary: {
                  dataPoints: [point(L13, { count: 1, sum: 15 }), point(L2, { count: 1, sum: 15, quantileValues: [{ quantile: 0.01, value: 15 }] })],
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

export function goAllTypesMetricsBytes(): Uint8Array {
  return oracleEncodeMetrics(goAllTypesMetrics());
}

/** A request with `n` gauge data points in one metric of one resource/scope (values derived from `seed`). */
export function pointsRequestBytes(n: number, seed = 1): Uint8Array {
  const dataPoints = [];
  for (let i = 0; i < n; i++) {
    dataPoints.push({ attributes: [{ key: 'i', value: { intValue: i } }], timeUnixNano: String(1700000000000000000n + BigInt(i)), asInt: seed * 1000 + i });
  }
  return oracleEncodeMetrics({
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: `svc-${seed}` } }] },
        scopeMetrics: [{ scope: { name: 's' }, metrics: [{ name: `gauge-${seed}`, unit: '1', gauge: { dataPoints } }] }],
      },
    ],
  });
}

// ---------------------------------------------------------------- logs (Go: pdata/testdata/log.go)

/** Go's testdata.GenerateLogs(n): one resource, one scope, records alternating between two shapes. */
export function goLogs(n: number): Record<string, unknown> {
  const logRecords = [];
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      logRecords.push({
        timeUnixNano: TIME,
        droppedAttributesCount: 1,
        severityNumber: 9,
        severityText: 'Info',
        spanId: hex('0102040800000000'),
        traceId: hex('08040201000000000000000000000000'),
        attributes: [attr('app', 'server'), { key: 'instance_num', value: { intValue: 1 } }],
        body: { stringValue: 'This is a log message' },
      });
    } else {
      logRecords.push({
        timeUnixNano: TIME,
        droppedAttributesCount: 1,
        severityNumber: 9,
        severityText: 'Info',
        attributes: [attr('customer', 'acme'), attr('env', 'dev')],
        body: { stringValue: 'something happened' },
      });
    }
  }
  return { resourceLogs: [{ resource: { attributes: [attr('resource-attr', 'resource-attr-val-1')] }, scopeLogs: [{ logRecords }] }] };
}

export function goLogsBytes(n: number): Uint8Array {
  return oracleEncodeLogs(goLogs(n));
}

/** A request with `n` small log records in one resource/scope (bodies derived from `seed`). */
export function recordsRequestBytes(n: number, seed = 1): Uint8Array {
  const logRecords = [];
  for (let i = 0; i < n; i++) {
    logRecords.push({
      timeUnixNano: String(1700000000000000000n + BigInt(i)),
      severityNumber: 9,
      severityText: 'INFO',
      body: { stringValue: `record-${seed}-${i}` },
      attributes: [{ key: 'i', value: { intValue: i } }],
    });
  }
  return oracleEncodeLogs({
    resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: `svc-${seed}` } }] }, scopeLogs: [{ scope: { name: 's' }, logRecords }] }],
  });
}
