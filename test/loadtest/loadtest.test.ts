// `npm run loadtest` as a user runs it, shortened: the report a user reads must be consistent — at a low rate
// everything offered is accepted and arrives at the sink, latencies are ordered, the collector's CPU is measured.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runLoadtest, reportText } from '../../loadtest/run';

test('a 2-second loadtest of the gateway profile at a low rate: nothing refused, nothing lost, a full report', { timeout: 90_000 }, async (t) => {
  const r = await runLoadtest({ profile: 'gateway', protocol: 'both', durationS: 2, connections: 2, spansPerRequest: 64, rate: 20 });
  t.diagnostic(reportText(r));
  assert.ok(r.acceptedSpansPerS > 0, 'spans were accepted');
  assert.equal(r.acceptedSpansPerS, r.offeredSpansPerS, 'at a low rate every answered request was accepted');
  assert.equal(r.refusedRequests, 0);
  assert.equal(r.failedRequests, 0);
  assert.equal(r.lostSpans, 0, 'every acknowledged span reached the sink');
  assert.ok(r.latencyMs.p50 > 0 && r.latencyMs.p50 <= r.latencyMs.p99 && r.latencyMs.p99 <= r.latencyMs.p999 && r.latencyMs.p999 <= r.latencyMs.max);
  assert.ok((r.collectorCpuSecondsPerMillionSpans ?? 0) > 0, 'collector CPU measured');
  assert.ok((r.peakRssMiB ?? 0) > 10, 'peak RSS measured');
  assert.ok(r.bytesPerSpan > 500, 'realistic spans');
});

test('--references: the naive collector and the raw pass-through take the same load, measured the same way, in the same run', { timeout: 120_000 }, async (t) => {
  const r = await runLoadtest({ profile: 'gateway', protocol: 'http', durationS: 2, connections: 2, spansPerRequest: 64, rate: 20, references: true });
  t.diagnostic(reportText(r));
  assert.deepEqual(r.references?.map((x) => x.reference), ['naive', 'passthrough']);
  for (const x of r.references!) {
    assert.equal(x.protocol, 'http', `${x.reference}: the references speak OTLP/HTTP`);
    assert.equal(x.spansPerRequest, r.spansPerRequest, 'same requests');
    assert.equal(x.bytesPerSpan, r.bytesPerSpan, 'same span size');
    assert.ok(x.acceptedSpansPerS > 0, `${x.reference}: spans accepted`);
    assert.equal(x.refusedRequests + x.failedRequests, 0, `${x.reference}: nothing refused at a low rate`);
    assert.equal(x.lostSpans, 0, `${x.reference}: every acknowledged span reached its sink`);
    assert.ok((x.spansPerCollectorCpuSecond ?? 0) > 0 && (x.peakRssMiB ?? 0) > 10, `${x.reference}: CPU and RSS measured`);
    assert.equal(x.profilePerCpuRatio, r.spansPerCollectorCpuSecond! / x.spansPerCollectorCpuSecond!, 'ratio = profile ÷ reference spans per CPU-s');
  }
  assert.match(reportText(r), /reference +naive collector[\s\S]*reference +raw pass-through/);
});

test('--variants: N distinct requests (other trace ids) are sent in turn over both protocols', { timeout: 60_000 }, async () => {
  const http = await import('node:http');
  const grpc = await import('@grpc/grpc-js');
  const crypto = await import('node:crypto');
  const seen = { http: new Set<string>(), grpc: new Set<string>() };
  const digest = (b: Buffer) => crypto.createHash('sha1').update(b).digest('hex');
  const hs = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.http.add(digest(Buffer.concat(chunks)));
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((r) => hs.listen(0, '127.0.0.1', () => r()));
  const gs = new grpc.Server();
  const raw = (b: Buffer) => b;
  gs.addService(
    { Export: { path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export', requestStream: false, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw } },
    { Export: (call: { request: Buffer }, cb: (e: null, r: Buffer) => void) => { seen.grpc.add(digest(call.request)); cb(null, Buffer.alloc(0)); } },
  );
  const gport = await new Promise<number>((res, rej) => gs.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  try {
    const hport = (hs.address() as { port: number }).port;
    const r = await runLoadtest({ target: `127.0.0.1:${hport},${gport}`, protocol: 'both', durationS: 1.5, connections: 2, spansPerRequest: 16, rate: 40, variants: 4 });
    assert.ok(r.acceptedSpansPerS > 0);
    assert.equal(seen.http.size, 4, 'OTLP/HTTP: the 4 variants and no other body');
    assert.equal(seen.grpc.size, 4, 'OTLP/gRPC: the 4 variants and no other body');
    assert.deepEqual([...seen.http].sort(), [...seen.grpc].sort(), 'the same requests over both protocols');
  } finally {
    hs.close();
    gs.forceShutdown();
  }
});
