// The official OpenTelemetry JS SDK exporters (gRPC, HTTP/protobuf, HTTP/JSON) against the receiver.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CapturingConsumer } from '../../../src/component/testing';
import { OverloadedError } from '../../../src/errors';
import type { TraceBatch } from '../../../src/pdata/traces';
import { createSdk, type SdkProtocol } from '../../helpers/sdk';
import { LOOPBACK, startReceiver, type Started } from './helpers';

/** Fails the first `failures` calls with a retryable refusal, then accepts. */
class FlakyConsumer extends CapturingConsumer {
  calls = 0;
  constructor(private failures: number) {
    super();
  }
  override async consumeTraces(batch: TraceBatch): Promise<void> {
    this.calls++;
    if (this.failures > 0) {
      this.failures--;
      throw new OverloadedError('try again shortly', 1);
    }
    return super.consumeTraces(batch);
  }
}

function names(batches: readonly TraceBatch[]): string[] {
  const out: string[] = [];
  for (const b of batches) for (let i = 0; i < b.spanCount; i++) out.push(b.name(i));
  return out.sort();
}

const PROTOCOLS: SdkProtocol[] = ['grpc', 'http/protobuf', 'http/json'];

describe('OpenTelemetry JS SDK exporters -> otlp receiver', () => {
  let r: Started;
  before(async () => {
    r = await startReceiver({ protocols: { grpc: { endpoint: LOOPBACK }, http: { endpoint: LOOPBACK } } });
  });
  after(async () => {
    await r.stop();
  });

  const url = (p: SdkProtocol) => (p === 'grpc' ? `http://${r.grpcTarget}` : `${r.httpBase}/v1/traces`);

  for (const protocol of PROTOCOLS) {
    it(`delivers every span sent with ${protocol}`, async () => {
      const prefix = protocol.replace(/\W/g, '_');
      const first = r.consumer.batches.length;
      const sdk = createSdk({ protocol, url: url(protocol), serviceName: 'sdk-test', processor: 'batch' });
      const expected = await sdk.makeSpans(12, { namePrefix: prefix, attributes: (i) => ({ 'test.index': i }) });
      await sdk.shutdown();
      assert.deepEqual(sdk.failedExports(), []);
      const got = r.consumer.batches.slice(first);
      assert.deepEqual(names(got), expected.map((e) => e.name).sort());
      const b = got[0]!;
      assert.equal(b.resourceAttributes(b.spanResource(0)).getString('service.name'), 'sdk-test');
      const root = expected[0]!;
      for (const batch of got) {
        for (let i = 0; i < batch.spanCount; i++) {
          if (batch.name(i) !== root.name) continue;
          assert.equal(batch.traceIdHex(i), root.traceId);
          assert.equal(batch.spanIdHex(i), root.spanId);
        }
      }
    });
  }
});

describe('OpenTelemetry JS SDK exporters see refusals', () => {
  it('grpc: a refusal reaches the SDK as UNAVAILABLE with its message (this JS exporter does not retry)', async () => {
    const consumer = new FlakyConsumer(1);
    const r = await startReceiver({ protocols: { grpc: { endpoint: LOOPBACK } } }, { consumer });
    try {
      const sdk = createSdk({ protocol: 'grpc', url: `http://${r.grpcTarget}`, serviceName: 'refusal-test', processor: 'simple' });
      // The SDK's flush rejects with the export error; what matters is the recorded outcome.
      await sdk.makeSpans(1, { namePrefix: 'refused' }).catch(() => undefined);
      await sdk.shutdown().catch(() => undefined);
      const failed = sdk.failedExports();
      assert.equal(failed.length, 1);
      assert.match(failed[0]!.error ?? '', /14 UNAVAILABLE: try again shortly/);
      assert.equal(r.registry.value('otelcol_receiver_refused_spans', { transport: 'grpc' }), 1);
    } finally {
      await r.stop();
    }
  });

  for (const protocol of ['http/protobuf', 'http/json'] as SdkProtocol[]) {
    it(`${protocol}: refused once (503 + Retry-After), retried by the SDK, then delivered`, async () => {
      const consumer = new FlakyConsumer(1);
      const r = await startReceiver({ protocols: { http: { endpoint: LOOPBACK } } }, { consumer });
      try {
        const u = `${r.httpBase}/v1/traces`;
        const sdk = createSdk({ protocol, url: u, serviceName: 'retry-test', processor: 'simple', timeoutMillis: 8000 });
        await sdk.makeSpans(1, { namePrefix: 'retried' });
        await sdk.shutdown();
        assert.deepEqual(sdk.failedExports(), []);
        assert.equal(consumer.calls, 2, 'one refusal, one success');
        assert.deepEqual(names(consumer.batches), ['retried-root']);
        assert.equal(r.registry.value('otelcol_receiver_refused_spans', { transport: 'http' }), 1);
        assert.equal(r.registry.value('otelcol_receiver_accepted_spans', { transport: 'http' }), 1);
      } finally {
        await r.stop();
      }
    });
  }
});
