// Back-pressure of the worker pool (src/workers/pool.ts) seen from outside: a sender far faster than the workers
// gets retryable refusals (HTTP 429 + Retry-After, gRPC RESOURCE_EXHAUSTED + google.rpc.RetryInfo) instead of
// the collector buffering without bound; memory stays below the memory_limiter's limit; every span whose request
// was acknowledged reaches the backend; and the refusals are counted on /metrics as the clients saw them.
//
// The workers are made slow without sleeping in product code: their otlphttp exporter (no sending queue, no
// retries) sends to a backend that answers each request after ~200 ms, so a worker holds each batch until the
// backend answers. `service.worker_inflight_mib: 1` with ~1 MiB requests means a worker holds one batch at a
// time (a worker with nothing in flight always takes one batch, and a 1 MiB request's batch — wire bytes plus
// columns — is above 1 MiB), so the 1 MiB minimum is fine-grained enough here.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import * as protobuf from 'protobufjs';
import { TRACE_EXPORT_PATH } from '../helpers/capture-backend';
import { httpGet, sleep, startCollector } from '../helpers/collector';
import { realisticRequest } from '../../bench/fixtures/realistic';
import { otlpReceiver, pickPorts, sumMetric, telemetry } from './e2e-config';

const LIMIT_MIB = 400;
const BACKEND_DELAY_MS = 200;
const SPANS_PER_REQUEST = 1150; // ~1 MiB of realistic spans
const TOTAL_REQUESTS = 120;
/** Pause of a sender after a refusal: far below the 1 s retry hint, so the senders stay far faster than the workers. */
const REFUSED_PAUSE_MS = 40;
const HTTP_SENDERS = 6;
const GRPC_SENDERS = 2;

// ---- a minimal protobuf reader (independent of src/pdata): span ids of an ExportTraceServiceRequest

function varint(b: Uint8Array, pos: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (;;) {
    const c = b[pos++]!;
    v += (c & 0x7f) * mul;
    if (c < 0x80) return [v, pos];
    mul *= 128;
  }
}

/** Calls `f(fieldNumber, start, end)` for every length-delimited field of the message in b[start, end). */
function eachLenField(b: Uint8Array, start: number, end: number, f: (field: number, s: number, e: number) => void): void {
  let pos = start;
  while (pos < end) {
    let key: number;
    [key, pos] = varint(b, pos);
    const wire = key & 7;
    if (wire === 0) [, pos] = varint(b, pos);
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      let len: number;
      [len, pos] = varint(b, pos);
      f(key >>> 3, pos, pos + len);
      pos += len;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
}

/** Offsets of the 8 span_id bytes of every span (resource_spans=1 → scope_spans=2 → spans=2 → span_id=2). */
function spanIdOffsets(b: Uint8Array): number[] {
  const out: number[] = [];
  eachLenField(b, 0, b.length, (f1, s1, e1) => {
    if (f1 !== 1) return;
    eachLenField(b, s1, e1, (f2, s2, e2) => {
      if (f2 !== 2) return;
      eachLenField(b, s2, e2, (f3, s3, e3) => {
        if (f3 !== 2) return;
        eachLenField(b, s3, e3, (f4, s4, e4) => {
          if (f4 === 2 && e4 - s4 === 8) out.push(s4);
        });
      });
    });
  });
  return out;
}

function spanIdsOf(b: Uint8Array): string[] {
  return spanIdOffsets(b).map((o) => Buffer.from(b.buffer, b.byteOffset + o, 8).toString('hex'));
}

// ---- google.rpc.Status / RetryInfo (grpc-status-details-bin)

const rpcRoot = protobuf.Root.fromJSON({
  nested: {
    Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
    Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
    Status: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 }, details: { rule: 'repeated', type: 'Any', id: 3 } } },
    RetryInfo: { fields: { retry_delay: { type: 'Duration', id: 1 } } },
  },
});
const RpcStatus = rpcRoot.lookupType('Status');
const RetryInfo = rpcRoot.lookupType('RetryInfo');

/** Retry delay in seconds from grpc-status-details-bin, or undefined when there is no RetryInfo. */
function retryDelayOf(md: grpc.Metadata | undefined): number | undefined {
  const raw = md?.get('grpc-status-details-bin')[0];
  if (!raw) return undefined;
  const st = RpcStatus.toObject(RpcStatus.decode(raw as Buffer), { longs: Number, defaults: true }) as { details: Array<{ type_url: string; value: Uint8Array }> };
  const ri = st.details.find((d) => d.type_url === 'type.googleapis.com/google.rpc.RetryInfo');
  if (!ri) return undefined;
  const o = RetryInfo.toObject(RetryInfo.decode(ri.value), { longs: Number, defaults: true }) as { retry_delay?: { seconds: number; nanos: number } };
  return (o.retry_delay?.seconds ?? 0) + (o.retry_delay?.nanos ?? 0) / 1e9;
}

// ---- a slow OTLP/HTTP backend: records span ids, answers 200 after BACKEND_DELAY_MS

async function slowBackend(): Promise<{ port: number; spans: Set<string>; requests: () => number; duplicates: () => number; close: () => Promise<void> }> {
  const spans = new Set<string>();
  let requests = 0;
  let duplicates = 0;
  const timers = new Set<NodeJS.Timeout>();
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      for (const id of spanIdsOf(Buffer.concat(chunks))) {
        if (spans.has(id)) duplicates++;
        spans.add(id);
      }
      const t = setTimeout(() => {
        timers.delete(t);
        res.writeHead(200, { 'Content-Type': 'application/x-protobuf' });
        res.end();
      }, BACKEND_DELAY_MS);
      timers.add(t);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as { port: number }).port,
    spans,
    requests: () => requests,
    duplicates: () => duplicates,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      srv.closeAllConnections();
      await new Promise<void>((r) => srv.close(() => r()));
    },
  };
}

function rssMiB(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

interface Outcome {
  index: number;
  transport: 'http' | 'grpc';
  /** HTTP status, or gRPC code. */
  status: number;
  retryAfter?: string;
  retryDelay?: number;
  spanIds: string[];
}

test('workers overloaded: 429/RESOURCE_EXHAUSTED with retry hints, bounded memory, acknowledged spans delivered, refusals counted', { timeout: 45_000 }, async (t) => {
  if (!fs.existsSync('/proc/self/status')) {
    t.skip('needs /proc to read the collector RSS');
    return;
  }
  const be = await slowBackend();
  t.after(() => be.close());
  const p = await pickPorts();
  const col = await startCollector(t, {
    config: `
receivers:${otlpReceiver(p)}
processors:
  memory_limiter:
    check_interval: 100ms
    limit_mib: ${LIMIT_MIB}
    spike_limit_mib: 80
exporters:
  otlphttp:
    endpoint: http://127.0.0.1:${be.port}
    compression: none
    timeout: 10s
    sending_queue:
      enabled: false
    retry_on_failure:
      enabled: false
service:
  workers: 2
  worker_inflight_mib: 1${telemetry(p)}
    logs:
      level: error
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter]
      exporters: [otlphttp]
`,
    ready: { tcpPorts: [p.grpc, p.http, p.metrics] },
  });
  const pid = col.pid!;

  // One realistic ~1 MiB request; every request sent is a copy with its own span ids (request index written into
  // the first 4 bytes of each span id), so arrival can be checked span by span.
  const base = Buffer.from(realisticRequest({ spans: SPANS_PER_REQUEST, seed: 5 }).bytes);
  const offsets = spanIdOffsets(base);
  assert.equal(offsets.length, SPANS_PER_REQUEST);
  assert.equal(new Set(offsets.map((o) => base.readUInt32BE(o + 4))).size, SPANS_PER_REQUEST, 'base span ids differ in their last 4 bytes');
  const requestBody = (i: number): Buffer => {
    const b = Buffer.from(base);
    for (const o of offsets) b.writeUInt32BE(0x70000000 + i, o);
    return b;
  };

  let maxRss = 0;
  const rssSamples: number[] = [];
  const sampler = setInterval(() => {
    const r = rssMiB(pid);
    if (r !== undefined) {
      rssSamples.push(r);
      maxRss = Math.max(maxRss, r);
    }
  }, 50);
  t.after(() => clearInterval(sampler));

  const agent = new http.Agent({ keepAlive: true, maxSockets: HTTP_SENDERS });
  t.after(() => agent.destroy());
  const client = new grpc.Client(`127.0.0.1:${p.grpc}`, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 8 << 20 });
  t.after(() => client.close());

  let next = 0;
  const outcomes: Outcome[] = [];
  const postHttp = (body: Buffer) =>
    new Promise<{ status: number; retryAfter?: string }>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: p.http, path: '/v1/traces', method: 'POST', agent, timeout: 15_000, headers: { 'content-type': 'application/x-protobuf' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('HTTP request timed out')));
      req.on('error', reject);
      req.end(body);
    });
  const exportGrpc = (body: Buffer) =>
    new Promise<{ status: number; retryDelay?: number }>((resolve) =>
      client.makeUnaryRequest(TRACE_EXPORT_PATH, (b: Buffer) => b, (b: Buffer) => b, body, new grpc.Metadata(), { deadline: Date.now() + 15_000 }, (err) =>
        resolve(err ? { status: err.code ?? -1, retryDelay: retryDelayOf(err.metadata) } : { status: 0 }),
      ),
    );
  const sender = async (transport: 'http' | 'grpc') => {
    for (;;) {
      const index = next++;
      if (index >= TOTAL_REQUESTS) return;
      const body = requestBody(index);
      const spanIds = spanIdsOf(body);
      const o: Outcome = transport === 'http' ? { index, transport, spanIds, ...(await postHttp(body)) } : { index, transport, spanIds, ...(await exportGrpc(body)) };
      outcomes.push(o);
      if (o.status !== (transport === 'http' ? 200 : 0)) await sleep(REFUSED_PAUSE_MS);
    }
  };
  const started = Date.now();
  await Promise.all([...Array.from({ length: HTTP_SENDERS }, () => sender('http')), ...Array.from({ length: GRPC_SENDERS }, () => sender('grpc'))]);
  const elapsed = Date.now() - started;
  clearInterval(sampler);
  await sleep(300); // let the backend's last answers and the counters settle

  const http2xx = outcomes.filter((o) => o.transport === 'http' && o.status === 200);
  const http429 = outcomes.filter((o) => o.transport === 'http' && o.status === 429);
  const http503 = outcomes.filter((o) => o.transport === 'http' && o.status === 503);
  const grpcOk = outcomes.filter((o) => o.transport === 'grpc' && o.status === grpc.status.OK);
  const grpcExhausted = outcomes.filter((o) => o.transport === 'grpc' && o.status === grpc.status.RESOURCE_EXHAUSTED);
  const grpcUnavailable = outcomes.filter((o) => o.transport === 'grpc' && o.status === grpc.status.UNAVAILABLE);
  t.diagnostic(
    `${outcomes.length} requests in ${elapsed} ms: HTTP 200 ${http2xx.length}, 429 ${http429.length}, 503 ${http503.length}; ` +
      `gRPC OK ${grpcOk.length}, RESOURCE_EXHAUSTED ${grpcExhausted.length}, UNAVAILABLE ${grpcUnavailable.length}; ` +
      `backend got ${be.requests()} requests, ${be.spans.size} spans; collector RSS max ${maxRss.toFixed(0)} MiB over ${rssSamples.length} samples`,
  );

  // Only success and retryable refusals: no 500 (a worker failing), no other code.
  const unexpected = outcomes.filter((o) => (o.transport === 'http' ? ![200, 429, 503].includes(o.status) : ![0, 8, 14].includes(o.status)));
  assert.deepEqual(unexpected.map((o) => `${o.transport} #${o.index}: ${o.status}`), [], col.output());
  assert.equal(outcomes.length, TOTAL_REQUESTS);

  // The overload is visible to the senders, with a retry hint.
  assert.ok(http429.length + grpcExhausted.length > 0, 'a sender faster than the workers gets 429 / RESOURCE_EXHAUSTED');
  assert.ok(http429.length > 0, 'HTTP senders see 429');
  assert.ok(grpcExhausted.length > 0, 'gRPC senders see RESOURCE_EXHAUSTED');
  for (const o of http429) assert.match(o.retryAfter ?? '', /^\d+$/, `HTTP 429 #${o.index} carries Retry-After`);
  for (const o of grpcExhausted) assert.ok((o.retryDelay ?? 0) > 0, `gRPC RESOURCE_EXHAUSTED #${o.index} carries a RetryInfo delay (${o.retryDelay})`);
  for (const o of http503) assert.match(o.retryAfter ?? '', /^\d+$/, `HTTP 503 #${o.index} (memory_limiter) carries Retry-After`);
  // ... and the collector still makes progress.
  assert.ok(http2xx.length + grpcOk.length > 0, 'some requests are accepted');

  // Memory stays bounded.
  assert.ok(rssSamples.length > 0, 'RSS was sampled');
  assert.ok(maxRss < LIMIT_MIB, `collector RSS peaked at ${maxRss.toFixed(0)} MiB, above the memory_limiter limit ${LIMIT_MIB} MiB`);

  // Every acknowledged span reached the backend.
  const acked = [...http2xx, ...grpcOk];
  const missing = acked.flatMap((o) => o.spanIds.filter((id) => !be.spans.has(id)).map(() => o.index));
  assert.deepEqual([...new Set(missing)], [], 'requests acknowledged but (partly) not delivered');
  const refusedOutcomes = outcomes.filter((o) => !acked.includes(o));
  if (http503.length + grpcUnavailable.length === 0) {
    // Refused as a whole before any part was handed to a worker: nothing of a refused request arrives.
    const leaked = refusedOutcomes.filter((o) => o.spanIds.some((id) => be.spans.has(id))).map((o) => o.index);
    assert.deepEqual(leaked, [], 'refused requests must not be (partly) delivered');
    assert.equal(be.spans.size, acked.length * SPANS_PER_REQUEST, 'the backend got exactly the acknowledged spans');
  }
  assert.equal(be.duplicates(), 0, 'no span was exported twice');

  // The refusals are counted as the clients saw them.
  const text = (await httpGet(`http://127.0.0.1:${p.metrics}/metrics`)).body;
  const refusedSpans = refusedOutcomes.length * SPANS_PER_REQUEST;
  assert.equal(sumMetric(text, 'otelcol_receiver_refused_spans') ?? 0, refusedSpans, `otelcol_receiver_refused_spans\n${text}`);
  assert.equal(sumMetric(text, 'otelcol_receiver_accepted_spans') ?? 0, acked.length * SPANS_PER_REQUEST, 'otelcol_receiver_accepted_spans');
  assert.equal(sumMetric(text, 'otelcol_worker_refused_batches') ?? 0, http429.length + grpcExhausted.length, `otelcol_worker_refused_batches\n${text}`);
  assert.equal(sumMetric(text, 'otelcol_exporter_sent_spans') ?? 0, be.spans.size, 'otelcol_exporter_sent_spans (merged over the workers)');
  assert.equal(sumMetric(text, 'otelcol_worker_inflight_bytes'), 0, 'nothing left in flight');

  assert.ok(col.alive(), col.output());
  assert.equal(await col.stop(), 0, col.output());
});
