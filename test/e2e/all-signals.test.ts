// Traces, metrics and logs through one collector, as a gateway runs them: one otlp receiver and one otlphttp
// exporter shared by three pipelines, each with resource → attributes → batch. The batch processor holds
// everything (large size, long timeout) so that only SIGTERM can flush it: after the signal the backend must
// have every span, data point and log record, with the resource and attributes processors applied per signal
// (resource attributes for all three; span / data point / log record attributes respectively), and the process
// must exit 0.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ROOT_CONTEXT, ValueType } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { httpGet, sleep, startCollector } from '../helpers/collector';
import { createLoggerSdk, createMeterSdk, createSdk } from '../helpers/sdk';
import { SignalBackend, assertSameRows, flattenLogs, flattenMetrics, kvObject, settleBackend, type FlatContext } from '../helpers/capture-signals';
import { otlpReceiver, pickPorts, sumMetric, telemetry, type Ports } from './e2e-config';

function config(p: Ports, be: SignalBackend): string {
  return `
receivers:${otlpReceiver(p)}
processors:
  resource:
    attributes:
      - key: cloud.region
        value: eu-west-1
        action: upsert
      - key: k8s.pod.uid
        action: delete
  attributes:
    actions:
      - key: deployment.environment
        value: production
        action: insert
      - key: user.email
        action: delete
  batch:
    send_batch_size: 100000
    timeout: 60s
exporters:
  otlphttp:
    endpoint: ${be.httpEndpoint}
service:${telemetry(p)}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [resource, attributes, batch]
      exporters: [otlphttp]
    metrics:
      receivers: [otlp]
      processors: [resource, attributes, batch]
      exporters: [otlphttp]
    logs:
      receivers: [otlp]
      processors: [resource, attributes, batch]
      exporters: [otlphttp]
`;
}

type Obj = Record<string, unknown>;

/** What resource + attributes processors must do to a resource's attributes. */
function expectResource(attrs: Obj): Obj {
  const out = { ...attrs };
  delete out['k8s.pod.uid'];
  out['cloud.region'] = 'eu-west-1';
  return out;
}
/** What the attributes processor must do to an item's attributes (insert only when absent). */
function expectItem(attrs: Obj): Obj {
  const out = { ...attrs };
  delete out['user.email'];
  if (!('deployment.environment' in out)) out['deployment.environment'] = 'production';
  return out;
}

/** A row with its attribute lists as plain objects: attribute order is not part of the comparison. */
function withAttrObjects<T extends FlatContext>(row: T, itemKey: 'point' | 'record'): unknown {
  const item = (row as unknown as Record<string, Obj>)[itemKey]!;
  return { ...row, resource: { ...row.resource, attributes: kvObject(row.resource.attributes) }, [itemKey]: { ...item, attributes: kvObject(item.attributes) } };
}

const RESOURCE = { 'k8s.pod.uid': '2f1c-77aa', 'k8s.namespace.name': 'shop', 'cloud.region': 'us-east-1' };

test('all signals: one otlp receiver and one otlphttp exporter, resource + attributes per signal, SIGTERM flushes all three', { timeout: 40_000 }, async (t) => {
  const be = await SignalBackend.start();
  t.after(() => be.close());
  const p = await pickPorts();
  const col = await startCollector(t, { config: config(p, be), ready: { tcpPorts: [p.grpc, p.http] } });

  // Traces over gRPC.
  const tr = createSdk({ protocol: 'grpc', url: `http://127.0.0.1:${p.grpc}`, serviceName: 'gateway-app', resourceAttributes: RESOURCE });
  const spans = await tr.makeSpans(12, { attributes: (i) => ({ 'user.email': `u${i}@example.com`, seq: i, ...(i === 3 ? { 'deployment.environment': 'canary' } : {}) }) });
  await tr.shutdown();
  assert.deepEqual(tr.failedExports(), []);

  // Metrics over HTTP/protobuf.
  const ms = createMeterSdk({ protocol: 'http/protobuf', url: `http://127.0.0.1:${p.http}/v1/metrics`, serviceName: 'gateway-app', resourceAttributes: RESOURCE });
  const requests = ms.meter.createCounter('app.requests', { valueType: ValueType.INT });
  const duration = ms.meter.createHistogram('app.duration', { unit: 'ms' });
  for (const route of ['/a', '/b', '/c']) {
    requests.add(route.length * 3, { 'http.route': route, 'user.email': 'x@example.com' });
    duration.record(route.length * 10, { 'http.route': route });
  }
  await ms.shutdown();
  assert.deepEqual(ms.failedExports().map((r) => r.error), []);
  const sentPoints = flattenMetrics(ms.sentRequests());

  // Logs over gRPC.
  const ls = createLoggerSdk({ protocol: 'grpc', url: `http://127.0.0.1:${p.grpc}`, serviceName: 'gateway-app', resourceAttributes: RESOURCE });
  for (let i = 0; i < 15; i++) {
    ls.logger.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: { msg: `login ${i}`, ok: true }, attributes: { seq: i, 'user.email': `u${i}@example.com` }, context: ROOT_CONTEXT });
  }
  await ls.shutdown();
  assert.deepEqual(ls.failedExports().map((r) => r.error), []);
  const sentLogs = flattenLogs(ls.sentRequests());
  assert.equal(sentLogs.length, 15);

  // Everything is accepted and held by the batch processors: nothing reached the backend yet.
  const metricsUrl = `http://127.0.0.1:${p.metrics}/metrics`;
  let text = '';
  for (let i = 0; i < 30; i++) {
    text = (await httpGet(metricsUrl)).body;
    if (sumMetric(text, 'otelcol_receiver_accepted_log_records') === 15) break;
    await sleep(100);
  }
  assert.equal(sumMetric(text, 'otelcol_receiver_accepted_spans'), spans.length, `accepted spans\n${text}`);
  assert.equal(sumMetric(text, 'otelcol_receiver_accepted_metric_points'), sentPoints.length, `accepted points\n${text}`);
  assert.equal(sumMetric(text, 'otelcol_receiver_accepted_log_records'), 15, `accepted log records\n${text}`);
  await sleep(300);
  assert.equal(be.requests.length, 0, 'the batch processor (60 s timeout) held everything until shutdown');

  // SIGTERM: the batch processors flush, the exporter drains, the process exits 0.
  assert.equal(await col.stop(15_000), 0, `exit code after SIGTERM\n${col.output()}`);
  await settleBackend(be, 200, 2000);
  assert.deepEqual(be.decodeErrors().map((r) => r.error), []);
  for (const r of be.requests) assert.equal(r.transport, 'http');
  assert.deepEqual([...new Set(be.requests.map((r) => r.path))].sort(), ['/v1/logs', '/v1/metrics', '/v1/traces'], 'one exporter, three signal paths');

  // Traces.
  const gotSpans = be.spans();
  assert.equal(gotSpans.length, spans.length, 'every span flushed at shutdown');
  const byId = new Map(gotSpans.map((s) => [String(s.span.spanId), s]));
  for (const e of spans) {
    const s = byId.get(e.spanId);
    assert.ok(s, `span ${e.name} lost`);
    assert.equal(s.span.name, e.name);
    assert.equal(s.span.traceId, e.traceId);
    const want: Obj = {};
    for (const [k, v] of Object.entries(e.attributes)) want[k] = typeof v === 'number' ? String(v) : v;
    assert.deepEqual(kvObject(s.span.attributes), expectItem(want), `span attributes of ${e.name}`);
    const ra = kvObject(s.resource.attributes);
    assert.equal(ra['cloud.region'], 'eu-west-1', `resource upsert on ${e.name}`);
    assert.equal('k8s.pod.uid' in ra, false, `resource delete on ${e.name}`);
    assert.equal(ra['k8s.namespace.name'], 'shop');
    assert.equal(ra['service.name'], 'gateway-app');
  }

  // Metrics: exactly the SDK's points with the processors' changes (and nothing else changed).
  const wantPoints = sentPoints.map((row) => ({
    ...row,
    resource: { ...row.resource, attributes: expectResource(kvObject(row.resource.attributes)) },
    point: { ...row.point, attributes: expectItem(kvObject(row.point.attributes)) },
  }));
  assertSameRows(be.points().map((r) => withAttrObjects(r, 'point')), wantPoints, 'data points after resource + attributes');

  // Logs.
  const wantLogs = sentLogs.map((row) => ({
    ...row,
    resource: { ...row.resource, attributes: expectResource(kvObject(row.resource.attributes)) },
    record: { ...row.record, attributes: expectItem(kvObject(row.record.attributes)) },
  }));
  assertSameRows(be.logRecords().map((r) => withAttrObjects(r, 'record')), wantLogs, 'log records after resource + attributes');
});
