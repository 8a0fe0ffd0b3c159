// The filter processor with OTTL conditions, end to end: real SDKs send a mix, otelcol-ts runs
//   otlp receiver → filter → batch → otlphttp exporter
// and the backend must get exactly the items no condition matched (a matching item is dropped), each identical
// to what the SDK sent. One collector per signal, so a signal that is not supported yet does not hide the others.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ROOT_CONTEXT, SpanKind, ValueType } from '@opentelemetry/api';
import type { SeverityNumber } from '@opentelemetry/api-logs';
import { httpGet, sleep, startCollector, type TestLike } from '../helpers/collector';
import { createLoggerSdk, createMeterSdk, createSdk } from '../helpers/sdk';
import { SignalBackend, assertSameRows, flattenLogs, flattenMetrics, flattenSpans, kvObject, settleBackend, type SignalName } from '../helpers/capture-signals';
import { otlpReceiver, pickPorts, sumMetric, telemetry, type Ports } from './e2e-config';

function filterConfig(p: Ports, be: SignalBackend, signal: SignalName, filterBody: string): string {
  return `
receivers:${otlpReceiver(p)}
processors:
  filter/ottl:
    error_mode: ignore
${filterBody}
  batch:
    timeout: 100ms
exporters:
  otlphttp:
    endpoint: ${be.httpEndpoint}
    compression: none
service:${telemetry(p)}
  pipelines:
    ${signal}:
      receivers: [otlp]
      processors: [filter/ottl, batch]
      exporters: [otlphttp]
`;
}

async function setup(t: TestLike, signal: SignalName, filterBody: string) {
  const be = await SignalBackend.start();
  t.after(() => be.close());
  const p = await pickPorts();
  const col = await startCollector(t, { config: filterConfig(p, be, signal, filterBody), ready: { tcpPorts: [p.grpc, p.http] } });
  return { be, p, col };
}

/** Waits for `n` items, then for quiet (so extra items would show), and checks there were no decode errors. */
async function collect(be: SignalBackend, signal: SignalName, n: number, output: () => string): Promise<void> {
  await be.waitForItems(signal, n, 10_000).catch((e) => {
    throw new Error(`${(e as Error).message}\n${output()}`);
  });
  await settleBackend(be, 500);
  assert.deepEqual(be.decodeErrors().map((r) => r.error), [], 'the backend could not decode what otelcol-ts sent');
}

/** Self-metrics: the receiver accepted everything, the exporter sent only what was kept. */
async function checkCounts(p: Ports, item: 'spans' | 'metric_points' | 'log_records', accepted: number, sent: number): Promise<void> {
  const url = `http://127.0.0.1:${p.metrics}/metrics`;
  let text = '';
  for (let i = 0; i < 20; i++) {
    text = (await httpGet(url)).body;
    if (sumMetric(text, `otelcol_exporter_sent_${item}`) === sent) break;
    await sleep(100);
  }
  assert.equal(sumMetric(text, `otelcol_receiver_accepted_${item}`), accepted, `otelcol_receiver_accepted_${item}\n${text}`);
  assert.equal(sumMetric(text, `otelcol_exporter_sent_${item}`), sent, `otelcol_exporter_sent_${item}\n${text}`);
}

test('filter e2e: logs.log_record severity_number < SEVERITY_NUMBER_WARN drops exactly the records below WARN', { timeout: 30_000 }, async (t) => {
  const { be, p, col } = await setup(t, 'logs', `    logs:\n      log_record:\n        - 'severity_number < SEVERITY_NUMBER_WARN'`);
  const sdk = createLoggerSdk({ protocol: 'http/protobuf', url: `http://127.0.0.1:${p.http}/v1/logs`, serviceName: 'filter-logs', processor: 'batch' });
  // Severity 0 (unspecified) .. 24, twice, interleaved so that kept and dropped records share requests.
  let n = 0;
  for (let round = 0; round < 2; round++) {
    for (let sev = 0; sev <= 24; sev++) {
      sdk.logger.emit({
        severityNumber: sev as SeverityNumber,
        severityText: sev === 0 ? undefined : `S${sev}`,
        body: `record ${n} at severity ${sev}`,
        attributes: { seq: n, round },
        context: ROOT_CONTEXT,
      });
      n++;
    }
  }
  await sdk.shutdown();
  assert.deepEqual(sdk.failedExports().map((r) => r.error), []);
  const sent = flattenLogs(sdk.sentRequests());
  assert.equal(sent.length, n);
  const want = sent.filter((r) => ((r.record.severityNumber as number | undefined) ?? 0) >= 13);
  assert.equal(want.length, 2 * 12, 'WARN (13) .. FATAL4 (24), twice');

  await collect(be, 'logs', want.length, () => col.output());
  const got = be.logRecords();
  assertSameRows(got, want, 'records that passed the filter');
  assert.deepEqual(
    got.map((r) => (r.record.severityNumber as number) >= 13),
    got.map(() => true),
    'only WARN and above',
  );
  await checkCounts(p, 'log_records', n, want.length);
  assert.equal(await col.stop(), 0, `exit code after SIGTERM\n${col.output()}`);
});

test('filter e2e: metrics.metric name condition drops whole metrics, metrics.datapoint condition drops points (and emptied metrics)', { timeout: 30_000 }, async (t) => {
  const { be, p, col } = await setup(
    t,
    'metrics',
    [
      '    metrics:',
      '      metric:',
      `        - 'name == "debug.noise"'`,
      '      datapoint:',
      `        - 'attributes["env"] == "dev"'`,
      `        - 'metric.name == "shop.cart.size" and value_int > 100'`,
    ].join('\n'),
  );
  const sdk = createMeterSdk({ protocol: 'grpc', url: `http://127.0.0.1:${p.grpc}`, serviceName: 'filter-metrics', temporality: 'cumulative' });
  const m = sdk.meter;
  const noise = m.createCounter('debug.noise');
  const orders = m.createCounter('shop.orders', { valueType: ValueType.INT });
  const devOnly = m.createHistogram('shop.dev.latency');
  const cart = m.createUpDownCounter('shop.cart.size', { valueType: ValueType.INT });
  const temp = m.createGauge('shop.temperature');
  for (const env of ['prod', 'dev', 'staging']) {
    noise.add(1, { env });
    orders.add(env.length, { env, region: 'eu' });
    orders.add(2, { env, region: 'us' });
    temp.record(20 + env.length, { env });
  }
  devOnly.record(12, { env: 'dev' });
  devOnly.record(15, { env: 'dev', path: '/x' });
  cart.add(5, { env: 'prod', cart: 'small' });
  cart.add(500, { env: 'prod', cart: 'big' }); // value_int > 100: dropped
  await sdk.shutdown(); // one collection and export, cumulative
  assert.deepEqual(sdk.failedExports().map((r) => r.error), []);
  const sent = flattenMetrics(sdk.sentRequests());
  const want = sent.filter((pt) => {
    const a = kvObject(pt.point.attributes);
    if (pt.metric.name === 'debug.noise') return false;
    if (a.env === 'dev') return false;
    if (pt.metric.name === 'shop.cart.size' && Number(pt.point.asInt) > 100) return false;
    return true;
  });
  assert.ok(sent.some((pt) => pt.metric.name === 'shop.dev.latency'), 'the SDK sent the dev-only histogram');
  assert.equal(want.length, 4 + 2 + 1, 'orders prod/staging × eu/us, temperature prod/staging, cart small');

  await collect(be, 'metrics', want.length, () => col.output());
  const got = be.points();
  assertSameRows(got, want, 'data points that passed the filter');
  const names = new Set(got.map((pt) => pt.metric.name));
  assert.equal(names.has('debug.noise'), false, 'metric condition dropped debug.noise');
  assert.equal(names.has('shop.dev.latency'), false, 'a metric whose every point was dropped is removed');
  // No metric arrives without data points (an emptied metric is removed, not forwarded empty).
  for (const req of be.decoded('metrics')) {
    for (const rm of (req.resourceMetrics as Array<{ scopeMetrics?: Array<{ metrics?: Array<Record<string, { dataPoints?: unknown[] } | string>> }> }>) ?? []) {
      for (const sm of rm.scopeMetrics ?? []) {
        for (const metric of sm.metrics ?? []) {
          const data = Object.values(metric).find((x) => typeof x === 'object') as { dataPoints?: unknown[] } | undefined;
          assert.ok((data?.dataPoints?.length ?? 0) > 0, `metric ${String(metric.name)} forwarded without data points`);
        }
      }
    }
  }
  await checkCounts(p, 'metric_points', sent.length, want.length);
  assert.equal(await col.stop(), 0, `exit code after SIGTERM\n${col.output()}`);
});

test('filter e2e: traces.span conditions drop matching spans (any condition), the rest arrive unchanged', { timeout: 30_000 }, async (t) => {
  const { be, p, col } = await setup(
    t,
    'traces',
    ['    traces:', '      span:', `        - 'attributes["http.route"] == "/healthz"'`, `        - 'name == "op-7" or kind == SPAN_KIND_INTERNAL'`].join('\n'),
  );
  const sdk = createSdk({ protocol: 'http/json', url: `http://127.0.0.1:${p.http}/v1/traces`, serviceName: 'filter-traces', processor: 'batch' });
  const kinds = [SpanKind.SERVER, SpanKind.CLIENT, SpanKind.INTERNAL, SpanKind.PRODUCER];
  const N = 24;
  const survivors = new Map<string, { name: string; attributes: Record<string, unknown> }>();
  for (let i = 0; i < N; i++) {
    const route = i % 3 === 0 ? '/healthz' : '/api/orders';
    const kind = kinds[i % 4]!;
    const name = `op-${i}`;
    const span = sdk.tracer.startSpan(name, { kind, attributes: { 'http.route': route, seq: i } });
    span.end();
    if (route !== '/healthz' && name !== 'op-7' && kind !== SpanKind.INTERNAL) {
      survivors.set(span.spanContext().spanId, { name, attributes: { 'http.route': route, seq: String(i) } });
    }
  }
  await sdk.shutdown();
  assert.deepEqual(sdk.failedExports(), []);
  assert.equal(survivors.size, 11, 'spans no condition matches');

  await collect(be, 'traces', survivors.size, () => col.output());
  const got = flattenSpans(be.decoded('traces'));
  assert.deepEqual(got.map((s) => String(s.span.name)).sort(), [...survivors.values()].map((s) => s.name).sort(), 'the spans that passed the filter');
  for (const s of got) {
    const want = survivors.get(String(s.span.spanId));
    assert.ok(want, `unexpected span ${String(s.span.name)}`);
    assert.deepEqual(kvObject(s.span.attributes), want.attributes, `attributes of ${want.name}`);
    assert.equal(kvObject(s.resource.attributes)['service.name'], 'filter-traces');
  }
  await checkCounts(p, 'spans', N, survivors.size);
  assert.equal(await col.stop(), 0, `exit code after SIGTERM\n${col.output()}`);
});
