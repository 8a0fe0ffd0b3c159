// Sending queues end to end (issue #7), through the real CLI and the real OpenTelemetry JS SDK:
//
// (a) memory queue: the backend refuses everything for 3 s while 2000 spans are sent; retry_on_failure carries
//     them all through once it recovers (exactly once).
// (b) persistent queue (`extensions: file_storage`, `sending_queue.storage: file_storage`), backend DOWN (nothing
//     listens on the exporter's port): 1000 spans are acknowledged to the SDK, the collector is SIGKILLed, then
//     restarted with a live backend: all 1000 arrive (duplicates are allowed: at-least-once; their number is
//     reported). With `service.workers: 2` on LMDB, with the native-free segment log (OTELTS_NATIVE=off), and
//     restarting with fewer workers (2 → 1: worker 0 adopts worker 1's store).
// (c) a damaged record in a segment file (OTELTS_NATIVE=off): the collector starts, logs it, and sends the rest.
//
// The pipelines have no batch processor on purpose: it acknowledges the sender before the exporter has the data,
// so a SIGKILL would lose what it buffers (as in Go). The queue's own batching (sending_queue.batch) is after the
// store.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CaptureBackend, type CapturedSpan } from '../helpers/capture-backend';
import { freePort, startCollector, tempDir, type Collector, type TestLike } from '../helpers/collector';
import { createSdk, type ExpectedSpan } from '../helpers/sdk';
import { oracleDecodeTraces } from '../oracle/otlp-oracle';
import { assertExactlyOnce, otlpReceiver, pickPorts, settle, telemetry } from './e2e-config';

const RETRY = `
    retry_on_failure:
      enabled: true
      initial_interval: 100ms
      max_interval: 300ms
      max_elapsed_time: 120s`;

/** Send `requests` × `perRequest` independent root spans (one SDK export each); all must be acknowledged. */
async function sendSpans(grpcPort: number, requests: number, perRequest: number, tag: string): Promise<ExpectedSpan[]> {
  const sdk = createSdk({ protocol: 'grpc', url: `http://127.0.0.1:${grpcPort}`, serviceName: 'persistent-queue-e2e', timeoutMillis: 10_000 });
  const out: ExpectedSpan[] = [];
  for (let k = 0; k < requests; k++) out.push(...(await sdk.makeSpans(perRequest, { oneTrace: false, namePrefix: `${tag}-r${k}` })));
  await sdk.shutdown();
  assert.deepEqual(sdk.failedExports(), [], 'every export was acknowledged');
  return out;
}

/** Every expected span arrived at least once, nothing else; returns the number of duplicate deliveries. */
function assertAtLeastOnce(got: CapturedSpan[], expected: ExpectedSpan[], output: string): number {
  const want = new Map(expected.map((e) => [e.spanId, e]));
  const seen = new Set<string>();
  let dups = 0;
  for (const s of got) {
    const id = s.span.spanId ?? '';
    const e = want.get(id);
    assert.ok(e, `unexpected span ${s.span.name} (${id})`);
    assert.equal(s.span.name, e.name);
    assert.equal(s.span.traceId, e.traceId);
    if (seen.has(id)) dups++;
    seen.add(id);
  }
  const missing = expected.filter((e) => !seen.has(e.spanId));
  assert.equal(missing.length, 0, `lost ${missing.length} acknowledged spans, e.g. ${missing.slice(0, 5).map((m) => m.name)}\n${output}`);
  return dups;
}

function persistentConfig(p: Awaited<ReturnType<typeof pickPorts>>, dir: string, endpoint: string, workers: number): string {
  return `
extensions:
  file_storage:
    directory: ${dir}
receivers:${otlpReceiver(p)}
exporters:
  otlp:
    endpoint: ${endpoint}
    tls:
      insecure: true
    timeout: 2s${RETRY}
    sending_queue:
      enabled: true
      storage: file_storage
      num_consumers: 4
service:
  extensions: [file_storage]
  workers: ${workers}${telemetry(p)}
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [otlp]
`;
}

async function startPersistent(t: TestLike, dir: string, endpoint: string, workers: number, native: boolean): Promise<{ col: Collector; grpc: number }> {
  const p = await pickPorts();
  const col = await startCollector(t, {
    config: persistentConfig(p, dir, endpoint, workers),
    env: { OTELTS_NATIVE: native ? undefined : 'off' },
    ready: { tcpPorts: [p.grpc, p.http] },
  });
  return { col, grpc: p.grpc };
}

test('memory queue: the backend refuses everything for 3 s while 2000 spans are sent; all arrive once it recovers', { timeout: 40_000 }, async (t) => {
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
      insecure: true${RETRY}
service:${telemetry(p)}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [otlp]
`,
    ready: { tcpPorts: [p.grpc, p.http] },
  });
  be.failNext(1_000_000); // UNAVAILABLE for every request until cleared
  const outageEnds = new Promise<void>((r) => setTimeout(() => {
    be.failNext(0);
    r();
  }, 3000));
  const expected = await sendSpans(p.grpc, 20, 100, 'mem');
  await outageEnds;
  await be.waitForSpans(2000, 20_000).catch((e) => {
    throw new Error(`${(e as Error).message}\n${col.output()}`);
  });
  await settle(be, 500);
  const refused = be.requests.filter((r) => r.refused).length;
  t.diagnostic(`${refused} requests refused during the outage, ${be.accepted().length} accepted`);
  assert.ok(refused > 0, 'the outage was seen by the exporter');
  assertExactlyOnce(be.spans(), expected);
  assert.equal(await col.stop(), 0, col.output());
});

for (const v of [
  { name: 'workers: 2, LMDB', native: true, before: 2, after: 2 },
  { name: 'workers: 2, native-free segment log (OTELTS_NATIVE=off)', native: false, before: 2, after: 2 },
  { name: 'workers 2 → 1 on restart: the orphaned worker store is adopted', native: true, before: 2, after: 1 },
]) {
  test(`persistent queue, SIGKILL with the backend down, restart: all 1000 acknowledged spans arrive (${v.name})`, { timeout: 40_000 }, async (t) => {
    const dir = tempDir(t, 'otelts-e2e-fs-');
    const down = `127.0.0.1:${await freePort()}`; // nothing listens there
    const one = await startPersistent(t, dir, down, v.before, v.native);
    const expected = await sendSpans(one.grpc, 10, 100, 'pq');
    one.col.kill(); // SIGKILL: no shutdown, whatever was in flight is abandoned
    const info = await one.col.exited;
    assert.equal(info.signal, 'SIGKILL');
    const stores = fs.readdirSync(dir).filter((n) => n.startsWith('exporter_otlp_traces_w')).sort();
    assert.deepEqual(stores, ['exporter_otlp_traces_w0', 'exporter_otlp_traces_w1'], 'one store per worker');
    for (const s of stores) {
      const files = fs.readdirSync(path.join(dir, s));
      if (v.native) assert.ok(files.some((f) => f.endsWith('.mdb')), `${s} is an LMDB store: ${files}`);
      else assert.ok(files.some((f) => /^seg-[0-9a-f]{16}\.log$/.test(f)), `${s} is a segment log: ${files}`);
    }

    const be = await CaptureBackend.start();
    t.after(() => be.close());
    const two = await startPersistent(t, dir, be.grpcEndpoint, v.after, v.native);
    await be.waitForSpans(1000, 20_000).catch((e) => {
      throw new Error(`${(e as Error).message}\n${two.col.output()}`);
    });
    await settle(be, 500);
    const dups = assertAtLeastOnce(be.spans(), expected, two.col.output());
    t.diagnostic(`${v.name}: 1000 spans acknowledged, ${be.spans().length} delivered after the restart, ${dups} duplicates`);
    const out = two.col.output();
    assert.match(out, new RegExp(`Resending the requests left in the persistent queue.*${v.native ? 'lmdb' : 'segment-log'}`));
    if (v.after < v.before) {
      assert.match(out, /Adopted the queue of a worker that no longer exists/);
      assert.deepEqual(fs.readdirSync(dir).filter((n) => n.startsWith('exporter_otlp_traces_w')), ['exporter_otlp_traces_w0'], 'the orphan store is removed');
    }
    assert.equal(await two.col.stop(), 0, out);
  });
}

/** The data records of the segment files in `storeDir`: file, offset of the payload, payload. */
function segmentRecords(storeDir: string): Array<{ file: string; payloadAt: number; payload: Buffer }> {
  const out: Array<{ file: string; payloadAt: number; payload: Buffer }> = [];
  for (const name of fs.readdirSync(storeDir).filter((n) => /^seg-[0-9a-f]{16}\.log$/.test(n)).sort()) {
    const file = path.join(storeDir, name);
    const b = fs.readFileSync(file);
    if (b.length < 24) continue;
    let off = 20 + 8 * b.readUInt32LE(16) + 4; // segment header
    while (off + 17 <= b.length) {
      const type = b[off]!;
      const len = b.readUInt32LE(off + 9);
      if (type === 1) out.push({ file, payloadAt: off + 17, payload: b.subarray(off + 17, off + 17 + len) });
      off += 17 + len;
    }
  }
  return out;
}

test('persistent queue (segment log): a damaged record is skipped and logged; the collector starts and sends the rest', { timeout: 40_000 }, async (t) => {
  const dir = tempDir(t, 'otelts-e2e-fs-');
  const down = `127.0.0.1:${await freePort()}`;
  const one = await startPersistent(t, dir, down, 0, false);
  const expected = await sendSpans(one.grpc, 10, 20, 'bad');
  // A graceful stop with the backend down: the sends failing while shutting down stay stored.
  assert.equal(await one.col.stop(), 0, one.col.output());
  const storeDir = path.join(dir, 'exporter_otlp_traces_w0');
  const recs = segmentRecords(storeDir);
  assert.equal(recs.length, 10, `one record per acknowledged request: ${recs.length}`);
  // Damage the 5th record's payload (its length stays valid, its checksum no longer matches).
  const victim = recs[4]!;
  const req = oracleDecodeTraces(victim.payload.subarray(6)) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ spanId: string }> }> }> };
  const lostIds = new Set(req.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.spanId))));
  assert.equal(lostIds.size, 20);
  const fd = fs.openSync(victim.file, 'r+');
  const at = victim.payloadAt + Math.floor(victim.payload.length / 2);
  const byte = Buffer.alloc(1);
  fs.readSync(fd, byte, 0, 1, at);
  byte[0] ^= 0xff;
  fs.writeSync(fd, byte, 0, 1, at);
  fs.closeSync(fd);

  const be = await CaptureBackend.start();
  t.after(() => be.close());
  const two = await startPersistent(t, dir, be.grpcEndpoint, 0, false);
  await be.waitForSpans(180, 20_000).catch((e) => {
    throw new Error(`${(e as Error).message}\n${two.col.output()}`);
  });
  await settle(be, 500);
  assertExactlyOnce(
    be.spans(),
    expected.filter((e) => !lostIds.has(e.spanId)),
  );
  assert.match(two.col.output(), /skipped unreadable records/);
  assert.equal(await two.col.stop(), 0, two.col.output());
});
