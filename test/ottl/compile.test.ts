// Compiled OTTL conditions evaluated on real batches (encoded with the protobufjs oracle, decoded by the
// columnar pdata): every path of every context, upstream's comparison semantics, converters, per-resource
// caching, runtime errors and error modes, compile errors, context inference.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileCondition, ConditionSequence, inferContext, OttlConditionError, OttlEvalError, OttlRuntimeError, type ContextName,
} from '../../src/ottl';
import { TraceBatch } from '../../src/pdata/traces';
import { MetricBatch } from '../../src/pdata/metrics';
import { LogBatch } from '../../src/pdata/logs';
import { oracleEncodeLogs, oracleEncodeMetrics, oracleEncodeTraces } from '../oracle/otlp-oracle';
import type { Logger } from '../../src/component/types';

const str = (v: string) => ({ stringValue: v });
const int = (v: number | string) => ({ intValue: String(v) });
const dbl = (v: number) => ({ doubleValue: v });
const bool = (v: boolean) => ({ boolValue: v });
const kv = (key: string, value: unknown) => ({ key, value });
const hex = (h: string) => Buffer.from(h, 'hex');

const TID = '0102030405060708090a0b0c0d0e0f10';
const SID = 'a1a2a3a4a5a6a7a8';
const PSID = 'b1b2b3b4b5b6b7b8';

/** Two resources, three scopes, five spans with every field the span context reads. */
function traceBatch(): TraceBatch {
  return TraceBatch.decode(
    oracleEncodeTraces({
      resourceSpans: [
        {
          resource: { attributes: [kv('service.name', str('checkout')), kv('env', str('prod'))], droppedAttributesCount: 2 },
          schemaUrl: 'https://opentelemetry.io/schemas/1.21.0',
          scopeSpans: [
            {
              scope: { name: 'io.otel.http', version: '1.2.3', attributes: [kv('lib.kind', str('http'))], droppedAttributesCount: 1 },
              schemaUrl: 'scope-schema',
              spans: [
                {
                  traceId: hex(TID),
                  spanId: hex(SID),
                  parentSpanId: hex(PSID),
                  traceState: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
                  name: 'GET /api/orders',
                  kind: 2,
                  startTimeUnixNano: '1700000000000000000',
                  endTimeUnixNano: '1700000000250000000',
                  attributes: [
                    kv('http.route', str('/api/orders')),
                    kv('http.status_code', int(503)),
                    kv('ratio', dbl(0.25)),
                    kv('sampled', bool(true)),
                    kv('blob', { bytesValue: hex('00ff10') }),
                    kv('tags', { arrayValue: { values: [str('a'), int(2), { kvlistValue: { values: [kv('x', str('y'))] } }] } }),
                    kv('nested', { kvlistValue: { values: [kv('inner', { kvlistValue: { values: [kv('deep', int(7))] } }), kv('s', str('v'))] } }),
                    kv('big', int('9007199254740993')),
                    kv('unicode', str('😀')),
                    kv('empty', {}),
                  ],
                  droppedAttributesCount: 3,
                  droppedEventsCount: 4,
                  droppedLinksCount: 5,
                  status: { code: 2, message: 'upstream timeout' },
                  events: [{ name: 'exception', timeUnixNano: '1700000000100000000', attributes: [kv('exception.type', str('Timeout'))] }],
                },
                { traceId: hex(TID), spanId: hex('c1c2c3c4c5c6c7c8'), name: 'db query', kind: 3, attributes: [kv('http.status_code', int(200))] },
              ],
            },
            { scope: { name: 'io.otel.db' }, spans: [{ traceId: hex(TID), spanId: hex('d1d2d3d4d5d6d7d8'), name: 'internal', kind: 1 }] },
          ],
        },
        {
          resource: { attributes: [kv('service.name', str('billing'))] },
          scopeSpans: [
            {
              scope: { name: 'io.otel.http' },
              spans: [
                { traceId: hex('ff'.repeat(16)), spanId: hex('e1e2e3e4e5e6e7e8'), name: 'POST /pay', kind: 2, attributes: [kv('http.status_code', dbl(500))] },
                { spanId: hex('f1f2f3f4f5f6f7f8'), name: 'no trace id', kind: 9 },
              ],
            },
          ],
        },
      ],
    }),
  );
}

/** The items (span indexes) a condition matches. */
function matches(text: string, batch: unknown, n: number, ctx: ContextName = 'span'): number[] {
  const m = compileCondition(text, ctx).bind(batch);
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (m(i)) out.push(i);
  return out;
}

function compileError(text: string, ctx: ContextName = 'span'): OttlConditionError {
  try {
    compileCondition(text, ctx);
  } catch (e) {
    assert.ok(e instanceof OttlConditionError, String(e));
    return e;
  }
  assert.fail(`no error compiling ${text}`);
}

test('span context: name, kind (+ .string, .deprecated_string), status, ids, trace_state, times, counts', () => {
  const b = traceBatch();
  const n = b.spanCount;
  assert.equal(n, 5);
  const M = (t: string) => matches(t, b, n);
  assert.deepEqual(M('name == "GET /api/orders"'), [0]);
  assert.deepEqual(M('span.name == "db query"'), [1], 'context-prefixed path');
  assert.deepEqual(M('kind == SPAN_KIND_SERVER'), [0, 3]);
  assert.deepEqual(M('kind == 2'), [0, 3]);
  assert.deepEqual(M('kind > SPAN_KIND_CLIENT'), [4], 'unknown kind 9 is an int like upstream');
  assert.deepEqual(M('kind.string == "Server"'), [0, 3]);
  assert.deepEqual(M('kind.string == ""'), [4], 'unknown kinds have an empty string form');
  assert.deepEqual(M('kind.deprecated_string == "SPAN_KIND_INTERNAL"'), [2]);
  assert.deepEqual(M('status.code == STATUS_CODE_ERROR'), [0]);
  assert.deepEqual(M('status.message == "upstream timeout"'), [0]);
  assert.deepEqual(M(`trace_id.string == "${TID}"`), [0, 1, 2]);
  assert.deepEqual(M(`trace_id.string == "${'0'.repeat(32)}"`), [4], 'an absent trace id reads as zeros');
  assert.deepEqual(M(`trace_id == TraceID(0x${TID})`), [0, 1, 2]);
  assert.deepEqual(M(`span_id == SpanID(0x${SID})`), [0]);
  assert.deepEqual(M(`parent_span_id.string == "${PSID}"`), [0]);
  assert.deepEqual(M('parent_span_id == SpanID(0x0000000000000000)'), [1, 2, 3, 4], 'root spans');
  assert.deepEqual(M('IsRootSpan()'), [1, 2, 3, 4]);
  assert.deepEqual(M('trace_state == "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"'), [0]);
  assert.deepEqual(M('trace_state["congo"] == "t61rcWkgMzE"'), [0]);
  assert.deepEqual(M('trace_state["missing"] == ""'), [0, 1, 2, 3, 4]);
  assert.deepEqual(M('start_time_unix_nano == 1700000000000000000'), [0]);
  assert.deepEqual(M('end_time_unix_nano - start_time_unix_nano >= 250000000'), [0]);
  assert.deepEqual(M('end_time_unix_nano - start_time_unix_nano > 0.1'), [0], 'int64 math then int/float comparison');
  assert.deepEqual(M('dropped_attributes_count == 3 and dropped_events_count == 4 and dropped_links_count == 5'), [0]);
});

test('span context: attributes of every type, nested keys, list indexes, nil for missing', () => {
  const b = traceBatch();
  const M = (t: string) => matches(t, b, b.spanCount);
  assert.deepEqual(M('attributes["http.route"] == "/api/orders"'), [0]);
  assert.deepEqual(M('attributes["http.status_code"] >= 500'), [0, 3], 'int 503 and double 500.0 both compare numerically');
  assert.deepEqual(M('attributes["http.status_code"] == 500'), [3]);
  assert.deepEqual(M('attributes["ratio"] < 0.5'), [0]);
  assert.deepEqual(M('attributes["sampled"] == true'), [0]);
  assert.deepEqual(M('attributes["blob"] == 0x00ff10'), [0]);
  assert.deepEqual(M('attributes["blob"] > 0x00ff'), [0], 'bytes compare bytewise');
  assert.deepEqual(M('attributes["tags"][0] == "a" and attributes["tags"][1] == 2'), [0]);
  assert.deepEqual(M('attributes["tags"][2]["x"] == "y"'), [0]);
  assert.deepEqual(M('attributes["nested"]["inner"]["deep"] == 7'), [0]);
  assert.deepEqual(M('attributes["nested"]["nope"] == nil'), [0, 1, 2, 3, 4], 'a missing nested key is nil (and a missing attribute too)');
  assert.deepEqual(M('attributes["missing"] == nil'), [0, 1, 2, 3, 4]);
  assert.deepEqual(M('attributes["empty"] == nil'), [0, 1, 2, 3, 4], 'an empty value is nil');
  assert.deepEqual(M('attributes["big"] == 9007199254740993'), [0], 'int64 beyond 2^53 compares exactly');
  assert.deepEqual(M('attributes["big"] == 9007199254740992'), [], 'int64 beyond 2^53 compares exactly');
  assert.deepEqual(M('attributes["tags"] == ["a", 2, {"x": "y"}]'), [0], 'lists and maps compare by value');
  assert.deepEqual(M('attributes["nested"] == {"s": "v", "inner": {"deep": 7}}'), [0]);
  assert.deepEqual(M('Len(attributes) == 10'), [0]);
});

test('span context: resource, scope and instrumentation_scope paths', () => {
  const b = traceBatch();
  const M = (t: string) => matches(t, b, b.spanCount);
  assert.deepEqual(M('resource.attributes["service.name"] == "checkout"'), [0, 1, 2]);
  assert.deepEqual(M('resource.dropped_attributes_count == 2'), [0, 1, 2]);
  assert.deepEqual(M('resource.schema_url == "https://opentelemetry.io/schemas/1.21.0"'), [0, 1, 2]);
  assert.deepEqual(M('instrumentation_scope.name == "io.otel.http"'), [0, 1, 3, 4]);
  assert.deepEqual(M('scope.version == "1.2.3"'), [0, 1]);
  assert.deepEqual(M('instrumentation_scope.attributes["lib.kind"] == "http"'), [0, 1]);
  assert.deepEqual(M('scope.dropped_attributes_count == 1 and scope.schema_url == "scope-schema"'), [0, 1]);
  // resource-level parts are cached per resource: mixing them with span-level parts must stay correct
  assert.deepEqual(M('resource.attributes["service.name"] == "billing" and kind == SPAN_KIND_SERVER'), [3]);
  assert.deepEqual(M('kind == SPAN_KIND_SERVER or resource.attributes["env"] == "prod"'), [0, 1, 2, 3]);
  assert.deepEqual(M('not (resource.attributes["service.name"] == "checkout") or name == "internal"'), [2, 3, 4]);
});

test('comparison semantics (compare.go): nil, int/float, strings (UTF-8 order), bools, cross-type', () => {
  const b = traceBatch();
  const M = (t: string) => matches(t, b, 1);
  const yes = (t: string) => assert.deepEqual(M(t), [0], t);
  const no = (t: string) => assert.deepEqual(M(t), [], t);
  yes('nil == nil');
  yes('nil <= nil');
  no('nil < nil');
  yes('attributes["missing"] != "x"');
  no('attributes["missing"] == "x"');
  no('attributes["missing"] < 1');
  no('attributes["missing"] > 1');
  no('1 < attributes["missing"]');
  yes('attributes["missing"] != 1');
  yes('1 == 1.0');
  yes('2 > 1.5');
  no('"1" == 1');
  yes('"1" != 1');
  no('"a" < 1');
  yes('"abc" < "abd"');
  yes('"Z" < "a"');
  yes('"\uffff" < "😀"', );
  yes('attributes["unicode"] > "\uffff"');
  yes('false < true');
  no('true < true');
  yes('true >= false');
  no('true == 1');
  yes('attributes["sampled"] != "true"');
  yes('attributes["ratio"] == 0.25');
  no('attributes["tags"] < attributes["tags"]');
  yes('attributes["tags"] == attributes["tags"]');
  yes('name != attributes["http.status_code"]');
  no('name < attributes["http.status_code"]');
  yes('Double("NaN") != Double("NaN")');
  no('Double("NaN") == Double("NaN")');
});

test('converters: IsMatch (RE2, named groups, unanchored), Len, Int, Double, String, Concat, Is*, case, prefixes, Substring, Split', () => {
  const b = traceBatch();
  const M = (t: string) => matches(t, b, b.spanCount);
  assert.deepEqual(M('IsMatch(name, "^(?P<method>GET|POST) (?P<path>/\\\\S+)$")'), [0, 3]);
  assert.deepEqual(M('IsMatch(name, "orders")'), [0], "Go's MatchString is a search, not anchored");
  assert.deepEqual(M('IsMatch(attributes["http.status_code"], "^50[0-9]$")'), [0, 3], 'numbers are matched as their JSON text: int 503, double 500.0 → "500"');
  assert.deepEqual(M('IsMatch(attributes["missing"], ".*")'), [], 'nil never matches');
  assert.deepEqual(M('IsMatch(attributes["blob"], "^00ff10$")'), [0], 'bytes are matched as hex');
  assert.deepEqual(M('IsMatch(resource.attributes["service.name"], "(?i)^CHECK")'), [0, 1, 2]);
  assert.deepEqual(M('Len(name) == 15'), [0]);
  assert.deepEqual(M('attributes["unicode"] != nil and Len(attributes["unicode"]) == 4'), [0], 'Len counts UTF-8 bytes as Go');
  assert.throws(() => compileCondition('Len(attributes["missing"]) == 0', 'span').bind(b)(0), /target arg must be of type string/, 'Len of nil is an error');
  assert.deepEqual(M('IsList(attributes["tags"]) and Len(attributes["tags"]) == 3'), [0]);
  assert.deepEqual(M('Int(attributes["ratio"]) == 0 and Int("42") == 42 and Int("4.2") == nil and Int(true) == 1'), [0]);
  assert.deepEqual(M('Int(attributes["http.status_code"]) == 500'), [3]);
  assert.deepEqual(M('Double(attributes["http.status_code"]) == 503.0'), [0]);
  assert.deepEqual(M('Double("1e3") == 1000 and Double("x") == nil'), [0, 1, 2, 3, 4]);
  assert.deepEqual(M('String(attributes["http.status_code"]) == "503"'), [0]);
  assert.deepEqual(M('Concat([name, kind, attributes["missing"]], "|") == "db query|3|<nil>"'), [1]);
  assert.deepEqual(M('IsString(attributes["http.route"]) and IsInt(attributes["big"]) and IsDouble(attributes["ratio"]) and IsBool(attributes["sampled"])'), [0]);
  assert.deepEqual(M('IsMap(attributes["nested"]) and IsList(attributes["tags"]) and not IsList(attributes["blob"]) and IsMap(attributes)'), [0]);
  assert.deepEqual(M('ToLowerCase(name) == "post /pay" or ToUpperCase(name) == "INTERNAL"'), [2, 3]);
  assert.deepEqual(M('HasPrefix(name, "GET ") or HasSuffix(name, "/pay")'), [0, 3]);
  assert.deepEqual(M('Substring(name, 4, 4) == "/api"'), [0]);
  assert.deepEqual(M('Len(Split(name, " ")) == 2 and Split(name, " ")[1] == "/pay"'), [3]);
  assert.deepEqual(M('Len(Split(name, "/")) == 3'), [0]);
});

test('runtime errors are thrown per item; a ConditionSequence applies error_mode', () => {
  const b = traceBatch();
  const c = compileCondition('attributes["http.route"]["x"] == "y"', 'span');
  const m = c.bind(b);
  assert.throws(() => m(0), (e: unknown) => e instanceof OttlRuntimeError && /type Str does not support string indexing/.test(e.message));
  assert.equal(m(1), false, 'missing attribute: nil, no error');
  assert.throws(() => compileCondition('ToLowerCase(attributes["http.status_code"]) == "x"', 'span').bind(b)(0), /expected string but got int64/);
  assert.throws(() => compileCondition('Substring(name, 10, 100) == "x"', 'span').bind(b)(0), /invalid range for substring/);
  assert.throws(() => compileCondition('attributes["tags"][9] == 1', 'span').bind(b)(0), /index 9 out of bounds/);
  assert.throws(() => compileCondition('attributes["http.status_code"] / 0 == 1', 'span').bind(b)(0), /attempted to divide by 0/);
  assert.throws(() => compileCondition('name + 1 == 1', 'span').bind(b)(0), /must be int64, float64, time.Time or time.Duration/);

  const failing = compileCondition('attributes["http.route"]["x"] == "y"', 'span');
  const kindServer = compileCondition('kind == SPAN_KIND_SERVER', 'span');
  const warnings: Array<Record<string, unknown> | undefined> = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (_m, f) => void warnings.push(f),
    error() {},
    child() {
      return logger;
    },
  };
  const propagate = new ConditionSequence([failing, kindServer], 'propagate', logger).bind(b);
  assert.throws(() => propagate(0), (e: unknown) => e instanceof OttlEvalError && e.httpStatus === 500 && !e.retryable && /failed to eval condition: attributes\["http.route"\]\["x"\] == "y", type Str/.test(e.message));
  assert.equal(propagate(3), true, 'no error on a span without the attribute');
  const ignore = new ConditionSequence([failing, kindServer], 'ignore', logger).bind(b);
  assert.equal(ignore(0), true, 'the failing condition counts as false, the next one matches');
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]!.condition, 'attributes["http.route"]["x"] == "y"');
  const silent = new ConditionSequence([failing], 'silent', logger).bind(b);
  assert.equal(silent(0), false);
  assert.equal(warnings.length, 1, 'silent does not log');
});

test('compile errors: unknown path, function, enum of another context, argument count, invalid pattern, context-only functions', () => {
  assert.match(compileError('foo == 1').message, /segment "foo" from path "foo" is not a valid path for the Span context/);
  assert.match(compileError('status == 1').message, /status object/);
  assert.match(compileError('kind.name == "x"').message, /segment "name"/);
  assert.match(compileError('Nope(name)').message, /^1:1: undefined function "Nope"/);
  assert.match(compileError('severity_number == SEVERITY_NUMBER_WARN').message, /segment "severity_number"/);
  assert.match(compileError('kind == SEVERITY_NUMBER_WARN').message, /^1:9: enum symbol, SEVERITY_NUMBER_WARN, not found in the Span context/);
  assert.match(compileError('IsMatch(name)').message, /incorrect number of arguments. Expected: 2 Received: 1/);
  assert.match(compileError('IsMatch(name, "a(")').message, /not a valid regexp pattern: missing closing \)/);
  assert.match(compileError('IsMatch(name, "(?<=x)y")').message, /not a valid regexp pattern/, 'look-behind is not RE2');
  assert.match(compileError('IsRootSpan()', 'log').message, /only available in the span context/);
  assert.match(compileError('Len(name)').message, /returns a number, not a boolean/);
  assert.match(compileError('name == "x" and (').message, /^condition has invalid syntax: 1:18: unexpected token "<EOF>"/);
  assert.equal(compileError('name == "x" and (').line, 1);
  assert.equal(compileError('name == "x" and (').col, 18);
  assert.match(compileError('attributes[1] == "x"').message, /can only be indexed by a string key/);
  assert.match(compileError('resource == nil').message, /names a whole resource/);
});

test('metric and datapoint contexts on a real MetricBatch', () => {
  const pts = (vals: Array<Record<string, unknown>>) => vals.map((v, k) => ({ timeUnixNano: String(1700000000000000000n + BigInt(k)), ...v }));
  const b = MetricBatch.decode(
    oracleEncodeMetrics({
      resourceMetrics: [
        {
          resource: { attributes: [kv('service.name', str('shop'))] },
          scopeMetrics: [
            {
              scope: { name: 'meter' },
              metrics: [
                { name: 'requests', unit: '1', description: 'count', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: pts([{ asInt: '5', attributes: [kv('env', str('dev'))] }, { asInt: '500' }]) } },
                { name: 'temp', gauge: { dataPoints: pts([{ asDouble: 21.5, flags: 1 }]) } },
                { name: 'latency', histogram: { aggregationTemporality: 2, dataPoints: pts([{ count: '3', sum: 4.5, bucketCounts: ['1', '2'], explicitBounds: [1] }]) } },
                { name: 'exp', exponentialHistogram: { aggregationTemporality: 1, dataPoints: pts([{ count: '2', scale: 3, zeroCount: '1', positive: { offset: -2, bucketCounts: ['1'] } }]) } },
                { name: 'sum', summary: { dataPoints: pts([{ count: '4', sum: 8 }]) } },
              ],
            },
          ],
        },
      ],
    }),
  );
  const MM = (t: string) => matches(t, b, b.metricCount, 'metric');
  assert.deepEqual(MM('name == "requests"'), [0]);
  assert.deepEqual(MM('metric.name == "temp"'), [1]);
  assert.deepEqual(MM('type == METRIC_DATA_TYPE_HISTOGRAM or type == METRIC_DATA_TYPE_SUMMARY'), [2, 4]);
  assert.deepEqual(MM('aggregation_temporality == AGGREGATION_TEMPORALITY_DELTA'), [0, 3]);
  assert.deepEqual(MM('aggregation_temporality == nil'), [1, 4], 'gauges and summaries have no temporality');
  assert.deepEqual(MM('is_monotonic == true'), [0]);
  assert.deepEqual(MM('unit == "1" and description == "count"'), [0]);
  assert.deepEqual(MM('resource.attributes["service.name"] == "shop" and IsMatch(name, "^(temp|sum)$")'), [1, 4]);
  assert.deepEqual(MM('HasAttrOnDatapoint("env", "dev")'), [0]);
  assert.deepEqual(MM('HasAttrKeyOnDatapoint("env")'), [0]);

  const MD = (t: string) => matches(t, b, b.dataPointCount, 'datapoint');
  assert.equal(b.dataPointCount, 6);
  assert.deepEqual(MD('metric.name == "requests" and value_int > 100'), [1]);
  assert.deepEqual(MD('attributes["env"] == "dev"'), [0]);
  assert.deepEqual(MD('value_double == 21.5'), [2]);
  assert.deepEqual(MD('value_int == 0'), [2], 'a double point reads value_int 0, as pdata');
  assert.deepEqual(MD('value_int == nil'), [3, 4, 5], 'non-number points have no value');
  assert.deepEqual(MD('flags == FLAG_NO_RECORDED_VALUE'), [2]);
  assert.deepEqual(MD('count >= 3'), [3, 5]);
  assert.deepEqual(MD('sum == 4.5'), [3]);
  assert.deepEqual(MD('bucket_counts == [1, 2] and explicit_bounds == [1.0]'), [3]);
  assert.deepEqual(MD('scale == 3 and zero_count == 1 and positive.offset == -2 and positive.bucket_counts == [1]'), [4]);
  assert.deepEqual(MD('metric.type == METRIC_DATA_TYPE_SUMMARY'), [5]);
  assert.deepEqual(MD('time_unix_nano == 1700000000000000001'), [1]);
  assert.deepEqual(MD('datapoint.attributes["env"] == "dev" or metric.aggregation_temporality == AGGREGATION_TEMPORALITY_CUMULATIVE'), [0, 3]);
});

test('log context on a real LogBatch: severity, body (string and structured), ids, event_name', () => {
  const records = [
    { severityNumber: 5, severityText: 'DEBUG', body: str('cache miss'), attributes: [kv('user', str('ann'))] },
    { severityNumber: 13, severityText: 'WARN', body: str('password=hunter2'), traceId: hex(TID), spanId: hex(SID) },
    { severityNumber: 17, body: { kvlistValue: { values: [kv('msg', str('failed')), kv('code', int(42))] } }, eventName: 'app.error' },
    { body: int(7), flags: 1 },
    { severityNumber: 24, body: { arrayValue: { values: [str('x'), dbl(1.5)] } } },
  ].map((r, k) => ({ timeUnixNano: String(1700000000000000000n + BigInt(k)), observedTimeUnixNano: '1700000000900000000', ...r }));
  const b = LogBatch.decode(oracleEncodeLogs({ resourceLogs: [{ resource: { attributes: [kv('service.name', str('api'))] }, scopeLogs: [{ scope: { name: 'log' }, logRecords: records }] }] }));
  const M = (t: string) => matches(t, b, b.logRecordCount, 'log');
  assert.deepEqual(M('severity_number < SEVERITY_NUMBER_WARN'), [0, 3]);
  assert.deepEqual(M('severity_number >= SEVERITY_NUMBER_ERROR'), [2, 4]);
  assert.deepEqual(M('severity_number == SEVERITY_NUMBER_FATAL4'), [4]);
  assert.deepEqual(M('severity_text == "WARN"'), [1]);
  assert.deepEqual(M('IsMatch(body, ".*password.*")'), [1]);
  assert.deepEqual(M('IsMatch(body, "failed")'), [2], 'a map body is matched as its JSON text');
  assert.deepEqual(M('body.string == "{\\"code\\":42,\\"msg\\":\\"failed\\"}"'), [2], 'body.string is AsString: JSON with sorted keys');
  assert.deepEqual(M('body.string == "7"'), [3]);
  assert.deepEqual(M('log.body == 7'), [3]);
  assert.deepEqual(M('IsMap(body) and body["code"] == 42'), [2], 'and short-circuits: string bodies are not indexed');
  assert.deepEqual(M('IsList(body) and body[1] == 1.5'), [4]);
  assert.throws(() => compileCondition('body["x"] == 1', 'log').bind(b)(0), /log bodies of type Str cannot be indexed/);
  assert.deepEqual(M('attributes["user"] == "ann"'), [0]);
  assert.deepEqual(M(`trace_id.string == "${TID}" and span_id == SpanID(0x${SID})`), [1]);
  assert.deepEqual(M('span_id.string == "0000000000000000"'), [0, 2, 3, 4]);
  assert.deepEqual(M('event_name == "app.error"'), [2]);
  assert.deepEqual(M('flags == 1'), [3]);
  assert.deepEqual(M('time_unix_nano > 1700000000000000002 and observed_time_unix_nano == 1700000000900000000'), [3, 4]);
  assert.deepEqual(M('resource.attributes["service.name"] == "api" and instrumentation_scope.name == "log"'), [0, 1, 2, 3, 4]);
});

test('resource context and span events compile; span event paths read events of a span', () => {
  const b = traceBatch();
  assert.deepEqual(matches('attributes["service.name"] == "billing"', b, b.resourceCount, 'resource'), [1]);
  assert.deepEqual(matches('resource.attributes["env"] == "prod"', b, b.resourceCount, 'resource'), [0]);
  const ev = compileCondition('name == "exception" and attributes["exception.type"] == "Timeout" and span.name == "GET /api/orders"', 'spanevent').bind(b);
  assert.equal(ev(0, 0), true);
  assert.equal(compileCondition('time_unix_nano == 1700000000100000000', 'spanevent').bind(b)(0, 0), true);
});

test('context inference from path prefixes (trace_conditions style)', () => {
  assert.equal(inferContext('span.name == "x" and resource.attributes["a"] == "b"', 'traces'), 'span');
  assert.equal(inferContext('resource.attributes["a"] == "b"', 'traces'), 'resource');
  assert.equal(inferContext('instrumentation_scope.name == "x"', 'traces'), 'scope');
  assert.equal(inferContext('spanevent.name == "x" and span.name == "y"', 'traces'), 'spanevent');
  assert.equal(inferContext('metric.name == "x"', 'metrics'), 'metric');
  assert.equal(inferContext('metric.name == "x" and datapoint.value_int > 1', 'metrics'), 'datapoint');
  assert.equal(inferContext('log.severity_number < SEVERITY_NUMBER_WARN', 'logs'), 'log');
  assert.equal(inferContext('IsRootSpan()', 'traces'), 'span');
  assert.throws(() => inferContext('name == "x"', 'traces'), /missing context name for path "name"/);
  assert.throws(() => inferContext('log.body == "x"', 'traces'), /context "log" is not valid for traces conditions/);
  assert.throws(() => inferContext('true', 'logs'), /unable to infer a context/);
});
