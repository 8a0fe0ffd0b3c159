// `headers` (configopaque.MapList): a map `{name: value}` or a list of `{name, value}` pairs; duplicate names are an
// error. Values are strings (numbers and booleans are written as text).

import type { ConfigIssue } from '../../errors';
import { s, join, show, type Schema } from '../../config/schema';

export const headersSchema: Schema<Record<string, string>> = {
  describe: 'a map of header names to values',
  defaultValue: () => ({}),
  parse(raw: unknown, path: string, issues: ConfigIssue[]): Record<string, string> {
    if (raw === undefined || raw === null) return {};
    const str = s.string();
    if (Array.isArray(raw)) {
      const out: Record<string, string> = {};
      const dups = new Set<string>();
      raw.forEach((item, i) => {
        const p = join(path, i);
        if (item === null || typeof item !== 'object' || Array.isArray(item)) {
          issues.push({ path: p, message: `expected a map with "name" and "value", got ${show(item)}` });
          return;
        }
        const o = item as Record<string, unknown>;
        for (const k of Object.keys(o)) if (k !== 'name' && k !== 'value') issues.push({ path: join(p, k), message: `unknown key "${k}" (valid keys: name, value)` });
        const name = str.parse(o['name'], join(p, 'name'), issues);
        const value = str.parse(o['value'], join(p, 'value'), issues);
        if (name in out) dups.add(name);
        out[name] = value;
      });
      if (dups.size) issues.push({ path, message: `duplicate keys in map-style list: [${[...dups].sort().join(' ')}]` });
      return out;
    }
    if (typeof raw !== 'object') {
      issues.push({ path, message: `expected a map of header names to values, got ${show(raw)}` });
      return {};
    }
    const out: Record<string, string> = {};
    for (const k of Object.keys(raw as object).sort()) out[k] = str.parse((raw as Record<string, unknown>)[k] ?? '', join(path, k), issues);
    return out;
  },
};
