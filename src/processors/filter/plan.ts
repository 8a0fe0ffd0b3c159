// What the filter processor evaluates, per signal, compiled once when the processor is created:
//
//   traces  — groups of { resource, scope, span, spanevent } condition sequences, or the legacy `spans` include/exclude
//   metrics — groups of { resource, scope, metric, datapoint } sequences, or the legacy `metrics` include/exclude
//   logs    — groups of { resource, scope, log } sequences, or the legacy `logs` include/exclude
//
// A group comes from the explicit-context keys (`traces.resource` / `traces.span`…, one group with the
// processor's error_mode) or from `trace_conditions`-style lists (each condition's context inferred from its
// paths, or given by the group's `context`; the group's error_mode overrides the processor's).

import type { ConfigIssue } from '../../errors';
import { ConfigError } from '../../errors';
import { join } from '../../config/schema';
import type { Logger } from '../../component/types';
import { compileCondition, ConditionSequence, inferContext, type CompiledCondition, type ContextName, type ErrorMode, type SignalName } from '../../ottl';
import {
  compileAttributesMatcher, compileLogSkip, compileSpanSkip, createFilterSet, type AttributesMatcher, type FilterSet, type LogSkip,
  type MatchProperties, type SpanSkip,
} from '../internal/filter-match';
import {
  conditionIssue, groupConditionPath, isLogMatchEmpty, severityNumberOf, type ContextConditions, type FilterConfig,
  type LogMatchProperties, type MetricMatchProperties,
} from './config';

/** Condition sequences by context, evaluated together with one error mode. */
export type Group = Partial<Record<ContextName, ConditionSequence>>;

export interface TracesPlan {
  readonly groups: readonly Group[];
  readonly legacy?: SpanSkip;
}

export interface MetricsLegacy {
  /** Resource skip: not matching include's resource_attributes, or matching exclude's. */
  readonly includeResources?: AttributesMatcher;
  readonly excludeResources?: AttributesMatcher;
  /** Metric-name skip. */
  readonly includeNames?: FilterSet;
  readonly excludeNames?: FilterSet;
}

export interface MetricsPlan {
  readonly groups: readonly Group[];
  readonly legacy?: MetricsLegacy;
}

export interface LogsPlan {
  readonly groups: readonly Group[];
  readonly legacy?: LogSkip;
}

/** Whether a plan drops anything at all. */
export function planIsEmpty(p: { groups: readonly Group[]; legacy?: unknown }): boolean {
  return p.legacy === undefined && p.groups.every((g) => Object.values(g).every((s) => s === undefined || s.empty));
}

function compileList(list: readonly string[] | undefined, ctx: ContextName, path: string, issues: ConfigIssue[]): CompiledCondition[] {
  const out: CompiledCondition[] = [];
  list?.forEach((text, k) => {
    try {
      out.push(compileCondition(text, ctx));
    } catch (e) {
      issues.push(conditionIssue(join(path, k), e));
    }
  });
  return out;
}

/** One group from explicit-context lists: { context: conditions }. */
function explicitGroup(lists: Partial<Record<ContextName, readonly string[] | undefined>>, base: string, keyOf: Partial<Record<ContextName, string>>, mode: ErrorMode, logger: Logger, issues: ConfigIssue[]): Group {
  const g: Group = {};
  for (const [ctx, list] of Object.entries(lists) as Array<[ContextName, readonly string[] | undefined]>) {
    if (list === undefined || list.length === 0) continue;
    const compiled = compileList(list, ctx, join(base, keyOf[ctx]!), issues);
    g[ctx] = new ConditionSequence(compiled, mode, logger);
  }
  return g;
}

/** Groups from `trace_conditions` & co: each condition in its given or inferred context. */
function inferredGroups(groups: readonly ContextConditions[] | undefined, signal: SignalName, path: string, mode: ErrorMode, logger: Logger, issues: ConfigIssue[]): Group[] {
  const out: Group[] = [];
  groups?.forEach((cc, n) => {
    const byCtx = new Map<ContextName, CompiledCondition[]>();
    cc.conditions.forEach((text, k) => {
      const p = groupConditionPath(path, cc, n, k);
      try {
        const ctx = cc.context ?? inferContext(text, signal);
        const c = compileCondition(text, ctx);
        const list = byCtx.get(ctx) ?? [];
        list.push(c);
        byCtx.set(ctx, list);
      } catch (e) {
        issues.push(conditionIssue(p, e));
      }
    });
    const g: Group = {};
    for (const [ctx, list] of byCtx) g[ctx] = new ConditionSequence(list, cc.error_mode ?? mode, logger);
    out.push(g);
  });
  return out;
}

// ---------------------------------------------------------------- traces

export function compileTracesPlan(cfg: FilterConfig, path: string, logger: Logger): TracesPlan {
  const issues: ConfigIssue[] = [];
  const t = cfg.traces;
  const groups: Group[] = [];
  if (t.resource !== undefined || t.span !== undefined || t.spanevent !== undefined) {
    groups.push(
      explicitGroup(
        { resource: t.resource, span: t.span, spanevent: t.spanevent },
        join(path, 'traces'),
        { resource: 'resource', span: 'span', spanevent: 'spanevent' },
        cfg.error_mode,
        logger,
        issues,
      ),
    );
  }
  groups.push(...inferredGroups(cfg.trace_conditions, 'traces', join(path, 'trace_conditions'), cfg.error_mode, logger, issues));
  let legacy: SpanSkip | undefined;
  if (groups.length === 0 && (cfg.spans.include || cfg.spans.exclude)) legacy = compileSpanSkip(cfg.spans, join(path, 'spans'), issues);
  if (issues.length) throw new ConfigError(issues);
  return { groups, legacy };
}

// ---------------------------------------------------------------- metrics

function compileMetricsLegacy(inc: MetricMatchProperties | undefined, exc: MetricMatchProperties | undefined, path: string, issues: ConfigIssue[]): MetricsLegacy | undefined {
  const out: { -readonly [K in keyof MetricsLegacy]: MetricsLegacy[K] } = {};
  const one = (mp: MetricMatchProperties | undefined, key: 'include' | 'exclude'): void => {
    if (!mp) return;
    const p = join(path, key);
    const mtPath = join(p, 'match_type');
    const props = { match_type: mp.match_type, regexp: mp.regexp } as Pick<MatchProperties, 'match_type' | 'regexp'>;
    if (mp.match_type !== 'expr' && mp.metric_names.length > 0) {
      const names = createFilterSet(mp.metric_names, props, (i) => join(join(p, 'metric_names'), i), mtPath, issues);
      if (key === 'include') out.includeNames = names;
      else out.excludeNames = names;
    }
    if (mp.resource_attributes.length > 0) {
      const m = compileAttributesMatcher(mp.resource_attributes, props, join(p, 'resource_attributes'), mtPath, issues, 'error creating resource filters');
      if (m && !m.empty) {
        if (key === 'include') out.includeResources = m;
        else out.excludeResources = m;
      }
    }
  };
  one(inc, 'include');
  one(exc, 'exclude');
  return Object.keys(out).length ? out : undefined;
}

export function compileMetricsPlan(cfg: FilterConfig, path: string, logger: Logger): MetricsPlan {
  const issues: ConfigIssue[] = [];
  const m = cfg.metrics;
  const groups: Group[] = [];
  if (m.resource !== undefined || m.metric !== undefined || m.datapoint !== undefined) {
    groups.push(
      explicitGroup(
        { resource: m.resource, metric: m.metric, datapoint: m.datapoint },
        join(path, 'metrics'),
        { resource: 'resource', metric: 'metric', datapoint: 'datapoint' },
        cfg.error_mode,
        logger,
        issues,
      ),
    );
  }
  groups.push(...inferredGroups(cfg.metric_conditions, 'metrics', join(path, 'metric_conditions'), cfg.error_mode, logger, issues));
  let legacy: MetricsLegacy | undefined;
  if (groups.length === 0 && (m.include || m.exclude)) legacy = compileMetricsLegacy(m.include, m.exclude, join(path, 'metrics'), issues);
  if (issues.length) throw new ConfigError(issues);
  return { groups, legacy };
}

// ---------------------------------------------------------------- logs

/** LogMatchProperties → filterconfig.MatchProperties (what filterlog compiles). */
function logMatchProperties(lmp: LogMatchProperties): MatchProperties {
  return {
    match_type: lmp.match_type,
    regexp: undefined,
    services: [],
    span_names: [],
    span_kinds: [],
    log_bodies: lmp.bodies,
    log_severity_texts: lmp.severity_texts,
    log_severity_number: lmp.severity_number
      ? { min: severityNumberOf(lmp.severity_number.min) ?? 0, match_undefined: lmp.severity_number.match_undefined }
      : undefined,
    metric_names: [],
    attributes: lmp.record_attributes,
    resources: lmp.resource_attributes,
    libraries: [],
  };
}

/** Issue paths of the converted properties, back to the filter processor's key names. */
const LOG_KEY_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['.log_bodies', '.bodies'],
  ['.log_severity_texts', '.severity_texts'],
  ['.log_severity_number', '.severity_number'],
  ['.attributes', '.record_attributes'],
  ['.resources', '.resource_attributes'],
];

export function compileLogsPlan(cfg: FilterConfig, path: string, logger: Logger): LogsPlan {
  const issues: ConfigIssue[] = [];
  const l = cfg.logs;
  const groups: Group[] = [];
  if (l.resource !== undefined || l.log_record !== undefined) {
    groups.push(explicitGroup({ resource: l.resource, log: l.log_record }, join(path, 'logs'), { resource: 'resource', log: 'log_record' }, cfg.error_mode, logger, issues));
  }
  groups.push(...inferredGroups(cfg.log_conditions, 'logs', join(path, 'log_conditions'), cfg.error_mode, logger, issues));
  let legacy: LogSkip | undefined;
  if (groups.length === 0 && (l.include || l.exclude)) {
    const base = join(path, 'logs');
    const legacyIssues: ConfigIssue[] = [];
    legacy = compileLogSkip(
      {
        include: l.include && !isLogMatchEmpty(l.include) ? logMatchProperties(l.include) : undefined,
        exclude: l.exclude && !isLogMatchEmpty(l.exclude) ? logMatchProperties(l.exclude) : undefined,
      },
      base,
      legacyIssues,
    );
    for (const is of legacyIssues) {
      let p = is.path;
      if (p.startsWith(base)) {
        let rest = p.slice(base.length);
        for (const [from, to] of LOG_KEY_NAMES) rest = rest.split(from).join(to);
        p = base + rest;
      }
      issues.push({ path: p, message: is.message });
    }
  }
  if (issues.length) throw new ConfigError(issues);
  return { groups, legacy };
}
