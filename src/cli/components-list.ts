// `otelcol-ts components`: every receiver, processor, exporter and extension of a registry with its stability
// per signal, as a text table or JSON. Generated from the registry, so it can never disagree with what runs.

import type { AnyFactory, Signal } from '../component/types';
import { FACTORY_KINDS, Registry, type FactoryKind } from '../service/registry';

export interface ComponentInfo {
  kind: FactoryKind;
  type: string;
  aliases: string[];
  description: string;
  /** Per signal for receivers/processors/exporters (`undefined` = not supported); `extension` for extensions. */
  stability: Partial<Record<Signal | 'extension', string>>;
  /** Top-level config keys the component accepts (from its schema). */
  configKeys: string[];
}

const SIGNALS: readonly Signal[] = ['traces', 'metrics', 'logs'];

export function describeFactory(f: AnyFactory): ComponentInfo {
  const stability: ComponentInfo['stability'] = {};
  if (f.kind === 'extension') stability.extension = f.stability;
  else for (const s of SIGNALS) if (f.stability[s] !== undefined) stability[s] = f.stability[s];
  return {
    kind: f.kind,
    type: f.type,
    aliases: [...(f.aliases ?? [])],
    description: f.description,
    stability,
    configKeys: [...(f.configSchema.keys ?? [])],
  };
}

export function listComponents(registry: Registry): ComponentInfo[] {
  const out: ComponentInfo[] = [];
  for (const kind of FACTORY_KINDS) for (const f of registry.list(kind)) out.push(describeFactory(f));
  return out;
}

export function componentsJson(registry: Registry): string {
  const grouped: Record<string, ComponentInfo[]> = { receivers: [], processors: [], exporters: [], extensions: [] };
  for (const c of listComponents(registry)) grouped[`${c.kind}s`]!.push(c);
  return JSON.stringify(grouped, null, 2) + '\n';
}

export function componentsTable(registry: Registry): string {
  const rows: string[][] = [['KIND', 'TYPE', 'ALIASES', 'STABILITY', 'DESCRIPTION']];
  for (const c of listComponents(registry)) {
    const stab = Object.entries(c.stability)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    rows.push([c.kind, c.type, c.aliases.join(', ') || '-', stab || '-', c.description]);
  }
  if (rows.length === 1) return 'no components are registered\n';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

/** The README component table (Markdown), between the `<!-- components:begin -->` markers. */
export function componentsMarkdown(registry: Registry): string {
  const rows = ['| kind | type (aliases) | stability | config keys |', '| --- | --- | --- | --- |'];
  for (const c of listComponents(registry)) {
    const stab = Object.entries(c.stability)
      .map(([k, v]) => (k === 'extension' ? v : `${k}: ${v}`))
      .join(', ');
    const type = '`' + c.type + '`' + (c.aliases.length ? ` (${c.aliases.map((a) => '`' + a + '`').join(', ')})` : '');
    rows.push(`| ${c.kind} | ${type} | ${stab} | ${c.configKeys.map((k) => '`' + k + '`').join(', ') || '-'} |`);
  }
  return rows.join('\n') + '\n';
}
