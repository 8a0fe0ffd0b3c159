import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { parse } from 'yaml';
import { validateConfigOrThrow } from '../../src/config/config';
import { ConfigError } from '../../src/errors';
import { Registry } from '../../src/service/registry';
import { Service, StartError } from '../../src/service/service';
import { CapturingLogger, FakeBatch, FakeWorld } from './fakes';

const NO_METRICS = '  telemetry: { metrics: { level: none } }\n';

function makeService(yaml: string, world = new FakeWorld()) {
  const registry = new Registry(world.factories);
  const config = validateConfigOrThrow(parse(yaml), registry);
  const logger = new CapturingLogger();
  const svc = new Service({ config, logger, buildInfo: { command: 'otelcol-ts', version: '9.9.9' } });
  return { world, svc, logger };
}

const TWO_PIPELINES = `
receivers: { fakerecv: }
processors:
  fakeproc/p1:
  fakeproc/p2:
  fakeproc/p3:
exporters: { capture: , capture/2: }
extensions: { fakeext: }
service:
  extensions: [fakeext]
  pipelines:
    traces:
      receivers: [fakerecv]
      processors: [fakeproc/p1, fakeproc/p2]
      exporters: [capture]
    traces/b:
      receivers: [fakerecv]
      processors: [fakeproc/p3]
      exporters: [capture, capture/2]
${NO_METRICS}`;

test('service: starts extensions, exporters, processors (end to start), receivers; shuts down the other way', async () => {
  const { world, svc } = makeService(TWO_PIPELINES);
  assert.deepEqual(world.events, [], 'creating the service starts nothing');
  await svc.start();
  assert.deepEqual(world.events, [
    'start extension:fakeext',
    'start exporter:capture',
    'start exporter:capture/2',
    'start processor:fakeproc/p2(traces)',
    'start processor:fakeproc/p1(traces)',
    'start processor:fakeproc/p3(traces/b)',
    'start receiver:fakerecv',
  ]);
  world.events.length = 0;
  await svc.shutdown();
  assert.deepEqual(world.events, [
    'shutdown receiver:fakerecv',
    'shutdown processor:fakeproc/p3(traces/b)',
    'shutdown processor:fakeproc/p1(traces)',
    'shutdown processor:fakeproc/p2(traces)',
    'shutdown exporter:capture/2',
    'shutdown exporter:capture',
    'shutdown extension:fakeext',
  ]);
});

test('service: a receiver shared by two pipelines feeds both; an exporter shared by two pipelines is one instance', async () => {
  const { world, svc } = makeService(TWO_PIPELINES);
  await svc.start();
  const b = new FakeBatch('one');
  await world.receiver('fakerecv').push(b);
  assert.equal(world.exporters.filter((e) => e.set.id.id === 'capture').length, 1, 'one capture instance for traces');
  const capture = world.exporter('capture');
  assert.equal(capture.starts, 1);
  assert.equal(capture.batches.length, 2, 'capture got the batch from each pipeline');
  assert.equal(world.exporter('capture/2').batches.length, 1);
  // Nobody mutates: every consumer saw the very same batch, nothing was cloned.
  for (const e of world.exporters) for (const got of e.batches) assert.equal(got, b);
  assert.equal(world.processor('fakeproc/p3', 'traces/b').seen[0], b);
  await svc.shutdown();
});

test('service: fan-out clones only for pipelines that mutate', async () => {
  const { world, svc } = makeService(`
receivers: { fakerecv: }
processors:
  fakeproc/ro:
  fakeproc/mut: { mutates: true }
exporters: { capture/a: , capture/b: , capture/c: }
service:
  pipelines:
    traces/readonly: { receivers: [fakerecv], processors: [fakeproc/ro], exporters: [capture/a] }
    traces/mutating: { receivers: [fakerecv], processors: [fakeproc/ro, fakeproc/mut], exporters: [capture/b] }
    traces/readonly2: { receivers: [fakerecv], exporters: [capture/c] }
${NO_METRICS}`);
  await svc.start();
  const b = new FakeBatch('x');
  const before = FakeBatch.clones;
  await world.receiver('fakerecv').push(b);
  assert.equal(FakeBatch.clones - before, 1, 'exactly one clone: for the pipeline with a mutating processor');
  assert.equal(world.exporter('capture/a').batches[0], b);
  assert.equal(world.exporter('capture/c').batches[0], b);
  const mutated = world.exporter('capture/b').batches[0]!;
  assert.notEqual(mutated, b);
  assert.equal(mutated.clonedFrom, b);
  // The whole mutating pipeline works on its clone, from its first (read-only) processor on.
  assert.equal(world.processor('fakeproc/ro', 'traces/mutating').seen[0], mutated);
  await svc.shutdown();
});

test('service: a mutating exporter shared with a read-only one gets a clone at the pipeline end', async () => {
  const { world, svc } = makeService(`
receivers: { fakerecv: }
exporters: { capture/ro: , capture/mut: { mutates: true } }
service:
  pipelines:
    traces: { receivers: [fakerecv], exporters: [capture/ro, capture/mut] }
${NO_METRICS}`);
  await svc.start();
  const b = new FakeBatch('y');
  await world.receiver('fakerecv').push(b);
  assert.equal(world.exporter('capture/ro').batches[0], b);
  assert.equal(world.exporter('capture/mut').batches[0]!.clonedFrom, b);
  await svc.shutdown();
});

test('service: an exporter error travels back to the receiver', async () => {
  const { world, svc } = makeService(`
receivers: { fakerecv: }
processors: { fakeproc: }
exporters: { capture: { fail: true } }
service:
  pipelines:
    traces: { receivers: [fakerecv], processors: [fakeproc], exporters: [capture] }
${NO_METRICS}`);
  await svc.start();
  await assert.rejects(world.receiver('fakerecv').push(new FakeBatch('z')), /exporter capture refused/);
  await svc.shutdown();
});

test('service: start() and shutdown() are idempotent', async () => {
  const { world, svc } = makeService(TWO_PIPELINES);
  await Promise.all([svc.start(), svc.start()]);
  await svc.start();
  const starts = world.events.length;
  assert.equal(world.events.filter((e) => e.startsWith('start ')).length, starts);
  assert.equal(starts, 7);
  await Promise.all([svc.shutdown(), svc.shutdown()]);
  await svc.shutdown();
  assert.equal(world.events.filter((e) => e.startsWith('shutdown ')).length, 7);
  await svc.start(); // after shutdown: no restart
  assert.equal(world.events.filter((e) => e.startsWith('start ')).length, 7);
});

test('service: a component failing to start stops what started and reports which one failed', async () => {
  const { world, svc } = makeService(`
receivers: { fakerecv: }
processors: { fakeproc/ok: , fakeproc/bad: { fail_start: true } }
exporters: { capture: }
extensions: { fakeext: }
service:
  extensions: [fakeext]
  pipelines:
    traces: { receivers: [fakerecv], processors: [fakeproc/bad, fakeproc/ok], exporters: [capture] }
${NO_METRICS}`);
  await assert.rejects(svc.start(), (e: unknown) => {
    assert.ok(e instanceof StartError);
    assert.equal(e.message, 'cannot start pipelines: failed to start "fakeproc/bad" processor: processor fakeproc/bad failed');
    return true;
  });
  assert.deepEqual(world.events, [
    'start extension:fakeext',
    'start exporter:capture',
    'start processor:fakeproc/ok(traces)',
    'start processor:fakeproc/bad(traces)',
    'shutdown processor:fakeproc/bad(traces)',
    'shutdown processor:fakeproc/ok(traces)',
    'shutdown exporter:capture',
    'shutdown extension:fakeext',
  ]);
  assert.ok(!world.events.includes('start receiver:fakerecv'), 'no receiver was started: nothing was accepted');
  assert.equal(svc.host.componentStatuses().get('processor:fakeproc/bad'), 'permanent_error');
  assert.equal(svc.host.pipelinesReady, false);
  await svc.shutdown(); // still fine to call
});

test('service: an extension failing to start is reported as such', async () => {
  const { svc } = makeService(`
receivers: { fakerecv: }
exporters: { capture: }
extensions: { fakeext: { fail_start: true } }
service:
  extensions: [fakeext]
  pipelines:
    traces: { receivers: [fakerecv], exporters: [capture] }
${NO_METRICS}`);
  await assert.rejects(svc.start(), /^StartError: failed to start extensions: failed to start "fakeext" extension: extension fakeext failed$/m);
});

test('service: the host exposes extensions, readiness and per-component statuses', async () => {
  const { world, svc } = makeService(TWO_PIPELINES);
  assert.equal(svc.host.pipelinesReady, false);
  assert.equal(svc.host.componentStatuses().get('receiver:fakerecv'), 'none');
  await svc.start();
  const recv = world.receiver('fakerecv');
  assert.ok(recv.host);
  assert.equal(recv.host.pipelinesReady, true);
  assert.equal(recv.host.getExtension('fakeext'), world.extensions.get('fakeext'));
  assert.equal(recv.host.getExtension('nope'), undefined);
  const st = svc.host.componentStatuses();
  assert.deepEqual(
    [...st.entries()].sort(),
    [
      ['exporter:capture', 'ok'],
      ['exporter:capture/2', 'ok'],
      ['extension:fakeext', 'ok'],
      ['processor:fakeproc/p1', 'ok'],
      ['processor:fakeproc/p2', 'ok'],
      ['processor:fakeproc/p3', 'ok'],
      ['receiver:fakerecv', 'ok'],
    ],
  );
  recv.host.reportStatus('receiver:fakerecv', 'recoverable_error');
  assert.equal(svc.host.componentStatuses().get('receiver:fakerecv'), 'recoverable_error');
  await svc.shutdown();
  assert.equal(recv.host.pipelinesReady, false);
  assert.equal(svc.host.componentStatuses().get('exporter:capture'), 'stopped');
});

test('service: components get settings with their id/kind in the logger, the shared meter and the level', async () => {
  const { world, svc, logger } = makeService(`
receivers: { fakerecv: }
processors: { fakeproc: }
exporters: { capture: }
service:
  pipelines:
    traces/x: { receivers: [fakerecv], processors: [fakeproc], exporters: [capture] }
  telemetry: { metrics: { level: detailed, readers: [ { periodic: { exporter: { otlp: {} } } } ] } }
`);
  const r = world.receiver('fakerecv');
  assert.equal(r.set.meter, svc.metrics);
  assert.equal(r.set.metricsLevel, 'detailed');
  r.set.logger.info('hello');
  assert.deepEqual(logger.records.at(-1)!.fields, { 'otelcol.component.id': 'fakerecv', 'otelcol.component.kind': 'receiver' });
  world.processor('fakeproc', 'traces/x').set.logger.info('p');
  assert.deepEqual(logger.records.at(-1)!.fields, {
    'otelcol.component.id': 'fakeproc',
    'otelcol.component.kind': 'processor',
    'otelcol.signal': 'traces',
    'otelcol.pipeline.id': 'traces/x',
  });
  assert.ok(logger.records.some((l) => l.level === 'warn' && /periodic/.test(l.msg)), 'unsupported telemetry settings are logged');
  assert.deepEqual(svc.metricsAddresses(), [], 'a periodic-only configuration opens no endpoint');
});

function get(port: number, path: string): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, timeout: 2000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type']) }));
      })
      .on('error', reject);
  });
}

test('service: self-metrics served as Prometheus text with the process metrics and resource labels', async () => {
  const { svc } = makeService(`
receivers: { fakerecv: }
exporters: { capture: }
service:
  pipelines:
    traces: { receivers: [fakerecv], exporters: [capture] }
  telemetry:
    metrics:
      readers: [ { pull: { exporter: { prometheus: { host: 127.0.0.1, port: 0 } } } } ]
`);
  svc.metrics.counter('otelcol_receiver_accepted_spans', 'spans accepted', { receiver: 'fakerecv', transport: 'grpc' }).add(3);
  await svc.start();
  const [addr] = svc.metricsAddresses();
  assert.ok(addr && addr.port > 0);
  const res = await get(addr.port, '/metrics');
  assert.equal(res.status, 200);
  assert.match(res.type, /^text\/plain; version=0\.0\.4/);
  const line = (name: string) => res.body.split('\n').find((l) => l.startsWith(name + '{'));
  for (const name of [
    'otelcol_process_uptime_seconds_total',
    'otelcol_process_cpu_seconds_total',
    'otelcol_process_memory_rss_bytes',
    'otelcol_process_runtime_heap_alloc_bytes',
    'otelcol_process_runtime_total_alloc_bytes_total',
  ]) {
    const l = line(name);
    assert.ok(l, `${name} missing:\n${res.body}`);
    assert.match(l, /service_instance_id="[0-9a-f-]{36}"/);
    assert.match(l, /service_name="otelcol-ts"/);
    assert.match(l, /service_version="9\.9\.9"/);
  }
  assert.ok(Number(line('otelcol_process_memory_rss_bytes')!.split(' ').pop()) > 1e6, 'rss is a real number of bytes');
  assert.match(line('otelcol_receiver_accepted_spans_total')!, /receiver="fakerecv".* 3$/);
  assert.equal((await get(addr.port, '/other')).status, 404);
  await svc.shutdown();
  await assert.rejects(get(addr.port, '/metrics'), 'the endpoint is closed after shutdown');
});

test('service: a busy metrics port fails start before any component starts', async (t) => {
  const busy = net.createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
  t.after(() => busy.close());
  const port = (busy.address() as net.AddressInfo).port;
  const { world, svc } = makeService(`
receivers: { fakerecv: }
exporters: { capture: }
extensions: { fakeext: }
service:
  extensions: [fakeext]
  pipelines:
    traces: { receivers: [fakerecv], exporters: [capture] }
  telemetry:
    metrics:
      readers: [ { pull: { exporter: { prometheus: { host: 127.0.0.1, port: ${port} } } } } ]
`);
  await assert.rejects(svc.start(), /cannot serve the collector's metrics on 127\.0\.0\.1:\d+ .*EADDRINUSE/);
  assert.deepEqual(world.events, []);
});

test('service: a factory that throws while building is a ConfigError naming the component', () => {
  const world = new FakeWorld();
  const registry = new Registry(world.factories);
  const config = validateConfigOrThrow(parse(`
receivers: { fakerecv: }
exporters: { capture: }
service:
  pipelines:
    traces: { receivers: [fakerecv], exporters: [capture] }
${NO_METRICS}`), registry);
  world.exporterFactory.createTraces = () => {
    throw new Error('cannot parse endpoint');
  };
  assert.throws(
    () => new Service({ config, logger: new CapturingLogger() }),
    (e: unknown) => e instanceof ConfigError && e.message === 'exporters.capture: failed to create "capture" exporter for data type "traces": cannot parse endpoint',
  );
});
