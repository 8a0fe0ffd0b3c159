// Seeded random ExportTraceServiceRequest objects (protobufjs fromObject form: ids/bytes as Buffer, 64-bit
// integers as decimal strings) covering every field of the current trace proto, every AnyValue type
// (nested arrays/kvlists), empty strings, unicode, int64 extremes, NaN/-0/Infinity, present default values.
// Also: the accessor -> canonical-object converter used to compare TraceBatch with the protobufjs oracle.
//
// Usage: const rng = mulberry32(seed); const obj = randomRequest(rng); const bytes = oracleEncodeTraces(obj);

import type { AnyValue, TraceBatch, Attributes } from '../../src/pdata/traces';
import { oracleEncodeTraces } from '../oracle/otlp-oracle';

export type Rng = () => number;

/** Small deterministic PRNG (mulberry32). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
const chance = (rng: Rng, p: number): boolean => rng() < p;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[int(rng, xs.length)];

const STRINGS = [
  '', 'a', 'GET /api/v1/users/{id}', 'http.method', 'service.name', 'héllo wörld', '日本語のテキスト', '😀 emoji 🚀',
  'x'.repeat(200), 'line\nbreak\ttab', '\u0000nul', 'k8s.pod.name', 'db.statement',
  'SELECT * FROM orders WHERE customer_id = ? AND status IN (?, ?, ?) ORDER BY created_at DESC LIMIT 100',
];

export function randomString(rng: Rng): string {
  if (chance(rng, 0.6)) return pick(rng, STRINGS);
  const n = int(rng, 40);
  let s = '';
  for (let k = 0; k < n; k++) s += String.fromCharCode(chance(rng, 0.9) ? 32 + int(rng, 95) : 0x80 + int(rng, 0x700));
  return s;
}

function randomBytes(rng: Rng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let k = 0; k < n; k++) b[k] = int(rng, 256);
  return b;
}

const INT64S = ['0', '1', '-1', '9223372036854775807', '-9223372036854775808', '4294967296', '-4294967297', '2147483648'];
function randomInt64(rng: Rng): string {
  if (chance(rng, 0.4)) return pick(rng, INT64S);
  const v = BigInt(int(rng, 2 ** 31)) * BigInt(int(rng, 2 ** 31)) * (chance(rng, 0.3) ? -1n : 1n);
  return BigInt.asIntN(64, v).toString();
}
function randomU64(rng: Rng): string {
  if (chance(rng, 0.2)) return pick(rng, ['0', '1', '18446744073709551615', '1700000000000000000']);
  return (1700000000000000000n + BigInt(int(rng, 2 ** 31)) * BigInt(int(rng, 2 ** 20))).toString();
}
const DOUBLES = [0, -0, NaN, Infinity, -Infinity, 1.5, -2.25, 5e-324, Number.MAX_VALUE, 0.1];
function randomDouble(rng: Rng): number {
  return chance(rng, 0.5) ? pick(rng, DOUBLES) : (rng() - 0.5) * 1e6;
}

export function randomAnyValue(rng: Rng, depth = 0): Record<string, unknown> {
  const t = int(rng, depth >= 3 ? 6 : 8);
  switch (t) {
    case 0: return { stringValue: randomString(rng) };
    case 1: return { boolValue: chance(rng, 0.5) };
    case 2: return { intValue: randomInt64(rng) };
    case 3: return { doubleValue: randomDouble(rng) };
    case 4: return { bytesValue: randomBytes(rng, int(rng, 20)) };
    case 5: return {};
    case 6: {
      const n = int(rng, 4);
      const values = [];
      for (let k = 0; k < n; k++) values.push(randomAnyValue(rng, depth + 1));
      return { arrayValue: { values } };
    }
    default: {
      const n = int(rng, 4);
      const values = [];
      for (let k = 0; k < n; k++) values.push({ key: randomString(rng), value: randomAnyValue(rng, depth + 1) });
      return { kvlistValue: { values } };
    }
  }
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

/** Maybe set obj[key] = gen() (presence is random, so present default values occur too). */
function maybe(rng: Rng, obj: Record<string, unknown>, key: string, gen: () => unknown, p = 0.7): void {
  if (chance(rng, p)) obj[key] = gen();
}

function randomId(rng: Rng, n: number): Buffer {
  return chance(rng, 0.05) ? Buffer.alloc(0) : randomBytes(rng, n);
}

export function randomSpan(rng: Rng): Record<string, unknown> {
  const s: Record<string, unknown> = {};
  maybe(rng, s, 'traceId', () => randomId(rng, 16), 0.95);
  maybe(rng, s, 'spanId', () => randomId(rng, 8), 0.95);
  maybe(rng, s, 'traceState', () => (chance(rng, 0.5) ? '' : 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE'), 0.3);
  maybe(rng, s, 'parentSpanId', () => randomId(rng, 8), 0.6);
  maybe(rng, s, 'flags', () => pick(rng, [0, 1, 0x101, 0x301, 0xffffffff]), 0.5);
  maybe(rng, s, 'name', () => randomString(rng), 0.9);
  maybe(rng, s, 'kind', () => pick(rng, [0, 1, 2, 3, 4, 5, 9]), 0.8);
  maybe(rng, s, 'startTimeUnixNano', () => randomU64(rng), 0.9);
  maybe(rng, s, 'endTimeUnixNano', () => randomU64(rng), 0.9);
  s.attributes = randomAttributes(rng, 6);
  maybe(rng, s, 'droppedAttributesCount', () => pick(rng, [0, 1, 7, 0xffffffff]), 0.3);
  if (chance(rng, 0.4)) {
    const n = int(rng, 4);
    const events = [];
    for (let k = 0; k < n; k++) {
      const e: Record<string, unknown> = {};
      maybe(rng, e, 'timeUnixNano', () => randomU64(rng));
      maybe(rng, e, 'name', () => randomString(rng));
      e.attributes = randomAttributes(rng, 3);
      maybe(rng, e, 'droppedAttributesCount', () => int(rng, 3), 0.3);
      events.push(e);
    }
    s.events = events;
  }
  maybe(rng, s, 'droppedEventsCount', () => int(rng, 3), 0.2);
  if (chance(rng, 0.3)) {
    const n = int(rng, 3);
    const links = [];
    for (let k = 0; k < n; k++) {
      const l: Record<string, unknown> = {};
      maybe(rng, l, 'traceId', () => randomId(rng, 16));
      maybe(rng, l, 'spanId', () => randomId(rng, 8));
      maybe(rng, l, 'traceState', () => randomString(rng), 0.3);
      l.attributes = randomAttributes(rng, 3);
      maybe(rng, l, 'droppedAttributesCount', () => int(rng, 3), 0.3);
      maybe(rng, l, 'flags', () => pick(rng, [0, 1, 0x100, 0x301]), 0.5);
      links.push(l);
    }
    s.links = links;
  }
  maybe(rng, s, 'droppedLinksCount', () => int(rng, 3), 0.2);
  if (chance(rng, 0.7)) {
    const st: Record<string, unknown> = {};
    maybe(rng, st, 'code', () => pick(rng, [0, 1, 2]), 0.7);
    maybe(rng, st, 'message', () => randomString(rng), 0.4);
    s.status = st;
  }
  return s;
}

export interface RandomOptions {
  maxResources?: number;
  maxScopes?: number;
  maxSpans?: number;
}

/** A random ExportTraceServiceRequest in protobufjs fromObject form. */
export function randomRequest(rng: Rng, o: RandomOptions = {}): Record<string, unknown> {
  const resourceSpans = [];
  const nr = int(rng, (o.maxResources ?? 3) + 1);
  for (let r = 0; r < nr; r++) {
    const rs: Record<string, unknown> = {};
    if (chance(rng, 0.9)) {
      const res: Record<string, unknown> = { attributes: randomAttributes(rng, 5) };
      maybe(rng, res, 'droppedAttributesCount', () => int(rng, 4), 0.2);
      if (chance(rng, 0.15)) {
        res.entityRefs = [{ schemaUrl: 'https://opentelemetry.io/schemas/1.26.0', type: 'service', idKeys: ['service.name'], descriptionKeys: ['service.version'] }];
      }
      rs.resource = res;
    }
    const scopeSpans = [];
    const ns = int(rng, (o.maxScopes ?? 3) + 1);
    for (let s = 0; s < ns; s++) {
      const ss: Record<string, unknown> = {};
      if (chance(rng, 0.85)) {
        const sc: Record<string, unknown> = {};
        maybe(rng, sc, 'name', () => randomString(rng), 0.9);
        maybe(rng, sc, 'version', () => pick(rng, ['', '1.2.3', '0.52.1']), 0.6);
        sc.attributes = randomAttributes(rng, 2);
        maybe(rng, sc, 'droppedAttributesCount', () => int(rng, 3), 0.2);
        ss.scope = sc;
      }
      const n = int(rng, (o.maxSpans ?? 6) + 1);
      const spans = [];
      for (let i = 0; i < n; i++) spans.push(randomSpan(rng));
      ss.spans = spans;
      maybe(rng, ss, 'schemaUrl', () => pick(rng, ['', 'https://opentelemetry.io/schemas/1.21.0']), 0.3);
      scopeSpans.push(ss);
    }
    rs.scopeSpans = scopeSpans;
    maybe(rng, rs, 'schemaUrl', () => pick(rng, ['', 'https://opentelemetry.io/schemas/1.24.0']), 0.3);
    resourceSpans.push(rs);
  }
  return { resourceSpans };
}

/** Hand-written edge cases (protobufjs fromObject form). */
export function edgeCaseRequests(): Array<[string, Record<string, unknown>]> {
  const tid = Buffer.alloc(16, 0xab);
  const sid = Buffer.alloc(8, 0xcd);
  return [
    ['empty request', {}],
    ['resource without scope spans', { resourceSpans: [{ resource: { attributes: [{ key: 'a', value: { stringValue: 'b' } }] } }] }],
    ['empty resource spans', { resourceSpans: [{}] }],
    ['scope without spans', { resourceSpans: [{ scopeSpans: [{ scope: { name: 's' } }, {}] }] }],
    ['present default values', {
      resourceSpans: [{
        resource: { droppedAttributesCount: 0 },
        scopeSpans: [{
          scope: { name: '', version: '', droppedAttributesCount: 0 },
          spans: [{
            traceId: tid, spanId: sid, name: '', kind: 0, traceState: '', parentSpanId: Buffer.alloc(0), flags: 0,
            startTimeUnixNano: '0', endTimeUnixNano: '0', droppedAttributesCount: 0, droppedEventsCount: 0,
            droppedLinksCount: 0, status: { code: 0, message: '' },
            attributes: [{ key: '', value: { stringValue: '' } }, { key: 'i', value: { intValue: '0' } }, { key: 'b', value: { boolValue: false } }, { key: 'e', value: {} }, { key: 'novalue' }],
            events: [{}], links: [{ flags: 0 }],
          }],
          schemaUrl: '',
        }],
        schemaUrl: '',
      }],
    }],
    ['int64 and double extremes', {
      resourceSpans: [{ scopeSpans: [{ spans: [{
        traceId: tid, spanId: sid, startTimeUnixNano: '18446744073709551615', endTimeUnixNano: '1',
        attributes: [
          { key: 'max', value: { intValue: '9223372036854775807' } }, { key: 'min', value: { intValue: '-9223372036854775808' } },
          { key: 'nan', value: { doubleValue: NaN } }, { key: 'negzero', value: { doubleValue: -0 } },
          { key: 'inf', value: { doubleValue: Infinity } }, { key: 'bytes', value: { bytesValue: Buffer.from([0, 255, 1]) } },
          { key: 'nested', value: { arrayValue: { values: [{ kvlistValue: { values: [{ key: 'x', value: { arrayValue: { values: [{}, { intValue: '-1' }] } } }] } }, { arrayValue: {} }] } } },
          { key: 'emptykv', value: { kvlistValue: {} } },
        ],
      }] }] }],
    }],
  ];
}

// ---------------------------------------------------------------- canonical form

const AV_KEYS = new Set(['stringValue', 'boolValue', 'intValue', 'doubleValue', 'bytesValue', 'arrayValue', 'kvlistValue']);

/**
 * Normalize an oracle canonical object (or ours) for comparison: drop message fields holding their default
 * value ('', 0, '0', false, {} — presence is not observable through the accessors; it is checked by the
 * byte-level tests instead) and Resource.entityRefs (kept raw, not exposed). AnyValue members are kept.
 */
export function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === 'entityRefs') continue;
      const n = normalize(x);
      if (!AV_KEYS.has(k)) {
        if (n === '' || n === 0 || n === '0' || n === false || n === undefined) continue;
        if (n && typeof n === 'object' && Object.keys(n).length === 0) continue; // {} or []
      }
      out[k] = n;
    }
    return out;
  }
  return v;
}

function bytesHex(u8: Uint8Array): string {
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength).toString('hex');
}

/** An AnyValue from the accessors in the oracle's canonical shape. */
export function canonicalValue(v: AnyValue): Record<string, unknown> {
  const o = v as Record<string, unknown>;
  if ('stringValue' in o) return { stringValue: o.stringValue };
  if ('boolValue' in o) return { boolValue: o.boolValue };
  if ('intValue' in o) return { intValue: String(o.intValue) };
  if ('doubleValue' in o) return { doubleValue: o.doubleValue };
  if ('bytesValue' in o) return { bytesValue: bytesHex(o.bytesValue as Uint8Array) };
  if ('arrayValue' in o) {
    const vals = (o.arrayValue as AnyValue[]).map(canonicalValue);
    return { arrayValue: vals.length ? { values: vals } : {} };
  }
  if ('kvlistValue' in o) {
    const vals = (o.kvlistValue as Array<[string, AnyValue]>).map(([k, x]) => ({ key: k, value: canonicalValue(x) }));
    return { kvlistValue: vals.length ? { values: vals } : {} };
  }
  return {};
}

function canonicalAttrs(a: Attributes): unknown[] | undefined {
  const out = [];
  for (let j = 0; j < a.length; j++) out.push({ key: a.key(j), value: canonicalValue(a.value(j)) });
  return out.length ? out : undefined;
}

/** Read a whole batch back through the accessors into the oracle's canonical object shape. */
export function batchToCanonical(b: TraceBatch): Record<string, unknown> {
  const resourceSpans = [];
  for (let r = 0; r < b.resourceCount; r++) {
    const scopeSpans = [];
    for (let s = 0; s < b.scopeCount; s++) {
      if (b.scopeResource(s) !== r) continue;
      const spans = [];
      for (let i = 0; i < b.spanCount; i++) {
        if (b.spanScope(i) !== s) continue;
        const events = [];
        for (let e = 0; e < b.eventCount(i); e++) {
          events.push({
            timeUnixNano: b.eventTimeUnixNano(i, e).toString(),
            name: b.eventName(i, e),
            attributes: canonicalAttrs(b.eventAttributes(i, e)),
            droppedAttributesCount: b.eventDroppedAttributesCount(i, e),
          });
        }
        const links = [];
        for (let l = 0; l < b.linkCount(i); l++) {
          links.push({
            traceId: b.linkTraceIdHex(i, l),
            spanId: b.linkSpanIdHex(i, l),
            traceState: b.linkTraceState(i, l),
            attributes: canonicalAttrs(b.linkAttributes(i, l)),
            droppedAttributesCount: b.linkDroppedAttributesCount(i, l),
            flags: b.linkFlags(i, l),
          });
        }
        spans.push({
          traceId: b.traceIdHex(i),
          spanId: b.spanIdHex(i),
          traceState: b.traceState(i),
          parentSpanId: b.parentSpanIdHex(i),
          flags: b.flags(i),
          name: b.name(i),
          kind: b.kind(i),
          startTimeUnixNano: b.startTimeUnixNano(i).toString(),
          endTimeUnixNano: b.endTimeUnixNano(i).toString(),
          attributes: canonicalAttrs(b.spanAttributes(i)),
          droppedAttributesCount: b.droppedAttributesCount(i),
          events: events.length ? events : undefined,
          droppedEventsCount: b.droppedEventsCount(i),
          links: links.length ? links : undefined,
          droppedLinksCount: b.droppedLinksCount(i),
          status: { message: b.statusMessage(i), code: b.statusCode(i) },
        });
      }
      scopeSpans.push({
        scope: {
          name: b.scopeName(s),
          version: b.scopeVersion(s),
          attributes: canonicalAttrs(b.scopeAttributes(s)),
          droppedAttributesCount: b.scopeDroppedAttributesCount(s),
        },
        spans: spans.length ? spans : undefined,
        schemaUrl: b.scopeSchemaUrl(s),
      });
    }
    resourceSpans.push({
      resource: {
        attributes: canonicalAttrs(b.resourceAttributes(r)),
        droppedAttributesCount: b.resourceDroppedAttributesCount(r),
      },
      scopeSpans: scopeSpans.length ? scopeSpans : undefined,
      schemaUrl: b.resourceSchemaUrl(r),
    });
  }
  return { resourceSpans: resourceSpans.length ? resourceSpans : undefined };
}

/**
 * The protobuf of a random trace request whose spans share `traceIds` trace ids across resources and scopes
 * (5 % of spans without one): the generator alone gives every span its own trace id, which would make trace
 * affinity trivial (worker sharding tests).
 */
export function randomSharedTraceRequest(rng: Rng, traceIds: number): Uint8Array {
  const obj = randomRequest(rng, { maxResources: 4, maxScopes: 3, maxSpans: 12 }) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }> };
  const ids = Array.from({ length: traceIds }, (_, k) => {
    const b = Buffer.alloc(16);
    b.writeUInt32BE(Math.floor(rng() * 2 ** 32), 0);
    b.writeUInt32BE(k + 1, 12);
    return b;
  });
  for (const rs of obj.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        if (rng() < 0.05) delete s.traceId;
        else s.traceId = ids[Math.floor(rng() * ids.length)];
      }
    }
  }
  return oracleEncodeTraces(obj as unknown as Record<string, unknown>);
}
