// AnyValue helpers with the Go collector's semantics (pcommon.Value): building a value from a raw config value
// (`Value.FromRaw`), the string form (`Value.AsString`), equality, and the Go number formats the processors need.

import type { AnyValue, ValueType } from '../../pdata/traces';

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

export function valueType(v: AnyValue): ValueType {
  if ('stringValue' in v) return 'string';
  if ('boolValue' in v) return 'bool';
  if ('intValue' in v) return 'int';
  if ('doubleValue' in v) return 'double';
  if ('bytesValue' in v) return 'bytes';
  if ('arrayValue' in v) return 'array';
  if ('kvlistValue' in v) return 'kvlist';
  return 'empty';
}

/** Go's type names as printed by pcommon.ValueType.String(). */
export function goTypeName(t: ValueType): string {
  switch (t) {
    case 'string': return 'Str';
    case 'bool': return 'Bool';
    case 'int': return 'Int';
    case 'double': return 'Double';
    case 'bytes': return 'Bytes';
    case 'array': return 'Slice';
    case 'kvlist': return 'Map';
    default: return 'Empty';
  }
}

/**
 * A raw config value (as parsed from YAML) to an AnyValue, like pcommon.Value.FromRaw: strings, booleans,
 * integers (int64), floats (double), lists (array), maps (kvlist), null → empty. Integral numbers are ints
 * (YAML `123`); non-integral are doubles. Returns an error message for values it cannot represent.
 */
export function anyValueFromRaw(raw: unknown): AnyValue | string {
  if (raw === null || raw === undefined) return {};
  if (typeof raw === 'string') return { stringValue: raw };
  if (typeof raw === 'boolean') return { boolValue: raw };
  if (typeof raw === 'bigint') {
    if (raw < INT64_MIN || raw > INT64_MAX) return `integer ${raw} overflows int64`;
    return { intValue: raw };
  }
  if (typeof raw === 'number') {
    if (Number.isInteger(raw) && Math.abs(raw) <= Number.MAX_SAFE_INTEGER) return { intValue: BigInt(raw) };
    return { doubleValue: raw };
  }
  if (raw instanceof Uint8Array) return { bytesValue: raw };
  if (Array.isArray(raw)) {
    const out: AnyValue[] = [];
    for (const x of raw) {
      const v = anyValueFromRaw(x);
      if (typeof v === 'string') return v;
      out.push(v);
    }
    return { arrayValue: out };
  }
  if (typeof raw === 'object') {
    const out: Array<[string, AnyValue]> = [];
    for (const [k, x] of Object.entries(raw as Record<string, unknown>)) {
      const v = anyValueFromRaw(x);
      if (typeof v === 'string') return v;
      out.push([k, v]);
    }
    return { kvlistValue: out };
  }
  return `<Invalid value type ${typeof raw}>`;
}

/** Go's float64 → string as done by pcommon (ES6 number-to-string rules; Go prints "+Inf"/"NaN" specially). */
export function goFloatString(f: number): string {
  if (Number.isNaN(f)) return 'json: unsupported value: NaN';
  if (f === Infinity) return 'json: unsupported value: +Inf';
  if (f === -Infinity) return 'json: unsupported value: -Inf';
  if (Object.is(f, -0)) return '-0';
  return String(f);
}

/** strconv.FormatFloat(f, 'f', -1, 64): shortest representation, never an exponent. */
export function goFormatFloatF(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (Object.is(f, -0)) return '-0';
  const s = String(f);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, intPart, frac = '', expStr] = m;
  const exp = Number(expStr);
  const digits = intPart! + frac;
  const point = intPart!.length + exp;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function rawForJSON(v: AnyValue): unknown {
  switch (valueType(v)) {
    case 'string': return (v as { stringValue: string }).stringValue;
    case 'bool': return (v as { boolValue: boolean }).boolValue;
    case 'int': return (v as { intValue: bigint }).intValue;
    case 'double': return (v as { doubleValue: number }).doubleValue;
    case 'bytes': return Buffer.from((v as { bytesValue: Uint8Array }).bytesValue).toString('base64');
    case 'array': return (v as { arrayValue: AnyValue[] }).arrayValue.map(rawForJSON);
    case 'kvlist': {
      const m = new Map<string, unknown>();
      for (const [k, x] of (v as { kvlistValue: Array<[string, AnyValue]> }).kvlistValue) m.set(k, rawForJSON(x));
      return m;
    }
    default: return null;
  }
}

// encoding/json.Marshal of Value.AsRaw(): map keys sorted, []byte as base64, floats ES6-style.
function goJSON(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'string') return JSON.stringify(x).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  if (typeof x === 'boolean') return x ? 'true' : 'false';
  if (typeof x === 'bigint') return x.toString();
  if (typeof x === 'number') return Number.isFinite(x) ? String(x) : 'null';
  if (Array.isArray(x)) return `[${x.map(goJSON).join(',')}]`;
  if (x instanceof Map) {
    const keys = [...x.keys()].sort();
    return `{${keys.map((k) => `${goJSON(k)}:${goJSON(x.get(k))}`).join(',')}}`;
  }
  return 'null';
}

/** pcommon.Value.AsString(). */
export function anyValueAsString(v: AnyValue): string {
  switch (valueType(v)) {
    case 'string': return (v as { stringValue: string }).stringValue;
    case 'bool': return (v as { boolValue: boolean }).boolValue ? 'true' : 'false';
    case 'int': return (v as { intValue: bigint }).intValue.toString();
    case 'double': return goFloatString((v as { doubleValue: number }).doubleValue);
    case 'bytes': return Buffer.from((v as { bytesValue: Uint8Array }).bytesValue).toString('base64');
    case 'array':
    case 'kvlist': return goJSON(rawForJSON(v));
    default: return '';
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Type and value equality (maps compare as unordered key sets, like a hash of the value would). */
export function anyValueEquals(a: AnyValue, b: AnyValue): boolean {
  const t = valueType(a);
  if (t !== valueType(b)) return false;
  switch (t) {
    case 'string': return (a as { stringValue: string }).stringValue === (b as { stringValue: string }).stringValue;
    case 'bool': return (a as { boolValue: boolean }).boolValue === (b as { boolValue: boolean }).boolValue;
    case 'int': return (a as { intValue: bigint }).intValue === (b as { intValue: bigint }).intValue;
    case 'double': return (a as { doubleValue: number }).doubleValue === (b as { doubleValue: number }).doubleValue;
    case 'bytes': return bytesEqual((a as { bytesValue: Uint8Array }).bytesValue, (b as { bytesValue: Uint8Array }).bytesValue);
    case 'array': {
      const x = (a as { arrayValue: AnyValue[] }).arrayValue;
      const y = (b as { arrayValue: AnyValue[] }).arrayValue;
      return x.length === y.length && x.every((v, i) => anyValueEquals(v, y[i]!));
    }
    case 'kvlist': {
      const x = (a as { kvlistValue: Array<[string, AnyValue]> }).kvlistValue;
      const y = new Map((b as { kvlistValue: Array<[string, AnyValue]> }).kvlistValue);
      const xm = new Map(x);
      if (xm.size !== y.size) return false;
      for (const [k, v] of xm) {
        const w = y.get(k);
        if (w === undefined || !anyValueEquals(v, w)) return false;
      }
      return true;
    }
    default: return true;
  }
}
