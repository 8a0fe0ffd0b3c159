// OTLP/JSON ⇄ protobuf for logs: differential tests against the protobufjs oracle (bodies of every AnyValue
// type, severities, ids, event names, rendered as senders write OTLP/JSON), the published logs.json and
// events.json examples, bad inputs, and LogBatch → JSON (logBatchToJSON) including round trips through the
// real LogBatch.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { jsonToLogsRequest, logBatchToJSON } from '../../src/pdata/otlp-json-logs';
import { LogBatch } from '../../src/pdata/logs';
import { oracleDecodeLogs, oracleEncodeLogs } from '../oracle/otlp-oracle';
import { CORPUS_DIR } from '../helpers/paths';
import { mulberry32, randomLogsRequest, edgeCaseLogsRequests } from './random-logs';
import {
  type J, type VariantRules, chance, toFromObject, stripDefaults, serialize, toJsonText, jsonDouble, checkBadInputs, decodeErr,
  compareFieldByField, mutationFuzz,
} from './json/otlp-json-variants';
import { MAX_ANYVALUE_DEPTH } from '../../src/pdata/json/from-json';

// ---------------------------------------------------------------------------------------------------------
// Canonical requests: what the oracle decodes, minus defaults only protobufjs writes (set explicitly by the
// generators). Only AnyValue members have presence in logs (and the body message itself).

const noPresence = (): boolean => false;
function canonical(fromObject: J): J {
  return stripDefaults(oracleDecodeLogs(oracleEncodeLogs(fromObject)), noPresence) as J;
}

function requests(n: number, seedBase: number): J[] {
  const out = edgeCaseLogsRequests().map(([, o]) => canonical(o));
  for (let s = 1; s <= n; s++) out.push(canonical(randomLogsRequest(mulberry32(seedBase + s))));
  return out;
}

const SEVERITY_NAMES = ['SEVERITY_NUMBER_UNSPECIFIED'];
for (const level of ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']) {
  SEVERITY_NAMES.push(`SEVERITY_NUMBER_${level}`, `SEVERITY_NUMBER_${level}2`, `SEVERITY_NUMBER_${level}3`, `SEVERITY_NUMBER_${level}4`);
}

const RULES: VariantRules = {
  int64Keys: new Set(['timeUnixNano', 'observedTimeUnixNano', 'intValue']),
  int32Keys: new Set(['droppedAttributesCount', 'flags']),
  doubleKeys: new Set(['doubleValue']),
  enums: { severityNumber: SEVERITY_NAMES },
  defaults: [
    ['name', ''], ['version', null], ['droppedAttributesCount', 0], ['schemaUrl', null], ['attributes', []], ['severityText', ''],
    ['severityNumber', 'SEVERITY_NUMBER_UNSPECIFIED'], ['eventName', ''], ['traceId', ''], ['spanId', null], ['flags', 0],
    ['timeUnixNano', '0'], ['observedTimeUnixNano', 0], ['body', null], ['stringValue', null], ['entityRefs', []], ['logRecords', null],
  ],
};

const recordsOf = (bytes: Uint8Array): J[] => ((oracleDecodeLogs(bytes).resourceLogs as J[])[0].scopeLogs as J[])[0].logRecords as J[];
/** A request holding these records (serialize keeps -0 and exact number literals). */
const L = (...records: J[]): string => serialize({ resourceLogs: [{ scopeLogs: [{ logRecords: records }] }] }, false);

// ---------------------------------------------------------------------------------------------------------
// 1. Differential against the protobufjs oracle

test('generator sanity: canonical objects survive the oracle unchanged', () => {
  for (const c of requests(40, 100)) assert.deepStrictEqual(canonical(toFromObject(c) as J), c);
});

test('jsonToLogsRequest matches the protobufjs oracle on 300 random requests (every body type and field, sender variations)', () => {
  const counts: Record<string, number> = {};
  const bump = (k: string): void => {
    counts[k] = (counts[k] ?? 0) + 1;
  };
  requests(300, 7000).forEach((c, n) => {
    const r = mulberry32(n * 7919 + 3);
    const text = toJsonText(r, RULES, c);
    const want = oracleEncodeLogs(toFromObject(c) as J);
    const body = chance(r, 0.5) ? text : new Uint8Array(Buffer.from(text, 'utf8'));
    const got = jsonToLogsRequest(body);
    assert.deepStrictEqual(oracleDecodeLogs(got), c, `request ${n}: ${text.slice(0, 300)}`);
    assert.deepStrictEqual(Buffer.from(got), Buffer.from(want), `request ${n}: bytes differ`);
    for (const rl of (c.resourceLogs as J[] | undefined) ?? []) {
      if ((rl.resource as J | undefined)?.entityRefs) bump('entityRefs');
      for (const sl of (rl.scopeLogs as J[] | undefined) ?? []) {
        for (const rec of (sl.logRecords as J[] | undefined) ?? []) {
          bump('records');
          if (rec.body) bump(`body:${Object.keys(rec.body as J)[0] ?? 'empty'}`);
          for (const k of ['eventName', 'observedTimeUnixNano', 'traceId', 'spanId', 'flags', 'severityText']) if (k in rec) bump(k);
          if ((rec.severityNumber as number) < 0) bump('negative severity');
        }
      }
    }
  });
  for (const k of ['body:stringValue', 'body:intValue', 'body:doubleValue', 'body:boolValue', 'body:bytesValue', 'body:arrayValue', 'body:kvlistValue', 'body:empty',
    'eventName', 'observedTimeUnixNano', 'traceId', 'spanId', 'flags', 'severityText', 'negative severity', 'entityRefs']) {
    assert.ok((counts[k] ?? 0) >= 3, `generators covered ${k} only ${counts[k] ?? 0} times`);
  }
  assert.ok(counts.records > 1500, `only ${counts.records} records`);
});

test('ids: upper-, lower- and mixed-case hex give the same bytes; "" and null mean absent', () => {
  const lower = jsonToLogsRequest(L({ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174' }));
  const upper = jsonToLogsRequest(L({ traceId: '5B8EFFF798038103D269B633813FC60C', spanId: 'EEE19B7EC3C1B174' }));
  const mixed = jsonToLogsRequest(L({ trace_id: '5b8EFFf798038103D269b633813fc60C', span_id: 'eEe19b7ec3c1B174' }));
  assert.deepStrictEqual(Buffer.from(upper), Buffer.from(lower));
  assert.deepStrictEqual(Buffer.from(mixed), Buffer.from(lower));
  assert.deepStrictEqual(recordsOf(lower), [{ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174' }]);
  assert.deepStrictEqual(recordsOf(jsonToLogsRequest(L({ traceId: '', spanId: null }))), [{}]);
});

test('severity: SEVERITY_NUMBER_* names and numbers (unknown and negative numbers kept, proto3 enums are open)', () => {
  const recs = recordsOf(jsonToLogsRequest(L(
    { severityNumber: 'SEVERITY_NUMBER_INFO' }, { severityNumber: 'SEVERITY_NUMBER_WARN4' }, { severity_number: 'SEVERITY_NUMBER_FATAL4' },
    { severityNumber: 'SEVERITY_NUMBER_TRACE' }, { severityNumber: 10 }, { severityNumber: 100 }, { severityNumber: -1 },
    { severityNumber: 'SEVERITY_NUMBER_UNSPECIFIED', severityText: 'x' },
  )));
  assert.deepStrictEqual(recs.map((r) => r.severityNumber), [9, 16, 24, 1, 10, 100, -1, undefined]);
});

test('body: every AnyValue type; a present empty body is written, null is absent; exact int64, special doubles, base64 variants', () => {
  const text = `{"resourceLogs":[{"scopeLogs":[{"logRecords":[
    {"body":{"stringValue":"plain"}}, {"body":{"stringValue":""}}, {"body":{"intValue":9223372036854775807}},
    {"body":{"intValue":"-9223372036854775808"}}, {"body":{"int_value":-9007199254740993}}, {"body":{"doubleValue":"NaN"}},
    {"body":{"doubleValue":"-Infinity"}}, {"body":{"doubleValue":-0}}, {"body":{"double_value":"2.5e3"}}, {"body":{"boolValue":false}},
    {"body":{"bytesValue":"AP8B"}}, {"body":{"bytes_value":"-_8"}}, {"body":{"bytesValue":""}},
    {"body":{"arrayValue":{"values":[{"kvlistValue":{"values":[{"key":"x","value":{"arrayValue":{}}}]}},{}]}}},
    {"body":{"kvlistValue":{}}}, {"body":{}}, {"body":null}, {},
    {"body":{"stringValue":"first","intValue":"2"}}
  ]}]}]}`;
  const bodies = recordsOf(jsonToLogsRequest(text)).map((r) => r.body);
  assert.deepStrictEqual(bodies, [
    { stringValue: 'plain' }, { stringValue: '' }, { intValue: '9223372036854775807' },
    { intValue: '-9223372036854775808' }, { intValue: '-9007199254740993' }, { doubleValue: NaN },
    { doubleValue: -Infinity }, { doubleValue: -0 }, { doubleValue: 2500 }, { boolValue: false },
    { bytesValue: '00ff01' }, { bytesValue: 'fbff' }, { bytesValue: '' },
    { arrayValue: { values: [{ kvlistValue: { values: [{ key: 'x', value: { arrayValue: {} } }] } }, {}] } },
    { kvlistValue: {} }, {}, undefined, undefined,
    { intValue: '2' },
  ]);
});

test('snake_case keys and unknown fields are accepted; the result equals the lowerCamelCase one', () => {
  const camel = { resourceLogs: [{
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }], droppedAttributesCount: 1,
      entityRefs: [{ schemaUrl: 'https://opentelemetry.io/schemas/1.26.0', type: 'service', idKeys: ['service.name'], descriptionKeys: ['service.version'] }] },
    scopeLogs: [{
      scope: { name: 'lib', version: '1', attributes: [{ key: 's', value: { doubleValue: 1.5 } }], droppedAttributesCount: 2 },
      logRecords: [{
        timeUnixNano: '1544712660300000000', observedTimeUnixNano: '1544712660300000001', severityNumber: 17, severityText: 'ERROR',
        body: { kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }] } }, attributes: [{ key: 'a', value: { intValue: '-5' } }],
        droppedAttributesCount: 3, flags: 257, traceId: '0102030405060708090a0b0c0d0e0f10', spanId: '0102030405060708', eventName: 'app.crash',
      }],
      schemaUrl: 'u1',
    }],
    schemaUrl: 'u2',
  }] };
  const snakeText = JSON.stringify({ resource_logs: [{
    resource: { attributes: [{ key: 'service.name', value: { string_value: 'svc' } }], dropped_attributes_count: '1',
      entity_refs: [{ schema_url: 'https://opentelemetry.io/schemas/1.26.0', type: 'service', id_keys: ['service.name'], description_keys: ['service.version'] }] },
    scope_logs: [{
      scope: { name: 'lib', version: '1', attributes: [{ key: 's', value: { double_value: '1.5' } }], dropped_attributes_count: 2 },
      log_records: [{
        time_unix_nano: 1544712660300000000, observed_time_unix_nano: '1544712660300000001', severity_number: 'SEVERITY_NUMBER_ERROR', severity_text: 'ERROR',
        body: { kvlist_value: { values: [{ key: 'k', value: { bool_value: true } }] } }, attributes: [{ key: 'a', value: { int_value: -5 } }],
        dropped_attributes_count: 3, flags: '257', trace_id: '0102030405060708090A0B0C0D0E0F10', span_id: '0102030405060708', event_name: 'app.crash',
        body_v2: 'ignored',
      }],
      schema_url: 'u1',
    }],
    schema_url: 'u2',
    instrumentation_library_logs: [{ logs: [{ body: 'ignored' }] }],
  }], extra: 1 });
  const want = jsonToLogsRequest(JSON.stringify(camel));
  assert.deepStrictEqual(Buffer.from(jsonToLogsRequest(snakeText)), Buffer.from(want));
  assert.deepStrictEqual(Buffer.from(want), Buffer.from(oracleEncodeLogs(toFromObject(camel) as J)));
});

// ---------------------------------------------------------------------------------------------------------
// 2. The published examples (opentelemetry-proto examples/logs.json and events.json, in the shared corpus)

function readCorpus(name: string): string | undefined {
  const p = path.join(CORPUS_DIR, 'otlp-json', name);
  return fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined;
}
const corpusMissing = (name: string): string => `corpus file ${path.join(CORPUS_DIR, 'otlp-json', name)} is absent`;
const lowerIds = (text: string): string => text.replace(/"([0-9A-F]{16,32})"/g, (_m, h: string) => `"${h.toLowerCase()}"`);

test('corpus: opentelemetry-proto examples/logs.json converts field for field (uppercase ids)', (t) => {
  const text = readCorpus('logs.json');
  if (text === undefined) {
    t.skip(corpusMissing('logs.json'));
    return;
  }
  const bytes = jsonToLogsRequest(text);
  const d = oracleDecodeLogs(bytes);
  compareFieldByField(JSON.parse(text), d, 'request', () => false);
  const rec = recordsOf(bytes)[0];
  assert.equal(rec.traceId, '5b8efff798038103d269b633813fc60c');
  assert.equal(rec.spanId, 'eee19b7ec3c1b174');
  assert.equal(rec.severityNumber, 10);
  assert.equal(rec.observedTimeUnixNano, '1544712660300000000');
  assert.deepStrictEqual(rec.body, { stringValue: 'Example log record' });
  assert.equal((rec.attributes as J[]).length, 6);
  assert.deepStrictEqual(Buffer.from(bytes), Buffer.from(oracleEncodeLogs(toFromObject(JSON.parse(lowerIds(text))) as J)));
});

test('corpus: opentelemetry-proto examples/events.json keeps eventName and its kvlist body', (t) => {
  const text = readCorpus('events.json');
  if (text === undefined) {
    t.skip(corpusMissing('events.json'));
    return;
  }
  const bytes = jsonToLogsRequest(text);
  // "intValue": "0" inside the body is an AnyValue member: present, so it is compared like any other field.
  compareFieldByField(JSON.parse(text), oracleDecodeLogs(bytes), 'request', (k) => k === 'intValue');
  const rec = recordsOf(bytes)[0];
  assert.equal(rec.eventName, 'browser.page_view');
  assert.equal(rec.severityNumber, 9);
  assert.deepStrictEqual(((rec.body as J).kvlistValue as J).values, [
    { key: 'type', value: { intValue: '0' } },
    { key: 'url', value: { stringValue: 'https://www.guidgenerator.com/online-guid-generator.aspx' } },
    { key: 'referrer', value: { stringValue: 'https://wwww.google.com' } },
    { key: 'title', value: { stringValue: 'Free Online GUID Generator' } },
  ]);
  assert.deepStrictEqual(Buffer.from(bytes), Buffer.from(oracleEncodeLogs(JSON.parse(text) as J)));
});

test('corpus: the traces and metrics examples hold no logs: an empty request', (t) => {
  const present = ['trace.json', 'metrics.json'].filter((n) => readCorpus(n) !== undefined);
  if (present.length === 0) {
    t.skip(`corpus directory ${path.join(CORPUS_DIR, 'otlp-json')} is absent`);
    return;
  }
  for (const n of present) assert.equal(jsonToLogsRequest(readCorpus(n)!).length, 0, n);
});

// ---------------------------------------------------------------------------------------------------------
// 3. Bad inputs: DecodeError naming the path, never another exception

const REC0 = 'resourceLogs[0].scopeLogs[0].logRecords[0]';
const B0 = `${REC0}.body`;

const BAD: Array<[string, string | Uint8Array, string | RegExp]> = [
  ['not JSON', '{"resourceLogs":[', /invalid JSON/],
  ['invalid JSON as bytes', new Uint8Array(Buffer.from('{"resourceLogs":}')), /invalid JSON/],
  ['top-level null', 'null', /expected a JSON object, got null/],
  ['resourceLogs not an array', '{"resourceLogs":"x"}', 'resourceLogs: expected an array, got the string "x"'],
  ['scope_logs element', '{"resourceLogs":[{"scope_logs":[7]}]}', 'resourceLogs[0].scopeLogs[0]: expected an object, got the number 7'],
  ['logRecords not an array', '{"resourceLogs":[{"scopeLogs":[{"logRecords":{}}]}]}', 'resourceLogs[0].scopeLogs[0].logRecords: expected an array'],
  ['record null', '{"resourceLogs":[{"scopeLogs":[{"log_records":[{}, null]}]}]}', 'resourceLogs[0].scopeLogs[0].logRecords[1]: expected an object, got null'],
  ['severity name without prefix', L({ severityNumber: 'INFO' }), `${REC0}.severityNumber: unknown enum name "INFO"`],
  ['severity fraction', L({ severityNumber: 9.5 }), `${REC0}.severityNumber: expected an enum number`],
  ['severity too big', L({ severityNumber: 2 ** 31 }), `${REC0}.severityNumber: expected an enum number`],
  ['severityText number', L({ severityText: 3 }), `${REC0}.severityText: expected a string, got the number 3`],
  ['traceId length', L({ traceId: '5b8efff798038103d269b633813fc60' }), `${REC0}.traceId: expected 32 hex characters, got 31`],
  ['traceId base64 (std protobuf JSON, not OTLP)', L({ traceId: 'W47/95gDgQPSabYzgT/GDA==' }), `${REC0}.traceId: expected 32 hex characters`],
  ['span_id hex (snake_case reported in camelCase)', L({ span_id: 'eee19b7ec3c1b17x' }), `${REC0}.spanId: invalid hex character "x" at 15`],
  ['spanId number', L({ spanId: 1 }), `${REC0}.spanId: expected a hex string`],
  ['time negative', L({ timeUnixNano: '-5' }), `${REC0}.timeUnixNano: -5 is out of range for an unsigned 64-bit integer`],
  ['observed time ≥ 2^64', L({ observedTimeUnixNano: '18446744073709551616' }), `${REC0}.observedTimeUnixNano: 18446744073709551616 is out of range`],
  ['observed time fraction', L({ observed_time_unix_nano: 1.5 }), `${REC0}.observedTimeUnixNano: expected an integer`],
  ['flags ≥ 2^32', L({ flags: 2 ** 32 }), `${REC0}.flags: expected an unsigned 32-bit integer`],
  ['dropped negative', L({ droppedAttributesCount: -1 }), `${REC0}.droppedAttributesCount: expected an unsigned 32-bit integer`],
  ['eventName number', L({ eventName: 5 }), `${REC0}.eventName: expected a string, got the number 5`],
  ['body a string', L({ body: 'hello' }), `${B0}: expected an object, got the string "hello"`],
  ['body stringValue number', L({ body: { stringValue: 1 } }), `${B0}.stringValue: expected a string`],
  ['body intValue > int64', L({ body: { intValue: '9223372036854775808' } }), `${B0}.intValue: 9223372036854775808 is out of range for a signed 64-bit integer`],
  ['body bytes', L({ body: { bytesValue: 'a' } }), `${B0}.bytesValue: expected base64`],
  ['body nested', L({ body: { kvlistValue: { values: [{ key: 'a', value: { arrayValue: { values: [{}, { doubleValue: 'x' }] } } }] } } }),
    `${B0}.kvlistValue.values[0].value.arrayValue.values[1].doubleValue: expected a number`],
  ['attributes value', L({ attributes: [{ key: 'k', value: { boolValue: 'yes' } }] }), `${REC0}.attributes[0].value.boolValue: expected true or false`],
  ['resource dropped', '{"resourceLogs":[{"resource":{"droppedAttributesCount":"x"}}]}', 'resourceLogs[0].resource.droppedAttributesCount: expected an unsigned 32-bit integer'],
  ['scope not an object', '{"resourceLogs":[{"scopeLogs":[{"scope":"lib"}]}]}', 'resourceLogs[0].scopeLogs[0].scope: expected an object, got the string "lib"'],
];

test('bad inputs give DecodeError with the JSON path of the bad value', () => {
  checkBadInputs(jsonToLogsRequest, BAD);
  decodeErr(() => jsonToLogsRequest({} as unknown as string));
});

test('bad inputs: a body nested deeper than the limit is a DecodeError; within the limit it converts', () => {
  let v = '{"intValue":"1"}';
  for (let k = 0; k < MAX_ANYVALUE_DEPTH + 5; k++) v = `{"kvlistValue":{"values":[{"key":"k","value":${v}}]}}`;
  const e = decodeErr(() => jsonToLogsRequest(L({ body: JSON.parse(v) })));
  assert.match(e.message, /nested deeper than/);
  let ok = '{"intValue":"1"}';
  for (let k = 0; k < MAX_ANYVALUE_DEPTH - 1; k++) ok = `{"arrayValue":{"values":[${ok}]}}`;
  assert.ok(jsonToLogsRequest(L({ body: JSON.parse(ok) })).length > MAX_ANYVALUE_DEPTH);
});

test('mutated valid requests either convert or throw DecodeError, never anything else', () => {
  const r = mulberry32(4244);
  let k = 0;
  const { converted, rejected } = mutationFuzz(r, () => toJsonText(r, RULES, canonical(randomLogsRequest(mulberry32(900 + (k++ % 60))))), jsonToLogsRequest, 300);
  assert.ok(rejected > 50 && converted > 10, `rejected ${rejected}, converted ${converted}`);
});

// ---------------------------------------------------------------------------------------------------------
// 4. LogBatch → JSON

function anyOut(v: J): J {
  if ('bytesValue' in v) return { bytesValue: Buffer.from(v.bytesValue as string, 'hex').toString('base64') };
  if ('doubleValue' in v) return { doubleValue: jsonDouble(v.doubleValue as number) };
  if ('arrayValue' in v) {
    const vals = ((v.arrayValue as J).values as J[] | undefined) ?? [];
    return { arrayValue: vals.length ? { values: vals.map(anyOut) } : {} };
  }
  if ('kvlistValue' in v) {
    const vals = ((v.kvlistValue as J).values as J[] | undefined) ?? [];
    return { kvlistValue: vals.length ? { values: vals.map(kvOut) } : {} };
  }
  return { ...v };
}
const kvOut = (kv: J): J => ({ key: (kv.key as string | undefined) ?? '', value: anyOut((kv.value as J | undefined) ?? {}) });

/** The OTLP/JSON logBatchToJSON should print for a canonical request (defaults, empty bodies, empty resource/scope omitted). */
function expectedOutput(c: J): J {
  const map = (v: unknown, key: string): unknown => {
    if (key === 'attributes') return (v as J[]).map(kvOut);
    if (key === 'body') return anyOut(v as J);
    if (Array.isArray(v)) return v.map((x) => map(x, key));
    if (v && typeof v === 'object') {
      const out: J = {};
      for (const [k, x] of Object.entries(v as J)) {
        if (k === 'entityRefs') continue; // not exposed by the batch accessors
        const y = map(x, k);
        if ((k === 'resource' || k === 'scope' || k === 'body') && Object.keys(y as J).length === 0) continue;
        out[k] = y;
      }
      return out;
    }
    return v;
  };
  const out = map(c, '') as J;
  return { resourceLogs: out.resourceLogs ?? [] };
}

test('logBatchToJSON prints what the batch holds (200 random requests through the real LogBatch), and it converts back', () => {
  for (const c of requests(200, 31000)) {
    const text = logBatchToJSON(LogBatch.decode(oracleEncodeLogs(toFromObject(c) as J)));
    assert.deepStrictEqual(JSON.parse(text), expectedOutput(c));
    assert.deepStrictEqual(oracleDecodeLogs(jsonToLogsRequest(text)), oracleDecodeLogs(jsonToLogsRequest(serialize(expectedOutput(c), false))));
  }
  assert.equal(logBatchToJSON(LogBatch.empty()), '{"resourceLogs":[]}');
});

test('logBatchToJSON output format: lowercase hex, times as strings, severity as an integer, special doubles as strings', () => {
  const b = LogBatch.decode(oracleEncodeLogs({ resourceLogs: [{
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
    scopeLogs: [{ scope: { name: 'lib' }, logRecords: [
      { timeUnixNano: '18446744073709551615', observedTimeUnixNano: '1', severityNumber: 17, severityText: 'ERROR', body: { doubleValue: NaN },
        traceId: Buffer.from('5B8EFFF798038103D269B633813FC60C', 'hex'), spanId: Buffer.from('eee19b7ec3c1b174', 'hex'), flags: 257, eventName: 'ev',
        attributes: [{ key: 'i', value: { intValue: '-9223372036854775808' } }, { key: 'b', value: { bytesValue: Buffer.from([0xfb, 0xff]) } }] },
      { body: { stringValue: '' }, severityNumber: -1 },
      { body: {} },
    ] }],
  }] }));
  const text = logBatchToJSON(b);
  assert.equal(text, '{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeLogs":[{"scope":{"name":"lib"},"logRecords":['
    + '{"timeUnixNano":"18446744073709551615","observedTimeUnixNano":"1","severityNumber":17,"severityText":"ERROR","body":{"doubleValue":"NaN"},'
    + '"attributes":[{"key":"i","value":{"intValue":"-9223372036854775808"}},{"key":"b","value":{"bytesValue":"+/8="}}],'
    + '"flags":257,"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","eventName":"ev"},'
    + '{"severityNumber":-1,"body":{"stringValue":""}},{}]}]}]}');
  assert.equal(b.toJSON(), text);
});

test('round trip: OTLP/JSON (sender variations) → jsonToLogsRequest → LogBatch.decode → logBatchToJSON equals the normalized input', () => {
  requests(120, 52000).forEach((c, n) => {
    const r = mulberry32(n * 101 + 5);
    const batch = LogBatch.decode(jsonToLogsRequest(toJsonText(r, RULES, c)));
    assert.deepStrictEqual(JSON.parse(logBatchToJSON(batch)), expectedOutput(c), `request ${n}`);
  });
});

test('round trip through LogBatch: corpus logs.json and events.json come back as the files (id case aside)', (t) => {
  const names = ['logs.json', 'events.json'].filter((n) => readCorpus(n) !== undefined);
  if (names.length === 0) {
    t.skip(corpusMissing('logs.json') + ', ' + corpusMissing('events.json'));
    return;
  }
  for (const n of names) {
    const text = readCorpus(n)!;
    const batch = LogBatch.fromJSON(text);
    assert.deepStrictEqual(JSON.parse(logBatchToJSON(batch)), JSON.parse(lowerIds(text)), n);
    if (n === 'events.json') assert.equal(batch.eventName(0), 'browser.page_view');
  }
});
