// The QueueStore contract (src/queue/store.ts), shared by both implementations: registered by
// test/queue/lmdb-store.test.ts and test/queue/segment-log.test.ts.
//
// What a "crash" means here:
//   * in-process (model-based test): the test issues appends/deletes without waiting for them, then stops
//     tracking them (their outcome is unknown to the "client"), then calls hooks.crash(store) and opens a new
//     instance on the same directory. Default crash: close() (the store may or may not complete the abandoned
//     calls — both are allowed). The LMDB test passes a crash that drops the instance without closing the
//     environment (see LmdbStore._crashForTest). So the in-process crash checks the client-side contract: what was
//     acknowledged survives, what was not may or may not be there, deletes not acknowledged may come back;
//   * real: a child process (store-child.ts) is SIGKILLed at a random moment (the last test below).

import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { QueueRecord, QueueStore, QueueStoreOptions } from '../../src/queue/store';
import { storePayload } from './store-child';

export interface StoreSuiteHooks {
  /** Drop `store` as a process crash would (default: close()). */
  crash?: (store: QueueStore) => Promise<void>;
}

async function readAll(store: QueueStore, page = 64): Promise<QueueRecord[]> {
  const out: QueueRecord[] = [];
  for (let after = 0; ; ) {
    const recs = await store.read(after, page);
    if (recs.length === 0) return out;
    for (const r of recs) assert.ok(r.seq > after, `read(${after}) returned seq ${r.seq}`);
    out.push(...recs);
    after = recs[recs.length - 1]!.seq;
  }
}

const eqBytes = (a: Uint8Array, b: Uint8Array, what: string): void => {
  assert.equal(a.length, b.length, `${what}: length`);
  assert.ok(Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length)), `${what}: bytes differ`);
};

/** xorshift32 PRNG */
function prng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return (n: number) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

export function storeSuite(name: string, open: (o: QueueStoreOptions) => Promise<QueueStore>, hooks: StoreSuiteHooks = {}): void {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `otelts-store-${name}-`));
  after(() => fs.rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const newDir = (): string => path.join(root, `d${n++}`);
  const crash = hooks.crash ?? ((s: QueueStore) => s.close());

  test(`${name} contract: append/read round trip is byte-exact, seqs increase, count and bytes, empty records`, async () => {
    const s = await open({ directory: newDir(), fsync: false });
    const recs = [new Uint8Array(Buffer.from('alpha')), new Uint8Array(0), randomBytes(70_000), new Uint8Array([0, 255, 0])];
    const seqs = await s.append(recs);
    assert.equal(seqs.length, 4);
    for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i]! > seqs[i - 1]!, `seqs increase: ${seqs}`);
    assert.equal(s.count, 4);
    assert.equal(s.bytes, 5 + 0 + 70_000 + 3);
    const all = await readAll(s, 3);
    assert.deepEqual(all.map((r) => r.seq), seqs);
    all.forEach((r, i) => eqBytes(r.data, recs[i]!, `record ${i}`));
    assert.deepEqual((await s.read(seqs[0]!, 2)).map((r) => r.seq), [seqs[1], seqs[2]]);
    assert.deepEqual(await s.read(seqs[3]!, 10), []);
    assert.deepEqual(await s.append([]), []);
    const more = await s.append([new Uint8Array(0)]);
    assert.ok(more[0]! > seqs[3]!);
    assert.equal(s.count, 5);
    await s.close();
  });

  test(`${name} contract: delete hides records, ignores unknown seqs, and count/bytes follow`, async () => {
    const s = await open({ directory: newDir(), fsync: false });
    const seqs = await s.append(['a', 'bb', 'ccc', 'dddd'].map((t) => new Uint8Array(Buffer.from(t))));
    await s.delete([seqs[1]!, seqs[3]!, 987654321]);
    assert.equal(s.count, 2);
    assert.equal(s.bytes, 1 + 3);
    assert.deepEqual((await readAll(s)).map((r) => r.seq), [seqs[0], seqs[2]]);
    await s.delete([seqs[1]!]); // again: ignored
    assert.equal(s.count, 2);
    await s.delete([]);
    await s.close();
  });

  test(`${name} contract: reopen keeps undeleted records and continues seqs (also after deleting everything)`, async () => {
    const dir = newDir();
    let s = await open({ directory: dir, fsync: true });
    const recs = Array.from({ length: 20 }, (_, i) => storePayload(i + 1));
    const seqs = await s.append(recs);
    await s.delete(seqs.filter((_, i) => i % 3 === 0));
    await s.close();
    s = await open({ directory: dir, fsync: true });
    const keep = seqs.map((q, i) => [q, i] as const).filter(([, i]) => i % 3 !== 0);
    assert.equal(s.count, keep.length);
    assert.equal(s.bytes, keep.reduce((a, [, i]) => a + recs[i]!.length, 0));
    const all = await readAll(s);
    assert.deepEqual(all.map((r) => r.seq), keep.map(([q]) => q));
    all.forEach((r, k) => eqBytes(r.data, recs[keep[k]![1]]!, `seq ${r.seq}`));
    const next = await s.append([storePayload(99)]);
    assert.ok(next[0]! > seqs[seqs.length - 1]!, 'seqs continue after a reopen');
    await s.delete([...all.map((r) => r.seq), ...next]);
    assert.equal(s.count, 0);
    assert.equal(s.bytes, 0);
    await s.close();
    s = await open({ directory: dir, fsync: false });
    assert.equal(s.count, 0);
    assert.deepEqual(await s.read(0, 10), []);
    const again = await s.append([storePayload(100)]);
    assert.ok(again[0]! > next[0]!, `seqs never go back, even once the store was emptied (${again[0]} after ${next[0]})`);
    await s.close();
  });

  test(`${name} contract: concurrent appends each get their own seqs and all land`, async () => {
    const dir = newDir();
    const s = await open({ directory: dir, fsync: false });
    let id = 1;
    const calls = Array.from({ length: 60 }, (_, c) => Array.from({ length: 1 + (c % 3) }, () => id++));
    const results = await Promise.all(calls.map((ids) => s.append(ids.map(storePayload))));
    const bySeq = new Map<number, number>();
    results.forEach((seqs, c) => {
      assert.equal(seqs.length, calls[c]!.length);
      for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i]! > seqs[i - 1]!);
      seqs.forEach((q, i) => {
        assert.ok(!bySeq.has(q), `seq ${q} handed out twice`);
        bySeq.set(q, calls[c]![i]!);
      });
    });
    assert.equal(s.count, id - 1);
    const all = await readAll(s, 50);
    assert.equal(all.length, id - 1);
    for (const r of all) eqBytes(r.data, storePayload(bySeq.get(r.seq)!), `seq ${r.seq}`);
    await s.close();
  });

  test(`${name} contract: 8 MiB records round trip and survive a reopen`, async () => {
    const dir = newDir();
    let s = await open({ directory: dir, fsync: false });
    const big = [randomBytes(8 * 1024 * 1024), randomBytes(8 * 1024 * 1024 + 17)];
    const seqs = await s.append(big);
    assert.equal(s.bytes, big[0]!.length + big[1]!.length);
    await s.close();
    s = await open({ directory: dir, fsync: false });
    const all = await readAll(s, 1);
    assert.deepEqual(all.map((r) => r.seq), seqs);
    all.forEach((r, i) => eqBytes(r.data, big[i]!, `big ${i}`));
    await s.close();
  });

  test(`${name} contract: close settles pending appends first and is idempotent`, async () => {
    const dir = newDir();
    const s = await open({ directory: dir, fsync: false });
    const pending = s.append([storePayload(1), storePayload(2)]);
    const c1 = s.close();
    const c2 = s.close();
    const seqs = await pending;
    await Promise.all([c1, c2]);
    await s.close();
    const s2 = await open({ directory: dir, fsync: false });
    assert.deepEqual((await readAll(s2)).map((r) => r.seq), seqs);
    await s2.close();
  });

  test(`${name} contract: model-based random append/read/delete/crash/restart keeps every acknowledged record`, async () => {
    const seeds = [0x5eed1, 0xbadc0de, 424242];
    for (const seed of seeds) {
      try {
        await runModel(seed);
      } catch (e) {
        (e as Error).message = `[model seed=${seed}] ${(e as Error).message}`;
        throw e;
      }
    }
  });

  async function runModel(seed: number): Promise<void> {
    const rnd = prng(seed);
    const dir = newDir();
    let store = await open({ directory: dir, fsync: rnd(4) === 0 });
    let nextId = 1;
    const live = new Map<number, number>(); // seq → id, acknowledged and not deleted
    const unsureDeletes = new Map<number, number>(); // deleted, delete not acknowledged before a crash
    const unsureIds = new Set<number>(); // appended, append not acknowledged before a crash
    let maxSeq = 0;
    let cursor = 0;
    const check = async (): Promise<void> => {
      const all = await readAll(store, 1 + rnd(40));
      const seen = new Set<number>();
      let bytes = 0;
      for (const r of all) {
        seen.add(r.seq);
        bytes += r.data.length;
        const id = r.data.length >= 4 ? new DataView(r.data.buffer, r.data.byteOffset).getUint32(0, true) : -1;
        if (live.has(r.seq)) {
          assert.equal(id, live.get(r.seq), `seq ${r.seq} holds the wrong record`);
        } else if (unsureDeletes.has(r.seq)) {
          assert.equal(id, unsureDeletes.get(r.seq), `seq ${r.seq} (delete not acknowledged) holds the wrong record`);
          live.set(r.seq, id); // came back: at-least-once
        } else if (unsureIds.has(id)) {
          live.set(r.seq, id); // an append not acknowledged made it
          unsureIds.delete(id);
        } else {
          assert.fail(`seq ${r.seq} (id ${id}) should not be there: deleted, or never appended`);
        }
        eqBytes(r.data, storePayload(id), `seq ${r.seq}`);
        maxSeq = Math.max(maxSeq, r.seq);
      }
      for (const [q, id] of live) assert.ok(seen.has(q), `acknowledged seq ${q} (id ${id}) is lost`);
      assert.equal(store.count, all.length, 'count');
      assert.equal(store.bytes, bytes, 'bytes');
      unsureDeletes.clear();
      unsureIds.clear();
      cursor = 0;
    };
    for (let step = 0; step < 300; step++) {
      const op = rnd(100);
      if (op < 45) {
        const ids = Array.from({ length: 1 + rnd(3) }, () => nextId++);
        const seqs = await store.append(ids.map(storePayload));
        for (const q of seqs) assert.ok(q > maxSeq, `new seq ${q} not above ${maxSeq}`);
        seqs.forEach((q, i) => live.set(q, ids[i]!));
        maxSeq = seqs[seqs.length - 1]!;
      } else if (op < 65) {
        const k = 1 + rnd(5);
        const got = await store.read(cursor, k);
        const want = [...live.keys()].filter((q) => q > cursor).sort((a, b) => a - b).slice(0, k);
        assert.deepEqual(got.map((r) => r.seq), want, `read(${cursor}, ${k})`);
        for (const r of got) eqBytes(r.data, storePayload(live.get(r.seq)!), `seq ${r.seq}`);
        cursor = got.length ? got[got.length - 1]!.seq : 0;
      } else if (op < 85) {
        const keys = [...live.keys()];
        const victims = keys.filter(() => rnd(3) === 0).slice(0, 6);
        if (rnd(5) === 0) victims.push(maxSeq + 1000); // unknown: ignored
        await store.delete(victims);
        for (const q of victims) live.delete(q);
        assert.equal(store.count, live.size);
      } else if (op < 93) {
        // crash with calls in flight whose outcome the client never learns
        const ids = Array.from({ length: rnd(3) }, () => nextId++);
        for (const id of ids) {
          unsureIds.add(id);
          store.append([storePayload(id)]).catch(() => undefined);
        }
        const victims = [...live.keys()].filter(() => rnd(4) === 0).slice(0, 4);
        for (const q of victims) {
          unsureDeletes.set(q, live.get(q)!);
          live.delete(q);
        }
        if (victims.length) store.delete(victims).catch(() => undefined);
        await crash(store);
        store = await open({ directory: dir, fsync: rnd(4) === 0 });
        await check();
      } else {
        await store.close();
        store = await open({ directory: dir, fsync: rnd(4) === 0 });
        await check();
      }
    }
    await store.close();
    store = await open({ directory: dir, fsync: false });
    await check();
    await store.close();
  }

  test(`${name} contract: SIGKILL of a writing child process loses no acknowledged record`, async () => {
    const probe = await open({ directory: newDir(), fsync: false });
    const kind = probe.kind;
    await probe.close();
    const child = path.join(__dirname, 'store-child.js');
    const dir = newDir();
    const rnd = prng(Date.now() & 0xffff);
    let firstId = 1;
    const deleted = new Set<number>();
    /** Deletes requested (R) but not acknowledged (D) before the kill: the record may be gone or not. */
    const requested = new Set<number>();
    const acked = new Map<number, number>(); // seq → id
    for (let round = 0; round < 3; round++) {
      const fsync = round === 2 ? '1' : '0';
      const proc = spawn(process.execPath, [child, kind, dir, String(firstId), fsync], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
      const delay = 150 + rnd(400);
      await new Promise<void>((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        const giveUp = setTimeout(() => reject(new Error(`child did not start: ${err}`)), 10_000);
        proc.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (!timer && out.includes('READY\n')) {
            clearTimeout(giveUp);
            timer = setTimeout(resolve, delay);
          }
        });
        void exited.then((code) => reject(new Error(`child exited early (${code}): ${err}`)));
      });
      proc.kill('SIGKILL');
      await exited;
      const lines = out.slice(0, out.lastIndexOf('\n') + 1).split('\n');
      let appends = 0;
      for (const l of lines) {
        const [t, a, b] = l.split(' ');
        if (t === 'A') {
          acked.set(Number(a), Number(b));
          appends++;
        } else if (t === 'D') deleted.add(Number(a));
        else if (t === 'R') requested.add(Number(a));
      }
      assert.ok(appends > 0, `round ${round}: the child acknowledged no append before the kill (${err})`);
      const s = await open({ directory: dir, fsync: false });
      const all = await readAll(s, 200);
      const present = new Map(all.map((r) => [r.seq, r] as const));
      let maxId = firstId;
      for (const r of all) {
        const id = new DataView(r.data.buffer, r.data.byteOffset).getUint32(0, true);
        eqBytes(r.data, storePayload(id), `seq ${r.seq} after SIGKILL`);
        if (acked.has(r.seq)) assert.equal(id, acked.get(r.seq), `seq ${r.seq} holds the wrong record`);
        assert.ok(!deleted.has(r.seq), `seq ${r.seq} was deleted (acknowledged) but is back after a SIGKILL`);
        maxId = Math.max(maxId, id);
      }
      for (const [q, id] of acked) {
        if (!deleted.has(q) && !requested.has(q)) assert.ok(present.has(q), `round ${round}: acknowledged seq ${q} (id ${id}) lost after SIGKILL`);
      }
      assert.equal(s.count, all.length);
      // Continue from what is there: forget the acknowledged deletes that are gone for good.
      acked.clear();
      for (const r of all) acked.set(r.seq, new DataView(r.data.buffer, r.data.byteOffset).getUint32(0, true));
      deleted.clear();
      requested.clear();
      await s.close();
      firstId = Math.max(maxId, ...[...lines].filter((l) => l.startsWith('A ')).map((l) => Number(l.split(' ')[2]))) + 1000;
    }
  });
}
