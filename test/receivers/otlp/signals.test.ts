// The otlp receiver for metrics and logs: gRPC MetricsService/LogsService Export and HTTP POST /v1/metrics,
// /v1/logs (protobuf, JSON, gzip), the same bad-input answers as traces, partial success with
// rejected_data_points / rejected_log_records, the per-signal self-metrics, and signals without a pipeline.

import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import type * as protobuf from 'protobufjs';
import { CapturingConsumer, testHost } from '../../../src/component/testing';
import { ConfigError, OverloadedError } from '../../../src/errors';
import { PartialSuccessError } from '../../../src/receivers/otlp/status';
import { LOGS_SERVICE_EXPORT, METRICS_SERVICE_EXPORT, TRACE_SERVICE_EXPORT } from '../../../src/receivers/otlp/receiver';
import { ExportLogsServiceResponse, ExportMetricsServiceResponse } from '../../oracle/otlp-oracle';
import {
  decodeRpcStatus,
  httpRequest,
  LOOPBACK,
  logsRequest,
  logsRequestJson,
  metricsRequest,
  metricsRequestJson,
  postJson,
  postProto,
  rawClient,
  startReceiver,
  traceRequest,
  type Started,
} from './helpers';

interface SignalCase {
  signal: 'metrics' | 'logs';
  grpcPath: string;
  urlPath: string;
  urlPathKey: string;
  /** Self-metric item word. */
  unit: string;
  request(n: number, prefix: string): Uint8Array;
  requestJson(n: number, prefix: string): string;
  /** Items the consumer got so far. */
  count(c: CapturingConsumer): number;
  /** What the last batch the consumer got says about itself: its name/body prefix and item count. */
  last(c: CapturingConsumer): { label: string; items: number };
  response: protobuf.Type;
  rejectedKey: string;
}

const CASES: SignalCase[] = [
  {
    signal: 'metrics',
    grpcPath: METRICS_SERVICE_EXPORT,
    urlPath: '/v1/metrics',
    urlPathKey: 'metrics_url_path',
    unit: 'metric_points',
    request: (n, prefix) => metricsRequest(n, { prefix }),
    requestJson: (n, prefix) => metricsRequestJson(n, prefix),
    count: (c) => c.dataPointCount,
    last: (c) => {
      const b = c.metricBatches.at(-1)!;
      return { label: b.metricName(0), items: b.dataPointCount };
    },
    response: ExportMetricsServiceResponse,
    rejectedKey: 'rejectedDataPoints',
  },
  {
    signal: 'logs',
    grpcPath: LOGS_SERVICE_EXPORT,
    urlPath: '/v1/logs',
    urlPathKey: 'logs_url_path',
    unit: 'log_records',
    request: (n, prefix) => logsRequest(n, { prefix }),
    requestJson: (n, prefix) => logsRequestJson(n, prefix),
    count: (c) => c.logRecordCount,
    last: (c) => {
      const b = c.logBatches.at(-1)!;
      return { label: (b.bodyString(0) ?? '').replace(/-0$/, ''), items: b.logRecordCount };
    },
    response: ExportLogsServiceResponse,
    rejectedKey: 'rejectedLogRecords',
  },
];

const GRPC = { receiver: 'otlp', transport: 'grpc' };
const HTTP = { receiver: 'otlp', transport: 'http' };
const LIMIT = 64 * 1024;

for (const c of CASES) {
  describe(`otlp receiver: ${c.signal}`, () => {
    let r: Started;
    before(async () => {
      r = await startReceiver(
        { protocols: { grpc: { endpoint: LOOPBACK, max_recv_msg_size_mib: 1 }, http: { endpoint: LOOPBACK, max_request_body_size: LIMIT } } },
        { signals: ['traces', 'metrics', 'logs'] },
      );
    });
    after(async () => {
      await r.stop();
    });
    const accepted = (labels: Record<string, string>) => r.registry.value(`otelcol_receiver_accepted_${c.unit}`, labels);
    const refused = (labels: Record<string, string>) => r.registry.value(`otelcol_receiver_refused_${c.unit}`, labels);

    it(`gRPC ${c.grpcPath}: protobuf accepted, empty response, counted per item`, async () => {
      const client = rawClient(r.grpcTarget, c.grpcPath);
      try {
        const before = c.count(r.consumer);
        const acc = accepted(GRPC);
        const res = await client.export(c.request(5, 'grpc-plain'));
        assert.equal(res.error, undefined, res.error?.message);
        assert.equal(res.response!.length, 0, 'full success is an empty response message');
        assert.equal(c.count(r.consumer) - before, 5);
        assert.deepEqual(c.last(r.consumer), { label: 'grpc-plain', items: 5 });
        assert.equal(accepted(GRPC) - acc, 5);
        assert.match(r.registry.renderPrometheus(), new RegExp(`otelcol_receiver_accepted_${c.unit}_total\\{receiver="otlp",transport="grpc"\\} \\d+`));
      } finally {
        client.close();
      }
    });

    it('gRPC: gzip-compressed requests are accepted', async () => {
      const client = rawClient(r.grpcTarget, c.grpcPath, { compression: 'gzip' });
      try {
        const res = await client.export(c.request(7, 'grpc-gz'));
        assert.equal(res.error, undefined, res.error?.message);
        assert.deepEqual(c.last(r.consumer), { label: 'grpc-gz', items: 7 });
      } finally {
        client.close();
      }
    });

    it('gRPC: malformed message -> INVALID_ARGUMENT, too large -> RESOURCE_EXHAUSTED; the receiver stays up', async () => {
      const client = rawClient(r.grpcTarget, c.grpcPath, { options: { 'grpc.max_send_message_length': 64 * 1024 * 1024 } });
      try {
        const before = c.count(r.consumer);
        const bad = await client.export(Uint8Array.from([0x0a, 0x64, 1, 2, 3]));
        assert.equal(bad.error?.code, grpc.status.INVALID_ARGUMENT, bad.error?.message);
        const big = c.request(14000, 'big');
        assert.ok(big.length > 1024 * 1024, `request is ${big.length} bytes`);
        const tooBig = await client.export(big);
        assert.equal(tooBig.error?.code, grpc.status.RESOURCE_EXHAUSTED, tooBig.error?.message);
        assert.equal(c.count(r.consumer), before, 'nothing reached the pipeline');
        const ok = await client.export(c.request(1, 'after'));
        assert.equal(ok.error, undefined);
      } finally {
        client.close();
      }
    });

    it('gRPC: a retryable refusal downstream -> UNAVAILABLE with its message, counted as refused', async () => {
      const client = rawClient(r.grpcTarget, c.grpcPath);
      const ref = refused(GRPC);
      r.consumer.fail = new OverloadedError('pipeline full', 2);
      try {
        const res = await client.export(c.request(4, 'refused'));
        assert.equal(res.error?.code, grpc.status.UNAVAILABLE);
        assert.match(res.error!.details, /pipeline full/);
        assert.equal(refused(GRPC) - ref, 4);
      } finally {
        r.consumer.fail = undefined;
        client.close();
      }
    });

    it(`gRPC: partial success -> ${c.rejectedKey} in the response, the rest counted as accepted`, async () => {
      const client = rawClient(r.grpcTarget, c.grpcPath);
      const [acc, ref] = [accepted(GRPC), refused(GRPC)];
      r.consumer.fail = new PartialSuccessError(2, '2 items were invalid');
      try {
        const res = await client.export(c.request(5, 'partial'));
        assert.equal(res.error, undefined, res.error?.message);
        const decoded = c.response.toObject(c.response.decode(res.response!), { longs: String });
        assert.deepEqual(decoded, { partialSuccess: { [c.rejectedKey]: '2', errorMessage: '2 items were invalid' } });
        assert.equal(accepted(GRPC) - acc, 3);
        assert.equal(refused(GRPC) - ref, 2);
      } finally {
        r.consumer.fail = undefined;
        client.close();
      }
    });

    it(`HTTP POST ${c.urlPath}: protobuf -> empty protobuf response; JSON -> {}; gzip bodies`, async () => {
      const acc = accepted(HTTP);
      let res = await postProto(r.httpBase, c.request(3, 'http-pb'), {}, c.urlPath);
      assert.equal(res.status, 200, res.body.toString());
      assert.equal(res.headers['content-type'], 'application/x-protobuf');
      assert.equal(res.body.length, 0);
      assert.deepEqual(c.last(r.consumer), { label: 'http-pb', items: 3 });
      res = await postJson(r.httpBase, c.requestJson(2, 'http-json'), { 'Content-Type': 'application/json; charset=utf-8' }, c.urlPath);
      assert.equal(res.status, 200, res.body.toString());
      assert.equal(res.headers['content-type'], 'application/json');
      assert.deepEqual(JSON.parse(res.body.toString()), {});
      assert.deepEqual(c.last(r.consumer), { label: 'http-json', items: 2 });
      res = await postProto(r.httpBase, zlib.gzipSync(c.request(4, 'http-gz')), { 'Content-Encoding': 'gzip' }, c.urlPath);
      assert.equal(res.status, 200, res.body.toString());
      assert.deepEqual(c.last(r.consumer), { label: 'http-gz', items: 4 });
      res = await postJson(r.httpBase, zlib.gzipSync(c.requestJson(1, 'http-gzjson')), { 'Content-Encoding': 'gzip' }, c.urlPath);
      assert.equal(res.status, 200, res.body.toString());
      assert.deepEqual(c.last(r.consumer), { label: 'http-gzjson', items: 1 });
      assert.equal(accepted(HTTP) - acc, 10);
    });

    it('HTTP: malformed protobuf/JSON -> 400 with a google.rpc.Status, too large -> 413, bad type -> 415, GET -> 405', async () => {
      const before = c.count(r.consumer);
      let res = await postProto(r.httpBase, Uint8Array.from([0x0a, 0x64, 1, 2, 3]), {}, c.urlPath);
      assert.equal(res.status, 400);
      assert.equal(decodeRpcStatus(res.body).code, grpc.status.INVALID_ARGUMENT);
      res = await postJson(r.httpBase, '{"resource', {}, c.urlPath);
      assert.equal(res.status, 400);
      assert.equal(JSON.parse(res.body.toString()).code, grpc.status.INVALID_ARGUMENT);
      const big = c.request(2000, 'big');
      assert.ok(big.length > LIMIT);
      res = await postProto(r.httpBase, big, {}, c.urlPath);
      assert.equal(res.status, 413);
      res = await httpRequest(r.httpBase + c.urlPath, { headers: { 'Content-Type': 'text/plain' }, body: 'hello' });
      assert.equal(res.status, 415);
      res = await httpRequest(r.httpBase + c.urlPath, { method: 'GET' });
      assert.equal(res.status, 405);
      assert.equal(res.headers['allow'], 'POST');
      assert.equal(c.count(r.consumer), before, 'nothing reached the pipeline');
    });

    it(`HTTP: partial success -> 200 with partialSuccess.${c.rejectedKey} in protobuf and JSON`, async () => {
      const [acc, ref] = [accepted(HTTP), refused(HTTP)];
      r.consumer.fail = new PartialSuccessError(1, 'one item dropped');
      try {
        const pb = await postProto(r.httpBase, c.request(3, 'partial'), {}, c.urlPath);
        assert.equal(pb.status, 200);
        assert.deepEqual(c.response.toObject(c.response.decode(pb.body), { longs: String }), {
          partialSuccess: { [c.rejectedKey]: '1', errorMessage: 'one item dropped' },
        });
        const js = await postJson(r.httpBase, c.requestJson(3, 'partial'), {}, c.urlPath);
        assert.equal(js.status, 200);
        assert.deepEqual(JSON.parse(js.body.toString()), { partialSuccess: { [c.rejectedKey]: '1', errorMessage: 'one item dropped' } });
        assert.equal(accepted(HTTP) - acc, 4);
        assert.equal(refused(HTTP) - ref, 2);
      } finally {
        r.consumer.fail = undefined;
      }
    });

    it('an empty request is answered success without calling the pipeline (as Go)', async () => {
      const batches = r.consumer.metricBatches.length + r.consumer.logBatches.length;
      const acc = accepted(HTTP) + accepted(GRPC);
      r.consumer.fail = new OverloadedError('must not be called');
      const client = rawClient(r.grpcTarget, c.grpcPath);
      try {
        const g = await client.export(new Uint8Array(0));
        assert.equal(g.error, undefined);
        const h = await postJson(r.httpBase, '{}', {}, c.urlPath);
        assert.equal(h.status, 200);
        assert.equal(r.consumer.metricBatches.length + r.consumer.logBatches.length, batches);
        assert.equal(accepted(HTTP) + accepted(GRPC), acc);
      } finally {
        r.consumer.fail = undefined;
        client.close();
      }
    });

    it(`${c.urlPathKey} moves the route (sanitized as Go: a leading / is added)`, async () => {
      const r2 = await startReceiver({ protocols: { http: { endpoint: LOOPBACK, [c.urlPathKey]: `custom/${c.signal}` } } }, { signals: [c.signal] });
      try {
        let res = await postProto(r2.httpBase, c.request(2, 'moved'), {}, `/custom/${c.signal}`);
        assert.equal(res.status, 200, res.body.toString());
        assert.deepEqual(c.last(r2.consumer), { label: 'moved', items: 2 });
        res = await postProto(r2.httpBase, c.request(2, 'old'), {}, c.urlPath);
        assert.equal(res.status, 404);
      } finally {
        await r2.stop();
      }
    });
  });
}

describe('otlp receiver: a signal without a pipeline', () => {
  let r: Started;
  before(async () => {
    // Only a traces pipeline uses this receiver.
    r = await startReceiver({ protocols: { grpc: { endpoint: LOOPBACK }, http: { endpoint: LOOPBACK } } }, { signals: ['traces'] });
  });
  after(async () => {
    await r.stop();
  });

  it('HTTP /v1/metrics and /v1/logs answer 404; gRPC MetricsService and LogsService answer UNIMPLEMENTED', async () => {
    assert.equal((await postProto(r.httpBase, metricsRequest(1), {}, '/v1/metrics')).status, 404);
    assert.equal((await postProto(r.httpBase, logsRequest(1), {}, '/v1/logs')).status, 404);
    for (const [path, body] of [
      [METRICS_SERVICE_EXPORT, metricsRequest(1)],
      [LOGS_SERVICE_EXPORT, logsRequest(1)],
    ] as const) {
      const client = rawClient(r.grpcTarget, path);
      try {
        const res = await client.export(body);
        assert.equal(res.error?.code, grpc.status.UNIMPLEMENTED, path);
      } finally {
        client.close();
      }
    }
    assert.equal((await postProto(r.httpBase, traceRequest(1), {})).status, 200, 'traces still served');
  });

  it('has self-metric series only for the signals it serves', () => {
    assert.equal(r.receiver.signals.join(','), 'traces');
    const text = r.registry.renderPrometheus();
    assert.match(text, /otelcol_receiver_accepted_spans_total/);
    assert.doesNotMatch(text, /metric_points|log_records/);
  });

  it('a metrics-only receiver answers 404 / UNIMPLEMENTED for traces', async () => {
    const m = await startReceiver({ protocols: { grpc: { endpoint: LOOPBACK }, http: { endpoint: LOOPBACK } } }, { signals: ['metrics'] });
    try {
      assert.equal((await postProto(m.httpBase, traceRequest(1), {})).status, 404);
      const client = rawClient(m.grpcTarget, TRACE_SERVICE_EXPORT);
      try {
        assert.equal((await client.export(traceRequest(1))).error?.code, grpc.status.UNIMPLEMENTED);
      } finally {
        client.close();
      }
      assert.equal((await postProto(m.httpBase, metricsRequest(2), {}, '/v1/metrics')).status, 200);
      assert.equal(m.consumer.dataPointCount, 2);
    } finally {
      await m.stop();
    }
  });

  it('two served signals on the same HTTP path: start() fails with the config path (Go refuses to start too)', async () => {
    await assert.rejects(
      startReceiver({ protocols: { http: { endpoint: LOOPBACK, logs_url_path: '/v1/traces' } } }, { signals: ['traces', 'logs'], host: testHost() }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.deepEqual(
          e.issues.map((i) => `${i.path}: ${i.message}`),
          ['receivers.otlp.protocols.http.logs_url_path: the logs and traces pipelines both use the HTTP path "/v1/traces"'],
        );
        return true;
      },
    );
    // The same paths are fine when only one of the two signals is used.
    const ok = await startReceiver({ protocols: { http: { endpoint: LOOPBACK, logs_url_path: '/v1/traces' } } }, { signals: ['traces'] });
    await ok.stop();
  });
});
