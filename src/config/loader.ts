// Reading the collector configuration from its sources, like the Go collector's confmap resolver:
//
//   --config path.yaml | file:path.yaml      a YAML file
//   --config env:VAR                         YAML held in an environment variable
//   --config 'yaml:processors::batch::timeout: 2s'   inline YAML (`::` separates nested keys)
//   --set processors.batch.timeout=2s        an override (`.` or `::` separate keys; the value is YAML)
//
// Sources are deep-merged in order (maps merged, lists and scalars replaced), the `--set` overrides last, then
// variables are expanded (src/config/expand.ts). Every problem is collected with the source or YAML path it
// concerns; nothing here throws for bad input.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import type { ConfigIssue } from '../errors';
import { ConfigError } from '../errors';
import { deepMerge, isMap, unflattenKeys, type ConfigMap } from './merge';
import { expandConfig, type ExpandOptions } from './expand';

export interface LoadOptions extends ExpandOptions {}

export interface RawConfigResult {
  /** The merged, expanded configuration (a map; `{}` when nothing could be read). */
  raw: ConfigMap;
  issues: ConfigIssue[];
  warnings: string[];
}

/** Parse YAML text; errors are reported against `source` with line and column. */
export function parseYamlSource(text: string, source: string, issues: ConfigIssue[]): unknown {
  const doc = parseDocument(text, { merge: true, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    for (const e of doc.errors) {
      const pos = e.linePos?.[0];
      const where = pos ? ` (line ${pos.line}, column ${pos.col})` : '';
      const msg = firstLine(e.message).replace(/ at line \d+, column \d+:?$/, '');
      issues.push({ path: '', message: `cannot parse the configuration from ${source}${where}: ${msg}` });
    }
    return undefined;
  }
  const v = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  return v === undefined ? null : v;
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}

const SCHEME_RE = /^([A-Za-z][A-Za-z0-9+.-]+):([\s\S]*)$/;

/** Read one `--config` value into a YAML tree (undefined when it failed; the issue is recorded). */
export function readSource(uri: string, opts: LoadOptions, issues: ConfigIssue[]): unknown {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const readFile = opts.readFile ?? ((p: string) => fs.readFileSync(p, 'utf8'));
  const m = SCHEME_RE.exec(uri);
  let scheme = m ? m[1]! : 'file';
  let opaque = m ? m[2]! : uri;
  if (m && !['file', 'env', 'yaml', 'http', 'https'].includes(scheme)) {
    // `config:v2.yaml` is more likely a file name than an unknown scheme when such a file exists.
    if (fs.existsSync(path.resolve(cwd, uri))) {
      scheme = 'file';
      opaque = uri;
    } else {
      issues.push({ path: '', message: `cannot retrieve the configuration: scheme ${JSON.stringify(scheme)} is not supported for uri ${JSON.stringify(uri)}` });
      return undefined;
    }
  }
  switch (scheme) {
    case 'file': {
      const file = path.resolve(cwd, opaque);
      let text: string;
      try {
        text = readFile(file);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const why = err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'EISDIR' ? 'is a directory' : err.message;
        issues.push({ path: '', message: `cannot retrieve the configuration: unable to read the file ${opaque}: ${why}` });
        return undefined;
      }
      return parseYamlSource(text, opaque, issues);
    }
    case 'env': {
      const text = env[opaque];
      if (text === undefined) {
        issues.push({ path: '', message: `cannot retrieve the configuration: environment variable ${JSON.stringify(opaque)} is not set` });
        return undefined;
      }
      return parseYamlSource(text, `env:${opaque}`, issues);
    }
    case 'yaml':
      return parseYamlSource(opaque, 'yaml:' + opaque, issues);
    default:
      issues.push({ path: '', message: `cannot retrieve the configuration: scheme ${JSON.stringify(scheme)} is not supported by otelcol-ts (uri ${JSON.stringify(uri)})` });
      return undefined;
  }
}

/**
 * Turn one `--set key.path=value` into a `yaml:` source, as the Go collector does
 * (`.` becomes the `::` key delimiter; the value is YAML). Returns undefined (and records an issue) when malformed.
 */
export function setToYamlSource(set: string, issues: ConfigIssue[]): string | undefined {
  const eq = set.indexOf('=');
  if (eq < 0) {
    issues.push({ path: '', message: `--set ${JSON.stringify(set)}: missing equal sign` });
    return undefined;
  }
  const key = set.slice(0, eq).trim().replace(/\./g, '::');
  if (!key) {
    issues.push({ path: '', message: `--set ${JSON.stringify(set)}: missing key` });
    return undefined;
  }
  return `yaml:${key}: ${set.slice(eq + 1).trim()}`;
}

/**
 * Read, merge and expand the configuration. `sources` are `--config` values, `sets` the `--set` values.
 * Does not validate the structure (see validate.ts).
 */
export function loadRawConfig(sources: readonly string[], sets: readonly string[] = [], opts: LoadOptions = {}): RawConfigResult {
  const issues: ConfigIssue[] = [];
  let merged: unknown = {};
  const all: Array<string | undefined> = [...sources, ...sets.map((s) => setToYamlSource(s, issues))];
  for (const uri of all) {
    if (uri === undefined) continue;
    const tree = readSource(uri, opts, issues);
    if (tree === undefined) continue;
    if (tree === null) continue; // an empty document adds nothing
    if (!isMap(tree)) {
      issues.push({ path: '', message: `cannot retrieve the configuration from ${describeSource(uri)}: expected a map at the top level, got ${Array.isArray(tree) ? 'a list' : JSON.stringify(tree)}` });
      continue;
    }
    merged = deepMerge(merged, unflattenKeys(tree));
  }
  const ex = expandConfig(merged, opts);
  issues.push(...ex.issues);
  const raw = isMap(ex.value) ? ex.value : {};
  return { raw, issues, warnings: ex.warnings };
}

function describeSource(uri: string): string {
  return uri.startsWith('yaml:') ? JSON.stringify(uri) : uri;
}

/** loadRawConfig that throws a ConfigError listing every issue. */
export function loadRawConfigOrThrow(sources: readonly string[], sets: readonly string[] = [], opts: LoadOptions = {}): { raw: ConfigMap; warnings: string[] } {
  const r = loadRawConfig(sources, sets, opts);
  if (r.issues.length) throw new ConfigError(r.issues);
  return { raw: r.raw, warnings: r.warnings };
}
