// The pipeline graph, built once from a validated config, like the Go collector's service/internal/graph:
//
//   receiver (one instance per id) ─► fan-out over the pipelines of each signal that list it
//     ─► [pipeline capabilities] ─► processor ─► processor ─► (one instance per pipeline entry)
//     ─► fan-out over the pipeline's exporters ─► exporter (one instance per id and signal, shared by pipelines)
//
// Components that no pipeline uses (and extensions not listed in service.extensions) are not created.
// Creating components opens nothing: ports and files are opened by start() (see service.ts for the order).

import type { AnyFactory, Capabilities, Component, ComponentId, CreateSettings, Signal } from '../component/types';
import { ConfigError, isOtelTsError } from '../errors';
import type { CollectorConfig, ComponentEntry } from '../config/config';
import type { FactoryKind } from './registry';
import { fanoutFor, withCapabilities } from './fanout';

const CREATE_FN: Record<Signal, string> = { traces: 'createTraces', metrics: 'createMetrics', logs: 'createLogs' };

export interface GraphNode {
  readonly kind: FactoryKind;
  readonly id: ComponentId;
  /** `kind:id`, e.g. `exporter:otlp/2` (the Host's status key). */
  readonly key: string;
  /** Which instance of kind:id: the pipeline id for processors, the signal for exporters, '' otherwise. */
  readonly instance: string;
  readonly component: Component;
}

export interface Graph {
  /** In service.extensions order. */
  readonly extensions: readonly GraphNode[];
  readonly exporters: readonly GraphNode[];
  /** Per pipeline, its processors in pipeline order. */
  readonly processors: ReadonlyArray<{ readonly pipeline: string; readonly nodes: readonly GraphNode[] }>;
  readonly receivers: readonly GraphNode[];
  /** Per receiver id, the consumer of each signal it feeds (a fan-out over the pipelines listing it). */
  readonly entries: ReadonlyMap<string, Readonly<Partial<Record<Signal, AnyConsumer>>>>;
}

/**
 * Which part of the graph to build. `all`: everything in this thread. With a worker pool the graph is cut at the
 * receivers: the acceptor builds `acceptor` (receivers and extensions, receivers feeding `receiverConsumers`)
 * and every worker builds `pipelines` (processors and exporters, entered through `Graph.entries`).
 */
export interface BuildOptions {
  part?: 'all' | 'acceptor' | 'pipelines';
  /** For `acceptor`: what receiver `rid` feeds, given the signals its pipelines carry. */
  receiverConsumers?: (rid: string, signals: readonly Signal[]) => Partial<Record<Signal, AnyConsumer>>;
}

/** Settings for one component instance; `fields` are extra logger fields (signal, pipeline id). */
export type SettingsFor = (kind: FactoryKind, id: ComponentId, fields: Record<string, string>) => CreateSettings;

export type AnyConsumer = object & { capabilities: Capabilities };

function createError(entry: ComponentEntry, what: string, e: unknown): ConfigError {
  if (e instanceof ConfigError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return ConfigError.at(entry.path, `failed to create ${JSON.stringify(entry.id.id)} ${entry.kind}${what}: ${msg}`);
}

function callCreate(factory: AnyFactory, signal: Signal, args: unknown[]): unknown {
  const fn = (factory as unknown as Record<string, unknown>)[CREATE_FN[signal]];
  if (typeof fn !== 'function') throw new Error(`the ${factory.kind} does not support the ${signal} signal`);
  return (fn as (...a: unknown[]) => unknown).apply(factory, args);
}

/** Build every component instance and connect them. Throws a ConfigError when a factory fails. */
export function buildGraph(cfg: CollectorConfig, settingsFor: SettingsFor, opts: BuildOptions = {}): Graph {
  const created: Component[] = [];
  try {
    return build(cfg, settingsFor, created, opts);
  } catch (e) {
    // Nothing was started; let what was created release whatever it holds.
    for (const c of created) void Promise.resolve().then(() => c.shutdown()).catch(() => undefined);
    throw e;
  }
}

function build(cfg: CollectorConfig, settingsFor: SettingsFor, created: Component[], opts: BuildOptions): Graph {
  const part = opts.part ?? 'all';
  const exporters: GraphNode[] = [];
  const exporterByKey = new Map<string, AnyConsumer>();
  const processors: Array<{ pipeline: string; nodes: GraphNode[] }> = [];
  /** pipeline id → the consumer receivers feed. */
  const pipelineHeads = new Map<string, AnyConsumer>();

  for (const p of part === 'acceptor' ? [] : cfg.service.pipelines.values()) {
    const signal = p.signal;
    // Exporters: one instance per (id, signal), shared by the pipelines of that signal.
    const exps: AnyConsumer[] = [];
    for (const eid of p.exporters) {
      const key = `${signal}:${eid}`;
      let exp = exporterByKey.get(key);
      if (!exp) {
        const entry = cfg.exporters.get(eid)!;
        const set = settingsFor('exporter', entry.id, { 'otelcol.signal': signal });
        try {
          exp = callCreate(entry.factory, signal, [set, entry.config]) as AnyConsumer;
        } catch (e) {
          throw createError(entry, ` for data type "${signal}"`, e);
        }
        created.push(exp as unknown as Component);
        exporterByKey.set(key, exp);
        exporters.push({ kind: 'exporter', id: entry.id, key: `exporter:${eid}`, instance: signal, component: exp as unknown as Component });
      }
      exps.push(exp);
    }
    const exportersFanout = fanoutFor(signal, exps);

    // Processors: one instance per pipeline entry, created from the end of the pipeline to its start.
    let next: AnyConsumer = exportersFanout;
    let mutates = exportersFanout.capabilities.mutatesData;
    const nodes: GraphNode[] = [];
    for (let i = p.processors.length - 1; i >= 0; i--) {
      const pid = p.processors[i]!;
      const entry = cfg.processors.get(pid)!;
      const set = settingsFor('processor', entry.id, { 'otelcol.signal': signal, 'otelcol.pipeline.id': p.id });
      let proc: AnyConsumer;
      try {
        proc = callCreate(entry.factory, signal, [set, entry.config, next]) as AnyConsumer;
      } catch (e) {
        throw createError(entry, ` in pipeline "${p.id}"`, e);
      }
      created.push(proc as unknown as Component);
      mutates = mutates || proc.capabilities.mutatesData;
      nodes.unshift({ kind: 'processor', id: entry.id, key: `processor:${pid}`, instance: p.id, component: proc as unknown as Component });
      next = proc;
    }
    processors.push({ pipeline: p.id, nodes });
    pipelineHeads.set(p.id, withCapabilities(signal, next, { mutatesData: mutates }));
  }

  // Receivers: one instance per id, with one consumer per signal fanning out to every pipeline listing it.
  const receivers: GraphNode[] = [];
  const entries = new Map<string, Partial<Record<Signal, AnyConsumer>>>();
  const receiverIds: string[] = [];
  for (const p of cfg.service.pipelines.values()) for (const r of p.receivers) if (!receiverIds.includes(r)) receiverIds.push(r);
  for (const rid of receiverIds) {
    const entry = cfg.receivers.get(rid)!;
    let consumers: Partial<Record<Signal, AnyConsumer>> = {};
    const signals = (['traces', 'metrics', 'logs'] as const).filter((sig) =>
      [...cfg.service.pipelines.values()].some((p) => p.signal === sig && p.receivers.includes(rid)),
    );
    if (part === 'acceptor') {
      if (!opts.receiverConsumers) throw new Error('buildGraph: the acceptor part needs receiverConsumers');
      consumers = opts.receiverConsumers(rid, signals);
    } else {
      for (const signal of signals) {
        const heads: AnyConsumer[] = [];
        for (const p of cfg.service.pipelines.values()) {
          if (p.signal === signal && p.receivers.includes(rid)) heads.push(pipelineHeads.get(p.id)!);
        }
        consumers[signal] = fanoutFor(signal, heads);
      }
    }
    entries.set(rid, consumers);
    if (part === 'pipelines') continue;
    const set = settingsFor('receiver', entry.id, {});
    let rec: Component;
    try {
      if (entry.factory.kind !== 'receiver') throw new Error('not a receiver factory');
      rec = entry.factory.create(set, entry.config, consumers as Parameters<typeof entry.factory.create>[2]);
    } catch (e) {
      throw createError(entry, '', e);
    }
    created.push(rec);
    receivers.push({ kind: 'receiver', id: entry.id, key: `receiver:${rid}`, instance: '', component: rec });
  }

  // Extensions listed in service.extensions, in that order.
  const extensions: GraphNode[] = [];
  for (const xid of cfg.service.extensions) {
    const entry = cfg.extensions.get(xid)!;
    if (part === 'pipelines' && !(entry.factory.kind === 'extension' && entry.factory.inWorkers)) continue;
    const set = settingsFor('extension', entry.id, {});
    let ext: Component;
    try {
      if (entry.factory.kind !== 'extension') throw new Error('not an extension factory');
      ext = entry.factory.create(set, entry.config);
    } catch (e) {
      throw createError(entry, '', e);
    }
    created.push(ext);
    extensions.push({ kind: 'extension', id: entry.id, key: `extension:${xid}`, instance: '', component: ext });
  }

  return { extensions, exporters, processors, receivers, entries };
}

/** Describe an error for a log line or a message (OtelTsError messages are already user-facing). */
export function errorMessage(e: unknown): string {
  if (isOtelTsError(e)) return e.message;
  return e instanceof Error ? e.message : String(e);
}
