// Go users bring their YAML: `otelcol-ts validate` over the real-world configs of ../shared/corpus/configs.
// A config whose components (types and aliases listed by `otelcol-ts components --json`) are all available
// and whose pipelines are all traces must validate (exit 0); any other config must be rejected with exit 1
// and a message naming something unsupported — never a crash or a stack trace.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { runCli, tempDir, type CliResult } from '../helpers/collector';
import { CORPUS_DIR } from '../helpers/paths';

const SECTIONS = ['receivers', 'processors', 'exporters', 'extensions', 'connectors'] as const;

interface Available {
  types: Map<string, Set<string>>; // section → types and aliases
  signals: Set<string>;
}

function availableFrom(json: string): Available {
  const doc = JSON.parse(json) as Record<string, Array<{ type: string; aliases?: string[]; stability?: Record<string, string> }>>;
  const types = new Map<string, Set<string>>();
  const signals = new Set<string>();
  for (const section of SECTIONS) {
    const set = new Set<string>();
    for (const c of doc[section] ?? []) {
      set.add(c.type);
      for (const a of c.aliases ?? []) set.add(a);
      if (section !== 'extensions') for (const sig of Object.keys(c.stability ?? {})) signals.add(sig);
    }
    types.set(section, set);
  }
  return { types, signals };
}

/** Plausible values for the variables the corpus configs reference. */
function envFor(text: string, storageDir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g)) {
    const name = m[1]!;
    if (/DIR/.test(name)) env[name] = storageDir;
    else if (/ENDPOINT/.test(name)) env[name] = 'http://127.0.0.1:4318';
    else if (/PORT/.test(name)) env[name] = '4317';
    else if (/IP|HOST|ADDR/.test(name)) env[name] = '127.0.0.1';
    else env[name] = 'value';
  }
  return env;
}

/** Type names and signals a config uses that this build does not have. */
function unsupportedIn(raw: Record<string, unknown>, av: Available): string[] {
  const out = new Set<string>();
  for (const section of SECTIONS) {
    const sec = raw[section];
    if (!sec || typeof sec !== 'object') continue;
    for (const id of Object.keys(sec)) {
      const type = id.split('/')[0]!;
      if (!av.types.get(section)!.has(type)) out.add(type);
    }
  }
  const pipelines = ((raw.service as Record<string, unknown> | undefined)?.pipelines ?? {}) as Record<string, unknown>;
  for (const id of Object.keys(pipelines)) {
    const signal = id.split('/')[0]!;
    if (!av.signals.has(signal)) out.add(signal);
  }
  return [...out];
}

/**
 * Every config the corpus README classes "in" or "optional", and the first few "out" ones (each run spawns
 * a process: ~0.3 CPU-s; the "out" configs all exercise the same rejection path).
 */
function selectFiles(dir: string): string[] {
  const all = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  const readme = path.join(CORPUS_DIR, 'README.md');
  if (!fs.existsSync(readme)) return all;
  const cls = new Map<string, string>();
  for (const m of fs.readFileSync(readme, 'utf8').matchAll(/^\|\s*(in|optional|out)\s*\|\s*`([^`]+)`/gm)) cls.set(m[2]!, m[1]!);
  const keep = all.filter((f) => cls.get(f) !== 'out');
  return [...keep, ...all.filter((f) => cls.get(f) === 'out').slice(0, 5)];
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

test('corpus: every real-world config validates, or is rejected naming what is unsupported (no crash)', { timeout: 60_000 }, async (t) => {
  const dir = path.join(CORPUS_DIR, 'configs');
  if (!fs.existsSync(dir)) {
    t.skip(`${dir} is absent (the shared corpus lives beside the repository)`);
    return;
  }
  const comps = await runCli(t, ['components', '--json']);
  assert.equal(comps.code, 0, comps.stderr);
  const av = availableFrom(comps.stdout);
  const storageDir = tempDir(t);
  const files = selectFiles(dir);
  assert.ok(files.length > 0);

  const results = await mapLimit(files, 3, async (f) => {
    const file = path.join(dir, f);
    const text = fs.readFileSync(file, 'utf8');
    const r: CliResult = await runCli(t, ['validate', '--config', file], { env: envFor(text, storageDir), timeoutMs: 20_000 });
    return { f, text, r };
  });

  const problems: string[] = [];
  for (const { f, text, r } of results) {
    const out = r.stdout + r.stderr;
    const raw = (parseYaml(text) ?? {}) as Record<string, unknown>;
    const missing = unsupportedIn(raw, av);
    if (/^\s+at .+:\d+:\d+\)?$/m.test(out)) problems.push(`${f}: stack trace in the output\n${out}`);
    if (missing.length === 0) {
      if (r.code !== 0) problems.push(`${f}: uses only available components and traces pipelines, but validate exited ${r.code}\n${out}`);
    } else if (r.code !== 1) {
      problems.push(`${f}: uses unsupported ${missing.join(', ')}, expected exit 1, got ${r.code} (signal ${r.signal})\n${out}`);
    } else if (!missing.some((m) => out.includes(m))) {
      problems.push(`${f}: rejected without naming any of ${missing.join(', ')}\n${out}`);
    }
  }
  const accepted = results.filter((x) => x.r.code === 0).length;
  t.diagnostic(`${accepted} of ${results.length} corpus configs validate`);
  assert.deepEqual(problems, []);
});
