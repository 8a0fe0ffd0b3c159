// One receiver feeding two pipelines: a mutating processor in one pipeline must not change what the other
// pipeline sends (the Go collector clones data for mutating consumers), and both get every span once.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { CaptureBackend } from '../helpers/capture-backend';
import { startCollector } from '../helpers/collector';
import { createSdk } from '../helpers/sdk';
import { assertExactlyOnce, otlpReceiver, pickPorts, settle, spanAttrs, telemetry } from './e2e-config';

test('fan-out: attributes edits in one pipeline do not leak into another pipeline fed by the same receiver', { timeout: 30_000 }, async (t) => {
  const redacted = await CaptureBackend.start();
  const raw = await CaptureBackend.start();
  t.after(() => redacted.close());
  t.after(() => raw.close());
  const p = await pickPorts();
  const col = await startCollector(t, {
    config: `
receivers:${otlpReceiver(p)}
processors:
  attributes/redact:
    actions:
      - key: customer.email
        action: delete
      - key: pipeline
        value: redacted
        action: insert
  batch:
    timeout: 100ms
exporters:
  otlp/redacted:
    endpoint: ${redacted.grpcEndpoint}
    tls:
      insecure: true
  otlphttp/raw:
    endpoint: ${raw.httpEndpoint}
service:${telemetry(p)}
  pipelines:
    traces/redacted:
      receivers: [otlp]
      processors: [attributes/redact, batch]
      exporters: [otlp/redacted]
    traces/raw:
      receivers: [otlp]
      processors: [batch]
      exporters: [otlphttp/raw]
`,
    ready: { tcpPorts: [p.grpc, p.http] },
  });
  const sdk = createSdk({ protocol: 'http/protobuf', url: `http://127.0.0.1:${p.http}/v1/traces`, serviceName: 'fanout' });
  const N = 12;
  const expected = await sdk.makeSpans(N, { attributes: (i) => ({ 'customer.email': `c${i}@example.com`, i }) });
  await sdk.shutdown();
  assert.deepEqual(sdk.failedExports(), [], col.output());
  await Promise.all([redacted.waitForSpans(N, 10_000), raw.waitForSpans(N, 10_000)]).catch((e) => {
    throw new Error(`${(e as Error).message}\n${col.output()}`);
  });
  await settle(redacted, 400);
  await settle(raw, 400);

  const r = assertExactlyOnce(redacted.spans(), expected);
  const u = assertExactlyOnce(raw.spans(), expected);
  for (const e of expected) {
    assert.deepEqual(spanAttrs(r.get(e.spanId)!), { i: String(e.attributes.i), pipeline: 'redacted' }, `${e.name} in the redacted pipeline`);
    assert.deepEqual(spanAttrs(u.get(e.spanId)!), { i: String(e.attributes.i), 'customer.email': e.attributes['customer.email'] }, `${e.name} in the raw pipeline is untouched`);
  }
  assert.equal(await col.stop(), 0, col.output());
});
