// The debug exporter: writes every batch it gets, like the Go debugexporter:
//   basic    → one record "Traces" with `resource spans` and `spans` counts per batch;
//   normal   → that, then one record with one line per span (text-marshaler.ts marshalNormal);
//   detailed → that, then one record with the full dump (marshalDetailed).
// Records go to the collector's logger (info) through a sampler (sampling_initial records of the same message per
// second, then every sampling_thereafter-th), or — use_internal_logger: false — to output_paths (default stdout)
// as zap's console encoding without time and level: `Traces\t{"resource spans": 1, "spans": 2}`.

import * as fs from 'node:fs';
import type { Logger } from '../../component/types';
import type { TraceBatch } from '../../pdata/traces';
import type { DebugExporterConfig } from './config';
import { marshalDetailed, marshalNormal } from './text-marshaler';

export interface DebugSink {
  info(msg: string, fields?: Record<string, unknown>): void;
  close?(): Promise<void>;
}

/** zap's sampler: per message and second, the first `initial` records, then every `thereafter`-th. */
export class Sampler {
  private counts = new Map<string, number>();
  private windowStart = Date.now();
  constructor(
    private readonly initial: number,
    private readonly thereafter: number,
  ) {}
  allow(msg: string): boolean {
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      this.counts.clear();
      this.windowStart = now;
    }
    const n = (this.counts.get(msg) ?? 0) + 1;
    if (this.counts.size < 4096 || this.counts.has(msg)) this.counts.set(msg, n);
    if (n <= this.initial) return true;
    if (this.thereafter <= 0) return false;
    return (n - this.initial) % this.thereafter === 0;
  }
}

/** The collector's logger, sampled. */
export function loggerSink(logger: Logger, cfg: DebugExporterConfig): DebugSink {
  const sampler = new Sampler(cfg.sampling_initial, cfg.sampling_thereafter);
  return {
    info(msg, fields) {
      if (sampler.allow(msg)) logger.info(msg, fields);
    },
  };
}

/** zap console field encoding: {"k": v, "k2": "v2"}. */
function zapFields(fields: Record<string, unknown>): string {
  return `{${Object.entries(fields)
    .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))}`)
    .join(', ')}}`;
}

/** output_paths ("stdout", "stderr" or files, appended to), sampled, zap console encoding without time/level. */
export function outputSink(cfg: DebugExporterConfig, write?: (line: string) => void): DebugSink {
  const sampler = new Sampler(cfg.sampling_initial, cfg.sampling_thereafter);
  const files: fs.WriteStream[] = [];
  let writers: Array<(s: string) => void>;
  if (write) writers = [write];
  else {
    writers = (cfg.output_paths ?? ['stdout']).map((p) => {
      if (p === 'stdout') return (s: string) => void process.stdout.write(s + '\n');
      if (p === 'stderr') return (s: string) => void process.stderr.write(s + '\n');
      const ws = fs.createWriteStream(p, { flags: 'a' });
      ws.on('error', () => undefined);
      files.push(ws);
      return (s: string) => void ws.write(s + '\n');
    });
  }
  return {
    info(msg, fields) {
      if (!sampler.allow(msg)) return;
      const line = fields && Object.keys(fields).length ? `${msg}\t${zapFields(fields)}` : msg;
      for (const w of writers) w(line);
    },
    async close() {
      await Promise.all(files.map((f) => new Promise<void>((resolve) => f.end(resolve))));
    },
  };
}

export class DebugTraceWriter {
  constructor(
    private readonly cfg: DebugExporterConfig,
    private readonly sink: DebugSink,
  ) {}

  push = async (batch: TraceBatch): Promise<void> => {
    this.sink.info('Traces', { 'resource spans': batch.resourceCount, spans: batch.spanCount });
    if (this.cfg.verbosity === 'basic') return;
    const text = this.cfg.verbosity === 'detailed' ? marshalDetailed(batch) : marshalNormal(batch);
    this.sink.info(text.endsWith('\n') ? text.slice(0, -1) : text);
  };
}
