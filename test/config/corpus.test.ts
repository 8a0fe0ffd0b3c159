// Every real-world config under ../shared/corpus/configs is validated with the real component list:
//  * a config whose components are all registered (and support the signals of the pipelines using them),
//    with no profiles pipeline and no connector, must validate;
//  * any other config must be rejected with a ConfigError that names an unsupported component type (or the
//    profiles signal) — never another kind of error.
// Expectations are computed from the registry's contents, so the test follows src/components.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { factories } from '../../src/components';
import { loadConfig } from '../../src/config/config';
import { ConfigError } from '../../src/errors';
import { Registry, supportsSignal } from '../../src/service/registry';
import { CORPUS_DIR } from '../helpers/paths';
import { s } from '../../src/config/schema';
import type { AnyFactory } from '../../src/component/types';

const CONFIG_DIR = path.join(CORPUS_DIR, 'configs');
const realRegistry = new Registry(factories);

/**
 * Stand-ins for the first milestone's component types (see the corpus README) that accept any config and every
 * signal: they check everything this helper owns (loading, variables, structure, pipelines, service.telemetry)
 * against the real configs, independently of how far the real components are.
 */
function permissiveRegistry(): Registry {
  const base = { description: 'stand-in', configSchema: s.any() };
  const all = { traces: 'beta', metrics: 'beta', logs: 'beta' } as const;
  const nop = () => ({ start: async () => undefined, shutdown: async () => undefined, capabilities: { mutatesData: false } });
  const list: AnyFactory[] = [
    { ...base, kind: 'receiver', type: 'otlp', aliases: ['otlp_grpc'], stability: all, create: nop },
    ...['batch', 'memory_limiter', 'attributes', 'resource', 'filter', 'tail_sampling'].map(
      (type): AnyFactory => ({ ...base, kind: 'processor', type, stability: all, createTraces: nop, createMetrics: nop, createLogs: nop } as unknown as AnyFactory),
    ),
    ...([['otlp', ['otlp_grpc']], ['otlphttp', ['otlp_http']], ['debug', []]] as Array<[string, string[]]>).map(
      ([type, aliases]): AnyFactory => ({ ...base, kind: 'exporter', type, aliases, stability: all, createTraces: nop, createMetrics: nop, createLogs: nop } as unknown as AnyFactory),
    ),
    ...['health_check', 'file_storage'].map((type): AnyFactory => ({ ...base, kind: 'extension', type, stability: 'beta', create: nop })),
  ];
  return new Registry(list);
}

/** Plausible values for the variables a config references (hosts, ports, a storage directory). */
function envFor(text: string, storageDir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g)) {
    const name = m[1]!;
    if (name === 'CORPUS_STORAGE_DIR') env[name] = storageDir;
    else if (/(^|_)PORT(_|$)/.test(name)) env[name] = '4318';
    else if (/ENDPOINT/.test(name)) env[name] = 'http://127.0.0.1:4318';
    else if (/ADDR/.test(name)) env[name] = '127.0.0.1:4318';
    else env[name] = '127.0.0.1';
  }
  env.CORPUS_STORAGE_DIR = storageDir;
  return env;
}

interface Expectation {
  valid: boolean;
  /** Words one of which a rejection must name. */
  reasons: string[];
}

const SECTION_KIND = { receivers: 'receiver', processors: 'processor', exporters: 'exporter', extensions: 'extension' } as const;

function expectationFor(cfg: Record<string, unknown>, registry: Registry): Expectation {
  const reasons: string[] = [];
  const typeOf = (id: string) => id.split('/')[0]!;
  for (const [section, kind] of Object.entries(SECTION_KIND)) {
    const sec = cfg[section];
    if (!sec || typeof sec !== 'object') continue;
    for (const id of Object.keys(sec)) if (!registry.get(kind, typeOf(id))) reasons.push(typeOf(id));
  }
  const connectors = cfg.connectors;
  if (connectors && typeof connectors === 'object') for (const id of Object.keys(connectors)) reasons.push(typeOf(id));
  const svc = (cfg.service ?? {}) as Record<string, unknown>;
  const pipelines = (svc.pipelines ?? {}) as Record<string, Record<string, unknown> | null>;
  for (const [pid, p] of Object.entries(pipelines)) {
    const signal = pid.split('/')[0]!;
    if (signal === 'profiles') {
      reasons.push('profiles');
      continue;
    }
    if (signal !== 'traces' && signal !== 'metrics' && signal !== 'logs') continue;
    for (const [list, kind] of [['receivers', 'receiver'], ['processors', 'processor'], ['exporters', 'exporter']] as const) {
      for (const id of ((p ?? {})[list] ?? []) as string[]) {
        const f = registry.get(kind, typeOf(id));
        if (f && !supportsSignal(f, signal)) reasons.push(`does not support the ${signal} signal`);
      }
    }
  }
  return { valid: reasons.length === 0, reasons };
}

const files = fs.existsSync(CONFIG_DIR) ? fs.readdirSync(CONFIG_DIR).filter((f) => /\.ya?ml$/.test(f)).sort() : [];

function runCorpus(t: { diagnostic(msg: string): void; after(fn: () => void): void }, registry: Registry): void {
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'otelcol-ts-corpus-'));
  t.after(() => fs.rmSync(storage, { recursive: true, force: true }));
  const summary = { valid: 0, rejected: 0 };
  for (const file of files) {
    const full = path.join(CONFIG_DIR, file);
    const text = fs.readFileSync(full, 'utf8');
    const exp = expectationFor((parse(text) ?? {}) as Record<string, unknown>, registry);
    let err: unknown;
    try {
      loadConfig([full], [], registry, { env: envFor(text, storage) });
    } catch (e) {
      err = e;
    }
    if (exp.valid) {
      assert.equal(err, undefined, `${file} should validate:\n${err instanceof Error ? err.message : String(err)}`);
      summary.valid++;
    } else {
      assert.ok(err instanceof ConfigError, `${file} should be rejected with a ConfigError (expected because of: ${exp.reasons.join(', ')}), got ${err === undefined ? 'success' : String(err)}`);
      assert.ok(
        exp.reasons.some((r) => err instanceof ConfigError && err.message.includes(r)),
        `${file}: the rejection should name one of ${exp.reasons.join(', ')}:\n${err.message}`,
      );
      summary.rejected++;
    }
  }
  t.diagnostic(`${summary.valid} configs valid, ${summary.rejected} rejected with ${registry.factories.length} registered components`);
}

const skip = files.length ? false : `no corpus at ${CONFIG_DIR}`;

test('corpus: real configs validate or are rejected naming the unsupported component (real components)', { skip }, (t) => {
  runCorpus(t, realRegistry);
});

test('corpus: the structure of every real config is understood (permissive stand-ins for the milestone components)', { skip }, (t) => {
  runCorpus(t, permissiveRegistry());
});
