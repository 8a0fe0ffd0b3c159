// The processor worker pool (src/workers, issue #5) seen from outside, through the real CLI (mode `pool`) and the
// real OpenTelemetry JS SDK:
//
// 1. Affinity, no loss, no duplication: traces whose spans are spread over many export requests and over three
//    SDK exporters (gRPC, HTTP/protobuf, HTTP/JSON) at once reach the backend exactly once each, and the debug
//    exporter's dump (which carries `otelcol.worker.thread=<id>` on every record) shows every trace id handled by
//    exactly one worker thread, with both workers used. Metrics and logs pass through the pool too.
// 2. SIGTERM drains the workers: spans held by the workers' batch processors (60 s timeout) are all exported
//    before the process exits 0.
// 3. Faults (OTELTS_TEST_HOOKS=1): a request whose worker dies (exit / uncaught throw) is answered HTTP 500 /
//    gRPC INTERNAL with a clear message — not a hang, not a success; the worker is replaced, later requests
//    succeed and arrive, the restarts are counted on /metrics; a poison request sent five times in a row gets 500
//    five times and the collector keeps serving (no crash loop, the process never exits).
// 4. `service.workers: 0` (no pool) still carries spans.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as crypto from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { ROOT_CONTEXT, ValueType, context, trace, type Span, type Tracer } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { CaptureBackend, TRACE_EXPORT_PATH } from '../helpers/capture-backend';
import { httpGet, sleep, startCollector, type Collector } from '../helpers/collector';
import { createExporter, createLoggerSdk, createMeterSdk, createSdk, type SdkProtocol } from '../helpers/sdk';
import { oracleEncodeTraces } from '../oracle/otlp-oracle';
import { otlpReceiver, pickPorts, settle, sumMetric, telemetry, type Ports } from './e2e-config';

const WAIT_MS = 15_000;

/** A deterministic PRNG (mulberry32): trace sizes and interleaving are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Records every export's outcome (the SDK only logs failures). */
class Recording implements SpanExporter {
  readonly failures: string[] = [];
  exported = 0;
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], cb: Parameters<SpanExporter['export']>[1]): void {
    this.inner.export(spans, (r) => {
      if (r.code === 0) this.exported += spans.length;
      else this.failures.push(String(r.error?.message ?? r.error));
      cb(r);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

function exporterUrl(protocol: SdkProtocol, p: Ports): string {
  return protocol === 'grpc' ? `http://127.0.0.1:${p.grpc}` : `http://127.0.0.1:${p.http}/v1/traces`;
}

/**
 * Trace id → worker thread ids, and span id → number of appearances, from the debug exporter's `detailed` dump.
 * The console logger writes each record as `<ts>\t<level>\t<msg>\t<fields>`; a detailed dump is one record whose
 * message spans many lines (`    Trace ID       : <hex>`, `    ID             : <hex>`) and whose fields, after
 * the last line's tab, include `otelcol.worker.thread=<id>`. Records are split at the timestamp that starts
 * each one, so dumps of the two workers cannot be mixed up even when their output interleaves.
 */
function parseDebugDump(out: string): { threadsByTrace: Map<string, Set<string>>; spanSeen: Map<string, number>; threads: Set<string> } {
  const threadsByTrace = new Map<string, Set<string>>();
  const spanSeen = new Map<string, number>();
  const threads = new Set<string>();
  const records = out.split(/\n(?=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z\t)/);
  for (const rec of records) {
    if (!rec.includes('    Trace ID       : ')) continue;
    const thread = /\totelcol\.worker\.thread=(\d+)/.exec(rec)?.[1];
    assert.ok(thread, `a debug dump record without otelcol.worker.thread:\n${rec.slice(0, 2000)}`);
    threads.add(thread);
    for (const m of rec.matchAll(/^ {4}Trace ID {7}: ([0-9a-f]{32})$/gm)) {
      let s = threadsByTrace.get(m[1]!);
      if (!s) threadsByTrace.set(m[1]!, (s = new Set()));
      s.add(thread);
    }
    for (const m of rec.matchAll(/^ {4}ID {13}: ([0-9a-f]{16})$/gm)) spanSeen.set(m[1]!, (spanSeen.get(m[1]!) ?? 0) + 1);
  }
  return { threadsByTrace, spanSeen, threads };
}

function withOutput<T>(p: Promise<T>, col: Collector): Promise<T> {
  return p.catch((e: unknown) => {
    throw new Error(`${(e as Error).message}\n${col.output().slice(-20_000)}`);
  });
}

test('workers: 2 — every trace stays on one worker, spans from gRPC + HTTP/protobuf + HTTP/JSON arrive exactly once; metrics and logs pass', { timeout: 40_000 }, async (t) => {
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
      insecure: true
  debug:
    verbosity: detailed
service:
  workers: 2${telemetry(p)}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [otlp, debug]
    metrics:
      receivers: [otlp]
      processors: [batch]
      exporters: [otlp]
    logs:
      receivers: [otlp]
      processors: [batch]
      exporters: [otlp]
`,
    ready: { tcpPorts: [p.grpc, p.http] },
  });

  // Three tracer providers, one per OTLP transport, each with its own exporter (its own connection) and a small
  // export batch, so one trace's spans travel in many requests over all three transports.
  const protocols: SdkProtocol[] = ['grpc', 'http/protobuf', 'http/json'];
  const recs = protocols.map((proto) => new Recording(createExporter(proto, exporterUrl(proto, p))));
  const providers = recs.map(
    (rec, i) =>
      new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': `workers-e2e-${protocols[i]}` }),
        spanProcessors: [new BatchSpanProcessor(rec, { maxExportBatchSize: 7, maxQueueSize: 4096, scheduledDelayMillis: 50 })],
      }),
  );
  const tracers: Tracer[] = providers.map((pr) => pr.getTracer('workers-e2e', '1.0.0'));

  // 60 traces of 5..20 spans. The root of each trace is started by one provider; its children are started (and
  // ended) round after round, each by a randomly chosen provider, with a flush of all providers between rounds.
  const rnd = prng(0x5eed5);
  const TRACES = 60;
  const sizes = Array.from({ length: TRACES }, () => 5 + Math.floor(rnd() * 16));
  const roots: Span[] = [];
  const rootTracer: number[] = [];
  const expected = new Map<string, string>(); // span id → trace id
  for (let i = 0; i < TRACES; i++) {
    const k = Math.floor(rnd() * 3);
    const root = tracers[k]!.startSpan(`trace-${i}-root`);
    roots.push(root);
    rootTracer.push(k);
    expected.set(root.spanContext().spanId, root.spanContext().traceId);
  }
  const remaining = sizes.map((n) => n - 1);
  for (let round = 0; remaining.some((n) => n > 0); round++) {
    for (let i = 0; i < TRACES; i++) {
      if (remaining[i]! === 0) continue;
      remaining[i]!--;
      const ctx = trace.setSpan(context.active(), roots[i]!);
      const child = tracers[Math.floor(rnd() * 3)]!.startSpan(`trace-${i}-child-${round}`, { attributes: { round } }, ctx);
      expected.set(child.spanContext().spanId, child.spanContext().traceId);
      child.end();
    }
    if (round % 3 === 2) await Promise.all(providers.map((pr) => pr.forceFlush()));
  }
  for (const r of roots) r.end();
  await Promise.all(providers.map((pr) => pr.shutdown()));
  for (const [i, rec] of recs.entries()) assert.deepEqual(rec.failures, [], `${protocols[i]} exports failed`);
  const total = sizes.reduce((a, b) => a + b, 0);
  assert.equal(expected.size, total);
  assert.equal(recs.reduce((a, r) => a + r.exported, 0), total, 'the SDKs exported every span');
  for (const [i, rec] of recs.entries()) assert.ok(rec.exported > 0, `${protocols[i]} carried spans`);

  // Metrics and logs through the same pool.
  const ms = createMeterSdk({ protocol: 'grpc', url: `http://127.0.0.1:${p.grpc}`, serviceName: 'workers-e2e' });
  ms.meter.createCounter('workers.e2e.requests', { valueType: ValueType.INT }).add(7, { route: '/a' });
  await ms.shutdown();
  assert.deepEqual(ms.failedExports().map((r) => r.error), []);
  const ls = createLoggerSdk({ protocol: 'http/protobuf', url: `http://127.0.0.1:${p.http}/v1/logs`, serviceName: 'workers-e2e' });
  for (let i = 0; i < 5; i++) ls.logger.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: `log ${i}`, context: ROOT_CONTEXT });
  await ls.shutdown();
  assert.deepEqual(ls.failedExports().map((r) => r.error), []);

  await withOutput(be.waitForSpans(total, WAIT_MS), col);
  await withOutput(be.waitForDataPoints(1, WAIT_MS), col);
  await withOutput(be.waitForLogRecords(5, WAIT_MS), col);
  await settle(be, 400);
  assert.deepEqual(be.decodeErrors().map((r) => r.error), []);

  // Every span exactly once, with its trace id.
  const seen = new Map<string, number>();
  for (const s of be.spans()) {
    const id = s.span.spanId!;
    seen.set(id, (seen.get(id) ?? 0) + 1);
    assert.equal(s.span.traceId, expected.get(id), `span ${s.span.name} (${id}): unexpected span or wrong trace id`);
  }
  assert.deepEqual([...seen].filter(([, n]) => n !== 1), [], 'spans delivered more than once');
  assert.deepEqual([...expected.keys()].filter((id) => !seen.has(id)), [], 'spans lost');
  assert.equal(be.spanCount(), total);
  const point = be.dataPoints().find((d) => d.metric.name === 'workers.e2e.requests');
  assert.equal(point?.point.asInt, '7', 'the counter arrived');
  assert.deepEqual(be.logRecords().map((r) => r.logRecord.body?.stringValue).sort(), ['log 0', 'log 1', 'log 2', 'log 3', 'log 4']);

  // Affinity, from the debug exporter's dump: every trace id was handled by exactly one worker thread.
  const out = col.stderr() + '\n' + col.stdout();
  const dump = parseDebugDump(out);
  assert.equal(dump.spanSeen.size, total, 'the debug exporter dumped every span');
  assert.deepEqual([...dump.spanSeen].filter(([, n]) => n !== 1), [], 'spans dumped more than once');
  const traceIds = new Set(expected.values());
  assert.deepEqual([...traceIds].filter((tid) => !dump.threadsByTrace.has(tid)), [], 'traces missing from the debug dump');
  const split = [...dump.threadsByTrace].filter(([, s]) => s.size !== 1).map(([tid, s]) => `${tid}: threads ${[...s].join(',')}`);
  assert.deepEqual(split, [], 'traces whose spans went to more than one worker');
  // Both workers got traces: with 60 random trace ids hashed over 2 workers, the chance that one worker gets
  // none is 2 × 2^-60 — negligible.
  assert.equal(dump.threads.size, 2, `worker threads seen: ${[...dump.threads].join(',')}`);

  assert.ok(col.alive(), col.output());
  assert.equal(await col.stop(WAIT_MS), 0, col.output());
});

test('workers: 2 — SIGTERM drains spans held by the workers\' batch processors (60 s timeout) before exiting 0', { timeout: 30_000 }, async (t) => {
  const be = await CaptureBackend.start();
  t.after(() => be.close());
  const p = await pickPorts();
  const col = await startCollector(t, {
    config: `
receivers:${otlpReceiver(p)}
processors:
  batch:
    timeout: 60s
    send_batch_size: 100000
exporters:
  otlp:
    endpoint: ${be.grpcEndpoint}
    tls:
      insecure: true
service:
  workers: 2${telemetry(p)}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [otlp]
`,
    ready: { tcpPorts: [p.grpc, p.http] },
  });
  // 500 spans in 50 traces (so both workers hold some), 10 exports of 50 spans each, every one awaited.
  const sdk = createSdk({ protocol: 'http/protobuf', url: `http://127.0.0.1:${p.http}/v1/traces`, serviceName: 'drain' });
  const expected: string[] = [];
  for (let i = 0; i < 50; i++) {
    const spans = await sdk.makeSpans(10, { namePrefix: `t${i}` });
    expected.push(...spans.map((s) => s.spanId));
  }
  await sdk.shutdown();
  assert.deepEqual(sdk.failedExports(), [], col.output());
  assert.equal(sdk.outcomes().reduce((a, o) => a + o.spans, 0), 500);

  // Accepted (counted on /metrics) but held in the workers.
  let text = '';
  for (let i = 0; i < 50; i++) {
    text = (await httpGet(`http://127.0.0.1:${p.metrics}/metrics`)).body;
    if (sumMetric(text, 'otelcol_receiver_accepted_spans') === 500) break;
    await sleep(100);
  }
  assert.equal(sumMetric(text, 'otelcol_receiver_accepted_spans'), 500, text);
  await sleep(300);
  assert.equal(be.requests.length, 0, 'the batch processors hold the spans until shutdown');

  assert.equal(await col.stop(WAIT_MS), 0, `exit code after SIGTERM\n${col.output()}`);
  await settle(be, 200, 2000);
  const got = be.spans().map((s) => s.span.spanId!);
  assert.equal(new Set(got).size, got.length, 'no span exported twice');
  assert.deepEqual(expected.filter((id) => !got.includes(id)), [], 'spans lost at shutdown');
  assert.equal(got.length, 500);
});

// ---- fault tests: hand-made requests so the exact answer can be checked

const hex = (n: number) => crypto.randomBytes(n).toString('hex');

/** A canonical ExportTraceServiceRequest: one span per name, each in its own trace (random ids). */
function tracesRequest(names: string[]): { body: Record<string, unknown>; spanIds: string[] } {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = names.map((name) => ({ traceId: hex(16), spanId: hex(8), name, kind: 1, startTimeUnixNano: String(now), endTimeUnixNano: String(now + 1000n) }));
  return {
    body: { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'faults' } }] }, scopeSpans: [{ scope: { name: 'faults' }, spans }] }] },
    spanIds: spans.map((s) => s.spanId),
  };
}

function postJson(port: number, body: Record<string, unknown>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/v1/traces', method: 'POST', timeout: WAIT_MS, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error('OTLP/HTTP request timed out (a hang)')));
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

function exportGrpc(client: grpc.Client, body: Record<string, unknown>): Promise<{ code: number; details: string }> {
  // protobufjs' fromObject form wants the ids as bytes, not hex.
  const withBytes = JSON.parse(JSON.stringify(body), (k, v: unknown) => ((k === 'traceId' || k === 'spanId') && typeof v === 'string' ? Buffer.from(v, 'hex') : v)) as Record<string, unknown>;
  const bytes = Buffer.from(oracleEncodeTraces(withBytes));
  return new Promise((resolve) =>
    client.makeUnaryRequest(TRACE_EXPORT_PATH, (b: Buffer) => b, (b: Buffer) => b, bytes, new grpc.Metadata(), { deadline: Date.now() + WAIT_MS }, (err) =>
      resolve(err ? { code: err.code ?? -1, details: err.details ?? '' } : { code: 0, details: '' }),
    ),
  );
}

test('workers: 2 — a worker that exits or throws fails its request with 500 / INTERNAL, is replaced, and the collector keeps serving', { timeout: 40_000 }, async (t) => {
  const be = await CaptureBackend.start();
  t.after(() => be.close());
  const p = await pickPorts();
  const col = await startCollector(t, {
    config: `
receivers:${otlpReceiver(p)}
exporters:
  otlp:
    endpoint: ${be.grpcEndpoint}
    tls:
      insecure: true
service:
  workers: 2${telemetry(p)}
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [otlp]
`,
    env: { OTELTS_TEST_HOOKS: '1' },
    ready: { tcpPorts: [p.grpc, p.http] },
  });
  let exited = false;
  col.exited.then(() => (exited = true), () => undefined);
  const client = new grpc.Client(`127.0.0.1:${p.grpc}`, grpc.credentials.createInsecure());
  t.after(() => client.close());
  const delivered: string[] = [];

  /** A normal request with 8 traces (both workers get some): succeeds and arrives. */
  const normal = async (via: 'http' | 'grpc', label: string) => {
    const r = tracesRequest(Array.from({ length: 8 }, (_, i) => `${label}-${i}`));
    if (via === 'http') {
      const res = await postJson(p.http, r.body);
      assert.equal(res.status, 200, `${label}: ${res.text}\n${col.output()}`);
    } else {
      const res = await exportGrpc(client, r.body);
      assert.equal(res.code, grpc.status.OK, `${label}: ${res.details}\n${col.output()}`);
    }
    delivered.push(...r.spanIds);
    await withOutput(be.waitForSpans(delivered.length, WAIT_MS), col);
    const got = new Set(be.spans().map((s) => s.span.spanId));
    assert.deepEqual(r.spanIds.filter((id) => !got.has(id)), [], `${label}: spans lost`);
  };
  /** A request carrying only a killing span: answered 500 / INTERNAL with a message saying a worker failed. */
  const killing = async (via: 'http' | 'grpc', hook: string) => {
    const r = tracesRequest([hook]);
    if (via === 'http') {
      const res = await postJson(p.http, r.body);
      assert.equal(res.status, 500, `${hook} over HTTP: ${res.text}\n${col.output()}`);
      assert.match(res.text, /worker.*failed/i, `${hook}: the error says a worker failed`);
    } else {
      const res = await exportGrpc(client, r.body);
      assert.equal(res.code, grpc.status.INTERNAL, `${hook} over gRPC: ${res.code} ${res.details}\n${col.output()}`);
      assert.match(res.details, /worker.*failed/i, `${hook}: the error says a worker failed`);
    }
  };
  const restarts = async () => sumMetric((await httpGet(`http://127.0.0.1:${p.metrics}/metrics`)).body, 'otelcol_worker_restarts') ?? 0;

  await normal('http', 'before');
  assert.equal(await restarts(), 0);

  await killing('http', 'otelts.test.worker-exit');
  await normal('http', 'after-exit-http');
  await killing('grpc', 'otelts.test.worker-exit');
  await normal('grpc', 'after-exit-grpc');
  assert.equal(await restarts(), 2, 'otelcol_worker_restarts_total counts each replaced worker');

  await killing('http', 'otelts.test.worker-throw');
  await normal('http', 'after-throw-http');
  await killing('grpc', 'otelts.test.worker-throw');
  await normal('grpc', 'after-throw-grpc');
  assert.equal(await restarts(), 4, 'otelcol_worker_restarts_total counts each replaced worker');

  // Poison: the same killing request, five times in a row — five 500s, then normal service.
  const poison = tracesRequest(['otelts.test.worker-exit']).body;
  for (let i = 0; i < 5; i++) {
    const res = await postJson(p.http, poison);
    assert.equal(res.status, 500, `poison #${i}: ${res.text}\n${col.output()}`);
  }
  await normal('http', 'after-poison');
  await normal('grpc', 'after-poison-grpc');
  assert.equal(await restarts(), 9, 'every killed worker was replaced, once');

  // Nothing of a killing request arrived; every normal span arrived exactly once.
  await settle(be, 300);
  const names = be.spans().map((s) => s.span.name ?? '');
  assert.deepEqual(names.filter((nm) => nm.startsWith('otelts.test.')), []);
  assert.equal(be.spanCount(), delivered.length, 'no duplicates');

  assert.equal(exited, false, 'the collector process never exited');
  assert.ok(col.alive(), col.output());
  assert.equal(await col.stop(WAIT_MS), 0, col.output());
});

test('workers: 0 — the single-threaded path still carries spans', { timeout: 20_000 }, async (t) => {
  const be = await CaptureBackend.start();
  t.after(() => be.close());
  const p = await pickPorts();
  const col = await startCollector(t, {
    config: `
receivers:${otlpReceiver(p)}
exporters:
  otlp:
    endpoint: ${be.grpcEndpoint}
    tls:
      insecure: true
service:
  workers: 0${telemetry(p)}
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [otlp]
`,
    ready: { tcpPorts: [p.grpc, p.http] },
  });
  const sdk = createSdk({ protocol: 'grpc', url: `http://127.0.0.1:${p.grpc}`, serviceName: 'single' });
  const expected = await sdk.makeSpans(10);
  await sdk.shutdown();
  assert.deepEqual(sdk.failedExports(), [], col.output());
  await withOutput(be.waitForSpans(10, WAIT_MS), col);
  assert.deepEqual(be.spans().map((s) => s.span.spanId).sort(), expected.map((e) => e.spanId).sort());
  const text = (await httpGet(`http://127.0.0.1:${p.metrics}/metrics`)).body;
  assert.equal(sumMetric(text, 'otelcol_worker_inflight_limit_bytes'), undefined, 'no worker pool with workers: 0');
  assert.doesNotMatch(col.output(), /Worker pool started/);
  assert.equal(await col.stop(WAIT_MS), 0, col.output());
});
