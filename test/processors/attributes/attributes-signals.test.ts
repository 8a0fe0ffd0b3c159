// The attributes processor for metrics (data point attributes, include/exclude by metric name) and logs (log
// record attributes, include/exclude by body, severity, attributes, resources, libraries); validation of the
// properties that do not apply to a signal, with upstream's messages at YAML paths.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { attributesConfigSchema, type AttributesConfig } from '../../../src/processors/attributes/config';
import {
  attributesProcessorFactory, compileAttributesForLogs, compileAttributesForMetrics, compileAttributesForTraces,
} from '../../../src/processors/attributes/factory';
import { parseOrThrow } from '../../../src/config/schema';
import { testHost, testSettings } from '../../../src/component/testing';
import { ConfigError, type ConfigIssue } from '../../../src/errors';
import { LogBatch } from '../../../src/pdata/logs';
import { MetricBatch } from '../../../src/pdata/metrics';
import { oracleDecodeLogs, oracleDecodeMetrics } from '../../oracle/otlp-oracle';
import { CORPUS_DIR } from '../../helpers/paths';
import {
  Capturing, capturingLogger, logsRequest, makeLogs, makeMetrics, metricsRequest, pointAttributesOf, recordAttributesOf, type LResourceSpec,
  type MResourceSpec, type MetricKind,
} from '../internal/signal-helpers';

const P = 'processors.attributes';
const str = (v: string) => ({ stringValue: v });
const int = (v: number) => ({ intValue: String(v) });
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function cfg(raw: unknown): AttributesConfig {
  return parseOrThrow(attributesConfigSchema, raw, P);
}

async function runMetrics(raw: unknown, batch: MetricBatch, set = testSettings('attributes', 'processor')): Promise<MetricBatch> {
  const next = new Capturing<MetricBatch>();
  const p = attributesProcessorFactory.createMetrics!(set, cfg(raw), next);
  await p.start(testHost());
  await p.consumeMetrics(batch);
  await p.shutdown();
  assert.equal(next.batches.length, 1);
  return next.batches[0]!;
}

async function runLogs(raw: unknown, batch: LogBatch, set = testSettings('attributes', 'processor')): Promise<LogBatch> {
  const next = new Capturing<LogBatch>();
  const p = attributesProcessorFactory.createLogs!(set, cfg(raw), next);
  await p.start(testHost());
  await p.consumeLogs(batch);
  await p.shutdown();
  assert.equal(next.batches.length, 1);
  return next.batches[0]!;
}

function issuesOf(fn: () => unknown): ConfigIssue[] {
  try {
    fn();
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return [...e.issues];
    throw e;
  }
}

type Obj = Record<string, unknown>;
type KV = { key: string; value?: unknown };

/** Apply `edit` to the attributes list of every data point of a canonical metrics request (in place). */
function editPoints(obj: Obj, edit: (kvs: KV[]) => KV[]): Obj {
  for (const rm of (obj.resourceMetrics as Obj[]) ?? [])
    for (const sm of (rm.scopeMetrics as Obj[]) ?? [])
      for (const m of (sm.metrics as Obj[]) ?? [])
        for (const f of ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'])
          for (const dp of ((m[f] as Obj | undefined)?.dataPoints as Obj[]) ?? []) dp.attributes = edit((dp.attributes as KV[]) ?? []);
  return obj;
}

/** Apply `edit` to the attributes list of every log record of a canonical logs request (in place). */
function editRecords(obj: Obj, edit: (kvs: KV[]) => KV[]): Obj {
  for (const rl of (obj.resourceLogs as Obj[]) ?? [])
    for (const sl of (rl.scopeLogs as Obj[]) ?? []) for (const lr of (sl.logRecords as Obj[]) ?? []) lr.attributes = edit((lr.attributes as KV[]) ?? []);
  return obj;
}

const ACTIONS = [
  { key: 'env', value: 'prod', action: 'insert' },
  { key: 'secret', action: 'hash' },
  { key: 'drop', action: 'delete' },
  { key: 'http.url', pattern: '^(?P<scheme>\\w+)://(?P<host>[^/]+)', action: 'extract' },
  { key: 'code', converted_type: 'int', action: 'convert' },
];
const ATTRS = { secret: 's3cr3t', drop: 1, 'http.url': 'https://example.com/x', code: '200' };
/** What ACTIONS make of ATTRS, in order (deletes close the gap, inserts append). */
const EDITED: KV[] = [
  { key: 'secret', value: str(sha256('s3cr3t')) },
  { key: 'http.url', value: str('https://example.com/x') },
  { key: 'code', value: int(200) },
  { key: 'env', value: str('prod') },
  { key: 'scheme', value: str('https') },
  { key: 'host', value: str('example.com') },
];

test('factory: attributes declares beta for metrics and logs; processors mutate data', () => {
  assert.deepEqual(attributesProcessorFactory.stability, { traces: 'beta', metrics: 'beta', logs: 'beta' });
  const raw = { actions: [{ key: 'a', action: 'delete' }] };
  assert.equal(attributesProcessorFactory.createMetrics!(testSettings('attributes', 'processor'), cfg(raw), new Capturing()).capabilities.mutatesData, true);
  assert.equal(attributesProcessorFactory.createLogs!(testSettings('attributes', 'processor'), cfg(raw), new Capturing()).capabilities.mutatesData, true);
});

test('metrics: the actions edit the attributes of every data point of every metric type; nothing else changes (oracle)', async () => {
  const types: MetricKind[] = ['gauge', 'sum', 'histogram', 'exponential_histogram', 'summary'];
  const spec: MResourceSpec[] = [
    {
      attributes: { 'service.name': 'svc', secret: 'resource-level' },
      scopes: [{ name: 'lib', version: '1', metrics: types.map((type) => ({ name: `m.${type}`, type, points: [{ attributes: ATTRS }, { attributes: ATTRS }] })) }],
    },
  ];
  const bytes = metricsRequest(spec);
  const set = testSettings('attributes', 'processor');
  const out = await runMetrics({ actions: ACTIONS }, MetricBatch.decode(bytes), set);
  const expected = editPoints(oracleDecodeMetrics(bytes), () => EDITED);
  assert.deepEqual(oracleDecodeMetrics(out.encode()), expected);
  assert.equal(set.registry.value('otelcol_processor_incoming_items', { processor: 'attributes', otel_signal: 'metrics' }), 10);
  assert.equal(set.registry.value('otelcol_processor_outgoing_items', { processor: 'attributes', otel_signal: 'metrics' }), 10);
});

test('metrics: include/exclude select whole metrics by name (strict and unanchored regexp); all their points are edited', async () => {
  const batch = () =>
    makeMetrics([
      {
        attributes: { 'service.name': 'svc' },
        scopes: [
          {
            metrics: [
              { name: 'http.server.duration', type: 'histogram', points: [{ attributes: { a: 1 } }, { attributes: { a: 2 } }] },
              { name: 'db.calls', type: 'sum', points: [{ attributes: { a: 3 } }] },
              { name: 'my.http.requests', type: 'gauge', points: [{ attributes: { a: 4 } }] },
            ],
          },
        ],
      },
    ]);
  const edited = (a: number) => ({ a: int(a), x: str('y') });
  const same = (a: number) => ({ a: int(a) });
  const action = [{ key: 'x', value: 'y', action: 'insert' }];
  assert.deepEqual(pointAttributesOf(await runMetrics({ include: { match_type: 'regexp', metric_names: ['^http\\.'] }, actions: action }, batch())), [
    edited(1), edited(2), same(3), same(4),
  ]);
  assert.deepEqual(pointAttributesOf(await runMetrics({ include: { match_type: 'regexp', metric_names: ['http'] }, actions: action }, batch())), [
    edited(1), edited(2), same(3), edited(4),
  ]);
  assert.deepEqual(pointAttributesOf(await runMetrics({ exclude: { match_type: 'strict', metric_names: ['db.calls'] }, actions: action }, batch())), [
    edited(1), edited(2), same(3), edited(4),
  ]);
  assert.deepEqual(
    pointAttributesOf(
      await runMetrics(
        { include: { match_type: 'regexp', metric_names: ['http'] }, exclude: { match_type: 'strict', metric_names: ['my.http.requests'] }, actions: action },
        batch(),
      ),
    ),
    [edited(1), edited(2), same(3), same(4)],
  );
});

test('metrics: `resources` and `match_type: expr` pass validation but select nothing, as upstream — with a warning', async () => {
  const logger = capturingLogger();
  const set = { ...testSettings('attributes', 'processor'), logger };
  const batch = makeMetrics([{ attributes: { 'service.name': 'other' }, scopes: [{ metrics: [{ name: 'm', points: 2 }] }] }]);
  const out = await runMetrics(
    { include: { match_type: 'strict', resources: [{ key: 'service.name', value: 'svc' }] }, actions: [{ key: 'x', value: 1, action: 'insert' }] },
    batch,
    set,
  );
  assert.deepEqual(pointAttributesOf(out), [{ x: int(1) }, { x: int(1) }]);
  const warn = logger.records.find((r) => r.level === 'warn' && /not evaluated for metrics/.test(r.msg));
  assert.ok(warn, 'a warning names the ignored property');
  assert.deepEqual(warn.fields?.ignored, [`${P}.include.resources`]);
  assert.deepEqual(issuesOf(() => compileAttributesForMetrics(cfg({ include: { match_type: 'expr', metric_names: ['m'] }, actions: [{ key: 'x', action: 'delete' }] }), P)), []);
});

test('metrics: properties that do not apply are rejected at creation with upstream messages and paths', () => {
  const actions = [{ key: 'x', action: 'delete' }];
  const invalid = '"span_names", "span_kinds", "log_bodies", "log_severity_texts", "log_severity_number", "services", "attributes" and "libraries" are not valid for metrics';
  const issues = (raw: object) => issuesOf(() => compileAttributesForMetrics(cfg({ ...raw, actions }), P));
  assert.deepEqual(issues({ include: { match_type: 'strict', attributes: [{ key: 'a' }] } }), [{ path: `${P}.include.attributes`, message: invalid }]);
  assert.deepEqual(issues({ exclude: { log_severity_number: { min: 9 } } }), [{ path: `${P}.exclude.log_severity_number`, message: invalid }]);
  assert.deepEqual(issues({ include: { match_type: 'strict', services: ['a'] }, exclude: { match_type: 'regexp', libraries: [{ name: 'x' }] } }), [
    { path: `${P}.include.services`, message: invalid },
    { path: `${P}.exclude.libraries`, message: invalid },
  ]);
  assert.deepEqual(issues({ include: { match_type: 'strict' } }), [
    { path: `${P}.include`, message: 'at least one of "metric_names" or "resources" field must be specified' },
  ]);
  assert.deepEqual(issues({ include: { metric_names: ['a'] } }), [
    { path: `${P}.include.match_type`, message: "unrecognized match_type: '', valid types are: [regexp strict]" },
  ]);
  assert.equal(issues({ include: { match_type: 'regexp', metric_names: ['(unclosed'] } })[0]!.path, `${P}.include.metric_names[0]`);
  // The same blocks are fine for logs / traces where they apply, and metric_names is rejected there.
  assert.deepEqual(issuesOf(() => compileAttributesForLogs(cfg({ include: { match_type: 'strict', attributes: [{ key: 'a' }] }, actions }), P)), []);
  assert.deepEqual(issuesOf(() => compileAttributesForTraces(cfg({ include: { match_type: 'strict', metric_names: ['m'] }, actions }), P)), [
    { path: `${P}.include.metric_names`, message: 'metric_names should not be specified for trace spans' },
  ]);
});

test('logs: the actions edit the attributes of every log record; bodies, severities, resources untouched (oracle)', async () => {
  const spec: LResourceSpec[] = [
    { attributes: { 'service.name': 'a', drop: 'resource-level' }, scopes: [{ name: 's1', records: [{ attributes: ATTRS, body: 'hello', severityNumber: 9, severityText: 'INFO' }] }] },
    { attributes: { 'service.name': 'b' }, scopes: [{ name: 's2', records: [{ attributes: ATTRS, body: 42 }, { attributes: ATTRS }] }] },
  ];
  const bytes = logsRequest(spec);
  const set = testSettings('attributes', 'processor');
  const out = await runLogs({ actions: ACTIONS }, LogBatch.decode(bytes), set);
  assert.deepEqual(oracleDecodeLogs(out.encode()), editRecords(oracleDecodeLogs(bytes), () => EDITED));
  assert.equal(set.registry.value('otelcol_processor_outgoing_items', { processor: 'attributes', otel_signal: 'logs' }), 3);
});

test('logs: include/exclude by body, severity text, severity number, record attributes, resources and libraries', async () => {
  const batch = () =>
    makeLogs([
      {
        attributes: { 'service.name': 'auth' },
        scopes: [
          {
            name: 'lib1',
            version: '1.0',
            records: [
              { body: 'AUTH failed for bob', severityText: 'debug', severityNumber: 5, attributes: { n: 0, k: 1 } },
              { body: 'login ok', severityText: 'INFO', severityNumber: 9, attributes: { n: 1 } },
              { body: 42, severityText: 'WARN', severityNumber: 13, attributes: { n: 2, k: 1 } },
              { body: 'no severity', attributes: { n: 3 } },
            ],
          },
          { name: 'lib2', records: [{ body: 'AUTH ok', severityNumber: 17, attributes: { n: 4, k: 1 } }] },
        ],
      },
      { attributes: { 'service.name': 'billing' }, scopes: [{ name: 'lib1', version: '1.0', records: [{ body: 'AUTH x', severityNumber: 21, attributes: { n: 5, k: 1 } }] }] },
    ]);
  const action = [{ key: 'hit', value: true, action: 'insert' }];
  const hits = async (matching: object): Promise<number[]> =>
    recordAttributesOf(await runLogs({ ...matching, actions: action }, batch()))
      .map((a, i) => (a.hit ? i : -1))
      .filter((i) => i >= 0);

  assert.deepEqual(await hits({ include: { match_type: 'regexp', log_bodies: ['^AUTH'] } }), [0, 4, 5]);
  assert.deepEqual(await hits({ include: { match_type: 'regexp', log_bodies: ['^4'] } }), [2]); // Body().AsString() of an int body
  assert.deepEqual(await hits({ include: { match_type: 'strict', log_severity_texts: ['debug', 'WARN'] } }), [0, 2]);
  assert.deepEqual(await hits({ include: { log_severity_number: { min: 13 } } }), [2, 4, 5]);
  assert.deepEqual(await hits({ include: { log_severity_number: { min: 13, match_undefined: true } } }), [2, 3, 4, 5]);
  assert.deepEqual(await hits({ exclude: { log_severity_number: { min: 9 } } }), [0, 3]);
  assert.deepEqual(await hits({ include: { match_type: 'strict', attributes: [{ key: 'k', value: 1 }] } }), [0, 2, 4, 5]);
  assert.deepEqual(await hits({ include: { match_type: 'strict', resources: [{ key: 'service.name', value: 'auth' }], libraries: [{ name: 'lib1', version: '1.0' }] } }), [0, 1, 2, 3]);
  assert.deepEqual(
    await hits({
      include: { match_type: 'regexp', log_bodies: ['AUTH'] },
      exclude: { match_type: 'strict', resources: [{ key: 'service.name', value: 'billing' }] },
    }),
    [0, 4],
  );
});

test('logs: properties that do not apply are rejected at creation; log_severity_number.min must be a number at load', () => {
  const actions = [{ key: 'x', action: 'delete' }];
  const invalid = 'services, span_names, span_kinds and metric_names are not valid for log records';
  const issues = (raw: object) => issuesOf(() => compileAttributesForLogs(cfg({ ...raw, actions }), P));
  assert.deepEqual(issues({ include: { match_type: 'strict', span_names: ['a'] } }), [{ path: `${P}.include.span_names`, message: invalid }]);
  assert.deepEqual(issues({ exclude: { match_type: 'strict', metric_names: ['a'] } }), [{ path: `${P}.exclude.metric_names`, message: invalid }]);
  assert.deepEqual(issues({ include: { match_type: 'strict' } }), [
    {
      path: `${P}.include`,
      message: 'at least one of "attributes", "libraries", "span_kinds", "resources", "log_bodies", "log_severity_texts" or "log_severity_number" field must be specified',
    },
  ]);
  assert.deepEqual(issues({ include: { match_type: 'glob', log_bodies: ['a'] } }), [
    { path: `${P}.include.match_type`, message: "unrecognized match_type: 'glob', valid types are: [regexp strict]" },
  ]);
  assert.equal(issues({ include: { match_type: 'regexp', log_severity_texts: ['a', '(x'] } })[0]!.path, `${P}.include.log_severity_texts[1]`);
  // Spans reject the log properties (existing rule), metrics too.
  assert.equal(issuesOf(() => compileAttributesForTraces(cfg({ include: { match_type: 'strict', log_bodies: ['a'] }, actions }), P))[0]!.path, `${P}.include.log_bodies`);
  // Upstream decodes min as a plog.SeverityNumber (int32): a severity name is a load-time error for every signal.
  assert.throws(
    () => cfg({ include: { log_severity_number: { min: 'INFO' } }, actions }),
    (e: unknown) => e instanceof ConfigError && e.issues.length === 1 && e.issues[0]!.path === `${P}.include.log_severity_number.min` && /plog\.SeverityNumber/.test(e.message),
  );
  assert.equal(cfg({ include: { log_severity_number: { min: 9 } }, actions }).include!.log_severity_number!.min, 9);
});

test('upstream testdata config: creation for metrics and logs fails exactly where upstream fails', (t) => {
  const file = path.join(CORPUS_DIR, 'configs', 'opentelemetry-collector-contrib__processor_attributesprocessor_testdata_config.derived.yaml');
  if (!fs.existsSync(file)) {
    t.skip(`corpus file absent: ${file}`);
    return;
  }
  const doc = parseYaml(fs.readFileSync(file, 'utf8')) as { processors: Record<string, unknown> };
  const failing = { metrics: {} as Record<string, string>, logs: {} as Record<string, string> };
  for (const [id, raw] of Object.entries(doc.processors)) {
    if (!id.startsWith('attributes')) continue;
    const issues: ConfigIssue[] = [];
    const c = attributesConfigSchema.parse(raw, `processors.${id}`, issues);
    assert.deepEqual(issues, [], `${id} must parse`);
    for (const [signal, compile] of [['metrics', compileAttributesForMetrics], ['logs', compileAttributesForLogs]] as const) {
      const found = issuesOf(() => compile(c, `processors.${id}`));
      if (found.length) failing[signal][id] = found.map((i) => i.path.slice(`processors.${id}.`.length)).join(',');
    }
  }
  assert.deepEqual(failing.metrics, {
    'attributes/regex_insert': 'actions[0].pattern',
    'attributes/excludemulti': 'exclude.services',
    'attributes/excludelibrary': 'exclude.libraries',
    'attributes/includeservices': 'include.services',
    'attributes/selectiveprocessing': 'include.services,exclude.attributes',
    'attributes/regexp': 'include.services,exclude.span_names',
    'attributes/regexp2': 'include.attributes',
    'attributes/log_body_regexp': 'include.log_bodies',
    'attributes/log_severity_regexp': 'include.log_severity_texts',
  });
  assert.deepEqual(failing.logs, {
    'attributes/regex_insert': 'actions[0].pattern',
    'attributes/excludemulti': 'exclude.services',
    'attributes/includeservices': 'include.services',
    'attributes/selectiveprocessing': 'include.services',
    'attributes/regexp': 'include.services,exclude.span_names',
  });
});
