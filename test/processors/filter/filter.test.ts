// The filter processor: OTTL conditions for spans, metrics, data points and log records (and whole resources),
// context-inferred `*_conditions`, the legacy include/exclude forms, error_mode, self-metrics, and config errors
// with YAML paths (OTTL syntax errors with line and column). Batches are real (oracle-encoded, pdata-decoded) and
// what the processor forwards is read back through the oracle.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { filterProcessorFactory } from '../../../src/processors/filter/factory';
import { filterConfigSchema, type FilterConfig } from '../../../src/processors/filter/config';
import { parseOrThrow } from '../../../src/config/schema';
import { testHost, testSettings } from '../../../src/component/testing';
import { ConfigError, type ConfigIssue } from '../../../src/errors';
import { OttlEvalError } from '../../../src/ottl';
import { TraceBatch } from '../../../src/pdata/traces';
import { oracleEncodeTraces } from '../../oracle/otlp-oracle';
import type { MetricBatch } from '../../../src/pdata/metrics';
import type { LogBatch } from '../../../src/pdata/logs';
import { CORPUS_DIR } from '../../helpers/paths';
import { flattenSpans, makeBatch, type ResourceSpec } from '../helpers';
import {
  Capturing, capturingLogger, flattenPoints, flattenRecords, makeLogs, makeMetrics, type LResourceSpec, type MResourceSpec,
} from '../internal/signal-helpers';

const P = 'processors.filter';

function cfg(raw: unknown): FilterConfig {
  return parseOrThrow(filterConfigSchema, raw, P);
}

function issuesOf(fn: () => unknown): ConfigIssue[] {
  try {
    fn();
    return [];
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    return [...e.issues];
  }
}

function settings(id = 'filter', logger = capturingLogger()) {
  return { ...testSettings(id, 'processor'), logger };
}

async function runTraces(raw: unknown, batch: TraceBatch, set = settings()): Promise<{ out: TraceBatch[]; set: typeof set }> {
  const next = new Capturing<TraceBatch>();
  const p = filterProcessorFactory.createTraces!(set, cfg(raw), next);
  await p.start(testHost());
  await p.consumeTraces(batch);
  await p.shutdown();
  return { out: next.batches, set };
}

async function runMetrics(raw: unknown, batch: MetricBatch, set = settings()): Promise<{ out: MetricBatch[]; set: typeof set }> {
  const next = new Capturing<MetricBatch>();
  const p = filterProcessorFactory.createMetrics!(set, cfg(raw), next);
  await p.start(testHost());
  await p.consumeMetrics(batch);
  await p.shutdown();
  return { out: next.batches, set };
}

async function runLogs(raw: unknown, batch: LogBatch, set = settings()): Promise<{ out: LogBatch[]; set: typeof set }> {
  const next = new Capturing<LogBatch>();
  const p = filterProcessorFactory.createLogs!(set, cfg(raw), next);
  await p.start(testHost());
  await p.consumeLogs(batch);
  await p.shutdown();
  return { out: next.batches, set };
}

const spanNames = (b: TraceBatch): string[] => flattenSpans(b.encode()).map((s) => String(s.span.name));
const pointKeys = (b: MetricBatch): string[] =>
  flattenPoints(b.encode()).map(({ shell, point }) => {
    const attrs = (point.attributes as Array<{ key: string; value: { stringValue?: string } }> | undefined) ?? [];
    return `${String(shell.name)}${attrs.map((a) => `|${a.key}=${a.value.stringValue ?? '?'}`).join('')}`;
  });

const TRACES: ResourceSpec[] = [
  {
    attributes: { 'service.name': 'checkout', env: 'prod' },
    scopes: [
      {
        name: 'http',
        spans: [
          { name: 'GET /healthz', kind: 2, attributes: { 'http.route': '/healthz' } },
          { name: 'GET /api/orders/42', kind: 2, attributes: { 'http.route': '/api/orders/{id}', 'http.status_code': 200 } },
          { name: 'op-7', kind: 3, attributes: { 'http.status_code': 503 } },
          { name: 'cache', kind: 1 },
        ],
      },
    ],
  },
  { attributes: { 'service.name': 'noise' }, scopes: [{ name: 'db', spans: [{ name: 'SELECT', kind: 3 }, { name: 'INSERT', kind: 3 }] }] },
];

// ---------------------------------------------------------------- traces

test('traces.span: a span matching any condition is dropped; the rest arrive unchanged with their resource', async () => {
  const { out, set } = await runTraces(
    { traces: { span: ['attributes["http.route"] == "/healthz"', 'name == "op-7" or kind == SPAN_KIND_INTERNAL'] } },
    makeBatch(TRACES),
  );
  assert.equal(out.length, 1);
  assert.deepEqual(spanNames(out[0]!), ['GET /api/orders/42', 'SELECT', 'INSERT']);
  const flat = flattenSpans(out[0]!.encode());
  assert.deepEqual(flat[0]!.resource, { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }, { key: 'env', value: { stringValue: 'prod' } }] });
  assert.equal(set.registry.value('otelcol_processor_filter_spans_filtered', { filter: 'filter', processor: 'filter' }), 3);
  assert.equal(set.registry.value('otelcol_processor_incoming_items', { processor: 'filter', otel_signal: 'traces' }), 6);
  assert.equal(set.registry.value('otelcol_processor_outgoing_items', { processor: 'filter', otel_signal: 'traces' }), 3);
  assert.match(set.registry.renderPrometheus(), /otelcol_processor_filter_spans_filtered_total\{filter="filter",processor="filter"\} 3/);
});

test('traces: resource conditions and IsMatch with RE2 named groups; nothing matching forwards the same batch', async () => {
  const { out } = await runTraces(
    { traces: { resource: ['attributes["service.name"] == "noise"'], span: ['IsMatch(name, "^GET (?P<path>/api/.+)$")'] } },
    makeBatch(TRACES),
  );
  assert.deepEqual(spanNames(out[0]!), ['GET /healthz', 'op-7', 'cache']);
  const batch = makeBatch(TRACES);
  const same = await runTraces({ traces: { span: ['name == "nothing matches"'] } }, batch);
  assert.equal(same.out[0], batch, 'nothing dropped: the input batch is forwarded as is (no copy)');
});

test('traces: when every span is dropped nothing is forwarded and the call succeeds', async () => {
  const { out, set } = await runTraces({ error_mode: 'ignore', traces: { span: ['true'] } }, makeBatch(TRACES));
  assert.equal(out.length, 0);
  assert.equal(set.registry.value('otelcol_processor_filter_spans_filtered', { filter: 'filter', processor: 'filter' }), 6);
});

test('traces: a processor without conditions forwards everything', async () => {
  const batch = makeBatch(TRACES);
  const { out } = await runTraces({}, batch);
  assert.equal(out[0], batch);
});

test('trace_conditions (context inferred): resource-level conditions drop whole resources, span-level ones spans', async () => {
  const { out } = await runTraces(
    { trace_conditions: ['resource.attributes["service.name"] == "noise"', 'span.kind == SPAN_KIND_SERVER and resource.attributes["env"] == "prod"'] },
    makeBatch(TRACES),
  );
  assert.deepEqual(spanNames(out[0]!), ['op-7', 'cache']);
  const adv = await runTraces(
    { trace_conditions: [{ context: 'span', conditions: ['name == "cache"'] }, { context: 'resource', conditions: ['attributes["service.name"] == "checkout"'], error_mode: 'silent' }] },
    makeBatch(TRACES),
  );
  assert.deepEqual(spanNames(adv.out[0]!), ['SELECT', 'INSERT']);
});

// Spans with events (makeBatch has none): an "exception" event and others.
function eventBatch(): TraceBatch {
  const ev = (name: string, attrs: Record<string, string> = {}) => ({
    name,
    timeUnixNano: '1700000000000000000',
    attributes: Object.entries(attrs).map(([key, v]) => ({ key, value: { stringValue: v } })),
  });
  return TraceBatch.decode(
    oracleEncodeTraces({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
          scopeSpans: [
            {
              spans: [
                { name: 'a', droppedEventsCount: 1, events: [ev('exception', { 'exception.type': 'E' }), ev('log'), ev('exception')] },
                { name: 'b', events: [ev('log', { level: 'debug' })] },
                { name: 'c' },
                { name: 'drop-me', events: [ev('exception')] },
              ],
            },
          ],
        },
      ],
    }),
  );
}
const eventNames = (b: TraceBatch): string[][] =>
  flattenSpans(b.encode()).map((s) => ((s.span.events as Array<{ name?: string }> | undefined) ?? []).map((e) => e.name ?? ''));

test('traces.spanevent: matching events are dropped from their span, the spans stay (dropped_events_count unchanged)', async () => {
  const batch = eventBatch();
  const { out, set } = await runTraces({ traces: { spanevent: ['name == "exception"'] } }, batch);
  assert.equal(out.length, 1);
  assert.deepEqual(spanNames(out[0]!), ['a', 'b', 'c', 'drop-me']);
  assert.deepEqual(eventNames(out[0]!), [['log'], ['log'], [], []]);
  assert.equal(flattenSpans(out[0]!.encode())[0]!.span.droppedEventsCount, 1);
  assert.equal(out[0]!.eventCount(0), 1);
  assert.deepEqual(eventNames(batch), [['exception', 'log', 'exception'], ['log'], [], ['exception']], 'the input is not modified');
  assert.equal(set.registry.value('otelcol_processor_filter_spans_filtered', { filter: 'filter', processor: 'filter' }), 0);
  assert.equal(set.registry.value('otelcol_processor_outgoing_items', { processor: 'filter', otel_signal: 'traces' }), 4);
  // span conditions first; event conditions reach up to the span and resource; nothing matching: same batch
  const both = await runTraces(
    { traces: { span: ['name == "drop-me"'], spanevent: ['attributes["level"] == "debug" or (span.name == "a" and attributes["exception.type"] == "E")'] } },
    eventBatch(),
  );
  assert.deepEqual(spanNames(both.out[0]!), ['a', 'b', 'c']);
  assert.deepEqual(eventNames(both.out[0]!), [['log', 'exception'], [], []]);
  assert.equal(both.set.registry.value('otelcol_processor_filter_spans_filtered', { filter: 'filter', processor: 'filter' }), 1);
  const same = eventBatch();
  const none = await runTraces({ traces: { spanevent: ['name == "nothing"', 'resource.attributes["service.name"] == "other"'] } }, same);
  assert.equal(none.out[0], same, 'no event dropped: the input batch is forwarded as is');
});

test('trace_conditions: spanevent context inferred from the path or given; error_mode applies to event conditions', async () => {
  const inferred = await runTraces({ trace_conditions: ['spanevent.name == "log"', 'span.name == "c"'] }, eventBatch());
  assert.deepEqual(spanNames(inferred.out[0]!), ['a', 'b', 'drop-me']);
  assert.deepEqual(eventNames(inferred.out[0]!), [['exception', 'exception'], [], ['exception']]);
  const given = await runTraces({ trace_conditions: [{ context: 'spanevent', conditions: ['name == "exception"'] }] }, eventBatch());
  assert.deepEqual(eventNames(given.out[0]!), [['log'], ['log'], [], []]);
  // an evaluation error (indexing a string attribute) under propagate rejects the batch; silent treats it as false
  const bad = 'attributes["exception.type"]["x"] == "y"';
  const next = new Capturing<TraceBatch>();
  const p = filterProcessorFactory.createTraces!(settings(), cfg({ traces: { spanevent: [bad] } }), next);
  await p.start(testHost());
  await assert.rejects(p.consumeTraces(eventBatch()), OttlEvalError);
  assert.equal(next.batches.length, 0);
  await p.shutdown();
  const ign = await runTraces({ error_mode: 'silent', traces: { spanevent: [bad, 'name == "log"'] } }, eventBatch());
  assert.deepEqual(eventNames(ign.out[0]!), [['exception', 'exception'], [], [], ['exception']]);
});

test('legacy spans include/exclude (filterspan): services, span names (regexp, unanchored), attributes', async () => {
  const inc = await runTraces({ spans: { include: { match_type: 'strict', services: ['checkout'] } } }, makeBatch(TRACES));
  assert.deepEqual(spanNames(inc.out[0]!), ['GET /healthz', 'GET /api/orders/42', 'op-7', 'cache']);
  const exc = await runTraces({ spans: { exclude: { match_type: 'regexp', span_names: ['^GET', 'SERT'] } } }, makeBatch(TRACES));
  assert.deepEqual(spanNames(exc.out[0]!), ['op-7', 'cache', 'SELECT']);
  const both = await runTraces(
    { spans: { include: { match_type: 'strict', services: ['checkout'] }, exclude: { match_type: 'strict', attributes: [{ key: 'http.status_code', value: 503 }] } } },
    makeBatch(TRACES),
  );
  assert.deepEqual(spanNames(both.out[0]!), ['GET /healthz', 'GET /api/orders/42', 'cache']);
});

// ---------------------------------------------------------------- error_mode

test('error_mode propagate: an evaluation error rejects the batch (permanent error), nothing is forwarded', async () => {
  const next = new Capturing<TraceBatch>();
  const set = settings();
  const p = filterProcessorFactory.createTraces!(set, cfg({ traces: { span: ['attributes["http.route"]["x"] == "y"'] } }), next);
  await p.start(testHost());
  await assert.rejects(p.consumeTraces(makeBatch(TRACES)), (e: unknown) => {
    assert.ok(e instanceof OttlEvalError);
    assert.equal(e.retryable, false);
    assert.equal(e.grpcStatus, 13);
    assert.match(e.message, /^failed to eval condition: attributes\["http.route"\]\["x"\] == "y", type Str does not support string indexing/);
    return true;
  });
  assert.equal(next.batches.length, 0);
  await p.shutdown();
});

test('error_mode ignore: the failing condition counts as false (logged, rate-limited), the others still drop; silent does not log', async () => {
  const logger = capturingLogger();
  const conds = ['attributes["http.route"]["x"] == "y"', 'kind == SPAN_KIND_INTERNAL'];
  const { out } = await runTraces({ error_mode: 'IGNORE', traces: { span: conds } }, makeBatch(TRACES), settings('filter', logger));
  assert.deepEqual(spanNames(out[0]!), ['GET /healthz', 'GET /api/orders/42', 'op-7', 'SELECT', 'INSERT']);
  const warns = logger.records.filter((r) => r.level === 'warn');
  assert.equal(warns.length, 1, 'one warning for two failing spans: rate-limited');
  assert.equal(warns[0]!.msg, 'failed to eval condition');
  assert.equal(warns[0]!.fields?.condition, conds[0]);
  const quiet = capturingLogger();
  await runTraces({ error_mode: 'silent', traces: { span: conds } }, makeBatch(TRACES), settings('filter', quiet));
  assert.equal(quiet.records.filter((r) => r.level === 'warn').length, 0);
});

// ---------------------------------------------------------------- metrics

const METRICS: MResourceSpec[] = [
  {
    attributes: { 'service.name': 'shop' },
    scopes: [
      {
        name: 'meter',
        metrics: [
          { name: 'debug.noise', type: 'sum', points: [{ attributes: { env: 'prod' } }] },
          { name: 'shop.orders', type: 'sum', points: [{ attributes: { env: 'prod' } }, { attributes: { env: 'dev' } }, { attributes: { env: 'staging' } }] },
          { name: 'shop.dev.latency', type: 'histogram', points: [{ attributes: { env: 'dev' } }] },
          { name: 'shop.temperature', type: 'gauge', points: [{ attributes: { env: 'prod' } }, { attributes: { env: 'dev' } }] },
        ],
      },
    ],
  },
  { attributes: { 'service.name': 'batch-job' }, scopes: [{ name: 'meter', metrics: [{ name: 'job.runs', type: 'sum', points: 2 }] }] },
];

test('metrics.metric drops whole metrics; metrics.datapoint drops points and removes emptied metrics', async () => {
  const { out, set } = await runMetrics({ metrics: { metric: ['name == "debug.noise"'], datapoint: ['attributes["env"] == "dev"'] } }, makeMetrics(METRICS));
  assert.deepEqual(pointKeys(out[0]!), ['shop.orders|env=prod', 'shop.orders|env=staging', 'shop.temperature|env=prod', 'job.runs', 'job.runs']);
  const names = new Set(flattenPoints(out[0]!.encode()).map((p) => p.shell.name));
  assert.equal(names.has('shop.dev.latency'), false, 'a metric whose points were all dropped is removed');
  assert.equal(out[0]!.metricCount, 3);
  assert.equal(set.registry.value('otelcol_processor_filter_datapoints_filtered', { filter: 'filter', processor: 'filter' }), 4);
});

test('metrics.datapoint: value conditions with the metric context (value_int of sums: k*10 per point)', async () => {
  const { out } = await runMetrics({ metrics: { datapoint: ['metric.name == "shop.orders" and value_int >= 10', 'metric.type == METRIC_DATA_TYPE_HISTOGRAM'] } }, makeMetrics(METRICS));
  assert.deepEqual(pointKeys(out[0]!), ['debug.noise|env=prod', 'shop.orders|env=prod', 'shop.temperature|env=prod', 'shop.temperature|env=dev', 'job.runs', 'job.runs']);
});

test('metrics.resource drops every metric of a matching resource; metric_conditions infer the context', async () => {
  const { out } = await runMetrics({ metrics: { resource: ['attributes["service.name"] == "batch-job"'] } }, makeMetrics(METRICS));
  assert.equal(out[0]!.metricCount, 4);
  const inferred = await runMetrics(
    { metric_conditions: ['metric.name == "debug.noise"', 'datapoint.attributes["env"] == "staging"', 'resource.attributes["service.name"] == "batch-job"'] },
    makeMetrics(METRICS),
  );
  assert.deepEqual(pointKeys(inferred.out[0]!), ['shop.orders|env=prod', 'shop.orders|env=dev', 'shop.dev.latency|env=dev', 'shop.temperature|env=prod', 'shop.temperature|env=dev']);
});

test('legacy metrics include/exclude: metric_names strict and regexp, resource_attributes', async () => {
  const exc = await runMetrics({ metrics: { exclude: { match_type: 'strict', metric_names: ['debug.noise', 'job.runs'] } } }, makeMetrics(METRICS));
  assert.deepEqual([...new Set(flattenPoints(exc.out[0]!.encode()).map((p) => p.shell.name))], ['shop.orders', 'shop.dev.latency', 'shop.temperature']);
  const inc = await runMetrics({ metrics: { include: { match_type: 'regexp', metric_names: ['^shop\\.', 'runs'] } } }, makeMetrics(METRICS));
  assert.deepEqual([...new Set(flattenPoints(inc.out[0]!.encode()).map((p) => p.shell.name))], ['shop.orders', 'shop.dev.latency', 'shop.temperature', 'job.runs']);
  const res = await runMetrics({ metrics: { include: { match_type: 'strict', resource_attributes: [{ key: 'service.name', value: 'batch-job' }] } } }, makeMetrics(METRICS));
  assert.deepEqual([...new Set(flattenPoints(res.out[0]!.encode()).map((p) => p.shell.name))], ['job.runs']);
});

// ---------------------------------------------------------------- logs

function severityBatch(): LogBatch {
  const records = [];
  for (let sev = 0; sev <= 24; sev++) records.push({ severityNumber: sev, severityText: sev ? `S${sev}` : '', body: `at ${sev}` });
  const spec: LResourceSpec[] = [{ attributes: { 'service.name': 'api' }, scopes: [{ name: 'log', records }] }];
  return makeLogs(spec);
}
const severities = (b: LogBatch): number[] => flattenRecords(b.encode()).map((r) => Number(r.record.severityNumber ?? 0));

test('logs.log_record: severity_number < SEVERITY_NUMBER_WARN drops exactly the records below WARN', async () => {
  const { out, set } = await runLogs({ logs: { log_record: ['severity_number < SEVERITY_NUMBER_WARN'] } }, severityBatch());
  assert.deepEqual(severities(out[0]!), [13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
  assert.equal(set.registry.value('otelcol_processor_filter_logs_filtered', { filter: 'filter', processor: 'filter' }), 13);
  const bodies = await runLogs({ log_conditions: ['IsMatch(log.body, "at (1|2)$")', 'log.severity_number >= SEVERITY_NUMBER_ERROR'] }, severityBatch());
  assert.deepEqual(severities(bodies.out[0]!), [0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
});

test('legacy logs include/exclude: severity_number {min, match_undefined}, severity_texts, bodies, record_attributes', async () => {
  const inc = await runLogs({ logs: { include: { severity_number: { min: 'INFO', match_undefined: true } } } }, severityBatch());
  assert.deepEqual(severities(inc.out[0]!), [0, ...Array.from({ length: 16 }, (_, k) => k + 9)]);
  const exc = await runLogs({ logs: { exclude: { severity_number: { min: 'error' } } } }, severityBatch());
  assert.deepEqual(severities(exc.out[0]!), Array.from({ length: 17 }, (_, k) => k));
  const both = await runLogs({ logs: { include: { severity_number: { min: 9, match_undefined: true } }, exclude: { severity_number: { min: 'ERROR' } } } }, severityBatch());
  assert.deepEqual(severities(both.out[0]!), [0, 9, 10, 11, 12, 13, 14, 15, 16]);
  const texts = await runLogs({ logs: { include: { match_type: 'regexp', severity_texts: ['^S1[0-2]$'] } } }, severityBatch());
  assert.deepEqual(severities(texts.out[0]!), [10, 11, 12]);
  const body = await runLogs({ logs: { exclude: { match_type: 'regexp', bodies: ['at [0-9]$'] } } }, severityBatch());
  assert.equal(severities(body.out[0]!).length, 15);
  const attrs = makeLogs([{ scopes: [{ records: [{ attributes: { user: 'ann' } }, { attributes: { user: 'bob' } }, {}] }] }]);
  const rec = await runLogs({ logs: { include: { match_type: 'strict', record_attributes: [{ key: 'user', value: 'bob' }] } } }, attrs);
  assert.equal(rec.out[0]!.logRecordCount, 1);
});

test('the corpus config (filterprocessor testdata config_logs_min_severity) parses and filters as its comments say', async (t) => {
  const file = path.join(CORPUS_DIR, 'configs', 'opentelemetry-collector-contrib__processor_filterprocessor_testdata_config_logs_min_severity.derived.yaml');
  if (!fs.existsSync(file)) {
    t.skip(`corpus config absent: ${file}`);
    return;
  }
  const doc = parseYaml(fs.readFileSync(file, 'utf8')) as { processors: Record<string, unknown> };
  const results: Record<string, number[]> = {};
  for (const [id, raw] of Object.entries(doc.processors)) {
    const { out } = await runLogs(raw, severityBatch(), settings(id));
    results[id] = severities(out[0]!);
  }
  const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, k) => a + k);
  assert.deepEqual(results['filter/include'], [0, ...range(9, 24)], 'everything below INFO dropped, undefined kept');
  assert.deepEqual(results['filter/exclude'], range(0, 16), 'ERROR and FATAL ranges dropped');
  assert.deepEqual(results['filter/includeexclude'], [0, ...range(9, 16)], 'INFO and WARN ranges and undefined kept');
});

// ---------------------------------------------------------------- config

test('config: defaults, error_mode case-insensitive, unknown keys and modes rejected with their path', () => {
  const d = cfg({});
  assert.equal(d.error_mode, 'propagate');
  assert.equal(d.traces.span, undefined);
  assert.equal(cfg({ error_mode: 'Ignore' }).error_mode, 'ignore');
  assert.deepEqual(issuesOf(() => cfg({ error_mode: 'test' })), [{ path: `${P}.error_mode`, message: 'unknown error mode test (valid: propagate, ignore, silent)' }]);
  const unknown = issuesOf(() => cfg({ traces: { spans: ['name == "x"'] } }));
  assert.equal(unknown[0]!.path, `${P}.traces.spans`);
  assert.match(unknown[0]!.message, /unknown key "spans"/);
  assert.deepEqual(issuesOf(() => cfg({ profiles: { profile: ['x'] }, profile_conditions: ['y'] })), [], 'profiles are accepted and ignored');
});

test('config: OTTL syntax errors at load with the YAML path of the condition, line and column', () => {
  const issues = issuesOf(() => cfg({ traces: { span: ['name == "ok"', 'name == "x" and (kind == 2'] }, logs: { log_record: ['attributes[test] == "pass"'] } }));
  assert.deepEqual(issues.map((i) => i.path), [`${P}.traces.span[1]`, `${P}.logs.log_record[0]`]);
  assert.equal(issues[0]!.message, `condition has invalid syntax: 1:27: unexpected token "<EOF>" (expected ")") in condition 'name == "x" and (kind == 2'`);
  assert.match(issues[1]!.message, /^1:12: segment "test" from path "test" is not a valid path for the Log context/);
  const editor = issuesOf(() => cfg({ metric_conditions: ['metric.name == "x" and invalid_function(x) == 1'] }));
  assert.equal(editor[0]!.path, `${P}.metric_conditions[0]`);
  assert.match(editor[0]!.message, /converter names must start with an uppercase letter but got 'invalid_function'/);
  const ctx = issuesOf(() => cfg({ metrics: { metric: ['severity_number == 1'] } }));
  assert.match(ctx[0]!.message, /not a valid path for the Metric context/);
  const infer = issuesOf(() => cfg({ log_conditions: [{ conditions: ['body == "x"'] }] }));
  assert.equal(infer[0]!.path, `${P}.log_conditions[0].conditions[0]`);
  assert.match(infer[0]!.message, /missing context name for path "body"/);
});

test('config: upstream exclusivity rules, style mixing, unknown context, unsupported features', () => {
  const msg = (raw: unknown) => issuesOf(() => cfg(raw)).map((i) => `${i.path}: ${i.message}`);
  assert.deepEqual(msg({ spans: { include: { match_type: 'strict', services: ['a'] } }, traces: { span: ['name == "x"'] } }), [
    `${P}.traces: cannot use "traces.resource", "traces.span", "traces.spanevent" and the span settings "spans.include", "spans.exclude" at the same time`,
  ]);
  assert.deepEqual(msg({ metrics: { include: { match_type: 'strict', metric_names: ['a'] }, metric: ['name == "x"'] } }), [
    `${P}.metrics: cannot use "metrics.resource", "metrics.metric", "metrics.datapoint" and the settings "metrics.include", "metrics.exclude" at the same time`,
  ]);
  assert.deepEqual(msg({ logs: { exclude: { severity_number: { min: 'WARN' } }, log_record: ['true'] } }), [
    `${P}.logs: cannot use "logs.resource", "logs.log" and the settings "logs.include", "logs.exclude" at the same time`,
  ]);
  assert.deepEqual(msg({ trace_conditions: ['span.name == "x"'], traces: { span: ['name == "y"'] } }), [
    `${P}.trace_conditions: cannot use context inferred trace conditions "trace_conditions" and the settings "traces.resource", "traces.span", "traces.spanevent" at the same time`,
  ]);
  assert.match(msg({ trace_conditions: ['span.name == "x"', { conditions: ['span.name == "y"'] }] })[0]!, /configuring multiple configuration styles is not supported/);
  assert.match(msg({ trace_conditions: [null] })[0]!, /condition cannot be empty/);
  assert.match(msg({ trace_conditions: [{ context: 'abc', conditions: ['x == 1'] }] })[0]!, /unknown context abc/);
  assert.deepEqual(msg({ traces: { spanevent: ['name == "x"', 'attributes["k"] == "v" and span.name == "s"'] } }), [], 'span event conditions are accepted');
  assert.match(msg({ traces: { spanevent: ['ok', 'kind == 1'] } }).join('\n'), /^processors\.filter\.traces\.spanevent\[0\]: .*\nprocessors\.filter\.traces\.spanevent\[1\]: .*kind/);
  assert.match(msg({ metrics: { exclude: { match_type: 'expr', expressions: ['MetricName == "x"'] } } })[0]!, /expressions: match_type "expr" expressions are not supported/);
  assert.deepEqual(msg({ logs: { include: { severity_number: { min: 'unknown' } } } }), [`${P}.logs.include.severity_number.min: 'unknown' is not a valid severity: not a valid severity`]);
});

test('config: legacy blocks are compiled when the processor is created for a signal, errors with paths', () => {
  const set = testSettings('filter/x', 'processor');
  const next = new Capturing();
  const spans = issuesOf(() => filterProcessorFactory.createTraces!(set, cfg({ spans: { exclude: { match_type: 'regexp', span_names: ['('] } } }), next));
  assert.equal(spans[0]!.path, 'processors.filter/x.spans.exclude.span_names[0]');
  const metrics = issuesOf(() => filterProcessorFactory.createMetrics!(set, cfg({ metrics: { include: { match_type: 'fuzzy', metric_names: ['a'] } } }), next));
  assert.equal(metrics[0]!.path, 'processors.filter/x.metrics.include.match_type');
  assert.match(metrics[0]!.message, /unrecognized match_type: 'fuzzy'/);
  const logs = issuesOf(() => filterProcessorFactory.createLogs!(set, cfg({ logs: { include: { match_type: 'regexp', bodies: ['a('] } } }), next));
  assert.equal(logs[0]!.path, 'processors.filter/x.logs.include.bodies[0]');
  // a processor whose legacy block only fits another signal is fine for this one (as upstream)
  assert.doesNotThrow(() => filterProcessorFactory.createLogs!(set, cfg({ spans: { exclude: { match_type: 'regexp', span_names: ['('] } } }), next));
});

test('factory: type, stability, lifecycle idempotent, does not mutate its input', async () => {
  assert.equal(filterProcessorFactory.type, 'filter');
  assert.deepEqual(filterProcessorFactory.stability, { traces: 'alpha', metrics: 'alpha', logs: 'alpha' });
  const p = filterProcessorFactory.createTraces!(testSettings('filter', 'processor'), cfg({ traces: { span: ['kind == 1'] } }), new Capturing());
  assert.equal(p.capabilities.mutatesData, false);
  await p.start(testHost());
  await p.start(testHost());
  await p.shutdown();
  await p.shutdown();
  const batch = makeBatch(TRACES);
  const before = Buffer.from(batch.encode());
  await runTraces({ traces: { span: ['kind == SPAN_KIND_SERVER'] } }, batch);
  assert.deepEqual(Buffer.from(batch.encode()), before, 'the input batch is untouched (fan-out may share it)');
});
