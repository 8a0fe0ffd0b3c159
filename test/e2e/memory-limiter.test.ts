// memory_limiter over its limit: data is refused visibly (the sender gets a retryable error status), never
// dropped silently or forwarded, the refusal is counted, and the process keeps running.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { CaptureBackend, TRACE_EXPORT_PATH } from '../helpers/capture-backend';
import { httpGet, sleep, startCollector } from '../helpers/collector';
import { oracleEncodeTraces } from '../oracle/otlp-oracle';
import { otlpReceiver, pickPorts, sumMetric, telemetry } from './e2e-config';

function oneSpan(): Buffer {
  return Buffer.from(
    oracleEncodeTraces({
      resourceSpans: [
        {
          scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16, 7), spanId: Buffer.alloc(8, 8), name: 'refused', startTimeUnixNano: '1', endTimeUnixNano: '2' }] }],
        },
      ],
    }),
  );
}

test('memory_limiter over its limit refuses data with a retryable status; nothing is forwarded; the process survives', { timeout: 30_000 }, async (t) => {
  const be = await CaptureBackend.start();
  t.after(() => be.close());
  const p = await pickPorts();
  // A 2 MiB limit: any Node process is above it, so every request must be refused.
  const col = await startCollector(t, {
    config: `
receivers:${otlpReceiver(p)}
processors:
  memory_limiter:
    check_interval: 100ms
    limit_mib: 2
    spike_limit_mib: 1
exporters:
  otlp:
    endpoint: ${be.grpcEndpoint}
    tls:
      insecure: true
service:${telemetry(p)}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter]
      exporters: [otlp]
`,
    ready: { tcpPorts: [p.grpc, p.http] },
  });
  await sleep(300); // a few check intervals

  const httpStatus = await new Promise<{ status: number; retryAfter: string | undefined }>((resolve, reject) => {
    const req = http.request(`http://127.0.0.1:${p.http}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined }));
    });
    req.on('error', reject);
    req.end(oneSpan());
  });
  // Go answers 503 (UNAVAILABLE, retryable); 429 is the other retryable status OTLP senders honour.
  assert.ok(httpStatus.status === 503 || httpStatus.status === 429, `HTTP status ${httpStatus.status}`);

  const client = new grpc.Client(`127.0.0.1:${p.grpc}`, grpc.credentials.createInsecure());
  t.after(() => client.close());
  const code = await new Promise<number>((resolve) =>
    client.makeUnaryRequest(TRACE_EXPORT_PATH, (b: Buffer) => b, (b: Buffer) => b, oneSpan(), new grpc.Metadata(), { deadline: Date.now() + 5000 }, (err) =>
      resolve(err ? (err.code ?? -1) : 0),
    ),
  );
  assert.ok(code === grpc.status.UNAVAILABLE || code === grpc.status.RESOURCE_EXHAUSTED, `gRPC status ${code}`);

  await sleep(300);
  assert.equal(be.requests.length, 0, 'refused data must not reach the backend');
  assert.ok(col.alive(), col.output());
  const text = (await httpGet(`http://127.0.0.1:${p.metrics}/metrics`)).body;
  assert.equal(sumMetric(text, 'otelcol_receiver_refused_spans'), 2, `otelcol_receiver_refused_spans counts both refusals\n${text}`);
  assert.equal(sumMetric(text, 'otelcol_receiver_accepted_spans') ?? 0, 0);
  assert.equal(await col.stop(), 0, col.output());
});
