// The set of component factories a collector build knows, looked up by kind and type (aliases included:
// `otlp_grpc` finds the `otlp` exporter). The real list lives in src/components.ts; tests build their own.

import type { AnyFactory, Kind, Signal, Stability } from '../component/types';

export type FactoryKind = AnyFactory['kind'];
export const FACTORY_KINDS: readonly FactoryKind[] = ['receiver', 'processor', 'exporter', 'extension'];

const CREATE_FN: Record<Signal, string> = { traces: 'createTraces', metrics: 'createMetrics', logs: 'createLogs' };

export class Registry {
  private readonly byKind = new Map<Kind, Map<string, AnyFactory>>();
  private readonly all: AnyFactory[] = [];

  constructor(factories: readonly AnyFactory[]) {
    for (const f of factories) {
      let m = this.byKind.get(f.kind);
      if (!m) {
        m = new Map();
        this.byKind.set(f.kind, m);
      }
      for (const name of [f.type, ...(f.aliases ?? [])]) {
        const prev = m.get(name);
        if (prev && prev !== f) throw new Error(`duplicate ${f.kind} type ${JSON.stringify(name)} (factories "${prev.type}" and "${f.type}")`);
        m.set(name, f);
      }
      if (!this.all.includes(f)) this.all.push(f);
    }
  }

  /** The factory for `type` (or one of its aliases) of `kind`. */
  get(kind: Kind, type: string): AnyFactory | undefined {
    return this.byKind.get(kind)?.get(type);
  }

  /** Every factory of `kind`, sorted by type. */
  list(kind: Kind): AnyFactory[] {
    return this.all.filter((f) => f.kind === kind).sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  }

  /** Every accepted type name of `kind` (types and aliases), sorted. */
  names(kind: Kind): string[] {
    return [...(this.byKind.get(kind)?.keys() ?? [])].sort();
  }

  get factories(): readonly AnyFactory[] {
    return this.all;
  }
}

/** Stability of a factory for a signal; undefined when it does not support the signal. Extensions: their stability. */
export function stabilityFor(f: AnyFactory, signal: Signal): Stability | undefined {
  if (f.kind === 'extension') return f.stability;
  return f.stability[signal];
}

/**
 * Whether a pipeline of `signal` can use this factory: it must declare a stability for the signal, and processors
 * and exporters must have the matching create function (`createTraces`, ...).
 */
export function supportsSignal(f: AnyFactory, signal: Signal): boolean {
  if (f.kind === 'extension') return false;
  if (f.stability[signal] === undefined) return false;
  if (f.kind === 'receiver') return true;
  return typeof (f as unknown as Record<string, unknown>)[CREATE_FN[signal]] === 'function';
}

/** Signals a factory supports, in traces/metrics/logs order. */
export function supportedSignals(f: AnyFactory): Signal[] {
  return (['traces', 'metrics', 'logs'] as const).filter((s) => supportsSignal(f, s));
}
