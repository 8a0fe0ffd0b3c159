import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as net from 'node:net';
import * as YAML from 'yaml';
import { otlpExporterFactory } from '../../../src/exporters/otlp/factory';
import { parseOrThrow } from '../../../src/config/schema';
import { ConfigError, OverloadedError } from '../../../src/errors';
import { TraceBatch } from '../../../src/pdata/traces';
import { testHost, testSettings } from '../../../src/component/testing';
import type { TracesExporter } from '../../../src/component/types';
import { oracleDecodeTraces } from '../../oracle/otlp-oracle';
import { OtlpBackend } from '../../helpers/otlp-backend';
import { CORPUS_DIR } from '../../helpers/paths';
import { TEST_CA_PEM } from '../../helpers/test-certs';
import { richRequestBytes, spansRequestBytes } from '../fixtures';
import { capturingLogger, until, type LogRecord } from '../util';

let be: OtlpBackend;
before(async () => {
  be = await OtlpBackend.start();
});
after(async () => {
  await be.close();
});

const FAST_RETRY = { initial_interval: '10ms', max_interval: '50ms', max_elapsed_time: '5s' };

function config(over: Record<string, unknown> = {}) {
  return parseOrThrow(
    otlpExporterFactory.configSchema,
    { endpoint: be.grpcEndpoint, tls: { insecure: true }, retry_on_failure: FAST_RETRY, sending_queue: { enabled: false }, ...over },
    'exporters.otlp',
  );
}

async function exporterWith(over: Record<string, unknown> = {}, level: 'normal' | 'detailed' = 'normal') {
  const logs: LogRecord[] = [];
  const base = testSettings('otlp/be', 'exporter');
  const set = { ...base, logger: capturingLogger(logs), metricsLevel: level };
  const exp: TracesExporter = otlpExporterFactory.createTraces!(set, config(over));
  await exp.start(testHost());
  const metric = (name: string, labels: Record<string, string> = {}) => base.registry.value(name, { exporter: 'otlp/be', ...labels });
  return { exp, logs, metric, registry: base.registry };
}

function configIssues(raw: Record<string, unknown>): string[] {
  try {
    parseOrThrow(otlpExporterFactory.configSchema, raw, 'exporters.otlp');
    return [];
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.issues.map((i) => `${i.path}: ${i.message}`);
  }
}

// ---------------------------------------------------------------- config

test('otlp config: Go defaults and both type names', () => {
  assert.equal(otlpExporterFactory.type, 'otlp');
  assert.deepEqual(otlpExporterFactory.aliases, ['otlp_grpc']);
  const c = parseOrThrow(otlpExporterFactory.configSchema, { endpoint: 'collector:4317' }, 'exporters.otlp');
  assert.equal(c.compression, 'gzip');
  assert.equal(c.timeout, 5000);
  assert.equal(c.balancer_name, 'round_robin');
  assert.equal(c.write_buffer_size, 512 * 1024);
  assert.equal(c.keepalive, undefined);
  assert.equal(c.tls.insecure, false);
  assert.equal(c.sending_queue.enabled, true);
  assert.equal(c.sending_queue.queue_size, 1000);
  assert.equal(c.retry_on_failure.initial_interval, 5000);
  const k = parseOrThrow(otlpExporterFactory.configSchema, { endpoint: 'collector:4317', keepalive: null }, 'exporters.otlp');
  assert.deepEqual(k.keepalive, { time: 10000, timeout: 10000, permit_without_stream: false });
});

test('otlp config: errors carry their YAML path', () => {
  assert.deepEqual(configIssues({}), ['exporters.otlp.endpoint: requires a non-empty "endpoint"']);
  assert.deepEqual(configIssues({ endpoint: 'collector' }), ['exporters.otlp.endpoint: address collector: missing port in address']);
  assert.deepEqual(configIssues({ endpoint: 'collector:http' }), ['exporters.otlp.endpoint: invalid port "http"']);
  assert.deepEqual(configIssues({ endpoint: 'c:4317', compression: 'zstd' }), ['exporters.otlp.compression: compression "zstd" is not supported yet (use gzip or none)']);
  assert.deepEqual(configIssues({ endpoint: 'c:4317', compression: 'zlib' }), ['exporters.otlp.compression: unsupported compression type "zlib"']);
  assert.deepEqual(configIssues({ endpoint: 'c:4317', balancer_name: 'fancy' }), ['exporters.otlp.balancer_name: invalid balancer_name: fancy']);
  assert.deepEqual(configIssues({ endpoint: 'c:4317', sending_queue: { storage: 'file_storage' } }), []);
  assert.deepEqual(configIssues({ endpoint: 'c:4317', sending_queue: { storage: 'file_storage', wait_for_result: true } }), [
    'exporters.otlp.sending_queue.wait_for_result: `wait_for_result` is not supported with a persistent queue configured with `storage`',
  ]);
  assert.deepEqual(configIssues({ endpoint: 'c:4317', tls: { cert_file: 'x.pem' } }), [
    'exporters.otlp.tls: TLS configuration must include both certificate and key (CertFile/CertPem and KeyFile/KeyPem)',
  ]);
  assert.deepEqual(configIssues({ endpoint: 'c:4317', auth: { authenticator: 'oauth2client' } }), [
    'exporters.otlp.auth: auth (authenticator extensions) is not supported yet (got a map)',
  ]);
  assert.match(configIssues({ endpoint: 'c:4317', bogus: 1 })[0]!, /^exporters\.otlp\.bogus: unknown key "bogus"/);
  // Valid shapes that validate without touching network or files.
  assert.deepEqual(configIssues({ endpoint: 'http://jaeger:4317', tls: { ca_file: '/nonexistent/ca.pem' } }), []);
  assert.deepEqual(configIssues({ endpoint: 'dns:///collector:4317' }), []);
  assert.deepEqual(configIssues({ endpoint: 'c:4317', headers: [{ name: 'x-a', value: '1' }] }), []);
  assert.deepEqual(configIssues({ endpoint: 'c:4317', headers: [{ name: 'x-a', value: '1' }, { name: 'x-a', value: '2' }] }), [
    'exporters.otlp.headers: duplicate keys in map-style list: [x-a]',
  ]);
});

test('otlp config: the upstream test config parses with its values', (t) => {
  const file = path.join(CORPUS_DIR, 'configs', 'opentelemetry-collector__exporter_otlpexporter+otlphttpexporter_testdata_config.derived.yaml');
  if (!fs.existsSync(file)) return t.skip(`corpus not found: ${file}`);
  const raw = YAML.parse(fs.readFileSync(file, 'utf8')) as { exporters: Record<string, unknown> };
  const c = parseOrThrow(otlpExporterFactory.configSchema, raw.exporters['otlp'], 'exporters.otlp');
  assert.equal(c.timeout, 10000);
  assert.equal(c.sending_queue.sizer, 'items');
  assert.equal(c.sending_queue.queue_size, 100000);
  assert.deepEqual(c.sending_queue.batch, { flush_timeout: 200, sizer: 'items', min_size: 1000, max_size: 10000, partition: { metadata_keys: [] } });
  assert.equal(c.retry_on_failure.max_elapsed_time, 600000);
  assert.equal(c.headers['can you have a . here?'], 'F0000000-0000-0000-0000-000000000000');
  assert.deepEqual(c.keepalive, { time: 20000, timeout: 30000, permit_without_stream: true });
});

// ---------------------------------------------------------------- sending

// The network tests run against both gRPC clients (`grpc_client: grpc-js`, the default, and `http2`,
// src/exporters/otlp/h2-client.ts): the same backend, the same expectations.
function networkTests(client: 'grpc-js' | 'http2'): void {
  const sfx = client === 'grpc-js' ? '' : ' [grpc_client: http2]';
  const exporter = (over: Record<string, unknown> = {}, level: 'normal' | 'detailed' = 'normal') => exporterWith({ grpc_client: client, ...over }, level);

  test('spans arrive intact over gRPC, gzip-compressed, with the configured headers' + sfx, async () => {
    const { exp, metric } = await exporter({ headers: { 'x-tenant': 'acme', authorization: 'Bearer t0k' } });
    const bytes = richRequestBytes();
    const batch = TraceBatch.decode(bytes);
    const start = be.requests.length;
    await exp.consumeTraces(batch);
    const req = be.requests[start]!;
    assert.deepEqual(req.decoded, oracleDecodeTraces(bytes));
    assert.ok(req.body.equals(Buffer.from(bytes)), 'an unmodified batch is forwarded as its original bytes');
    assert.equal(req.headers['x-tenant'], 'acme');
    assert.equal(req.headers['authorization'], 'Bearer t0k');
    assert.match(req.headers['user-agent'] ?? '', /otelcol-ts\//);
    const stream = be.grpcStreams[be.grpcStreams.length - 1]!;
    assert.equal(stream[':path'], '/opentelemetry.proto.collector.trace.v1.TraceService/Export');
    assert.equal(stream['grpc-encoding'], 'gzip');
    assert.equal(metric('otelcol_exporter_sent_spans'), 3);
    assert.equal(metric('otelcol_exporter_sent_spans', { server_address: '127.0.0.1', server_port: String(be.grpcPort) }), 3);
    await exp.shutdown();
  });

  test('compression none: the request goes out uncompressed' + sfx, async () => {
    const { exp } = await exporter({ compression: 'none' });
    const bytes = spansRequestBytes(4, 2);
    await exp.consumeTraces(TraceBatch.decode(bytes));
    const stream = be.grpcStreams[be.grpcStreams.length - 1]!;
    assert.ok(stream['grpc-encoding'] === undefined || stream['grpc-encoding'] === 'identity', `grpc-encoding ${stream['grpc-encoding']}`);
    assert.deepEqual(be.requests[be.requests.length - 1]!.decoded, oracleDecodeTraces(bytes));
    await exp.shutdown();
  });

  test('UNAVAILABLE is retried until the backend accepts' + sfx, async () => {
    const { exp, metric, logs } = await exporter();
    be.script({ grpcCode: 14 }, { grpcCode: 14 });
    const start = be.requests.length;
    const bytes = spansRequestBytes(5, 3);
    await exp.consumeTraces(TraceBatch.decode(bytes));
    assert.equal(be.requests.length - start, 3);
    assert.deepEqual(be.requests[start + 2]!.decoded, oracleDecodeTraces(bytes));
    assert.equal(metric('otelcol_exporter_sent_spans'), 5);
    assert.equal(metric('otelcol_exporter_send_failed_spans'), 0);
    assert.equal(logs.filter((l) => l.msg === 'Exporting failed. Will retry the request after interval.').length, 2);
    await exp.shutdown();
  });

  test('RESOURCE_EXHAUSTED is permanent without RetryInfo, retried after the server delay with it' + sfx, async () => {
    const a = await exporter();
    be.script({ grpcCode: 8, message: 'quota' });
    let start = be.requests.length;
    await assert.rejects(a.exp.consumeTraces(TraceBatch.decode(spansRequestBytes(2, 4))), (e: Error & { retryable?: boolean }) => {
      assert.equal(e.retryable, false);
      assert.match(e.message, /not retryable error: rpc error: code = ResourceExhausted desc = quota/);
      return true;
    });
    assert.equal(be.requests.length - start, 1);
    assert.equal(a.metric('otelcol_exporter_send_failed_spans'), 2);
    await a.exp.shutdown();

    const b = await exporter();
    be.script({ grpcCode: 8, message: 'slow down', retryDelaySeconds: 0.25 });
    start = be.requests.length;
    await b.exp.consumeTraces(TraceBatch.decode(spansRequestBytes(2, 5)));
    assert.equal(be.requests.length - start, 2);
    const retry = b.logs.find((l) => l.msg === 'Exporting failed. Will retry the request after interval.');
    assert.equal(retry?.fields['interval'], '250ms'); // the server's delay, not the 10ms backoff
    assert.equal(b.metric('otelcol_exporter_sent_spans'), 2);
    await b.exp.shutdown();
  });

  test('INVALID_ARGUMENT is not retried: error back to the caller, counted as failed, logged' + sfx, async () => {
    const { exp, metric, logs } = await exporter({}, 'detailed');
    be.script({ grpcCode: 3, message: 'bad span' });
    const start = be.requests.length;
    await assert.rejects(exp.consumeTraces(TraceBatch.decode(spansRequestBytes(3, 6))), (e: Error & { grpcStatus?: number }) => {
      assert.equal(e.grpcStatus, 3);
      return true;
    });
    assert.equal(be.requests.length - start, 1);
    assert.equal(metric('otelcol_exporter_send_failed_spans', { error_type: 'InvalidArgument', error_permanent: 'true' }), 3);
    assert.ok(logs.some((l) => l.level === 'error' && l.msg.startsWith('Exporting failed. Rejecting data.') && l.fields['rejected_items'] === 3));
    await exp.shutdown();
  });

  test('partial success: logged, rejected spans counted as failed' + sfx, async () => {
    const { exp, metric, logs } = await exporter();
    be.script({ partial: { rejected: 2, message: 'two spans too old' } });
    await exp.consumeTraces(TraceBatch.decode(spansRequestBytes(5, 7)));
    const w = logs.find((l) => l.msg === 'Partial success response');
    assert.equal(w?.level, 'warn');
    assert.equal(w?.fields['message'], 'two spans too old');
    assert.equal(w?.fields['dropped_spans'], 2);
    assert.equal(metric('otelcol_exporter_sent_spans'), 3);
    assert.equal(metric('otelcol_exporter_send_failed_spans'), 2);
    await exp.shutdown();
  });

  test('timeout: a backend that does not answer fails the attempt after `timeout` (retryable)' + sfx, async () => {
    const { exp, metric } = await exporter({ timeout: '150ms', retry_on_failure: { enabled: false } });
    be.script({ hang: true });
    await assert.rejects(exp.consumeTraces(TraceBatch.decode(spansRequestBytes(1, 8))), (e: Error & { retryable?: boolean }) => {
      assert.equal(e.retryable, true);
      assert.match(e.message, /timed out|DeadlineExceeded|Deadline/i);
      return true;
    });
    assert.equal(metric('otelcol_exporter_send_failed_spans'), 1);
    await exp.shutdown();
  });

  test('an unreachable backend gives a retryable UNAVAILABLE' + sfx, async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer();
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const { exp } = await exporter({ endpoint: `127.0.0.1:${port}`, retry_on_failure: { enabled: false } });
    await assert.rejects(exp.consumeTraces(TraceBatch.decode(spansRequestBytes(1, 9))), (e: Error & { retryable?: boolean; grpcStatus?: number }) => {
      assert.equal(e.retryable, true);
      assert.equal(e.grpcStatus, 14);
      return true;
    });
    await exp.shutdown();
  });

  test('sending queue: full queue refuses with OverloadedError; shutdown drains what was queued' + sfx, async () => {
    const { exp, metric } = await exporter({ timeout: '300ms', sending_queue: { num_consumers: 1, queue_size: 3 } });
    be.script({ hang: true }); // the first request never gets an answer: the consumer is busy
    const start = be.requests.length;
    const sent: Uint8Array[] = [];
    for (let i = 0; i < 3; i++) {
      const b = spansRequestBytes(2, 20 + i);
      sent.push(b);
      await exp.consumeTraces(TraceBatch.decode(b));
    }
    await assert.rejects(exp.consumeTraces(TraceBatch.decode(spansRequestBytes(4, 30))), OverloadedError);
    assert.equal(metric('otelcol_exporter_enqueue_failed_spans'), 4);
    assert.equal(metric('otelcol_exporter_queue_size', { data_type: 'traces' }), 3);
    await until(() => be.requests.length > start);
    // Release the hung request by failing it: the retry sends it again, then the two queued ones follow.
    await exp.shutdown();
    const got = be.requests.slice(start).filter((r) => r.answer.hang !== true).map((r) => r.decoded);
    for (const b of sent.slice(1)) assert.ok(got.some((d) => JSON.stringify(d) === JSON.stringify(oracleDecodeTraces(b))), 'queued request delivered at shutdown');
  });

  test('start/shutdown are idempotent' + sfx, async () => {
    const { exp } = await exporter();
    await exp.start(testHost());
    await exp.shutdown();
    await exp.shutdown();
  });

  test('sending_queue.batch: small batches are merged into one request' + sfx, async () => {
    const { exp, metric } = await exporter({ sending_queue: { sizer: 'items', queue_size: 1000, batch: { min_size: 9, flush_timeout: '10s' } } });
    const start = be.requests.length;
    const parts = [spansRequestBytes(3, 40), spansRequestBytes(3, 41), spansRequestBytes(3, 42)];
    for (const p of parts) await exp.consumeTraces(TraceBatch.decode(p));
    await until(() => be.requests.length > start);
    await exp.shutdown();
    assert.equal(be.requests.length - start, 1);
    const got = be.requests[start]!.decoded as { resourceSpans: unknown[] };
    const want = parts.flatMap((p) => (oracleDecodeTraces(p) as { resourceSpans: unknown[] }).resourceSpans);
    assert.deepEqual(got.resourceSpans, want);
    assert.equal(metric('otelcol_exporter_sent_spans'), 9);
  });

  test('TLS: verified with ca_pem; refused without the CA; insecure_skip_verify skips verification' + sfx, async () => {
    const tlsBe = await OtlpBackend.start({ tls: true });
    try {
      const make = async (tls: Record<string, unknown>) => {
        const cfg = parseOrThrow(
          otlpExporterFactory.configSchema,
          { endpoint: tlsBe.grpcEndpoint, tls, retry_on_failure: { enabled: false }, sending_queue: { enabled: false }, timeout: '2s', grpc_client: client },
          'exporters.otlp',
        );
        const exp = otlpExporterFactory.createTraces!(testSettings('otlp/tls', 'exporter'), cfg);
        await exp.start(testHost());
        return exp;
      };
      const bytes = spansRequestBytes(2, 50);
      const ok = await make({ ca_pem: TEST_CA_PEM });
      await ok.consumeTraces(TraceBatch.decode(bytes));
      assert.deepEqual(tlsBe.requests[tlsBe.requests.length - 1]!.decoded, oracleDecodeTraces(bytes));
      await ok.shutdown();

      const before = tlsBe.requests.length;
      const untrusted = await make({});
      await assert.rejects(untrusted.consumeTraces(TraceBatch.decode(bytes)), (e: Error & { grpcStatus?: number }) => e.grpcStatus === 14);
      assert.equal(tlsBe.requests.length, before);
      await untrusted.shutdown();

      const skip = await make({ insecure_skip_verify: true });
      await skip.consumeTraces(TraceBatch.decode(bytes));
      assert.equal(tlsBe.requests.length, before + 1);
      await skip.shutdown();
    } finally {
      await tlsBe.close();
    }
  });

  test('a missing TLS file fails start() (not config validation) with a clear message' + sfx, async () => {
    const cfg = config({ tls: { ca_file: '/nonexistent/otelcol-ts-ca.pem' }, grpc_client: client });
    const exp = otlpExporterFactory.createTraces!(testSettings('otlp/badtls', 'exporter'), cfg);
    await assert.rejects(exp.start(testHost()), /failed to load TLS config: failed to load CA \/nonexistent\/otelcol-ts-ca\.pem/);
    await exp.shutdown();
  });
}

networkTests('grpc-js');
networkTests('http2');

test('grpc_client: http2 reconnects when the backend restarts (same address) and the retry delivers', async () => {
  const grpc = await import('@grpc/grpc-js');
  const raw = (b: Buffer) => b;
  const got: Buffer[] = [];
  const serve = async (port: number) => {
    const srv = new grpc.Server();
    srv.addService(
      { Export: { path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export', requestStream: false, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw } },
      { Export: (call: { request: Buffer }, cb: (e: null, r: Buffer) => void) => { got.push(call.request); cb(null, Buffer.alloc(0)); } },
    );
    const p = await new Promise<number>((res, rej) => srv.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (e, bound) => (e ? rej(e) : res(bound))));
    return { srv, port: p };
  };
  const first = await serve(0);
  const { exp } = await exporterWith({ endpoint: `127.0.0.1:${first.port}`, grpc_client: 'http2', compression: 'none' });
  const a = spansRequestBytes(2, 60);
  await exp.consumeTraces(TraceBatch.decode(a));
  first.srv.forceShutdown(); // the connection goes away
  const b = spansRequestBytes(3, 61);
  const sending = exp.consumeTraces(TraceBatch.decode(b)); // fails while nobody listens, retried (FAST_RETRY)
  await new Promise((r) => setTimeout(r, 100));
  const second = await serve(first.port);
  try {
    await sending;
    assert.equal(got.length, 2);
    assert.ok(got[0]!.equals(Buffer.from(a)) && got[1]!.equals(Buffer.from(b)), 'both requests arrive intact, the second through a new connection');
  } finally {
    await exp.shutdown();
    second.srv.forceShutdown();
  }
});

test('grpc_client: http2 — an HTTP answer without a gRPC status maps as the gRPC spec says (503 retryable, 404 permanent)', async () => {
  const http2 = await import('node:http2');
  let status = 503;
  const srv = http2.createServer();
  srv.on('stream', (stream) => {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      stream.respond({ ':status': status, 'content-type': 'text/plain' });
      stream.end('not a gRPC server');
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  try {
    const { exp } = await exporterWith({ endpoint: `127.0.0.1:${port}`, grpc_client: 'http2', retry_on_failure: { enabled: false } });
    await assert.rejects(exp.consumeTraces(TraceBatch.decode(spansRequestBytes(1, 70))), (e: Error & { retryable?: boolean; grpcStatus?: number }) => {
      assert.equal(e.grpcStatus, 14, e.message);
      assert.equal(e.retryable, true);
      return true;
    });
    status = 404;
    await assert.rejects(exp.consumeTraces(TraceBatch.decode(spansRequestBytes(1, 71))), (e: Error & { retryable?: boolean; grpcStatus?: number }) => {
      assert.equal(e.grpcStatus, 12, e.message);
      assert.equal(e.retryable, false);
      return true;
    });
    await exp.shutdown();
  } finally {
    srv.close();
  }
});
