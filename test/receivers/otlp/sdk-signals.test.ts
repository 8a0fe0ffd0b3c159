// The official OpenTelemetry JS SDK metric and log exporters (gRPC, HTTP/protobuf, HTTP/JSON) against the
// receiver: a MeterProvider with a PeriodicExportingMetricReader (exports on forceFlush) and a LoggerProvider with
// a SimpleLogRecordProcessor; what the SDK recorded must reach the consumer intact.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { OverloadedError } from '../../../src/errors';
import type { LogBatch } from '../../../src/pdata/logs';
import type { MetricBatch } from '../../../src/pdata/metrics';
import { LOOPBACK, startReceiver, type Started } from './helpers';

type Protocol = 'grpc' | 'http/protobuf' | 'http/json';
const PROTOCOLS: Protocol[] = ['grpc', 'http/protobuf', 'http/json'];

interface ExportOutcome {
  code: number;
  error?: string;
}

/** Record what every export() returned (0 = SUCCESS). */
function recordResults<E extends { export(items: never, cb: (r: { code: number; error?: Error }) => void): void }>(exporter: E): ExportOutcome[] {
  const out: ExportOutcome[] = [];
  const orig = exporter.export.bind(exporter) as (items: unknown, cb: (r: { code: number; error?: Error }) => void) => void;
  (exporter as unknown as { export: typeof orig }).export = (items, cb) =>
    orig(items, (r) => {
      out.push({ code: r.code, error: r.error?.message });
      cb(r);
    });
  return out;
}

function metricExporter(p: Protocol, r: Started): PushMetricExporter {
  if (p === 'grpc') return new GrpcMetricExporter({ url: `http://${r.grpcTarget}` });
  const url = `${r.httpBase}/v1/metrics`;
  return p === 'http/protobuf' ? new ProtoMetricExporter({ url }) : new JsonMetricExporter({ url });
}

function logExporter(p: Protocol, r: Started): LogRecordExporter {
  if (p === 'grpc') return new GrpcLogExporter({ url: `http://${r.grpcTarget}` });
  const url = `${r.httpBase}/v1/logs`;
  return p === 'http/protobuf' ? new ProtoLogExporter({ url }) : new JsonLogExporter({ url });
}

/** name → [{attributes, value or histogram count/sum}] over every batch. */
function metricRows(batches: readonly MetricBatch[]): Map<string, Array<Record<string, unknown>>> {
  const out = new Map<string, Array<Record<string, unknown>>>();
  for (const b of batches) {
    for (let m = 0; m < b.metricCount; m++) {
      const rows = out.get(b.metricName(m)) ?? [];
      const first = b.metricFirstPoint(m);
      for (let p = first; p < first + b.metricPointCount(m); p++) {
        const attrs = b.pointAttributes(p);
        const row: Record<string, unknown> = { type: b.metricType(m), region: attrs.getString('region') };
        if (b.metricType(m) === 'histogram') Object.assign(row, { count: b.pointCount(p), sum: b.pointSum(p) });
        else row.value = b.pointValue(p);
        rows.push(row);
      }
      out.set(b.metricName(m), rows);
    }
  }
  return out;
}

describe('OpenTelemetry JS SDK metric exporters -> otlp receiver', () => {
  let r: Started;
  before(async () => {
    r = await startReceiver({ protocols: { grpc: { endpoint: LOOPBACK }, http: { endpoint: LOOPBACK } } }, { signals: ['metrics', 'logs'] });
  });
  after(async () => {
    await r.stop();
  });

  for (const protocol of PROTOCOLS) {
    it(`delivers a counter and a histogram sent with ${protocol}`, async () => {
      const first = r.consumer.metricBatches.length;
      const exporter = metricExporter(protocol, r);
      const results = recordResults(exporter);
      const provider = new MeterProvider({
        resource: resourceFromAttributes({ 'service.name': `sdk-metrics-${protocol}` }),
        readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 })],
      });
      const meter = provider.getMeter('sdk-signals-test', '1.2.3');
      const orders = meter.createCounter('orders');
      orders.add(3, { region: 'eu' });
      orders.add(2, { region: 'us' });
      orders.add(4, { region: 'eu' });
      const latency = meter.createHistogram('latency', { unit: 'ms' });
      for (const v of [5, 10, 15]) latency.record(v, { region: 'eu' });
      await provider.forceFlush();
      await provider.shutdown();
      assert.ok(results.length >= 1);
      assert.deepEqual(results.filter((x) => x.code !== 0), []);
      const got = r.consumer.metricBatches.slice(first);
      const rows = metricRows(got);
      const byRegion = (a: Record<string, unknown>, b: Record<string, unknown>) => String(a.region).localeCompare(String(b.region));
      // forceFlush then shutdown: cumulative sums may be exported twice; the last export holds the totals.
      const lastOrders = (rows.get('orders') ?? []).slice(-2).sort(byRegion);
      assert.deepEqual(lastOrders, [
        { type: 'sum', region: 'eu', value: 7 },
        { type: 'sum', region: 'us', value: 2 },
      ]);
      assert.deepEqual((rows.get('latency') ?? []).slice(-1), [{ type: 'histogram', region: 'eu', count: 3n, sum: 30 }]);
      const b = got[0]!;
      assert.equal(b.resourceAttributes(0).getString('service.name'), `sdk-metrics-${protocol}`);
      assert.equal(b.scopeName(0), 'sdk-signals-test');
      assert.equal(b.scopeVersion(0), '1.2.3');
      assert.equal(r.registry.value('otelcol_receiver_accepted_metric_points', { transport: protocol === 'grpc' ? 'grpc' : 'http' }) > 0, true);
    });
  }
});

describe('OpenTelemetry JS SDK log exporters -> otlp receiver', () => {
  let r: Started;
  before(async () => {
    r = await startReceiver({ protocols: { grpc: { endpoint: LOOPBACK }, http: { endpoint: LOOPBACK } } }, { signals: ['metrics', 'logs'] });
  });
  after(async () => {
    await r.stop();
  });

  for (const protocol of PROTOCOLS) {
    it(`delivers log records (body, severity, attributes, trace context) sent with ${protocol}`, async () => {
      const first = r.consumer.logBatches.length;
      const exporter = logExporter(protocol, r);
      const results = recordResults(exporter);
      const provider = new LoggerProvider({
        resource: resourceFromAttributes({ 'service.name': `sdk-logs-${protocol}` }),
        processors: [new SimpleLogRecordProcessor({ exporter })],
      });
      const logger = provider.getLogger('sdk-logs-test', '0.1.0');
      const traceId = '0af7651916cd43dd8448eb211c80319c';
      const spanId = 'b7ad6b7169203331';
      const ctx = trace.setSpanContext(context.active(), { traceId, spanId, traceFlags: TraceFlags.SAMPLED });
      logger.emit({ body: 'order placed', severityNumber: SeverityNumber.INFO, severityText: 'INFO', attributes: { 'order.id': 42 }, context: ctx });
      logger.emit({ body: 'payment failed', severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', attributes: { retry: true } });
      logger.emit({ body: 'third', severityNumber: SeverityNumber.WARN });
      await provider.forceFlush();
      await provider.shutdown();
      assert.deepEqual(results.filter((x) => x.code !== 0), []);
      const records: Array<Record<string, unknown>> = [];
      for (const b of r.consumer.logBatches.slice(first) as LogBatch[]) {
        for (let i = 0; i < b.logRecordCount; i++) {
          records.push({
            body: b.bodyString(i),
            severity: b.severityNumber(i),
            text: b.severityText(i),
            attrs: Object.fromEntries(Array.from({ length: b.logAttributes(i).length }, (_, j) => [b.logAttributes(i).key(j), b.logAttributes(i).value(j)])),
            traceId: b.traceIdHex(i),
            spanId: b.spanIdHex(i),
            flags: b.flags(i),
            service: b.resourceAttributes(b.logResource(i)).getString('service.name'),
            scope: `${b.scopeName(b.logScope(i))}@${b.scopeVersion(b.logScope(i))}`,
          });
        }
      }
      const svc = `sdk-logs-${protocol}`;
      assert.deepEqual(records, [
        { body: 'order placed', severity: 9, text: 'INFO', attrs: { 'order.id': { intValue: 42n } }, traceId, spanId, flags: 1, service: svc, scope: 'sdk-logs-test@0.1.0' },
        { body: 'payment failed', severity: 17, text: 'ERROR', attrs: { retry: { boolValue: true } }, traceId: '', spanId: '', flags: 0, service: svc, scope: 'sdk-logs-test@0.1.0' },
        { body: 'third', severity: 13, text: '', attrs: {}, traceId: '', spanId: '', flags: 0, service: svc, scope: 'sdk-logs-test@0.1.0' },
      ]);
      assert.equal(r.registry.value('otelcol_receiver_accepted_log_records', { transport: protocol === 'grpc' ? 'grpc' : 'http' }) >= 3, true);
    });
  }

  it('grpc: a refusal reaches the SDK log exporter as UNAVAILABLE with its message and is counted as refused', async () => {
    const exporter = logExporter('grpc', r);
    const results = recordResults(exporter);
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    const before = r.registry.value('otelcol_receiver_refused_log_records', { transport: 'grpc' });
    r.consumer.fail = new OverloadedError('try again shortly', 1);
    try {
      provider.getLogger('refusal').emit({ body: 'refused' });
      await provider.forceFlush().catch(() => undefined);
      await provider.shutdown().catch(() => undefined);
    } finally {
      r.consumer.fail = undefined;
    }
    assert.equal(results.length, 1);
    assert.equal(results[0]!.code, 1);
    assert.match(results[0]!.error ?? '', /UNAVAILABLE|try again shortly/);
    assert.equal(r.registry.value('otelcol_receiver_refused_log_records', { transport: 'grpc' }) - before, 1);
  });
});
