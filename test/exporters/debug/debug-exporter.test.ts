import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { debugExporterFactory } from '../../../src/exporters/debug/factory';
import { formatTimestamp, valueAsString } from '../../../src/exporters/debug/text-marshaler';
import { parseOrThrow } from '../../../src/config/schema';
import { ConfigError } from '../../../src/errors';
import { TraceBatch } from '../../../src/pdata/traces';
import { testHost, testSettings } from '../../../src/component/testing';
import { richRequestBytes } from '../fixtures';
import { capturingLogger, type LogRecord } from '../util';

// Expected output, written after the Go debugexporter's marshalers (internal/normal, internal/otlptext):
// Go time.Time.String() timestamps, pcommon Value.AsString() values, `Type(value)` in the detailed dump.
const NORMAL = [
  'ResourceTraces #0 [https://opentelemetry.io/schemas/1.21.0] service.name=checkout host.cpu=8',
  'ScopeTraces #0 io.opentelemetry.http@1.2.3 [https://opentelemetry.io/schemas/1.20.0] lib=true',
  'GET /api/cart 5b8efff798038103d269b633813fc60c eee19b7ec3c1b174 http.method=GET http.status_code=200 ratio=0.25 ok=false raw=aGkgdGhlcmU= list=["a",2] map={"a":1.5,"z":"last"}',
  'db query 5b8efff798038103d269b633813fc60c eee19b7ec3c1b175',
  'ScopeTraces #1 empty-scope',
  'ResourceTraces #1 service.name=payments',
  'ScopeTraces #0 manual',
  'charge aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbb amount=12.5',
].join('\n');

const DETAILED = [
  'ResourceSpans #0',
  'Resource SchemaURL: https://opentelemetry.io/schemas/1.21.0',
  'Resource attributes:',
  '     -> service.name: Str(checkout)',
  '     -> host.cpu: Int(8)',
  'ScopeSpans #0',
  'ScopeSpans SchemaURL: https://opentelemetry.io/schemas/1.20.0',
  'InstrumentationScope io.opentelemetry.http 1.2.3',
  'InstrumentationScope attributes:',
  '     -> lib: Bool(true)',
  'Span #0',
  '    Trace ID       : 5b8efff798038103d269b633813fc60c',
  '    Parent ID      : eee19b7ec3c1b173',
  '    ID             : eee19b7ec3c1b174',
  '    Name           : GET /api/cart',
  '    Kind           : Server',
  '    TraceState     : vendor=x',
  '    Start time     : 2018-12-13 14:51:00 +0000 UTC',
  '    End time       : 2018-12-13 14:51:01.000000789 +0000 UTC',
  '    Status code    : Error',
  '    Status message : upstream failed',
  '    DroppedAttributesCount: 2',
  '    DroppedEventsCount: 3',
  '    DroppedLinksCount: 4',
  'Attributes:',
  '     -> http.method: Str(GET)',
  '     -> http.status_code: Int(200)',
  '     -> ratio: Double(0.25)',
  '     -> ok: Bool(false)',
  '     -> raw: Bytes(aGkgdGhlcmU=)',
  '     -> list: Slice(["a",2])',
  '     -> map: Map({"a":1.5,"z":"last"})',
  'Events:',
  'SpanEvent #0',
  '     -> Name: cache miss',
  '     -> Timestamp: 2018-12-13 14:51:00.5 +0000 UTC',
  '     -> DroppedAttributesCount: 0',
  '     -> Attributes::',
  '          -> key: Str(cart:42)',
  'Links:',
  'SpanLink #0',
  '     -> Trace ID: 0102030405060708090a0b0c0d0e0f10',
  '     -> ID: 1112131415161718',
  '     -> TraceState: k=v',
  '     -> DroppedAttributesCount: 0',
  '     -> Attributes::',
  '          -> link.kind: Str(follows)',
  'Span #1',
  '    Trace ID       : 5b8efff798038103d269b633813fc60c',
  '    Parent ID      : ',
  '    ID             : eee19b7ec3c1b175',
  '    Name           : db query',
  '    Kind           : Client',
  '    Start time     : 2018-12-13 14:51:00.1 +0000 UTC',
  '    End time       : 2018-12-13 14:51:00.2 +0000 UTC',
  '    Status code    : Ok',
  '    Status message : ',
  '    DroppedAttributesCount: 0',
  '    DroppedEventsCount: 0',
  '    DroppedLinksCount: 0',
  'ScopeSpans #1',
  'ScopeSpans SchemaURL: ',
  'InstrumentationScope empty-scope ',
  'ResourceSpans #1',
  'Resource SchemaURL: ',
  'Resource attributes:',
  '     -> service.name: Str(payments)',
  'ScopeSpans #0',
  'ScopeSpans SchemaURL: ',
  'InstrumentationScope manual ',
  'Span #0',
  '    Trace ID       : aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  '    Parent ID      : ',
  '    ID             : bbbbbbbbbbbbbbbb',
  '    Name           : charge',
  '    Kind           : Internal',
  '    Start time     : 2023-11-14 22:13:20 +0000 UTC',
  '    End time       : 2023-11-14 22:13:20.123 +0000 UTC',
  '    Status code    : Unset',
  '    Status message : ',
  '    DroppedAttributesCount: 0',
  '    DroppedEventsCount: 0',
  '    DroppedLinksCount: 0',
  'Attributes:',
  '     -> amount: Double(12.5)',
].join('\n');

async function run(raw: Record<string, unknown>) {
  const logs: LogRecord[] = [];
  const set = { ...testSettings('debug', 'exporter'), logger: capturingLogger(logs) };
  const cfg = parseOrThrow(debugExporterFactory.configSchema, raw, 'exporters.debug');
  const exp = debugExporterFactory.createTraces!(set, cfg);
  await exp.start(testHost());
  await exp.consumeTraces(TraceBatch.decode(richRequestBytes()));
  await exp.shutdown();
  return logs;
}

test('debug config: Go defaults; verbosity is case-insensitive; bad combinations rejected with paths', () => {
  const c = parseOrThrow(debugExporterFactory.configSchema, null, 'exporters.debug');
  assert.equal(c.verbosity, 'basic');
  assert.equal(c.sampling_initial, 2);
  assert.equal(c.sampling_thereafter, 1);
  assert.equal(c.use_internal_logger, true);
  assert.equal(c.sending_queue.enabled, false);
  assert.equal(parseOrThrow(debugExporterFactory.configSchema, { verbosity: 'Detailed' }, 'exporters.debug').verbosity, 'detailed');
  const issues = (raw: unknown) => {
    try {
      parseOrThrow(debugExporterFactory.configSchema, raw, 'exporters.debug');
      return [];
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      return e.issues.map((i) => `${i.path}: ${i.message}`);
    }
  };
  assert.deepEqual(issues({ verbosity: 'none' }), ['exporters.debug.verbosity: verbosity level "None" is not supported']);
  assert.deepEqual(issues({ output_paths: ['stdout'] }), ['exporters.debug.output_paths: output_paths is not supported when use_internal_logger is true']);
  assert.deepEqual(issues({ use_internal_logger: false, output_paths: [] }), [
    'exporters.debug.output_paths: output_paths must not be empty when use_internal_logger is false',
  ]);
});

test('debug basic: one "Traces" record per batch with resource spans and spans counts', async () => {
  const logs = await run({});
  assert.deepEqual(logs, [{ level: 'info', msg: 'Traces', fields: { 'resource spans': 2, spans: 3 } }]);
});

test('debug normal: one line per span, as the Go normal marshaler', async () => {
  const logs = await run({ verbosity: 'normal' });
  assert.equal(logs.length, 2);
  assert.equal(logs[0]!.msg, 'Traces');
  assert.equal(logs[1]!.level, 'info');
  assert.equal(logs[1]!.msg, NORMAL);
});

test('debug detailed: the full dump, as the Go otlptext marshaler', async () => {
  const logs = await run({ verbosity: 'detailed' });
  assert.equal(logs.length, 2);
  assert.equal(logs[1]!.msg, DETAILED);
});

test('debug sampling: sampling_initial records per second, then every sampling_thereafter-th', async () => {
  const logs: LogRecord[] = [];
  const set = { ...testSettings('debug', 'exporter'), logger: capturingLogger(logs) };
  const cfg = parseOrThrow(debugExporterFactory.configSchema, { sampling_initial: 2, sampling_thereafter: 3 }, 'exporters.debug');
  const exp = debugExporterFactory.createTraces!(set, cfg);
  await exp.start(testHost());
  const batch = TraceBatch.decode(richRequestBytes());
  for (let i = 0; i < 8; i++) await exp.consumeTraces(batch); // well within one second
  await exp.shutdown();
  assert.equal(logs.length, 4); // records 1, 2, 5, 8
});

test('debug use_internal_logger false: zap console lines to output_paths', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otelcol-ts-debug-'));
  const file = path.join(dir, 'out.log');
  try {
    const set = testSettings('debug', 'exporter');
    const cfg = parseOrThrow(debugExporterFactory.configSchema, { verbosity: 'normal', use_internal_logger: false, output_paths: [file] }, 'exporters.debug');
    const exp = debugExporterFactory.createTraces!(set, cfg);
    await exp.start(testHost());
    await exp.consumeTraces(TraceBatch.decode(richRequestBytes()));
    await exp.shutdown();
    assert.equal(fs.readFileSync(file, 'utf8'), `Traces\t{"resource spans": 2, "spans": 3}\n${NORMAL}\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('debug helpers: Go timestamp and value formatting', () => {
  assert.equal(formatTimestamp(0n), '1970-01-01 00:00:00 +0000 UTC');
  assert.equal(formatTimestamp(1581452773000000789n), '2020-02-11 20:26:13.000000789 +0000 UTC');
  assert.equal(formatTimestamp(1581452773120000000n), '2020-02-11 20:26:13.12 +0000 UTC');
  assert.equal(valueAsString({ doubleValue: 1e21 }), '1e+21');
  assert.equal(valueAsString({ doubleValue: 1e-7 }), '1e-7');
  assert.equal(valueAsString({ doubleValue: NaN }), 'NaN');
  assert.equal(valueAsString({ intValue: -9007199254740993n }), '-9007199254740993');
  assert.equal(valueAsString({}), '');
  assert.equal(valueAsString({ kvlistValue: [['b', { arrayValue: [{}, { boolValue: true }] }], ['a', { bytesValue: new Uint8Array([1, 2]) }]] }), '{"a":"AQI=","b":[null,true]}');
});
