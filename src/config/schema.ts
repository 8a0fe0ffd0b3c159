// A small declarative schema for component configs: it fills the Go collector's defaults, rejects unknown
// keys and reports every mistake with its YAML path, e.g.
//   processors.batch.send_batch_size: expected a positive integer, got "eight"
// A factory declares `configSchema = s.object({...})`; `Infer<typeof schema>` is its typed config.
// Empty and null values mean "defaults" (`batch:`, `grpc: null`, `batch: {}`), as in the Go collector.

import { ConfigError, ConfigIssue } from '../errors';

export interface Schema<T> {
  /** Parse `raw` found at `path`; push problems to `issues` and return a best-effort value. */
  parse(raw: unknown, path: string, issues: ConfigIssue[]): T;
  /** The value used when the key is absent or null. */
  defaultValue(): T;
  /** Human readable type, for error messages and docs. */
  readonly describe: string;
  /** For map schemas (`s.object`): the keys it accepts, for docs (README component table). */
  readonly keys?: readonly string[];
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

export function show(raw: unknown): string {
  if (typeof raw === 'string') return JSON.stringify(raw);
  if (raw === null) return 'null';
  if (Array.isArray(raw)) return 'a list';
  if (typeof raw === 'object') return 'a map';
  return String(raw);
}

function make<T>(describe: string, def: () => T, parse: (raw: unknown, path: string, issues: ConfigIssue[]) => T): Schema<T> {
  return {
    describe,
    defaultValue: def,
    parse(raw, path, issues) {
      if (raw === undefined || raw === null) return def();
      return parse(raw, path, issues);
    },
  };
}

function bad<T>(issues: ConfigIssue[], path: string, expected: string, raw: unknown, fallback: T): T {
  issues.push({ path, message: `expected ${expected}, got ${show(raw)}` });
  return fallback;
}

/** Strings from YAML like "8192" that a variable expanded into: numbers in Go configs are typed after expansion. */
function asNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return raw;
  // Go's YAML (yaml.v3) reads `100_000` as the integer 100000; YAML 1.2 (our parser) leaves it a string.
  if (typeof raw === 'string' && /^[+-]?\d+(_\d+)+$/.test(raw.trim())) return Number(raw.trim().replace(/_/g, ''));
  if (typeof raw === 'string' && raw.trim() !== '' && /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(raw.trim())) return Number(raw);
  return undefined;
}

export interface IntOptions {
  min?: number;
  max?: number;
}

function intSchema(def: number, opts: IntOptions, describe: string): Schema<number> {
  return make(describe, () => def, (raw, path, issues) => {
    const n = asNumber(raw);
    if (n === undefined || !Number.isInteger(n)) return bad(issues, path, describe, raw, def);
    if (opts.min !== undefined && n < opts.min) return bad(issues, path, describe, raw, def);
    if (opts.max !== undefined && n > opts.max) return bad(issues, path, describe, raw, def);
    return n;
  });
}

function numberSchema(def: number, opts: IntOptions, describe: string): Schema<number> {
  return make(describe, () => def, (raw, path, issues) => {
    const n = asNumber(raw);
    if (n === undefined || !Number.isFinite(n)) return bad(issues, path, describe, raw, def);
    if (opts.min !== undefined && n < opts.min) return bad(issues, path, describe, raw, def);
    if (opts.max !== undefined && n > opts.max) return bad(issues, path, describe, raw, def);
    return n;
  });
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };

/** Parse a Go duration ("200ms", "1m30s", "5s"); a bare number is nanoseconds as in Go. Returns milliseconds. */
export function parseDuration(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) && raw >= 0 ? raw / 1e6 : undefined;
  if (typeof raw !== 'string') return undefined;
  const str = raw.trim();
  if (str === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while (pos < str.length) {
    re.lastIndex = pos;
    m = re.exec(str);
    if (!m) return undefined;
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    pos = re.lastIndex;
  }
  return pos === 0 ? undefined : total;
}

type Shape = Record<string, Schema<unknown>>;
type ObjectOf<S extends Shape> = { [K in keyof S]: Infer<S[K]> };

export interface ObjectOptions<T> {
  /** Cross-field checks run after every field parsed; push issues with paths under `path`. */
  check?: (value: T, path: string, issues: ConfigIssue[]) => void;
  /** Keys accepted but ignored (documented upstream keys we do not act on). */
  ignoredKeys?: readonly string[];
}

export const s = {
  string(def = ''): Schema<string> {
    return make('a string', () => def, (raw, path, issues) => {
      if (typeof raw === 'string') return raw;
      if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
      return bad(issues, path, 'a string', raw, def);
    });
  },
  /** A string that must be one of `values`. */
  enum<V extends string>(values: readonly V[], def: V): Schema<V> {
    const describe = `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
    return make(describe, () => def, (raw, path, issues) => {
      if (typeof raw === 'string' && (values as readonly string[]).includes(raw)) return raw as V;
      return bad(issues, path, describe, raw, def);
    });
  },
  bool(def = false): Schema<boolean> {
    return make('a boolean', () => def, (raw, path, issues) => {
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      return bad(issues, path, 'a boolean', raw, def);
    });
  },
  int(def = 0, opts: IntOptions = {}): Schema<number> {
    const range =
      opts.min !== undefined && opts.max !== undefined
        ? ` between ${opts.min} and ${opts.max}`
        : opts.min !== undefined
          ? ` >= ${opts.min}`
          : opts.max !== undefined
            ? ` <= ${opts.max}`
            : '';
    return intSchema(def, opts, `an integer${range}`);
  },
  /** An integer >= 1. */
  positiveInt(def: number): Schema<number> {
    return intSchema(def, { min: 1 }, 'a positive integer');
  },
  /** An integer >= 0. */
  nonNegativeInt(def = 0): Schema<number> {
    return intSchema(def, { min: 0 }, 'a non-negative integer');
  },
  number(def = 0, opts: IntOptions = {}): Schema<number> {
    return numberSchema(def, opts, 'a number');
  },
  /** A Go duration string ("200ms", "5s"); value in milliseconds. */
  duration(def: string | number): Schema<number> {
    const defMs = typeof def === 'number' ? def : parseDuration(def)!;
    return make('a duration such as "200ms" or "5s"', () => defMs, (raw, path, issues) => {
      const ms = parseDuration(raw);
      if (ms === undefined) return bad(issues, path, 'a duration such as "200ms" or "5s"', raw, defMs);
      return ms;
    });
  },
  /** The value may be absent (undefined); present values are checked by `inner`. */
  optional<T>(inner: Schema<T>): Schema<T | undefined> {
    return {
      describe: inner.describe,
      defaultValue: () => undefined,
      parse(raw, path, issues) {
        if (raw === undefined || raw === null) return undefined;
        return inner.parse(raw, path, issues);
      },
    };
  },
  /** Like optional, but an explicit null/empty map means "present with defaults" (`grpc:` enables gRPC). */
  presence<T>(inner: Schema<T>, presentByDefault = false): Schema<T | undefined> {
    return {
      describe: inner.describe,
      defaultValue: () => (presentByDefault ? inner.defaultValue() : undefined),
      parse(raw, path, issues) {
        if (raw === undefined) return presentByDefault ? inner.defaultValue() : undefined;
        if (raw === null) return inner.defaultValue();
        return inner.parse(raw, path, issues);
      },
    };
  },
  array<T>(item: Schema<T>, def: () => T[] = () => []): Schema<T[]> {
    return make(`a list of ${item.describe}`, def, (raw, path, issues) => {
      if (!Array.isArray(raw)) return bad(issues, path, `a list`, raw, def());
      return raw.map((v, i) => item.parse(v, join(path, i), issues));
    });
  },
  /** A map with free-form keys (headers, attributes). */
  record<T>(value: Schema<T>): Schema<Record<string, T>> {
    return make(`a map`, () => ({}), (raw, path, issues) => {
      if (typeof raw !== 'object' || Array.isArray(raw)) return bad(issues, path, 'a map', raw, {});
      const out: Record<string, T> = {};
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) out[k] = value.parse(v, join(path, k), issues);
      return out;
    });
  },
  /** Anything, unchecked (for values whose type depends on context, e.g. attribute values). */
  any(def: unknown = undefined): Schema<unknown> {
    return { describe: 'a value', defaultValue: () => def, parse: (raw) => (raw === undefined ? def : raw) };
  },
  /** A map with known keys: unknown keys are rejected, absent keys take their defaults. */
  object<S extends Shape>(shape: S, opts: ObjectOptions<ObjectOf<S>> = {}): Schema<ObjectOf<S>> {
    const keys = Object.keys(shape);
    const ignored = new Set(opts.ignoredKeys ?? []);
    const def = (): ObjectOf<S> => {
      const out: Record<string, unknown> = {};
      for (const k of keys) out[k] = shape[k]!.defaultValue();
      return out as ObjectOf<S>;
    };
    return {
      describe: 'a map',
      keys,
      defaultValue: def,
      parse(raw, path, issues) {
        if (raw === undefined || raw === null) {
          const v = def();
          opts.check?.(v, path, issues);
          return v;
        }
        if (typeof raw !== 'object' || Array.isArray(raw)) return bad(issues, path, 'a map', raw, def());
        const obj = raw as Record<string, unknown>;
        for (const k of Object.keys(obj)) {
          if (!(k in shape) && !ignored.has(k)) {
            issues.push({ path: join(path, k), message: `unknown key "${k}" (valid keys: ${keys.join(', ')})` });
          }
        }
        const out: Record<string, unknown> = {};
        for (const k of keys) out[k] = shape[k]!.parse(obj[k], join(path, k), issues);
        const v = out as ObjectOf<S>;
        opts.check?.(v, path, issues);
        return v;
      },
    };
  },
  /** Custom parse on top of another schema (e.g. mapping a string to a compiled regexp). */
  map<A, B>(inner: Schema<A>, fn: (a: A, path: string, issues: ConfigIssue[]) => B, def: () => B): Schema<B> {
    return {
      describe: inner.describe,
      defaultValue: def,
      parse(raw, path, issues) {
        if (raw === undefined || raw === null) return def();
        const before = issues.length;
        const a = inner.parse(raw, path, issues);
        if (issues.length > before) return def();
        return fn(a, path, issues);
      },
    };
  },
};

/** Parse `raw` with `schema`, throwing a ConfigError listing every issue. */
export function parseOrThrow<T>(schema: Schema<T>, raw: unknown, path: string): T {
  const issues: ConfigIssue[] = [];
  const v = schema.parse(raw, path, issues);
  if (issues.length) throw new ConfigError(issues);
  return v;
}
