import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { open as lmdbOpen } from 'lmdb';
import { openLmdbStore, checkLmdbFile, type LmdbStore } from '../../src/queue/lmdb-store';
import { openQueueStore, nativeAvailable } from '../../src/queue/open';
import { QueueStoreError } from '../../src/queue/errors';
import type { QueueStore } from '../../src/queue/store';
import { storeSuite } from './store-suite';
import { storePayload } from './store-child';

// In-process crash for LMDB: drop the instance without closing its environment (see LmdbStore._crashForTest).
storeSuite('lmdb', openLmdbStore, { crash: (s) => (s as LmdbStore)._crashForTest() });

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'otelts-lmdb-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let dirN = 0;
const newDir = (): string => path.join(tmpRoot, `s${dirN++}`);

async function filled(dir: string, n: number): Promise<number[]> {
  const s = await openLmdbStore({ directory: dir, fsync: false });
  const seqs = await s.append(Array.from({ length: n }, (_, i) => storePayload(i + 1)));
  await s.close();
  return seqs;
}

test('lmdb: kind, files in the directory, a second open of an open directory is refused', async () => {
  const dir = newDir();
  const s = await openLmdbStore({ directory: dir, fsync: false });
  assert.equal(s.kind, 'lmdb');
  assert.ok(fs.existsSync(path.join(dir, 'data.mdb')));
  await assert.rejects(openLmdbStore({ directory: dir, fsync: false }), (e: unknown) => e instanceof QueueStoreError && /already open/.test(e.message));
  await s.close();
  const again = await openLmdbStore({ directory: dir, fsync: false });
  await again.close();
});

test('lmdb: a garbage data file is set aside (no process crash) and a fresh store opens', async () => {
  const dir = newDir();
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'data.mdb'), Buffer.alloc(100_000, 0x55));
  assert.match(checkLmdbFile(path.join(dir, 'data.mdb')) ?? '', /not an LMDB file/);
  const s = await openLmdbStore({ directory: dir, fsync: false });
  assert.equal(s.corrupted, 1);
  assert.equal(s.setAside.length, 1);
  assert.match(s.setAside[0]!, /\.unreadable: not an LMDB file/);
  assert.equal(fs.readdirSync(dir).filter((n) => n.endsWith('.unreadable')).length, 1);
  assert.equal(s.count, 0);
  const [seq] = await s.append([storePayload(1)]);
  assert.deepEqual((await s.read(0, 10)).map((r) => r.seq), [seq]);
  await s.close();
});

test('lmdb: a truncated data file is set aside instead of crashing the process with SIGBUS', async () => {
  const dir = newDir();
  await filled(dir, 40);
  const file = path.join(dir, 'data.mdb');
  assert.equal(checkLmdbFile(file), undefined, 'a sound file passes the check');
  fs.truncateSync(file, 5000);
  assert.match(checkLmdbFile(file) ?? '', /truncated|meta/);
  const s = await openLmdbStore({ directory: dir, fsync: false });
  assert.equal(s.corrupted, 1);
  assert.equal(s.count, 0);
  await s.close();
});

test('lmdb: entries whose key is not a sequence number are counted as corrupted and never served', async () => {
  const dir = newDir();
  const seqs = await filled(dir, 3);
  const raw = lmdbOpen<Buffer, string | number>({ path: dir, encoding: 'binary', noSync: true, overlappingSync: false });
  await raw.put('stray', Buffer.from('x'));
  await raw.put(-5, Buffer.from('y'));
  await raw.close();
  const s = await openLmdbStore({ directory: dir, fsync: false });
  assert.equal(s.corrupted, 2);
  assert.equal(s.count, 3);
  assert.deepEqual((await s.read(0, 100)).map((r) => r.seq), seqs);
  await s.close();
});

test('lmdb: operations after close reject with QueueStoreError', async () => {
  const s = await openLmdbStore({ directory: newDir(), fsync: false });
  await s.close();
  await assert.rejects(s.append([storePayload(1)]), QueueStoreError);
  await assert.rejects(s.read(0, 1), QueueStoreError);
});

test('lmdb: a full disk rejects the append with a clear retryable QueueStoreError, stores none of it, and recovers', async (t) => {
  const mnt = newDir();
  fs.mkdirSync(mnt, { recursive: true });
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1536k', 'tmpfs', mnt], { encoding: 'utf8' });
  if (m.status !== 0) {
    t.skip(`cannot mount a small tmpfs here (needs root): ${(m.stderr || m.error?.message || '').trim()}`);
    return;
  }
  try {
    const dir = path.join(mnt, 'q');
    const filler = path.join(mnt, 'filler'); // another user of the disk, removed later to free space
    fs.writeFileSync(filler, Buffer.alloc(256 * 1024));
    let s: QueueStore = await openLmdbStore({ directory: dir, fsync: false });
    try {
    const acked: number[] = [];
    let failure: unknown;
    for (let i = 0; i < 100 && failure === undefined; i++) {
      try {
        acked.push(...(await s.append([new Uint8Array(100_000).fill(i), new Uint8Array(10).fill(i)])));
      } catch (e) {
        failure = e;
      }
    }
    assert.ok(failure instanceof QueueStoreError, `expected a QueueStoreError, got ${String(failure)}`);
    assert.equal(failure.code, 'OTELTS_ERR_STORAGE');
    assert.equal(failure.retryable, true);
    assert.match(failure.message, /is full/);
    assert.equal(s.count, acked.length, 'the failed append stored nothing');
    assert.deepEqual((await s.read(0, 1000)).map((r) => r.seq), acked);
    // Space comes back (in LMDB even a delete needs a few new pages, so on a disk that is still full it may fail
    // too; it stays deleted in memory and is written with the next commit): then deletes and appends work again.
    fs.rmSync(filler);
    await s.delete(acked.filter((_, i) => i % 4 < 2));
    const more = await s.append([new Uint8Array(100_000).fill(7)]);
    assert.equal(more.length, 1);
    await s.close();
    s = await openLmdbStore({ directory: dir, fsync: false });
    const want = [...acked.filter((_, i) => i % 4 >= 2), ...more];
    assert.deepEqual((await s.read(0, 1000)).map((r) => r.seq), want);
    } finally {
      await s.close();
    }
  } finally {
    spawnSync('umount', [mnt]);
  }
});

test('openQueueStore: LMDB by default, the segment log with OTELTS_NATIVE=off', async () => {
  const saved = process.env.OTELTS_NATIVE;
  try {
    delete process.env.OTELTS_NATIVE;
    assert.equal(nativeAvailable(), true);
    const a = await openQueueStore({ directory: newDir(), fsync: false });
    assert.equal(a.kind, 'lmdb');
    await a.close();
    process.env.OTELTS_NATIVE = 'off';
    assert.equal(nativeAvailable(), false);
    const b = await openQueueStore({ directory: newDir(), fsync: false });
    assert.equal(b.kind, 'segment-log');
    const [seq] = await b.append([storePayload(5)]);
    assert.equal((await b.read(0, 1))[0]!.seq, seq);
    await b.close();
  } finally {
    if (saved === undefined) delete process.env.OTELTS_NATIVE;
    else process.env.OTELTS_NATIVE = saved;
  }
});
