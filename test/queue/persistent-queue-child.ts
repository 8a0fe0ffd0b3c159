// Child process of the persistent queue's model-based test (test/queue/persistent-queue.test.ts): runs one
// PersistentQueue on a real store in `directory` and lets the parent drive it over IPC, so the parent can SIGKILL it
// at any moment (a real crash: the store's files and lock are left as a dead process leaves them).
//   node persistent-queue-child.js <lmdb|segment-log> <directory> <num consumers>
// Parent → child: {op:'offer', id} | {op:'answer', id, ok} | {op:'shutdown'} | {op:'idle'}
// Child → parent: {ev:'ready', dropped} | {ev:'acked', id} | {ev:'offer-failed', id, error} | {ev:'consume', id}
//                 | {ev:'deleted', ids} (after store.delete resolved) | {ev:'idle', size, count} | {ev:'shut'} (then exits)
// Items are `{id}`; a record's payload is its JSON.

import { PersistentQueue } from '../../src/queue/persistent-queue';
import type { QueueStore } from '../../src/queue/store';
import type { Logger } from '../../src/component/types';
import type { Done } from '../../src/exporters/exporterhelper/queue';
import { openByKind } from './store-child';

interface Item {
  id: number;
}

export const encodeItem = (it: Item): Uint8Array => new Uint8Array(Buffer.from(JSON.stringify(it)));
export function decodeItem(b: Uint8Array): Item {
  const v = JSON.parse(Buffer.from(b.buffer, b.byteOffset, b.length).toString('utf8')) as unknown;
  if (typeof v !== 'object' || v === null || typeof (v as Item).id !== 'number') throw new Error('not an item');
  return v as Item;
}

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

/** The record's id (payload after the queue's 6-byte header), or -1. */
function idOf(data: Uint8Array): number {
  try {
    return decodeItem(data.subarray(6)).id;
  } catch {
    return -1;
  }
}

/** Wraps a store to report committed deletes (by item id) to the parent. */
function reporting(inner: QueueStore, send: (m: unknown) => void): QueueStore {
  const idBySeq = new Map<number, number>();
  return {
    kind: inner.kind,
    get count() {
      return inner.count;
    },
    get bytes() {
      return inner.bytes;
    },
    get corrupted() {
      return inner.corrupted;
    },
    get setAside() {
      return inner.setAside;
    },
    async append(records) {
      const seqs = await inner.append(records);
      seqs.forEach((s, i) => idBySeq.set(s, idOf(records[i]!)));
      return seqs;
    },
    async read(afterSeq, max) {
      const recs = await inner.read(afterSeq, max);
      for (const r of recs) idBySeq.set(r.seq, idOf(r.data));
      return recs;
    },
    async delete(seqs) {
      await inner.delete(seqs);
      send({ ev: 'deleted', ids: seqs.map((s) => idBySeq.get(s) ?? -1) });
    },
    close: () => inner.close(),
  };
}

async function main(): Promise<void> {
  const [kind, dir, consumers] = process.argv.slice(2);
  const send = (m: unknown): void => {
    process.send!(m);
  };
  let store: QueueStore | undefined;
  const answers = new Map<number, Done>();
  const q = new PersistentQueue<Item>({
    signal: 'traces',
    sizer: 'requests',
    capacity: 100_000,
    numConsumers: Number(consumers),
    blockOnOverflow: false,
    open: async () => (store = reporting(await openByKind(kind!, { directory: dir!, fsync: false }), send)),
    encode: encodeItem,
    decode: decodeItem,
    itemCount: () => 1,
    // Like the exporter's direct send path: the consumer slot is busy until the send's outcome is known.
    consume: (it, done) =>
      new Promise<void>((resolve) => {
        answers.set(it.id, (err) => {
          done(err);
          resolve();
        });
        send({ ev: 'consume', id: it.id });
      }),
    logger: quiet,
  });
  process.on('message', (m: { op: string; id?: number; ok?: boolean }) => {
    switch (m.op) {
      case 'offer':
        q.offer({ id: m.id! }).then(
          () => send({ ev: 'acked', id: m.id }),
          (e: Error) => send({ ev: 'offer-failed', id: m.id, error: e.message }),
        );
        break;
      case 'answer': {
        const done = answers.get(m.id!);
        answers.delete(m.id!);
        done?.(m.ok ? undefined : new Error('send failed (model)'));
        break;
      }
      case 'shutdown':
        void q.shutdown(5000).then(() => {
          process.send!({ ev: 'shut' }, () => process.exit(0));
        });
        break;
      case 'idle':
        void q.whenIdle().then(() => send({ ev: 'idle', size: q.size, count: store!.count }));
        break;
    }
  });
  await q.start();
  send({ ev: 'ready', dropped: q.dropped, kind: store!.kind });
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(String(e?.stack ?? e) + '\n');
    process.exit(1);
  });
}
