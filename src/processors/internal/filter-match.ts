// The legacy include/exclude matching of the Go contrib processors (internal/filter/filterconfig, filterset
// strict|regexp, filtermatcher, filterspan, filterlog, filtermetric), shared by the attributes and filter
// processors, for spans, log records and metrics.
//
//   include/exclude:
//     match_type: strict | regexp          regexp: { cacheenabled, cachemaxnumentries }
//     services, span_names, span_kinds, attributes [{key, value}], resources [{key, value}],
//     libraries [{name, version}], log_bodies, log_severity_texts, log_severity_number, metric_names
//
// Semantics copied from upstream:
// * every listed property must match (AND); within `services`/`span_names`/`span_kinds` one item suffices (OR);
//   every entry of `attributes`, `resources` and `libraries` must match.
// * regexp matching is Go's `MatchString`: a search, not anchored (`auth.*` matches "oauth").
// * strict attribute values compare type and value (`value: 123` does not match the string "123");
//   regexp attribute values must be strings in the config and match the attribute's string form
//   (bool/int/double formatted as Go does; other types never match).
// * a span whose resource has no `service.name` has the service name "<nil-service-name>".
// * a library entry without `version` matches any version; `version: ""` matches only an empty version.
// * `include` is checked before `exclude`; a span is processed when it matches include (if set) and does
//   not match exclude (if set).
//
// The config is parsed signal-agnostically (upstream's Validate() accepts `log_bodies` in an attributes
// processor); signal-specific checks (ValidateForSpans / ValidateForLogs / ValidateForMetrics) run when a
// processor of that signal is created, as upstream.
//
// Per signal (upstream filterspan / filterlog / filtermetric):
// * spans: services, span_names, span_kinds, attributes (span), resources, libraries;
// * log records: log_bodies (Body().AsString()), log_severity_texts, log_severity_number {min, match_undefined}
//   (severity >= min; an UNSPECIFIED severity matches only with match_undefined), attributes (record),
//   resources, libraries;
// * metrics: metric_names only — the whole metric (all its data points) is included or excluded by name.
//   `resources` passes validation but upstream's metric matcher ignores it (we do too, with a warning), and
//   `match_type: expr` with the legacy properties gives no condition at all (same).
//
// Hot path: resource- and scope-level conditions are evaluated once per resource/scope of a batch and
// cached; only span-level conditions run per span, through the columnar attribute views.

import type { ConfigIssue } from '../../errors';
import { s, join, type Infer } from '../../config/schema';
import type { AnyValue, Attributes, TraceBatch } from '../../pdata/traces';
import type { LogBatch } from '../../pdata/logs';
import type { MetricBatch } from '../../pdata/metrics';
import { anyValueAsString, anyValueEquals, anyValueFromRaw, goFormatFloatF, goTypeName, valueType } from './any-value';
import { compileGoRegexp, GoRegexpError } from './go-regexp';

// ---------------------------------------------------------------- config

export const regexpCacheSchema = s.object({
  /** Cache match results (LRU). */
  cacheenabled: s.bool(false),
  /** Size of the cache; 0 means "unbounded" upstream — we cap it at REGEXP_CACHE_HARD_CAP. */
  cachemaxnumentries: s.nonNegativeInt(0),
});

export const attributeMatchSchema = s.object({
  key: s.string(''),
  /** Any YAML value; absent/null means "the key must exist". */
  value: s.any(),
});

export const libraryMatchSchema = s.object({
  name: s.string(''),
  /** Absent: any version matches; "" matches only an empty version. */
  version: s.optional(s.string()),
});

export const logSeverityNumberSchema = s.object({
  min: s.any(),
  match_undefined: s.bool(false),
});

export const matchPropertiesSchema = s.object({
  match_type: s.string(''),
  regexp: s.optional(regexpCacheSchema),
  services: s.array(s.string()),
  span_names: s.array(s.string()),
  span_kinds: s.array(s.string()),
  log_bodies: s.array(s.string()),
  log_severity_texts: s.array(s.string()),
  log_severity_number: s.optional(logSeverityNumberSchema),
  metric_names: s.array(s.string()),
  attributes: s.array(attributeMatchSchema),
  resources: s.array(attributeMatchSchema),
  libraries: s.array(libraryMatchSchema),
});

export type MatchProperties = Infer<typeof matchPropertiesSchema>;

/** `include` / `exclude`, to spread into a processor's config schema. */
export const matchConfigShape = {
  include: s.optional(matchPropertiesSchema),
  exclude: s.optional(matchPropertiesSchema),
};

export interface MatchConfig {
  include?: MatchProperties | undefined;
  exclude?: MatchProperties | undefined;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** The severity number of `log_severity_number.min`, or an error message (upstream decodes it as an int32). */
export function severityMinOf(raw: unknown): number | string {
  if (raw === undefined || raw === null) return 0;
  // mapstructure converts numbers (a float is truncated, as Go's int64(f)); strings and booleans are refused.
  const n = typeof raw === 'bigint' ? Number(raw) : typeof raw === 'number' && Number.isFinite(raw) ? Math.trunc(raw) : undefined;
  if (n !== undefined && n >= INT32_MIN && n <= INT32_MAX) return n;
  const type = typeof raw === 'string' ? 'string' : typeof raw === 'boolean' ? 'bool' : typeof raw === 'number' || typeof raw === 'bigint' ? 'number out of int32 range' : Array.isArray(raw) ? 'slice' : typeof raw;
  return `expected type 'plog.SeverityNumber' (an integer severity number, e.g. 9 for INFO), got unconvertible type '${type}', value: '${String(raw)}'`;
}

/**
 * Load-time checks of include/exclude that upstream does while decoding the config (so `validate` reports
 * them whatever the pipelines): `log_severity_number.min` must be an integer.
 */
export function checkMatchConfig(v: MatchConfig, path: string, issues: ConfigIssue[]): void {
  for (const key of ['include', 'exclude'] as const) {
    const lsn = v[key]?.log_severity_number;
    if (!lsn) continue;
    const min = severityMinOf(lsn.min);
    if (typeof min === 'string') issues.push({ path: join(join(join(path, key), 'log_severity_number'), 'min'), message: min });
  }
}

// ---------------------------------------------------------------- filter sets

/** Upper bound on a regexp result cache configured as unbounded (`cachemaxnumentries: 0`). */
export const REGEXP_CACHE_HARD_CAP = 100_000;

export interface FilterSet {
  matches(value: string): boolean;
}

class StrictFilterSet implements FilterSet {
  private readonly set: Set<string>;
  constructor(items: readonly string[]) {
    this.set = new Set(items);
  }
  matches(value: string): boolean {
    return this.set.has(value);
  }
}

class RegexpFilterSet implements FilterSet {
  private readonly cache: Map<string, boolean> | undefined;
  constructor(
    private readonly regexes: readonly RegExp[],
    private readonly cacheMax: number,
  ) {
    this.cache = cacheMax > 0 ? new Map() : undefined;
  }
  matches(value: string): boolean {
    const cache = this.cache;
    if (cache) {
      const hit = cache.get(value);
      if (hit !== undefined) {
        cache.delete(value);
        cache.set(value, hit);
        return hit;
      }
    }
    let result = false;
    for (const re of this.regexes) {
      if (re.test(value)) {
        result = true;
        break;
      }
    }
    if (cache) {
      if (cache.size >= this.cacheMax) cache.delete(cache.keys().next().value as string);
      cache.set(value, result);
    }
    return result;
  }
}

const VALID_MATCH_TYPES = '[regexp strict]';

export function unrecognizedMatchType(matchType: string): string {
  return `unrecognized match_type: '${matchType}', valid types are: ${VALID_MATCH_TYPES}`;
}

/**
 * filterset.CreateFilterSet: a strict or regexp set over `items`. Problems are pushed to `issues` (a bad
 * pattern at `itemPath(i)`, an unknown match_type at `matchTypePath`, messages prefixed with `what`) and
 * undefined is returned.
 */
export function createFilterSet(
  items: readonly string[],
  props: Pick<MatchProperties, 'match_type' | 'regexp'>,
  itemPath: (i: number) => string,
  matchTypePath: string,
  issues: ConfigIssue[],
  what = '',
): FilterSet | undefined {
  const prefix = what ? `${what}: ` : '';
  if (props.match_type === 'strict') return new StrictFilterSet(items);
  if (props.match_type !== 'regexp') {
    issues.push({ path: matchTypePath, message: prefix + unrecognizedMatchType(props.match_type) });
    return undefined;
  }
  const seen = new Set<string>();
  const regexes: RegExp[] = [];
  let ok = true;
  items.forEach((p, idx) => {
    if (seen.has(p)) return;
    seen.add(p);
    try {
      regexes.push(compileGoRegexp(p).re);
    } catch (e) {
      ok = false;
      const msg = e instanceof GoRegexpError ? e.message : String(e);
      issues.push({ path: itemPath(idx), message: `${prefix}${msg}` });
    }
  });
  if (!ok) return undefined;
  const cfg = props.regexp;
  const cacheMax = cfg?.cacheenabled ? (cfg.cachemaxnumentries === 0 ? REGEXP_CACHE_HARD_CAP : cfg.cachemaxnumentries) : 0;
  return new RegexpFilterSet(regexes, cacheMax);
}

// ---------------------------------------------------------------- attribute matchers

interface AttributeMatcher {
  key: string;
  /** Regexp match on the string form. */
  filter?: FilterSet;
  /** Strict match on type and value. */
  value?: AnyValue;
  /** Fast path when `value` is a string. */
  str?: string;
}

/** The string form used by regexp attribute matching (Str, Bool, Double, Int); undefined for other types. */
export function attributeStringForm(v: AnyValue): string | undefined {
  switch (valueType(v)) {
    case 'string': return (v as { stringValue: string }).stringValue;
    case 'bool': return (v as { boolValue: boolean }).boolValue ? 'true' : 'false';
    case 'double': return goFormatFloatF((v as { doubleValue: number }).doubleValue);
    case 'int': return (v as { intValue: bigint }).intValue.toString();
    default: return undefined;
  }
}

export class AttributesMatcher {
  constructor(private readonly matchers: readonly AttributeMatcher[]) {}

  get empty(): boolean {
    return this.matchers.length === 0;
  }

  /** filtermatcher.AttributesMatcher.Match: every entry must match; no entries → true; no attributes → false. */
  match(attrs: Attributes): boolean {
    const ms = this.matchers;
    if (ms.length === 0) return true;
    if (attrs.length === 0) return false;
    for (const m of ms) {
      if (m.str !== undefined) {
        if (attrs.getString(m.key) !== m.str) return false;
        continue;
      }
      if (m.filter === undefined && m.value === undefined) {
        if (attrs.indexOf(m.key) < 0) return false;
        continue;
      }
      const v = attrs.get(m.key);
      if (v === undefined) return false;
      if (m.filter) {
        const str = attributeStringForm(v);
        if (str === undefined || !m.filter.matches(str)) return false;
      } else if (!anyValueEquals(m.value!, v)) {
        return false;
      }
    }
    return true;
  }
}

/** filtermatcher.NewAttributesMatcher. */
export function compileAttributesMatcher(
  entries: MatchProperties['attributes'],
  props: Pick<MatchProperties, 'match_type' | 'regexp'>,
  path: string,
  matchTypePath: string,
  issues: ConfigIssue[],
  what: string,
): AttributesMatcher | undefined {
  const out: AttributeMatcher[] = [];
  const before = issues.length;
  entries.forEach((e, idx) => {
    const p = join(path, idx);
    if (e.key === '') {
      issues.push({ path: join(p, 'key'), message: `${what}: can't have empty key in the list of attributes` });
      return;
    }
    if (e.value === undefined || e.value === null) {
      out.push({ key: e.key });
      return;
    }
    const v = anyValueFromRaw(e.value);
    if (typeof v === 'string') {
      issues.push({ path: join(p, 'value'), message: `${what}: ${v}` });
      return;
    }
    if (props.match_type === 'regexp') {
      if (valueType(v) !== 'string') {
        issues.push({
          path: join(p, 'value'),
          message: `${what}: match_type=regexp for ${JSON.stringify(e.key)} only supports Str, but found ${goTypeName(valueType(v))}`,
        });
        return;
      }
      const fs = createFilterSet([(v as { stringValue: string }).stringValue], props, () => join(p, 'value'), matchTypePath, issues, what);
      if (fs) out.push({ key: e.key, filter: fs });
    } else if (props.match_type === 'strict') {
      out.push(valueType(v) === 'string' ? { key: e.key, value: v, str: (v as { stringValue: string }).stringValue } : { key: e.key, value: v });
    } else {
      issues.push({ path: matchTypePath, message: `${what}: ${unrecognizedMatchType(props.match_type)}` });
    }
  });
  return issues.length > before ? undefined : new AttributesMatcher(out);
}

// ---------------------------------------------------------------- spans

export const SPAN_KIND_NAMES = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
] as const;

/** traceutil.SpanKindStr: the proto enum name, '' for an unknown value. */
export function spanKindString(kind: number): string {
  return SPAN_KIND_NAMES[kind] ?? '';
}

export const NIL_SERVICE_NAME = '<nil-service-name>';

/** The service name used by `services` matching (AsString of resource attribute service.name). */
export function serviceNameOf(batch: { resourceAttributes(r: number): Attributes }, r: number): string {
  const attrs = batch.resourceAttributes(r);
  const str = attrs.getString('service.name');
  if (str !== undefined) return str;
  const v = attrs.get('service.name');
  return v === undefined ? NIL_SERVICE_NAME : anyValueAsString(v);
}

interface LibraryMatcher {
  name: FilterSet;
  version: FilterSet | undefined;
}

/** One compiled `include` or `exclude` block for spans. */
export class SpanMatcher {
  constructor(
    private readonly services: FilterSet | undefined,
    private readonly resources: AttributesMatcher | undefined,
    private readonly libraries: readonly LibraryMatcher[],
    private readonly names: FilterSet | undefined,
    private readonly kinds: FilterSet | undefined,
    private readonly attributes: AttributesMatcher | undefined,
  ) {}

  get hasResourceConditions(): boolean {
    return this.services !== undefined || this.resources !== undefined;
  }
  get hasScopeConditions(): boolean {
    return this.libraries.length > 0;
  }

  matchResource(batch: TraceBatch, r: number): boolean {
    if (this.services && !this.services.matches(serviceNameOf(batch, r))) return false;
    if (this.resources && !this.resources.match(batch.resourceAttributes(r))) return false;
    return true;
  }

  matchScope(batch: TraceBatch, sc: number): boolean {
    return matchLibraries(this.libraries, batch, sc);
  }

  matchSpanOnly(batch: TraceBatch, i: number): boolean {
    if (this.names && !this.names.matches(batch.name(i))) return false;
    if (this.kinds && !this.kinds.matches(spanKindString(batch.kind(i)))) return false;
    if (this.attributes && !this.attributes.match(batch.spanAttributes(i))) return false;
    return true;
  }

  /** A per-batch predicate "span i matches", caching resource- and scope-level results. */
  forBatch(batch: TraceBatch): (i: number) => boolean {
    return cachedItemPredicate(
      batch.resourceCount,
      batch.scopeCount,
      this.hasResourceConditions ? (i) => batch.spanResource(i) : undefined,
      this.hasScopeConditions ? (i) => batch.spanScope(i) : undefined,
      (r) => this.matchResource(batch, r),
      (sc) => this.matchScope(batch, sc),
      (i) => this.matchSpanOnly(batch, i),
    );
  }
}

const VALID_SPAN_KINDS_SORTED: readonly string[] = [...SPAN_KIND_NAMES.slice(1)].sort();

/**
 * filterconfig.ValidateForSpans + filterspan.newExpr: compile one include/exclude block for spans.
 * Pushes issues (with paths under `path`) and returns undefined when the block is invalid.
 */
export function compileSpanMatcher(mp: MatchProperties, path: string, issues: ConfigIssue[]): SpanMatcher | undefined {
  const before = issues.length;
  if (mp.log_bodies.length > 0) issues.push({ path: join(path, 'log_bodies'), message: 'log_bodies should not be specified for trace spans' });
  else if (mp.log_severity_texts.length > 0)
    issues.push({ path: join(path, 'log_severity_texts'), message: 'log_severity_texts should not be specified for trace spans' });
  else if (mp.log_severity_number !== undefined)
    issues.push({ path: join(path, 'log_severity_number'), message: 'log_severity_number should not be specified for trace spans' });
  else if (mp.metric_names.length > 0)
    issues.push({ path: join(path, 'metric_names'), message: 'metric_names should not be specified for trace spans' });
  else if (
    mp.services.length === 0 &&
    mp.span_names.length === 0 &&
    mp.attributes.length === 0 &&
    mp.libraries.length === 0 &&
    mp.resources.length === 0 &&
    mp.span_kinds.length === 0
  )
    issues.push({ path, message: 'at least one of "attributes", "libraries",  or "resources" field must be specified' });
  else if (mp.span_kinds.length > 0 && mp.match_type === 'strict') {
    const bad = mp.span_kinds.findIndex((k) => !VALID_SPAN_KINDS_SORTED.includes(k));
    if (bad >= 0)
      issues.push({
        path: join(join(path, 'span_kinds'), bad),
        message: `span_kinds string must match one of the standard span kinds when match_type=strict: [${VALID_SPAN_KINDS_SORTED.join(' ')}]`,
      });
  }
  if (issues.length > before) return undefined;

  // An unknown match_type is reported once (upstream fails at the first filter set it creates).
  const mtPath = join(path, 'match_type');
  if (unknownMatchType(mp, [mp.services, mp.span_names, mp.span_kinds], mtPath, issues)) return undefined;

  const { libraries, attributes, resources } = compilePropertiesMatcher(mp, path, mtPath, issues);
  const list = (key: 'services' | 'span_names' | 'span_kinds', what: string): FilterSet | undefined =>
    mp[key].length ? createFilterSet(mp[key], mp, (i) => join(join(path, key), i), mtPath, issues, what) : undefined;
  const services = list('services', 'error creating service name filters');
  const names = list('span_names', 'error creating span name filters');
  const kinds = list('span_kinds', 'error creating span kind filters');
  if (issues.length > before) return undefined;
  return new SpanMatcher(services, resources, libraries, names, kinds, attributes);
}

/**
 * filtermatcher.NewMatcher: the libraries, attributes and resources of a block (shared by spans and logs).
 * Empty attribute matchers are returned as undefined (they match everything).
 */
function compilePropertiesMatcher(
  mp: MatchProperties,
  path: string,
  mtPath: string,
  issues: ConfigIssue[],
): { libraries: LibraryMatcher[]; attributes: AttributesMatcher | undefined; resources: AttributesMatcher | undefined } {
  const libraries: LibraryMatcher[] = [];
  mp.libraries.forEach((lib, idx) => {
    const p = join(join(path, 'libraries'), idx);
    const name = createFilterSet([lib.name], mp, () => join(p, 'name'), mtPath, issues, 'error creating library name filters');
    let version: FilterSet | undefined;
    if (lib.version !== undefined)
      version = createFilterSet([lib.version], mp, () => join(p, 'version'), mtPath, issues, 'error creating library version filters');
    if (name) libraries.push({ name, version });
  });
  const attributes = mp.attributes.length
    ? compileAttributesMatcher(mp.attributes, mp, join(path, 'attributes'), mtPath, issues, 'error creating attribute filters')
    : undefined;
  const resources = mp.resources.length
    ? compileAttributesMatcher(mp.resources, mp, join(path, 'resources'), mtPath, issues, 'error creating resource filters')
    : undefined;
  return { libraries, attributes: attributes && !attributes.empty ? attributes : undefined, resources };
}

/** Every library entry must match the scope (name, and version when given). */
function matchLibraries(libraries: readonly LibraryMatcher[], batch: { scopeName(s: number): string; scopeVersion(s: number): string }, sc: number): boolean {
  if (libraries.length === 0) return true;
  const name = batch.scopeName(sc);
  let version: string | undefined;
  for (const lib of libraries) {
    if (!lib.name.matches(name)) return false;
    if (lib.version) {
      version ??= batch.scopeVersion(sc);
      if (!lib.version.matches(version)) return false;
    }
  }
  return true;
}

/** An unknown match_type is reported once, at `match_type`, when some property needs a filter set. */
function unknownMatchType(mp: MatchProperties, lists: readonly (readonly unknown[])[], mtPath: string, issues: ConfigIssue[]): boolean {
  if (mp.match_type === 'strict' || mp.match_type === 'regexp') return false;
  const needsType =
    lists.some((l) => l.length > 0) ||
    mp.libraries.length > 0 ||
    mp.attributes.some((a) => a.value !== undefined && a.value !== null) ||
    mp.resources.some((a) => a.value !== undefined && a.value !== null);
  if (!needsType) return false;
  issues.push({ path: mtPath, message: unrecognizedMatchType(mp.match_type) });
  return true;
}

/** The include/exclude combination of upstream's NewSkipExpr: skip = !include(i) || exclude(i). */
function skipOf(inc: ((i: number) => boolean) | undefined, exc: ((i: number) => boolean) | undefined): (i: number) => boolean {
  if (inc && exc) return (i) => !inc(i) || exc(i);
  if (inc) return (i) => !inc(i);
  if (exc) return exc;
  return () => false;
}

/**
 * A per-batch predicate over items that caches resource- and scope-level results: each resource and scope is
 * evaluated once per batch, the item-level conditions once per item.
 */
function cachedItemPredicate(
  resourceCount: number,
  scopeCount: number,
  resourceOf: ((i: number) => number) | undefined,
  scopeOf: ((i: number) => number) | undefined,
  matchResource: (r: number) => boolean,
  matchScope: (s: number) => boolean,
  matchItem: (i: number) => boolean,
): (i: number) => boolean {
  const resCache = resourceOf ? new Int8Array(resourceCount) : undefined;
  const scopeCache = scopeOf ? new Int8Array(scopeCount) : undefined;
  return (i: number) => {
    if (resCache) {
      const r = resourceOf!(i);
      let c = resCache[r]!;
      if (c === 0) resCache[r] = c = matchResource(r) ? 1 : 2;
      if (c === 2) return false;
    }
    if (scopeCache) {
      const sc = scopeOf!(i);
      let c = scopeCache[sc]!;
      if (c === 0) scopeCache[sc] = c = matchScope(sc) ? 1 : 2;
      if (c === 2) return false;
    }
    return matchItem(i);
  };
}

/** filterspan.NewSkipExpr: a span is skipped when it does not match `include` or matches `exclude`. */
export class SpanSkip {
  constructor(
    readonly include: SpanMatcher | undefined,
    readonly exclude: SpanMatcher | undefined,
  ) {}

  /** A per-batch predicate "skip span i". */
  forBatch(batch: TraceBatch): (i: number) => boolean {
    return skipOf(this.include?.forBatch(batch), this.exclude?.forBatch(batch));
  }
}

/** Compile `include`/`exclude` for spans; undefined when neither is set. Issues are pushed with paths. */
export function compileSpanSkip(cfg: MatchConfig, path: string, issues: ConfigIssue[]): SpanSkip | undefined {
  const include = cfg.include ? compileSpanMatcher(cfg.include, join(path, 'include'), issues) : undefined;
  const exclude = cfg.exclude ? compileSpanMatcher(cfg.exclude, join(path, 'exclude'), issues) : undefined;
  if (!include && !exclude) return undefined;
  return new SpanSkip(include, exclude);
}

// ---------------------------------------------------------------- log records

export interface SeverityNumberMatch {
  /** Lowest matching severity number. */
  min: number;
  /** Whether records with SEVERITY_NUMBER_UNSPECIFIED (0) match. */
  matchUndefined: boolean;
}

/** The string a `log_bodies` entry is matched against: Body().AsString(). */
export function logBodyString(batch: LogBatch, i: number): string {
  const s = batch.bodyString(i);
  return s !== undefined ? s : anyValueAsString(batch.body(i));
}

/** One compiled `include` or `exclude` block for log records (filterlog.propertiesMatcher). */
export class LogMatcher {
  constructor(
    private readonly resources: AttributesMatcher | undefined,
    private readonly libraries: readonly LibraryMatcher[],
    private readonly bodies: FilterSet | undefined,
    private readonly severityTexts: FilterSet | undefined,
    private readonly severityNumber: SeverityNumberMatch | undefined,
    private readonly attributes: AttributesMatcher | undefined,
  ) {}

  matchResource(batch: LogBatch, r: number): boolean {
    return this.resources === undefined || this.resources.match(batch.resourceAttributes(r));
  }

  matchScope(batch: LogBatch, sc: number): boolean {
    return matchLibraries(this.libraries, batch, sc);
  }

  matchRecordOnly(batch: LogBatch, i: number): boolean {
    if (this.bodies && !this.bodies.matches(logBodyString(batch, i))) return false;
    if (this.severityTexts && !this.severityTexts.matches(batch.severityText(i))) return false;
    const sn = this.severityNumber;
    if (sn) {
      const n = batch.severityNumber(i);
      if (n === 0 ? !sn.matchUndefined : n < sn.min) return false;
    }
    if (this.attributes && !this.attributes.match(batch.logAttributes(i))) return false;
    return true;
  }

  /** A per-batch predicate "record i matches", caching resource- and scope-level results. */
  forBatch(batch: LogBatch): (i: number) => boolean {
    return cachedItemPredicate(
      batch.resourceCount,
      batch.scopeCount,
      this.resources ? (i) => batch.logResource(i) : undefined,
      this.libraries.length ? (i) => batch.logScope(i) : undefined,
      (r) => this.matchResource(batch, r),
      (sc) => this.matchScope(batch, sc),
      (i) => this.matchRecordOnly(batch, i),
    );
  }
}

/**
 * filterconfig.ValidateForLogs + filterlog.newExpr: compile one include/exclude block for log records.
 * Pushes issues (with paths under `path`) and returns undefined when the block is invalid.
 */
export function compileLogMatcher(mp: MatchProperties, path: string, issues: ConfigIssue[]): LogMatcher | undefined {
  const before = issues.length;
  const invalid = (['span_names', 'services', 'span_kinds', 'metric_names'] as const).find((k) => mp[k].length > 0);
  if (invalid) {
    issues.push({ path: join(path, invalid), message: 'services, span_names, span_kinds and metric_names are not valid for log records' });
    return undefined;
  }
  if (
    mp.attributes.length === 0 &&
    mp.libraries.length === 0 &&
    mp.resources.length === 0 &&
    mp.log_bodies.length === 0 &&
    mp.log_severity_texts.length === 0 &&
    mp.log_severity_number === undefined
  ) {
    issues.push({
      path,
      message: 'at least one of "attributes", "libraries", "span_kinds", "resources", "log_bodies", "log_severity_texts" or "log_severity_number" field must be specified',
    });
    return undefined;
  }
  const mtPath = join(path, 'match_type');
  if (unknownMatchType(mp, [mp.log_bodies, mp.log_severity_texts], mtPath, issues)) return undefined;

  const { libraries, attributes, resources } = compilePropertiesMatcher(mp, path, mtPath, issues);
  const bodies = mp.log_bodies.length
    ? createFilterSet(mp.log_bodies, mp, (i) => join(join(path, 'log_bodies'), i), mtPath, issues, 'error creating log record body filters')
    : undefined;
  const severityTexts = mp.log_severity_texts.length
    ? createFilterSet(
        mp.log_severity_texts,
        mp,
        (i) => join(join(path, 'log_severity_texts'), i),
        mtPath,
        issues,
        'error creating log record severity text filters',
      )
    : undefined;
  let severityNumber: SeverityNumberMatch | undefined;
  if (mp.log_severity_number) {
    const min = severityMinOf(mp.log_severity_number.min);
    if (typeof min === 'string') issues.push({ path: join(join(path, 'log_severity_number'), 'min'), message: min });
    else severityNumber = { min, matchUndefined: mp.log_severity_number.match_undefined };
  }
  if (issues.length > before) return undefined;
  return new LogMatcher(resources, libraries, bodies, severityTexts, severityNumber, attributes);
}

/** filterlog.NewSkipExpr: a record is skipped when it does not match `include` or matches `exclude`. */
export class LogSkip {
  constructor(
    readonly include: LogMatcher | undefined,
    readonly exclude: LogMatcher | undefined,
  ) {}

  /** A per-batch predicate "skip record i". */
  forBatch(batch: LogBatch): (i: number) => boolean {
    return skipOf(this.include?.forBatch(batch), this.exclude?.forBatch(batch));
  }
}

/** Compile `include`/`exclude` for log records; undefined when neither is set. Issues are pushed with paths. */
export function compileLogSkip(cfg: MatchConfig, path: string, issues: ConfigIssue[]): LogSkip | undefined {
  const include = cfg.include ? compileLogMatcher(cfg.include, join(path, 'include'), issues) : undefined;
  const exclude = cfg.exclude ? compileLogMatcher(cfg.exclude, join(path, 'exclude'), issues) : undefined;
  if (!include && !exclude) return undefined;
  return new LogSkip(include, exclude);
}

// ---------------------------------------------------------------- metrics

const METRIC_INVALID_KEYS = ['log_bodies', 'log_severity_texts', 'span_names', 'services', 'span_kinds', 'attributes', 'libraries'] as const;

/**
 * filterconfig.ValidateForMetrics + filtermetric.newExpr for the legacy properties: a metric-name matcher,
 * or undefined when the block sets no condition upstream evaluates (only `resources`, or `match_type: expr`).
 * `ok` is false when the block is invalid (issues pushed); `ignored` lists what upstream accepts and ignores.
 */
export function compileMetricNameMatcher(
  mp: MatchProperties,
  path: string,
  issues: ConfigIssue[],
): { ok: boolean; names: FilterSet | undefined; ignored: string[] } {
  const invalid: string | undefined = METRIC_INVALID_KEYS.find((k) => mp[k].length > 0) ?? (mp.log_severity_number !== undefined ? 'log_severity_number' : undefined);
  if (invalid) {
    issues.push({
      path: join(path, invalid),
      message: '"span_names", "span_kinds", "log_bodies", "log_severity_texts", "log_severity_number", "services", "attributes" and "libraries" are not valid for metrics',
    });
    return { ok: false, names: undefined, ignored: [] };
  }
  if (mp.metric_names.length === 0 && mp.resources.length === 0) {
    issues.push({ path, message: 'at least one of "metric_names" or "resources" field must be specified' });
    return { ok: false, names: undefined, ignored: [] };
  }
  const ignored: string[] = [];
  if (mp.resources.length > 0) ignored.push(join(path, 'resources'));
  if (mp.match_type === 'expr') {
    if (mp.metric_names.length > 0) ignored.push(join(path, 'metric_names'));
    return { ok: true, names: undefined, ignored };
  }
  if (mp.metric_names.length === 0) return { ok: true, names: undefined, ignored };
  const before = issues.length;
  const names = createFilterSet(mp.metric_names, mp, (i) => join(join(path, 'metric_names'), i), join(path, 'match_type'), issues);
  return { ok: issues.length === before, names, ignored };
}

/** filtermetric.NewSkipExpr over metric names: a whole metric is skipped when include does not match its name or exclude does. */
export class MetricSkip {
  constructor(
    readonly include: FilterSet | undefined,
    readonly exclude: FilterSet | undefined,
  ) {}

  /** "skip the name", for a metric name. */
  skipName(name: string): boolean {
    if (this.include && !this.include.matches(name)) return true;
    return this.exclude !== undefined && this.exclude.matches(name);
  }

  /** A per-batch predicate "skip metric m" (metric index, not data point). */
  forBatch(batch: MetricBatch): (m: number) => boolean {
    return (m) => this.skipName(batch.metricName(m));
  }
}

/**
 * Compile `include`/`exclude` for metrics; undefined when no condition results. Issues are pushed with paths;
 * properties upstream accepts but does not evaluate are reported through `onIgnored` (paths).
 */
export function compileMetricSkip(cfg: MatchConfig, path: string, issues: ConfigIssue[], onIgnored?: (paths: string[]) => void): MetricSkip | undefined {
  const before = issues.length;
  const inc = cfg.include ? compileMetricNameMatcher(cfg.include, join(path, 'include'), issues) : undefined;
  const exc = cfg.exclude ? compileMetricNameMatcher(cfg.exclude, join(path, 'exclude'), issues) : undefined;
  if (issues.length > before) return undefined;
  const ignored = [...(inc?.ignored ?? []), ...(exc?.ignored ?? [])];
  if (ignored.length && onIgnored) onIgnored(ignored);
  if (!inc?.names && !exc?.names) return undefined;
  return new MetricSkip(inc?.names, exc?.names);
}
