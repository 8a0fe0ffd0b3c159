import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { validateConfig, loadConfig } from '../../src/config/config';
import { ConfigError } from '../../src/errors';
import { Registry } from '../../src/service/registry';
import { FakeWorld } from '../service/fakes';

function registry(): Registry {
  return new Registry(new FakeWorld().factories);
}

function validate(yaml: string) {
  return validateConfig(parse(yaml), registry());
}

function issuesOf(yaml: string): string[] {
  return validate(yaml).issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
}

const GOOD = `
receivers:
  fakerecv:
  fake_recv/2: {}
processors:
  fakeproc:
    mutates: true
  fakeproc/unused:
exporters:
  capture:
  capture/2: null
extensions:
  fakeext:
service:
  extensions: [fakeext]
  pipelines:
    traces:
      receivers: [fakerecv]
      processors: [fakeproc]
      exporters: [capture, capture/2]
    traces/b:
      receivers: [fakerecv, fake_recv/2]
      processors: []
      exporters: [capture]
`;

test('config: a valid config with aliases, null/empty component configs, unused components and an empty processor list', () => {
  const r = validate(GOOD);
  assert.deepEqual(r.issues, []);
  const c = r.config;
  assert.deepEqual([...c.receivers.keys()], ['fakerecv', 'fake_recv/2']);
  assert.equal(c.receivers.get('fake_recv/2')!.factory.type, 'fakerecv', 'alias resolves to the factory');
  assert.deepEqual(c.receivers.get('fakerecv')!.config, { fail_start: false, endpoint: '127.0.0.1:0' }, 'null config = defaults');
  assert.deepEqual(c.processors.get('fakeproc')!.config, { fail_start: false, mutates: true, count: 1 });
  assert.ok(c.processors.has('fakeproc/unused'), 'an unused component is valid');
  assert.deepEqual(c.service.extensions, ['fakeext']);
  const p = c.service.pipelines.get('traces/b')!;
  assert.equal(p.signal, 'traces');
  assert.deepEqual(p.receivers, ['fakerecv', 'fake_recv/2']);
  assert.deepEqual(p.processors, []);
});

test('config: unknown top-level key, unknown component type, undefined references — each with its path, all reported', () => {
  const got = issuesOf(`
receivers:
  fakerecv:
  foo:
processors:
  fakeproc:
exporters:
  capture:
extensions:
  fakeext:
recievers: {}
service:
  extensions: [fakeext, health_check]
  pipelines:
    traces:
      receivers: [fakerecv]
      processors: [fakeproc, batch/2]
      exporters: [capture, capture/9]
`);
  assert.deepEqual(got, [
    'recievers: unknown top-level key "recievers" (valid keys: receivers, processors, exporters, connectors, extensions, service)',
    'receivers.foo: unknown type "foo" for receiver (valid values: fake_recv, fakerecv, metricsonly)',
    'service.extensions[1]: references extension "health_check" which is not configured',
    'service.pipelines.traces.processors[1]: references processor "batch/2" which is not configured',
    'service.pipelines.traces.exporters[1]: references exporter "capture/9" which is not configured',
  ]);
});

test('config: a bad value in a component config is reported at its path by the factory schema', () => {
  const got = issuesOf(`
receivers: { fakerecv: }
processors:
  fakeproc:
    count: eight
    colour: blue
exporters: { capture: { fail: maybe } }
service:
  pipelines:
    traces: { receivers: [fakerecv], processors: [fakeproc], exporters: [capture] }
`);
  assert.deepEqual(got, [
    'processors.fakeproc.colour: unknown key "colour" (valid keys: fail_start, mutates, count)',
    'processors.fakeproc.count: expected a positive integer, got "eight"',
    'exporters.capture.fail: expected a boolean, got "maybe"',
  ]);
});

test('config: pipeline ids and contents are checked', () => {
  const got = issuesOf(`
receivers: { fakerecv: , metricsonly: }
processors: { fakeproc: }
exporters: { capture: }
service:
  pipelines:
    foo: { receivers: [fakerecv], exporters: [capture] }
    traces/: { receivers: [fakerecv], exporters: [capture] }
    profiles: { receivers: [fakerecv], exporters: [capture] }
    traces: { receivers: [], exporters: [capture], processors: [fakeproc, fakeproc] }
    traces/2: { exporters: [capture], extra: 1 }
    traces/3: { receivers: [metricsonly], exporters: [capture] }
    metrics: { receivers: [metricsonly], exporters: [capture] }
`);
  assert.deepEqual(got, [
    'service.pipelines.foo: unknown signal "foo" in pipeline id "foo" (valid signals: traces, metrics, logs)',
    'service.pipelines.traces/: the part after "/" should not be empty in pipeline id "traces/"',
    'service.pipelines.profiles: otelcol-ts does not support the profiles signal',
    'service.pipelines.traces.processors[1]: references processor "fakeproc" multiple times',
    'service.pipelines.traces.receivers: must have at least one receiver',
    'service.pipelines.traces/2.extra: unknown key "extra" (valid keys: receivers, processors, exporters)',
    'service.pipelines.traces/2.receivers: must have at least one receiver',
    'service.pipelines.traces/3.receivers[0]: receiver "metricsonly" (type "metricsonly") does not support the traces signal (supported: metrics)',
    'service.pipelines.metrics.exporters[0]: exporter "capture" (type "capture") does not support the metrics signal (supported: traces)',
  ]);
});

test('config: missing sections and an empty file', () => {
  assert.deepEqual(issuesOf(''), ['empty configuration file', 'service.pipelines: service must have at least one pipeline']);
  assert.deepEqual(issuesOf('receivers: { fakerecv: }\nservice: { pipelines: {} }'), [
    'exporters: no exporter configuration specified in config',
    'service.pipelines: service must have at least one pipeline',
  ]);
  assert.deepEqual(issuesOf('- a list'), ['the configuration must be a map, got a list']);
});

test('config: connectors are rejected with a message naming the type; pipelines referring to them add no noise', () => {
  const got = issuesOf(`
receivers: { fakerecv: }
exporters: { capture: }
connectors: { spanmetrics: }
service:
  pipelines:
    traces: { receivers: [fakerecv], exporters: [capture, spanmetrics] }
`);
  assert.deepEqual(got, ['connectors.spanmetrics: unknown type "spanmetrics" for connector (otelcol-ts has no connectors yet)']);
});

test('config: service.telemetry defaults and upstream shapes', () => {
  const base = 'receivers: { fakerecv: }\nexporters: { capture: }\nservice:\n  pipelines: { traces: { receivers: [fakerecv], exporters: [capture] } }\n';
  const tel = (yaml: string) => validate(base + '  telemetry:\n' + yaml.replace(/^/gm, '    '));

  const d = validate(base);
  assert.deepEqual(d.issues, []);
  assert.equal(d.config.service.telemetry.metrics.level, 'normal');
  assert.deepEqual(
    d.config.service.telemetry.metrics.pull.map((p) => `${p.host}:${p.port}`),
    ['127.0.0.1:8888'],
    'default pull endpoint',
  );
  assert.equal(d.config.service.telemetry.logs.level, 'info');

  const none = tel('metrics: { level: none }');
  assert.deepEqual(none.config.service.telemetry.metrics.pull, []);

  const detailed = tel('metrics: { level: Detailed }\nlogs: { level: DEBUG, encoding: json }');
  assert.deepEqual(detailed.issues, []);
  assert.equal(detailed.config.service.telemetry.metrics.level, 'detailed');
  assert.deepEqual(detailed.config.service.telemetry.metrics.pull.map((p) => p.port), [8888], 'no readers keeps the default reader');
  assert.equal(detailed.config.service.telemetry.logs.level, 'debug');
  assert.equal(detailed.config.service.telemetry.logs.encoding, 'json');

  const readers = tel(`metrics:
  readers:
    - pull:
        exporter:
          prometheus:
            host: 0.0.0.0
            port: 9999
            without_scope_info: true
            with_resource_constant_labels: { included: [] }
    - periodic:
        exporter:
          otlp: { protocol: http/protobuf, endpoint: http://x:4318 }
logs:
  processors:
    - batch: { exporter: { otlp: { endpoint: http://x:4318 } } }
traces:
  processors: []
resource:
  service.name: gateway
  service.instance.id: null`);
  assert.deepEqual(readers.issues, []);
  const t = readers.config.service.telemetry;
  assert.deepEqual(t.metrics.pull.map((p) => `${p.host}:${p.port}`), ['0.0.0.0:9999']);
  assert.ok(t.warnings.some((w) => /periodic .*not supported/.test(w)), t.warnings.join('\n'));
  assert.ok(t.warnings.some((w) => /logs\.processors/.test(w)));
  assert.deepEqual(t.resource, { 'service.name': 'gateway', 'service.instance.id': null });

  const legacy = tel('metrics: { address: ":8889" }');
  assert.deepEqual(legacy.issues, []);
  assert.deepEqual(legacy.config.service.telemetry.metrics.pull.map((p) => `${p.host}:${p.port}`), [':8889']);

  const bad = tel('metrics: { level: loud, readers: [], address: nope }\nlogs: { level: verbose, colour: red }');
  assert.deepEqual(
    bad.issues.map((i) => i.path),
    [
      'service.telemetry.logs.colour',
      'service.telemetry.logs.level',
      'service.telemetry.metrics.level',
      'service.telemetry.metrics.readers',
      'service.telemetry.metrics.address',
    ],
  );
});

test('loadConfig: loading and validation problems come together in one ConfigError; env vars typed', () => {
  const env = { PORT: 'not-a-bool' };
  assert.throws(
    () =>
      loadConfig(
        ['yaml:receivers: { fakerecv: { fail_start: "${env:PORT}", endpoint: "${env:BAD-NAME}" } }'],
        ['service.pipelines.traces.receivers=[fakerecv]', 'service.pipelines.traces.exporters=[nope]'],
        registry(),
        { env },
      ),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.deepEqual(
        e.issues.map((i) => i.path),
        ['receivers.fakerecv.endpoint', 'receivers.fakerecv.fail_start', 'exporters', 'service.pipelines.traces.exporters[0]'],
      );
      return true;
    },
  );
  const ok = loadConfig(
    ['yaml:receivers: { fakerecv: { fail_start: "${env:FLAG}" } }', 'yaml:exporters: { capture: }'],
    ['service.pipelines.traces.receivers=[fakerecv]', 'service.pipelines.traces.exporters=[capture]'],
    registry(),
    { env: { FLAG: 'true' } },
  );
  assert.equal((ok.config.receivers.get('fakerecv')!.config as { fail_start: boolean }).fail_start, true);
});
