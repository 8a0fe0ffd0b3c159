// Deep merge of configuration sources, as the Go collector's confmap does when several `--config` values are
// given: maps are merged key by key (recursively), everything else — lists, scalars, null — in a later source
// replaces the earlier value. `a::b::c` keys are split into nested maps first (confmap's key delimiter), which is
// how `--set` and `yaml:` sources address deep keys.

export type ConfigMap = Record<string, unknown>;

export function isMap(v: unknown): v is ConfigMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** Merge `src` into a copy of `dst`: maps merged recursively, lists and scalars (and null) replaced. */
export function deepMerge(dst: unknown, src: unknown): unknown {
  if (!isMap(dst) || !isMap(src)) return src;
  const out: ConfigMap = { ...dst };
  for (const [k, v] of Object.entries(src)) {
    out[k] = k in out && isMap(out[k]) && isMap(v) ? deepMerge(out[k], v) : v;
  }
  return out;
}

/** The confmap key delimiter: `processors::batch::timeout: 2s` is `processors: {batch: {timeout: 2s}}`. */
export const KEY_DELIMITER = '::';

/** Split every `a::b` key of every map into nested maps (recursively, lists included), merging siblings. */
export function unflattenKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unflattenKeys);
  if (!isMap(v)) return v;
  let out: ConfigMap = {};
  for (const [k, raw] of Object.entries(v)) {
    const val = unflattenKeys(raw);
    if (!k.includes(KEY_DELIMITER)) {
      out = deepMerge(out, { [k]: val }) as ConfigMap;
      continue;
    }
    const parts = k.split(KEY_DELIMITER);
    let nested: unknown = val;
    for (let i = parts.length - 1; i >= 0; i--) nested = { [parts[i]!]: nested };
    out = deepMerge(out, nested) as ConfigMap;
  }
  return out;
}
