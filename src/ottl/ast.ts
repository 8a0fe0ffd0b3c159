// The OTTL syntax tree of a boolean expression (a condition): what the parser produces and the compiler
// turns into closures. Shapes follow upstream's grammar (contrib pkg/ottl grammar.go): a boolean expression is
// terms joined by `or`, a term is boolean values joined by `and`, a boolean value is an optional `not` before a
// comparison, a constant (`true`/`false` or a converter call) or a parenthesized boolean expression.

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type MathOp = '+' | '-' | '*' | '/';

/** Where a node starts in the statement (1-based). */
export interface Pos {
  readonly line: number;
  readonly col: number;
  readonly offset: number;
}

export type BoolNode =
  | { readonly k: 'or'; readonly items: readonly BoolNode[] }
  | { readonly k: 'and'; readonly items: readonly BoolNode[] }
  | { readonly k: 'not'; readonly x: BoolNode }
  | { readonly k: 'cmp'; readonly op: CompareOp; readonly l: ValueNode; readonly r: ValueNode; readonly pos: Pos }
  | { readonly k: 'const'; readonly v: boolean }
  | { readonly k: 'convbool'; readonly call: CallNode };

/** A key of a path segment or of a converter result: `["str"]`, `[0]`, or (newer OTTL) `[expression]`. */
export type KeyNode =
  | { readonly k: 'str'; readonly v: string }
  | { readonly k: 'int'; readonly v: bigint }
  | { readonly k: 'expr'; readonly v: ValueNode };

export interface FieldNode {
  readonly name: string;
  readonly keys: readonly KeyNode[];
}

export interface PathNode {
  readonly k: 'path';
  /** Segments as written: `resource.attributes["x"]` → [resource, attributes["x"]]. */
  readonly fields: readonly FieldNode[];
  readonly pos: Pos;
  /** The path as written (for messages). */
  readonly text: string;
}

export interface ArgNode {
  /** `name = value` arguments (named). */
  readonly name?: string;
  readonly value?: ValueNode;
  /** A bare function name passed as an argument (`Sort(x, Asc)` style); unsupported by our functions. */
  readonly funcName?: string;
  readonly pos: Pos;
}

export interface CallNode {
  readonly k: 'call';
  readonly name: string;
  /** true when the name starts with a lowercase letter (an editor): invalid in conditions. */
  readonly editor: boolean;
  readonly args: readonly ArgNode[];
  readonly keys: readonly KeyNode[];
  readonly pos: Pos;
}

export type ValueNode =
  | { readonly k: 'nil' }
  | { readonly k: 'str'; readonly v: string }
  | { readonly k: 'int'; readonly v: bigint }
  | { readonly k: 'float'; readonly v: number }
  | { readonly k: 'bool'; readonly v: boolean }
  | { readonly k: 'bytes'; readonly v: Uint8Array }
  | { readonly k: 'enum'; readonly name: string; readonly pos: Pos }
  | PathNode
  | CallNode
  | { readonly k: 'list'; readonly items: readonly ValueNode[] }
  | { readonly k: 'map'; readonly items: ReadonlyArray<readonly [string, ValueNode]> }
  | { readonly k: 'math'; readonly op: MathOp; readonly l: ValueNode; readonly r: ValueNode; readonly pos: Pos };

/** Every path of a condition, in order (for context inference and checks). */
export function pathsOf(node: BoolNode): PathNode[] {
  const out: PathNode[] = [];
  const value = (v: ValueNode): void => {
    switch (v.k) {
      case 'path':
        out.push(v);
        for (const f of v.fields) keys(f.keys);
        break;
      case 'call':
        for (const a of v.args) if (a.value) value(a.value);
        keys(v.keys);
        break;
      case 'list':
        v.items.forEach(value);
        break;
      case 'map':
        for (const [, x] of v.items) value(x);
        break;
      case 'math':
        value(v.l);
        value(v.r);
        break;
      default:
        break;
    }
  };
  const keys = (ks: readonly KeyNode[]): void => {
    for (const k of ks) if (k.k === 'expr') value(k.v);
  };
  const bool = (b: BoolNode): void => {
    switch (b.k) {
      case 'or':
      case 'and':
        b.items.forEach(bool);
        break;
      case 'not':
        bool(b.x);
        break;
      case 'cmp':
        value(b.l);
        value(b.r);
        break;
      case 'convbool':
        value(b.call);
        break;
      default:
        break;
    }
  };
  bool(node);
  return out;
}

/** Every call (converter or editor) of a condition, in order. */
export function callsOf(node: BoolNode): CallNode[] {
  const out: CallNode[] = [];
  const value = (v: ValueNode): void => {
    if (v.k === 'call') {
      out.push(v);
      for (const a of v.args) if (a.value) value(a.value);
      for (const k of v.keys) if (k.k === 'expr') value(k.v);
    } else if (v.k === 'path') {
      for (const f of v.fields) for (const k of f.keys) if (k.k === 'expr') value(k.v);
    } else if (v.k === 'list') v.items.forEach(value);
    else if (v.k === 'map') for (const [, x] of v.items) value(x);
    else if (v.k === 'math') {
      value(v.l);
      value(v.r);
    }
  };
  const bool = (b: BoolNode): void => {
    if (b.k === 'or' || b.k === 'and') b.items.forEach(bool);
    else if (b.k === 'not') bool(b.x);
    else if (b.k === 'cmp') {
      value(b.l);
      value(b.r);
    } else if (b.k === 'convbool') value(b.call);
  };
  bool(node);
  return out;
}
