// OTTL converters (functions with capitalised names) usable in conditions. Semantics follow upstream's
// ottlfuncs (README "Converters") and the filter processor's own functions:
//
//   IsMatch(target, pattern)   RE2 pattern (translated to JS, unanchored search as Go's MatchString); target is
//                              "string-like" (bytes as hex, maps/lists as JSON, numbers as text); nil → false
//   Len(target)                bytes of a string (UTF-8), items of a list/map/byte slice
//   Int(v), Double(v)          conversions; nil when not convertible
//   String(v)                  string-like form (nil stays nil)
//   Concat([values], sep)      string-like forms joined; nil prints as "<nil>"
//   IsString/IsInt/IsDouble/IsBool/IsMap/IsList(v)
//   ToLowerCase(s), ToUpperCase(s), HasPrefix(s, prefix), HasSuffix(s, suffix), Substring(s, start, length)
//   Split(s, delimiter)        a list of strings
//   TraceID(0x…16 bytes), SpanID(0x…8 bytes)   ids to compare with trace_id / span_id
//   IsRootSpan()               span context: no parent span id
//   HasAttrKeyOnDatapoint(key), HasAttrOnDatapoint(key, value)   metric context (filter processor)
//
// An unknown function, a wrong number of arguments, an invalid literal pattern or a function used in the
// wrong context is a compile error (reported at config load). Type errors on data are runtime errors,
// handled by the caller's error_mode.

import type { MetricBatch } from '../pdata/metrics';
import type { TraceBatch } from '../pdata/traces';
import type { CallNode, ValueNode } from './ast';
import type { ContextDef, ContextName } from './contexts';
import { OttlCompileError } from './errors';
import { LEVEL_ITEM, LEVEL_LITERAL, literal, ovFn, type Fn, type Getter } from './getter';
import {
  OttlId, OttlList, OttlMap, OttlRuntimeError, stringLike, typeName, type OttlValue,
} from './values';
import { compileGoRegexp, GoRegexpError } from '../processors/internal/go-regexp';

export interface CallEnv {
  readonly ctx: ContextDef;
  compileValue(v: ValueNode): Getter;
}

interface FnDef {
  readonly params: readonly string[];
  readonly contexts?: readonly ContextName[];
  compile(args: readonly ValueNode[], env: CallEnv, call: CallNode): Getter;
}

const maxLevel = (gs: readonly Getter[]): number => gs.reduce((m, g) => Math.max(m, g.level), LEVEL_LITERAL);

/** A getter whose value must be a string (StringGetter): other types are a runtime error. */
function stringFn(g: Getter, what = 'string'): Fn {
  if (g.t === 'str') return g.f;
  const f = ovFn(g);
  return (b, i, j) => {
    const v = f(b, i, j) as OttlValue;
    if (typeof v !== 'string') throw new OttlRuntimeError(`expected ${what} but got ${v === null ? 'nil' : typeName(v)}`);
    return v;
  };
}

/** A getter whose value must be an int64 (IntGetter). Returns a JS number. */
function intFn(g: Getter): Fn {
  if (g.t === 'num') return g.f;
  const f = ovFn(g);
  return (b, i, j) => {
    const v = f(b, i, j) as OttlValue;
    if (typeof v !== 'bigint') throw new OttlRuntimeError(`expected int64 but got ${v === null ? 'nil' : typeName(v)}`);
    return Number(v);
  };
}

/** StringLikeGetter: string-like form or null. Uses the getter's string fast path when it has one. */
function stringLikeFn(g: Getter): Fn {
  if (g.t === 'str') return g.f;
  const f = ovFn(g);
  const fast = g.getStr;
  if (fast) {
    return (b, i, j) => {
      const s = fast(b, i, j);
      return s !== undefined ? s : stringLike(f(b, i, j));
    };
  }
  return (b, i, j) => stringLike(f(b, i, j));
}

function fold(g: Getter): Getter {
  // Constant arguments only: evaluate once (errors surface at compile time).
  if (g.level !== LEVEL_LITERAL || g.lit) return g;
  let v: OttlValue;
  try {
    v = ovFn(g)(undefined, 0, 0) as OttlValue;
  } catch (e) {
    throw new OttlCompileError((e as Error).message);
  }
  return literal(v);
}

function boolResult(args: Getter[], f: Fn): Getter {
  return fold({ t: 'bool', f, level: maxLevel(args) });
}

const REGEX_CACHE_MAX = 256;

function compileRegex(fn: string, pattern: string): RegExp {
  try {
    return compileGoRegexp(pattern).re;
  } catch (e) {
    const msg = e instanceof GoRegexpError ? e.message : String(e);
    throw new OttlCompileError(`the pattern supplied to ${fn} is not a valid regexp pattern: ${msg}`);
  }
}

function isType(pred: (v: OttlValue) => boolean): FnDef {
  return {
    params: ['value'],
    compile(args, env) {
      const g = env.compileValue(args[0]!);
      if (g.t !== 'ov' && !g.lit) {
        // Statically typed: the answer is known, but the argument is still evaluated (it may fail).
        const r = pred(g.t === 'str' ? '' : g.t === 'bool' ? false : g.t === 'f64' ? 0 : 0n);
        const gf = g.f;
        return { t: 'bool', f: (b, i, j) => (gf(b, i, j), r), level: g.level };
      }
      const f = ovFn(g);
      return boolResult([g], (b, i, j) => pred(f(b, i, j)));
    },
  };
}

/** Go's strings.ToLower/ToUpper are Unicode-aware like JS's (locale-independent). */
function caseFn(upper: boolean): FnDef {
  return {
    params: ['target'],
    compile(args, env) {
      const g = env.compileValue(args[0]!);
      const s = stringFn(g);
      return fold({ t: 'str', f: upper ? (b, i, j) => (s(b, i, j) as string).toUpperCase() : (b, i, j) => (s(b, i, j) as string).toLowerCase(), level: g.level });
    },
  };
}

function idFn(kind: 'trace' | 'span'): FnDef {
  const len = kind === 'trace' ? 16 : 8;
  return {
    params: ['bytes'],
    compile(args) {
      const a = args[0]!;
      if (a.k !== 'bytes') throw new OttlCompileError(`${kind === 'trace' ? 'TraceID' : 'SpanID'} needs a byte literal (0x…) of ${len} bytes`);
      if (a.v.length !== len) throw new OttlCompileError(`${kind === 'trace' ? 'traces' : 'span'} ids must be ${len} bytes`);
      return literal(new OttlId(kind, a.v));
    },
  };
}

function parseGoInt(s: string): bigint | null {
  if (!/^[+-]?\d+$/.test(s)) return null;
  const v = BigInt(s);
  return v >= -(2n ** 63n) && v <= 2n ** 63n - 1n ? v : null;
}

function parseGoFloat(s: string): number | null {
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}

const INT64_MIN_F = -9223372036854775808;

export const FUNCTIONS: Readonly<Record<string, FnDef>> = {
  IsMatch: {
    params: ['target', 'pattern'],
    compile(args, env) {
      const target = env.compileValue(args[0]!);
      const pattern = env.compileValue(args[1]!);
      const s = stringLikeFn(target);
      if (pattern.lit) {
        const p = pattern.lit.v;
        if (typeof p !== 'string') throw new OttlCompileError(`IsMatch: the pattern must be a string, got ${typeName(p)}`);
        const re = compileRegex('IsMatch', p);
        return boolResult([target], (b, i, j) => {
          const v = s(b, i, j);
          return v === null ? false : re.test(v);
        });
      }
      const pf = stringFn(pattern);
      const cache = new Map<string, RegExp>();
      return boolResult([target, pattern], (b, i, j) => {
        const p = pf(b, i, j) as string;
        let re = cache.get(p);
        if (!re) {
          try {
            re = compileGoRegexp(p).re;
          } catch (e) {
            throw new OttlRuntimeError(`the pattern supplied to IsMatch is not a valid regexp pattern: ${(e as Error).message}`);
          }
          if (cache.size >= REGEX_CACHE_MAX) cache.delete(cache.keys().next().value as string);
          cache.set(p, re);
        }
        const v = s(b, i, j);
        return v === null ? false : re.test(v);
      });
    },
  },
  Len: {
    params: ['target'],
    compile(args, env) {
      const g = env.compileValue(args[0]!);
      if (g.t === 'str') {
        const f = g.f;
        return fold({ t: 'num', f: (b, i, j) => Buffer.byteLength(f(b, i, j) as string, 'utf8'), level: g.level });
      }
      const f = ovFn(g);
      return fold({
        t: 'num',
        level: g.level,
        f: (b, i, j) => {
          const v = f(b, i, j) as OttlValue;
          if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
          if (v instanceof OttlList) return v.items.length;
          if (v instanceof OttlMap) return v.size;
          if (v instanceof Uint8Array) return v.length;
          throw new OttlRuntimeError(
            'target arg must be of type string, []any, map[string]any, pcommon.Map, pcommon.Slice, or pcommon.Value (of type String, Map, Slice)',
          );
        },
      });
    },
  },
  Int: {
    params: ['value'],
    compile(args, env) {
      const g = env.compileValue(args[0]!);
      if (g.t === 'num') return g;
      const f = ovFn(g);
      return fold({
        t: 'ov',
        level: g.level,
        f: (b, i, j) => {
          const v = f(b, i, j) as OttlValue;
          switch (typeof v) {
            case 'bigint': return v;
            case 'number':
              if (!Number.isFinite(v)) return null;
              if (v >= 9223372036854775807 || v < INT64_MIN_F) return BigInt.asIntN(64, BigInt(Math.trunc(v)));
              return BigInt(Math.trunc(v));
            case 'string': return parseGoInt(v);
            case 'boolean': return v ? 1n : 0n;
            default: return null;
          }
        },
      });
    },
  },
  Double: {
    params: ['value'],
    compile(args, env) {
      const g = env.compileValue(args[0]!);
      if (g.t === 'f64') return g;
      if (g.t === 'num') return { t: 'f64', f: g.f, level: g.level, lit: g.lit ? { v: Number(g.lit.v) } : undefined };
      const f = ovFn(g);
      return fold({
        t: 'ov',
        level: g.level,
        f: (b, i, j) => {
          const v = f(b, i, j) as OttlValue;
          switch (typeof v) {
            case 'number': return v;
            case 'bigint': return Number(v);
            case 'string': return parseGoFloat(v);
            case 'boolean': return v ? 1 : 0;
            default: return null;
          }
        },
      });
    },
  },
  String: {
    params: ['value'],
    compile(args, env) {
      const g = env.compileValue(args[0]!);
      if (g.t === 'str') return g;
      const s = stringLikeFn(g);
      return fold({ t: 'ov', f: s, level: g.level });
    },
  },
  Concat: {
    params: ['vals', 'delimiter'],
    compile(args, env) {
      const list = args[0]!;
      if (list.k !== 'list') throw new OttlCompileError('Concat: the first argument must be a list of values, e.g. Concat([name, "x"], "-")');
      const items = list.items.map((v) => env.compileValue(v));
      const fns = items.map(stringLikeFn);
      const delim = env.compileValue(args[1]!);
      const d = stringFn(delim, 'string delimiter');
      return fold({
        t: 'str',
        level: maxLevel([...items, delim]),
        f: (b, i, j) => {
          const sep = d(b, i, j) as string;
          let out = '';
          for (let k = 0; k < fns.length; k++) {
            const s = fns[k]!(b, i, j) as string | null;
            out += s === null ? '<nil>' : s;
            if (k !== fns.length - 1) out += sep;
          }
          return out;
        },
      });
    },
  },
  IsString: isType((v) => typeof v === 'string'),
  IsInt: isType((v) => typeof v === 'bigint'),
  IsDouble: isType((v) => typeof v === 'number'),
  IsBool: isType((v) => typeof v === 'boolean'),
  IsMap: isType((v) => v instanceof OttlMap),
  IsList: isType((v) => v instanceof OttlList),
  ToLowerCase: caseFn(false),
  ToUpperCase: caseFn(true),
  HasPrefix: {
    params: ['target', 'prefix'],
    compile(args, env) {
      const t = env.compileValue(args[0]!);
      const p = env.compileValue(args[1]!);
      const tf = stringFn(t);
      const pf = stringFn(p);
      return boolResult([t, p], (b, i, j) => (tf(b, i, j) as string).startsWith(pf(b, i, j) as string));
    },
  },
  HasSuffix: {
    params: ['target', 'suffix'],
    compile(args, env) {
      const t = env.compileValue(args[0]!);
      const p = env.compileValue(args[1]!);
      const tf = stringFn(t);
      const pf = stringFn(p);
      return boolResult([t, p], (b, i, j) => (tf(b, i, j) as string).endsWith(pf(b, i, j) as string));
    },
  },
  Substring: {
    params: ['target', 'start', 'length'],
    compile(args, env) {
      const t = env.compileValue(args[0]!);
      const s = env.compileValue(args[1]!);
      const l = env.compileValue(args[2]!);
      const tf = stringFn(t);
      const sf = intFn(s);
      const lf = intFn(l);
      return fold({
        t: 'str',
        level: maxLevel([t, s, l]),
        f: (b, i, j) => {
          const str = tf(b, i, j) as string;
          const start = sf(b, i, j) as number;
          const length = lf(b, i, j) as number;
          if (start < 0) throw new OttlRuntimeError(`invalid start for substring function, ${start} cannot be negative`);
          if (length <= 0) throw new OttlRuntimeError(`invalid length for substring function, ${length} cannot be negative or zero`);
          const bytes = Buffer.from(str, 'utf8');
          if (start + length > bytes.length) {
            throw new OttlRuntimeError(`invalid range for substring function, ${start + length} cannot be greater than the length of target string(${bytes.length})`);
          }
          return bytes.subarray(start, start + length).toString('utf8');
        },
      });
    },
  },
  Split: {
    params: ['target', 'delimiter'],
    compile(args, env) {
      const t = env.compileValue(args[0]!);
      const d = env.compileValue(args[1]!);
      const tf = stringFn(t);
      const df = stringFn(d);
      return fold({
        t: 'ov',
        level: maxLevel([t, d]),
        f: (b, i, j) => {
          const s = tf(b, i, j) as string;
          const sep = df(b, i, j) as string;
          // Go's strings.Split with an empty separator splits after each UTF-8 sequence (code point).
          return new OttlList(sep === '' ? Array.from(s) : s.split(sep));
        },
      });
    },
  },
  TraceID: idFn('trace'),
  SpanID: idFn('span'),
  IsRootSpan: {
    params: [],
    contexts: ['span'],
    compile() {
      return { t: 'bool', f: (b: TraceBatch, i) => b.parentSpanIdHex(i) === '', level: LEVEL_ITEM };
    },
  },
  HasAttrKeyOnDatapoint: {
    params: ['key'],
    contexts: ['metric'],
    compile(args, env) {
      const k = env.compileValue(args[0]!);
      if (!k.lit || typeof k.lit.v !== 'string') throw new OttlCompileError('HasAttrKeyOnDatapoint: the key must be a string literal');
      const key = k.lit.v;
      return {
        t: 'bool',
        level: LEVEL_ITEM,
        f: (b: MetricBatch, m) => {
          const first = b.metricFirstPoint(m);
          const n = b.metricPointCount(m);
          for (let p = first; p < first + n; p++) if (b.pointAttributes(p).indexOf(key) >= 0) return true;
          return false;
        },
      };
    },
  },
  HasAttrOnDatapoint: {
    params: ['key', 'expectedValue'],
    contexts: ['metric'],
    compile(args, env) {
      const k = env.compileValue(args[0]!);
      const v = env.compileValue(args[1]!);
      if (!k.lit || typeof k.lit.v !== 'string' || !v.lit || typeof v.lit.v !== 'string') {
        throw new OttlCompileError('HasAttrOnDatapoint: the key and the expected value must be string literals');
      }
      const key = k.lit.v;
      const want = v.lit.v;
      return {
        t: 'bool',
        level: LEVEL_ITEM,
        f: (b: MetricBatch, m) => {
          const first = b.metricFirstPoint(m);
          const n = b.metricPointCount(m);
          for (let p = first; p < first + n; p++) if (b.pointAttributes(p).getString(key) === want) return true;
          return false;
        },
      };
    },
  },
};

/** Bind a call's arguments (positional, then named) to the function's parameters and compile it. */
export function compileCall(call: CallNode, env: CallEnv): Getter {
  const def = Object.prototype.hasOwnProperty.call(FUNCTIONS, call.name) ? FUNCTIONS[call.name] : undefined;
  if (!def) {
    const known = Object.keys(FUNCTIONS).sort().join(', ');
    throw new OttlCompileError(`undefined function "${call.name}" (converters available in conditions: ${known})`, call.pos);
  }
  if (def.contexts && !def.contexts.includes(env.ctx.name)) {
    throw new OttlCompileError(`function "${call.name}" is only available in the ${def.contexts.join(', ')} context, not ${env.ctx.name}`, call.pos);
  }
  if (call.args.length !== def.params.length) {
    throw new OttlCompileError(`${call.name}: incorrect number of arguments. Expected: ${def.params.length} Received: ${call.args.length}`, call.pos);
  }
  const bound: Array<ValueNode | undefined> = new Array(def.params.length).fill(undefined);
  let named = false;
  call.args.forEach((a, n) => {
    if (a.funcName !== undefined) throw new OttlCompileError(`${call.name}: function arguments (${a.funcName}) are not supported`, a.pos);
    if (a.name === undefined) {
      if (named) throw new OttlCompileError(`${call.name}: unnamed argument used after named argument`, a.pos);
      bound[n] = a.value;
      return;
    }
    named = true;
    const idx = def.params.indexOf(a.name);
    if (idx < 0) throw new OttlCompileError(`${call.name}: no such parameter "${a.name}" (parameters: ${def.params.join(', ')})`, a.pos);
    if (bound[idx] !== undefined) throw new OttlCompileError(`${call.name}: parameter "${a.name}" given twice`, a.pos);
    bound[idx] = a.value;
  });
  let g: Getter;
  try {
    g = def.compile(bound as ValueNode[], env, call);
  } catch (e) {
    if (e instanceof OttlCompileError && !e.pos) throw new OttlCompileError(e.message, call.pos);
    throw e;
  }
  return g;
}
