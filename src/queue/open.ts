// Picks the durable store of the persistent queue: LMDB (native, src/queue/lmdb-store.ts) unless
// OTELTS_NATIVE=off or the `lmdb` package cannot be loaded (no prebuilt binary for this platform, ...); then the
// pure-JS segment log (native-free/segment-log). Both implement src/queue/store.ts; `store.kind` tells which one
// was chosen (the caller logs it).

import type { QueueStore, QueueStoreOptions } from './store';

let lmdbLoads: boolean | undefined;

/** true when the native LMDB store can be used (OTELTS_NATIVE is not 'off' and `lmdb` loads). */
export function nativeAvailable(): boolean {
  if (process.env.OTELTS_NATIVE === 'off') return false;
  if (lmdbLoads === undefined) {
    try {
      require('lmdb');
      lmdbLoads = true;
    } catch {
      lmdbLoads = false;
    }
  }
  return lmdbLoads;
}

/** Open the store of one queue in `opts.directory`: LMDB when available, else the native-free segment log. */
export async function openQueueStore(opts: QueueStoreOptions): Promise<QueueStore> {
  if (nativeAvailable()) {
    const { openLmdbStore } = require('./lmdb-store') as typeof import('./lmdb-store');
    return openLmdbStore(opts);
  }
  const { openSegmentLogStore } = require('../../native-free/segment-log') as typeof import('../../native-free/segment-log');
  return openSegmentLogStore(opts);
}
