// The `otlp` (gRPC) exporter for metrics and logs against a real grpc-js backend: MetricsService / LogsService
// Export, data oracle-identical (an unmodified batch goes out as its original bytes), gzip, retries, permanent
// errors, partial success with dropped_data_points / dropped_log_records, per-signal self-metrics.

import { test, before, after, beforeEach, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import { otlpExporterFactory } from '../../../src/exporters/otlp/factory';
import { parseOrThrow } from '../../../src/config/schema';
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

const FAST_RETRY = { initial_interval: '10ms', max_interval: '50ms', max_elapsed_time: '5s' };

test('otlp factory: metrics and logs are stable, as Go', () => {
  assert.deepEqual(otlpExporterFactory.stability, { traces: 'stable', metrics: 'stable', logs: 'stable' });
});

for (const c of SIGNAL_CASES) {
  describe(`otlp exporter: ${c.signal}`, () => {
    // A test that fails early must not leave its scripted answers to the next one.
    beforeEach(() => be.clearScript());

    async function exporter(over: Record<string, unknown> = {}) {
      const logs: LogRecord[] = [];
      const base = testSettings('otlp/be', 'exporter');
      const cfg = parseOrThrow(
        otlpExporterFactory.configSchema,
        { endpoint: be.grpcEndpoint, tls: { insecure: true }, retry_on_failure: FAST_RETRY, sending_queue: { enabled: false }, ...over },
        'exporters.otlp',
      );
      const exp = c.create(otlpExporterFactory, { ...base, logger: capturingLogger(logs) }, cfg);
      await exp.start(testHost());
      const metric = (name: string, labels: Record<string, string> = {}) => base.registry.value(name, { exporter: 'otlp/be', ...labels });
      return { exp, logs, metric };
    }

    test(`arrives intact at ${c.grpcPath}, gzip-compressed, with headers; counted in otelcol_exporter_sent_${c.unit}`, async () => {
      const { exp, metric } = await exporter({ headers: { 'x-tenant': 'acme' } });
      const bytes = c.rich();
      const start = be.requests.length;
      await exp.send(bytes);
      assert.equal(be.requests.length - start, 1);
      const req = be.requests[start]!;
      assert.equal(req.signal, c.backendSignal);
      assert.deepEqual(req.decoded, c.oracleDecode(bytes));
      assert.ok(req.body.equals(Buffer.from(bytes)), 'an unmodified batch is forwarded as its original bytes');
      assert.equal(req.headers['x-tenant'], 'acme');
      const stream = be.grpcStreams[be.grpcStreams.length - 1]!;
      assert.equal(stream[':path'], c.grpcPath);
      assert.equal(stream['grpc-encoding'], 'gzip');
      assert.equal(metric(`otelcol_exporter_sent_${c.unit}`, { server_address: '127.0.0.1', server_port: String(be.grpcPort) }), c.richItems);
      await exp.shutdown();
    });

    test('UNAVAILABLE is retried until the backend accepts', async () => {
      const { exp, metric } = await exporter();
      be.script({ grpcCode: 14 }, { grpcCode: 14 });
      const start = be.requests.length;
      const bytes = c.small(5, 3);
      await exp.send(bytes);
      assert.equal(be.requests.length - start, 3);
      assert.deepEqual(be.requests[start + 2]!.decoded, c.oracleDecode(bytes));
      assert.equal(metric(`otelcol_exporter_sent_${c.unit}`), 5);
      assert.equal(metric(`otelcol_exporter_send_failed_${c.unit}`), 0);
      await exp.shutdown();
    });

    test('INVALID_ARGUMENT is permanent: not retried, the error reaches the caller, counted as failed', async () => {
      const { exp, metric } = await exporter();
      be.script({ grpcCode: 3, message: 'bad data' });
      const start = be.requests.length;
      await assert.rejects(exp.send(c.small(3, 6)), (e: Error & { grpcStatus?: number; retryable?: boolean }) => {
        assert.equal(e.grpcStatus, 3);
        assert.equal(e.retryable, false);
        assert.match(e.message, /InvalidArgument desc = bad data/);
        return true;
      });
      assert.equal(be.requests.length - start, 1);
      assert.equal(metric(`otelcol_exporter_send_failed_${c.unit}`), 3);
      await exp.shutdown();
    });

    test(`partial success: warned with ${c.droppedKey}, rejected items counted as failed`, async () => {
      const { exp, metric, logs } = await exporter();
      be.script({ partial: { rejected: 2, message: 'two too old' } });
      await exp.send(c.small(5, 7));
      const w = logs.find((l) => l.msg === 'Partial success response');
      assert.equal(w?.level, 'warn');
      assert.equal(w?.fields[c.droppedKey], 2);
      assert.equal(w?.fields['message'], 'two too old');
      assert.equal(metric(`otelcol_exporter_sent_${c.unit}`), 3);
      assert.equal(metric(`otelcol_exporter_send_failed_${c.unit}`), 2);
      await exp.shutdown();
    });

    test('the sending queue counts items of this signal: a full items queue refuses, counted in enqueue_failed', async () => {
      const { exp, metric } = await exporter({ timeout: '2s', sending_queue: { enabled: true, sizer: 'items', queue_size: 10, num_consumers: 1 } });
      be.script({ hang: true });
      const start = be.requests.length;
      await exp.send(c.small(6, 8)); // taken by the one consumer, whose request hangs (until the 2 s timeout)
      await be.waitForRequests(start + 1, 5000);
      await exp.send(c.small(4, 9)); // queued: the queue holds 10 items (in-flight ones count until sent)
      await assert.rejects(exp.send(c.small(3, 10)), /sending queue is full/);
      assert.equal(metric(`otelcol_exporter_enqueue_failed_${c.unit}`), 3);
      assert.equal(metric('otelcol_exporter_queue_size', { data_type: c.signal }), 10);
      assert.equal(metric('otelcol_exporter_queue_capacity', { data_type: c.signal }), 10);
      await exp.shutdown();
    });

    test('a header gRPC cannot carry: the exporter is created (as Go validates it), every export fails permanently', async () => {
      const { exp, metric, logs } = await exporter({ headers: { 'can you have a . here?': 'x', ok: '1' } });
      assert.ok(logs.some((l) => l.level === 'warn' && l.fields['header'] === 'can you have a . here?'));
      const start = be.requests.length;
      await assert.rejects(exp.send(c.small(2, 11)), (e: Error & { retryable?: boolean }) => {
        assert.equal(e.retryable, false);
        assert.match(e.message, /code = Internal desc = header key "can you have a \. here\?" contains illegal characters/);
        return true;
      });
      assert.equal(be.requests.length, start, 'nothing was sent');
      assert.equal(metric(`otelcol_exporter_send_failed_${c.unit}`), 2);
      await exp.shutdown();
    });
  });
}
