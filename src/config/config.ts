// The collector configuration, checked like the Go collector's otelcol.Config and service.Config:
// top-level sections, component ids (`type` or `type/name`) resolved against the registry, every component's
// config validated by its factory's schema (at `receivers.otlp`, ...), `service.extensions`, `service.pipelines`
// and `service.telemetry`. Every problem is reported with its YAML path, and ALL problems are collected.

import type { AnyFactory, ComponentId, Kind, Signal } from '../component/types';
import { parseComponentId } from '../component/id';
import { ConfigError, type ConfigIssue } from '../errors';
import { join, show } from './schema';
import { isMap, type ConfigMap } from './merge';
import { parseTelemetry, type TelemetryConfig } from './telemetry';
import { loadRawConfig, type LoadOptions } from './loader';
import { parseWorkersConfig, SERVICE_WORKER_KEYS, type WorkersConfig } from '../workers/config';
import { Registry, supportedSignals, supportsSignal, type FactoryKind } from '../service/registry';

export const TOP_LEVEL_KEYS = ['receivers', 'processors', 'exporters', 'connectors', 'extensions', 'service'] as const;
const SECTION_KIND: Record<string, Kind> = {
  receivers: 'receiver',
  processors: 'processor',
  exporters: 'exporter',
  connectors: 'connector',
  extensions: 'extension',
};
const PIPELINE_SIGNALS: readonly string[] = ['traces', 'metrics', 'logs'];

export interface ComponentEntry {
  readonly id: ComponentId;
  readonly kind: FactoryKind;
  readonly factory: AnyFactory;
  /** The validated config (defaults filled) from the factory's schema. */
  readonly config: unknown;
  /** YAML path (`receivers.otlp`). */
  readonly path: string;
}

export interface PipelineEntry {
  /** `traces` or `traces/name`. */
  readonly id: string;
  readonly signal: Signal;
  readonly receivers: readonly string[];
  readonly processors: readonly string[];
  readonly exporters: readonly string[];
  readonly path: string;
}

export interface CollectorConfig {
  readonly receivers: ReadonlyMap<string, ComponentEntry>;
  readonly processors: ReadonlyMap<string, ComponentEntry>;
  readonly exporters: ReadonlyMap<string, ComponentEntry>;
  readonly extensions: ReadonlyMap<string, ComponentEntry>;
  readonly service: {
    readonly extensions: readonly string[];
    readonly pipelines: ReadonlyMap<string, PipelineEntry>;
    readonly telemetry: TelemetryConfig;
    /** The worker pool (`service.workers`, `service.worker_inflight_mib`): see src/workers/config.ts. */
    readonly workers: WorkersConfig;
  };
  /** The merged, expanded config map this was validated from (what worker threads rebuild the pipelines from). */
  readonly raw: unknown;
}

export interface ValidationResult {
  /** Best-effort config (complete only when `issues` is empty). */
  config: CollectorConfig;
  issues: ConfigIssue[];
}

function sectionEntries(raw: ConfigMap, section: string, issues: ConfigIssue[]): Array<[string, unknown]> {
  const v = raw[section];
  if (v === undefined || v === null) return [];
  if (!isMap(v)) {
    issues.push({ path: section, message: `expected a map of components, got ${show(v)}` });
    return [];
  }
  return Object.entries(v);
}

function validValues(registry: Registry, kind: Kind): string {
  const names = registry.names(kind);
  return names.length ? `valid values: ${names.join(', ')}` : `otelcol-ts has no ${kind}s yet`;
}

/** Validate a merged, expanded config against a registry. Collects every problem. */
export function validateConfig(raw: unknown, registry: Registry): ValidationResult {
  const issues: ConfigIssue[] = [];
  const comps: Record<FactoryKind, Map<string, ComponentEntry>> = {
    receiver: new Map(),
    processor: new Map(),
    exporter: new Map(),
    extension: new Map(),
  };
  const connectorIds = new Set<string>();
  const pipelines = new Map<string, PipelineEntry>();
  const serviceExtensions: string[] = [];

  const root: ConfigMap = isMap(raw) ? raw : {};
  if (raw !== undefined && raw !== null && !isMap(raw)) {
    issues.push({ path: '', message: `the configuration must be a map, got ${show(raw)}` });
    const empty = new Map<string, ComponentEntry>();
    const telemetry = parseTelemetry(undefined, 'service.telemetry', []);
    const workers = parseWorkersConfig({}, []);
    return {
      config: { receivers: empty, processors: empty, exporters: empty, extensions: empty, service: { extensions: [], pipelines, telemetry, workers }, raw },
      issues,
    };
  }

  for (const k of Object.keys(root)) {
    if (!(TOP_LEVEL_KEYS as readonly string[]).includes(k)) {
      issues.push({ path: k, message: `unknown top-level key ${JSON.stringify(k)} (valid keys: ${TOP_LEVEL_KEYS.join(', ')})` });
    }
  }

  // ---- component sections
  let definedCount = 0;
  for (const section of ['receivers', 'processors', 'exporters', 'connectors', 'extensions']) {
    const kind = SECTION_KIND[section]!;
    for (const [idStr, cfg] of sectionEntries(root, section, issues)) {
      definedCount++;
      const path = join(section, idStr);
      let id: ComponentId;
      try {
        id = parseComponentId(idStr);
      } catch (e) {
        issues.push({ path, message: (e as Error).message });
        continue;
      }
      if (kind === 'connector') {
        connectorIds.add(id.id);
        issues.push({ path, message: `unknown type ${JSON.stringify(id.type)} for connector (${validValues(registry, kind)})` });
        continue;
      }
      const factory = registry.get(kind, id.type);
      if (!factory) {
        issues.push({ path, message: `unknown type ${JSON.stringify(id.type)} for ${kind} (${validValues(registry, kind)})` });
        continue;
      }
      let config: unknown;
      try {
        config = factory.configSchema.parse(cfg, path, issues);
      } catch (e) {
        // A schema must not throw; if one does, report it against the component rather than crash.
        issues.push({ path, message: `invalid configuration: ${(e as Error).message}` });
        continue;
      }
      comps[factory.kind].set(id.id, { id, kind: factory.kind, factory, config, path });
    }
  }

  if (definedCount === 0 && issues.length === 0) {
    issues.push({ path: '', message: 'empty configuration file' });
  } else {
    if (sectionEntries(root, 'receivers', []).length === 0 && isMapOrAbsent(root.receivers)) {
      issues.push({ path: 'receivers', message: 'no receiver configuration specified in config' });
    }
    if (sectionEntries(root, 'exporters', []).length === 0 && isMapOrAbsent(root.exporters)) {
      issues.push({ path: 'exporters', message: 'no exporter configuration specified in config' });
    }
  }

  // ---- service
  const svcRaw = root.service;
  const svc: ConfigMap = isMap(svcRaw) ? svcRaw : {};
  if (svcRaw !== undefined && svcRaw !== null && !isMap(svcRaw)) {
    issues.push({ path: 'service', message: `expected a map, got ${show(svcRaw)}` });
  }
  const serviceKeys = ['telemetry', 'extensions', 'pipelines', ...SERVICE_WORKER_KEYS];
  for (const k of Object.keys(svc)) {
    if (!serviceKeys.includes(k)) {
      issues.push({ path: join('service', k), message: `unknown key ${JSON.stringify(k)} (valid keys: ${serviceKeys.join(', ')})` });
    }
  }

  // service.extensions
  const extRaw = svc.extensions;
  if (extRaw !== undefined && extRaw !== null) {
    if (!Array.isArray(extRaw)) {
      issues.push({ path: 'service.extensions', message: `expected a list of extension ids, got ${show(extRaw)}` });
    } else {
      extRaw.forEach((ref: unknown, i: number) => {
        const p = join('service.extensions', i);
        const id = refId(ref, p, issues);
        if (id === undefined) return;
        if (!comps.extension.has(id)) {
          if (!wasDefinedButInvalid(root, 'extensions', id)) issues.push({ path: p, message: `references extension ${JSON.stringify(id)} which is not configured` });
          return;
        }
        if (!serviceExtensions.includes(id)) serviceExtensions.push(id);
      });
    }
  }

  // service.pipelines
  const plRaw = svc.pipelines;
  if (plRaw === undefined || plRaw === null || (isMap(plRaw) && Object.keys(plRaw).length === 0)) {
    issues.push({ path: 'service.pipelines', message: 'service must have at least one pipeline' });
  } else if (!isMap(plRaw)) {
    issues.push({ path: 'service.pipelines', message: `expected a map of pipelines, got ${show(plRaw)}` });
  } else {
    for (const [pid, pcfg] of Object.entries(plRaw)) {
      const p = join('service.pipelines', pid);
      const slash = pid.indexOf('/');
      const signal = slash < 0 ? pid : pid.slice(0, slash);
      const name = slash < 0 ? '' : pid.slice(slash + 1);
      if (signal === 'profiles') {
        issues.push({ path: p, message: 'otelcol-ts does not support the profiles signal' });
        continue;
      }
      if (!PIPELINE_SIGNALS.includes(signal)) {
        issues.push({ path: p, message: `unknown signal ${JSON.stringify(signal)} in pipeline id ${JSON.stringify(pid)} (valid signals: traces, metrics, logs)` });
        continue;
      }
      if (slash >= 0 && !name) {
        issues.push({ path: p, message: `the part after "/" should not be empty in pipeline id ${JSON.stringify(pid)}` });
        continue;
      }
      const entry = parsePipeline(pid, signal as Signal, pcfg, p, comps, connectorIds, root, issues);
      if (entry) pipelines.set(pid, entry);
    }
  }

  const telemetry: TelemetryConfig = parseTelemetry(svc.telemetry, 'service.telemetry', issues);
  const workers = parseWorkersConfig(svc, issues);
  if (workers.sharding === 'round_robin' && workers.count > 1) {
    for (const p of pipelines.values()) {
      const ts = p.processors.find((id) => comps.processor.get(id)?.factory.type === 'tail_sampling');
      if (p.signal === 'traces' && ts) {
        issues.push({
          path: 'service.worker_sharding',
          message: `round_robin cannot be used with the ${JSON.stringify(ts)} processor in pipeline ${JSON.stringify(p.id)}: tail sampling needs every span of a trace in one worker (use trace_id)`,
        });
      }
    }
  }

  return {
    config: {
      receivers: comps.receiver,
      processors: comps.processor,
      exporters: comps.exporter,
      extensions: comps.extension,
      service: { extensions: serviceExtensions, pipelines, telemetry, workers },
      raw,
    },
    issues,
  };
}

function isMapOrAbsent(v: unknown): boolean {
  return v === undefined || v === null || isMap(v);
}

/** True when `section.<id>` exists in the YAML (so an error was already reported for it). */
function wasDefinedButInvalid(root: ConfigMap, section: string, id: string): boolean {
  const sec = root[section];
  return isMap(sec) && Object.prototype.hasOwnProperty.call(sec, id);
}

function refId(ref: unknown, p: string, issues: ConfigIssue[]): string | undefined {
  if (typeof ref !== 'string') {
    issues.push({ path: p, message: `expected a component id, got ${show(ref)}` });
    return undefined;
  }
  try {
    return parseComponentId(ref).id;
  } catch (e) {
    issues.push({ path: p, message: (e as Error).message });
    return undefined;
  }
}

function parsePipeline(
  pid: string,
  signal: Signal,
  raw: unknown,
  p: string,
  comps: Record<FactoryKind, Map<string, ComponentEntry>>,
  connectorIds: ReadonlySet<string>,
  root: ConfigMap,
  issues: ConfigIssue[],
): PipelineEntry | undefined {
  if (raw !== null && raw !== undefined && !isMap(raw)) {
    issues.push({ path: p, message: `expected a map with receivers, processors and exporters, got ${show(raw)}` });
    return undefined;
  }
  const cfg: ConfigMap = isMap(raw) ? raw : {};
  for (const k of Object.keys(cfg)) {
    if (!['receivers', 'processors', 'exporters'].includes(k)) {
      issues.push({ path: join(p, k), message: `unknown key ${JSON.stringify(k)} (valid keys: receivers, processors, exporters)` });
    }
  }
  const lists: Record<'receivers' | 'processors' | 'exporters', string[]> = { receivers: [], processors: [], exporters: [] };
  let ok = true;
  for (const listKey of ['receivers', 'processors', 'exporters'] as const) {
    const kind: FactoryKind = listKey === 'receivers' ? 'receiver' : listKey === 'processors' ? 'processor' : 'exporter';
    const lp = join(p, listKey);
    const v = cfg[listKey];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v)) {
      issues.push({ path: lp, message: `expected a list of ${kind} ids, got ${show(v)}` });
      ok = false;
      continue;
    }
    v.forEach((ref: unknown, i: number) => {
      const ip = join(lp, i);
      const id = refId(ref, ip, issues);
      if (id === undefined) {
        ok = false;
        return;
      }
      if (lists[listKey].includes(id)) {
        if (kind === 'processor') {
          issues.push({ path: ip, message: `references processor ${JSON.stringify(id)} multiple times` });
          ok = false;
        }
        return; // receivers/exporters listed twice are one edge (Go dedupes them)
      }
      const entry = comps[kind].get(id);
      if (!entry) {
        ok = false;
        if (kind !== 'processor' && connectorIds.has(id)) return; // the connector itself was reported
        const section = listKey;
        if (wasDefinedButInvalid(root, section, id)) return; // its definition was reported
        issues.push({ path: ip, message: `references ${kind} ${JSON.stringify(id)} which is not configured` });
        return;
      }
      if (!supportsSignal(entry.factory, signal)) {
        ok = false;
        const sup = supportedSignals(entry.factory);
        issues.push({
          path: ip,
          message: `${kind} ${JSON.stringify(id)} (type ${JSON.stringify(entry.factory.type)}) does not support the ${signal} signal` +
            (sup.length ? ` (supported: ${sup.join(', ')})` : ''),
        });
      }
      lists[listKey].push(id);
    });
  }
  const empty = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0);
  if (empty(cfg.receivers)) {
    issues.push({ path: join(p, 'receivers'), message: 'must have at least one receiver' });
    ok = false;
  }
  if (empty(cfg.exporters)) {
    issues.push({ path: join(p, 'exporters'), message: 'must have at least one exporter' });
    ok = false;
  }
  if (!ok) return undefined;
  return { id: pid, signal, receivers: lists.receivers, processors: lists.processors, exporters: lists.exporters, path: p };
}

/** validateConfig that throws a ConfigError listing every issue. */
export function validateConfigOrThrow(raw: unknown, registry: Registry): CollectorConfig {
  const r = validateConfig(raw, registry);
  if (r.issues.length) throw new ConfigError(r.issues);
  return r.config;
}

export interface LoadedConfig {
  config: CollectorConfig;
  /** Warnings from loading (unset variables) and telemetry settings we do not act on. */
  warnings: string[];
}

/**
 * Read every source, merge, expand and validate: the whole path from `--config`/`--set` to a usable config.
 * Throws one ConfigError with every problem found (loading problems and validation problems together).
 */
export function loadConfig(sources: readonly string[], sets: readonly string[], registry: Registry, opts: LoadOptions = {}): LoadedConfig {
  const loaded = loadRawConfig(sources, sets, opts);
  // A source that could not be read or parsed (issues without a YAML path) makes a structural report of the
  // rest mostly noise ("no pipelines"...): report only those. Expansion problems (with a path) are reported
  // together with every validation problem.
  if (loaded.issues.some((i) => i.path === '')) throw new ConfigError(loaded.issues);
  const v = validateConfig(loaded.raw, registry);
  const issues = [...loaded.issues, ...v.issues];
  if (issues.length) throw new ConfigError(issues);
  return { config: v.config, warnings: [...loaded.warnings, ...v.config.service.telemetry.warnings] };
}
