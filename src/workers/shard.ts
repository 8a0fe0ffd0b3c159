// How the acceptor splits a decoded batch over N workers (`hash mod N`), so that whatever must meet in one
// worker does:
//   * traces: by trace id — every span of a trace goes to the same worker (tail sampling needs the whole trace),
//     in arrival order (one worker's tasks are posted, and handled, in order);
//   * metrics: by resource + metric name — every point of a stream goes to the same worker (stateful metric
//     processors see whole streams);
//   * logs: whole batches round-robin (no log processor needs affinity; splitting would only cost copies).
// A batch whose items all fall in one shard is handed over as is (no copy); otherwise each shard is a new batch
// holding only its items' bytes (one copy of the kept bytes, no re-encoding).

import type { TraceBatch } from '../pdata/traces';
import type { MetricBatch } from '../pdata/metrics';
import type { LogBatch } from '../pdata/logs';
import type { PdataBatch } from '../pdata/batch';

/** A batch bound for worker `shard`. */
export interface ShardPart<B> {
  readonly shard: number;
  readonly batch: B;
}

/** Mix 32 bits (murmur3 finalizer): trace ids are random, but test and legacy ids often are not. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Shard of the 16 trace id bytes at `off` in `u8` (absent ids, off < 0, go to shard 0). */
export function traceIdShard(u8: Uint8Array, off: number, n: number): number {
  if (n <= 1 || off < 0) return 0;
  let h = 0;
  for (let k = 0; k < 16; k += 4) {
    const w = u8[off + k]! | (u8[off + k + 1]! << 8) | (u8[off + k + 2]! << 16) | (u8[off + k + 3]! << 24);
    h = Math.imul(h ^ w, 0x9e3779b1);
  }
  return mix(h) % n;
}

/** FNV-1a over a string's UTF-16 code units, continuing from `h`. */
function hashString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h;
}

/** Group items by shard: `shardOf[i]`; one part per shard that has items, in shard order. */
function split<B>(batch: B, shardOf: Uint16Array, n: number, filter: (keep: (i: number) => boolean) => B): ShardPart<B>[] {
  const first = shardOf.length ? shardOf[0]! : 0;
  let same = true;
  for (let i = 1; i < shardOf.length && same; i++) same = shardOf[i] === first;
  if (same) return [{ shard: first, batch }];
  const present = new Uint8Array(n);
  for (let i = 0; i < shardOf.length; i++) present[shardOf[i]!] = 1;
  const parts: ShardPart<B>[] = [];
  for (let k = 0; k < n; k++) if (present[k]) parts.push({ shard: k, batch: filter((i) => shardOf[i] === k) });
  return parts;
}

export function shardTraces(batch: TraceBatch, n: number): ShardPart<TraceBatch>[] {
  const count = batch.spanCount;
  if (n <= 1 || count === 0) return [{ shard: 0, batch }];
  const u8 = batch.arenaBytes;
  const shardOf = new Uint16Array(count);
  for (let i = 0; i < count; i++) shardOf[i] = traceIdShard(u8, batch.traceIdOffset(i), n);
  return split(batch, shardOf, n, (keep) => batch.filterSpans(keep));
}

export function shardMetrics(batch: MetricBatch, n: number): ShardPart<MetricBatch>[] {
  const count = batch.metricCount;
  if (n <= 1 || count === 0) return [{ shard: 0, batch }];
  const resHash = new Map<number, number>();
  const shardOf = new Uint16Array(count);
  for (let m = 0; m < count; m++) {
    const r = batch.metricResource(m);
    let h = resHash.get(r);
    if (h === undefined) {
      h = 0x811c9dc5;
      const attrs = batch.resourceAttributes(r);
      // Resource identity: its attributes in order (as the SDK sends them); parsed once per resource.
      for (let j = 0; j < attrs.length; j++) h = hashString(hashString(h, attrs.key(j)), JSON.stringify(attrs.value(j), bigintJson));
      resHash.set(r, h);
    }
    shardOf[m] = mix(hashString(h, batch.metricName(m))) % n;
  }
  return split(batch, shardOf, n, (keep) => batch.filterMetrics(keep));
}

function bigintJson(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v;
}

/** Round-robin over the shards for logs (the cursor is the caller's). */
export class RoundRobin {
  private next = 0;
  pick(n: number): number {
    const k = this.next % n;
    this.next = (k + 1) % n;
    return k;
  }
}

export function shardLogs(batch: LogBatch, n: number, rr: RoundRobin): ShardPart<LogBatch>[] {
  return [{ shard: n <= 1 ? 0 : rr.pick(n), batch }];
}

/** Shard any signal's batch. */
export function shardBatch(batch: PdataBatch, n: number, rr: RoundRobin): ShardPart<PdataBatch>[] {
  switch (batch.signal) {
    case 'traces':
      return shardTraces(batch as TraceBatch, n);
    case 'metrics':
      return shardMetrics(batch as MetricBatch, n);
    default:
      return shardLogs(batch as LogBatch, n, rr);
  }
}
