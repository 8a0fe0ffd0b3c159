// Exporter options users set for hosted backends: custom headers (API keys, tenants), otlphttp
// traces_endpoint, compression: none; and one pipeline with two exporters (each gets every span once).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { CaptureBackend } from '../helpers/capture-backend';
import { startCollector } from '../helpers/collector';
import { createSdk } from '../helpers/sdk';
import { assertExactlyOnce, otlpReceiver, pickPorts, settle, telemetry } from './e2e-config';

test('exporter headers, traces_endpoint and compression: none reach the backend; two exporters each get every span', { timeout: 30_000 }, async (t) => {
  const be = await CaptureBackend.start();
  t.after(() => be.close());
  const p = await pickPorts();
  const col = await startCollector(t, {
    config: `
receivers:${otlpReceiver(p)}
processors:
  batch:
    timeout: 100ms
exporters:
  otlp:
    endpoint: ${be.grpcEndpoint}
    compression: none
    tls:
      insecure: true
    headers:
      x-tenant: tenant-1
  otlphttp:
    traces_endpoint: ${be.httpEndpoint}/v1/traces
    compression: none
    headers:
      authorization: Bearer abc123
      x-scope-orgid: org-9
service:${telemetry(p)}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [otlp, otlphttp]
`,
    ready: { tcpPorts: [p.grpc, p.http] },
  });
  const sdk = createSdk({ protocol: 'http/protobuf', url: `http://127.0.0.1:${p.http}/v1/traces`, serviceName: 'hosted' });
  const expected = await sdk.makeSpans(6);
  await sdk.shutdown();
  assert.deepEqual(sdk.failedExports(), [], col.output());
  await be.waitForSpans(12, 10_000).catch((e) => {
    throw new Error(`${(e as Error).message}\n${col.output()}`);
  });
  await settle(be, 300);

  const grpcReqs = be.accepted().filter((r) => r.transport === 'grpc');
  const httpReqs = be.accepted().filter((r) => r.transport === 'http');
  assert.ok(grpcReqs.length > 0 && httpReqs.length > 0);
  assertExactlyOnce(be.spans().filter((s) => be.requests[s.requestIndex]!.transport === 'grpc'), expected);
  assertExactlyOnce(be.spans().filter((s) => be.requests[s.requestIndex]!.transport === 'http'), expected);
  for (const r of grpcReqs) assert.equal(r.headers['x-tenant'], 'tenant-1', 'otlp exporter headers sent as gRPC metadata');
  for (const r of httpReqs) {
    assert.equal(r.headers['authorization'], 'Bearer abc123');
    assert.equal(r.headers['x-scope-orgid'], 'org-9');
    assert.equal(r.path, '/v1/traces');
    assert.equal(r.contentEncoding, '', 'compression: none');
    assert.match(r.headers['user-agent'] ?? '', /otelcol/i, 'a collector User-Agent, as Go sends');
  }
  assert.equal(await col.stop(), 0, col.output());
});
