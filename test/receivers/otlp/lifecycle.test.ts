import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CapturingConsumer, testHost, testSettings } from '../../../src/component/testing';
import type { TracesConsumer } from '../../../src/component/types';
import { parseOrThrow } from '../../../src/config/schema';
import type { TraceBatch } from '../../../src/pdata/traces';
import { otlpReceiverConfigSchema } from '../../../src/receivers/otlp/config';
import { otlpReceiverFactory } from '../../../src/receivers/otlp/factory';
import type { OtlpReceiver } from '../../../src/receivers/otlp/receiver';
import { delay, LOOPBACK, postProto, rawTraceClient, startReceiver, traceRequest } from './helpers';

/** A consumer whose consumeTraces() waits until release() is called. */
class GateConsumer implements TracesConsumer {
  readonly capabilities = { mutatesData: false };
  entered = 0;
  spans = 0;
  private waiters: Array<() => void> = [];
  async consumeTraces(batch: TraceBatch): Promise<void> {
    this.entered++;
    await new Promise<void>((r) => this.waiters.push(r));
    this.spans += batch.spanCount;
  }
  release(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await delay(5);
  }
}

function create(raw: unknown, consumer: TracesConsumer = new CapturingConsumer()): OtlpReceiver {
  const cfg = parseOrThrow(otlpReceiverConfigSchema, raw, 'receivers.otlp');
  return otlpReceiverFactory.create(testSettings('otlp/life', 'receiver'), cfg, { traces: consumer }) as OtlpReceiver;
}

describe('otlp receiver lifecycle', () => {
  it('opens ports only in start(), closes them in shutdown(); both are idempotent', async () => {
    const [gp, hp] = [await freePort(), await freePort()];
    const r = create({ protocols: { grpc: { endpoint: `127.0.0.1:${gp}` }, http: { endpoint: `127.0.0.1:${hp}` } } });
    assert.equal(await canConnect(gp), false, 'no gRPC port before start');
    assert.equal(await canConnect(hp), false, 'no HTTP port before start');
    const host = testHost();
    await Promise.all([r.start(host), r.start(host)]);
    await r.start(host);
    assert.equal(r.grpcAddress, `127.0.0.1:${gp}`);
    assert.equal(r.httpAddress, `127.0.0.1:${hp}`);
    assert.equal(await canConnect(gp), true);
    assert.equal(await canConnect(hp), true);
    await Promise.all([r.shutdown(), r.shutdown()]);
    await r.shutdown();
    assert.equal(await canConnect(gp), false, 'gRPC port closed');
    assert.equal(await canConnect(hp), false, 'HTTP port closed');
  });

  it('shutdown() before start() resolves', async () => {
    const r = create({ protocols: { http: { endpoint: LOOPBACK } } });
    await r.shutdown();
    await r.shutdown();
  });

  it('`localhost` listens on 127.0.0.1 like Go, and port 0 reports the bound port', async () => {
    const r = create({ protocols: { grpc: { endpoint: 'localhost:0' }, http: { endpoint: 'localhost:0' } } });
    await r.start(testHost());
    try {
      assert.match(r.grpcAddress!, /^127\.0\.0\.1:\d+$/);
      assert.match(r.httpAddress!, /^127\.0\.0\.1:\d+$/);
      assert.notEqual(r.httpPort, 0);
      assert.notEqual(r.grpcPort, 0);
    } finally {
      await r.shutdown();
    }
  });

  it('a port in use fails start() with a clear error naming the endpoint', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const h = create({ protocols: { http: { endpoint: `127.0.0.1:${port}` } } });
      await assert.rejects(h.start(testHost()), (e: Error) => {
        assert.match(e.message, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: address already in use`));
        assert.match(e.message, /receiver "otlp\/life"/);
        return true;
      });
      await h.shutdown();
      const g = create({ protocols: { grpc: { endpoint: `127.0.0.1:${port}` } } });
      await assert.rejects(g.start(testHost()), /gRPC server: cannot listen on 127\.0\.0\.1:\d+: address already in use/);
      await g.shutdown();
    } finally {
      blocker.close();
    }
  });

  it('when HTTP cannot start, the already started gRPC server is closed again', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    const gp = await freePort();
    try {
      const r = create({ protocols: { grpc: { endpoint: `127.0.0.1:${gp}` }, http: { endpoint: `127.0.0.1:${port}` } } });
      await assert.rejects(r.start(testHost()), /address already in use/);
      assert.equal(await canConnect(gp), false, 'gRPC port released');
      await r.shutdown();
    } finally {
      blocker.close();
    }
  });

  it('listens on unix sockets (transport: unix) for both protocols', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otlp-uds-'));
    const grpcSock = path.join(dir, 'grpc.sock');
    const httpSock = path.join(dir, 'http.sock');
    const consumer = new CapturingConsumer();
    const r = create({ protocols: { grpc: { transport: 'unix', endpoint: grpcSock }, http: { transport: 'unix', endpoint: httpSock } } }, consumer);
    await r.start(testHost());
    const client = rawTraceClient(`unix:${grpcSock}`);
    try {
      assert.equal(r.grpcAddress, grpcSock);
      const g = await client.export(traceRequest(1, { prefix: 'uds-grpc' }));
      assert.equal(g.error, undefined, g.error?.message);
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request({ socketPath: httpSock, path: '/v1/traces', method: 'POST', headers: { 'Content-Type': 'application/x-protobuf' } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(Buffer.from(traceRequest(1, { prefix: 'uds-http' })));
      });
      assert.equal(status, 200);
      assert.deepEqual(consumer.batches.map((b) => b.name(0)), ['uds-grpc-0', 'uds-http-0']);
    } finally {
      client.close();
      await r.shutdown();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an invalid endpoint fails start() clearly', async () => {
    const r = create({ protocols: { http: { endpoint: 'no-port-here' } } });
    await assert.rejects(r.start(testHost()), /invalid endpoint "no-port-here": missing port/);
  });

  it('shutdown lets in-flight HTTP and gRPC requests finish, and refuses new connections meanwhile', async () => {
    const gate = new GateConsumer();
    const s = await startReceiver(undefined, { consumer: gate as unknown as CapturingConsumer });
    const client = rawTraceClient(s.grpcTarget);
    try {
      const httpP = postProto(s.httpBase, traceRequest(2));
      const grpcP = client.export(traceRequest(3));
      await until(() => gate.entered === 2);
      assert.equal(s.registry.value('otelcol_receiver_inflight_requests', { transport: 'http' }), 1);
      assert.equal(s.registry.value('otelcol_receiver_inflight_requests', { transport: 'grpc' }), 1);
      assert.ok(s.registry.value('otelcol_receiver_inflight_bytes', { transport: 'grpc' }) > 0);
      const stopped = s.receiver.shutdown();
      let stoppedYet = false;
      void stopped.then(() => (stoppedYet = true));
      await delay(50);
      assert.equal(stoppedYet, false, 'shutdown waits for in-flight requests');
      assert.equal(await canConnect(Number(new URL(s.httpBase).port)), false, 'no new HTTP connections');
      gate.release();
      const [h, g] = await Promise.all([httpP, grpcP]);
      assert.equal(h.status, 200);
      assert.equal(g.error, undefined, g.error?.message);
      await stopped;
      assert.equal(gate.spans, 5);
      assert.equal(s.registry.value('otelcol_receiver_inflight_bytes'), 0, 'nothing held after the answers');
    } finally {
      client.close();
    }
  });

  it('shutdown is bounded when a request never finishes', async () => {
    const gate = new GateConsumer();
    const s = await startReceiver(undefined, { consumer: gate as unknown as CapturingConsumer, receiverOptions: { shutdownGraceMs: 200 } });
    const client = rawTraceClient(s.grpcTarget);
    try {
      const httpP = postProto(s.httpBase, traceRequest(1)).then(
        (r) => r.status,
        () => 'connection closed',
      );
      const grpcP = client.export(traceRequest(1));
      await until(() => gate.entered === 2);
      await s.receiver.shutdown(); // resolves although the consumer never answers
      assert.equal(await httpP, 'connection closed');
      const g = await grpcP;
      assert.ok(g.error, 'the gRPC call failed');
      assert.ok([grpc.status.UNAVAILABLE, grpc.status.CANCELLED, grpc.status.INTERNAL].includes(g.error!.code), `code ${g.error!.code}`);
    } finally {
      gate.release();
      client.close();
    }
  });
});
