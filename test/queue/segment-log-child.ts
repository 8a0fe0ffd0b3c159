// Child process of the segment-log SIGKILL test: appends records (and deletes some) as fast as it can and prints
// every acknowledged append (`A <seq> <id>`) and delete (`D <seq>`) only after the store resolved it (and `R <seq>` before it requests a delete). The parent
// kills it with SIGKILL at a random moment. A record's payload is [id u32 LE][bytes derived from id], so any record
// found later can be checked byte for byte.
//   node segment-log-child.js <directory> <first id> <fsync 0|1>

import { openSegmentLogStore } from '../../native-free/segment-log';

export function payloadFor(id: number): Uint8Array {
  let x = (id * 2654435761) >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  const len = 4 + (next() % 3 === 0 ? next() % 40000 : next() % 600);
  const b = new Uint8Array(len);
  new DataView(b.buffer).setUint32(0, id, true);
  for (let i = 4; i < len; i++) b[i] = next() & 0xff;
  return b;
}

async function main(): Promise<void> {
  const [dir, firstId, fsync] = process.argv.slice(2);
  const store = await openSegmentLogStore({ directory: dir!, fsync: fsync === '1', segmentBytes: 64 * 1024, compactBudgetBytes: 32 * 1024 } as never);
  let id = Number(firstId);
  const acked: number[] = [];
  process.stdout.write('READY\n');
  const writer = async (): Promise<void> => {
    for (;;) {
      const n = 1 + (id % 3);
      const ids = Array.from({ length: n }, () => id++);
      const seqs = await store.append(ids.map(payloadFor));
      process.stdout.write(seqs.map((s, i) => `A ${s} ${ids[i]}\n`).join(''));
      acked.push(...seqs);
      if (acked.length > 8 && id % 2 === 0) {
        const victims = acked.splice(0, 1 + (id % 7));
        process.stdout.write(victims.map((s) => `R ${s}\n`).join('')); // delete requested: may or may not survive a kill
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
