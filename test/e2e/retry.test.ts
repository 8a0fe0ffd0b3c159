// A backend that is briefly unavailable: the exporter retries (retry_on_failure) and every span arrives
// exactly once; Retry-After / UNAVAILABLE are transient, not a reason to drop data.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { CaptureBackend } from '../helpers/capture-backend';
import { startCollector } from '../helpers/collector';
import { createSdk } from '../helpers/sdk';
import { assertExactlyOnce, otlpReceiver, pickPorts, settle, telemetry } from './e2e-config';

const RETRY = `
    retry_on_failure:
      enabled: true
      initial_interval: 100ms
      max_interval: 200ms
      max_elapsed_time: 10s`;

for (const kind of ['otlp', 'otlphttp'] as const) {
  test(`retry: ${kind} exporter retries a briefly unavailable backend; every span arrives exactly once`, { timeout: 30_000 }, async (t) => {
    const be = await CaptureBackend.start();
    t.after(() => be.close());
    const p = await pickPorts();
    const exporter =
      kind === 'otlp'
        ? `  otlp:\n    endpoint: ${be.grpcEndpoint}\n    tls:\n      insecure: true${RETRY}`
        : `  otlphttp:\n    endpoint: ${be.httpEndpoint}${RETRY}`;
    const col = await startCollector(t, {
      config: `
receivers:${otlpReceiver(p)}
processors:
  batch:
    timeout: 100ms
exporters:
${exporter}
service:${telemetry(p)}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [${kind}]
`,
      ready: { tcpPorts: [p.grpc, p.http] },
    });
    // gRPC UNAVAILABLE / HTTP 503 for the next two requests, then healthy.
    be.failNext(2);
    const sdk = createSdk({ protocol: 'grpc', url: `http://127.0.0.1:${p.grpc}`, serviceName: 'retry' });
    const expected = await sdk.makeSpans(6);
    await sdk.shutdown();
    assert.deepEqual(sdk.failedExports(), [], col.output());
    await be.waitForSpans(6, 10_000).catch((e) => {
      throw new Error(`${(e as Error).message}\n${col.output()}`);
    });
    await settle(be, 500);
    assert.equal(be.requests.filter((r) => r.refused).length, 2, 'the exporter sent, was refused twice, and retried');
    assertExactlyOnce(be.spans(), expected);
    assert.equal(await col.stop(), 0, col.output());
  });
}
