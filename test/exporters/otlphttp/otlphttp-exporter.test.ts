import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { otlpHttpExporterFactory } from '../../../src/exporters/otlphttp/factory';
import { parseRetryAfter } from '../../../src/exporters/otlphttp/http-exporter';
import { parseOrThrow } from '../../../src/config/schema';
import { ConfigError } from '../../../src/errors';
import { TraceBatch } from '../../../src/pdata/traces';
import { testHost, testSettings } from '../../../src/component/testing';
import type { TracesExporter } from '../../../src/component/types';
import { oracleDecodeTraces } from '../../oracle/otlp-oracle';
import { OtlpBackend } from '../../helpers/otlp-backend';
import { CORPUS_DIR } from '../../helpers/paths';
import { TEST_CA_PEM } from '../../helpers/test-certs';
import { richRequestBytes, spansRequestBytes } from '../fixtures';
import { capturingLogger, type LogRecord } from '../util';

let be: OtlpBackend;
before(async () => {
  be = await OtlpBackend.start();
});
after(async () => {
  await be.close();
});

const FAST_RETRY = { initial_interval: '10ms', max_interval: '50ms', max_elapsed_time: '10s' };

async function exporter(over: Record<string, unknown> = {}) {
  const cfg = parseOrThrow(
    otlpHttpExporterFactory.configSchema,
    { endpoint: be.httpEndpoint, retry_on_failure: FAST_RETRY, sending_queue: { enabled: false }, ...over },
    'exporters.otlphttp',
  );
  const logs: LogRecord[] = [];
  const base = testSettings('otlphttp', 'exporter');
  const exp: TracesExporter = otlpHttpExporterFactory.createTraces!({ ...base, logger: capturingLogger(logs) }, cfg);
  await exp.start(testHost());
  const metric = (name: string, labels: Record<string, string> = {}) => base.registry.value(name, { exporter: 'otlphttp', ...labels });
  return { exp, logs, metric };
}

function configIssues(raw: Record<string, unknown>): string[] {
  try {
    parseOrThrow(otlpHttpExporterFactory.configSchema, raw, 'exporters.otlphttp');
    return [];
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.issues.map((i) => `${i.path}: ${i.message}`);
  }
}

const last = () => be.requests[be.requests.length - 1]!;

// ---------------------------------------------------------------- config

test('otlphttp config: Go defaults, both type names, errors with paths', () => {
  assert.equal(otlpHttpExporterFactory.type, 'otlphttp');
  assert.deepEqual(otlpHttpExporterFactory.aliases, ['otlp_http']);
  const c = parseOrThrow(otlpHttpExporterFactory.configSchema, { endpoint: 'https://collector:4318' }, 'exporters.otlphttp');
  assert.equal(c.timeout, 30000);
  assert.equal(c.encoding, 'proto');
  assert.equal(c.compression, 'gzip');
  assert.equal(c.max_idle_conns, 100);
  assert.equal(c.idle_conn_timeout, 90000);
  assert.equal(c.sending_queue.enabled, true);
  assert.deepEqual(configIssues({}), ['exporters.otlphttp: at least one endpoint must be specified']);
  assert.deepEqual(configIssues({ endpoint: 'http://c:4318', compression: 'zstd' }), [
    'exporters.otlphttp.compression: compression "zstd" is not supported yet (use gzip or none)',
  ]);
  assert.match(configIssues({ endpoint: 'http://c:4318', encoding: 'xml' })[0]!, /^exporters\.otlphttp\.encoding: expected one of "proto", "json"/);
  assert.deepEqual(configIssues({ endpoint: 'collector:4318' }), ['exporters.otlphttp.endpoint: endpoint must be an http:// or https:// URL, got "collector:4318"']);
  assert.deepEqual(configIssues({ endpoint: 'http://c:4318', proxy_url: 'http://proxy:3128' }), [
    'exporters.otlphttp.proxy_url: proxy_url is not supported yet (got "http://proxy:3128")',
  ]);
  assert.deepEqual(configIssues({ traces_endpoint: 'http://c:4318/custom' }), []);
});

test('otlphttp config: the upstream test config parses with its values', (t) => {
  const file = path.join(CORPUS_DIR, 'configs', 'opentelemetry-collector__exporter_otlpexporter+otlphttpexporter_testdata_config.derived.yaml');
  if (!fs.existsSync(file)) return t.skip(`corpus not found: ${file}`);
  const raw = YAML.parse(fs.readFileSync(file, 'utf8')) as { exporters: Record<string, unknown> };
  const c = parseOrThrow(otlpHttpExporterFactory.configSchema, raw.exporters['otlphttp'], 'exporters.otlphttp');
  assert.equal(c.endpoint, 'https://1.2.3.4:1234');
  assert.equal(c.read_buffer_size, 123);
  assert.equal(c.sending_queue.queue_size, 10);
  assert.equal(c.profiles_endpoint, 'https://custom.profiles.endpoint:8080/v1development/profiles');
});

test('Retry-After: delay-seconds or HTTP-date', () => {
  assert.equal(parseRetryAfter('7'), 7);
  assert.equal(parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2030, 0, 1, 0, 0, 0)), 30);
  assert.equal(parseRetryAfter('soon'), undefined);
  assert.equal(parseRetryAfter(undefined), undefined);
});

// ---------------------------------------------------------------- sending

test('protobuf: spans arrive intact at <endpoint>/v1/traces, gzip-compressed, with the configured headers', async () => {
  const { exp, metric } = await exporter({ headers: { 'X-Scope-OrgID': 'acme' } });
  const bytes = richRequestBytes();
  await exp.consumeTraces(TraceBatch.decode(bytes));
  const r = last();
  assert.equal(r.path, '/v1/traces');
  assert.equal(r.contentType, 'application/x-protobuf');
  assert.equal(r.contentEncoding, 'gzip');
  assert.equal(r.headers['x-scope-orgid'], 'acme');
  assert.match(r.headers['user-agent'] ?? '', /^otelcol-ts\//);
  assert.deepEqual(r.decoded, oracleDecodeTraces(bytes));
  assert.ok(r.body.equals(Buffer.from(bytes)), 'an unmodified batch is forwarded as its original bytes');
  assert.equal(metric('otelcol_exporter_sent_spans', { server_address: '127.0.0.1', server_port: String(be.httpPort) }), 3);
  await exp.shutdown();
});

test('JSON encoding: spans arrive intact as OTLP/JSON', async () => {
  const { exp } = await exporter({ encoding: 'json', compression: 'none' });
  const bytes = richRequestBytes();
  await exp.consumeTraces(TraceBatch.decode(bytes));
  const r = last();
  assert.equal(r.contentType, 'application/json');
  assert.equal(r.contentEncoding, '');
  assert.deepEqual(r.decoded, oracleDecodeTraces(bytes));
  await exp.shutdown();
});

test('traces_endpoint overrides the URL; a trailing slash on endpoint is handled', async () => {
  const a = await exporter({ endpoint: '', traces_endpoint: `${be.httpEndpoint}/custom/otlp` });
  await a.exp.consumeTraces(TraceBatch.decode(spansRequestBytes(1, 1)));
  assert.equal(last().path, '/custom/otlp');
  await a.exp.shutdown();
  const b = await exporter({ endpoint: `${be.httpEndpoint}/prefix/` });
  await b.exp.consumeTraces(TraceBatch.decode(spansRequestBytes(1, 2)));
  assert.equal(last().path, '/prefix/v1/traces');
  await b.exp.shutdown();
});

test('503 with Retry-After is retried after the server delay; 429/502/504 are retried too', async () => {
  const { exp, metric, logs } = await exporter();
  be.script({ httpStatus: 503, retryAfter: '1' });
  let start = be.requests.length;
  await exp.consumeTraces(TraceBatch.decode(spansRequestBytes(2, 3)));
  assert.equal(be.requests.length - start, 2);
  assert.equal(logs.find((l) => l.msg === 'Exporting failed. Will retry the request after interval.')?.fields['interval'], '1s');
  be.script({ httpStatus: 429 }, { httpStatus: 502 }, { httpStatus: 504 });
  start = be.requests.length;
  const bytes = spansRequestBytes(3, 4);
  await exp.consumeTraces(TraceBatch.decode(bytes));
  assert.equal(be.requests.length - start, 4);
  assert.deepEqual(last().decoded, oracleDecodeTraces(bytes));
  assert.equal(metric('otelcol_exporter_sent_spans'), 5);
  assert.equal(metric('otelcol_exporter_send_failed_spans'), 0);
  await exp.shutdown();
});

test('400 is permanent: not retried, the server message is in the error, counted as failed', async () => {
  const { exp, metric } = await exporter();
  be.script({ httpStatus: 400, message: 'span name too long' });
  const start = be.requests.length;
  await assert.rejects(exp.consumeTraces(TraceBatch.decode(spansRequestBytes(2, 5))), (e: Error & { retryable?: boolean; httpStatus?: number }) => {
    assert.equal(e.retryable, false);
    assert.equal(e.httpStatus, 400);
    assert.match(e.message, /responded with HTTP Status Code 400, Message=span name too long/);
    return true;
  });
  assert.equal(be.requests.length - start, 1);
  assert.equal(metric('otelcol_exporter_send_failed_spans'), 2);
  await exp.shutdown();
});

test('partial success (protobuf and JSON responses): logged, rejected spans counted as failed', async () => {
  for (const encoding of ['proto', 'json']) {
    const { exp, metric, logs } = await exporter({ encoding });
    be.script({ partial: { rejected: 1, message: 'one too old' } });
    await exp.consumeTraces(TraceBatch.decode(spansRequestBytes(4, 6)));
    const w = logs.find((l) => l.msg === 'Partial success response');
    assert.equal(w?.fields['dropped_spans'], 1, encoding);
    assert.equal(w?.fields['message'], 'one too old');
    assert.equal(metric('otelcol_exporter_sent_spans'), 3);
    assert.equal(metric('otelcol_exporter_send_failed_spans'), 1);
    await exp.shutdown();
  }
});

test('2xx with an unreadable protobuf body is a permanent error (as Go); other content types are ignored', async () => {
  const { exp, metric } = await exporter();
  be.script({ rawBody: { contentType: 'application/x-protobuf', body: Buffer.from([0x0a, 0xff]) } });
  await assert.rejects(exp.consumeTraces(TraceBatch.decode(spansRequestBytes(2, 8))), (e: Error & { retryable?: boolean }) => {
    assert.match(e.message, /error parsing protobuf response/);
    return e.retryable === false;
  });
  be.script({ rawBody: { contentType: 'text/plain', body: Buffer.from('ok') } });
  await exp.consumeTraces(TraceBatch.decode(spansRequestBytes(3, 9)));
  assert.equal(metric('otelcol_exporter_send_failed_spans'), 2);
  assert.equal(metric('otelcol_exporter_sent_spans'), 3);
  await exp.shutdown();
});

test('timeout: a backend that does not answer fails the attempt after `timeout`', async () => {
  const { exp } = await exporter({ timeout: '150ms', retry_on_failure: { enabled: false } });
  be.script({ hang: true });
  await assert.rejects(exp.consumeTraces(TraceBatch.decode(spansRequestBytes(1, 7))), (e: Error & { retryable?: boolean; code?: string }) => {
    assert.equal(e.retryable, true);
    assert.equal(e.code, 'OTELTS_ERR_TIMEOUT');
    return true;
  });
  await exp.shutdown();
});

test('sending queue: shutdown drains everything queued', async () => {
  const { exp, metric } = await exporter({ sending_queue: { num_consumers: 2 } });
  const start = be.requests.length;
  for (let i = 0; i < 20; i++) await exp.consumeTraces(TraceBatch.decode(spansRequestBytes(2, 100 + i)));
  await exp.shutdown();
  assert.equal(be.requests.length - start, 20);
  assert.equal(metric('otelcol_exporter_sent_spans'), 40);
});

test('HTTPS: verified with tls.ca_pem, refused without it', async () => {
  const tlsBe = await OtlpBackend.start({ tls: true });
  try {
    const make = async (tls: Record<string, unknown>) => {
      const cfg = parseOrThrow(
        otlpHttpExporterFactory.configSchema,
        { endpoint: tlsBe.httpEndpoint, tls, retry_on_failure: { enabled: false }, sending_queue: { enabled: false } },
        'exporters.otlphttp',
      );
      const exp = otlpHttpExporterFactory.createTraces!(testSettings('otlphttp/tls', 'exporter'), cfg);
      await exp.start(testHost());
      return exp;
    };
    const bytes = spansRequestBytes(2, 60);
    const ok = await make({ ca_pem: TEST_CA_PEM });
    await ok.consumeTraces(TraceBatch.decode(bytes));
    assert.deepEqual(tlsBe.requests[tlsBe.requests.length - 1]!.decoded, oracleDecodeTraces(bytes));
    await ok.shutdown();
    const untrusted = await make({});
    await assert.rejects(untrusted.consumeTraces(TraceBatch.decode(bytes)), (e: Error & { retryable?: boolean }) => {
      assert.match(e.message, /failed to make an HTTP request/);
      return e.retryable === true;
    });
    await untrusted.shutdown();
  } finally {
    await tlsBe.close();
  }
});
