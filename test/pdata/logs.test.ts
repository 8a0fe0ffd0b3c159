// LogBatch differential tests against the protobufjs oracle (test/oracle/otlp-oracle.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogBatch } from '../../src/pdata/logs';
import type { AnyValue } from '../../src/pdata/traces';
import { DecodeError } from '../../src/errors';
import { oracleDecodeLogs, oracleEncodeLogs, oracleRoot } from '../oracle/otlp-oracle';
import {
  mulberry32, randomLogsRequest, edgeCaseLogsRequests, normalize, logBatchToCanonical, canonicalValue, randomAnyValue,
  randomBody, randomString, type Rng,
} from './random-logs';

const N_RANDOM = 300;

function corpus(): Array<[string, Uint8Array]> {
  const out: Array<[string, Uint8Array]> = edgeCaseLogsRequests().map(([name, obj]) => [name, oracleEncodeLogs(obj)]);
  for (let seed = 1; seed <= N_RANDOM; seed++) out.push([`random seed ${seed}`, oracleEncodeLogs(randomLogsRequest(mulberry32(seed)))]);
  return out;
}
const CORPUS = corpus();

const canon = (b: LogBatch): unknown => normalize(logBatchToCanonical(b));
const oracle = (bytes: Uint8Array): unknown => normalize(oracleDecodeLogs(bytes));
const eqBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

test('decode: accessors read back exactly what the oracle decodes (lazy and eager)', () => {
  for (const [name, bytes] of CORPUS) {
    const want = oracle(bytes);
    assert.deepStrictEqual(canon(LogBatch.decode(bytes)), want, name);
    assert.deepStrictEqual(canon(LogBatch.decode(bytes, { eager: true })), want, `${name} (eager)`);
  }
});

test('decode: counts, index helpers and typed accessors', () => {
  const obj = randomLogsRequest(mulberry32(4242), { maxResources: 3, maxScopes: 3, maxRecords: 5 });
  const o = oracleDecodeLogs(oracleEncodeLogs(obj)) as { resourceLogs?: Array<{ scopeLogs?: Array<{ logRecords?: unknown[] }> }> };
  const b = LogBatch.decode(oracleEncodeLogs(obj));
  const rl = o.resourceLogs ?? [];
  assert.equal(b.signal, 'logs');
  assert.equal(b.resourceCount, rl.length);
  assert.equal(b.scopeCount, rl.reduce((n, r) => n + (r.scopeLogs?.length ?? 0), 0));
  const n = rl.reduce((m, r) => m + (r.scopeLogs ?? []).reduce((k, s) => k + (s.logRecords?.length ?? 0), 0), 0);
  assert.ok(n > 0);
  assert.equal(b.logRecordCount, n);
  assert.equal(b.itemCount, n);
  for (let i = 0; i < b.logRecordCount; i++) assert.equal(b.logResource(i), b.scopeResource(b.logScope(i)));
  for (let s = 0; s < b.scopeCount; s++) {
    for (let k = 0; k < b.scopeLogRecordCount(s); k++) assert.equal(b.logScope(b.scopeFirstLogRecord(s) + k), s);
  }
  assert.throws(() => b.body(b.logRecordCount), RangeError);
  assert.throws(() => b.severityText(-1), RangeError);
  assert.throws(() => b.scopeName(b.scopeCount), RangeError);
  assert.throws(() => b.resourceAttributes(b.resourceCount), RangeError);

  const edge = LogBatch.decode(oracleEncodeLogs(edgeCaseLogsRequests().find(([x]) => x === 'ids, flags, severities, event name')![1]));
  assert.equal(edge.severityNumber(0), 24);
  assert.equal(edge.severityNumber(1), -1);
  assert.equal(edge.severityNumber(2), 100);
  assert.equal(edge.flags(1), 0xffffffff);
  assert.equal(edge.eventName(2), 'ünïcode 事件');
  assert.equal(edge.timeUnixNano(0), 18446744073709551615n);
  assert.equal(edge.observedTimeUnixNano(0), 1n);
  assert.equal(edge.traceIdHex(0), 'ab'.repeat(16));
  assert.deepStrictEqual(Array.from(edge.traceIdBytes(0)), new Array(16).fill(0xab));
  assert.equal(edge.arenaBytes[edge.traceIdOffset(0)], 0xab);
  assert.equal(edge.traceIdBytes(2).length, 0, 'absent trace id: empty array');
  assert.equal(edge.traceIdOffset(2), -1);
  assert.equal(edge.spanIdHex(1), '');
  assert.equal(edge.spanIdHex(2), 'cd'.repeat(8));
  assert.equal(edge.timeMs(1), 0);

  const bodies = LogBatch.decode(oracleEncodeLogs(edgeCaseLogsRequests().find(([x]) => x === 'bodies of every type')![1]));
  const types = [];
  for (let i = 0; i < bodies.logRecordCount; i++) types.push(bodies.bodyType(i));
  assert.deepStrictEqual(types, ['string', 'string', 'int', 'int', 'double', 'double', 'double', 'double', 'bool', 'bool', 'bytes', 'array', 'kvlist', 'kvlist', 'empty', 'empty']);
  assert.equal(bodies.bodyString(0), 'plain');
  assert.equal(bodies.bodyString(1), '');
  assert.equal(bodies.bodyString(2), undefined);
  assert.equal(bodies.bodyString(15), undefined);
  assert.deepStrictEqual(bodies.body(2), { intValue: 9223372036854775807n });
  assert.ok(Number.isNaN((bodies.body(4) as { doubleValue: number }).doubleValue));
  assert.ok(Object.is((bodies.body(7) as { doubleValue: number }).doubleValue, -0));
  assert.deepStrictEqual(bodies.body(10), { bytesValue: new Uint8Array([0, 255, 1]) });
  assert.deepStrictEqual(bodies.body(11), { arrayValue: [{ kvlistValue: [['x', { arrayValue: [{}, { intValue: -1n }] }]] }, { arrayValue: [] }] });
  assert.deepStrictEqual(bodies.body(12), { kvlistValue: [['level', { stringValue: 'info' }], ['n', { doubleValue: 1.5 }], ['empty', {}]] });
  assert.deepStrictEqual(bodies.body(15), {});
});

test('encode: an untouched batch is byte-for-byte its input; fromColumns re-encodes identically', () => {
  for (const [name, bytes] of CORPUS) {
    const b = LogBatch.decode(bytes);
    assert.ok(eqBytes(b.encode(), bytes), `${name}: encode() != input`);
    // protobufjs writes fields in field-number order, as the columns encoder does (presence kept): identical
    assert.ok(eqBytes(b.encode({ fromColumns: true }), bytes), `${name}: encode({fromColumns}) != input`);
    assert.ok(eqBytes(LogBatch.decode(bytes, { eager: true }).encode({ fromColumns: true }), bytes), `${name}: eager fromColumns`);
    // reading everything does not make the batch dirty
    logBatchToCanonical(b);
    assert.ok(eqBytes(b.encode(), bytes), `${name}: encode() after reads`);
  }
});

function hexb(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}
function varint(n: number): Buffer {
  const out = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}
/** Wrap log record content as request > resource logs > scope logs > log record. */
function inRecord(content: Buffer): Buffer {
  const rec = Buffer.concat([hexb('12'), varint(content.length), content]);
  const sl = Buffer.concat([hexb('12'), varint(rec.length), rec]);
  return Buffer.concat([hexb('0a'), varint(sl.length), sl]);
}

test('encode: field order, duplicates, reserved and unknown fields of hand-crafted input survive', () => {
  const record = Buffer.concat([
    hexb('62 03 65 76 31'), // event_name "ev1" first (out of order)
    hexb('2a 03 0a 01 61'), // body "a"
    hexb('98 06 07'), // field 99 varint 7 (unknown)
    hexb('22 02 6f 6c'), // field 4 (reserved, formerly `name`): kept raw
    hexb('10 00'), // severity_number 0 present
    hexb('2a 03 0a 01 62'), // body "b" (last wins)
    hexb('4a 10'), Buffer.alloc(16, 1), // trace_id
    hexb('32 08 0a 01 6b 12 03 0a 01 76'), // attribute k="v"
  ]);
  const sl = Buffer.concat([hexb('12'), varint(record.length), record, hexb('a2 06 01 7a')]); // + unknown field 100 (len)
  const rl = Buffer.concat([hexb('12'), varint(sl.length), sl, hexb('1a 01 75'), hexb('a0 06 05')]); // schema_url "u" + unknown 100 varint
  const req = Buffer.concat([hexb('0a'), varint(rl.length), rl]);
  const b = LogBatch.decode(req);
  assert.equal(b.bodyString(0), 'b');
  assert.equal(b.eventName(0), 'ev1');
  assert.equal(b.severityNumber(0), 0);
  assert.ok(eqBytes(b.encode(), req));
  assert.deepStrictEqual(oracle(b.encode({ fromColumns: true })), oracle(req));
  assert.ok(Buffer.from(b.encode({ fromColumns: true })).includes(hexb('22 02 6f 6c')), 'reserved field 4 kept by fromColumns');
  // modify the record: unknown fields, the reserved field, event_name and the present default survive
  b.logAttributes(0).set('k2', { boolValue: true });
  const out = Buffer.from(b.encode());
  assert.ok(out.includes(hexb('98 06 07')), 'record unknown field kept');
  assert.ok(out.includes(hexb('22 02 6f 6c')), 'reserved field kept');
  assert.ok(out.includes(hexb('10 00')), 'present default severity kept verbatim');
  assert.ok(out.includes(hexb('a2 06 01 7a')), 'scope logs unknown field kept');
  assert.ok(out.includes(hexb('a0 06 05')), 'resource logs unknown field kept');
  const o = oracleDecodeLogs(out) as any;
  const r0 = o.resourceLogs[0].scopeLogs[0].logRecords[0];
  assert.deepStrictEqual(r0.attributes.map((a: any) => a.key), ['k', 'k2']);
  assert.equal(r0.eventName, 'ev1');
  assert.deepStrictEqual(r0.body, { stringValue: 'b' });
  // setBody replaces every body occurrence with one
  b.setBody(0, { intValue: 5n });
  const out2 = LogBatch.decode(b.encode());
  assert.deepStrictEqual(out2.body(0), { intValue: 5n });
  assert.equal(out2.eventName(0), 'ev1');
  // slicing (partial wrapper rebuild) keeps unknown wrapper fields too
  const sliced = Buffer.from(LogBatch.concat([b, b]).slice(1, 2).encode());
  assert.ok(sliced.includes(hexb('a2 06 01 7a')) && sliced.includes(hexb('a0 06 05')));
});

test('encode: a body with unknown AnyValue fields is copied raw unless replaced', () => {
  // record: body {string "a", unknown field 100 = 1}, attribute k="abc"
  const req = inRecord(hexb('2a 06 0a 01 61 a0 06 01 32 0a 0a 01 6b 12 05 0a 03 61 62 63'));
  const b = LogBatch.decode(req);
  assert.equal(b.bodyString(0), 'a');
  assert.ok(eqBytes(b.encode(), req));
  assert.ok(Buffer.from(b.encode({ fromColumns: true })).includes(hexb('2a 06 0a 01 61 a0 06 01')), 'fromColumns copies the body raw');
  b.logAttributes(0).delete('k');
  assert.ok(Buffer.from(b.encode()).includes(hexb('2a 06 0a 01 61 a0 06 01')), 'modified record copies the body raw');
  b.setBody(0, { stringValue: 'z' });
  const out = Buffer.from(b.encode());
  assert.ok(!out.includes(hexb('a0 06 01')));
  assert.equal(LogBatch.decode(out).bodyString(0), 'z');
});

// ---------------------------------------------------------------- mutations

interface Edit { apply(b: LogBatch): void; expect(o: any): void }

function recordsOf(o: any): Array<{ rl: any; sl: any; rec: any }> {
  const out = [];
  for (const rl of o.resourceLogs ?? []) for (const sl of rl.scopeLogs ?? []) for (const rec of sl.logRecords ?? []) out.push({ rl, sl, rec });
  return out;
}
function scopesOf(o: any): any[] {
  const out = [];
  for (const rl of o.resourceLogs ?? []) for (const sl of rl.scopeLogs ?? []) out.push(sl);
  return out;
}
function setAttr(list: any[] | undefined, key: string, v: AnyValue): any[] {
  const l = list ?? [];
  let j = -1;
  for (let k = l.length - 1; k >= 0; k--) if ((l[k].key ?? '') === key) { j = k; break; }
  if (j >= 0) l[j] = { ...l[j], value: canonicalValue(v) };
  else l.push({ key, value: canonicalValue(v) });
  return l;
}
function delAttr(list: any[] | undefined, key: string): any[] {
  return (list ?? []).filter((a) => (a.key ?? '') !== key);
}

/** Oracle-form AnyValue (from randomAnyValue) -> contract AnyValue. */
function jsValue(v: any): AnyValue {
  if ('stringValue' in v) return { stringValue: v.stringValue };
  if ('boolValue' in v) return { boolValue: v.boolValue };
  if ('intValue' in v) return { intValue: BigInt(v.intValue) };
  if ('doubleValue' in v) return { doubleValue: v.doubleValue };
  if ('bytesValue' in v) return { bytesValue: new Uint8Array(v.bytesValue) };
  if ('arrayValue' in v) return { arrayValue: (v.arrayValue.values ?? []).map(jsValue) };
  if ('kvlistValue' in v) return { kvlistValue: (v.kvlistValue.values ?? []).map((kv: any) => [kv.key, jsValue(kv.value ?? {})]) };
  return {};
}

function randomEdit(rng: Rng, b: LogBatch, o: any): Edit | null {
  const recs = recordsOf(o);
  const kind = Math.floor(rng() * 8);
  const key = rng() < 0.5 ? `attr.${Math.floor(rng() * 3)}.${Math.floor(rng() * 5)}` : randomString(rng);
  const jsv = jsValue(randomAnyValue(rng));
  const i = Math.floor(rng() * recs.length);
  if (kind === 0 && recs.length) {
    return { apply: (x) => x.logAttributes(i).set(key, jsv), expect: () => { recs[i].rec.attributes = setAttr(recs[i].rec.attributes, key, jsv); } };
  }
  if (kind === 1 && recs.length) {
    const existing = recs[i].rec.attributes?.[0]?.key ?? key;
    return { apply: (x) => { x.logAttributes(i).delete(existing); }, expect: () => { recs[i].rec.attributes = delAttr(recs[i].rec.attributes, existing); } };
  }
  if (kind === 2 && recs.length) {
    const body = jsValue(randomBody(rng));
    return { apply: (x) => x.setBody(i, body), expect: () => { recs[i].rec.body = canonicalValue(body); } };
  }
  if (kind === 3 && recs.length) {
    const num = rng() < 0.2 ? 0 : Math.floor(rng() * 25);
    const text = rng() < 0.3 ? '' : randomString(rng);
    return { apply: (x) => x.setSeverity(i, num, text), expect: () => { recs[i].rec.severityNumber = num; recs[i].rec.severityText = text; } };
  }
  if (kind === 4 && b.resourceCount) {
    const r = Math.floor(rng() * b.resourceCount);
    return {
      apply: (x) => x.resourceAttributes(r).set(key, jsv),
      expect: () => {
        const rl = o.resourceLogs[r];
        rl.resource = rl.resource ?? {};
        rl.resource.attributes = setAttr(rl.resource.attributes, key, jsv);
      },
    };
  }
  if (kind === 5 && b.scopeCount) {
    const s = Math.floor(rng() * b.scopeCount);
    return {
      apply: (x) => x.scopeAttributes(s).set(key, jsv),
      expect: () => {
        const sl = scopesOf(o)[s];
        sl.scope = sl.scope ?? {};
        sl.scope.attributes = setAttr(sl.scope.attributes, key, jsv);
      },
    };
  }
  if (kind === 6 && recs.length) {
    const existing = recs[i].rec.attributes?.[recs[i].rec.attributes.length - 1]?.key;
    if (existing === undefined) return null;
    return { apply: (x) => x.logAttributes(i).set(existing, { stringValue: 'replaced' }), expect: () => { recs[i].rec.attributes = setAttr(recs[i].rec.attributes, existing, { stringValue: 'replaced' }); } };
  }
  if (kind === 7 && recs.length) {
    return { apply: (x) => x.setBody(i, {}), expect: () => { delete recs[i].rec.body; } };
  }
  return null;
}

test('mutations: attributes set/delete, setBody, setSeverity show up exactly in the encoded output', () => {
  for (let seed = 1; seed <= 150; seed++) {
    const rng = mulberry32(seed * 7919);
    const bytes = oracleEncodeLogs(randomLogsRequest(mulberry32(seed)));
    const b = LogBatch.decode(bytes);
    const expected = oracleDecodeLogs(bytes) as any;
    const nEdits = 1 + Math.floor(rng() * 5);
    let applied = 0;
    for (let k = 0; k < nEdits * 3 && applied < nEdits; k++) {
      const e = randomEdit(rng, b, expected);
      if (!e) continue;
      e.apply(b);
      e.expect(expected);
      applied++;
    }
    const want = normalize(expected);
    const out = b.encode();
    assert.deepStrictEqual(oracle(out), want, `seed ${seed}: encode()`);
    assert.deepStrictEqual(canon(b), want, `seed ${seed}: accessors after edits`);
    assert.deepStrictEqual(oracle(b.encode({ fromColumns: true })), want, `seed ${seed}: encode({fromColumns})`);
    assert.deepStrictEqual(oracle(b.clone().encode()), want, `seed ${seed}: clone`);
    assert.deepStrictEqual(oracle(b.slice(0, b.logRecordCount).encode()), normalize(dropEmpty(expected)), `seed ${seed}: slice of all`);
    assert.ok(eqBytes(LogBatch.decode(out).encode(), out));
  }
});

/** The oracle object without the resources that have no records (what a slice of everything keeps). */
function dropEmpty(o: any): any {
  return { resourceLogs: (o.resourceLogs ?? []).filter((rl: any) => (rl.scopeLogs ?? []).some((sl: any) => (sl.logRecords ?? []).length > 0)) };
}

test('mutations: untouched records are copied byte-for-byte next to a modified one', () => {
  const obj = randomLogsRequest(mulberry32(77), { maxResources: 2, maxScopes: 2, maxRecords: 6 });
  const bytes = oracleEncodeLogs(obj);
  const b = LogBatch.decode(bytes);
  assert.ok(b.logRecordCount >= 2);
  b.setSeverity(0, 17, 'ERROR');
  const out = Buffer.from(b.encode());
  const RecordType = oracleRoot.lookupType('opentelemetry.proto.logs.v1.LogRecord');
  const recs = recordsOf(obj);
  for (let i = 1; i < recs.length; i++) {
    const recBytes = Buffer.from(RecordType.encode(RecordType.fromObject(recs[i].rec)).finish());
    assert.ok(out.includes(recBytes), `record ${i} copied verbatim`);
  }
  const round = LogBatch.decode(out);
  assert.equal(round.severityNumber(0), 17);
  assert.equal(round.severityText(0), 'ERROR');
  // setSeverity(0, '') writes neither field (proto3 defaults)
  b.setSeverity(0, 0, '');
  const rec0 = (oracleDecodeLogs(b.encode()) as any).resourceLogs[b.logResource(0)].scopeLogs.find((_: any, k: number) => k === b.logScope(0) - b.resourceFirstScope(b.logResource(0))).logRecords[0];
  assert.equal(rec0.severityNumber, undefined);
  assert.equal(rec0.severityText, undefined);
});

test('setBody: every value type round-trips; a bad value throws TypeError and leaves the batch unchanged', () => {
  const bytes = oracleEncodeLogs(edgeCaseLogsRequests().find(([n]) => n === 'bodies of every type')![1]);
  const b = LogBatch.decode(bytes);
  const values: AnyValue[] = [
    { stringValue: 'ünïcode body' }, { boolValue: true }, { intValue: -42n }, { doubleValue: -0 }, { doubleValue: NaN },
    { bytesValue: new Uint8Array([9, 0]) }, { arrayValue: [{ stringValue: 'a' }, { arrayValue: [{ boolValue: false }] }] },
    { kvlistValue: [['k', { intValue: 1n }], ['', {}]] }, { stringValue: '' },
  ];
  values.forEach((v, k) => b.setBody(k, v));
  values.forEach((v, k) => assert.deepStrictEqual(b.body(k), v));
  assert.equal(b.bodyString(0), 'ünïcode body');
  assert.equal(b.bodyType(6), 'array');
  const round = LogBatch.decode(b.encode());
  values.forEach((v, k) => assert.deepStrictEqual(round.body(k), v, `body ${k} after encode`));
  const before = Buffer.from(b.encode());
  assert.throws(() => b.setBody(0, { nope: 1 } as unknown as AnyValue), TypeError);
  assert.throws(() => b.setBody(0, { bytesValue: 'x' } as unknown as AnyValue), TypeError);
  assert.ok(eqBytes(b.encode(), before), 'failed setBody left the batch unchanged');
  assert.throws(() => b.setBody(b.logRecordCount, {}), RangeError);
});

test('attributes view on log records: get/getString/indexOf/type/toObject/delete/set', () => {
  const req = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ attributes: [
    { key: 'http.method', value: { stringValue: 'GET' } }, { key: 'n', value: { intValue: '7' } }, { key: 'dup', value: { boolValue: true } },
    { key: 'dup', value: { stringValue: 'last' } },
  ] }, { body: { stringValue: 'second' } }] }] }] };
  const b = LogBatch.decode(oracleEncodeLogs(req));
  const a = b.logAttributes(0);
  assert.equal(a.length, 4);
  assert.equal(a.getString('http.method'), 'GET');
  assert.equal(a.getString('n'), undefined);
  assert.deepStrictEqual(a.get('n'), { intValue: 7n });
  assert.equal(a.type(1), 'int');
  assert.equal(a.indexOf('dup'), 3, 'last duplicate wins');
  assert.equal(a.getString('dup'), 'last');
  assert.equal(a.delete('dup'), true);
  assert.equal(a.length, 2, 'delete removes every duplicate');
  a.set('new', { doubleValue: 2.5 });
  assert.deepStrictEqual(a.toObject(), { 'http.method': { stringValue: 'GET' }, n: { intValue: 7n }, new: { doubleValue: 2.5 } });
  assert.equal(b.logAttributes(1).length, 0);
  b.logAttributes(1).set('only.second', { stringValue: 'x' });
  const round = LogBatch.decode(b.encode());
  assert.deepStrictEqual(round.logAttributes(0).toObject(), a.toObject());
  assert.deepStrictEqual(round.logAttributes(1).toObject(), { 'only.second': { stringValue: 'x' } });
  assert.equal(round.bodyString(1), 'second');
});

// ---------------------------------------------------------------- slice / concat / filter / clone

interface Flat { resource: unknown; rlSchema: unknown; scope: unknown; slSchema: unknown; rec: unknown }
function flat(o: any): Flat[] {
  const out: Flat[] = [];
  for (const rl of o.resourceLogs ?? []) {
    for (const sl of rl.scopeLogs ?? []) {
      for (const rec of sl.logRecords ?? []) out.push({ resource: rl.resource, rlSchema: rl.schemaUrl, scope: sl.scope, slSchema: sl.schemaUrl, rec });
    }
  }
  return out;
}

test('slice/filterLogRecords/clone/concat keep every record exactly, nested under their resource and scope', () => {
  for (let seed = 1; seed <= 60; seed++) {
    const rng = mulberry32(seed + 500);
    const bytes = oracleEncodeLogs(randomLogsRequest(mulberry32(seed + 2000), { maxResources: 3, maxScopes: 3, maxRecords: 6 }));
    const b = LogBatch.decode(bytes);
    // modify some records first (slices must carry modified and unmodified rows alike)
    if (b.logRecordCount > 0 && rng() < 0.5) b.logAttributes(0).set('edited', { stringValue: 'yes' });
    if (b.logRecordCount > 1 && rng() < 0.5) b.setBody(1, { kvlistValue: [['k', { stringValue: 'v' }]] });
    if (b.resourceCount > 0 && rng() < 0.3) b.resourceAttributes(0).set('res.edited', { boolValue: true });
    const all = flat(canon(b));
    assert.equal(all.length, b.logRecordCount);
    const n = b.logRecordCount;
    const s0 = Math.floor(rng() * (n + 1));
    const s1 = s0 + Math.floor(rng() * (n - s0 + 1));
    const sl = b.slice(s0, s1);
    assert.equal(sl.logRecordCount, s1 - s0);
    assert.deepStrictEqual(flat(canon(sl)), all.slice(s0, s1), `seed ${seed}: slice accessors`);
    assert.deepStrictEqual(flat(oracle(sl.encode())), all.slice(s0, s1), `seed ${seed}: slice encode`);
    assert.deepStrictEqual(flat(oracle(sl.encode({ fromColumns: true }))), all.slice(s0, s1));
    const mask = Array.from({ length: n }, () => rng() < 0.5);
    const f = b.filterLogRecords((i) => mask[i]);
    const kept = mask.flatMap((k, i) => (k ? [i] : []));
    assert.equal(f.logRecordCount, kept.length);
    assert.deepStrictEqual(flat(canon(f)), kept.map((i) => all[i]), `seed ${seed}: filter accessors`);
    assert.deepStrictEqual(flat(oracle(f.encode())), kept.map((i) => all[i]), `seed ${seed}: filter encode`);
    assert.deepStrictEqual(flat(oracle(f.encode({ fromColumns: true }))), kept.map((i) => all[i]));
    // clone: same bytes, independent memory
    const c = b.clone();
    assert.ok(eqBytes(c.encode(), b.encode()), `seed ${seed}: clone encodes the same`);
    if (c.logRecordCount > 0) {
      c.setSeverity(0, 21, 'only-in-clone');
      assert.notEqual(b.severityText(0), 'only-in-clone');
    }
    // concat of the slice, the filtered batch and the original
    const cat = LogBatch.concat([sl, f, b]);
    assert.equal(cat.logRecordCount, sl.logRecordCount + f.logRecordCount + b.logRecordCount);
    assert.equal(cat.resourceCount, sl.resourceCount + f.resourceCount + b.resourceCount, 'resources never merged');
    const want = [...all.slice(s0, s1), ...kept.map((i) => all[i]), ...all];
    assert.deepStrictEqual(flat(oracle(cat.encode())), want, `seed ${seed}: concat`);
    assert.deepStrictEqual(flat(canon(cat)), want);
    // edits on a slice reach its output only
    if (sl.logRecordCount > 0) {
      sl.setBody(0, { stringValue: 'sliced-edit' });
      assert.equal(LogBatch.decode(sl.encode()).bodyString(0), 'sliced-edit');
      assert.notEqual(b.bodyString(s0), 'sliced-edit');
    }
  }
});

test('concat of untouched batches is the concatenation of their requests; empty resources survive concat', () => {
  const reqs = [1, 2, 3].map((s) => oracleEncodeLogs(randomLogsRequest(mulberry32(1000 + s))));
  const edge = oracleEncodeLogs(edgeCaseLogsRequests().find(([n]) => n === 'resource without scope logs')![1]);
  const batches = [...reqs, edge].map((r) => LogBatch.decode(r));
  const cat = LogBatch.concat(batches);
  assert.ok(eqBytes(cat.encode(), Buffer.concat([...reqs, edge])));
  assert.equal(LogBatch.concat([]).logRecordCount, 0);
  assert.equal(LogBatch.empty().encode().length, 0);
  assert.equal(LogBatch.empty().itemCount, 0);
  // slicing drops resources/scopes left without records
  assert.equal(LogBatch.decode(edge).slice(0, 0).resourceCount, 0);
  assert.equal(LogBatch.decode(reqs[0]).filterLogRecords(() => false).resourceCount, 0);
});

test('byteSize counts wire bytes and columns', () => {
  const bytes = CORPUS[CORPUS.length - 1][1];
  const b = LogBatch.decode(bytes);
  assert.ok(b.byteSize >= bytes.length);
});

// ---------------------------------------------------------------- malformed input

function decodeOutcome(bytes: Uint8Array): 'ok' | 'decode-error' {
  try {
    const b = LogBatch.decode(bytes);
    // an accepted message must be fully readable and agree with the oracle
    const mine = canon(b);
    let theirs: unknown;
    try {
      theirs = oracle(bytes);
    } catch (e) {
      assert.fail(`accepted input the oracle rejects (${(e as Error).message}): ${Buffer.from(bytes).toString('hex').slice(0, 200)}`);
    }
    assert.deepStrictEqual(mine, theirs);
    assert.ok(eqBytes(b.encode(), bytes));
    oracle(b.encode({ fromColumns: true }));
    return 'ok';
  } catch (e) {
    if (e instanceof DecodeError) return 'decode-error';
    throw e;
  }
}

test('malformed: every truncation of valid messages is rejected with DecodeError or decodes consistently', () => {
  let rejected = 0;
  for (const [, bytes] of CORPUS.slice(0, 40)) {
    if (bytes.length > 4000) continue;
    for (let n = 0; n < bytes.length; n++) if (decodeOutcome(bytes.subarray(0, n)) === 'decode-error') rejected++;
  }
  assert.ok(rejected > 0);
});

test('malformed: random byte flips never throw anything but DecodeError', () => {
  const rng = mulberry32(99);
  for (let k = 0; k < 2000; k++) {
    const src = CORPUS[1 + Math.floor(rng() * (CORPUS.length - 1))][1];
    if (src.length === 0) continue;
    const b = Buffer.from(src);
    const flips = 1 + Math.floor(rng() * 3);
    for (let f = 0; f < flips; f++) b[Math.floor(rng() * b.length)] = Math.floor(rng() * 256);
    decodeOutcome(b);
  }
});

test('malformed: crafted bad framing is rejected with DecodeError', () => {
  let deep = Buffer.alloc(0); // AnyValue nested 300 arrays deep
  for (let k = 0; k < 300; k++) {
    const av = Buffer.concat([hexb('2a'), varint(deep.length), deep]);
    deep = Buffer.concat([hexb('0a'), varint(av.length), av]);
  }
  const deepBody = Buffer.concat([hexb('2a'), varint(deep.length + 1 + varint(deep.length).length), hexb('2a'), varint(deep.length), deep]);
  const cases: Array<[string, Buffer]> = [
    ['truncated tag varint', hexb('8a')],
    ['truncated length', hexb('0a')],
    ['length past end', hexb('0a 05 12')],
    ['huge length', hexb('0a ff ff ff ff 0f')],
    ['wrong wire type for resource_logs', hexb('08 01')],
    ['group wire type', hexb('0a 02 0b 0c')],
    ['wire type 6', hexb('0e')],
    ['field number 0', hexb('00 00')],
    ['varint overflowing 64 bits', inRecord(hexb('10 ff ff ff ff ff ff ff ff ff 7f'))],
    ['trace_id of 15 bytes', inRecord(Buffer.concat([hexb('4a 0f'), Buffer.alloc(15)]))],
    ['trace_id of 17 bytes', inRecord(Buffer.concat([hexb('4a 11'), Buffer.alloc(17)]))],
    ['span_id of 7 bytes', inRecord(Buffer.concat([hexb('52 07'), Buffer.alloc(7)]))],
    ['span_id of 16 bytes', inRecord(Buffer.concat([hexb('52 10'), Buffer.alloc(16)]))],
    ['flags as varint', inRecord(hexb('40 05'))],
    ['time as varint', inRecord(hexb('08 05'))],
    ['observed time as fixed32', inRecord(hexb('5d 00 00 00 00'))],
    ['truncated fixed64 time', inRecord(hexb('09 00 00 00'))],
    ['truncated fixed32 flags', inRecord(hexb('45 00 00'))],
    ['severity number as len', inRecord(hexb('12 00'))],
    ['severity text as varint', inRecord(hexb('18 01'))],
    ['body as varint', inRecord(hexb('28 01'))],
    ['body with bad wire type inside', inRecord(hexb('2a 02 08 01'))],
    ['body string truncated', inRecord(hexb('2a 03 0a 05 61'))],
    ['bad nested kvlist body', inRecord(hexb('2a 03 32 01 0a'))],
    ['body nested too deeply', inRecord(deepBody)],
    ['attribute value with bad wire type', inRecord(hexb('32 04 12 02 08 01'))],
    ['attribute key as varint', inRecord(hexb('32 02 08 01'))],
    ['truncated attribute', inRecord(hexb('32 05 0a 09 6b'))],
    ['dropped count as fixed64', inRecord(Buffer.concat([hexb('39'), Buffer.alloc(8)]))],
    ['event name as varint', inRecord(hexb('60 01'))],
    ['resource attributes truncated', hexb('0a 04 0a 02 0a 05')],
    ['scope name as varint', hexb('0a 06 12 04 0a 02 08 01')],
    ['log record as varint', hexb('0a 04 12 02 10 01')],
  ];
  for (const [name, bytes] of cases) {
    assert.throws(() => LogBatch.decode(bytes), (e: unknown) => e instanceof DecodeError && e.code === 'OTELTS_ERR_DECODE', name);
  }
  // Sanity: the same shapes with valid content decode.
  assert.equal(LogBatch.decode(inRecord(Buffer.concat([hexb('4a 10'), Buffer.alloc(16, 7)]))).traceIdHex(0), '07'.repeat(16));
  assert.equal(LogBatch.decode(inRecord(hexb('4a 00'))).traceIdHex(0), '');
  assert.equal(LogBatch.decode(inRecord(hexb('45 01 02 00 00'))).flags(0), 0x201);
  assert.equal(LogBatch.decode(inRecord(hexb('2a 03 0a 01 61'))).bodyString(0), 'a');
  // overlong but valid (<= 10 bytes) varints are accepted
  assert.equal(LogBatch.decode(inRecord(hexb('10 89 80 80 80 00'))).severityNumber(0), 9);
});

test('malformed: non-bytes input is a DecodeError', () => {
  assert.throws(() => LogBatch.decode('abc' as unknown as Uint8Array), DecodeError);
});
