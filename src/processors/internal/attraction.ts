// Attribute actions (contrib internal/coreinternal/attraction), shared by the attributes and resource
// processors. Works on any `Attributes` view of any batch (span, data point, log record, resource, ...).
//
//   actions: [{ key, action, value, default_value, pattern, from_attribute, from_context, converted_type }]
//
// Semantics copied from upstream:
//   insert   set `key` only when absent            update  set `key` only when present
//   upsert   set `key` in both cases               (value source: value | from_context | from_attribute,
//                                                    falling back to default_value; nothing found → no-op)
//   delete   remove `key`, then every key matching `pattern`
//   hash     replace the value of `key`, then of every key matching `pattern`, by the lowercase hex SHA-256
//            of its bytes (string: UTF-8; bool: 1 byte 0/1; int: 8 bytes little-endian; double: IEEE-754
//            8 bytes little-endian; other types become ""). Upstream switched from SHA-1 to SHA-256 when the
//            feature gate `coreinternal.attraction.hash.sha256` became stable (v0.85).
//   extract  match `pattern` (Go RE2, named groups) against the string value of `key` and upsert one string
//            attribute per group (a group that did not participate gives ""); no match / not a string → no-op
//   convert  to int | double | string, as pcommon does (a string that does not parse is left unchanged)
//
// Everything that depends only on the config (lower-cased action, constant values, compiled regexps, group
// names) is computed once, when the processor is created; processing a span runs one closure per action.

import { createHash } from 'node:crypto';
import type { ConfigIssue } from '../../errors';
import { s, join, type Infer } from '../../config/schema';
import type { AnyValue, Attributes } from '../../pdata/traces';
import type { Logger } from '../../component/types';
import { anyValueAsString, anyValueFromRaw, INT64_MAX, INT64_MIN, valueType } from './any-value';
import { compileGoRegexp, GoRegexpError } from './go-regexp';
import { RateLimitedLog } from './rate-limited-log';

export const actionSchema = s.object({
  /** The attribute to act upon. */
  key: s.string(''),
  /** insert | update | upsert | delete | hash | extract | convert (any case). */
  action: s.string(''),
  /** A constant value (type from the YAML: string, bool, int, double, list, map). */
  value: s.any(),
  /** Fallback of insert/update/upsert when value/from_attribute/from_context gives nothing. */
  default_value: s.any(),
  /** Go RE2 regexp: named groups for extract; attribute-key pattern for delete/hash. */
  pattern: s.string(''),
  from_attribute: s.string(''),
  /** metadata.<key> | auth.<attr> | client.address | <key> (client info of the request). */
  from_context: s.string(''),
  /** int | double | string, for convert. */
  converted_type: s.string(''),
});

export type ActionConfig = Infer<typeof actionSchema>;

/**
 * What a request's client info can provide to `from_context` (upstream: client.Info from the receiver).
 * otelcol-ts does not carry client info through pipelines yet, so processors pass undefined and
 * `from_context` always falls back to `default_value` (or does nothing).
 */
export interface ClientContext {
  address?: string;
  metadata?(key: string): readonly string[] | undefined;
  auth?(attr: string): string | readonly string[] | undefined;
}

type Action = (attrs: Attributes, ctx: ClientContext | undefined) => void;

export class AttrProc {
  constructor(private readonly actions: readonly Action[]) {}
  /** Apply every action, in order, to one attribute map. */
  process(attrs: Attributes, ctx?: ClientContext): void {
    const acts = this.actions;
    for (let k = 0; k < acts.length; k++) acts[k]!(attrs, ctx);
  }
}

// ---------------------------------------------------------------- value helpers

function present(v: unknown): boolean {
  return v !== undefined && v !== null;
}

function fromContext(ctx: ClientContext | undefined, key: string): AnyValue | undefined {
  if (!ctx) return undefined;
  let vals: readonly string[] | undefined;
  if (key === 'client.address') {
    vals = ctx.address === undefined ? undefined : [ctx.address];
  } else if (key.startsWith('metadata.')) {
    vals = ctx.metadata?.(key.slice('metadata.'.length));
  } else if (key.startsWith('auth.')) {
    const a = ctx.auth?.(key.slice('auth.'.length));
    if (typeof a === 'string') return { stringValue: a };
    vals = a;
  } else {
    vals = ctx.metadata?.(key);
  }
  if (!vals || vals.length === 0) return undefined;
  return { stringValue: vals.join(';') };
}

const HASH_BUF = Buffer.alloc(8);
const TRUE_BYTE = Buffer.from([1]);
const FALSE_BYTE = Buffer.from([0]);

/** The hashed form of a value: SHA-256 hex of its bytes, "" for types upstream does not hash. */
export function hashValue(v: AnyValue): AnyValue {
  let bytes: Uint8Array;
  switch (valueType(v)) {
    case 'string':
      bytes = Buffer.from((v as { stringValue: string }).stringValue, 'utf8');
      break;
    case 'bool':
      bytes = (v as { boolValue: boolean }).boolValue ? TRUE_BYTE : FALSE_BYTE;
      break;
    case 'int':
      HASH_BUF.writeBigInt64LE((v as { intValue: bigint }).intValue);
      bytes = HASH_BUF;
      break;
    case 'double':
      HASH_BUF.writeDoubleLE((v as { doubleValue: number }).doubleValue);
      bytes = HASH_BUF;
      break;
    default:
      return { stringValue: '' };
  }
  return { stringValue: createHash('sha256').update(bytes).digest('hex') };
}

/** strconv.ParseInt(s, 10, 64); undefined when it fails. */
export function goParseInt(str: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(str)) return undefined;
  const n = BigInt(str);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/** strconv.ParseFloat(s, 64); undefined when it fails (syntax or overflow). */
export function goParseFloat(str: string): number | undefined {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(str)) {
    const f = Number(str);
    return Number.isFinite(f) ? f : undefined;
  }
  const inf = /^([+-]?)(inf|infinity)$/i.exec(str);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  if (/^nan$/i.test(str)) return NaN;
  // Hexadecimal floating point: 0x1.8p3 (underscores allowed between digits after the prefix).
  const hex = /^([+-]?)0[xX]([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?[pP]([+-]?\d+)$/.exec(str);
  if (hex) {
    const intDigits = hex[2]!.replace(/_/g, '');
    const fracDigits = (hex[3] ?? '').replace(/_/g, '');
    if (intDigits === '' && fracDigits === '') return undefined;
    let mant = 0;
    for (const d of intDigits + fracDigits) mant = mant * 16 + parseInt(d, 16);
    const f = mant * 2 ** (Number(hex[4]) - 4 * fracDigits.length);
    if (!Number.isFinite(f)) return undefined;
    return hex[1] === '-' ? -f : f;
  }
  return undefined;
}

/** Go's int64(float64) conversion; out-of-range and NaN give math.MinInt64 as on amd64. */
function doubleToInt64(f: number): bigint {
  if (!Number.isFinite(f) || f >= 9223372036854775808 || f < -9223372036854775808) return INT64_MIN;
  return BigInt(Math.trunc(f));
}

/** The converted value, or undefined when upstream leaves the attribute unchanged. */
export function convertValue(v: AnyValue, to: 'int' | 'double' | 'string'): AnyValue | undefined {
  const t = valueType(v);
  switch (to) {
    case 'string':
      return t === 'string' ? undefined : { stringValue: anyValueAsString(v) };
    case 'int':
      switch (t) {
        case 'double': return { intValue: doubleToInt64((v as { doubleValue: number }).doubleValue) };
        case 'bool': return { intValue: (v as { boolValue: boolean }).boolValue ? 1n : 0n };
        case 'string': {
          const n = goParseInt((v as { stringValue: string }).stringValue);
          return n === undefined ? undefined : { intValue: n };
        }
        default: return undefined;
      }
    case 'double':
      switch (t) {
        case 'int': return { doubleValue: Number((v as { intValue: bigint }).intValue) };
        case 'bool': return { doubleValue: (v as { boolValue: boolean }).boolValue ? 1 : 0 };
        case 'string': {
          const f = goParseFloat((v as { stringValue: string }).stringValue);
          return f === undefined ? undefined : { doubleValue: f };
        }
        default: return undefined;
      }
  }
}

function matchingKeys(re: RegExp, attrs: Attributes): string[] {
  const keys: string[] = [];
  for (let j = 0; j < attrs.length; j++) {
    const k = attrs.key(j);
    if (re.test(k)) keys.push(k);
  }
  return keys;
}

// ---------------------------------------------------------------- compile

const q = (x: string) => JSON.stringify(x);

/**
 * attraction.NewAttrProc: validate and compile `actions`. Issues are pushed with YAML paths under `path`
 * (e.g. `processors.attributes.actions[2].pattern`) and upstream's messages; returns undefined when invalid.
 */
export function compileAttrProc(actions: readonly ActionConfig[], path: string, issues: ConfigIssue[], logger?: Logger): AttrProc | undefined {
  const before = issues.length;
  const out: Action[] = [];
  const convertLog = logger ? new RateLimitedLog(logger, 'debug') : undefined;

  actions.forEach((a, i) => {
    const p = join(path, i);
    const err = (field: string | undefined, message: string) => issues.push({ path: field ? join(p, field) : p, message });
    const action = a.action.toLowerCase();
    const key = a.key;

    if (action === 'delete' || action === 'hash') {
      if (key === '' && a.pattern === '')
        return err(undefined, `error creating AttrProc due to missing required field (at least one of "key" and "pattern" have to be used) at the ${i}-th actions`);
    } else if (key === '') {
      return err('key', `error creating AttrProc due to missing required field "key" at the ${i}-th actions`);
    }

    const sources = (present(a.value) ? 1 : 0) + (a.from_attribute !== '' ? 1 : 0) + (a.from_context !== '' ? 1 : 0);

    switch (action) {
      case 'insert':
      case 'update':
      case 'upsert': {
        if (sources === 0 && !present(a.default_value))
          return err(undefined, `error creating AttrProc. Either field "value", "from_attribute" or "from_context" setting must be specified for ${i}-th action`);
        if (sources > 1) return err(undefined, `error creating AttrProc due to multiple value sources being set at the ${i}-th actions`);
        if (a.pattern !== '')
          return err('pattern', `error creating AttrProc. Action "${action}" does not use the "pattern" field. This must not be specified for ${i}-th action`);
        if (a.converted_type !== '')
          return err('converted_type', `error creating AttrProc. Action "${action}" does not use the "converted_type" field. This must not be specified for ${i}-th action`);
        let constant: AnyValue | undefined;
        if (present(a.value)) {
          const v = anyValueFromRaw(a.value);
          if (typeof v === 'string') return err('value', v);
          constant = v;
        }
        let fallback: AnyValue | undefined;
        if (present(a.default_value)) {
          const v = anyValueFromRaw(a.default_value);
          if (typeof v === 'string') return err('default_value', v);
          fallback = v;
        }
        const fromAttr = a.from_attribute;
        const fromCtx = a.from_context;
        const source = (attrs: Attributes, ctx: ClientContext | undefined): AnyValue | undefined => {
          if (constant !== undefined) return constant;
          if (fromCtx !== '') {
            const v = fromContext(ctx, fromCtx);
            if (v !== undefined) return v;
          }
          if (fromAttr !== '') {
            const v = attrs.get(fromAttr);
            if (v !== undefined) return v;
          }
          return fallback;
        };
        if (action === 'insert') {
          out.push((attrs, ctx) => {
            const v = source(attrs, ctx);
            if (v === undefined || attrs.indexOf(key) >= 0) return;
            attrs.set(key, v);
          });
        } else if (action === 'update') {
          out.push((attrs, ctx) => {
            const v = source(attrs, ctx);
            if (v === undefined || attrs.indexOf(key) < 0) return;
            attrs.set(key, v);
          });
        } else {
          out.push((attrs, ctx) => {
            const v = source(attrs, ctx);
            if (v !== undefined) attrs.set(key, v);
          });
        }
        return;
      }
      case 'delete':
      case 'hash': {
        if (present(a.value) || a.from_attribute !== '')
          return err(undefined, `error creating AttrProc. Action "${action}" does not use "value" or "from_attribute" field. These must not be specified for ${i}-th action`);
        let re: RegExp | undefined;
        if (a.pattern !== '') {
          try {
            re = compileGoRegexp(a.pattern).re;
          } catch (e) {
            return err('pattern', `error creating AttrProc. Field "pattern" has invalid pattern: "${a.pattern}" to be set at the ${i}-th actions: ${reason(e)}`);
          }
        }
        if (a.converted_type !== '')
          return err('converted_type', `error creating AttrProc. Action "${action}" does not use the "converted_type" field. This must not be specified for ${i}-th action`);
        if (action === 'delete') {
          out.push((attrs) => {
            if (key !== '') attrs.delete(key);
            if (re) for (const k of matchingKeys(re, attrs)) attrs.delete(k);
          });
        } else {
          const hashKey = (attrs: Attributes, k: string) => {
            const v = attrs.get(k);
            if (v !== undefined) attrs.set(k, hashValue(v));
          };
          out.push((attrs) => {
            if (key !== '') hashKey(attrs, key);
            if (re) for (const k of matchingKeys(re, attrs)) hashKey(attrs, k);
          });
        }
        return;
      }
      case 'extract': {
        if (sources > 0)
          return err(undefined, `error creating AttrProc. Action "${action}" does not use a value source field. These must not be specified for ${i}-th action`);
        if (a.pattern === '') return err('pattern', `error creating AttrProc due to missing required field "pattern" for action "${action}" at the ${i}-th action`);
        if (a.converted_type !== '')
          return err('converted_type', `error creating AttrProc. Action "${action}" does not use the "converted_type" field. This must not be specified for ${i}-th action`);
        let compiled;
        try {
          compiled = compileGoRegexp(a.pattern);
        } catch (e) {
          return err('pattern', `error creating AttrProc. Field "pattern" has invalid pattern: "${a.pattern}" to be set at the ${i}-th actions: ${reason(e)}`);
        }
        const names = compiled.groupNames;
        if (names.length <= 1) return err('pattern', `error creating AttrProc. Field "pattern" contains no named matcher groups at the ${i}-th actions`);
        if (names.slice(1).some((n) => n === ''))
          return err('pattern', `error creating AttrProc. Field "pattern" contains at least one unnamed matcher group at the ${i}-th actions`);
        const re = compiled.re;
        out.push((attrs) => {
          const str = attrs.getString(key);
          if (str === undefined) return;
          const m = re.exec(str);
          if (!m) return;
          for (let g = 1; g < names.length; g++) attrs.set(names[g]!, { stringValue: m[g] ?? '' });
        });
        return;
      }
      case 'convert': {
        if (sources > 0 || a.pattern !== '')
          return err(undefined, `error creating AttrProc. Action "${action}" does not use value sources or "pattern" field. These must not be specified for ${i}-th action`);
        const to = a.converted_type;
        if (to === '')
          return err('converted_type', `error creating AttrProc due to missing required field "converted_type" for action "${action}" at the ${i}-th action`);
        if (to !== 'int' && to !== 'double' && to !== 'string')
          return err('converted_type', `error creating AttrProc due to invalid value "${to}" in field "converted_type" for action "${action}" at the ${i}-th action`);
        out.push((attrs) => {
          const v = attrs.get(key);
          if (v === undefined) return;
          const c = convertValue(v, to);
          if (c !== undefined) attrs.set(key, c);
          else if (valueType(v) !== (to === 'string' ? 'string' : to)) convertLog?.log('Unable to convert attribute', { key, to });
        });
        return;
      }
      default:
        return err('action', `error creating AttrProc due to unsupported action ${q(action)} at the ${i}-th actions`);
    }
  });

  return issues.length > before ? undefined : new AttrProc(out);
}

/**
 * `from_context` needs the request's client info, which does not reach processors yet: say so once, at
 * creation, listing the keys of the actions that use it.
 */
export function warnFromContext(logger: Logger, actions: readonly ActionConfig[]): void {
  const fromContext = actions.filter((a) => a.from_context !== '').map((a) => a.key);
  if (fromContext.length > 0) {
    logger.warn('from_context is not supported yet by otelcol-ts (client metadata does not reach processors): these actions use default_value or do nothing', {
      keys: fromContext,
    });
  }
}

function reason(e: unknown): string {
  return e instanceof GoRegexpError ? e.message : String(e);
}
