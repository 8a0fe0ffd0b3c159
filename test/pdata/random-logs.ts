// Seeded random ExportLogsServiceRequest objects (protobufjs fromObject form: ids/bytes as Buffer, 64-bit
// integers as decimal strings) covering every field of the current logs proto: bodies of every AnyValue type
// (string, int, double incl. NaN/±Infinity/-0, bool, bytes, nested arrays/kvlists, empty, absent), every
// severity (and out-of-range / negative enum values), severity text, event_name, flags, trace/span ids
// present/absent/empty, unicode, present default values.
// Also: the accessor -> canonical-object converter used to compare LogBatch with the protobufjs oracle.
//
// Usage: const rng = mulberry32(seed); const obj = randomLogsRequest(rng); const bytes = oracleEncodeLogs(obj);

import type { LogBatch } from '../../src/pdata/logs';
import type { Attributes } from '../../src/pdata/traces';
import { mulberry32, randomAnyValue, randomString, normalize, canonicalValue, type Rng } from './random-traces';

export { mulberry32, randomAnyValue, randomString, normalize, canonicalValue, type Rng };

const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
const chance = (rng: Rng, p: number): boolean => rng() < p;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[int(rng, xs.length)];

function randomBytes(rng: Rng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let k = 0; k < n; k++) b[k] = int(rng, 256);
  return b;
}

function randomU64(rng: Rng): string {
  if (chance(rng, 0.2)) return pick(rng, ['0', '1', '18446744073709551615', '1700000000000000000', '4294967296']);
  return (1700000000000000000n + BigInt(int(rng, 2 ** 31)) * BigInt(int(rng, 2 ** 20))).toString();
}

function randomAttributes(rng: Rng, max: number): Array<Record<string, unknown>> {
  const n = int(rng, max + 1);
  const out = [];
  for (let k = 0; k < n; k++) {
    const kv: Record<string, unknown> = { key: chance(rng, 0.7) ? `attr.${k}.${int(rng, 5)}` : randomString(rng) };
    if (!chance(rng, 0.05)) kv.value = randomAnyValue(rng);
    out.push(kv);
  }
  return out;
}

function maybe(rng: Rng, obj: Record<string, unknown>, key: string, gen: () => unknown, p = 0.7): void {
  if (chance(rng, p)) obj[key] = gen();
}

function randomId(rng: Rng, n: number): Buffer {
  return chance(rng, 0.05) ? Buffer.alloc(0) : randomBytes(rng, n);
}

const SEVERITY_TEXTS = ['', 'INFO', 'WARN', 'ERROR', 'debug', 'Информация', 'FATAL 💥'];
const LOG_LINES = [
  'GET /api/v1/users/42 200 12ms', '', 'connection reset by peer', 'héllo wörld', '日本語のログ', '😀 emoji 🚀',
  'x'.repeat(300), 'multi\nline\tmessage', '{"level":"info","msg":"json in a string"}',
];

/** A random body (oracle fromObject form), biased to strings like real logs but covering every type. */
export function randomBody(rng: Rng): Record<string, unknown> {
  if (chance(rng, 0.4)) return { stringValue: chance(rng, 0.6) ? pick(rng, LOG_LINES) : randomString(rng) };
  return randomAnyValue(rng);
}

export function randomLogRecord(rng: Rng, maxAttrs = 6): Record<string, unknown> {
  const l: Record<string, unknown> = {};
  maybe(rng, l, 'timeUnixNano', () => randomU64(rng), 0.8);
  maybe(rng, l, 'observedTimeUnixNano', () => randomU64(rng), 0.8);
  maybe(rng, l, 'severityNumber', () => (chance(rng, 0.9) ? int(rng, 25) : pick(rng, [25, 100, -1])), 0.8);
  maybe(rng, l, 'severityText', () => pick(rng, SEVERITY_TEXTS), 0.6);
  maybe(rng, l, 'body', () => randomBody(rng), 0.9);
  l.attributes = randomAttributes(rng, maxAttrs);
  maybe(rng, l, 'droppedAttributesCount', () => pick(rng, [0, 1, 7, 0xffffffff]), 0.2);
  maybe(rng, l, 'flags', () => pick(rng, [0, 1, 0x101, 0xff, 0xffffffff]), 0.5);
  maybe(rng, l, 'traceId', () => randomId(rng, 16), 0.6);
  maybe(rng, l, 'spanId', () => randomId(rng, 8), 0.6);
  maybe(rng, l, 'eventName', () => pick(rng, ['', 'browser.page_view', 'app.exception', 'événement']), 0.3);
  return l;
}

export interface RandomLogsOptions {
  maxResources?: number;
  maxScopes?: number;
  maxRecords?: number;
  maxAttrs?: number;
}

/** A random ExportLogsServiceRequest in protobufjs fromObject form. */
export function randomLogsRequest(rng: Rng, o: RandomLogsOptions = {}): Record<string, unknown> {
  const resourceLogs = [];
  const nr = int(rng, (o.maxResources ?? 3) + 1);
  for (let r = 0; r < nr; r++) {
    const rl: Record<string, unknown> = {};
    if (chance(rng, 0.9)) {
      const res: Record<string, unknown> = { attributes: randomAttributes(rng, 5) };
      maybe(rng, res, 'droppedAttributesCount', () => int(rng, 4), 0.2);
      if (chance(rng, 0.15)) {
        res.entityRefs = [{ schemaUrl: 'https://opentelemetry.io/schemas/1.26.0', type: 'service', idKeys: ['service.name'], descriptionKeys: ['service.version'] }];
      }
      rl.resource = res;
    }
    const scopeLogs = [];
    const ns = int(rng, (o.maxScopes ?? 3) + 1);
    for (let s = 0; s < ns; s++) {
      const sl: Record<string, unknown> = {};
      if (chance(rng, 0.85)) {
        const sc: Record<string, unknown> = {};
        maybe(rng, sc, 'name', () => randomString(rng), 0.9);
        maybe(rng, sc, 'version', () => pick(rng, ['', '1.2.3', '0.52.1']), 0.6);
        sc.attributes = randomAttributes(rng, 2);
        maybe(rng, sc, 'droppedAttributesCount', () => int(rng, 3), 0.2);
        sl.scope = sc;
      }
      const n = int(rng, (o.maxRecords ?? 6) + 1);
      const logRecords = [];
      for (let i = 0; i < n; i++) logRecords.push(randomLogRecord(rng, o.maxAttrs ?? 6));
      sl.logRecords = logRecords;
      maybe(rng, sl, 'schemaUrl', () => pick(rng, ['', 'https://opentelemetry.io/schemas/1.21.0']), 0.3);
      scopeLogs.push(sl);
    }
    rl.scopeLogs = scopeLogs;
    maybe(rng, rl, 'schemaUrl', () => pick(rng, ['', 'https://opentelemetry.io/schemas/1.24.0']), 0.3);
    resourceLogs.push(rl);
  }
  return { resourceLogs };
}

/** A realistic request for benchmarks: `records` records with `attrs` string/int attributes and a string body. */
export function benchLogsRequest(records: number, attrs: number): Record<string, unknown> {
  const rng = mulberry32(12345);
  const logRecords = [];
  for (let i = 0; i < records; i++) {
    const attributes = [];
    for (let k = 0; k < attrs; k++) {
      attributes.push(k % 3 === 2
        ? { key: `attr.number.${k}`, value: { intValue: String(int(rng, 100000)) } }
        : { key: `attr.key.${k}`, value: { stringValue: `value-${int(rng, 1000)}-${'v'.repeat(int(rng, 12))}` } });
    }
    logRecords.push({
      timeUnixNano: randomU64(rng), observedTimeUnixNano: randomU64(rng), severityNumber: 9, severityText: 'INFO',
      body: { stringValue: `request ${i} handled in ${int(rng, 500)}ms for user ${int(rng, 1e6)}` },
      attributes, flags: 1, traceId: randomBytes(rng, 16), spanId: randomBytes(rng, 8),
    });
  }
  return {
    resourceLogs: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }, { key: 'host.name', value: { stringValue: 'node-1' } }] },
      scopeLogs: [{ scope: { name: 'app.logger', version: '1.0.0' }, logRecords }],
    }],
  };
}

/** Hand-written edge cases (protobufjs fromObject form). */
export function edgeCaseLogsRequests(): Array<[string, Record<string, unknown>]> {
  const tid = Buffer.alloc(16, 0xab);
  const sid = Buffer.alloc(8, 0xcd);
  return [
    ['empty request', {}],
    ['resource without scope logs', { resourceLogs: [{ resource: { attributes: [{ key: 'a', value: { stringValue: 'b' } }] } }] }],
    ['empty resource logs', { resourceLogs: [{}] }],
    ['scope without records', { resourceLogs: [{ scopeLogs: [{ scope: { name: 's' } }, {}] }] }],
    ['empty record', { resourceLogs: [{ scopeLogs: [{ logRecords: [{}] }] }] }],
    ['present default values', {
      resourceLogs: [{
        resource: { droppedAttributesCount: 0 },
        scopeLogs: [{
          scope: { name: '', version: '', droppedAttributesCount: 0 },
          logRecords: [{
            timeUnixNano: '0', observedTimeUnixNano: '0', severityNumber: 0, severityText: '', body: {},
            attributes: [{ key: '', value: { stringValue: '' } }, { key: 'i', value: { intValue: '0' } }, { key: 'b', value: { boolValue: false } }, { key: 'e', value: {} }, { key: 'novalue' }],
            droppedAttributesCount: 0, flags: 0, traceId: Buffer.alloc(0), spanId: Buffer.alloc(0), eventName: '',
          }],
          schemaUrl: '',
        }],
        schemaUrl: '',
      }],
    }],
    ['bodies of every type', {
      resourceLogs: [{ scopeLogs: [{ logRecords: [
        { body: { stringValue: 'plain' } },
        { body: { stringValue: '' } },
        { body: { intValue: '9223372036854775807' } },
        { body: { intValue: '-9223372036854775808' } },
        { body: { doubleValue: NaN } },
        { body: { doubleValue: Infinity } },
        { body: { doubleValue: -Infinity } },
        { body: { doubleValue: -0 } },
        { body: { boolValue: true } },
        { body: { boolValue: false } },
        { body: { bytesValue: Buffer.from([0, 255, 1]) } },
        { body: { arrayValue: { values: [{ kvlistValue: { values: [{ key: 'x', value: { arrayValue: { values: [{}, { intValue: '-1' }] } } }] } }, { arrayValue: {} }] } } },
        { body: { kvlistValue: { values: [{ key: 'level', value: { stringValue: 'info' } }, { key: 'n', value: { doubleValue: 1.5 } }, { key: 'empty' }] } } },
        { body: { kvlistValue: {} } },
        { body: {} },
        {},
      ] }] }],
    }],
    ['ids, flags, severities, event name', {
      resourceLogs: [{ scopeLogs: [{ logRecords: [
        { traceId: tid, spanId: sid, flags: 0x01, severityNumber: 24, severityText: 'FATAL4', eventName: 'app.crash', timeUnixNano: '18446744073709551615', observedTimeUnixNano: '1' },
        { traceId: tid, flags: 0xffffffff, severityNumber: -1 },
        { spanId: sid, severityNumber: 100, eventName: 'ünïcode 事件' },
      ] }] }],
    }],
  ];
}

// ---------------------------------------------------------------- canonical form

function canonicalAttrs(a: Attributes): unknown[] | undefined {
  const out = [];
  for (let j = 0; j < a.length; j++) out.push({ key: a.key(j), value: canonicalValue(a.value(j)) });
  return out.length ? out : undefined;
}

/** One record through the accessors, in the oracle's canonical LogRecord shape. */
export function logRecordToCanonical(b: LogBatch, i: number): Record<string, unknown> {
  return {
    timeUnixNano: b.timeUnixNano(i).toString(),
    observedTimeUnixNano: b.observedTimeUnixNano(i).toString(),
    severityNumber: b.severityNumber(i),
    severityText: b.severityText(i),
    body: canonicalValue(b.body(i)),
    attributes: canonicalAttrs(b.logAttributes(i)),
    droppedAttributesCount: b.droppedAttributesCount(i),
    flags: b.flags(i),
    traceId: b.traceIdHex(i),
    spanId: b.spanIdHex(i),
    eventName: b.eventName(i),
  };
}

/** Read a whole batch back through the accessors into the oracle's canonical object shape. */
export function logBatchToCanonical(b: LogBatch): Record<string, unknown> {
  const resourceLogs = [];
  for (let r = 0; r < b.resourceCount; r++) {
    const scopeLogs = [];
    for (let s = 0; s < b.scopeCount; s++) {
      if (b.scopeResource(s) !== r) continue;
      const logRecords = [];
      for (let i = 0; i < b.logRecordCount; i++) if (b.logScope(i) === s) logRecords.push(logRecordToCanonical(b, i));
      scopeLogs.push({
        scope: {
          name: b.scopeName(s),
          version: b.scopeVersion(s),
          attributes: canonicalAttrs(b.scopeAttributes(s)),
          droppedAttributesCount: b.scopeDroppedAttributesCount(s),
        },
        logRecords: logRecords.length ? logRecords : undefined,
        schemaUrl: b.scopeSchemaUrl(s),
      });
    }
    resourceLogs.push({
      resource: {
        attributes: canonicalAttrs(b.resourceAttributes(r)),
        droppedAttributesCount: b.resourceDroppedAttributesCount(r),
      },
      scopeLogs: scopeLogs.length ? scopeLogs : undefined,
      schemaUrl: b.resourceSchemaUrl(r),
    });
  }
  return { resourceLogs: resourceLogs.length ? resourceLogs : undefined };
}
