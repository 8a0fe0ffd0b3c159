// Recursive-descent parser for OTTL boolean expressions (conditions), following upstream's grammar
// (contrib pkg/ottl grammar.go, a participle grammar with unlimited lookahead). Where the grammar is ambiguous
// the alternatives are tried in upstream's order with backtracking — e.g. `(a == b)` first tries a math
// sub-expression `(a` … and falls back to a parenthesized condition — and a failed parse reports the error
// that got furthest into the statement, with its line and column:
//
//   1:23: unexpected token "<EOF>" (expected ")")
//
// Precedence: `or` < `and` < `not` < comparison; `not` applies to one boolean value (`not a or b` is
// `(not a) or b`); math `* /` bind tighter than `+ -`. Converters (functions) start with an uppercase letter;
// an editor (lowercase function) is rejected as upstream does.

import { tokenize, unquoteString, OttlSyntaxError, type Token, type TokenKind } from './lexer';
import type { ArgNode, BoolNode, CallNode, CompareOp, FieldNode, KeyNode, MathOp, PathNode, Pos, ValueNode } from './ast';

export { OttlSyntaxError };

/** Thrown to backtrack; the reason is in the parser's furthest-error record. */
class Backtrack {}
const BACKTRACK = new Backtrack();

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function describe(t: Token): string {
  return t.kind === 'EOF' ? '"<EOF>"' : JSON.stringify(t.text);
}

class Parser {
  private p = 0;
  private errAt = -1;
  private errExpected: string[] = [];
  /** A definite (non-backtracking) error: bad literal. */
  private hard: OttlSyntaxError | undefined;

  constructor(
    private readonly src: string,
    private readonly toks: Token[],
  ) {}

  // ---- helpers
  private get cur(): Token {
    return this.toks[this.p]!;
  }
  private peek(n = 1): Token {
    return this.toks[Math.min(this.p + n, this.toks.length - 1)]!;
  }
  private is(kind: TokenKind, text?: string): boolean {
    const t = this.cur;
    return t.kind === kind && (text === undefined || t.text === text);
  }
  private pos(t: Token = this.cur): Pos {
    return { line: t.line, col: t.col, offset: t.offset };
  }
  /** Record "expected X" at the current token and backtrack. */
  private fail(expected: string): never {
    if (this.p > this.errAt) {
      this.errAt = this.p;
      this.errExpected = [expected];
    } else if (this.p === this.errAt && !this.errExpected.includes(expected)) {
      this.errExpected.push(expected);
    }
    throw BACKTRACK;
  }
  private hardError(t: Token, msg: string): never {
    this.hard ??= new OttlSyntaxError(t.line, t.col, msg);
    throw this.hard;
  }
  private expect(kind: TokenKind, text: string | undefined, expected: string): Token {
    if (!this.is(kind, text)) this.fail(expected);
    return this.toks[this.p++]!;
  }
  /** Try `fn`; on backtrack restore the position and return undefined. */
  private attempt<T>(fn: () => T): T | undefined {
    const save = this.p;
    try {
      return fn();
    } catch (e) {
      if (e !== BACKTRACK) throw e;
      this.p = save;
      return undefined;
    }
  }

  error(): OttlSyntaxError {
    if (this.hard) return this.hard;
    const t = this.toks[Math.max(this.errAt, 0)]!;
    const exp = this.errExpected.length ? ` (expected ${this.errExpected.join(' or ')})` : '';
    return new OttlSyntaxError(t.line, t.col, `unexpected token ${describe(t)}${exp}`);
  }

  // ---- entry
  parseCondition(): BoolNode {
    let node: BoolNode | undefined;
    try {
      node = this.boolExpr();
    } catch (e) {
      if (e !== BACKTRACK) throw e;
      throw this.error();
    }
    if (!this.is('EOF')) {
      if (this.errAt >= this.p) throw this.error();
      const t = this.cur;
      throw new OttlSyntaxError(t.line, t.col, `unexpected token ${describe(t)}`);
    }
    return node;
  }

  // ---- boolean expressions
  private boolExpr(): BoolNode {
    const items = [this.term()];
    while (this.is('OpOr')) {
      this.p++;
      items.push(this.term());
    }
    return items.length === 1 ? items[0]! : { k: 'or', items };
  }

  private term(): BoolNode {
    const items = [this.boolValue()];
    while (this.is('OpAnd')) {
      this.p++;
      items.push(this.boolValue());
    }
    return items.length === 1 ? items[0]! : { k: 'and', items };
  }

  private boolValue(): BoolNode {
    let negate = false;
    if (this.is('OpNot')) {
      this.p++;
      negate = true;
    }
    const node = this.attempt(() => this.comparison()) ?? this.attempt(() => this.constExpr()) ?? this.subExpr();
    return negate ? { k: 'not', x: node } : node;
  }

  private comparison(): BoolNode {
    const start = this.cur;
    const l = this.value();
    if (!this.is('OpComparison')) this.fail('a comparison operator (==, !=, <, <=, >, >=)');
    const op = this.cur.text as CompareOp;
    this.p++;
    const r = this.value();
    return { k: 'cmp', op, l, r, pos: this.pos(start) };
  }

  private constExpr(): BoolNode {
    if (this.is('Boolean')) {
      const v = this.cur.text === 'true';
      this.p++;
      return { k: 'const', v };
    }
    if (this.is('Uppercase') && this.callAhead()) return { k: 'convbool', call: this.call(false) };
    if (this.is('Lowercase') && this.callAhead()) {
      let name = '';
      for (let k = 0; k < this.callNameLength(); k++) name += this.peek(k).text;
      this.hardError(this.cur, `converter names must start with an uppercase letter but got '${name}'`);
    }
    this.fail('a condition');
  }

  private subExpr(): BoolNode {
    this.expect('LParen', undefined, 'a condition');
    const e = this.boolExpr();
    this.expect('RParen', undefined, '")"');
    return e;
  }

  // ---- values
  private value(): ValueNode {
    const t = this.cur;
    switch (t.kind) {
      case 'Lowercase':
        if (t.text === 'nil') {
          this.p++;
          return { k: 'nil' };
        }
        return this.math();
      case 'Float':
      case 'Int':
      case 'LParen':
        return this.math();
      case 'Uppercase':
        if (this.callAhead()) return this.math();
        if (this.peek().kind === 'Lowercase' && this.peek().offset === t.offset + t.text.length) this.fail('"("');
        this.p++;
        return { k: 'enum', name: t.text, pos: this.pos(t) };
      case 'Bytes': {
        this.p++;
        const hex = t.text.slice(2);
        if (hex.length % 2 !== 0) this.hardError(t, 'encoding/hex: odd length hex string');
        return { k: 'bytes', v: Uint8Array.from(Buffer.from(hex, 'hex')) };
      }
      case 'String':
        this.p++;
        return { k: 'str', v: this.stringValue(t) };
      case 'Boolean':
        this.p++;
        return { k: 'bool', v: t.text === 'true' };
      case 'LBrace':
        return this.mapValue();
      case 'Punct':
        if (t.text === '[') return this.listValue();
        break;
      default:
        break;
    }
    this.fail('a value');
  }

  private stringValue(t: Token): string {
    const s = unquoteString(t.text);
    if (s === undefined) this.hardError(t, `invalid string literal ${t.text}`);
    return s;
  }

  private listValue(): ValueNode {
    this.expect('Punct', '[', '"["');
    const items: ValueNode[] = [];
    if (!this.is('Punct', ']')) {
      items.push(this.value());
      while (this.is('Punct', ',')) {
        this.p++;
        items.push(this.value());
      }
    }
    this.expect('Punct', ']', '"]"');
    return { k: 'list', items };
  }

  private mapValue(): ValueNode {
    this.expect('LBrace', undefined, '"{"');
    const items: Array<[string, ValueNode]> = [];
    while (this.is('String')) {
      const key = this.stringValue(this.cur);
      this.p++;
      this.expect('Colon', undefined, '":"');
      items.push([key, this.value()]);
      if (this.is('Punct', ',')) this.p++;
    }
    this.expect('RBrace', undefined, '"}"');
    return { k: 'map', items };
  }

  // ---- math
  private math(): ValueNode {
    let left = this.mulTerm();
    while (this.is('OpAddSub')) {
      const t = this.cur;
      this.p++;
      const right = this.mulTerm();
      left = { k: 'math', op: t.text as MathOp, l: left, r: right, pos: this.pos(t) };
    }
    return left;
  }

  private mulTerm(): ValueNode {
    let left = this.mathValue();
    while (this.is('OpMultDiv')) {
      const t = this.cur;
      this.p++;
      const right = this.mathValue();
      left = { k: 'math', op: t.text as MathOp, l: left, r: right, pos: this.pos(t) };
    }
    return left;
  }

  private mathValue(): ValueNode {
    if (this.is('LParen')) {
      this.p++;
      const e = this.math();
      this.expect('RParen', undefined, '")"');
      return e;
    }
    const t = this.cur;
    switch (t.kind) {
      case 'Float': {
        this.p++;
        const v = Number(t.text);
        if (!Number.isFinite(v)) this.hardError(t, `strconv.ParseFloat: parsing ${JSON.stringify(t.text)}: value out of range`);
        return { k: 'float', v };
      }
      case 'Int': {
        this.p++;
        const v = BigInt(t.text);
        if (v < INT64_MIN || v > INT64_MAX) this.hardError(t, `strconv.ParseInt: parsing ${JSON.stringify(t.text)}: value out of range`);
        return { k: 'int', v };
      }
      case 'Lowercase':
        if (this.callAhead()) return this.call(true);
        return this.path();
      case 'Uppercase':
        if (this.callAhead()) return this.call(false);
        break;
      default:
        break;
    }
    this.fail('a value');
  }

  // ---- calls and paths
  /** Length (in tokens) of the function name starting here when a `(` follows it, else 0. */
  private callNameLength(): number {
    let n = 0;
    let end = this.cur.offset;
    for (;;) {
      const t = this.peek(n);
      if ((t.kind !== 'Uppercase' && t.kind !== 'Lowercase') || t.offset !== end) break;
      end = t.offset + t.text.length;
      n++;
    }
    return n > 0 && this.peek(n).kind === 'LParen' ? n : 0;
  }
  private callAhead(): boolean {
    return this.callNameLength() > 0;
  }

  private call(editor: boolean): CallNode {
    const start = this.cur;
    const n = this.callNameLength();
    let name = '';
    for (let k = 0; k < n; k++) name += this.toks[this.p + k]!.text;
    this.p += n;
    this.expect('LParen', undefined, '"("');
    const args: ArgNode[] = [];
    if (!this.is('RParen')) {
      args.push(this.argument());
      while (this.is('Punct', ',')) {
        this.p++;
        args.push(this.argument());
      }
    }
    this.expect('RParen', undefined, '")"');
    const keys = this.keys();
    return { k: 'call', name, editor, args, keys, pos: this.pos(start) };
  }

  private argument(): ArgNode {
    const start = this.cur;
    let name: string | undefined;
    if (this.is('Lowercase') && this.peek().kind === 'Equal') {
      name = this.cur.text;
      this.p += 2;
    }
    const value = this.attempt(() => this.value());
    if (value) return { name, value, pos: this.pos(start) };
    if (this.is('Uppercase') || this.is('Lowercase')) {
      // A function name passed as an argument (Uppercase followed by more name tokens, no parentheses).
      let fn = '';
      let end = this.cur.offset;
      while ((this.is('Uppercase') || this.is('Lowercase')) && this.cur.offset === end) {
        fn += this.cur.text;
        end = this.cur.offset + this.cur.text.length;
        this.p++;
      }
      if (/^[A-Z]/.test(fn)) return { name, funcName: fn, pos: this.pos(start) };
    }
    this.fail('an argument');
  }

  private keys(): KeyNode[] {
    const keys: KeyNode[] = [];
    while (this.is('Punct', '[')) {
      this.p++;
      const t = this.cur;
      if (t.kind === 'String') {
        this.p++;
        keys.push({ k: 'str', v: this.stringValue(t) });
      } else if (t.kind === 'Int' && this.peek().kind === 'Punct' && this.peek().text === ']') {
        this.p++;
        const v = BigInt(t.text);
        if (v < INT64_MIN || v > INT64_MAX) this.hardError(t, `strconv.ParseInt: parsing ${JSON.stringify(t.text)}: value out of range`);
        keys.push({ k: 'int', v });
      } else {
        if (t.kind !== 'Lowercase' && t.kind !== 'Uppercase' && t.kind !== 'Int' && t.kind !== 'Float' && t.kind !== 'LParen') this.fail('a string or integer key');
        keys.push({ k: 'expr', v: this.math() });
      }
      this.expect('Punct', ']', '"]"');
    }
    return keys;
  }

  private path(): PathNode {
    const start = this.cur;
    const fields: FieldNode[] = [];
    const field = (): void => {
      const t = this.expect('Lowercase', undefined, 'a field name');
      fields.push({ name: t.text, keys: this.keys() });
    };
    field();
    while (this.is('Punct', '.')) {
      this.p++;
      field();
    }
    const last = this.toks[this.p - 1]!;
    const text = this.src.slice(start.offset, last.offset + last.text.length);
    return { k: 'path', fields, pos: this.pos(start), text };
  }
}

/** Parse one condition. Throws OttlSyntaxError (with line and column) when it is not valid OTTL. */
export function parseCondition(src: string): BoolNode {
  const parser = new Parser(src, tokenize(src));
  const node = parser.parseCondition();
  checkEditors(node);
  return node;
}

/** Upstream's custom check: a lowercase function (an editor) may not be used as a value. */
function checkEditors(node: BoolNode): void {
  const visitValue = (v: ValueNode): void => {
    switch (v.k) {
      case 'call':
        if (v.editor) throw new OttlSyntaxError(v.pos.line, v.pos.col, `converter names must start with an uppercase letter but got '${v.name}'`);
        for (const a of v.args) if (a.value) visitValue(a.value);
        for (const k of v.keys) if (k.k === 'expr') visitValue(k.v);
        break;
      case 'path':
        for (const f of v.fields) for (const k of f.keys) if (k.k === 'expr') visitValue(k.v);
        break;
      case 'list':
        v.items.forEach(visitValue);
        break;
      case 'map':
        for (const [, x] of v.items) visitValue(x);
        break;
      case 'math':
        visitValue(v.l);
        visitValue(v.r);
        break;
      default:
        break;
    }
  };
  const visit = (b: BoolNode): void => {
    switch (b.k) {
      case 'or':
      case 'and':
        b.items.forEach(visit);
        break;
      case 'not':
        visit(b.x);
        break;
      case 'cmp':
        visitValue(b.l);
        visitValue(b.r);
        break;
      case 'convbool':
        visitValue(b.call);
        break;
      default:
        break;
    }
  };
  visit(node);
}
