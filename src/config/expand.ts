// Variable expansion in configuration values, after the Go collector's confmap resolver (default scheme "env"):
//
//   ${env:VAR}            the variable's value
//   ${VAR}                same (bare form: the default scheme is env)
//   ${env:VAR:-default}   `default` when VAR is not set (a set-but-empty VAR stays empty, as in Go)
//   ${file:path}          the file's contents (YAML)
//   ${yaml:key: value}    inline YAML
//   $$                    a literal `$` (`$${env:VAR}` is the text `${env:VAR}`)
//
// Several variables may appear in one string (`${env:HOST}:${env:PORT}`); the result is a string. A value that is
// only one variable is typed after expansion, like confmap does: the variable's text is parsed as YAML, so
// `port: ${env:PORT}` with PORT=4317 is the integer 4317 and a variable holding a YAML map becomes a map.
// An undefined variable expands to "" inside a string and to null (= "use the default") as a whole value; it is
// reported as a warning (Go: "Configuration references unset environment variable").
// Only values are expanded, never keys. Expanded text is expanded again (up to 1000 times), as in Go.
//
// Differences from Go, on purpose:
//  * Go stops scanning a string at the first escaped `$${...}`, so in `$${env:A} ${env:B}` it leaves B
//    unexpanded; we keep scanning and expand B.
//  * A whole-value variable whose text is a number that would not print back the same (`0123`, `1.10`, `0x1F`)
//    stays a string, so string fields keep the exact text (Go keeps both representations and picks by the field's
//    type; our schemas accept numeric strings for number fields).
//  * `${VAR:-default}` without the `env:` scheme is accepted as `${env:VAR:-default}` (Go rejects the
//    unknown scheme "VAR").

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ConfigIssue } from '../errors';
import { join } from './schema';
import { isMap } from './merge';

export interface ExpandOptions {
  /** Environment variables (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Directory relative `${file:...}` paths are resolved against (default process.cwd()). */
  cwd?: string;
  /** Reads a file for `${file:...}` (default fs.readFileSync utf8). */
  readFile?: (p: string) => string;
}

export interface ExpandResult {
  value: unknown;
  issues: ConfigIssue[];
  /** Non-fatal findings (unset variables), one line each. */
  warnings: string[];
}

const SCHEME_RE = /^([A-Za-z][A-Za-z0-9+.-]+):([\s\S]*)$/;
export const ENV_NAME_PATTERN = '^[a-zA-Z_][a-zA-Z0-9_]*$';
const ENV_NAME_RE = new RegExp(ENV_NAME_PATTERN);
const MAX_EXPANSIONS = 1000;

/** What a variable resolved to: its raw text (used inside strings) and its YAML value (used for whole values). */
interface Retrieved {
  text: string;
  value: unknown;
}

class ExpandFailure extends Error {}

/** Parse variable text like confmap's NewRetrievedFromYAML: invalid YAML and YAML strings stay the raw text. */
export function retrievedFromYaml(text: string): Retrieved {
  let value: unknown;
  try {
    value = parseYaml(text, { merge: true });
  } catch {
    return { text, value: text };
  }
  if (value === undefined) value = null;
  if (typeof value === 'string') return { text, value: text };
  return { text, value };
}

/** The typed value of a whole-value variable (see the header for numbers). */
function typedValue(r: Retrieved): unknown {
  const v = r.value;
  if (typeof v === 'number') return String(v) === r.text.trim() ? v : r.text;
  return v;
}

/** Find the first unescaped innermost `${...}` in `s`: [start, end) or undefined. */
function findUri(s: string): [number, number] | undefined {
  let from = 0;
  for (;;) {
    const close = s.indexOf('}', from);
    if (close < 0) return undefined;
    from = close + 1;
    const open = s.lastIndexOf('${', close);
    if (open < 0) continue;
    let dollars = 0;
    for (let i = open - 1; i >= 0 && s[i] === '$'; i--) dollars++;
    if (dollars % 2 === 1) continue; // `$${...}`: escaped
    return [open, close + 1];
  }
}

class Expander {
  readonly issues: ConfigIssue[] = [];
  readonly warnings: string[] = [];
  private readonly warned = new Set<string>();
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly cwd: string;
  private readonly readFile: (p: string) => string;

  constructor(opts: ExpandOptions) {
    this.env = opts.env ?? process.env;
    this.cwd = opts.cwd ?? process.cwd();
    this.readFile = opts.readFile ?? ((p) => fs.readFileSync(p, 'utf8'));
  }

  walk(v: unknown, p: string, budget: number): unknown {
    if (typeof v === 'string') return this.expandString(v, p, budget);
    if (Array.isArray(v)) return v.map((x, i) => this.walk(x, join(p, i), budget));
    if (isMap(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.walk(x, join(p, k), budget);
      return out;
    }
    return v;
  }

  private expandString(s: string, p: string, budget: number): unknown {
    let cur = s;
    for (let n = 0; n < budget; n++) {
      if (!cur.includes('${') || !cur.includes('}')) return unescape(cur);
      const found = findUri(cur);
      if (!found) return unescape(cur);
      const [start, end] = found;
      let r: Retrieved;
      try {
        r = this.retrieve(cur.slice(start + 2, end - 1), p);
      } catch (e) {
        if (e instanceof ExpandFailure) {
          this.issues.push({ path: p, message: e.message });
          return unescape(cur);
        }
        throw e;
      }
      if (start === 0 && end === cur.length) {
        const typed = typedValue(r);
        if (typeof typed === 'string') {
          cur = typed;
          continue;
        }
        // Maps and lists from a variable are expanded in turn (confmap does the same).
        return this.walk(typed, p, budget - n - 1);
      }
      cur = cur.slice(0, start) + r.text + cur.slice(end);
    }
    this.issues.push({ path: p, message: 'too many recursive expansions' });
    return s;
  }

  private retrieve(uri: string, p: string): Retrieved {
    if (!uri.includes(':')) return this.fromEnv(uri, p);
    const m = SCHEME_RE.exec(uri);
    if (!m) throw new ExpandFailure(`invalid uri: ${JSON.stringify(uri)}`);
    const scheme = m[1]!;
    const opaque = m[2]!;
    if (opaque.includes('$')) {
      throw new ExpandFailure(`the uri ${JSON.stringify(`${scheme}:${opaque}`)} contains unsupported characters ('$')`);
    }
    switch (scheme) {
      case 'env':
        return this.fromEnv(opaque, p);
      case 'file': {
        const file = path.resolve(this.cwd, opaque);
        let text: string;
        try {
          text = this.readFile(file);
        } catch (e) {
          throw new ExpandFailure(`unable to read the file ${opaque}: ${(e as Error).message}`);
        }
        return retrievedFromYaml(text);
      }
      case 'yaml':
        return retrievedFromYaml(opaque);
      default:
        // `${VAR:-default}`: a bash-style default without the env scheme.
        if (ENV_NAME_RE.test(scheme) && opaque.startsWith('-')) return this.fromEnv(uri, p);
        if (scheme === 'http' || scheme === 'https') {
          throw new ExpandFailure(`scheme ${JSON.stringify(scheme)} is not supported by otelcol-ts (uri ${JSON.stringify(uri)})`);
        }
        throw new ExpandFailure(`scheme ${JSON.stringify(scheme)} is not supported for uri ${JSON.stringify(uri)}`);
    }
  }

  private fromEnv(spec: string, p: string): Retrieved {
    const cut = spec.indexOf(':-');
    const name = cut < 0 ? spec : spec.slice(0, cut);
    const def = cut < 0 ? undefined : spec.slice(cut + 2);
    if (!ENV_NAME_RE.test(name)) {
      throw new ExpandFailure(`environment variable ${JSON.stringify(name)} has invalid name: must match regex ${ENV_NAME_PATTERN}`);
    }
    const val = Object.prototype.hasOwnProperty.call(this.env, name) ? this.env[name] : undefined;
    if (val === undefined) {
      if (def !== undefined) return def === '' ? { text: '', value: '' } : retrievedFromYaml(def);
      if (!this.warned.has(name)) {
        this.warned.add(name);
        this.warnings.push(`Configuration references unset environment variable ${JSON.stringify(name)} (at ${p || 'the top level'}); it expands to an empty value`);
      }
      return { text: '', value: null };
    }
    return retrievedFromYaml(val);
  }
}

function unescape(s: string): string {
  return s.includes('$$') ? s.replace(/\$\$/g, '$') : s;
}

/** Expand every variable in the values of `root` (a parsed, merged config). Never throws for bad input. */
export function expandConfig(root: unknown, opts: ExpandOptions = {}): ExpandResult {
  const ex = new Expander(opts);
  const value = ex.walk(root, '', MAX_EXPANSIONS);
  return { value, issues: ex.issues, warnings: ex.warnings };
}

/** Expand one string value (tests, `--set` previews). */
export function expandValue(s: string, opts: ExpandOptions = {}): ExpandResult {
  return expandConfig(s, opts);
}
