// The debug exporter: writes every batch it gets, like the Go debugexporter:
//   basic    → one record per batch with its counts: "Traces" {resource spans, spans}, "Metrics" {resource
//              metrics, metrics, data points}, "Logs" {resource logs, log records};
//   normal   → that, then one record with one line per span / data point / log record (marshal*Normal);
//   detailed → that, then one record with the full dump (marshal*Detailed).
// Records go to the collector's logger (info) through a sampler (sampling_initial records of the same message per
// second, then every sampling_thereafter-th), or — use_internal_logger: false — to output_paths (default stdout)
// as zap's console encoding without time and level: `Traces\t{"resource spans": 1, "spans": 2}`.

import * as fs from 'node:fs';
import type { Logger, Signal } from '../../component/types';
import type { LogBatch } from '../../pdata/logs';
import type { MetricBatch } from '../../pdata/metrics';
import type { TraceBatch } from '../../pdata/traces';
import type { BatchOf } from '../../receivers/otlp/signals';
import type { DebugExporterConfig } from './config';
import { marshalLogsDetailed, marshalLogsNormal } from './logs-marshaler';
import { marshalMetricsDetailed, marshalMetricsNormal } from './metrics-marshaler';
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

/** What the debug exporter prints for one signal: the basic record, and the normal and detailed texts. */
interface DebugRendering<B> {
  message: string;
  counts(b: B): Record<string, number>;
  normal(b: B): string;
  detailed(b: B): string;
}

const RENDERINGS: { traces: DebugRendering<TraceBatch>; metrics: DebugRendering<MetricBatch>; logs: DebugRendering<LogBatch> } = {
  traces: {
    message: 'Traces',
    counts: (b) => ({ 'resource spans': b.resourceCount, spans: b.spanCount }),
    normal: marshalNormal,
    detailed: marshalDetailed,
  },
  metrics: {
    message: 'Metrics',
    counts: (b) => ({ 'resource metrics': b.resourceCount, metrics: b.metricCount, 'data points': b.dataPointCount }),
    normal: marshalMetricsNormal,
    detailed: marshalMetricsDetailed,
  },
  logs: {
    message: 'Logs',
    counts: (b) => ({ 'resource logs': b.resourceCount, 'log records': b.logRecordCount }),
    normal: marshalLogsNormal,
    detailed: marshalLogsDetailed,
  },
};

export class DebugWriter<S extends Signal> {
  private readonly r: DebugRendering<BatchOf<S>>;
  constructor(
    signal: S,
    private readonly cfg: DebugExporterConfig,
    private readonly sink: DebugSink,
  ) {
    this.r = RENDERINGS[signal] as unknown as DebugRendering<BatchOf<S>>;
  }

  push = async (batch: BatchOf<S>): Promise<void> => {
    this.sink.info(this.r.message, this.r.counts(batch));
    if (this.cfg.verbosity === 'basic') return;
    const text = this.cfg.verbosity === 'detailed' ? this.r.detailed(batch) : this.r.normal(batch);
    this.sink.info(text.endsWith('\n') ? text.slice(0, -1) : text);
  };
}
