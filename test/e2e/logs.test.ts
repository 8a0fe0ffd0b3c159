// Logs end to end, as a new user would run them: an application instrumented with the OpenTelemetry JS SDK
// (LoggerProvider + batch or simple processor + the official OTLP log exporters) emits records with string
// bodies, map (kvlist) bodies, nested and array values, bytes, no body, attributes of every type, all 24
// severity numbers with their text, event names, trace context and explicit timestamps; otelcol-ts runs
//   otlp receiver → memory_limiter → batch → otlp / otlphttp exporter
// and a real OTLP backend (decoding with the protobufjs oracle) receives the result. Every record must arrive
// exactly once and identical to what the SDK exported, and carry what the application emitted.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { SeverityNumber, type LogAttributes, type LogBody } from '@opentelemetry/api-logs';
import { httpGet, sleep, startCollector } from '../helpers/collector';
import { createLoggerSdk, type SdkProtocol, type TestLoggerSdk } from '../helpers/sdk';
import { SignalBackend, anyPlain, assertSameRows, flattenLogs, kvObject, settleBackend, type FlatLog } from '../helpers/capture-signals';
import { otlpReceiver, pickPorts, sumMetric, telemetry, type Ports } from './e2e-config';

const SERVICE = 'auth-service';
const N = 48; // two of each severity number 1..24

function logsConfig(p: Ports, exporterId: string, exporterBody: string): string {
  return `
receivers:${otlpReceiver(p)}
processors:
  memory_limiter:
    check_interval: 1s
    limit_mib: 512
    spike_limit_mib: 128
  batch:
    send_batch_size: 20
    timeout: 200ms
exporters:
  ${exporterId}:
${exporterBody}
service:${telemetry(p)}
  pipelines:
    logs:
      receivers: [otlp]
      processors: [memory_limiter, batch]
      exporters: [${exporterId}]
`;
}

const SEVERITY_TEXT = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
/** "WARN", "WARN2", … for severity numbers 1..24. */
export function severityText(n: number): string {
  const base = SEVERITY_TEXT[Math.floor((n - 1) / 4)]!;
  const k = ((n - 1) % 4) + 1;
  return k === 1 ? base : `${base}${k}`;
}

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';
const BASE_MS = Date.UTC(2024, 5, 1, 12, 0, 0);

/** What record i looks like: every kind of body and attribute, in rotation. */
export interface EmittedLog {
  seq: number;
  severityNumber: number;
  severityText: string;
  body: LogBody | undefined;
  /** The body as the backend's plain form gives it (int64 as decimal strings, bytes hex). */
  bodyPlain: unknown;
  attributes: LogAttributes;
  eventName?: string;
  withTrace: boolean;
  timeMs: number;
}

export function logPlan(n: number): EmittedLog[] {
  const out: EmittedLog[] = [];
  for (let i = 0; i < n; i++) {
    const sev = (i % 24) + 1;
    const kind = i % 6;
    let body: LogBody | undefined;
    let bodyPlain: unknown;
    switch (kind) {
      case 0:
        body = `user u-${i} signed in from 10.0.${i}.7`;
        bodyPlain = body;
        break;
      case 1:
        body = {
          message: 'payment declined',
          code: 402 + i,
          retryable: i % 2 === 0,
          amount: 12.5 + i,
          tags: ['card', 'visa', `t${i}`],
          details: { provider: 'stripe', attempt: 2, nested: { deep: [1, 'two', false] } },
          raw: new Uint8Array([0xde, 0xad, i & 0xff]),
        };
        bodyPlain = {
          message: 'payment declined',
          code: String(402 + i),
          retryable: i % 2 === 0,
          amount: 12.5 + i,
          tags: ['card', 'visa', `t${i}`],
          details: { provider: 'stripe', attempt: '2', nested: { deep: ['1', 'two', false] } },
          raw: Buffer.from([0xde, 0xad, i & 0xff]).toString('hex'),
        };
        break;
      case 2:
        body = undefined; // no body at all
        bodyPlain = undefined;
        break;
      case 3:
        body = ''; // an empty string body is a present string
        bodyPlain = '';
        break;
      case 4:
        body = ['multi', 'line', 'stack', i];
        bodyPlain = ['multi', 'line', 'stack', String(i)];
        break;
      default:
        body = `GET /api/v1/orders/${i} 200 ${(i * 1.7).toFixed(1)}ms — ünïcödé ✓`;
        bodyPlain = body;
    }
    out.push({
      seq: i,
      severityNumber: sev,
      severityText: severityText(sev),
      body,
      bodyPlain,
      attributes: {
        'log.seq': i,
        'http.route': '/login',
        'user.admin': i % 5 === 0,
        'latency.ms': i + 0.25,
        'labels': ['a', `b${i}`],
        ...(i % 3 === 0 ? { 'exception.type': 'PaymentError', 'exception.stacktrace': `PaymentError: declined\n    at charge (pay.js:${i}:7)` } : {}),
      },
      eventName: i % 8 === 3 ? 'checkout.completed' : undefined,
      withTrace: i % 2 === 1,
      timeMs: BASE_MS + i * 10,
    });
  }
  return out;
}

/**
 * Emit the plan. `serial`: wait for each record's export before the next (the simple processor exports every
 * record at once, and the SDK's OTLP exporters refuse more than 30 concurrent exports).
 */
export async function emitLogs(sdk: TestLoggerSdk, plan: readonly EmittedLog[], serial = false): Promise<void> {
  const traced = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });
  for (const e of plan) {
    sdk.logger.emit({
      severityNumber: e.severityNumber as SeverityNumber,
      severityText: e.severityText,
      body: e.body,
      attributes: e.attributes,
      eventName: e.eventName,
      timestamp: e.timeMs,
      observedTimestamp: e.timeMs + 3,
      context: e.withTrace ? traced : ROOT_CONTEXT,
    });
    if (serial) await sdk.flush();
  }
}

/** Each received record carries what the application emitted. */
export function checkEmitted(got: FlatLog[], plan: readonly EmittedLog[]): void {
  const bySeq = new Map<number, FlatLog>();
  for (const r of got) {
    const seq = Number(kvObject(r.record.attributes)['log.seq']);
    assert.ok(!bySeq.has(seq), `record ${seq} delivered twice`);
    bySeq.set(seq, r);
  }
  for (const e of plan) {
    const r = bySeq.get(e.seq);
    assert.ok(r, `record ${e.seq} missing`);
    const rec = r.record;
    assert.equal(rec.severityNumber, e.severityNumber, `severity number of ${e.seq}`);
    assert.equal(rec.severityText, e.severityText, `severity text of ${e.seq}`);
    assert.deepEqual(anyPlain(rec.body as Record<string, unknown> | undefined), e.bodyPlain, `body of ${e.seq}`);
    if (e.body === undefined) assert.equal(rec.body, undefined, `record ${e.seq} has no body`);
    assert.equal(rec.eventName, e.eventName, `event name of ${e.seq}`);
    assert.equal(rec.timeUnixNano, String(BigInt(e.timeMs) * 1_000_000n), `time of ${e.seq}`);
    assert.equal(rec.observedTimeUnixNano, String(BigInt(e.timeMs + 3) * 1_000_000n), `observed time of ${e.seq}`);
    if (e.withTrace) {
      assert.equal(rec.traceId, TRACE_ID, `trace id of ${e.seq}`);
      assert.equal(rec.spanId, SPAN_ID, `span id of ${e.seq}`);
      assert.equal(rec.flags, 1, `flags of ${e.seq}`);
    } else {
      assert.equal(rec.traceId, undefined, `record ${e.seq} has no trace id`);
    }
    const attrs = kvObject(rec.attributes);
    assert.equal(attrs['log.seq'], String(e.seq));
    assert.deepEqual(attrs['labels'], ['a', `b${e.seq}`]);
    assert.equal(attrs['latency.ms'], e.seq + 0.25);
    assert.equal(attrs['user.admin'], e.seq % 5 === 0);
    assert.equal(kvObject(r.resource.attributes)['service.name'], SERVICE);
    assert.equal(r.scope.name, 'auth');
    assert.equal(r.scope.version, '0.9.0');
  }
  assert.equal(got.length, plan.length, 'number of records');
}

interface Variant {
  title: string;
  sdkProtocol: SdkProtocol;
  processor: 'simple' | 'batch';
  exporterId: string;
  exporterBody: (be: SignalBackend) => string;
  transport: 'grpc' | 'http';
  contentType: string;
}

const variants: Variant[] = [
  {
    title: 'SDK OTLP/gRPC (batch processor) → otlp exporter',
    sdkProtocol: 'grpc',
    processor: 'batch',
    exporterId: 'otlp',
    exporterBody: (be) => `    endpoint: ${be.grpcEndpoint}\n    tls:\n      insecure: true`,
    transport: 'grpc',
    contentType: 'application/grpc',
  },
  {
    title: 'SDK OTLP/HTTP protobuf (simple processor: one request per record) → otlphttp exporter (protobuf)',
    sdkProtocol: 'http/protobuf',
    processor: 'simple',
    exporterId: 'otlphttp',
    exporterBody: (be) => `    endpoint: ${be.httpEndpoint}`,
    transport: 'http',
    contentType: 'application/x-protobuf',
  },
  {
    title: 'SDK OTLP/HTTP JSON (batch processor) → otlphttp exporter with encoding: json',
    sdkProtocol: 'http/json',
    processor: 'batch',
    exporterId: 'otlphttp/json',
    exporterBody: (be) => `    endpoint: ${be.httpEndpoint}\n    encoding: json\n    compression: none`,
    transport: 'http',
    contentType: 'application/json',
  },
];

function loggerSdk(protocol: SdkProtocol, url: string, processor: 'simple' | 'batch'): TestLoggerSdk {
  return createLoggerSdk({ protocol, url, serviceName: SERVICE, resourceAttributes: { 'k8s.pod.name': 'auth-7d9f' }, processor, scopeName: 'auth', scopeVersion: '0.9.0' });
}

for (const v of variants) {
  test(`logs e2e: ${v.title}`, { timeout: 30_000 }, async (t) => {
    const be = await SignalBackend.start();
    t.after(() => be.close());
    const p = await pickPorts();
    const col = await startCollector(t, { config: logsConfig(p, v.exporterId, v.exporterBody(be)), ready: { tcpPorts: [p.grpc, p.http] } });
    const url = v.sdkProtocol === 'grpc' ? `http://127.0.0.1:${p.grpc}` : `http://127.0.0.1:${p.http}/v1/logs`;
    const sdk = loggerSdk(v.sdkProtocol, url, v.processor);
    const plan = logPlan(N);
    await emitLogs(sdk, plan, v.processor === 'simple');
    await sdk.shutdown();
    assert.deepEqual(sdk.failedExports().map((r) => r.error), [], `the SDK's exports to otelcol-ts failed\n${col.output()}`);
    const sent = flattenLogs(sdk.sentRequests());
    assert.equal(sent.length, N, 'the SDK exported every record');
    if (v.processor === 'simple') assert.equal(sdk.sent().length, N, 'one export per record');

    await be.waitForItems('logs', N, 10_000).catch((e) => {
      throw new Error(`${(e as Error).message}\n${col.output()}`);
    });
    await settleBackend(be, 600);
    assert.deepEqual(be.decodeErrors().map((r) => r.error), [], 'the backend could not decode what otelcol-ts sent');

    const got = be.logRecords();
    assertSameRows(got, sent, 'log records at the backend vs exported by the SDK');
    checkEmitted(got, plan);

    const reqs = be.accepted('logs');
    for (const r of reqs) {
      assert.equal(r.transport, v.transport);
      assert.equal(r.contentType, v.contentType);
      if (v.transport === 'http') assert.equal(r.path, '/v1/logs');
    }
    if (v.processor === 'simple') {
      // 48 one-record requests through send_batch_size 20: batches of at most 20 records.
      for (const r of reqs) assert.ok(r.itemCount >= 1 && r.itemCount <= 20, `batch sizes ${reqs.map((x) => x.itemCount).join(', ')}`);
      assert.ok(reqs.length >= 3, `expected ≥ 3 batches, got ${reqs.length}`);
    }

    const metricsUrl = `http://127.0.0.1:${p.metrics}/metrics`;
    let text = '';
    for (let i = 0; i < 20; i++) {
      text = (await httpGet(metricsUrl)).body;
      if (sumMetric(text, 'otelcol_exporter_sent_log_records') === N) break;
      await sleep(100);
    }
    assert.equal(sumMetric(text, 'otelcol_receiver_accepted_log_records'), N, `otelcol_receiver_accepted_log_records\n${text}`);
    assert.equal(sumMetric(text, 'otelcol_exporter_sent_log_records'), N, `otelcol_exporter_sent_log_records\n${text}`);

    assert.ok(col.alive(), `collector died\n${col.output()}`);
    assert.equal(await col.stop(), 0, `exit code after SIGTERM\n${col.output()}`);
    assert.equal(be.itemCount('logs'), N, 'nothing more arrived at shutdown');
  });
}

for (const protocol of ['grpc', 'http/protobuf', 'http/json'] as SdkProtocol[]) {
  test(`logs harness: SDK ${protocol} → signal backend directly`, { timeout: 15_000 }, async (t) => {
    const be = await SignalBackend.start();
    t.after(() => be.close());
    const url = protocol === 'grpc' ? `http://${be.grpcEndpoint}` : `${be.httpEndpoint}/v1/logs`;
    const sdk = loggerSdk(protocol, url, 'batch');
    const plan = logPlan(N);
    await emitLogs(sdk, plan);
    await sdk.shutdown();
    assert.deepEqual(sdk.failedExports().map((r) => r.error), []);
    await be.waitForItems('logs', N, 5000);
    assert.deepEqual(be.decodeErrors().map((r) => r.error), []);
    assertSameRows(be.logRecords(), flattenLogs(sdk.sentRequests()), 'records at the backend vs sent by the SDK');
    checkEmitted(be.logRecords(), plan);
  });
}
