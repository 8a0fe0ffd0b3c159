import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import { CapturingConsumer } from '../../../src/component/testing';
import { MemoryLimitError, OverloadedError } from '../../../src/errors';
import { PartialSuccessError, RETRY_INFO_TYPE_URL } from '../../../src/receivers/otlp/status';
import { CORPUS_DIR } from '../../helpers/paths';
import { ExportTraceServiceResponse } from '../../oracle/otlp-oracle';
import {
  decodeRpcStatus,
  delay,
  httpRequest,
  LOOPBACK,
  postJson,
  postProto,
  retryInfoSeconds,
  startReceiver,
  traceRequest,
  traceRequestJson,
  type Started,
} from './helpers';

const HTTP_LABELS = { receiver: 'otlp', transport: 'http' };
const LIMIT = 64 * 1024;

describe('otlp receiver over HTTP', () => {
  let r: Started;
  before(async () => {
    r = await startReceiver({ protocols: { http: { endpoint: LOOPBACK, max_request_body_size: LIMIT } } });
  });
  after(async () => {
    await r.stop();
  });

  it('accepts application/x-protobuf and answers an empty protobuf response', async () => {
    const before = r.consumer.spanCount;
    const res = await postProto(r.httpBase, traceRequest(3, { prefix: 'pb' }));
    assert.equal(res.status, 200, res.body.toString());
    assert.equal(res.headers['content-type'], 'application/x-protobuf');
    assert.equal(res.body.length, 0);
    assert.equal(r.consumer.spanCount - before, 3);
    assert.equal(r.consumer.batches.at(-1)!.name(2), 'pb-2');
  });

  it('accepts application/json (with a charset parameter) and answers {}', async () => {
    const before = r.consumer.spanCount;
    const res = await postJson(r.httpBase, traceRequestJson(2, 'js'), { 'Content-Type': 'application/json; charset=utf-8' });
    assert.equal(res.status, 200, res.body.toString());
    assert.equal(res.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(res.body.toString()), {});
    assert.equal(r.consumer.spanCount - before, 2);
    assert.equal(r.consumer.batches.at(-1)!.name(1), 'js-1');
  });

  it('accepts gzip and deflate bodies for protobuf and JSON', async () => {
    const before = r.consumer.spanCount;
    let res = await postProto(r.httpBase, zlib.gzipSync(traceRequest(4, { prefix: 'gz' })), { 'Content-Encoding': 'gzip' });
    assert.equal(res.status, 200, res.body.toString());
    assert.equal(r.consumer.batches.at(-1)!.name(3), 'gz-3');
    res = await postJson(r.httpBase, zlib.gzipSync(traceRequestJson(1, 'gzjson')), { 'Content-Encoding': 'gzip' });
    assert.equal(res.status, 200, res.body.toString());
    assert.equal(r.consumer.batches.at(-1)!.name(0), 'gzjson-0');
    res = await postProto(r.httpBase, zlib.deflateSync(traceRequest(2, { prefix: 'df' })), { 'Content-Encoding': 'deflate' });
    assert.equal(res.status, 200, res.body.toString());
    assert.equal(r.consumer.batches.at(-1)!.name(1), 'df-1');
    assert.equal(r.consumer.spanCount - before, 7);
  });

  it('accepts a chunked body (no Content-Length)', async () => {
    const body = traceRequest(2, { prefix: 'chunked' });
    const res = await postProto(r.httpBase, body, { 'Transfer-Encoding': 'chunked' });
    assert.equal(res.status, 200);
    assert.equal(r.consumer.batches.at(-1)!.name(1), 'chunked-1');
  });

  it('malformed protobuf -> 400 with a protobuf google.rpc.Status body', async () => {
    const res = await postProto(r.httpBase, Uint8Array.from([0x0a, 0x64, 1, 2, 3]));
    assert.equal(res.status, 400);
    assert.equal(res.headers['content-type'], 'application/x-protobuf');
    const st = decodeRpcStatus(res.body);
    assert.equal(st.code, 3, 'INVALID_ARGUMENT');
    assert.ok(st.message.length > 0);
  });

  it('malformed JSON -> 400 with a JSON google.rpc.Status body', async () => {
    const res = await postJson(r.httpBase, '{"resourceSpans": [ {');
    assert.equal(res.status, 400);
    assert.equal(res.headers['content-type'], 'application/json');
    const st = JSON.parse(res.body.toString());
    assert.equal(st.code, 3);
    assert.equal(typeof st.message, 'string');
  });

  it('corrupt gzip -> 400', async () => {
    const res = await postProto(r.httpBase, Buffer.from('definitely not gzip'), { 'Content-Encoding': 'gzip' });
    assert.equal(res.status, 400);
    assert.match(decodeRpcStatus(res.body).message, /gzip/);
  });

  it('unsupported Content-Encoding -> 400 naming it', async () => {
    const res = await postJson(r.httpBase, traceRequestJson(1), { 'Content-Encoding': 'br' });
    assert.equal(res.status, 400);
    assert.match(JSON.parse(res.body.toString()).message, /unsupported Content-Encoding: br/);
    const zstd = await postProto(r.httpBase, traceRequest(1), { 'Content-Encoding': 'zstd' });
    assert.equal(zstd.status, 400);
  });

  it('body above max_request_body_size -> 413 (declared length and chunked)', async () => {
    const big = traceRequest(1000, { attrs: 4 });
    assert.ok(big.length > LIMIT);
    const accepted = r.consumer.spanCount;
    let res = await postProto(r.httpBase, big);
    assert.equal(res.status, 413);
    assert.equal(decodeRpcStatus(res.body).code, 8, 'RESOURCE_EXHAUSTED');
    res = await postProto(r.httpBase, big, { 'Transfer-Encoding': 'chunked' });
    assert.equal(res.status, 413);
    assert.equal(r.consumer.spanCount, accepted, 'nothing reached the pipeline');
  });

  it('a gzip bomb stops at max_request_body_size after decompression -> 413', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(50 * 1024 * 1024)); // 50 MiB of zeros, ~50 KB compressed
    assert.ok(bomb.length < LIMIT);
    const res = await postProto(r.httpBase, bomb, { 'Content-Encoding': 'gzip' });
    assert.equal(res.status, 413);
    const ok = await postProto(r.httpBase, traceRequest(1));
    assert.equal(ok.status, 200, 'still serving');
  });

  it('wrong content type -> 415, wrong path -> 404, wrong method -> 405 with Allow: POST', async () => {
    let res = await postProto(r.httpBase, traceRequest(1), { 'Content-Type': 'text/plain' });
    assert.equal(res.status, 415);
    res = await httpRequest(r.httpBase + '/v1/traces', { method: 'POST', body: traceRequest(1) });
    assert.equal(res.status, 415, 'missing content type');
    res = await postProto(r.httpBase, traceRequest(1), {}, '/v1/tracez');
    assert.equal(res.status, 404);
    res = await postProto(r.httpBase, traceRequest(1), {}, '/v1/metrics');
    assert.equal(res.status, 404, 'no metrics consumer: no metrics path');
    res = await httpRequest(r.httpBase + '/v1/traces', { method: 'GET' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'POST');
  });

  it('accepts the opentelemetry-proto OTLP/JSON trace example (uppercase hex ids) from the corpus', async (t) => {
    const file = path.join(CORPUS_DIR, 'otlp-json', 'trace.json');
    if (!fs.existsSync(file)) return t.skip(`corpus not found at ${file}`);
    const res = await postJson(r.httpBase, fs.readFileSync(file));
    assert.equal(res.status, 200, res.body.toString());
    const b = r.consumer.batches.at(-1)!;
    assert.equal(b.spanCount, 1);
    assert.equal(b.name(0), "I'm a server span");
    assert.equal(b.traceIdHex(0), '5b8efff798038103d269b633813fc60c');
    assert.equal(b.parentSpanIdHex(0), 'eee19b7ec3c1b173');
  });

  it('a query string on the path is ignored', async () => {
    const res = await postProto(r.httpBase, traceRequest(1), {}, '/v1/traces?tenant=a');
    assert.equal(res.status, 200);
  });

  it('a client that stalls or disconnects mid-body does not disturb a concurrent good client', async () => {
    const { port } = new URL(r.httpBase);
    const bad = net.connect(Number(port), '127.0.0.1');
    await new Promise<void>((res) => bad.once('connect', () => res()));
    bad.write('POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: 50000\r\n\r\n');
    bad.write(Buffer.alloc(1000, 0x0a));
    const garbage = net.connect(Number(port), '127.0.0.1');
    await new Promise<void>((res) => garbage.once('connect', () => res()));
    garbage.on('error', () => undefined);
    garbage.write('\x00\x01\x02 not http at all\r\n\r\n');
    const results = await Promise.all([postProto(r.httpBase, traceRequest(2, { prefix: 'good' })), postJson(r.httpBase, traceRequestJson(1, 'good-json'))]);
    assert.deepEqual(results.map((x) => x.status), [200, 200]);
    bad.destroy();
    garbage.destroy();
    await delay(20);
    const after = await postProto(r.httpBase, traceRequest(1));
    assert.equal(after.status, 200);
  });

  it('counts accepted spans per batch (not per request failure)', async () => {
    const before = r.registry.value('otelcol_receiver_accepted_spans', HTTP_LABELS);
    await postProto(r.httpBase, traceRequest(5));
    await postJson(r.httpBase, traceRequestJson(3));
    await postProto(r.httpBase, Uint8Array.from([0xff])); // malformed: not counted
    assert.equal(r.registry.value('otelcol_receiver_accepted_spans', HTTP_LABELS) - before, 8);
  });
});

describe('otlp receiver over HTTP: consumer errors', () => {
  let r: Started;
  let consumer: CapturingConsumer;
  before(async () => {
    consumer = new CapturingConsumer();
    r = await startReceiver({ protocols: { http: { endpoint: LOOPBACK } } }, { consumer });
  });
  after(async () => {
    await r.stop();
  });

  it('memory_limiter refusal -> 503 with Retry-After and RetryInfo in the protobuf Status', async () => {
    consumer.fail = new MemoryLimitError('data refused due to high memory usage', 5);
    try {
      const res = await postProto(r.httpBase, traceRequest(3));
      assert.equal(res.status, 503);
      assert.equal(res.headers['retry-after'], '5');
      const st = decodeRpcStatus(res.body);
      assert.equal(st.message, 'data refused due to high memory usage');
      assert.equal(st.details[0]!.typeUrl, RETRY_INFO_TYPE_URL);
      assert.equal(retryInfoSeconds(st.details[0]!.value), 5);
      assert.equal(r.registry.value('otelcol_receiver_refused_spans', HTTP_LABELS), 3);
    } finally {
      consumer.fail = undefined;
    }
  });

  it('overload refusal in JSON -> 503, Retry-After, protojson Status with RetryInfo', async () => {
    consumer.fail = new OverloadedError('queue is full', 1);
    try {
      const res = await postJson(r.httpBase, traceRequestJson(1));
      assert.equal(res.status, 503);
      assert.equal(res.headers['retry-after'], '1');
      assert.deepEqual(JSON.parse(res.body.toString()), {
        code: 14,
        message: 'queue is full',
        details: [{ '@type': RETRY_INFO_TYPE_URL, retryDelay: '1s' }],
      });
    } finally {
      consumer.fail = undefined;
    }
  });

  it('a plain Error downstream -> 503 without a stack trace', async () => {
    const err = new Error('exporter broke');
    consumer.fail = err;
    try {
      const res = await postJson(r.httpBase, traceRequestJson(1));
      assert.equal(res.status, 503);
      const body = res.body.toString();
      assert.equal(JSON.parse(body).message, 'exporter broke');
      assert.ok(!body.includes(err.stack!.split('\n')[1]!.trim()), 'no stack frames in the body');
    } finally {
      consumer.fail = undefined;
    }
  });

  it('partial success -> 200 with partialSuccess in JSON and protobuf', async () => {
    consumer.fail = new PartialSuccessError(1, 'one span dropped');
    try {
      const js = await postJson(r.httpBase, traceRequestJson(3));
      assert.equal(js.status, 200);
      assert.deepEqual(JSON.parse(js.body.toString()), { partialSuccess: { rejectedSpans: '1', errorMessage: 'one span dropped' } });
      const pb = await postProto(r.httpBase, traceRequest(3));
      assert.equal(pb.status, 200);
      const decoded = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(pb.body), { longs: String });
      assert.deepEqual(decoded, { partialSuccess: { rejectedSpans: '1', errorMessage: 'one span dropped' } });
    } finally {
      consumer.fail = undefined;
    }
  });
});

describe('otlp receiver over HTTP: options', () => {
  let r: Started;
  before(async () => {
    r = await startReceiver({
      protocols: {
        http: {
          endpoint: LOOPBACK,
          traces_url_path: 'custom/traces',
          cors: { allowed_origins: ['https://*.example.com', 'https://exact.test'], max_age: 7200 },
          response_headers: { 'X-Served-By': 'otelcol-ts' },
          compression_algorithms: ['', 'deflate'],
        },
      },
    });
  });
  after(async () => {
    await r.stop();
  });

  it('serves traces on the configured (sanitized) path only', async () => {
    assert.equal((await postProto(r.httpBase, traceRequest(1), {}, '/custom/traces')).status, 200);
    assert.equal((await postProto(r.httpBase, traceRequest(1))).status, 404);
  });

  it('adds response_headers to every response', async () => {
    const res = await postProto(r.httpBase, traceRequest(1), {}, '/custom/traces');
    assert.equal(res.headers['x-served-by'], 'otelcol-ts');
    const nf = await postProto(r.httpBase, traceRequest(1), {}, '/nope');
    assert.equal(nf.headers['x-served-by'], 'otelcol-ts');
  });

  it('compression_algorithms restricts accepted encodings', async () => {
    const gz = await postProto(r.httpBase, zlib.gzipSync(traceRequest(1)), { 'Content-Encoding': 'gzip' }, '/custom/traces');
    assert.equal(gz.status, 400);
    const df = await postProto(r.httpBase, zlib.deflateSync(traceRequest(1)), { 'Content-Encoding': 'deflate' }, '/custom/traces');
    assert.equal(df.status, 200);
  });

  it('answers CORS preflights for allowed origins with 204 and the CORS headers', async () => {
    const res = await httpRequest(r.httpBase + '/custom/traces', {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.equal(res.headers['access-control-allow-methods'], 'POST');
    assert.equal(res.headers['access-control-allow-headers'], 'content-type');
    assert.equal(res.headers['access-control-max-age'], '7200');
  });

  it('gives no CORS grant to other origins', async () => {
    const pre = await httpRequest(r.httpBase + '/custom/traces', {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.test', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(pre.headers['access-control-allow-origin'], undefined);
    const post = await postProto(r.httpBase, traceRequest(1), { Origin: 'https://wwwexample.com' }, '/custom/traces');
    assert.equal(post.status, 200);
    assert.equal(post.headers['access-control-allow-origin'], undefined);
    const okOrigin = await postProto(r.httpBase, traceRequest(1), { Origin: 'https://exact.test' }, '/custom/traces');
    assert.equal(okOrigin.headers['access-control-allow-origin'], 'https://exact.test');
  });
});

describe('otlp receiver over HTTP: request bodies in pooled buffers', () => {
  let r: Started;
  before(async () => {
    r = await startReceiver({ protocols: { http: { endpoint: LOOPBACK, max_request_body_size: 8 << 20 } } });
  });
  after(async () => {
    await r.stop();
  });

  it('batches kept by the pipeline stay intact while later requests reuse the body buffers', async () => {
    // Same-sized requests (same pooled size class) with different contents, in waves of 4 concurrent requests.
    const reqs = Array.from({ length: 16 }, (_, k) => traceRequest(1200, { prefix: `w${String(k).padStart(2, '0')}`, attrs: 8 }));
    assert.ok(reqs[0]!.length > 128 << 10, 'bodies large enough to be pooled');
    const first = r.consumer.batches.length;
    for (let k = 0; k < reqs.length; k += 4) {
      const res = await Promise.all(reqs.slice(k, k + 4).map((b) => postProto(r.httpBase, b)));
      for (const x of res) assert.equal(x.status, 200, x.body.toString());
    }
    const kept = r.consumer.batches.slice(first);
    assert.equal(kept.length, reqs.length);
    const byPrefix = new Map(kept.map((b) => [b.name(0).slice(0, 3), b]));
    for (let k = 0; k < reqs.length; k++) {
      const b = byPrefix.get(`w${String(k).padStart(2, '0')}`);
      assert.ok(b, `request ${k} arrived`);
      assert.deepEqual(Buffer.from(b.encode()), Buffer.from(reqs[k]!), `request ${k} is intact byte for byte after later requests`);
    }
  });
});
