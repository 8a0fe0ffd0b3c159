// Child process of the shared store suite's SIGKILL test: opens a store of the given kind, appends records (and
// deletes some) from 4 concurrent writers as fast as it can, and prints `A <seq> <id>` for every append only after
// it resolved, `R <seq>` before requesting a delete and `D <seq>` after the delete resolved. The parent kills it
// with SIGKILL at a random moment. Payloads come from storePayload(id), so any record found later is checked byte
// for byte and names its id.
//   node store-child.js <lmdb|segment-log> <directory> <first id> <fsync 0|1>

import type { QueueStore, QueueStoreOptions } from '../../src/queue/store';

export function storePayload(id: number): Uint8Array {
  let x = (id * 2654435761) >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  const len = 4 + (next() % 5 === 0 ? next() % 30000 : next() % 500);
  const b = new Uint8Array(len);
  new DataView(b.buffer).setUint32(0, id, true);
  for (let i = 4; i < len; i++) b[i] = next() & 0xff;
  return b;
}

export function openByKind(kind: string, o: QueueStoreOptions): Promise<QueueStore> {
  if (kind === 'lmdb') return (require('../../src/queue/lmdb-store') as typeof import('../../src/queue/lmdb-store')).openLmdbStore(o);
  if (kind === 'segment-log') return (require('../../native-free/segment-log') as typeof import('../../native-free/segment-log')).openSegmentLogStore(o);
  throw new Error(`unknown store kind ${kind}`);
}

async function main(): Promise<void> {
  const [kind, dir, firstId, fsync] = process.argv.slice(2);
  const store = await openByKind(kind!, { directory: dir!, fsync: fsync === '1' });
  let id = Number(firstId);
  const acked: number[] = [];
  process.stdout.write('READY\n');
  const writer = async (): Promise<void> => {
    for (;;) {
      const ids = Array.from({ length: 1 + (id % 3) }, () => id++);
      const seqs = await store.append(ids.map(storePayload));
      process.stdout.write(seqs.map((s, i) => `A ${s} ${ids[i]}\n`).join(''));
      acked.push(...seqs);
      if (acked.length > 8 && id % 2 === 0) {
        const victims = acked.splice(0, 1 + (id % 5));
        process.stdout.write(victims.map((s) => `R ${s}\n`).join(''));
        await store.delete(victims);
        process.stdout.write(victims.map((s) => `D ${s}\n`).join(''));
      }
    }
  };
  await Promise.all([writer(), writer(), writer(), writer()]);
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(String(e?.stack ?? e) + '\n');
    process.exit(1);
  });
}
