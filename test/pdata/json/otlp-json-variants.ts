// Test helpers for the OTLP/JSON codecs of metrics and logs: canonical objects (the shape the protobufjs
// oracle decodes to: ids and bytes as lowercase hex, 64-bit integers as decimal strings, enums as numbers)
// rendered as OTLP/JSON text the way real senders write it (upper/mixed-case hex, bare numbers for int64,
// enum names, snake_case keys, unknown fields, shuffled keys, explicit defaults and nulls, pretty printing).

import assert from 'node:assert/strict';
import { DecodeError } from '../../../src/errors';

export type J = Record<string, unknown>;
export type Rng = () => number;

export const rint = (r: Rng, n: number): number => Math.floor(r() * n);
export const pick = <T>(r: Rng, a: readonly T[]): T => a[rint(r, a.length)];
export const chance = (r: Rng, p: number): boolean => r() < p;

/** Keys holding ids (hex in canonical form, Buffers for protobufjs fromObject). */
export const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

/** Canonical → protobufjs fromObject form (ids and bytes as Buffers). */
export function toFromObject(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => toFromObject(x, key));
  if (v && typeof v === 'object') {
    const out: J = {};
    for (const [k, x] of Object.entries(v as J)) out[k] = toFromObject(x, k);
    return out;
  }
  if (typeof v === 'string' && (ID_KEYS.has(key) || key === 'bytesValue')) return Buffer.from(v, 'hex');
  return v;
}

const AV_KEYS = new Set(['stringValue', 'boolValue', 'intValue', 'doubleValue', 'bytesValue', 'arrayValue', 'kvlistValue']);

/**
 * Remove scalar fields holding their proto3 default ('' , +0, '0', false) that protobufjs wrote only because the
 * generator set them explicitly: a JSON converter omits them. Fields with explicit presence are kept:
 * AnyValue members and whatever `presence(key, ownerKey, grandOwnerKey)` says (ownerKey = the field holding
 * the object, e.g. 'dataPoints'; grandOwnerKey = the one above it, e.g. 'histogram'). Messages stay even when
 * empty (they are present on the wire).
 */
export function stripDefaults(v: unknown, presence: (key: string, owner: string, grandOwner: string) => boolean, owner = '', grandOwner = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => stripDefaults(x, presence, owner, grandOwner));
  if (v && typeof v === 'object') {
    const out: J = {};
    for (const [k, x] of Object.entries(v as J)) {
      const isDefault = x === '' || x === '0' || x === false || (x === 0 && 1 / x > 0);
      if (isDefault && !AV_KEYS.has(k) && !presence(k, owner, grandOwner)) continue;
      out[k] = stripDefaults(x, presence, k, owner);
    }
    return out;
  }
  return v;
}

/** Raw JSON text inserted as is (exact number literals, -0). */
export class Raw {
  constructor(readonly text: string) {}
}

export function serialize(v: unknown, pretty: boolean, indent = ''): string {
  if (v instanceof Raw) return v.text;
  if (v === null) return 'null';
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (Object.is(v, -0)) return '-0';
    if (!Number.isFinite(v)) throw new Error(`serialize: ${v} has no JSON number form`);
    return String(v);
  }
  const nl = pretty ? '\n' + indent + '  ' : '';
  const end = pretty ? '\n' + indent : '';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return '[' + v.map((x) => nl + serialize(x, pretty, indent + '  ')).join(',') + end + ']';
  }
  const entries = Object.entries(v as J);
  if (entries.length === 0) return '{}';
  return '{' + entries.map(([k, x]) => nl + JSON.stringify(k) + (pretty ? ': ' : ':') + serialize(x, pretty, indent + '  ')).join(',') + end + '}';
}

export function snake(k: string): string {
  return k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

/** A double as OTLP/JSON writes it: non-finite values as strings (what serialize needs). */
export function jsonDouble(d: number): number | string {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  return d;
}

export interface VariantRules {
  /** Keys whose decimal strings may be sent as bare JSON numbers (int64/fixed64/uint64, also array elements). */
  readonly int64Keys: ReadonlySet<string>;
  /** Keys of 32-bit integers that may be sent as decimal strings. */
  readonly int32Keys: ReadonlySet<string>;
  /** Keys of doubles (also array elements): non-finite as strings, -0 as a literal, sometimes numeric strings. */
  readonly doubleKeys: ReadonlySet<string>;
  /** Enum keys → names by number. */
  readonly enums: Readonly<Record<string, readonly string[]>>;
  /** Absent-equivalent entries (lowerCamelCase keys) a sender may add where the key is missing (never presence fields). */
  readonly defaults: ReadonlyArray<[string, unknown]>;
}

function idVariant(r: Rng, hex: string): string {
  switch (rint(r, 3)) {
    case 0:
      return hex;
    case 1:
      return hex.toUpperCase();
    default:
      return [...hex].map((c) => (chance(r, 0.5) ? c.toUpperCase() : c)).join('');
  }
}

function base64Variant(r: Rng, hex: string): string {
  const b64 = Buffer.from(hex, 'hex').toString('base64');
  switch (rint(r, 3)) {
    case 0:
      return b64;
    case 1:
      return b64.replace(/=+$/, '');
    default:
      return b64.replace(/\+/g, '-').replace(/\//g, '_');
  }
}

const UNKNOWN_KEYS = ['unknownField', 'extra_thing', 'instrumentationLibraryMetrics', 'instrumentation_library_logs', 'dropped_links_count_v2'];
const UNKNOWN_VALUES: unknown[] = [null, 1, 'x', [1, { a: 2 }], { nested: { deeper: [] } }, true];

/** A canonical value rendered as a sender might write it (returns a tree for `serialize`). */
export function jsonVariant(r: Rng, rules: VariantRules, v: unknown, key: string): unknown {
  if (Array.isArray(v)) return v.map((x) => jsonVariant(r, rules, x, key));
  if (v && typeof v === 'object') {
    const o = v as J;
    const entries: Array<[string, unknown]> = [];
    for (const [k, x] of Object.entries(o)) entries.push([chance(r, 0.3) ? snake(k) : k, jsonVariant(r, rules, x, k)]);
    if (chance(r, 0.15)) {
      // (defaults are listed in lowerCamelCase, as canonical objects are: the key is absent in every spelling)
      const [dk, dv] = pick(r, rules.defaults);
      if (!(dk in o)) entries.push([chance(r, 0.3) ? snake(dk) : dk, dv]);
    }
    if (chance(r, 0.1)) entries.push([pick(r, UNKNOWN_KEYS), pick(r, UNKNOWN_VALUES)]);
    // Shuffled key order: the protobuf must come out in field-number order anyway.
    if (chance(r, 0.3)) {
      for (let k = entries.length - 1; k > 0; k--) {
        const j = rint(r, k + 1);
        [entries[k], entries[j]] = [entries[j], entries[k]];
      }
    }
    const out: J = {};
    for (const [k, x] of entries) out[k] = x;
    return out;
  }
  if (typeof v === 'string') {
    if (ID_KEYS.has(key)) return idVariant(r, v);
    if (key === 'bytesValue') return base64Variant(r, v);
    if (rules.int64Keys.has(key)) return chance(r, 0.35) ? new Raw(v) : v;
  }
  if (typeof v === 'number') {
    const names = rules.enums[key];
    if (names !== undefined && v >= 0 && v < names.length && chance(r, 0.4)) return names[v];
    if (rules.int32Keys.has(key) && chance(r, 0.3)) return String(v);
    if (rules.doubleKeys.has(key)) {
      if (!Number.isFinite(v)) return jsonDouble(v);
      if (Object.is(v, -0)) return new Raw('-0');
      if (chance(r, 0.2)) return String(v);
    }
  }
  return v;
}

/** OTLP/JSON text for a canonical request, with sender variations (sometimes pretty-printed). */
export function toJsonText(r: Rng, rules: VariantRules, canonical: J): string {
  return serialize(jsonVariant(r, rules, canonical, ''), chance(r, 0.2));
}

/** Run fn, which must throw a DecodeError (400, OTELTS_ERR_DECODE); returns it. */
export function decodeErr(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof DecodeError, `expected DecodeError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    assert.equal(e.code, 'OTELTS_ERR_DECODE');
    assert.equal(e.httpStatus, 400);
    return e;
  }
  assert.fail('expected a DecodeError, nothing was thrown');
}

/** Check bad inputs: each must give a DecodeError whose message contains (or matches) the expectation. */
export function checkBadInputs(convert: (body: string | Uint8Array) => unknown, cases: ReadonlyArray<[string, string | Uint8Array, string | RegExp]>): void {
  for (const [what, body, expect] of cases) {
    const e = decodeErr(() => convert(body));
    if (typeof expect === 'string') assert.ok(e.message.includes(expect), `${what}: message ${JSON.stringify(e.message)} lacks ${JSON.stringify(expect)}`);
    else assert.match(e.message, expect, what);
  }
}

/**
 * Every field of a JSON file is in the oracle-decoded request with the same value (ids case-insensitively),
 * nothing more; a scalar holding its proto3 default (scale: 0, zeroThreshold: 0) must be absent unless
 * `presence` says the field keeps a present default (histogram min: 0).
 */
export function compareFieldByField(json: unknown, decoded: unknown, where: string, presence: (key: string) => boolean): void {
  if (Array.isArray(json)) {
    assert.ok(Array.isArray(decoded), `${where}: expected an array`);
    assert.equal(decoded.length, json.length, `${where}: length`);
    json.forEach((x, k) => compareFieldByField(x, decoded[k], `${where}[${k}]`, presence));
    return;
  }
  if (json && typeof json === 'object') {
    assert.ok(decoded && typeof decoded === 'object', `${where}: expected an object`);
    const d = decoded as J;
    const keys: string[] = [];
    for (const [k, x] of Object.entries(json as J)) {
      const isDefault = x === 0 || x === '0' || x === '' || x === false;
      if (isDefault && !presence(k)) {
        assert.ok(!(k in d), `${where}.${k}: a default value must not be written`);
        continue;
      }
      keys.push(k);
      if (ID_KEYS.has(k)) assert.equal(d[k], (x as string).toLowerCase(), `${where}.${k}`);
      else compareFieldByField(x, d[k], `${where}.${k}`, presence);
    }
    assert.deepStrictEqual(Object.keys(d).sort(), keys.sort(), `${where}: keys`);
    return;
  }
  assert.equal(decoded, json, where);
}

/** Mutate valid JSON texts (truncate, replace a value with junk, flip a character): convert or DecodeError only. */
export function mutationFuzz(r: Rng, texts: () => string, convert: (body: string) => unknown, rounds: number): { converted: number; rejected: number } {
  const junk = ['null', '1', '-1', '1.5', '"x"', '"NaN"', 'true', '[]', '{}', '[null]', '"ZZ"', '1e400', '99999999999999999999999', '{"values":7}', '-0', '"-5"'];
  let converted = 0;
  let rejected = 0;
  for (let n = 0; n < rounds; n++) {
    const text = texts();
    let m: string;
    const at = rint(r, text.length);
    switch (rint(r, 3)) {
      case 0:
        m = text.slice(0, at);
        break;
      case 1: {
        const colon = text.indexOf(':', at);
        if (colon < 0) {
          m = text + '}';
          break;
        }
        let end = colon + 1;
        let depth = 0;
        for (; end < text.length; end++) {
          const c = text[end];
          if (c === '{' || c === '[') depth++;
          else if (c === '}' || c === ']') {
            if (depth === 0) break;
            depth--;
          } else if (c === ',' && depth === 0) break;
        }
        m = text.slice(0, colon + 1) + pick(r, junk) + text.slice(end);
        break;
      }
      default:
        m = text.slice(0, at) + String.fromCharCode(rint(r, 128)) + text.slice(at + 1);
    }
    try {
      convert(m);
      converted++;
    } catch (e) {
      assert.ok(e instanceof DecodeError, `mutation ${n}: ${e instanceof Error ? e.stack : String(e)}\n${m.slice(0, 400)}`);
      rejected++;
    }
  }
  return { converted, rejected };
}
