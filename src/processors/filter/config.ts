// Config of the `filter` processor (contrib processor/filterprocessor). Keys as upstream:
//
//   error_mode: propagate | ignore | silent            (default propagate; case-insensitive as upstream)
//   traces:  { resource: [..], span: [..], spanevent: [..] }           OTTL conditions per context
//   metrics: { resource: [..], metric: [..], datapoint: [..],          OTTL conditions per context
//              include/exclude: { match_type: strict|regexp|expr, metric_names, expressions,
//                                 resource_attributes, regexp }, regexp }   (legacy)
//   logs:    { resource: [..], log_record: [..],                        OTTL conditions per context
//              include/exclude: { match_type, resource_attributes, record_attributes, severity_texts,
//                                 severity_number: { min, match_undefined }, bodies } }   (legacy)
//   spans:   { include/exclude: <filterconfig.MatchProperties> }         (legacy, as the attributes processor)
//   trace_conditions / metric_conditions / log_conditions:              context-inferred conditions, either a
//              list of strings (`span.name == "x"`) or a list of { context, conditions, error_mode }
//
// A span / span event / metric / data point / log record (or a whole resource or scope) matching ANY condition
// is dropped. Config load (`validate`) parses and compiles every OTTL condition — a syntax error is reported
// with the YAML path of the condition, its line and column — and checks upstream's exclusivity rules. The
// legacy include/exclude blocks are compiled when the processor is created for a signal, as upstream.
//
// Not supported (reported clearly, at load): `match_type: expr` with `expressions` for metrics (the antonmedv/expr language). `profiles` and
// `profile_conditions` are accepted and ignored (otelcol-ts has no profiles signal).

import { s, join, type Infer, type Schema } from '../../config/schema';
import type { ConfigIssue } from '../../errors';
import { attributeMatchSchema, matchConfigShape, regexpCacheSchema } from '../internal/filter-match';
import { compileCondition, inferContext, ERROR_MODES, OttlConditionError, SIGNAL_CONTEXTS, type ContextName, type ErrorMode, type SignalName } from '../../ottl';

/** error_mode, case-insensitive (upstream ErrorMode.UnmarshalText lowercases). */
export const errorModeSchema: Schema<ErrorMode> = s.map(
  s.string('propagate'),
  (v, path, issues) => {
    const m = v.toLowerCase();
    if ((ERROR_MODES as readonly string[]).includes(m)) return m as ErrorMode;
    issues.push({ path, message: `unknown error mode ${m} (valid: ${ERROR_MODES.join(', ')})` });
    return 'propagate';
  },
  () => 'propagate',
);

/** A list of OTTL conditions; absent (undefined) is distinguished from empty, as upstream's nil checks. */
const conditions = s.optional(s.array(s.string()));

// ---------------------------------------------------------------- legacy include/exclude shapes

/** filterconfig.MetricMatchProperties. */
export const metricMatchSchema = s.object({
  match_type: s.string(''),
  regexp: s.optional(regexpCacheSchema),
  metric_names: s.array(s.string()),
  expressions: s.array(s.string()),
  resource_attributes: s.array(attributeMatchSchema),
});
export type MetricMatchProperties = Infer<typeof metricMatchSchema>;

/** filterprocessor.LogMatchProperties (its own key names, converted to filterconfig.MatchProperties at creation). */
export const logMatchSchema = s.object({
  match_type: s.string(''),
  resource_attributes: s.array(attributeMatchSchema),
  record_attributes: s.array(attributeMatchSchema),
  severity_texts: s.array(s.string()),
  severity_number: s.optional(
    s.object({
      /** A severity name (TRACE … FATAL4, case-insensitive) or number 1 … 24. */
      min: s.any(),
      match_undefined: s.bool(false),
    }),
  ),
  bodies: s.array(s.string()),
});
export type LogMatchProperties = Infer<typeof logMatchSchema>;

const SEVERITY_NAMES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

/** upstream severityToNumber: "1".."24" and TRACE, TRACE2 … FATAL4 (case-insensitive). */
export function severityNumberOf(raw: unknown): number | undefined {
  if (raw === undefined || raw === null) return 0;
  const str = typeof raw === 'number' || typeof raw === 'bigint' ? String(raw) : typeof raw === 'string' ? raw : undefined;
  if (str === undefined) return undefined;
  if (str === '') return 0;
  const up = str.toUpperCase();
  if (/^\d+$/.test(up)) {
    const n = Number(up);
    return String(n) === up && n >= 1 && n <= 24 ? n : undefined;
  }
  const m = /^(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)([2-4])?$/.exec(up);
  if (!m) return undefined;
  return SEVERITY_NAMES.indexOf(m[1]!) * 4 + 1 + (m[2] ? Number(m[2]) - 1 : 0);
}

export function isLogMatchEmpty(lmp: LogMatchProperties): boolean {
  return (
    lmp.resource_attributes.length === 0 &&
    lmp.record_attributes.length === 0 &&
    lmp.severity_texts.length === 0 &&
    lmp.bodies.length === 0 &&
    lmp.severity_number === undefined
  );
}

// ---------------------------------------------------------------- context-inferred conditions

export interface ContextConditions {
  /** Explicit context (advanced style), or undefined: inferred per condition from its path prefixes. */
  readonly context?: ContextName;
  readonly conditions: readonly string[];
  /** Per-group error mode (advanced style); the processor's error_mode when absent. */
  readonly error_mode?: ErrorMode;
  /** Written in the basic style (a flat list of strings). */
  readonly basic?: boolean;
}

const STYLE_MIX = 'configuring multiple configuration styles is not supported, please use only Basic configuration or only Advanced configuration';

/** `trace_conditions` etc.: a list of strings (basic) or a list of { context, conditions, error_mode } (advanced). */
function contextConditionsSchema(signal: SignalName): Schema<ContextConditions[] | undefined> {
  const allowed = SIGNAL_CONTEXTS[signal];
  return {
    describe: 'a list of conditions, or of { context, conditions, error_mode }',
    defaultValue: () => undefined,
    parse(raw, path, issues) {
      if (raw === undefined || raw === null) return undefined;
      if (!Array.isArray(raw)) {
        issues.push({ path, message: `invalid ${path.split('.').pop()} type, expected: array` });
        return undefined;
      }
      if (raw.length === 0) return undefined;
      const basic: string[] = [];
      const groups: ContextConditions[] = [];
      raw.forEach((v, k) => {
        const p = join(path, k);
        if (v === null || v === undefined) {
          issues.push({ path: p, message: 'condition cannot be empty' });
          return;
        }
        if (typeof v === 'string') {
          if (groups.length) issues.push({ path: p, message: STYLE_MIX });
          else basic.push(v);
          return;
        }
        if (basic.length) {
          issues.push({ path: p, message: STYLE_MIX });
          return;
        }
        if (typeof v !== 'object' || Array.isArray(v)) {
          issues.push({ path: p, message: 'expected a condition string or a map { context, conditions, error_mode }' });
          return;
        }
        const o = v as Record<string, unknown>;
        for (const key of Object.keys(o)) {
          if (!['context', 'conditions', 'error_mode'].includes(key)) issues.push({ path: join(p, key), message: `unknown key "${key}" (valid keys: context, conditions, error_mode)` });
        }
        let context: ContextName | undefined;
        if (o.context !== undefined && o.context !== null && o.context !== '') {
          const c = String(o.context);
          if (!(allowed as readonly string[]).includes(c)) issues.push({ path: join(p, 'context'), message: `unknown context ${c} (valid for ${signal}: ${allowed.join(', ')})` });
          else context = c as ContextName;
        }
        const conds = s.array(s.string()).parse(o.conditions, join(p, 'conditions'), issues);
        const em = o.error_mode === undefined || o.error_mode === null || o.error_mode === '' ? undefined : errorModeSchema.parse(o.error_mode, join(p, 'error_mode'), issues);
        groups.push({ context, conditions: conds, error_mode: em });
      });
      if (basic.length) return [{ conditions: basic, basic: true }];
      return groups;
    },
  };
}

// ---------------------------------------------------------------- the config

export const filterConfigSchema = s.object(
  {
    error_mode: errorModeSchema,
    traces: s.object({ resource: conditions, span: conditions, spanevent: conditions }),
    metrics: s.object({
      resource: conditions,
      metric: conditions,
      datapoint: conditions,
      include: s.optional(metricMatchSchema),
      exclude: s.optional(metricMatchSchema),
      regexp: s.optional(regexpCacheSchema),
    }),
    logs: s.object({
      resource: conditions,
      log_record: conditions,
      include: s.optional(logMatchSchema),
      exclude: s.optional(logMatchSchema),
    }),
    spans: s.object({ ...matchConfigShape }),
    trace_conditions: contextConditionsSchema('traces'),
    metric_conditions: contextConditionsSchema('metrics'),
    log_conditions: contextConditionsSchema('logs'),
  },
  {
    ignoredKeys: ['profiles', 'profile_conditions'],
    check: (v, path, issues) => checkFilterConfig(v, path, issues),
  },
);

export type FilterConfig = Infer<typeof filterConfigSchema>;

/** `'text'` for messages (single quotes: conditions are full of double quotes). */
export function quoteCondition(text: string): string {
  return `'${text}'`;
}

export function conditionIssue(path: string, e: unknown): ConfigIssue {
  if (e instanceof OttlConditionError) return { path, message: `${e.detail} in condition ${quoteCondition(e.condition)}` };
  return { path, message: String(e instanceof Error ? e.message : e) };
}

/** Compile each condition of a list in `context`, pushing issues at `path[k]`. */
export function checkConditions(list: readonly string[] | undefined, context: ContextName, path: string, issues: ConfigIssue[]): void {
  list?.forEach((text, k) => {
    try {
      compileCondition(text, context);
    } catch (e) {
      issues.push(conditionIssue(join(path, k), e));
    }
  });
}

/** The YAML path of condition k of group n. */
export function groupConditionPath(path: string, g: ContextConditions, n: number, k: number): string {
  return g.basic ? join(path, k) : join(join(join(path, n), 'conditions'), k);
}

/** Check the context-inferred groups: each condition compiles in its (explicit or inferred) context. */
function checkGroups(groups: readonly ContextConditions[] | undefined, signal: SignalName, path: string, issues: ConfigIssue[]): void {
  groups?.forEach((g, n) => {
    g.conditions.forEach((text, k) => {
      const p = groupConditionPath(path, g, n, k);
      try {
        compileCondition(text, g.context ?? inferContext(text, signal));
      } catch (e) {
        issues.push(conditionIssue(p, e));
      }
    });
  });
}

function checkFilterConfig(v: FilterConfig, path: string, issues: ConfigIssue[]): void {
  const t = v.traces;
  const m = v.metrics;
  const l = v.logs;
  const traceOttl = t.resource !== undefined || t.span !== undefined || t.spanevent !== undefined;
  const metricOttl = m.resource !== undefined || m.metric !== undefined || m.datapoint !== undefined;
  const logOttl = l.resource !== undefined || l.log_record !== undefined;
  const spansLegacy = v.spans.include !== undefined || v.spans.exclude !== undefined;
  const metricsLegacy = m.include !== undefined || m.exclude !== undefined;
  const logsLegacy = l.include !== undefined || l.exclude !== undefined;

  // upstream validateInferredContextConfig
  if (v.trace_conditions !== undefined && traceOttl) {
    issues.push({ path: join(path, 'trace_conditions'), message: 'cannot use context inferred trace conditions "trace_conditions" and the settings "traces.resource", "traces.span", "traces.spanevent" at the same time' });
  }
  if (v.metric_conditions !== undefined && (metricOttl || metricsLegacy)) {
    issues.push({
      path: join(path, 'metric_conditions'),
      message: 'cannot use context inferred metric conditions "metric_conditions" and the settings "metrics.resource", "metrics.metric", "metrics.datapoint", "metrics.include", "metrics.exclude" at the same time',
    });
  }
  if (v.log_conditions !== undefined && (logOttl || logsLegacy)) {
    issues.push({
      path: join(path, 'log_conditions'),
      message: 'cannot use context inferred log conditions "log_conditions" and the settings "logs.resource", "logs.log", "logs.include", "logs.exclude" at the same time',
    });
  }
  // upstream validateExplicitContextConfig
  if (traceOttl && spansLegacy) {
    issues.push({ path: join(path, 'traces'), message: 'cannot use "traces.resource", "traces.span", "traces.spanevent" and the span settings "spans.include", "spans.exclude" at the same time' });
  }
  if (metricOttl && metricsLegacy) {
    issues.push({ path: join(path, 'metrics'), message: 'cannot use "metrics.resource", "metrics.metric", "metrics.datapoint" and the settings "metrics.include", "metrics.exclude" at the same time' });
  }
  if (logOttl && logsLegacy) {
    issues.push({ path: join(path, 'logs'), message: 'cannot use "logs.resource", "logs.log" and the settings "logs.include", "logs.exclude" at the same time' });
  }

  checkConditions(t.resource, 'resource', join(join(path, 'traces'), 'resource'), issues);
  checkConditions(t.span, 'span', join(join(path, 'traces'), 'span'), issues);
  checkConditions(t.spanevent, 'spanevent', join(join(path, 'traces'), 'spanevent'), issues);
  checkConditions(m.resource, 'resource', join(join(path, 'metrics'), 'resource'), issues);
  checkConditions(m.metric, 'metric', join(join(path, 'metrics'), 'metric'), issues);
  checkConditions(m.datapoint, 'datapoint', join(join(path, 'metrics'), 'datapoint'), issues);
  checkConditions(l.resource, 'resource', join(join(path, 'logs'), 'resource'), issues);
  checkConditions(l.log_record, 'log', join(join(path, 'logs'), 'log_record'), issues);
  checkGroups(v.trace_conditions, 'traces', join(path, 'trace_conditions'), issues);
  checkGroups(v.metric_conditions, 'metrics', join(path, 'metric_conditions'), issues);
  checkGroups(v.log_conditions, 'logs', join(path, 'log_conditions'), issues);

  // Legacy metrics: `match_type: expr` expressions (the antonmedv/expr language) are not implemented.
  for (const key of ['include', 'exclude'] as const) {
    const mp = m[key];
    if (mp && mp.match_type === 'expr' && mp.expressions.length > 0) {
      issues.push({
        path: join(join(join(path, 'metrics'), key), 'expressions'),
        message: 'match_type "expr" expressions are not supported by otelcol-ts; express them as OTTL conditions (metrics.metric / metrics.datapoint)',
      });
    }
  }
  // Legacy logs: severity_number.min must name a severity (upstream Validate).
  for (const key of ['include', 'exclude'] as const) {
    const lmp = l[key];
    if (!lmp?.severity_number) continue;
    const min = lmp.severity_number.min;
    if (severityNumberOf(min) === undefined) {
      issues.push({ path: join(join(join(join(path, 'logs'), key), 'severity_number'), 'min'), message: `'${String(min)}' is not a valid severity: not a valid severity` });
    }
  }
}
