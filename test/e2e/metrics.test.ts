// Metrics end to end, as a new user would run them: an application instrumented with the OpenTelemetry JS SDK
// (MeterProvider + PeriodicExportingMetricReader + the official OTLP metric exporters) records a counter, an
// up-down counter, an observable gauge, an explicit-bucket histogram and an exponential histogram (a View), with
// attributes, in two collection cycles; otelcol-ts runs
//   otlp receiver → memory_limiter → batch → otlp / otlphttp exporter
// and a real OTLP backend (decoding with the protobufjs oracle) receives the result. Every data point must arrive
// exactly once and identical to what the SDK exported (names, types, temporality, monotonicity, attributes,
// values, bucket counts and bounds, scale and offsets, min/max/sum, timestamps), and the values must be the ones
// the application recorded.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ValueType } from '@opentelemetry/api';
import { AggregationType } from '@opentelemetry/sdk-metrics';
import { httpGet, sleep, startCollector } from '../helpers/collector';
import { createMeterSdk, type MetricTemporality, type SdkProtocol, type TestMeterSdk } from '../helpers/sdk';
import { SignalBackend, assertSameRows, flattenMetrics, kvObject, settleBackend, stableJson, type FlatPoint } from '../helpers/capture-signals';
import { otlpReceiver, pickPorts, sumMetric, telemetry, type Ports } from './e2e-config';

const SERVICE = 'shop-backend';
const LATENCY_BOUNDS = [0, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

function metricsConfig(p: Ports, exporterId: string, exporterBody: string): string {
  return `
receivers:${otlpReceiver(p)}
processors:
  memory_limiter:
    check_interval: 1s
    limit_mib: 512
    spike_limit_mib: 128
  batch:
    send_batch_size: 16
    timeout: 200ms
exporters:
  ${exporterId}:
${exporterBody}
service:${telemetry(p)}
  pipelines:
    metrics:
      receivers: [otlp]
      processors: [memory_limiter, batch]
      exporters: [${exporterId}]
`;
}

interface Variant {
  title: string;
  sdkProtocol: SdkProtocol;
  temporality: MetricTemporality;
  exporterId: string;
  exporterBody: (be: SignalBackend) => string;
  transport: 'grpc' | 'http';
  contentType: string;
}

const variants: Variant[] = [
  {
    title: 'SDK OTLP/gRPC (cumulative) → otlp exporter',
    sdkProtocol: 'grpc',
    temporality: 'cumulative',
    exporterId: 'otlp',
    exporterBody: (be) => `    endpoint: ${be.grpcEndpoint}\n    tls:\n      insecure: true`,
    transport: 'grpc',
    contentType: 'application/grpc',
  },
  {
    title: 'SDK OTLP/HTTP protobuf (lowmemory: delta counters and histograms) → otlphttp exporter (protobuf)',
    sdkProtocol: 'http/protobuf',
    temporality: 'lowmemory',
    exporterId: 'otlphttp',
    exporterBody: (be) => `    endpoint: ${be.httpEndpoint}`,
    transport: 'http',
    contentType: 'application/x-protobuf',
  },
  {
    title: 'SDK OTLP/HTTP JSON (delta) → otlphttp exporter with encoding: json',
    sdkProtocol: 'http/json',
    temporality: 'delta',
    exporterId: 'otlphttp/json',
    exporterBody: (be) => `    endpoint: ${be.httpEndpoint}\n    encoding: json\n    compression: none`,
    transport: 'http',
    contentType: 'application/json',
  },
];

const DELTA = 1;
const CUMULATIVE = 2;

/** What the application recorded, per instrument and attribute set, to check the backend's values against. */
interface Recorded {
  orders: Map<string, number>; // counter, INT
  inflight: Map<string, number>; // up-down counter, INT
  temperature: Map<string, number>; // last observed gauge value
  latency: Map<string, number[]>; // explicit histogram samples
  payload: number[]; // exponential histogram samples (one attribute set)
}

const attrKey = (a: Record<string, unknown>) => stableJson(a);

/** The points of metric `name` grouped by attribute set (key: stable JSON of the attributes), oldest first. */
function streams(points: FlatPoint[], name: string): Map<string, FlatPoint[]> {
  const out = new Map<string, FlatPoint[]>();
  for (const p of points) {
    if (p.metric.name !== name) continue;
    const k = attrKey(kvObject(p.point.attributes));
    if (!out.has(k)) out.set(k, []);
    out.get(k)!.push(p);
  }
  for (const list of out.values()) list.sort((a, b) => (BigInt(String(a.point.timeUnixNano)) < BigInt(String(b.point.timeUnixNano)) ? -1 : 1));
  return out;
}

/** The value at the end: the latest point of a cumulative stream, the sum of a delta stream's points. */
function finalSum(list: FlatPoint[], temporality: number, field: 'asInt' | 'asDouble' | 'count'): number {
  const v = (p: FlatPoint) => Number(p.point[field] ?? 0);
  if (temporality === CUMULATIVE) return v(list[list.length - 1]!);
  return list.reduce((n, p) => n + v(p), 0);
}

function meterSdk(protocol: SdkProtocol, url: string, temporality: MetricTemporality): TestMeterSdk {
  return createMeterSdk({
    protocol,
    url,
    serviceName: SERVICE,
    resourceAttributes: { 'deployment.environment': 'e2e', 'host.cores': 2 },
    temporality,
    scopeName: 'shop-metrics',
    scopeVersion: '3.1.4',
    views: [
      { instrumentName: 'http.server.request.duration', aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: LATENCY_BOUNDS } } },
      // A small maxSize forces the SDK to rescale (scale < 20), so scale and offsets are non-trivial.
      { instrumentName: 'shop.payload.size', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: 16 } } },
    ],
  });
}

/** The application: two collection cycles of every instrument; returns what it recorded. */
async function recordScenario(sdk: TestMeterSdk): Promise<Recorded> {
  const m = sdk.meter;
  const orders = m.createCounter('shop.orders', { description: 'Orders placed', unit: '{order}', valueType: ValueType.INT });
  const inflight = m.createUpDownCounter('shop.requests.inflight', { description: 'Requests in flight', unit: '{request}', valueType: ValueType.INT });
  const latency = m.createHistogram('http.server.request.duration', { description: 'Duration of HTTP server requests', unit: 's' });
  const payload = m.createHistogram('shop.payload.size', { description: 'Request body size', unit: 'By' });
  const rec: Recorded = { orders: new Map(), inflight: new Map(), temperature: new Map(), latency: new Map(), payload: [] };
  let tempBase = 40.25;
  m.createObservableGauge('shop.cpu.temperature', { description: 'CPU temperature', unit: 'Cel', valueType: ValueType.DOUBLE }).addCallback((r) => {
    for (const core of [0, 1]) {
      const value = tempBase + core * 1.5;
      r.observe(value, { 'cpu.core': core });
      rec.temperature.set(attrKey({ 'cpu.core': String(core) }), value);
    }
  });

  const addOrders = (n: number, a: Record<string, string | boolean>) => {
    orders.add(n, a);
    const k = attrKey(a);
    rec.orders.set(k, (rec.orders.get(k) ?? 0) + n);
  };
  const addInflight = (n: number, a: Record<string, string>) => {
    inflight.add(n, a);
    const k = attrKey(a);
    rec.inflight.set(k, (rec.inflight.get(k) ?? 0) + n);
  };
  const recordLatency = (x: number, route: string, status: number) => {
    latency.record(x, { 'http.route': route, 'http.response.status_code': status, 'http.request.method': 'POST' });
    // Canonical attributes: ints are decimal strings.
    const k = attrKey({ 'http.route': route, 'http.response.status_code': String(status), 'http.request.method': 'POST' });
    if (!rec.latency.has(k)) rec.latency.set(k, []);
    rec.latency.get(k)!.push(x);
  };
  const recordPayload = (x: number) => {
    payload.record(x, { 'shop.tenant': 'acme', 'shop.tags': ['a', 'b'] });
    rec.payload.push(x);
  };

  // Cycle 1.
  addOrders(3, { 'shop.region': 'eu', 'shop.express': true });
  addOrders(5, { 'shop.region': 'us', 'shop.express': false });
  addInflight(7, { 'http.route': '/checkout' });
  addInflight(-2, { 'http.route': '/checkout' });
  addInflight(4, { 'http.route': '/cart' });
  for (const x of [0, 0.003, 0.012, 0.2, 0.7, 3.5]) recordLatency(x, '/checkout', 200);
  for (const x of [0.04, 0.041, 1.2]) recordLatency(x, '/cart', 503);
  for (const x of [0, 1, 17, 250, 4096, 65_000, 1_000_000, 0.5]) recordPayload(x);
  await sdk.flush();
  // Cycle 2: more of the same, plus a new attribute set.
  addOrders(2, { 'shop.region': 'eu', 'shop.express': true });
  addOrders(11, { 'shop.region': 'ap', 'shop.express': false });
  addInflight(-3, { 'http.route': '/cart' });
  tempBase = 55.5;
  for (const x of [0.006, 0.3, 9]) recordLatency(x, '/checkout', 200);
  for (const x of [3, 3, 12_345]) recordPayload(x);
  await sdk.shutdown(); // final collection and export
  return rec;
}

/** The backend's points carry the values the application recorded (cumulative or delta). */
function checkRecordedValues(got: FlatPoint[], rec: Recorded, temporality: MetricTemporality): void {
  // 2. The values are the ones the application recorded (so the comparison above is not of two wrong things).
  const counterTemporality = temporality === 'cumulative' ? CUMULATIVE : DELTA;
  const ordersStreams = streams(got, 'shop.orders');
  assert.equal(ordersStreams.size, rec.orders.size, 'shop.orders attribute sets');
  for (const [k, list] of ordersStreams) {
    const first = list[0]!;
    assert.equal(first.metric.type, 'sum');
    assert.equal(first.metric.isMonotonic, true, 'a counter is monotonic');
    assert.equal(first.metric.aggregationTemporality, counterTemporality, 'shop.orders temporality');
    assert.equal(first.metric.unit, '{order}');
    assert.equal(first.metric.description, 'Orders placed');
    assert.ok(first.point.asInt !== undefined && first.point.asDouble === undefined, 'an INT counter sends asInt');
    assert.equal(finalSum(list, counterTemporality, 'asInt'), rec.orders.get(k), `shop.orders ${k}`);
  }
  const inflightStreams = streams(got, 'shop.requests.inflight');
  assert.equal(inflightStreams.size, rec.inflight.size);
  for (const [k, list] of inflightStreams) {
    assert.equal(list[0]!.metric.isMonotonic ?? false, false, 'an up-down counter is not monotonic');
    assert.equal(list[0]!.metric.aggregationTemporality, CUMULATIVE, 'up-down counters stay cumulative');
    assert.equal(finalSum(list, CUMULATIVE, 'asInt'), rec.inflight.get(k), `shop.requests.inflight ${k}`);
  }
  const tempStreams = streams(got, 'shop.cpu.temperature');
  assert.equal(tempStreams.size, 2);
  for (const [k, list] of tempStreams) {
    assert.equal(list[0]!.metric.type, 'gauge');
    assert.equal(list[list.length - 1]!.point.asDouble, rec.temperature.get(k), `last temperature ${k}`);
  }
  const latStreams = streams(got, 'http.server.request.duration');
  assert.equal(latStreams.size, rec.latency.size);
  for (const [k, list] of latStreams) {
    assert.equal(list[0]!.metric.type, 'histogram');
    assert.equal(list[0]!.metric.aggregationTemporality, counterTemporality);
    const samples = rec.latency.get(k)!;
    for (const pt of list) assert.deepEqual(pt.point.explicitBounds, LATENCY_BOUNDS, 'explicit bounds');
    assert.equal(finalSum(list, counterTemporality, 'count'), samples.length, `histogram count ${k}`);
    // Bucket counts: bucket i holds (bounds[i-1], bounds[i]].
    const want = new Array<number>(LATENCY_BOUNDS.length + 1).fill(0);
    for (const x of samples) {
      let i = LATENCY_BOUNDS.findIndex((b) => x <= b);
      if (i < 0) i = LATENCY_BOUNDS.length;
      want[i]++;
    }
    const have = new Array<number>(LATENCY_BOUNDS.length + 1).fill(0);
    const used = counterTemporality === CUMULATIVE ? [list[list.length - 1]!] : list;
    for (const pt of used) (pt.point.bucketCounts as string[]).forEach((c, i) => (have[i] += Number(c)));
    assert.deepEqual(have, want, `bucket counts ${k}`);
    const last = list[list.length - 1]!.point;
    if (counterTemporality === CUMULATIVE) {
      assert.equal(last.min, Math.min(...samples));
      assert.equal(last.max, Math.max(...samples));
      assert.ok(Math.abs((last.sum as number) - samples.reduce((a, b) => a + b, 0)) < 1e-9, 'histogram sum');
    }
  }
  const payStreams = streams(got, 'shop.payload.size');
  assert.equal(payStreams.size, 1);
  for (const [k, list] of payStreams) {
    assert.equal(list[0]!.metric.type, 'exponentialHistogram');
    assert.deepEqual(kvObject(list[0]!.point.attributes), { 'shop.tenant': 'acme', 'shop.tags': ['a', 'b'] }, 'array attribute');
    assert.equal(finalSum(list, counterTemporality, 'count'), rec.payload.length, `exponential histogram count ${k}`);
    const used = counterTemporality === CUMULATIVE ? [list[list.length - 1]!] : list;
    const zero = used.reduce((n, pt) => n + Number(pt.point.zeroCount ?? 0), 0);
    assert.equal(zero, rec.payload.filter((x) => x === 0).length, 'zero count');
    const inBuckets = used.reduce((n, pt) => n + ((pt.point.positive as { bucketCounts?: string[] } | undefined)?.bucketCounts ?? []).reduce((a, c) => a + Number(c), 0), 0);
    assert.equal(inBuckets, rec.payload.filter((x) => x > 0).length, 'positive bucket counts');
    // maxSize 16 makes the SDK pick a negative scale for 0.5…1e6, and a negative offset: sint32 on the wire.
      assert.ok(list.some((pt) => ((pt.point.scale as number | undefined) ?? 0) < 0), 'a negative scale');
  }

}

for (const v of variants) {
  test(`metrics e2e: ${v.title}`, { timeout: 30_000 }, async (t) => {
    const be = await SignalBackend.start();
    t.after(() => be.close());
    const p = await pickPorts();
    const col = await startCollector(t, { config: metricsConfig(p, v.exporterId, v.exporterBody(be)), ready: { tcpPorts: [p.grpc, p.http] } });

    const url = v.sdkProtocol === 'grpc' ? `http://127.0.0.1:${p.grpc}` : `http://127.0.0.1:${p.http}/v1/metrics`;
    const sdk = meterSdk(v.sdkProtocol, url, v.temporality);
    const rec = await recordScenario(sdk);
    assert.deepEqual(sdk.failedExports().map((r) => r.error), [], `the SDK's exports to otelcol-ts failed\n${col.output()}`);

    const sent = flattenMetrics(sdk.sentRequests());
    assert.ok(sent.length >= 12, `the SDK exported only ${sent.length} data points`);
    await be.waitForItems('metrics', sent.length, 10_000).catch((e) => {
      throw new Error(`${(e as Error).message}\n${col.output()}`);
    });
    await settleBackend(be, 600);
    assert.deepEqual(be.decodeErrors().map((r) => r.error), [], 'the backend could not decode what otelcol-ts sent');

    // 1. Identity: every data point the SDK exported arrived once, identical (any grouping into requests).
    const got = be.points();
    assert.equal(got.length, sent.length, 'number of data points at the backend');
    assertSameRows(got, sent, "data points at the backend vs exported by the SDK");

    checkRecordedValues(got, rec, v.temporality);

    // 3. Resource and scope survived.
    for (const pt of got) {
      const ra = kvObject(pt.resource.attributes);
      assert.deepEqual([ra['service.name'], ra['deployment.environment'], ra['host.cores']], [SERVICE, 'e2e', '2'], 'resource attributes');
      assert.equal(pt.scope.name, 'shop-metrics');
      assert.equal(pt.scope.version, '3.1.4');
    }

    // 4. Wire format of the exporter.
    for (const r of be.accepted('metrics')) {
      assert.equal(r.transport, v.transport);
      assert.equal(r.contentType, v.contentType);
      if (v.transport === 'http') assert.equal(r.path, '/v1/metrics');
    }

    // 5. Self-metrics count data points, with the Go names.
    const metricsUrl = `http://127.0.0.1:${p.metrics}/metrics`;
    let text = '';
    for (let i = 0; i < 20; i++) {
      text = (await httpGet(metricsUrl)).body;
      if (sumMetric(text, 'otelcol_exporter_sent_metric_points') === sent.length) break;
      await sleep(100);
    }
    assert.equal(sumMetric(text, 'otelcol_receiver_accepted_metric_points'), sent.length, `otelcol_receiver_accepted_metric_points\n${text}`);
    assert.equal(sumMetric(text, 'otelcol_exporter_sent_metric_points'), sent.length, `otelcol_exporter_sent_metric_points\n${text}`);

    assert.ok(col.alive(), `collector died\n${col.output()}`);
    assert.equal(await col.stop(), 0, `exit code after SIGTERM\n${col.output()}`);
    assert.equal(be.itemCount('metrics'), sent.length, 'nothing more arrived at shutdown');
  });
}

// The harness itself, without otelcol-ts: the SDK exporters talk straight to the backend. If this fails, the
// failures above are the harness's, not the collector's.
for (const protocol of ['grpc', 'http/protobuf', 'http/json'] as SdkProtocol[]) {
  test(`metrics harness: SDK ${protocol} → signal backend directly`, { timeout: 15_000 }, async (t) => {
    const be = await SignalBackend.start();
    t.after(() => be.close());
    const url = protocol === 'grpc' ? `http://${be.grpcEndpoint}` : `${be.httpEndpoint}/v1/metrics`;
    const temporality: MetricTemporality = protocol === 'grpc' ? 'cumulative' : 'delta';
    const sdk = meterSdk(protocol, url, temporality);
    const rec = await recordScenario(sdk);
    assert.deepEqual(sdk.failedExports().map((r) => r.error), []);
    const sent = flattenMetrics(sdk.sentRequests());
    await be.waitForItems('metrics', sent.length, 5000);
    assert.deepEqual(be.decodeErrors().map((r) => r.error), []);
    assertSameRows(be.points(), sent, "points at the backend vs sent by the SDK");
    checkRecordedValues(be.points(), rec, temporality);
  });
}
