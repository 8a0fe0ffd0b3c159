// SDKs configured with OTEL_EXPORTER_OTLP_COMPRESSION=gzip (common in production) send compressed requests
// over gRPC (grpc-encoding: gzip) and HTTP (Content-Encoding: gzip): otelcol-ts must accept all of them.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { CaptureBackend } from '../helpers/capture-backend';
import { startCollector } from '../helpers/collector';
import { createSdk, type SdkProtocol } from '../helpers/sdk';
import { assertExactlyOnce, otlpReceiver, pickPorts, settle, telemetry } from './e2e-config';

test('gzip-compressed SDK exports (gRPC, HTTP/protobuf, HTTP/JSON) are all accepted and forwarded exactly once', { timeout: 30_000 }, async (t) => {
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
    tls:
      insecure: true
service:${telemetry(p)}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [otlp]
`,
    ready: { tcpPorts: [p.grpc, p.http] },
  });
  const expected = [];
  for (const protocol of ['grpc', 'http/protobuf', 'http/json'] as SdkProtocol[]) {
    const url = protocol === 'grpc' ? `http://127.0.0.1:${p.grpc}` : `http://127.0.0.1:${p.http}/v1/traces`;
    const sdk = createSdk({ protocol, url, serviceName: `gzip-${protocol}`, compression: 'gzip' });
    expected.push(...(await sdk.makeSpans(4, { namePrefix: protocol })));
    await sdk.shutdown();
    assert.deepEqual(sdk.failedExports(), [], `${protocol} with gzip\n${col.output()}`);
  }
  await be.waitForSpans(expected.length, 10_000);
  await settle(be, 300);
  assertExactlyOnce(be.spans(), expected);
  assert.equal(await col.stop(), 0, col.output());
});
