// The Go collector's walkthrough, end to end with real processes: an application instrumented with the
// OpenTelemetry JS SDK sends 25 spans carrying a customer's e-mail to otelcol-ts, whose pipeline is
//   memory_limiter → attributes (insert deployment.environment=production, delete customer.email)
//   → batch (send_batch_size 8, timeout 200ms) → exporter
// and a real OTLP backend (the capture backend, decoding with the protobufjs oracle) receives the result.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { CaptureBackend } from '../helpers/capture-backend';
import { httpGet, sleep, startCollector } from '../helpers/collector';
import { createSdk, type SdkProtocol } from '../helpers/sdk';
import { assertExactlyOnce, otlpReceiver, pickPorts, resourceAttrs, settle, spanAttrs, sumMetric, telemetry, type Ports } from './e2e-config';

const N = 25;
const SERVICE = 'checkout-service';

function walkthroughConfig(p: Ports, exporterId: string, exporterBody: string): string {
  return `
receivers:${otlpReceiver(p)}
processors:
  memory_limiter:
    check_interval: 1s
    limit_mib: 512
    spike_limit_mib: 128
  attributes:
    actions:
      - key: deployment.environment
        value: production
        action: insert
      - key: customer.email
        action: delete
  batch:
    send_batch_size: 8
    timeout: 200ms
exporters:
  ${exporterId}:
${exporterBody}
service:${telemetry(p)}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter, attributes, batch]
      exporters: [${exporterId}]
`;
}

interface Variant {
  title: string;
  sdkProtocol: SdkProtocol;
  exporterId: string;
  exporterBody: (be: CaptureBackend) => string;
  /** What the backend must have seen on the wire. */
  transport: 'grpc' | 'http';
  contentType: string;
  /** Expected content-encoding of the exporter's requests ('' = do not check). */
  contentEncoding?: string;
}

const variants: Variant[] = [
  {
    title: 'SDK OTLP/gRPC → otlp receiver → otlp exporter (tls insecure)',
    sdkProtocol: 'grpc',
    exporterId: 'otlp',
    exporterBody: (be) => `    endpoint: ${be.grpcEndpoint}\n    tls:\n      insecure: true`,
    transport: 'grpc',
    contentType: 'application/grpc',
  },
  {
    title: 'SDK OTLP/HTTP protobuf → otlp receiver → otlphttp exporter (protobuf, gzip by default)',
    sdkProtocol: 'http/protobuf',
    exporterId: 'otlphttp',
    exporterBody: (be) => `    endpoint: ${be.httpEndpoint}`,
    transport: 'http',
    contentType: 'application/x-protobuf',
    // Go's otlphttp exporter compresses with gzip unless `compression: none`.
    contentEncoding: 'gzip',
  },
  {
    title: 'SDK OTLP/HTTP JSON → otlp receiver → otlphttp exporter (protobuf)',
    sdkProtocol: 'http/json',
    exporterId: 'otlphttp',
    exporterBody: (be) => `    endpoint: ${be.httpEndpoint}`,
    transport: 'http',
    contentType: 'application/x-protobuf',
  },
  {
    title: 'SDK OTLP/gRPC → otlp receiver → otlphttp exporter with encoding: json',
    sdkProtocol: 'grpc',
    exporterId: 'otlphttp/json',
    exporterBody: (be) => `    endpoint: ${be.httpEndpoint}\n    encoding: json\n    compression: none`,
    transport: 'http',
    contentType: 'application/json',
    contentEncoding: '',
  },
];

for (const v of variants) {
  test(`walkthrough: ${v.title}`, { timeout: 30_000 }, async (t) => {
    const be = await CaptureBackend.start();
    t.after(() => be.close());
    const p = await pickPorts();
    const col = await startCollector(t, {
      config: walkthroughConfig(p, v.exporterId, v.exporterBody(be)),
      ready: { tcpPorts: [p.grpc, p.http] },
    });

    // SimpleSpanProcessor: one export per span, as a chatty application without SDK batching would do. The
    // collector's batch processor has to build the batches. (With the SDK's BatchSpanProcessor the 25 spans
    // would arrive as one request, and the Go batch processor — send_batch_max_size 0 — forwards a 25-span
    // request as one batch.)
    const url = v.sdkProtocol === 'grpc' ? `http://127.0.0.1:${p.grpc}` : `http://127.0.0.1:${p.http}/v1/traces`;
    const sdk = createSdk({ protocol: v.sdkProtocol, url, serviceName: SERVICE, processor: 'simple', scopeName: 'checkout', scopeVersion: '2.1.0' });
    const expected = await sdk.makeSpans(N, {
      namePrefix: 'checkout',
      attributes: (i) => ({ 'customer.email': `customer${i}@example.com`, 'customer.id': 1000 + i, 'http.route': '/checkout' }),
    });
    await sdk.shutdown();
    assert.deepEqual(sdk.failedExports(), [], `the SDK's exports to otelcol-ts failed\n${col.output()}`);
    assert.equal(sdk.outcomes().length, N, 'one export per span');

    await be.waitForSpans(N, 10_000).catch((e) => {
      throw new Error(`${(e as Error).message}\n${col.output()}`);
    });
    // Wait past the batch timeout so that late duplicates would be seen.
    await settle(be, 600);
    assert.deepEqual(be.decodeErrors().map((r) => r.error), [], 'the backend could not decode what otelcol-ts sent');

    const got = be.spans();
    const byId = assertExactlyOnce(got, expected);
    for (const e of expected) {
      const s = byId.get(e.spanId)!;
      const attrs = spanAttrs(s);
      assert.equal(attrs['deployment.environment'], 'production', `${e.name}: deployment.environment inserted`);
      assert.equal('customer.email' in attrs, false, `${e.name}: customer.email deleted`);
      // The other attributes are untouched (int64 is a decimal string in the canonical form).
      assert.deepEqual(attrs, { 'customer.id': String(e.attributes['customer.id']), 'http.route': '/checkout', 'deployment.environment': 'production' });
      assert.equal(resourceAttrs(s)['service.name'], SERVICE, `${e.name}: resource service.name`);
      assert.equal(s.scope?.name, 'checkout');
      assert.equal(s.scope?.version, '2.1.0');
    }

    // Batching: 25 spans, send_batch_size 8 → 8 + 8 + 8 + 1 (the last flushed by the 200 ms timeout): about 4
    // requests. Batches can split on timing: when the 25 single-span exports straddle a 200 ms timer tick a
    // partial batch leaves early, so 5 or 6 requests are also correct. Never more than 8 spans in one request
    // (each incoming request holds one span, so a batch is sent the moment it reaches 8).
    const reqs = be.accepted();
    const sizes = reqs.map((r) => r.spanCount);
    assert.ok(reqs.length >= 4 && reqs.length <= 6, `expected 4..6 export requests, got ${reqs.length}: ${sizes.join(', ')}`);
    for (const n of sizes) assert.ok(n >= 1 && n <= 8, `request sizes must be 1..8, got ${sizes.join(', ')}`);
    assert.equal(sizes.reduce((a, b) => a + b, 0), N);

    for (const r of reqs) {
      assert.equal(r.transport, v.transport);
      assert.equal(r.contentType, v.contentType);
      if (v.transport === 'http') assert.equal(r.path, '/v1/traces');
      if (v.contentEncoding !== undefined) assert.equal(r.contentEncoding, v.contentEncoding, `content-encoding of the exporter's requests`);
    }

    // Self-metrics (Go names, Prometheus text on the configured pull reader) agree with what happened.
    const metricsUrl = `http://127.0.0.1:${p.metrics}/metrics`;
    let text = '';
    for (let i = 0; i < 20; i++) {
      text = (await httpGet(metricsUrl)).body;
      if (sumMetric(text, 'otelcol_exporter_sent_spans') === N) break;
      await sleep(100);
    }
    assert.equal(sumMetric(text, 'otelcol_receiver_accepted_spans'), N, `otelcol_receiver_accepted_spans\n${text}`);
    assert.equal(sumMetric(text, 'otelcol_receiver_refused_spans') ?? 0, 0, 'otelcol_receiver_refused_spans');
    assert.equal(sumMetric(text, 'otelcol_exporter_sent_spans'), N, `otelcol_exporter_sent_spans\n${text}`);
    assert.equal(sumMetric(text, 'otelcol_exporter_send_failed_spans') ?? 0, 0, 'otelcol_exporter_send_failed_spans');

    assert.ok(col.alive(), `collector died\n${col.output()}`);
    assert.equal(await col.stop(), 0, `exit code after SIGTERM\n${col.output()}`);
    // Nothing more arrived during shutdown (everything was already delivered).
    assert.equal(be.spanCount(), N);
  });
}
