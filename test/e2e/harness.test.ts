// Checks the end-to-end harness itself, without otelcol-ts: the real SDK exporters talk straight to the
// capture backend. If these fail, the e2e failures are the harness's, not the collector's.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as zlib from 'node:zlib';
import { attrsOf, CaptureBackend } from '../helpers/capture-backend';
import { createSdk, type SdkProtocol } from '../helpers/sdk';
import { oracleEncodeTraces } from '../oracle/otlp-oracle';

function post(url: string, body: Buffer | string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

for (const protocol of ['grpc', 'http/protobuf', 'http/json'] as SdkProtocol[]) {
  test(`harness: SDK ${protocol} exporter → capture backend decodes every span exactly`, async (t) => {
    const be = await CaptureBackend.start();
    t.after(() => be.close());
    const url = protocol === 'grpc' ? `http://${be.grpcEndpoint}` : `${be.httpEndpoint}/v1/traces`;
    const sdk = createSdk({ protocol, url, serviceName: 'harness-svc', processor: 'batch' });
    const expected = await sdk.makeSpans(5, { attributes: (i) => ({ 'idx': i, 'customer.email': `c${i}@example.com`, ok: true }) });
    await sdk.shutdown();
    assert.deepEqual(sdk.failedExports(), []);
    const spans = await be.waitForSpans(5, 5000);
    assert.equal(spans.length, 5);
    assert.deepEqual(be.decodeErrors(), []);
    const byId = new Map(spans.map((s) => [s.span.spanId, s]));
    for (const e of expected) {
      const got = byId.get(e.spanId);
      assert.ok(got, `span ${e.name} missing`);
      assert.equal(got.span.traceId, e.traceId);
      assert.equal(got.span.name, e.name);
      assert.equal(got.span.parentSpanId, e.parentSpanId);
      assert.deepEqual(attrsOf(got.span.attributes), { idx: String(e.attributes.idx), 'customer.email': e.attributes['customer.email'], ok: true });
      assert.equal(attrsOf(got.resource?.attributes)['service.name'], 'harness-svc');
      assert.match(got.span.startTimeUnixNano!, /^\d{19}$/);
    }
    const r = be.accepted()[0]!;
    assert.equal(r.transport, protocol === 'grpc' ? 'grpc' : 'http');
    if (protocol === 'http/json') assert.equal(r.contentType, 'application/json');
    if (protocol === 'http/protobuf') assert.equal(r.contentType, 'application/x-protobuf');
  });
}

test('harness: SDK gzip compression reaches the backend compressed and decodes', async (t) => {
  const be = await CaptureBackend.start();
  t.after(() => be.close());
  const sdk = createSdk({ protocol: 'http/protobuf', url: `${be.httpEndpoint}/v1/traces`, serviceName: 'gz', compression: 'gzip' });
  await sdk.makeSpans(3);
  await sdk.shutdown();
  await be.waitForSpans(3, 5000);
  assert.equal(be.accepted()[0]!.contentEncoding, 'gzip');
});

test('harness: failNext refuses requests (503 / UNAVAILABLE) and the SDK retry then delivers once', async (t) => {
  const be = await CaptureBackend.start();
  t.after(() => be.close());
  be.failNext(1);
  const sdk = createSdk({ protocol: 'http/protobuf', url: `${be.httpEndpoint}/v1/traces`, serviceName: 'retry' });
  await sdk.makeSpans(3);
  await sdk.shutdown();
  await be.waitForSpans(3, 5000);
  assert.equal(be.requests[0]!.refused, true);
  assert.equal(be.spans().length, 3);
});

test('harness: gzip protobuf and uppercase-hex JSON ids decode to the same canonical form', async (t) => {
  const be = await CaptureBackend.start();
  t.after(() => be.close());
  const traceId = Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex');
  const spanId = Buffer.from('a1a2a3a4a5a6a7a8', 'hex');
  const obj = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 's' } }] },
        scopeSpans: [{ spans: [{ traceId, spanId, name: 'x', kind: 2, startTimeUnixNano: '1700000000000000001', endTimeUnixNano: '1700000000000000002', attributes: [{ key: 'n', value: { intValue: '9007199254740993' } }] }] }],
      },
    ],
  };
  const pb = Buffer.from(oracleEncodeTraces(obj));
  assert.equal(await post(`${be.httpEndpoint}/v1/traces`, zlib.gzipSync(pb), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }), 200);
  const json = JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 's' } }] },
        scopeSpans: [{ spans: [{ traceId: traceId.toString('hex').toUpperCase(), spanId: spanId.toString('hex').toUpperCase(), name: 'x', kind: 'SPAN_KIND_SERVER', startTimeUnixNano: '1700000000000000001', endTimeUnixNano: 1700000000000000002n.toString(), attributes: [{ key: 'n', value: { intValue: '9007199254740993' } }] }] }],
      },
    ],
  });
  assert.equal(await post(`${be.httpEndpoint}/v1/traces`, json, { 'content-type': 'application/json' }), 200);
  assert.equal(await post(`${be.httpEndpoint}/v1/traces`, Buffer.from([0x0a, 0x05, 0x01]), { 'content-type': 'application/x-protobuf' }), 400);
  assert.equal(be.accepted().length, 2);
  assert.deepEqual(be.accepted()[1]!.decoded, be.accepted()[0]!.decoded);
  assert.equal(be.accepted()[0]!.contentEncoding, 'gzip');
  assert.equal(be.spans()[0]!.span.traceId, '0102030405060708090a0b0c0d0e0f10');
  assert.equal(be.decodeErrors().length, 1);
});
