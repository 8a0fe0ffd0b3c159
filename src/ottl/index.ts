// OTTL conditions for otelcol-ts: parse + compile at config load, evaluate per item on columnar batches.
//
//   const c = compileCondition('attributes["http.route"] == "/healthz"', 'span');   // throws OttlConditionError
//   const match = c.bind(traceBatch);                                                 // per batch
//   for (let i = 0; i < traceBatch.spanCount; i++) if (match(i)) …
//
// A ConditionSequence ORs conditions and applies an error_mode (upstream ottl.ConditionSequence):
//   propagate — the first evaluation error stops and is thrown (the caller rejects the data)
//   ignore    — the failing condition counts as false, a warning is logged (rate-limited), the next one runs
//   silent    — as ignore, without the log
//
// Contexts: resource, scope, span, spanevent, metric, datapoint, log (see contexts.ts for their paths).
// inferContext() picks the context of a condition from its path prefixes (`span.name` → span), as the filter
// processor's `trace_conditions` / `metric_conditions` / `log_conditions` do.

import { OtelTsError, GrpcStatus } from '../errors';
import type { Logger } from '../component/types';
import { RateLimitedLog } from '../processors/internal/rate-limited-log';
import { callsOf, pathsOf, type BoolNode } from './ast';
import { compileAst, CompiledCondition } from './compiler';
import { pathContextPrefix, type ContextName } from './contexts';
import { OttlCompileError } from './errors';
import { OttlSyntaxError } from './lexer';
import { parseCondition } from './parser';
import { OttlRuntimeError } from './values';

export { CompiledCondition, OttlCompileError, OttlSyntaxError, OttlRuntimeError, parseCondition };
export type { ContextName };

export type ErrorMode = 'propagate' | 'ignore' | 'silent';
export const ERROR_MODES: readonly ErrorMode[] = ['propagate', 'ignore', 'silent'];

export type SignalName = 'traces' | 'metrics' | 'logs';

/** The contexts a condition of each signal may have, from the least to the most specific. */
export const SIGNAL_CONTEXTS: Readonly<Record<SignalName, readonly ContextName[]>> = {
  traces: ['resource', 'scope', 'span', 'spanevent'],
  metrics: ['resource', 'scope', 'metric', 'datapoint'],
  logs: ['resource', 'scope', 'log'],
};

/** A condition that does not parse or compile. `message` is user-facing and includes the line/column for syntax errors. */
export class OttlConditionError extends Error {
  constructor(
    readonly condition: string,
    readonly detail: string,
    readonly line?: number,
    readonly col?: number,
  ) {
    super(detail);
    this.name = 'OttlConditionError';
  }
}

function wrapCompileError(text: string, e: unknown): never {
  if (e instanceof OttlSyntaxError) throw new OttlConditionError(text, `condition has invalid syntax: ${e.message}`, e.line, e.col);
  if (e instanceof OttlCompileError) throw new OttlConditionError(text, e.message, e.pos?.line, e.pos?.col);
  throw e;
}

/** Parse a condition; throws OttlConditionError. */
export function parseConditionText(text: string): BoolNode {
  try {
    return parseCondition(text);
  } catch (e) {
    return wrapCompileError(text, e);
  }
}

/** Parse and compile a condition for `context`. Throws OttlConditionError (syntax: with line and column). */
export function compileCondition(text: string, context: ContextName): CompiledCondition {
  const ast = parseConditionText(text);
  try {
    return compileAst(text, ast, context);
  } catch (e) {
    return wrapCompileError(text, e);
  }
}

/**
 * The context of a condition written with context-prefixed paths (`span.name == "x" and resource.attributes[…]`):
 * the most specific context its paths name, which must be one of the signal's. Throws OttlConditionError when a
 * path has no context prefix or names a context of another signal.
 */
export function inferContext(text: string, signal: SignalName): ContextName {
  const ast = parseConditionText(text);
  const allowed = SIGNAL_CONTEXTS[signal];
  let best = -1;
  for (const p of pathsOf(ast)) {
    const c = pathContextPrefix(p);
    if (c === undefined) {
      throw new OttlConditionError(
        text,
        `missing context name for path "${p.text}", valid options are: ${allowed.map((x) => `"${x}."`).join(', ')}`,
        p.pos.line,
        p.pos.col,
      );
    }
    const rank = allowed.indexOf(c);
    if (rank < 0) throw new OttlConditionError(text, `path "${p.text}": context "${c}" is not valid for ${signal} conditions (valid: ${allowed.join(', ')})`, p.pos.line, p.pos.col);
    best = Math.max(best, rank);
  }
  if (best < 0) {
    // No paths: a context-specific converter may say which context is meant.
    for (const call of callsOf(ast)) {
      if (call.name === 'IsRootSpan' && allowed.includes('span')) best = Math.max(best, allowed.indexOf('span'));
      if ((call.name === 'HasAttrKeyOnDatapoint' || call.name === 'HasAttrOnDatapoint') && allowed.includes('metric')) best = Math.max(best, allowed.indexOf('metric'));
    }
  }
  if (best < 0) throw new OttlConditionError(text, `unable to infer a context from condition "${text}": use context-prefixed paths such as ${allowed.map((x) => `"${x}."`).join(', ')}`);
  return allowed[best]!;
}

/**
 * An evaluation error under error_mode `propagate`: the data cannot be processed. Permanent (retrying the same
 * data fails the same way): gRPC INTERNAL / HTTP 500, which OTLP clients do not retry.
 */
export class OttlEvalError extends OtelTsError {
  constructor(
    readonly condition: string,
    cause: unknown,
  ) {
    super('OTELTS_ERR_INTERNAL', `failed to eval condition: ${condition}, ${cause instanceof Error ? cause.message : String(cause)}`, GrpcStatus.INTERNAL, 500, false, { cause });
  }
}

/** Conditions ORed, with an error mode (upstream ottl.ConditionSequence.Eval). */
export class ConditionSequence {
  private readonly warn: RateLimitedLog | undefined;

  constructor(
    readonly conditions: readonly CompiledCondition[],
    readonly errorMode: ErrorMode,
    logger?: Logger,
  ) {
    this.warn = errorMode === 'ignore' && logger ? new RateLimitedLog(logger, 'warn') : undefined;
  }

  get empty(): boolean {
    return this.conditions.length === 0;
  }

  /** An evaluator for `batch`: true when any condition matches item (i, j). Throws OttlEvalError in propagate mode. */
  bind(batch: unknown): (i: number, j?: number) => boolean {
    const fns = this.conditions.map((c) => c.bind(batch));
    const conds = this.conditions;
    const mode = this.errorMode;
    const warn = this.warn;
    if (fns.length === 1) {
      const f = fns[0]!;
      return (i, j = 0) => {
        try {
          return f(i, j);
        } catch (e) {
          if (mode === 'propagate') throw new OttlEvalError(conds[0]!.text, e);
          warn?.log('failed to eval condition', { error: e instanceof Error ? e.message : String(e), condition: conds[0]!.text });
          return false;
        }
      };
    }
    return (i, j = 0) => {
      for (let k = 0; k < fns.length; k++) {
        try {
          if (fns[k]!(i, j)) return true;
        } catch (e) {
          if (mode === 'propagate') throw new OttlEvalError(conds[k]!.text, e);
          warn?.log('failed to eval condition', { error: e instanceof Error ? e.message : String(e), condition: conds[k]!.text });
        }
      }
      return false;
    };
  }
}
