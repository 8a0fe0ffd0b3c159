// The resource processor: actions on resource attributes for traces, metrics and logs; config errors with YAML
// paths; the upstream testdata config (corpus) loads and its processors work in all three signals.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resourceConfigSchema, type ResourceConfig } from '../../../src/processors/resource/config';
import { compileResourceActions, resourceProcessorFactory } from '../../../src/processors/resource/factory';
import { parseOrThrow, s } from '../../../src/config/schema';
import { CapturingConsumer, testHost, testSettings } from '../../../src/component/testing';
import { ConfigError, type ConfigIssue } from '../../../src/errors';
import { TraceBatch } from '../../../src/pdata/traces';
import { MetricBatch } from '../../../src/pdata/metrics';
import { LogBatch } from '../../../src/pdata/logs';
import type { AnyFactory, CreateSettings, Signal } from '../../../src/component/types';
import { factories } from '../../../src/components';
import { loadConfig } from '../../../src/config/config';
import { Registry } from '../../../src/service/registry';
import { oracleDecodeLogs, oracleDecodeMetrics, oracleDecodeTraces } from '../../oracle/otlp-oracle';
import { CORPUS_DIR } from '../../helpers/paths';
import { encodeRequest, type ResourceSpec } from '../helpers';
import { Capturing, logsRequest, metricsRequest } from '../internal/signal-helpers';
import type { RawAttr } from '../helpers';

const P = 'processors.resource';
type Obj = Record<string, unknown>;
type AnyB = TraceBatch | MetricBatch | LogBatch;

function cfg(raw: unknown): ResourceConfig {
  return parseOrThrow(resourceConfigSchema, raw, P);
}

/** One request per signal with the given resources (each with a scope holding two items). */
function requests(resources: Array<Record<string, RawAttr>>): Record<Signal, Uint8Array> {
  const traces: ResourceSpec[] = resources.map((attributes) => ({ attributes, scopes: [{ name: 'lib', spans: [{ attributes: { k: 'span' } }, {}] }] }));
  return {
    traces: encodeRequest(traces),
    metrics: metricsRequest(resources.map((attributes) => ({ attributes, scopes: [{ name: 'lib', metrics: [{ name: 'm', type: 'sum', points: [{ attributes: { k: 'point' } }, {}] }] }] }))),
    logs: logsRequest(resources.map((attributes) => ({ attributes, scopes: [{ name: 'lib', records: [{ attributes: { k: 'record' } }, {}] }] }))),
  };
}

const DECODE: Record<Signal, (b: Uint8Array) => AnyB> = { traces: (b) => TraceBatch.decode(b), metrics: (b) => MetricBatch.decode(b), logs: (b) => LogBatch.decode(b) };
const ORACLE: Record<Signal, (b: Uint8Array) => Obj> = { traces: oracleDecodeTraces, metrics: oracleDecodeMetrics, logs: oracleDecodeLogs };
const TOP: Record<Signal, string> = { traces: 'resourceSpans', metrics: 'resourceMetrics', logs: 'resourceLogs' };

/** Run a resource processor created by the factory for `signal` over `batch`; returns what it forwarded. */
async function run(signal: Signal, c: ResourceConfig, batch: AnyB, set: CreateSettings = testSettings('resource', 'processor'), factory: AnyFactory = resourceProcessorFactory): Promise<AnyB> {
  const next = new Capturing<AnyB>();
  const f = factory as typeof resourceProcessorFactory;
  const p =
    signal === 'traces'
      ? f.createTraces!(set, c, next)
      : signal === 'metrics'
        ? f.createMetrics!(set, c, next)
        : f.createLogs!(set, c, next);
  await p.start(testHost());
  if (signal === 'traces') await (p as { consumeTraces(b: TraceBatch): Promise<void> }).consumeTraces(batch as TraceBatch);
  else if (signal === 'metrics') await (p as { consumeMetrics(b: MetricBatch): Promise<void> }).consumeMetrics(batch as MetricBatch);
  else await (p as { consumeLogs(b: LogBatch): Promise<void> }).consumeLogs(batch as LogBatch);
  await p.shutdown();
  assert.equal(next.batches.length, 1);
  return next.batches[0]!;
}

/** The canonical request with every resource's attributes replaced by `attrs[r]` (KeyValue lists). */
function withResources(obj: Obj, signal: Signal, attrs: Array<Array<Record<string, unknown>>>): Obj {
  (obj[TOP[signal]] as Obj[]).forEach((rs, r) => {
    rs.resource = attrs[r]!.length ? { attributes: attrs[r] } : {};
  });
  return obj;
}

const kv = (key: string, value: Obj) => ({ key, value });
const str = (v: string) => ({ stringValue: v });

test('factory: type resource, beta for the three signals, mutates data', () => {
  assert.equal(resourceProcessorFactory.type, 'resource');
  assert.equal(resourceProcessorFactory.kind, 'processor');
  assert.deepEqual(resourceProcessorFactory.stability, { traces: 'beta', metrics: 'beta', logs: 'beta' });
  const c = cfg({ attributes: [{ key: 'a', action: 'delete' }] });
  const set = testSettings('resource', 'processor');
  assert.equal(resourceProcessorFactory.createTraces!(set, c, new CapturingConsumer()).capabilities.mutatesData, true);
  assert.equal(resourceProcessorFactory.createMetrics!(set, c, new Capturing()).capabilities.mutatesData, true);
  assert.equal(resourceProcessorFactory.createLogs!(set, c, new Capturing()).capabilities.mutatesData, true);
});

test('config: `attributes` is required (upstream message); unknown keys and bad actions are reported with YAML paths', () => {
  const rejects = (raw: unknown, issues: ConfigIssue[]) =>
    assert.throws(
      () => cfg(raw),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.deepEqual(e.issues, issues);
        return true;
      },
    );
  rejects({}, [{ path: `${P}.attributes`, message: 'missing required field "attributes"' }]);
  rejects(null, [{ path: `${P}.attributes`, message: 'missing required field "attributes"' }]);
  rejects({ attributes: [] }, [{ path: `${P}.attributes`, message: 'missing required field "attributes"' }]);
  assert.equal(
    (() => {
      try {
        cfg({ actions: [{ key: 'a', action: 'delete' }], attributes: [{ key: 'a', action: 'delete' }] });
      } catch (e) {
        return e instanceof ConfigError ? e.issues[0]!.path : '';
      }
      return '';
    })(),
    `${P}.actions`,
  );
  // Action mistakes are found when the processor is created (as upstream), at the action's path.
  const c = cfg({ attributes: [{ key: 'a', value: 1, action: 'upsert' }, { key: 'b', action: 'rename' }, { action: 'insert', value: 2 }, { key: 'c', action: 'extract', pattern: '(x)' }] });
  assert.throws(
    () => compileResourceActions(c, P),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.issues.map((i) => i.path).join(' ') === `${P}.attributes[1].action ${P}.attributes[2].key ${P}.attributes[3].pattern` &&
      e.issues[0]!.message === 'error creating AttrProc due to unsupported action "rename" at the 1-th actions',
  );
  assert.throws(() => resourceProcessorFactory.createLogs!(testSettings('resource', 'processor'), c, new Capturing()), ConfigError);
});

for (const signal of ['traces', 'metrics', 'logs'] as const) {
  test(`${signal}: every action on resource attributes of every resource; items untouched (oracle shows exactly the edits)`, async () => {
    const bytes = requests([
      { 'service.name': 'a', 'k8s-cluster': 'prod-1', 'redundant-attribute': 'x', 'user.email': 'bob@example.com', 'http.url': 'https://example.com/p', port: '8080' },
      { 'service.name': 'b', 'cloud.availability_zone': 'old' },
    ])[signal];
    const c = cfg({
      attributes: [
        { key: 'cloud.availability_zone', value: 'zone-1', action: 'upsert' },
        { key: 'k8s.cluster.name', from_attribute: 'k8s-cluster', action: 'insert' },
        { key: 'redundant-attribute', action: 'delete' },
        { key: 'user.email', action: 'hash' },
        { key: 'http.url', pattern: '^(?P<scheme>\\w+)://(?P<domain>[^/]+)', action: 'extract' },
        { key: 'port', converted_type: 'int', action: 'convert' },
        { key: 'service.name', value: 'renamed', action: 'update' },
        { key: 'team', from_attribute: 'missing', default_value: 'core', action: 'insert' },
      ],
    });
    const set = testSettings('resource', 'processor');
    const out = await run(signal, c, DECODE[signal](bytes), set);
    const expected = withResources(ORACLE[signal](bytes), signal, [
      [
        kv('service.name', str('renamed')),
        kv('k8s-cluster', str('prod-1')),
        kv('user.email', str(createHash('sha256').update('bob@example.com').digest('hex'))),
        kv('http.url', str('https://example.com/p')),
        kv('port', { intValue: '8080' }),
        kv('cloud.availability_zone', str('zone-1')),
        kv('k8s.cluster.name', str('prod-1')),
        kv('scheme', str('https')),
        kv('domain', str('example.com')),
        kv('team', str('core')),
      ],
      [kv('service.name', str('renamed')), kv('cloud.availability_zone', str('zone-1')), kv('team', str('core'))],
    ]);
    assert.deepEqual(ORACLE[signal](out.encode()), expected);
    assert.equal(set.registry.value('otelcol_processor_incoming_items', { processor: 'resource', otel_signal: signal }), 4);
  });
}

test('a batch concatenated from several requests has each of its resources edited once', async () => {
  const a = MetricBatch.decode(metricsRequest([{ attributes: { n: 1 }, scopes: [{ metrics: [{ name: 'm', points: 1 }] }] }]));
  const b = MetricBatch.decode(metricsRequest([{ attributes: { n: 2 }, scopes: [{ metrics: [{ name: 'm', points: 1 }] }] }]));
  const out = await run('metrics', cfg({ attributes: [{ key: 'n', value: 7, action: 'upsert' }, { key: 'seen', value: 'y', action: 'insert' }] }), MetricBatch.concat([a, b]));
  const rms = oracleDecodeMetrics(out.encode()).resourceMetrics as Obj[];
  assert.equal(rms.length, 2);
  for (const rm of rms) assert.deepEqual((rm.resource as Obj).attributes, [kv('n', { intValue: '7' }), kv('seen', str('y'))]);
});

test('upstream testdata config (corpus) loads with the real components and its processors run in all three signals', async (t) => {
  const file = path.join(CORPUS_DIR, 'configs', 'opentelemetry-collector-contrib__processor_resourceprocessor_testdata_config.derived.yaml');
  if (!fs.existsSync(file)) {
    t.skip(`corpus file absent: ${file}`);
    return;
  }
  // The real resource factory; the receiver and exporter of the file are stand-ins accepting every signal, so
  // this checks the processors whatever the state of the others (test/config/corpus.test.ts uses the real list).
  const anySignal = { traces: 'beta', metrics: 'beta', logs: 'beta' } as const;
  const nop = () => ({ start: async () => undefined, shutdown: async () => undefined, capabilities: { mutatesData: false } });
  const standIns = [
    { kind: 'receiver', type: 'otlp', description: 'stand-in', configSchema: s.any(), stability: anySignal, create: nop },
    { kind: 'exporter', type: 'debug', description: 'stand-in', configSchema: s.any(), stability: anySignal, createTraces: nop, createMetrics: nop, createLogs: nop },
  ] as unknown as AnyFactory[];
  const registry = new Registry([...standIns, resourceProcessorFactory]);
  assert.ok(factories.every((f) => f.kind !== 'processor' || f.type !== 'resource' || f === resourceProcessorFactory));
  for (const env of [{}, { DEPLOYMENT_ENV: 'staging' }] as Array<Record<string, string>>) {
    const loaded = loadConfig([file], [], registry, { env });
    const procs = ['resource', 'resource/with_defaults'].map((id) => loaded.config.processors.get(id)!);
    assert.ok(procs.every((p) => p && p.factory.type === 'resource'));
    for (const signal of ['traces', 'metrics', 'logs'] as const) {
      const bytes = requests([{ 'k8s-cluster': 'c1', 'redundant-attribute': 'r', namespace: 'ns' }])[signal];
      let batch = DECODE[signal](bytes);
      for (const p of procs) batch = await run(signal, p.config as ResourceConfig, batch, testSettings(p.id.id, 'processor'), p.factory);
      const rs = (ORACLE[signal](batch.encode())[TOP[signal]] as Obj[])[0]!;
      assert.deepEqual((rs.resource as Obj).attributes, [
        kv('k8s-cluster', str('c1')),
        kv('namespace', str('ns')),
        kv('cloud.availability_zone', str('zone-1')),
        kv('k8s.cluster.name', str('c1')),
        // `${DEPLOYMENT_ENV}` unset expands to nothing, so default_value applies (as in the Go collector).
        kv('deployment.environment', str(env.DEPLOYMENT_ENV ?? 'development')),
        kv('service.namespace', str('ns')),
        // from_context has no client metadata in otelcol-ts yet: default_value applies.
        kv('cloud.region', str('us-east-1')),
      ], `${signal} with env ${JSON.stringify(env)}`);
    }
  }
});
