// The OTTL condition compiler: turns a parsed condition into closures over the columnar batch, once, at
// config load. Evaluating a condition for an item is then a few closure calls reading the batch's columns —
// no tree walking, and no boxing where the types are known statically:
//
//   kind == SPAN_KIND_SERVER          → (b, i) => b.kind(i) === 2
//   severity_number < SEVERITY_NUMBER_WARN → (b, i) => b.severityNumber(i) < 13
//   attributes["http.route"] == "/x" → reads the attribute as a string without materializing a value
//
// Parts of a condition that read only the resource or scope (or, for data points, the metric; for span events,
// the span) are cached per resource/scope/metric/span within a batch: `resource.attributes["service.name"]
// == "checkout" and name == "GET"` evaluates the resource comparison once per resource of the batch.
//
// Comparisons, nil handling, int/float mixing, math and converters follow upstream (values.ts, functions.ts).

import type { BoolNode, CallNode, CompareOp, FieldNode, KeyNode, ValueNode } from './ast';
import { compilePath, CONTEXTS, type ContextDef, type ContextName } from './contexts';
import { OttlCompileError } from './errors';
import { compileCall } from './functions';
import { indexValue, literal, ovFn, LEVEL_LITERAL, type CompiledKey, type Fn, type Getter } from './getter';
import {
  compareBools, compareNumbers, compareStrings, compareValues, EntriesMap, OttlDuration, OttlList, OttlRuntimeError, OttlTime, typeName,
  type OttlValue,
} from './values';

/** A boolean node: evaluated with the batch, the item (i, j) and the per-batch caches. */
export type BoolFn = (b: any, i: number, j: number, cx: Int8Array[]) => boolean;

interface BoolC {
  readonly f: BoolFn;
  readonly level: number;
  readonly constant?: boolean;
}

/** A compiled condition for one context. */
export class CompiledCondition {
  constructor(
    /** The condition as written. */
    readonly text: string,
    readonly context: ContextName,
    private readonly root: BoolFn,
    /** Cache slots: the level each one caches (see ContextDef.levelIndex). */
    private readonly slotLevels: readonly number[],
  ) {}

  /**
   * An evaluator for `batch`: (item, sub-item) => matches. Sub-item is the event index in the span event
   * context, unused elsewhere. Throws OttlRuntimeError when the condition cannot be evaluated for the item.
   */
  bind(batch: unknown): (i: number, j?: number) => boolean {
    const ctx = CONTEXTS[this.context];
    const cx = this.slotLevels.map((l) => new Int8Array(ctx.levelCount[l]!(batch)));
    const root = this.root;
    return (i, j = 0) => root(batch, i, j, cx);
  }

  /** Evaluate for one item (convenience; prefer bind() in loops). */
  evaluate(batch: unknown, i: number, j = 0): boolean {
    return this.bind(batch)(i, j);
  }
}

const isNumT = (t: string): boolean => t === 'num' || t === 'f64';

/** A numeric comparison against a constant, specialised per operator. */
function numVsConst(f: Fn, c: number, op: CompareOp, constOnLeft: boolean): BoolFn {
  if (constOnLeft) {
    switch (op) {
      case '==': return (b, i, j) => c === f(b, i, j);
      case '!=': return (b, i, j) => c !== f(b, i, j);
      case '<': return (b, i, j) => c < f(b, i, j);
      case '<=': return (b, i, j) => c <= f(b, i, j);
      case '>': return (b, i, j) => c > f(b, i, j);
      case '>=': return (b, i, j) => c >= f(b, i, j);
    }
  }
  switch (op) {
    case '==': return (b, i, j) => f(b, i, j) === c;
    case '!=': return (b, i, j) => f(b, i, j) !== c;
    case '<': return (b, i, j) => f(b, i, j) < c;
    case '<=': return (b, i, j) => f(b, i, j) <= c;
    case '>': return (b, i, j) => f(b, i, j) > c;
    case '>=': return (b, i, j) => f(b, i, j) >= c;
  }
}

function ordered(c: number, op: CompareOp): boolean {
  switch (op) {
    case '==': return c === 0;
    case '!=': return c !== 0;
    case '<': return c < 0;
    case '<=': return c <= 0;
    case '>': return c > 0;
    case '>=': return c >= 0;
  }
}

/** Math on two values, as upstream math.go (int64 wraps; division by zero is an error). */
export function mathOp(x: OttlValue, y: OttlValue, op: '+' | '-' | '*' | '/'): OttlValue {
  if (typeof x === 'bigint' && typeof y === 'bigint') {
    switch (op) {
      case '+': return BigInt.asIntN(64, x + y);
      case '-': return BigInt.asIntN(64, x - y);
      case '*': return BigInt.asIntN(64, x * y);
      case '/':
        if (y === 0n) throw new OttlRuntimeError('attempted to divide by 0');
        return BigInt.asIntN(64, x / y);
    }
  }
  if ((typeof x === 'bigint' || typeof x === 'number') && (typeof y === 'bigint' || typeof y === 'number')) {
    const a = Number(x);
    const c = Number(y);
    switch (op) {
      case '+': return a + c;
      case '-': return a - c;
      case '*': return a * c;
      case '/':
        if (c === 0) throw new OttlRuntimeError('attempted to divide by 0');
        return a / c;
    }
  }
  if (typeof x === 'bigint' || typeof x === 'number') throw new OttlRuntimeError(`${String(y)} (${typeName(y)}) must be int64 or float64`);
  if (x instanceof OttlTime) {
    if (y instanceof OttlDuration && (op === '+' || op === '-')) return new OttlTime(op === '+' ? x.ns + y.ns : x.ns - y.ns);
    if (y instanceof OttlTime && op === '-') return new OttlDuration(x.ns - y.ns);
    throw new OttlRuntimeError(`time.Time can only be added to a time.Duration or subtracted from a time.Time, found ${typeName(y)}`);
  }
  if (x instanceof OttlDuration) {
    if (y instanceof OttlDuration && (op === '+' || op === '-')) return new OttlDuration(op === '+' ? x.ns + y.ns : x.ns - y.ns);
    if (y instanceof OttlTime && op === '+') return new OttlTime(x.ns + y.ns);
    throw new OttlRuntimeError(`only + and - with a time.Duration are supported on a time.Duration, found ${typeName(y)}`);
  }
  throw new OttlRuntimeError(`${x === null ? '<nil>' : typeName(x)} must be int64, float64, time.Time or time.Duration`);
}

class Compiler {
  readonly slots: number[] = [];
  constructor(readonly ctx: ContextDef) {}

  // ---- boolean nodes
  bool(node: BoolNode): BoolC {
    switch (node.k) {
      case 'const': {
        const v = node.v;
        return { f: () => v, level: LEVEL_LITERAL, constant: true };
      }
      case 'not': {
        const x = this.bool(node.x);
        const xf = x.f;
        return { f: (b, i, j, cx) => !xf(b, i, j, cx), level: x.level, constant: x.constant };
      }
      case 'and':
      case 'or': {
        const kids = node.items.map((n) => this.bool(n));
        const level = kids.reduce((m, c) => Math.max(m, c.level), LEVEL_LITERAL);
        const fs = kids.map((c) => (c.level < level ? this.cached(c) : c).f);
        const isAnd = node.k === 'and';
        if (fs.length === 2) {
          const [a, c] = fs as [BoolFn, BoolFn];
          return { f: isAnd ? (b, i, j, cx) => a(b, i, j, cx) && c(b, i, j, cx) : (b, i, j, cx) => a(b, i, j, cx) || c(b, i, j, cx), level };
        }
        return {
          level,
          f: isAnd
            ? (b, i, j, cx) => {
                for (let k = 0; k < fs.length; k++) if (!fs[k]!(b, i, j, cx)) return false;
                return true;
              }
            : (b, i, j, cx) => {
                for (let k = 0; k < fs.length; k++) if (fs[k]!(b, i, j, cx)) return true;
                return false;
              },
        };
      }
      case 'cmp':
        return this.compare(node.op, this.value(node.l), this.value(node.r));
      case 'convbool':
        return this.convBool(node.call);
    }
  }

  /** Cache a node per resource / scope / parent row when it reads nothing of the item itself. */
  cached(c: BoolC): BoolC {
    if (c.constant || c.level < 0 || c.level >= this.ctx.itemLevel) return c;
    const idx = this.ctx.levelIndex[c.level];
    if (!idx) return c;
    const slot = this.slots.length;
    this.slots.push(c.level);
    const f = c.f;
    return {
      level: c.level,
      f: (b, i, j, cx) => {
        const arr = cx[slot]!;
        const k = idx(b, i, j);
        const hit = arr[k];
        if (hit !== 0) return hit === 1;
        const v = f(b, i, j, cx);
        arr[k] = v ? 1 : 2;
        return v;
      },
    };
  }

  private convBool(call: CallNode): BoolC {
    const g = this.call(call);
    if (g.t === 'bool') {
      const f = g.f;
      return { f: (b, i, j) => f(b, i, j), level: g.level, constant: g.lit !== undefined };
    }
    if (g.t !== 'ov') {
      throw new OttlCompileError(`converter ${call.name} returns ${g.t === 'str' ? 'a string' : 'a number'}, not a boolean; compare its result, e.g. ${call.name}(…) == …`, call.pos);
    }
    const f = g.f;
    return {
      level: g.level,
      f: (b, i, j) => {
        const v = f(b, i, j) as OttlValue;
        if (typeof v !== 'boolean') throw new OttlRuntimeError(`value returned from Converter in constant expression must be bool but got ${v === null ? 'nil' : typeName(v)}`);
        return v;
      },
    };
  }

  private compare(op: CompareOp, L: Getter, R: Getter): BoolC {
    const level = Math.max(L.level, R.level);
    if (L.lit && R.lit) {
      const v = compareValues(L.lit.v, R.lit.v, op);
      return { f: () => v, level: LEVEL_LITERAL, constant: true };
    }
    // numbers: both statically numeric (int within 2^53 or float64)
    if (isNumT(L.t) && isNumT(R.t)) {
      if (R.lit) return { f: numVsConst(L.f, Number(R.lit.v), op, false), level };
      if (L.lit) return { f: numVsConst(R.f, Number(L.lit.v), op, true), level };
      const lf = L.f;
      const rf = R.f;
      return { f: (b, i, j) => compareNumbers(lf(b, i, j), rf(b, i, j), op), level };
    }
    // strings: a string-typed side or a string fast path against a string constant
    const strConst = (g: Getter): string | undefined => (g.lit && typeof g.lit.v === 'string' ? g.lit.v : undefined);
    const rs = strConst(R);
    const ls = strConst(L);
    if ((rs !== undefined && L.getStr) || (ls !== undefined && R.getStr)) {
      const constOnLeft = rs === undefined;
      const c = (constOnLeft ? ls : rs)!;
      const gs = (constOnLeft ? R.getStr : L.getStr)!;
      if (op === '==') return { f: (b, i, j) => gs(b, i, j) === c, level };
      if (op === '!=') return { f: (b, i, j) => gs(b, i, j) !== c, level };
      return {
        level,
        f: constOnLeft
          ? (b, i, j) => {
              const s = gs(b, i, j) as string | undefined;
              return s !== undefined && ordered(compareStrings(c, s), op);
            }
          : (b, i, j) => {
              const s = gs(b, i, j) as string | undefined;
              return s !== undefined && ordered(compareStrings(s, c), op);
            },
      };
    }
    if (L.t === 'str' && R.t === 'str') {
      const lf = L.f;
      const rf = R.f;
      if (op === '==') return { f: (b, i, j) => lf(b, i, j) === rf(b, i, j), level };
      if (op === '!=') return { f: (b, i, j) => lf(b, i, j) !== rf(b, i, j), level };
      return { f: (b, i, j) => ordered(compareStrings(lf(b, i, j), rf(b, i, j)), op), level };
    }
    if (L.t === 'bool' && R.t === 'bool') {
      const lf = L.f;
      const rf = R.f;
      return { f: (b, i, j) => compareBools(lf(b, i, j), rf(b, i, j), op), level };
    }
    // everything else: OTTL values with the generic rules
    const lf = ovFn(L);
    const rf = ovFn(R);
    return { f: (b, i, j) => compareValues(lf(b, i, j), rf(b, i, j), op), level };
  }

  // ---- values
  value(node: ValueNode): Getter {
    switch (node.k) {
      case 'nil': return literal(null);
      case 'str': return literal(node.v);
      case 'int': return literal(node.v);
      case 'float': return literal(node.v);
      case 'bool': return literal(node.v);
      case 'bytes': return literal(node.v);
      case 'enum': {
        const v = Object.prototype.hasOwnProperty.call(this.ctx.enums, node.name) ? this.ctx.enums[node.name] : undefined;
        if (v === undefined) throw new OttlCompileError(`enum symbol, ${node.name}, not found in the ${this.ctx.label} context`, node.pos);
        return literal(BigInt(v));
      }
      case 'path': {
        // A key expression may read the item (`resource.attributes[name]`): the getter then depends on it too.
        let keyLevel = LEVEL_LITERAL;
        const g = compilePath(this.ctx, node, (f) => {
          const r = this.keys(f);
          keyLevel = Math.max(keyLevel, this.lastKeyLevel);
          return r;
        });
        return keyLevel > g.level ? { ...g, level: keyLevel } : g;
      }
      case 'call':
        return this.call(node);
      case 'list': {
        const items = node.items.map((n) => this.value(n));
        if (items.every((g) => g.lit)) return literal(new OttlList(items.map((g) => g.lit!.v)));
        const fs = items.map(ovFn);
        return { t: 'ov', level: items.reduce((m, g) => Math.max(m, g.level), LEVEL_LITERAL), f: (b, i, j) => new OttlList(fs.map((f) => f(b, i, j))) };
      }
      case 'map': {
        const entries = node.items.map(([k, n]) => [k, this.value(n)] as const);
        if (entries.every(([, g]) => g.lit)) return literal(new EntriesMap(entries.map(([k, g]) => [k, g.lit!.v])));
        const fs = entries.map(([k, g]) => [k, ovFn(g)] as const);
        return {
          t: 'ov',
          level: entries.reduce((m, [, g]) => Math.max(m, g.level), LEVEL_LITERAL),
          f: (b, i, j) => new EntriesMap(fs.map(([k, f]) => [k, f(b, i, j)])),
        };
      }
      case 'math': {
        const l = this.value(node.l);
        const r = this.value(node.r);
        const op = node.op;
        if (l.lit && r.lit) {
          try {
            return literal(mathOp(l.lit.v, r.lit.v, op));
          } catch (e) {
            throw new OttlCompileError((e as Error).message, node.pos);
          }
        }
        const lf = ovFn(l);
        const rf = ovFn(r);
        return { t: 'ov', level: Math.max(l.level, r.level), f: (b, i, j) => mathOp(lf(b, i, j), rf(b, i, j), op) };
      }
    }
  }

  private call(node: CallNode): Getter {
    const g = compileCall(node, { ctx: this.ctx, compileValue: (v) => this.value(v) });
    if (node.keys.length === 0) return g;
    let keyLevel = LEVEL_LITERAL;
    const keys = node.keys.map((k) => {
      const c = this.key(k);
      keyLevel = Math.max(keyLevel, this.lastKeyLevel);
      return c;
    });
    const f = ovFn(g);
    return { t: 'ov', level: Math.max(g.level, keyLevel), f: (b, i, j) => indexValue(f(b, i, j), keys, 0, b, i, j) };
  }

  /** Highest level read by the key expressions compiled by the last keys()/call(). */
  private lastKeyLevel = LEVEL_LITERAL;

  keys(field: FieldNode): CompiledKey[] {
    this.lastKeyLevel = LEVEL_LITERAL;
    let level = LEVEL_LITERAL;
    const out = field.keys.map((k) => {
      const c = this.key(k);
      level = Math.max(level, this.lastKeyLevel);
      return c;
    });
    this.lastKeyLevel = level;
    return out;
  }

  private key(k: KeyNode): CompiledKey {
    this.lastKeyLevel = LEVEL_LITERAL;
    if (k.k === 'str') return { k: 'str', v: k.v };
    if (k.k === 'int') return { k: 'int', v: Number(k.v) };
    const g = this.value(k.v);
    this.lastKeyLevel = g.level;
    if (g.lit) {
      const v = g.lit.v;
      if (typeof v === 'string') return { k: 'str', v };
      if (typeof v === 'bigint') return { k: 'int', v: Number(v) };
      throw new OttlCompileError(`a key must be a string or an integer, got ${typeName(v)}`);
    }
    return { k: 'expr', g: ovFn(g) };
  }
}

/** Compile a parsed condition for `context`. Throws OttlCompileError for unknown paths, functions, enums. */
export function compileAst(text: string, ast: BoolNode, context: ContextName): CompiledCondition {
  const c = new Compiler(CONTEXTS[context]);
  const root = c.cached(c.bool(ast));
  return new CompiledCondition(text, context, root.f, c.slots);
}
