// Compiled value getters: what a path, literal, converter call or math expression compiles to. A getter is a
// closure over the batch's accessors, called per item with (batch, item index, sub-index) — the sub-index is
// the event index in the span event context and 0 elsewhere. Getters carry a static type so comparisons can
// be specialised at compile time (a `kind == SPAN_KIND_SERVER` is a number comparison, no BigInt, no boxing).

import type { Attributes } from '../pdata/traces';
import { OttlCompileError } from './errors';
import { AttrsMap, fromAnyValue, OttlRuntimeError, OttlList, OttlMap, type OttlValue } from './values';

/**
 * Static type of a getter's result:
 *   num  — an int64 known to fit a JS number exactly, returned as a number (kind, severity_number, counts)
 *   i64  — an int64 as a bigint, never nil (timestamps)
 *   f64  — a float64 as a number, never nil
 *   str  — a string, never nil
 *   bool — a boolean, never nil
 *   ov   — any OttlValue (ints as bigint, floats as number, nil as null)
 */
export type StaticType = 'num' | 'i64' | 'f64' | 'str' | 'bool' | 'ov';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Fn = (b: any, i: number, j: number) => any;

/** Dependency levels, for caching per resource / scope / metric (or span) within a batch. */
export const LEVEL_LITERAL = -1;
export const LEVEL_RESOURCE = 0;
export const LEVEL_SCOPE = 1;
/** The metric of a data point, the span of a span event. */
export const LEVEL_PARENT = 2;
export const LEVEL_ITEM = 3;

export interface Getter {
  readonly t: StaticType;
  readonly f: Fn;
  /** Highest level of data this getter reads (LEVEL_LITERAL for constants). */
  readonly level: number;
  /** Set for constants: the value (OTTL form: ints as bigint). */
  readonly lit?: { readonly v: OttlValue };
  /** Fast path: the value when it is a string, undefined when it is anything else (including nil). */
  readonly getStr?: Fn;
  /** Static result description for messages ("string", "int"...). */
  readonly what?: string;
}

export function literal(v: OttlValue): Getter {
  if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) {
    const n = Number(v);
    return { t: 'num', f: () => n, level: LEVEL_LITERAL, lit: { v } };
  }
  const t: StaticType = typeof v === 'string' ? 'str' : typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? 'f64' : typeof v === 'bigint' ? 'i64' : 'ov';
  return { t, f: () => v, level: LEVEL_LITERAL, lit: { v }, getStr: typeof v === 'string' ? () => v : undefined };
}

/** The getter's result as an OttlValue (converting number-typed ints to bigint). */
export function ovFn(g: Getter): Fn {
  if (g.lit) {
    const v = g.lit.v;
    return () => v;
  }
  if (g.t === 'num') {
    const f = g.f;
    return (b, i, j) => BigInt(f(b, i, j));
  }
  return g.f;
}

/** pcommon.Value type names, as upstream's "type Str does not support string indexing". */
function pTypeName(v: OttlValue): string {
  if (v === null) return 'Empty';
  switch (typeof v) {
    case 'string': return 'Str';
    case 'bigint': return 'Int';
    case 'number': return 'Double';
    case 'boolean': return 'Bool';
    default: break;
  }
  if (v instanceof Uint8Array) return 'Bytes';
  if (v instanceof OttlMap) return 'Map';
  if (v instanceof OttlList) return 'Slice';
  return 'Empty';
}

/** A key of a path/converter result, compiled: a constant string/int or a getter evaluated per item. */
export type CompiledKey = { readonly k: 'str'; readonly v: string } | { readonly k: 'int'; readonly v: number } | { readonly k: 'expr'; readonly g: Fn };

function resolveKey(key: CompiledKey, b: unknown, i: number, j: number): string | number {
  if (key.k !== 'expr') return key.v;
  const v = key.g(b, i, j) as OttlValue;
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return Number(v);
  throw new OttlRuntimeError(`could not resolve key for map/slice, expecting 'string' or 'int64' but got '${v === null ? '<nil>' : typeof v}'`);
}

/** Index a value by keys, as ctxutil getIndexableValue: maps by string, slices by int; a missing map key gives nil. */
export function indexValue(v: OttlValue, keys: readonly CompiledKey[], from: number, b: unknown, i: number, j: number): OttlValue {
  let cur = v;
  for (let n = from; n < keys.length; n++) {
    const k = resolveKey(keys[n]!, b, i, j);
    if (cur instanceof OttlMap) {
      if (typeof k !== 'string') throw new OttlRuntimeError('non-string indexing is not supported');
      const x = cur.get(k);
      if (x === undefined) return null;
      cur = x;
    } else if (cur instanceof OttlList) {
      if (typeof k !== 'number') throw new OttlRuntimeError('unable to resolve an integer index in slice: invalid key type');
      if (k < 0 || k >= cur.items.length) throw new OttlRuntimeError(`index ${k} out of bounds`);
      cur = cur.items[k]!;
    } else {
      throw new OttlRuntimeError(`type ${pTypeName(cur)} does not support string indexing`);
    }
  }
  return cur;
}

/** The attribute-map getter family: `attributes`, `attributes["k"]`, `attributes["k"]["x"][0]`. */
export function attributesGetter(view: (b: any, i: number, j: number) => Attributes, keys: readonly CompiledKey[], level: number): Getter {
  if (keys.length === 0) {
    return { t: 'ov', f: (b, i, j) => new AttrsMap(view(b, i, j)), level, what: 'map' };
  }
  const first = keys[0]!;
  if (first.k === 'int') throw new OttlCompileError('an attribute map can only be indexed by a string key');
  if (first.k === 'str') {
    const key = first.v;
    if (keys.length === 1) {
      return {
        t: 'ov',
        level,
        f: (b, i, j) => {
          const v = view(b, i, j).get(key);
          return v === undefined ? null : fromAnyValue(v);
        },
        getStr: (b, i, j) => view(b, i, j).getString(key),
      };
    }
    return {
      t: 'ov',
      level,
      f: (b, i, j) => {
        const v = view(b, i, j).get(key);
        return v === undefined ? null : indexValue(fromAnyValue(v), keys, 1, b, i, j);
      },
    };
  }
  return {
    t: 'ov',
    level,
    f: (b, i, j) => {
      const k = resolveKey(first, b, i, j);
      if (typeof k !== 'string') throw new OttlRuntimeError('unable to resolve a string index in map: invalid key type');
      const v = view(b, i, j).get(k);
      return v === undefined ? null : indexValue(fromAnyValue(v), keys, 1, b, i, j);
    },
  };
}
