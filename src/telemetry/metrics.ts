// In-process metric registry with Prometheus text exposition. Instruments are created once (per component)
// and updated per batch; a scrape renders every series. Counters are exposed with `_total`.
//
// Worker threads keep their own registry and send `snapshot()`s to the acceptor's, which merges them
// (`setRemote`) into what it renders: series with the same name and labels are summed, so N workers' instances
// of one exporter show as one series, as in the Go collector. `refresh()` (called before each scrape) asks the
// registered sources for fresh snapshots.

import type { Counter, Gauge, Histogram, Labels, Meter } from '../component/types';

type Kind = 'counter' | 'gauge' | 'histogram';

interface Series {
  labels: Labels;
  value: number;
  read?: () => number;
  buckets?: readonly number[];
  counts?: number[];
  sum?: number;
  count?: number;
}

interface Family {
  name: string;
  help: string;
  kind: Kind;
  series: Map<string, Series>;
}

/** A registry's families with their current values (plain data: crosses threads by structured clone). */
export interface FamilySnapshot {
  name: string;
  help: string;
  kind: Kind;
  series: Array<{ labels: Labels; value: number; buckets?: number[]; counts?: number[]; sum?: number; count?: number }>;
}

/** A counter's or gauge's value now (an observable gauge is read; one that throws reads NaN). */
function current(s: Series): number {
  if (!s.read) return s.value;
  try {
    return s.read();
  } catch {
    return NaN;
  }
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
}

function renderLabels(labels: Labels, extra?: [string, string]): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k]!)}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function fmt(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

/** The instrument handed out for a dropped family. */
const NOOP: Counter & Gauge & Histogram = { add() {}, set() {}, record() {} };

export class MetricRegistry implements Meter {
  private readonly families = new Map<string, Family>();
  private readonly remotes = new Map<string, FamilySnapshot[]>();
  private readonly refreshers: Array<() => Promise<void>> = [];
  /** Labels added to every series (e.g. service_instance_id). */
  constructor(private readonly constLabels: Labels = {}) {}

  /** Every family with current values (observable gauges read now). */
  snapshot(): FamilySnapshot[] {
    const out: FamilySnapshot[] = [];
    for (const fam of this.families.values()) {
      const series: FamilySnapshot['series'] = [];
      for (const s of fam.series.values()) {
        if (fam.kind === 'histogram') {
          series.push({ labels: s.labels, value: 0, buckets: [...s.buckets!], counts: [...s.counts!], sum: s.sum!, count: s.count! });
        } else {
          series.push({ labels: s.labels, value: current(s) });
        }
      }
      out.push({ name: fam.name, help: fam.help, kind: fam.kind, series });
    }
    return out;
  }

  /** Merge `families` from `source` (a worker) into what this registry renders; undefined removes the source. */
  setRemote(source: string, families: FamilySnapshot[] | undefined): void {
    if (families === undefined) this.remotes.delete(source);
    else this.remotes.set(source, families);
  }

  /** The snapshot last set for `source`. */
  remote(source: string): FamilySnapshot[] | undefined {
    return this.remotes.get(source);
  }

  /** Register a function that updates remote snapshots (called by refresh()). */
  onRefresh(fn: () => Promise<void>): void {
    this.refreshers.push(fn);
  }

  /** Ask every source for fresh values (before a scrape). Never rejects. */
  async refresh(): Promise<void> {
    await Promise.all(this.refreshers.map((f) => f().catch(() => undefined)));
  }

  /** Local and remote families merged by name, series summed by labels (const labels added to remote ones). */
  private merged(): Map<string, Family> {
    if (this.remotes.size === 0) return this.families;
    const out = new Map<string, Family>();
    const add = (f: { name: string; help: string; kind: Kind }, s: Series, local: boolean) => {
      let fam = out.get(f.name);
      if (!fam) out.set(f.name, (fam = { name: f.name, help: f.help, kind: f.kind, series: new Map() }));
      if (fam.kind !== f.kind) return;
      const labels = local ? s.labels : { ...this.constLabels, ...s.labels };
      const key = labelKey(labels);
      const v = current(s);
      const cur = fam.series.get(key);
      if (!cur) {
        fam.series.set(key, f.kind === 'histogram'
          ? { labels, value: 0, buckets: s.buckets, counts: [...s.counts!], sum: s.sum, count: s.count }
          : { labels, value: v });
      } else if (f.kind === 'histogram') {
        if (cur.buckets && s.buckets && cur.buckets.length === s.buckets.length && cur.buckets.every((b, i) => b === s.buckets![i])) {
          s.counts!.forEach((c, i) => (cur.counts![i]! += c));
          cur.sum! += s.sum!;
          cur.count! += s.count!;
        }
      } else cur.value += v;
    };
    for (const fam of this.families.values()) for (const s of fam.series.values()) add(fam, s, true);
    for (const snap of this.remotes.values()) for (const fam of snap) for (const s of fam.series) add(fam, s as Series, false);
    return out;
  }

  private series(name: string, help: string, kind: Kind, labels: Labels): Series {
    let fam = this.families.get(name);
    if (!fam) {
      fam = { name, help, kind, series: new Map() };
      this.families.set(name, fam);
    } else if (fam.kind !== kind) {
      throw new Error(`metric ${name} registered as ${fam.kind} and ${kind}`);
    }
    const all = { ...this.constLabels, ...labels };
    const key = labelKey(all);
    let s = fam.series.get(key);
    if (!s) {
      s = { labels: all, value: 0 };
      fam.series.set(key, s);
    }
    return s;
  }

  /**
   * Families for which `drop(name)` is true are not recorded or exposed (service.telemetry.metrics.level:
   * src/telemetry/levels.ts); instruments asked for them are no-ops. Set before components register.
   */
  setDrop(drop: (name: string) => boolean): void {
    this.drop = drop;
    for (const name of [...this.families.keys()]) if (drop(name)) this.families.delete(name);
  }
  private drop: (name: string) => boolean = () => false;
  /** Whether the family `name` is dropped (its instruments are no-ops). */
  isDropped(name: string): boolean {
    return this.drop(name);
  }

  counter(name: string, help: string, labels: Labels): Counter {
    if (this.drop(name)) return NOOP;
    const s = this.series(name, help, 'counter', labels);
    return {
      add(n: number) {
        s.value += n;
      },
    };
  }

  gauge(name: string, help: string, labels: Labels): Gauge {
    if (this.drop(name)) return NOOP;
    const s = this.series(name, help, 'gauge', labels);
    return {
      set(n: number) {
        s.value = n;
      },
      add(n: number) {
        s.value += n;
      },
    };
  }

  observableGauge(name: string, help: string, labels: Labels, read: () => number): void {
    if (this.drop(name)) return;
    const s = this.series(name, help, 'gauge', labels);
    s.read = read;
  }

  histogram(name: string, help: string, labels: Labels, buckets: readonly number[]): Histogram {
    if (this.drop(name)) return NOOP;
    const s = this.series(name, help, 'histogram', labels);
    if (!s.buckets) {
      s.buckets = [...buckets].sort((a, b) => a - b);
      s.counts = new Array(s.buckets.length + 1).fill(0);
      s.sum = 0;
      s.count = 0;
    }
    const b = s.buckets;
    const counts = s.counts!;
    return {
      record(v: number) {
        let i = 0;
        while (i < b.length && v > b[i]!) i++;
        counts[i]!++;
        s.sum! += v;
        s.count!++;
      },
    };
  }

  /** Current value of a counter or gauge series (tests, health): sum over series matching `labels`. */
  value(name: string, labels: Labels = {}): number {
    const fam = this.merged().get(name);
    if (!fam) return 0;
    let total = 0;
    for (const s of fam.series.values()) {
      if (Object.entries(labels).every(([k, v]) => s.labels[k] === v)) total += s.read ? s.read() : fam.kind === 'histogram' ? s.count! : s.value;
    }
    return total;
  }

  /** Prometheus text exposition format 0.0.4. */
  renderPrometheus(): string {
    const out: string[] = [];
    for (const fam of this.merged().values()) {
      const expName = fam.kind === 'counter' ? `${fam.name}_total` : fam.name;
      out.push(`# HELP ${expName} ${fam.help.replace(/\n/g, ' ')}`);
      out.push(`# TYPE ${expName} ${fam.kind}`);
      for (const s of fam.series.values()) {
        if (fam.kind === 'histogram') {
          let cum = 0;
          s.buckets!.forEach((le, i) => {
            cum += s.counts![i]!;
            out.push(`${fam.name}_bucket${renderLabels(s.labels, ['le', fmt(le)])} ${cum}`);
          });
          cum += s.counts![s.buckets!.length]!;
          out.push(`${fam.name}_bucket${renderLabels(s.labels, ['le', '+Inf'])} ${cum}`);
          out.push(`${fam.name}_sum${renderLabels(s.labels)} ${fmt(s.sum!)}`);
          out.push(`${fam.name}_count${renderLabels(s.labels)} ${s.count}`);
        } else {
          out.push(`${expName}${renderLabels(s.labels)} ${fmt(current(s))}`);
        }
      }
    }
    return out.join('\n') + '\n';
  }
}
