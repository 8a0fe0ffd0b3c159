// The OTTL lexer. Token kinds, their patterns and — what matters — their ORDER are upstream's
// (contrib pkg/ottl grammar.go buildLexer): at each position the first rule that matches wins, not the
// longest one. So `-1` is an Int (not an operator and a number), `IsMatch` is Uppercase "I", Lowercase "s",
// Uppercase "M", Lowercase "atch" (the parser joins them into a function name), `SPAN_KIND_SERVER` is one
// Uppercase token (an enum), and `not`/`and`/`or`/`true`/`false` are keywords only as whole words.
//
// Positions are 1-based line and column (columns count code points, as participle does for UTF-8 input),
// and every parse error reports them: `1:23: unexpected token "<EOF>" (expected ")")`.

export type TokenKind =
  | 'Bytes'
  | 'Float'
  | 'Int'
  | 'String'
  | 'OpNot'
  | 'OpOr'
  | 'OpAnd'
  | 'OpComparison'
  | 'OpAddSub'
  | 'OpMultDiv'
  | 'Boolean'
  | 'Equal'
  | 'LParen'
  | 'RParen'
  | 'LBrace'
  | 'RBrace'
  | 'Colon'
  | 'Punct'
  | 'Uppercase'
  | 'Lowercase'
  | 'EOF';

export interface Token {
  readonly kind: TokenKind;
  /** The source text of the token (for String: with quotes and escapes, as written). */
  readonly text: string;
  /** UTF-16 offset in the statement. */
  readonly offset: number;
  readonly line: number;
  readonly col: number;
}

/** A syntax error at a position of the statement. `message` has no position; `toString()`-style text is `line:col: message`. */
export class OttlSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly col: number,
    readonly detail: string,
  ) {
    super(`${line}:${col}: ${detail}`);
    this.name = 'OttlSyntaxError';
  }
}

// Sticky regexps, tried in upstream's order. \b is emulated with `wordBoundaryBefore`.
const RULES: ReadonlyArray<readonly [TokenKind, RegExp, boolean]> = [
  ['Bytes', /0x[a-fA-F0-9]+/y, false],
  ['Float', /[-+]?\d*\.\d+(?:[eE][-+]?\d+)?/y, false],
  ['Int', /[-+]?\d+/y, false],
  ['String', /"(?:\\[\s\S]|[^\\"])*"/y, false],
  ['OpNot', /not\b/y, true],
  ['OpOr', /or\b/y, true],
  ['OpAnd', /and\b/y, true],
  ['OpComparison', /==|!=|>=|<=|>|</y, false],
  ['OpAddSub', /[+-]/y, false],
  ['OpMultDiv', /[/*]/y, false],
  ['Boolean', /(?:true|false)\b/y, true],
  ['Equal', /=/y, false],
  ['LParen', /\(/y, false],
  ['RParen', /\)/y, false],
  ['LBrace', /\{/y, false],
  ['RBrace', /\}/y, false],
  ['Colon', /:/y, false],
  ['Punct', /[,.[\]]/y, false],
  ['Uppercase', /[A-Z][A-Z0-9_]*/y, false],
  ['Lowercase', /[a-z][a-z0-9_]*/y, false],
];

// Go's \s (RE2): [\t\n\f\r ] — not \v, not unicode spaces.
const WHITESPACE = /[\t\n\f\r ]+/y;
const WORD = /[0-9A-Za-z_]/;

/** Tokenize `src`; throws OttlSyntaxError on a character no rule accepts. The last token is EOF. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let pos = 0;
  let line = 1;
  let col = 1;
  const advance = (to: number): void => {
    for (let k = pos; k < to; k++) {
      const c = src.charCodeAt(k);
      if (c === 10) {
        line++;
        col = 1;
      } else if (c < 0xdc00 || c > 0xdfff) {
        col++; // a low surrogate continues the code point of the high one before it
      }
    }
    pos = to;
  };
  outer: while (pos < src.length) {
    WHITESPACE.lastIndex = pos;
    if (WHITESPACE.test(src)) {
      advance(WHITESPACE.lastIndex);
      continue;
    }
    const before = pos > 0 ? src[pos - 1]! : '';
    const boundary = before === '' || !WORD.test(before);
    for (const [kind, re, needsBoundary] of RULES) {
      if (needsBoundary && !boundary) continue;
      re.lastIndex = pos;
      const m = re.exec(src);
      if (!m || m[0].length === 0) continue;
      out.push({ kind, text: m[0], offset: pos, line, col });
      advance(pos + m[0].length);
      continue outer;
    }
    const cp = src.codePointAt(pos)!;
    throw new OttlSyntaxError(line, col, `invalid input text ${JSON.stringify(String.fromCodePoint(cp) + src.slice(pos + (cp > 0xffff ? 2 : 1), pos + 10))}`);
  }
  out.push({ kind: 'EOF', text: '', offset: pos, line, col });
  return out;
}

/**
 * Go's strconv.Unquote for a double-quoted literal (participle.Unquote): \a \b \f \n \r \t \v \\ \" \xHH
 * \ooo \uHHHH \UHHHHHHHH. Byte escapes (\x, octal) build UTF-8 byte sequences. Returns undefined when Go
 * would reject the literal (unknown escape, raw newline, bad code point).
 */
export function unquoteString(quoted: string): string | undefined {
  const s = quoted.slice(1, -1);
  if (!s.includes('\\')) return s.includes('\n') ? undefined : s;
  const bytes: number[] = [];
  const pushStr = (str: string): void => {
    for (const b of Buffer.from(str, 'utf8')) bytes.push(b);
  };
  for (let k = 0; k < s.length; k++) {
    const c = s[k]!;
    if (c === '\n') return undefined;
    if (c !== '\\') {
      // copy a whole code point
      const cp = s.codePointAt(k)!;
      const ch = String.fromCodePoint(cp);
      pushStr(ch);
      k += ch.length - 1;
      continue;
    }
    const e = s[++k];
    switch (e) {
      case 'a': bytes.push(7); break;
      case 'b': bytes.push(8); break;
      case 'f': bytes.push(12); break;
      case 'n': bytes.push(10); break;
      case 'r': bytes.push(13); break;
      case 't': bytes.push(9); break;
      case 'v': bytes.push(11); break;
      case '\\': bytes.push(92); break;
      case '"': bytes.push(34); break;
      case 'x': {
        const h = s.slice(k + 1, k + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(h)) return undefined;
        bytes.push(parseInt(h, 16));
        k += 2;
        break;
      }
      case 'u':
      case 'U': {
        const n = e === 'u' ? 4 : 8;
        const h = s.slice(k + 1, k + 1 + n);
        if (h.length !== n || !/^[0-9a-fA-F]+$/.test(h)) return undefined;
        const cp = parseInt(h, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
        pushStr(String.fromCodePoint(cp));
        k += n;
        break;
      }
      default: {
        if (e !== undefined && e >= '0' && e <= '7') {
          const o = s.slice(k, k + 3);
          if (!/^[0-7]{3}$/.test(o)) return undefined;
          const v = parseInt(o, 8);
          if (v > 255) return undefined;
          bytes.push(v);
          k += 2;
          break;
        }
        return undefined;
      }
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
