// `trace_state` (upstream trace_state_filter.go): sampled when a span's W3C tracestate, parsed as Go's
// otel trace.ParseTraceState does (an invalid tracestate never matches), has `key` with one of `values`.
// Values that are empty or would make the member 256 characters or longer (len(key) + len(value) >= 256)
// are ignored, as upstream.

import { Decision, type PolicyEvaluator, type SampledTrace } from '../types';
import { hasSpan } from './util';

const KEY_RE = /^(?:[a-z][_0-9a-z\-*/]{0,255}|[a-z0-9][_0-9a-z\-*/]{0,240}@[a-z][_0-9a-z\-*/]{0,13})$/;
const VALUE_RE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
const MAX_MEMBERS = 32;

/** go.opentelemetry.io/otel/trace ParseTraceState; undefined when invalid. */
export function parseTraceState(raw: string): Map<string, string> | undefined {
  const out = new Map<string, string>();
  if (raw === '') return out;
  for (const memberRaw of raw.split(',')) {
    if (memberRaw.length === 0) continue;
    const eq = memberRaw.indexOf('=');
    if (eq < 0) return undefined;
    const key = memberRaw.slice(0, eq).replace(/^[ \t]+/, '');
    const val = memberRaw.slice(eq + 1).replace(/[ \t]+$/, '');
    if (!KEY_RE.test(key) || !VALUE_RE.test(val)) return undefined;
    if (out.has(key)) return undefined;
    out.set(key, val);
    if (out.size > MAX_MEMBERS) return undefined;
  }
  return out;
}

export class TraceState implements PolicyEvaluator {
  private readonly values: Set<string>;
  private lastRaw: string | undefined;
  private lastMatch = false;

  constructor(
    private readonly key: string,
    values: readonly string[],
  ) {
    this.values = new Set(values.filter((v) => v !== '' && key.length + v.length < 256));
  }

  private matches(raw: string): boolean {
    if (raw === this.lastRaw) return this.lastMatch;
    const ts = parseTraceState(raw);
    const v = ts?.get(this.key);
    const m = v !== undefined && this.values.has(v);
    this.lastRaw = raw;
    this.lastMatch = m;
    return m;
  }

  evaluate(trace: SampledTrace): Decision {
    return hasSpan(trace, (b, i) => this.matches(b.traceState(i)));
  }
}
