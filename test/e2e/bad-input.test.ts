// Bad input against a running collector: every malformed, oversized or misdirected request gets a clear
// error status (HTTP 400/404/405/413/415, gRPC INVALID_ARGUMENT/RESOURCE_EXHAUSTED/UNIMPLEMENTED), nothing
// of it reaches the backend, the process survives, and a good SDK client still gets its spans through.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as zlib from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import * as protobuf from 'protobufjs';
import { CaptureBackend, TRACE_EXPORT_PATH } from '../helpers/capture-backend';
import { startCollector } from '../helpers/collector';
import { createSdk } from '../helpers/sdk';
import { oracleEncodeTraces } from '../oracle/otlp-oracle';
import { assertExactlyOnce, otlpReceiver, pickPorts, settle, telemetry } from './e2e-config';

interface HttpResult {
  status: number;
  body: string;
  raw: Buffer;
  headers: http.IncomingHttpHeaders;
}

// google.rpc.Status: OTLP/HTTP error responses carry one, encoded like the request (protobuf or JSON).
const RpcStatus = protobuf.Root.fromJSON({
  nested: {
    Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
    Status: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 }, details: { rule: 'repeated', type: 'Any', id: 3 } } },
  },
}).lookupType('Status');

/** The OTLP spec: a 4xx/5xx body is a Status in the request's encoding, with a message for the sender. */
function assertStatusBody(r: HttpResult, encoding: 'protobuf' | 'json', what: string): void {
  const ct = String(r.headers['content-type'] ?? '');
  if (encoding === 'json') {
    assert.match(ct, /^application\/json/, `${what}: content-type of the error response`);
    const st = JSON.parse(r.body) as { message?: unknown };
    assert.ok(typeof st.message === 'string' && st.message.length > 0, `${what}: Status.message in ${r.body}`);
  } else {
    assert.match(ct, /^application\/x-protobuf/, `${what}: content-type of the error response`);
    const st = RpcStatus.toObject(RpcStatus.decode(r.raw)) as { message?: string };
    assert.ok(st.message && st.message.length > 0, `${what}: Status.message in the protobuf error body`);
  }
}

function request(method: string, url: string, body: Buffer | string | undefined, headers: Record<string, string>): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, body: raw.toString('utf8'), raw, headers: res.headers });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

function grpcCall(client: grpc.Client, path: string, body: Buffer): Promise<{ code: number; details: string }> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      body,
      new grpc.Metadata(),
      { deadline: Date.now() + 5000 },
      (err) => resolve(err ? { code: err.code ?? -1, details: err.details ?? '' } : { code: grpc.status.OK, details: '' }),
    );
  });
}

function requestWithSpan(attrValue: string): Buffer {
  return Buffer.from(
    oracleEncodeTraces({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bad-input' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: Buffer.alloc(16, 1),
                  spanId: Buffer.alloc(8, 2),
                  name: 'big',
                  startTimeUnixNano: '1700000000000000000',
                  endTimeUnixNano: '1700000000000000001',
                  attributes: [{ key: 'blob', value: { stringValue: attrValue } }],
                },
              ],
            },
          ],
        },
      ],
    }),
  );
}

/** Protobuf length-delimited field. */
function ld(field: number, payload: Buffer): Buffer {
  const len: number[] = [];
  let n = payload.length;
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    len.push(b);
  } while (n);
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...len]), payload]);
}

// Malformed ExportTraceServiceRequest bodies, each one a protobuf decoder must reject (the Go collector
// answers 400 / INVALID_ARGUMENT to all of them).
const MALFORMED: Record<string, Buffer> = {
  'truncated top-level field (claims 5 bytes, has 1)': Buffer.from([0x0a, 0x05, 0x01]),
  'invalid wire type 7 (field 15)': Buffer.from([0x7f, 0x00]),
  'overlong varint tag': Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
  // resource_spans { scope_spans { span { trace_id: claims 16 bytes, has 3 } } }: well framed outside, broken inside a span
  'truncated field inside a span': ld(1, ld(2, ld(2, Buffer.from([0x0a, 0x10, 1, 2, 3])))),
  // ... span { attributes { key: "k", value: { string_value: claims 9 bytes, has 2 } } }: broken inside an
  // attribute, at the very end of the body (protobufjs happens to read it leniently; Go rejects it)
  'truncated attribute value inside a span': ld(1, ld(2, ld(2, Buffer.concat([Buffer.from([0x2a, 0x01, 0x78]), ld(9, Buffer.concat([ld(1, Buffer.from('k')), ld(2, Buffer.from([0x0a, 0x09, 0x61, 0x62]))]))])))),
};

test('bad input: clear errors, no crash, nothing forwarded, good clients still served', { timeout: 30_000 }, async (t) => {
  const be = await CaptureBackend.start();
  t.after(() => be.close());
  const p = await pickPorts();
  const MAX_BODY = 64 * 1024;
  const col = await startCollector(t, {
    config: `
receivers:${otlpReceiver(p, '        max_recv_msg_size_mib: 1', `        max_request_body_size: ${MAX_BODY}`)}
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
  const traces = `http://127.0.0.1:${p.http}/v1/traces`;
  const client = new grpc.Client(`127.0.0.1:${p.grpc}`, grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': 16 * 1024 * 1024,
  });
  t.after(() => client.close());
  const alive = (what: string) => assert.ok(col.alive(), `collector died after ${what}\n${col.output()}`);

  await t.test('HTTP: malformed protobuf → 400', async () => {
    for (const [what, body] of Object.entries(MALFORMED)) {
      const r = await request('POST', traces, body, { 'content-type': 'application/x-protobuf' });
      assert.equal(r.status, 400, `${what}: status (body: ${r.body})`);
      assertStatusBody(r, 'protobuf', what);
      alive(what);
    }
  });

  await t.test('gRPC: malformed protobuf → INVALID_ARGUMENT', async () => {
    for (const [what, body] of Object.entries(MALFORMED)) {
      const r = await grpcCall(client, TRACE_EXPORT_PATH, body);
      assert.equal(r.code, grpc.status.INVALID_ARGUMENT, `${what}: gRPC status (${r.details})`);
      alive(what);
    }
  });

  await t.test('HTTP: malformed JSON → 400', async () => {
    const bodies = {
      'truncated JSON': '{"resourceSpans": [',
      'not JSON': 'hello',
      'wrong shape (resourceSpans is a number)': '{"resourceSpans": 5}',
      'id that is not hex': '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz","spanId":"0102030405060708","name":"x"}]}]}]}',
    };
    for (const [what, body] of Object.entries(bodies)) {
      const r = await request('POST', traces, body, { 'content-type': 'application/json' });
      assert.equal(r.status, 400, `${what}: status (body: ${r.body})`);
      assertStatusBody(r, 'json', what);
      alive(what);
    }
  });

  await t.test('HTTP: body over max_request_body_size → 413', async () => {
    const big = requestWithSpan('x'.repeat(4 * MAX_BODY));
    const r = await request('POST', traces, big, { 'content-type': 'application/x-protobuf' });
    assert.equal(r.status, 413, `status (body: ${r.body})`);
    alive('oversized body');
  });

  await t.test('HTTP: gzip body that inflates past max_request_body_size is refused (413 or 400)', async () => {
    const bomb = zlib.gzipSync(requestWithSpan('y'.repeat(64 * MAX_BODY)));
    assert.ok(bomb.length < MAX_BODY, 'the compressed body itself is under the limit');
    const r = await request('POST', traces, bomb, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    assert.ok(r.status === 413 || r.status === 400, `status ${r.status} (body: ${r.body})`);
    alive('gzip bomb');
  });

  await t.test('HTTP: content-encoding gzip with a body that is not gzip → 400', async () => {
    const r = await request('POST', traces, requestWithSpan('z'), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    assert.equal(r.status, 400, `status (body: ${r.body})`);
    alive('bad gzip');
  });

  await t.test('gRPC: message over max_recv_msg_size_mib → RESOURCE_EXHAUSTED', async () => {
    const big = requestWithSpan('x'.repeat(2 * 1024 * 1024));
    const r = await grpcCall(client, TRACE_EXPORT_PATH, big);
    assert.equal(r.code, grpc.status.RESOURCE_EXHAUSTED, `gRPC status (${r.details})`);
    alive('oversized gRPC message');
  });

  await t.test('gRPC: unknown method → UNIMPLEMENTED', async () => {
    const r = await grpcCall(client, '/opentelemetry.proto.collector.trace.v1.TraceService/Nope', Buffer.alloc(0));
    assert.equal(r.code, grpc.status.UNIMPLEMENTED, `gRPC status (${r.details})`);
    alive('unknown gRPC method');
  });

  await t.test('HTTP: wrong content type → 415', async () => {
    const r = await request('POST', traces, requestWithSpan('z'), { 'content-type': 'text/plain' });
    assert.equal(r.status, 415, `status (body: ${r.body})`);
    alive('text/plain');
  });

  await t.test('HTTP: wrong path → 404, wrong method → 405', async () => {
    const r = await request('POST', `http://127.0.0.1:${p.http}/v1/nothing`, requestWithSpan('z'), { 'content-type': 'application/x-protobuf' });
    assert.equal(r.status, 404, `POST /v1/nothing (body: ${r.body})`);
    const g = await request('GET', traces, undefined, {});
    assert.equal(g.status, 405, `GET /v1/traces (body: ${g.body})`);
    alive('wrong path / method');
  });

  await t.test('a good SDK client (gRPC and HTTP) still gets every span through, exactly once', async () => {
    const grpcSdk = createSdk({ protocol: 'grpc', url: `http://127.0.0.1:${p.grpc}`, serviceName: 'good-grpc' });
    const httpSdk = createSdk({ protocol: 'http/protobuf', url: traces, serviceName: 'good-http' });
    const expected = [...(await grpcSdk.makeSpans(7, { namePrefix: 'g' })), ...(await httpSdk.makeSpans(5, { namePrefix: 'h' }))];
    await Promise.all([grpcSdk.shutdown(), httpSdk.shutdown()]);
    assert.deepEqual([...grpcSdk.failedExports(), ...httpSdk.failedExports()], [], col.output());
    await be.waitForSpans(expected.length, 10_000);
    await settle(be, 400);
    // Only the good spans arrived: nothing of the malformed or refused requests was forwarded.
    assertExactlyOnce(be.spans(), expected);
    assert.deepEqual(be.decodeErrors(), []);
    alive('good traffic');
  });

  assert.equal(await col.stop(), 0, `exit code after SIGTERM\n${col.output()}`);
});
