// Go (RE2) regular expressions in JavaScript. Collector configs are written for Go's `regexp` package, so
// patterns arrive in RE2 syntax: `(?P<name>…)` named groups, a leading `(?i)` flag group, `\A`/`\z`, POSIX
// classes `[[:alpha:]]`, `\Q…\E`, `\pL`, escapes of any punctuation (`\&`). This module rewrites such a pattern
// into an equivalent JS RegExp (always compiled with the `u` flag, so matching is by code point like Go's
// matching by rune) and reports the capture-group names by index, as Go's `SubexpNames()` does.
//
// What RE2 rejects we reject too (look-around, back-references), so a config that fails in Go fails here.
// Features of RE2 that Node 20's RegExp cannot express are refused with a clear message rather than being
// approximated: flag groups other than at the very start (`a(?i)b`, `(?i:…)`), the ungreedy flag `U`, `\C`.
//
// Matching semantics: Go's `MatchString` is a search (unanchored) — `auth.*` matches "oauth2"; use
// `re.test(s)` on the returned RegExp (never global/sticky, so `lastIndex` stays 0).

export interface GoRegexp {
  /** The compiled JS RegExp (flags include `u`; never `g`/`y`). */
  readonly re: RegExp;
  /** Like Go's SubexpNames(): index 0 is '' (whole match), then one entry per capture group ('' if unnamed). */
  readonly groupNames: readonly string[];
}

export class GoRegexpError extends Error {}

const JS_SYNTAX = new Set(['^', '$', '\\', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '/']);

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`\\{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

function escapeLiteral(ch: string, inClass: boolean): string {
  // In u mode `\-` is only valid inside a class.
  return JS_SYNTAX.has(ch) || (inClass && ch === '-') ? '\\' + ch : ch;
}

function isWordChar(c: string): boolean {
  return /^[0-9A-Za-z_]$/.test(c);
}

/** Translate an RE2 pattern; throws GoRegexpError with a message like Go's for invalid syntax. */
export function translateGoRegexp(pattern: string): { source: string; flags: string; groupNames: string[] } {
  let i = 0;
  let out = '';
  const flags = new Set<string>(['u']);
  const groupNames: string[] = [''];
  const n = pattern.length;
  let inClass = false;
  let classStart = -1; // index in `out` right after '[' or '[^'
  let depth = 0;

  // A leading flag group `(?flags)` applies to the whole pattern: map it onto JS flags.
  const lead = /^\(\?([a-zA-Z]+)\)/.exec(pattern);
  if (lead) {
    for (const f of lead[1]!) {
      if (f === 'i' || f === 's' || f === 'm') flags.add(f);
      else if (f === 'U') throw new GoRegexpError(`unsupported flag (?U) (ungreedy) in ${JSON.stringify(pattern)}`);
      else throw new GoRegexpError(`invalid or unsupported Perl syntax: \`(?${lead[1]}\``);
    }
    i = lead[0].length;
  }

  const fail = (msg: string): never => {
    throw new GoRegexpError(msg);
  };

  // Read a code point at position p of the pattern (handles surrogate pairs).
  const cpAt = (p: number): string => String.fromCodePoint(pattern.codePointAt(p)!);

  const translateEscape = (): string => {
    // pattern[i] === '\\'
    if (i + 1 >= n) fail('trailing backslash at end of expression');
    const c = cpAt(i + 1);
    i += 1 + c.length;
    switch (c) {
      case 'd': case 'D': case 'w': case 'W':
        return '\\' + c;
      case 's':
        // RE2's \s is ASCII [\t\n\f\r ]; JS's also matches \v and Unicode spaces.
        return inClass ? '\\t\\n\\f\\r ' : '[\\t\\n\\f\\r ]';
      case 'S':
        return inClass ? '\\S' : '[^\\t\\n\\f\\r ]';
      case 'b': case 'B':
        if (inClass) fail(`invalid escape sequence: \`\\${c}\``);
        return '\\' + c;
      case 'A':
        if (inClass) fail('invalid escape sequence: `\\A`');
        return flags.has('m') ? '(?<![\\s\\S])' : '^';
      case 'z':
        if (inClass) fail('invalid escape sequence: `\\z`');
        return '(?![\\s\\S])';
      case 'n': case 't': case 'r': case 'f': case 'v':
        return '\\' + c;
      case 'a':
        return '\\x07';
      case 'C':
        return fail('unsupported escape `\\C` (any byte)');
      case 'Q': {
        const end = pattern.indexOf('\\E', i);
        const lit = end < 0 ? pattern.slice(i) : pattern.slice(i, end);
        i = end < 0 ? n : end + 2;
        let s = '';
        for (const ch of lit) s += escapeLiteral(ch, inClass);
        return s;
      }
      case 'x': {
        if (pattern[i] === '{') {
          const end = pattern.indexOf('}', i);
          if (end < 0) fail('invalid escape sequence: `\\x{`');
          const hex = pattern.slice(i + 1, end);
          if (!/^[0-9A-Fa-f]{1,6}$/.test(hex) || parseInt(hex, 16) > 0x10ffff) fail(`invalid escape sequence: \`\\x{${hex}}\``);
          i = end + 1;
          return `\\u{${hex}}`;
        }
        const hex = pattern.slice(i, i + 2);
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) fail('invalid escape sequence: `\\x`');
        i += 2;
        return '\\x' + hex;
      }
      case 'p': case 'P': {
        let name: string;
        if (pattern[i] === '{') {
          const end = pattern.indexOf('}', i);
          if (end < 0) fail(`invalid character class range: \`\\${c}{\``);
          name = pattern.slice(i + 1, end);
          i = end + 1;
        } else {
          if (i >= n) fail(`invalid character class range: \`\\${c}\``);
          name = cpAt(i);
          i += name.length;
        }
        let neg = c === 'P';
        if (name.startsWith('^')) {
          neg = !neg;
          name = name.slice(1);
        }
        if (!/^[A-Za-z_]+$/.test(name)) fail(`invalid character class range: \`\\${c}{${name}}\``);
        const prop = name === 'Any' ? null : name.length <= 2 ? name : `Script=${name}`;
        if (prop === null) return neg ? '[^\\s\\S]' : '[\\s\\S]';
        return `\\${neg ? 'P' : 'p'}{${prop}}`;
      }
      default:
        if (c >= '0' && c <= '7') {
          // Octal escape \0, \12, \123 (RE2 accepts up to 3 octal digits; \8 and \9 are errors).
          let digits = c;
          while (digits.length < 3 && i < n && pattern[i]! >= '0' && pattern[i]! <= '7') digits += pattern[i++];
          if (c !== '0' && digits.length === 1) fail(`invalid escape sequence: \`\\${c}\``); // back-reference
          return `\\u{${parseInt(digits, 8).toString(16)}}`;
        }
        if (/^[0-9A-Za-z]$/.test(c)) fail(`invalid escape sequence: \`\\${c}\``);
        // Any punctuation may be escaped in RE2; in JS (u mode) only syntax characters may.
        return escapeLiteral(c, inClass);
    }
  };

  while (i < n) {
    const ch = pattern[i]!;
    if (inClass) {
      if (ch === ']' && out.length > classStart) {
        inClass = false;
        out += ']';
        i++;
        continue;
      }
      if (ch === ']') {
        // `[]a]`: a leading ']' is a literal in RE2.
        out += '\\]';
        i++;
        continue;
      }
      if (ch === '[' && pattern[i + 1] === ':') {
        const end = pattern.indexOf(':]', i + 2);
        if (end > 0) {
          let name = pattern.slice(i + 2, end);
          if (name.startsWith('^')) fail(`unsupported negated POSIX class \`[:${name}:]\` inside a class`);
          const set = POSIX_CLASSES[name];
          if (!set) fail(`invalid character class range: \`[:${name}:]\``);
          out += set;
          i = end + 2;
          continue;
        }
      }
      if (ch === '\\') {
        out += translateEscape();
        continue;
      }
      if (ch === '[') {
        out += '\\[';
        i++;
        continue;
      }
      // Inside a class (u mode, not v mode) every other character is literal as in RE2.
      const c = cpAt(i);
      out += c;
      i += c.length;
      continue;
    }
    switch (ch) {
      case '\\':
        out += translateEscape();
        break;
      case '[': {
        out += '[';
        i++;
        if (pattern[i] === '^') {
          out += '^';
          i++;
        }
        inClass = true;
        classStart = out.length;
        break;
      }
      case '(': {
        if (pattern[i + 1] === '?') {
          const rest = pattern.slice(i + 2);
          let m: RegExpExecArray | null;
          if ((m = /^P?<([^>]*)>/.exec(rest))) {
            const name = m[1]!;
            if (name === '' || ![...name].every(isWordChar)) fail(`invalid named capture: \`(?${m[0]}\``);
            if (groupNames.includes(name)) fail(`duplicate capture group name: \`${name}\``);
            groupNames.push(name);
            out += '(';
            i += 2 + m[0].length;
          } else if (rest.startsWith(':')) {
            out += '(?:';
            i += 3;
          } else if (rest.startsWith('=') || rest.startsWith('!') || rest.startsWith('<=') || rest.startsWith('<!')) {
            fail(`invalid or unsupported Perl syntax: \`(?${rest.slice(0, rest.startsWith('<') ? 2 : 1)}\``);
          } else if ((m = /^[a-zA-Z-]+[):]/.exec(rest))) {
            fail(`unsupported flag group \`(?${m[0]}\` (only a leading flag group such as "(?i)" is supported)`);
          } else {
            fail(`invalid or unsupported Perl syntax: \`(?${rest.slice(0, 1)}\``);
          }
        } else {
          groupNames.push('');
          out += '(';
          i++;
        }
        depth++;
        break;
      }
      case ')':
        if (depth === 0) fail(`unexpected ): \`${pattern}\``);
        depth--;
        out += ')';
        i++;
        break;
      case '{': {
        // A valid repetition {n}, {n,}, {n,m} stays; anything else is a literal brace in RE2.
        const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
        if (m) {
          if (Number(m[1]) > 1000 || (m[3] && Number(m[3]) > 1000)) fail(`invalid repeat count: \`${m[0]}\``);
          if (m[3] && Number(m[3]) < Number(m[1])) fail(`invalid repeat count: \`${m[0]}\``);
          out += m[0];
          i += m[0].length;
          // A lazy marker after the repetition stays as it is.
        } else {
          out += '\\{';
          i++;
        }
        break;
      }
      case '}':
        out += '\\}';
        i++;
        break;
      case ']':
        out += '\\]';
        i++;
        break;
      case '/':
        out += '\\/';
        i++;
        break;
      case '.':
        // RE2's `.` excludes only \n (unless (?s)); JS's also excludes \r, U+2028 and U+2029.
        out += flags.has('s') ? '[\\s\\S]' : '[^\\n]';
        i++;
        break;
      default: {
        const c = cpAt(i);
        out += c;
        i += c.length;
      }
    }
  }
  if (inClass) fail(`missing closing ]: \`${pattern.slice(pattern.lastIndexOf('['))}\``);
  if (depth > 0) fail(`missing closing ): \`${pattern}\``);
  return { source: out, flags: [...flags].sort().join(''), groupNames };
}

/** Compile a Go RE2 pattern. Throws GoRegexpError (message names the problem) when Go would reject it or JS cannot express it. */
export function compileGoRegexp(pattern: string): GoRegexp {
  const t = translateGoRegexp(pattern);
  let re: RegExp;
  try {
    re = new RegExp(t.source, t.flags);
  } catch (e) {
    throw new GoRegexpError(`error parsing regexp: ${(e as Error).message}`);
  }
  return { re, groupNames: t.groupNames };
}
