// A collector with traces, metrics and logs pipelines sharing one otlp receiver and its exporters, built from
// the real component registry: the config validates, the graph wires createMetrics/createLogs and
// consumeMetrics/consumeLogs by name, and each signal reaches its own exporters (and only those).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { factories } from '../../src/components';
import { validateConfigOrThrow } from '../../src/config/config';
import { ConfigError } from '../../src/errors';
import { Registry } from '../../src/service/registry';
import { Service } from '../../src/service/service';
import { freePorts } from '../helpers/collector';
import { attrsOf, CaptureBackend } from '../helpers/capture-backend';
import { oracleDecodeLogs, oracleDecodeMetrics, oracleDecodeTraces } from '../oracle/otlp-oracle';
import { logsRequest, metricsRequest, postProto, rawClient, traceRequest } from '../receivers/otlp/helpers';
import { CapturingLogger } from './fakes';

function yamlFor(grpcPort: number, httpPort: number, be: CaptureBackend): string {
  return `
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:${grpcPort} }
      http: { endpoint: 127.0.0.1:${httpPort} }
exporters:
  otlphttp:
    endpoint: ${be.httpEndpoint}
    sending_queue: { enabled: false }
  otlp_grpc:
    endpoint: ${be.grpcEndpoint}
    tls: { insecure: true }
    sending_queue: { enabled: false }
  debug:
service:
  telemetry: { metrics: { level: none } }
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [otlphttp, debug]
    metrics:
      receivers: [otlp]
      exporters: [otlphttp, otlp_grpc]
    logs:
      receivers: [otlp]
      exporters: [otlp_grpc, debug]
`;
}

test('service: traces, metrics and logs pipelines sharing one otlp receiver and exporters validate and run', async () => {
  const be = await CaptureBackend.start();
  const [gp, hp] = await freePorts(2);
  const logger = new CapturingLogger();
  const registry = new Registry(factories);
  const config = validateConfigOrThrow(parse(yamlFor(gp!, hp!, be)), registry);
  const svc = new Service({ config, logger, buildInfo: { command: 'otelcol-ts', version: '0.0.0-test' } });
  await svc.start();
  try {
    const base = `http://127.0.0.1:${hp}`;
    const traces = traceRequest(3, { prefix: 't' });
    const metrics = metricsRequest(4, { prefix: 'm' });
    const logs = logsRequest(5, { prefix: 'l' });
    // Over HTTP: traces, metrics and logs.
    assert.equal((await postProto(base, traces, {}, '/v1/traces')).status, 200);
    assert.equal((await postProto(base, metrics, {}, '/v1/metrics')).status, 200);
    assert.equal((await postProto(base, logs, {}, '/v1/logs')).status, 200);
    // Over gRPC: metrics.
    const client = rawClient(`127.0.0.1:${gp}`, '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export');
    try {
      const res = await client.export(metricsRequest(2, { prefix: 'm2' }));
      assert.equal(res.error, undefined, res.error?.message);
    } finally {
      client.close();
    }
    // The queues are off: every export finished before the receiver answered.
    const seen = be.requests.map((r) => `${r.transport} ${r.signal} ${r.itemCount}`).sort();
    assert.deepEqual(seen, ['grpc logs 5', 'grpc metrics 2', 'grpc metrics 4', 'http metrics 2', 'http metrics 4', 'http traces 3']);
    const find = (transport: string, signal: string, items: number) => be.requests.find((r) => r.transport === transport && r.signal === signal && r.itemCount === items)!;
    assert.deepEqual(find('http', 'traces', 3).decoded, oracleDecodeTraces(traces));
    assert.deepEqual(find('http', 'metrics', 4).decoded, oracleDecodeMetrics(metrics));
    assert.deepEqual(find('grpc', 'metrics', 4).decoded, oracleDecodeMetrics(metrics));
    assert.deepEqual(find('grpc', 'logs', 5).decoded, oracleDecodeLogs(logs));
    assert.deepEqual(be.decodeErrors(), []);
    // Flattened, as the e2e tests read them.
    assert.deepEqual(be.spans().map((s) => s.span.name), ['t-0', 't-1', 't-2']);
    const points = await be.waitForDataPoints(12, 1000);
    // The metrics pipeline fans out to two exporters at once: each point arrives twice, in either order.
    const rows = points.filter((p) => p.metric.name === 'm').map((p) => `${p.metric.type} ${p.point['asInt']} ${attrsOf(p.point.attributes)['attr.0']}`);
    assert.deepEqual(rows.sort(), [0, 0, 1, 1, 2, 2, 3, 3].map((i) => `gauge ${i} value-${i}-0`));
    const records = await be.waitForLogRecords(5, 1000);
    assert.deepEqual(records.map((r) => [r.logRecord.body?.stringValue, r.logRecord.severityNumber, attrsOf(r.resource?.attributes)['service.name']]), [
      ['l-0', 9, 'receiver-test'],
      ['l-1', 9, 'receiver-test'],
      ['l-2', 9, 'receiver-test'],
      ['l-3', 9, 'receiver-test'],
      ['l-4', 9, 'receiver-test'],
    ]);
    // debug (basic) saw traces and logs, not metrics: one exporter instance per signal.
    const debug = logger.records.filter((r) => r.fields['otelcol.component.id'] === 'debug' && (r.msg === 'Traces' || r.msg === 'Logs' || r.msg === 'Metrics'));
    assert.deepEqual(
      debug.map((r) => [r.msg, r.fields['otelcol.signal']]),
      [
        ['Traces', 'traces'],
        ['Logs', 'logs'],
      ],
    );
    assert.deepEqual(debug[1]!.fields, { ...debug[1]!.fields, 'resource logs': 1, 'log records': 5 });
  } finally {
    await svc.shutdown();
    await be.close();
  }
});

test('service: a metrics pipeline with a component that has no metrics support is rejected at validation', () => {
  const registry = new Registry([
    ...factories.filter((f) => f.type !== 'debug'),
    // A traces-only exporter, as debug was before metrics/logs support.
    { ...factories.find((f) => f.type === 'debug')!, stability: { traces: 'alpha' }, createMetrics: undefined, createLogs: undefined } as (typeof factories)[number],
  ]);
  const yaml = `
receivers: { otlp: { protocols: { http: { endpoint: 127.0.0.1:0 } } } }
exporters: { debug: }
service:
  pipelines:
    metrics: { receivers: [otlp], exporters: [debug] }
`;
  assert.throws(() => validateConfigOrThrow(parse(yaml), registry), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /debug/);
    assert.match(e.message, /metrics/);
    return true;
  });
  // The real debug exporter supports it.
  validateConfigOrThrow(parse(yaml), new Registry(factories));
});
