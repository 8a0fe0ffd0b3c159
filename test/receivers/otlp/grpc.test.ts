import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import { CapturingConsumer } from '../../../src/component/testing';
import { MemoryLimitError, OverloadedError } from '../../../src/errors';
import { GRPC_FLOW_CONTROL_WINDOW } from '../../../src/receivers/otlp/grpc-server';
import { PartialSuccessError, RETRY_INFO_TYPE_URL } from '../../../src/receivers/otlp/status';
import { ExportTraceServiceResponse } from '../../oracle/otlp-oracle';
import { decodeRpcStatus, LOOPBACK, rawTraceClient, retryInfoSeconds, startReceiver, traceRequest, type Started } from './helpers';

const METRIC_LABELS = { receiver: 'otlp', transport: 'grpc' };

describe('otlp receiver over gRPC (grpc-js client, raw bytes)', () => {
  let r: Started;
  before(async () => {
    r = await startReceiver({ protocols: { grpc: { endpoint: LOOPBACK, max_recv_msg_size_mib: 1 } } });
  });
  after(async () => {
    await r.stop();
  });

  it('accepts a protobuf request, hands the spans to the consumer and answers an empty response', async () => {
    const client = rawTraceClient(r.grpcTarget);
    try {
      const before = r.consumer.spanCount;
      const res = await client.export(traceRequest(5, { prefix: 'plain' }));
      assert.equal(res.error, undefined, res.error?.message);
      assert.equal(res.response!.length, 0, 'full success is an empty ExportTraceServiceResponse');
      assert.equal(r.consumer.spanCount - before, 5);
      const batch = r.consumer.batches.at(-1)!;
      assert.equal(batch.name(0), 'plain-0');
      assert.equal(batch.name(4), 'plain-4');
    } finally {
      client.close();
    }
  });

  it('accepts gzip-compressed requests (grpc-encoding: gzip)', async () => {
    const client = rawTraceClient(r.grpcTarget, { compression: 'gzip' });
    try {
      const before = r.consumer.spanCount;
      const res = await client.export(traceRequest(7, { prefix: 'gz' }));
      assert.equal(res.error, undefined, res.error?.message);
      assert.equal(r.consumer.spanCount - before, 7);
      assert.equal(r.consumer.batches.at(-1)!.name(6), 'gz-6');
    } finally {
      client.close();
    }
  });

  it('answers INVALID_ARGUMENT to a malformed message and stays up', async () => {
    const client = rawTraceClient(r.grpcTarget);
    try {
      // field 1 (resource_spans), length-delimited, claims 100 bytes but has 3.
      const res = await client.export(Uint8Array.from([0x0a, 0x64, 1, 2, 3]));
      assert.equal(res.error?.code, grpc.status.INVALID_ARGUMENT, res.error?.message);
      const ok = await client.export(traceRequest(1));
      assert.equal(ok.error, undefined);
    } finally {
      client.close();
    }
  });

  it('answers RESOURCE_EXHAUSTED to a message above max_recv_msg_size_mib', async () => {
    const client = rawTraceClient(r.grpcTarget, { options: { 'grpc.max_send_message_length': 64 * 1024 * 1024 } });
    try {
      const big = traceRequest(6000, { attrs: 8 }); // > 1 MiB
      assert.ok(big.length > 1024 * 1024, `request is ${big.length} bytes`);
      const res = await client.export(big);
      assert.equal(res.error?.code, grpc.status.RESOURCE_EXHAUSTED, res.error?.message);
    } finally {
      client.close();
    }
  });

  it('answers RESOURCE_EXHAUSTED to a gzip bomb (limit applies after decompression)', async () => {
    const client = rawTraceClient(r.grpcTarget, { compression: 'gzip' });
    try {
      const big = traceRequest(6000, { attrs: 8 });
      assert.ok(zlib.gzipSync(big).length < 1024 * 1024, 'compressed it is under the limit');
      const res = await client.export(big);
      assert.equal(res.error?.code, grpc.status.RESOURCE_EXHAUSTED, res.error?.message);
    } finally {
      client.close();
    }
  });

  it('answers OK with no consumer call for an empty request', async () => {
    const client = rawTraceClient(r.grpcTarget);
    try {
      const batches = r.consumer.batches.length;
      const res = await client.export(new Uint8Array(0));
      assert.equal(res.error, undefined);
      assert.equal(r.consumer.batches.length, batches);
    } finally {
      client.close();
    }
  });

  it('counts accepted spans per batch with receiver and transport labels', async () => {
    const client = rawTraceClient(r.grpcTarget);
    try {
      const before = r.registry.value('otelcol_receiver_accepted_spans', METRIC_LABELS);
      await client.export(traceRequest(4));
      await client.export(traceRequest(6));
      assert.equal(r.registry.value('otelcol_receiver_accepted_spans', METRIC_LABELS) - before, 10);
      const text = r.registry.renderPrometheus();
      assert.match(text, /otelcol_receiver_accepted_spans_total\{receiver="otlp",transport="grpc"\} \d+/);
      assert.match(text, /otelcol_receiver_refused_spans_total\{receiver="otlp",transport="grpc"\}/);
    } finally {
      client.close();
    }
  });

  it('a garbage connection does not disturb a concurrent good client', async () => {
    const [host, port] = [r.grpcTarget.slice(0, r.grpcTarget.lastIndexOf(':')), Number(r.grpcTarget.slice(r.grpcTarget.lastIndexOf(':') + 1))];
    const bad = net.connect(port, host);
    bad.on('error', () => undefined);
    await new Promise<void>((res) => bad.once('connect', () => res()));
    bad.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n\x00\x01garbage');
    const client = rawTraceClient(r.grpcTarget);
    try {
      const res = await client.export(traceRequest(2, { prefix: 'good' }));
      assert.equal(res.error, undefined, res.error?.message);
      assert.equal(r.consumer.batches.at(-1)!.name(1), 'good-1');
    } finally {
      bad.destroy();
      client.close();
    }
  });

  it('raises the HTTP/2 stream and connection windows it advertises', async () => {
    const session = http2.connect(`http://${r.grpcTarget}`);
    try {
      await new Promise<void>((resolve, reject) => {
        session.once('remoteSettings', () => resolve());
        session.once('error', reject);
      });
      assert.equal(session.remoteSettings.initialWindowSize, GRPC_FLOW_CONTROL_WINDOW);
      // The connection-level window update arrives right after the SETTINGS frame.
      for (let i = 0; i < 50 && (session.state.remoteWindowSize ?? 0) < GRPC_FLOW_CONTROL_WINDOW; i++) await new Promise((res) => setTimeout(res, 10));
      assert.ok((session.state.remoteWindowSize ?? 0) >= GRPC_FLOW_CONTROL_WINDOW, `connection window ${session.state.remoteWindowSize}`);
    } finally {
      session.destroy();
    }
  });
});

describe('otlp receiver over gRPC: consumer errors', () => {
  let r: Started;
  let consumer: CapturingConsumer;
  before(async () => {
    consumer = new CapturingConsumer();
    r = await startReceiver({ protocols: { grpc: { endpoint: LOOPBACK } } }, { consumer });
  });
  after(async () => {
    await r.stop();
  });

  it('a memory_limiter refusal is UNAVAILABLE (as Go sends) with google.rpc.RetryInfo, and counts refused spans', async () => {
    consumer.fail = new MemoryLimitError('data refused due to high memory usage', 3);
    const client = rawTraceClient(r.grpcTarget);
    try {
      const res = await client.export(traceRequest(4));
      assert.equal(res.error?.code, grpc.status.UNAVAILABLE);
      assert.match(res.error!.details, /high memory usage/);
      const bin = res.error!.metadata.get('grpc-status-details-bin')[0];
      assert.ok(Buffer.isBuffer(bin), 'grpc-status-details-bin present');
      const st = decodeRpcStatus(bin as Buffer);
      assert.equal(st.code, grpc.status.UNAVAILABLE);
      assert.equal(st.message, 'data refused due to high memory usage');
      assert.equal(st.details.length, 1);
      assert.equal(st.details[0]!.typeUrl, RETRY_INFO_TYPE_URL);
      assert.equal(retryInfoSeconds(st.details[0]!.value), 3);
      assert.equal(r.registry.value('otelcol_receiver_refused_spans', METRIC_LABELS), 4);
      assert.equal(r.registry.value('otelcol_receiver_accepted_spans', METRIC_LABELS), 0);
    } finally {
      consumer.fail = undefined;
      client.close();
    }
  });

  it('an overloaded pipeline is UNAVAILABLE with RetryInfo', async () => {
    consumer.fail = new OverloadedError('sending queue is full', 2);
    const client = rawTraceClient(r.grpcTarget);
    try {
      const res = await client.export(traceRequest(1));
      assert.equal(res.error?.code, grpc.status.UNAVAILABLE);
      const st = decodeRpcStatus(res.error!.metadata.get('grpc-status-details-bin')[0] as Buffer);
      assert.equal(retryInfoSeconds(st.details[0]!.value), 2);
    } finally {
      consumer.fail = undefined;
      client.close();
    }
  });

  it('a plain Error downstream is UNAVAILABLE (retryable), like Go, without a stack trace', async () => {
    consumer.fail = new Error('backend exploded');
    const client = rawTraceClient(r.grpcTarget);
    try {
      const res = await client.export(traceRequest(1));
      assert.equal(res.error?.code, grpc.status.UNAVAILABLE);
      assert.equal(res.error?.details, 'backend exploded');
      assert.doesNotMatch(res.error!.details, /at .*\.js/);
    } finally {
      consumer.fail = undefined;
      client.close();
    }
  });

  it('a partial success is OK with partial_success.rejected_spans', async () => {
    consumer.fail = new PartialSuccessError(2, '2 spans had invalid ids');
    const client = rawTraceClient(r.grpcTarget);
    const acceptedBefore = r.registry.value('otelcol_receiver_accepted_spans', METRIC_LABELS);
    const refusedBefore = r.registry.value('otelcol_receiver_refused_spans', METRIC_LABELS);
    try {
      const res = await client.export(traceRequest(5));
      assert.equal(res.error, undefined);
      const decoded = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(res.response!), { longs: String });
      assert.deepEqual(decoded, { partialSuccess: { rejectedSpans: '2', errorMessage: '2 spans had invalid ids' } });
      assert.equal(r.registry.value('otelcol_receiver_accepted_spans', METRIC_LABELS) - acceptedBefore, 3);
      assert.equal(r.registry.value('otelcol_receiver_refused_spans', METRIC_LABELS) - refusedBefore, 2);
    } finally {
      consumer.fail = undefined;
      client.close();
    }
  });

  it('serves HTTP only when configured: the HTTP port is not open', () => {
    assert.equal(r.receiver.httpAddress, undefined);
  });
});
