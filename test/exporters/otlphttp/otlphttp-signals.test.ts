// The `otlphttp` exporter for metrics and logs against a real HTTP backend: <endpoint>/v1/metrics and /v1/logs
// (or metrics_endpoint / logs_endpoint), protobuf or JSON, gzip, retries honouring Retry-After, partial success
// with rejectedDataPoints / rejectedLogRecords, per-signal self-metrics and endpoint labels.

import { test, before, after, beforeEach, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import { otlpHttpExporterFactory } from '../../../src/exporters/otlphttp/factory';
import { parseOrThrow } from '../../../src/config/schema';
import { ConfigError } from '../../../src/errors';
import { testHost, testSettings } from '../../../src/component/testing';
import { OtlpBackend } from '../../helpers/otlp-backend';
import { SIGNAL_CASES } from '../signal-cases';
import { capturingLogger, type LogRecord } from '../util';

let be: OtlpBackend;
before(async () => {
  be = await OtlpBackend.start();
});
after(async () => {
  await be.close();
});

const FAST_RETRY = { initial_interval: '10ms', max_interval: '50ms', max_elapsed_time: '10s' };
const last = () => be.requests[be.requests.length - 1]!;

function config(over: Record<string, unknown>) {
  return parseOrThrow(
    otlpHttpExporterFactory.configSchema,
    { endpoint: be.httpEndpoint, retry_on_failure: FAST_RETRY, sending_queue: { enabled: false }, ...over },
    'exporters.otlphttp',
  );
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

test('otlphttp factory: metrics and logs are stable, as Go; their endpoint keys are validated', () => {
  assert.deepEqual(otlpHttpExporterFactory.stability, { traces: 'stable', metrics: 'stable', logs: 'stable' });
  assert.deepEqual(configIssues({ metrics_endpoint: 'collector:4318' }), [
    'exporters.otlphttp.metrics_endpoint: metrics_endpoint must be an http:// or https:// URL, got "collector:4318"',
  ]);
  assert.deepEqual(configIssues({ logs_endpoint: 'ftp://c/logs' }), ['exporters.otlphttp.logs_endpoint: logs_endpoint must be an http:// or https:// URL, got "ftp://c/logs"']);
  assert.deepEqual(configIssues({ metrics_endpoint: 'http://c:4318/m' }), [], 'one signal endpoint is enough to validate');
});

for (const c of SIGNAL_CASES) {
  describe(`otlphttp exporter: ${c.signal}`, () => {
    // A test that fails early must not leave its scripted answers to the next one.
    beforeEach(() => be.clearScript());

    async function exporter(over: Record<string, unknown> = {}) {
      const logs: LogRecord[] = [];
      const base = testSettings('otlphttp', 'exporter');
      const exp = c.create(otlpHttpExporterFactory, { ...base, logger: capturingLogger(logs) }, config(over));
      await exp.start(testHost());
      const metric = (name: string, labels: Record<string, string> = {}) => base.registry.value(name, { exporter: 'otlphttp', ...labels });
      return { exp, logs, metric };
    }

    test(`protobuf: arrives intact at <endpoint>${c.httpPath}, gzip-compressed, with headers; sent_${c.unit} with endpoint labels`, async () => {
      const { exp, metric } = await exporter({ headers: { 'X-Scope-OrgID': 'acme' } });
      const bytes = c.rich();
      await exp.send(bytes);
      const r = last();
      assert.equal(r.path, c.httpPath);
      assert.equal(r.signal, c.backendSignal);
      assert.equal(r.contentType, 'application/x-protobuf');
      assert.equal(r.contentEncoding, 'gzip');
      assert.equal(r.headers['x-scope-orgid'], 'acme');
      assert.match(r.headers['user-agent'] ?? '', /^otelcol-ts\//);
      assert.deepEqual(r.decoded, c.oracleDecode(bytes));
      assert.ok(r.body.equals(Buffer.from(bytes)), 'an unmodified batch is forwarded as its original bytes');
      assert.equal(metric(`otelcol_exporter_sent_${c.unit}`, { server_address: '127.0.0.1', server_port: String(be.httpPort), url_path: c.httpPath }), c.richItems);
      await exp.shutdown();
    });

    test('JSON encoding: arrives intact as OTLP/JSON', async () => {
      const { exp } = await exporter({ encoding: 'json', compression: 'none' });
      const bytes = c.rich();
      await exp.send(bytes);
      const r = last();
      assert.equal(r.contentType, 'application/json');
      assert.equal(r.contentEncoding, '');
      assert.equal(r.error, undefined);
      assert.deepEqual(r.decoded, c.oracleDecode(bytes));
      await exp.shutdown();
    });

    test(`${c.endpointKey} overrides the URL; a trailing slash on endpoint is handled; missing both is an error`, async () => {
      const a = await exporter({ endpoint: '', [c.endpointKey]: `${be.httpEndpoint}/custom/${c.signal}` });
      await a.exp.send(c.small(1, 1));
      assert.equal(last().path, `/custom/${c.signal}`);
      assert.equal(last().signal, c.backendSignal);
      await a.exp.shutdown();
      const b = await exporter({ endpoint: `${be.httpEndpoint}/prefix/` });
      await b.exp.send(c.small(1, 2));
      assert.equal(last().path, `/prefix${c.httpPath}`);
      await b.exp.shutdown();
      const cfg = config({ endpoint: '', traces_endpoint: `${be.httpEndpoint}/v1/traces` });
      assert.throws(
        () => c.create(otlpHttpExporterFactory, testSettings('otlphttp', 'exporter'), cfg),
        (e: unknown) => e instanceof ConfigError && e.message.includes(`either endpoint or ${c.endpointKey} must be specified`),
      );
    });

    test('503 with Retry-After is retried after the server delay; 400 is permanent', async () => {
      const { exp, metric, logs } = await exporter();
      be.script({ httpStatus: 503, retryAfter: '1' });
      let start = be.requests.length;
      const bytes = c.small(2, 3);
      await exp.send(bytes);
      assert.equal(be.requests.length - start, 2);
      assert.deepEqual(last().decoded, c.oracleDecode(bytes));
      assert.equal(logs.find((l) => l.msg === 'Exporting failed. Will retry the request after interval.')?.fields['interval'], '1s');
      be.script({ httpStatus: 400, message: 'bad data' });
      start = be.requests.length;
      await assert.rejects(exp.send(c.small(3, 4)), (e: Error & { retryable?: boolean }) => {
        assert.equal(e.retryable, false);
        assert.match(e.message, new RegExp(`request to ${be.httpEndpoint}${c.httpPath} responded with HTTP Status Code 400, Message=bad data`));
        return true;
      });
      assert.equal(be.requests.length - start, 1);
      assert.equal(metric(`otelcol_exporter_sent_${c.unit}`), 2);
      assert.equal(metric(`otelcol_exporter_send_failed_${c.unit}`), 3);
      await exp.shutdown();
    });

    test(`partial success (protobuf and JSON responses): warned with ${c.droppedKey}, rejected items counted as failed`, async () => {
      for (const encoding of ['proto', 'json']) {
        const { exp, metric, logs } = await exporter({ encoding });
        be.script({ partial: { rejected: 1, message: 'one too old' } });
        await exp.send(c.small(4, 6));
        const w = logs.find((l) => l.msg === 'Partial success response');
        assert.equal(w?.fields[c.droppedKey], 1, encoding);
        assert.equal(w?.fields['message'], 'one too old');
        assert.equal(metric(`otelcol_exporter_sent_${c.unit}`), 3);
        assert.equal(metric(`otelcol_exporter_send_failed_${c.unit}`), 1);
        await exp.shutdown();
      }
    });
  });
}
