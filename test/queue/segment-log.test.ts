import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSegmentLogStore, crc32, crc32Js, type SegmentLogStore, type SegmentLogOptions } from '../../native-free/segment-log';
import { QueueStoreError } from '../../src/queue/errors';
import { payloadFor } from './segment-log-child';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'otelts-seglog-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let dirN = 0;
const newDir = (): string => path.join(tmpRoot, `s${dirN++}`);

const open = (directory: string, over: Partial<SegmentLogOptions> = {}): Promise<SegmentLogStore> =>
  openSegmentLogStore({ directory, fsync: false, ...over });
const bytesOf = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));
const text = (b: Uint8Array): string => Buffer.from(b).toString();
const segFiles = (dir: string): string[] => fs.readdirSync(dir).filter((n) => /^seg-[0-9a-f]{16}\.log$/.test(n)).sort();
const dirBytes = (dir: string): number => segFiles(dir).reduce((a, n) => a + fs.statSync(path.join(dir, n)).size, 0);

async function readAll(store: SegmentLogStore): Promise<Array<{ seq: number; data: Uint8Array }>> {
  const out: Array<{ seq: number; data: Uint8Array }> = [];
  for (let after = 0; ; ) {
    const page = await store.read(after, 100);
    if (page.length === 0) return out;
    out.push(...page);
    after = page[page.length - 1]!.seq;
  }
}

// ------------------------------------------------------------------------------------------ contract (own)
// The shared contract suite (test/queue/store-suite.ts) runs below when it exists.

test('segment-log: append/read round trip, byte-exact, increasing seqs, count and bytes', async () => {
  const dir = newDir();
  const s = await open(dir);
  assert.equal(s.kind, 'segment-log');
  const recs = [bytesOf('alpha'), new Uint8Array(0), randomBytes(70_000)];
  const seqs = await s.append(recs);
  assert.equal(seqs.length, 3);
  assert.ok(seqs[0]! >= 1 && seqs[0]! < seqs[1]! && seqs[1]! < seqs[2]!);
  assert.equal(s.count, 3);
  assert.equal(s.bytes, 5 + 0 + 70_000);
  const all = await readAll(s);
  assert.deepEqual(all.map((r) => r.seq), seqs);
  all.forEach((r, i) => assert.deepEqual(Buffer.from(r.data), Buffer.from(recs[i]!)));
  // afterSeq and max
  assert.deepEqual((await s.read(seqs[0]!, 1)).map((r) => r.seq), [seqs[1]]);
  assert.deepEqual(await s.read(seqs[2]!, 10), []);
  await s.close();
  await s.close(); // idempotent
});

test('segment-log: delete skips records in reads, ignores unknown seqs, survives a reopen', async () => {
  const dir = newDir();
  let s = await open(dir);
  const seqs = await s.append(['a', 'b', 'c', 'd'].map(bytesOf));
  await s.delete([seqs[1]!, 999_999]);
  await s.delete([seqs[1]!]); // twice: no effect
  assert.equal(s.count, 3);
  assert.equal(s.bytes, 3);
  assert.deepEqual((await readAll(s)).map((r) => text(r.data)), ['a', 'c', 'd']);
  await s.close();
  s = await open(dir);
  assert.deepEqual((await readAll(s)).map((r) => [r.seq, text(r.data)]), [[seqs[0], 'a'], [seqs[2], 'c'], [seqs[3], 'd']]);
  assert.equal(s.count, 3);
  assert.equal(s.corrupted, 0);
  await s.close();
});

test('segment-log: concurrent appends are grouped, each call gets its own increasing seqs', async () => {
  const dir = newDir();
  const s = await open(dir, { fsync: true });
  const calls = Array.from({ length: 50 }, (_, i) => s.append([bytesOf(`r${i}a`), bytesOf(`r${i}b`)]));
  const results = await Promise.all(calls);
  const flat = results.flat();
  for (let i = 1; i < flat.length; i++) assert.ok(flat[i]! > flat[i - 1]!, 'seqs increase in call order');
  const all = await readAll(s);
  assert.equal(all.length, 100);
  results.forEach((seqs, i) => {
    assert.equal(text(all.find((r) => r.seq === seqs[0])!.data), `r${i}a`);
    assert.equal(text(all.find((r) => r.seq === seqs[1])!.data), `r${i}b`);
  });
  await s.close();
});

test('segment-log: seqs keep increasing across restarts even when everything was deleted', async () => {
  const dir = newDir();
  let s = await open(dir, { segmentBytes: 256 });
  const first = await s.append([bytesOf('x'.repeat(300)), bytesOf('y'.repeat(300))]);
  await s.delete(first);
  await s.compactNow();
  await s.close();
  for (let i = 0; i < 3; i++) {
    s = await open(dir, { segmentBytes: 256 });
    assert.equal(s.count, 0);
    await s.compactNow(); // removes every old segment
    await s.close();
  }
  assert.equal(segFiles(dir).length, 1, 'only the last active segment remains');
  s = await open(dir);
  const [next] = await s.append([bytesOf('z')]);
  assert.ok(next! > first[1]!, `${next} > ${first[1]}`);
  await s.close();
});

test('segment-log: one store per directory; a closed store rejects', async () => {
  const dir = newDir();
  const s = await open(dir);
  await assert.rejects(open(dir), (e: unknown) => e instanceof QueueStoreError && /already open/.test(e.message));
  await s.close();
  await assert.rejects(s.append([bytesOf('late')]), QueueStoreError);
  const again = await open(dir); // the lock was released
  await again.close();
});

test('segment-log: a stale LOCK of a dead process is taken over, a live one is refused', async () => {
  const dir = newDir();
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'LOCK'), '2147483646 -\n'); // no such pid
  const s = await open(dir);
  await s.close();
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
  try {
    fs.writeFileSync(path.join(dir, 'LOCK'), `${child.pid} -\n`);
    await assert.rejects(open(dir), (e: unknown) => e instanceof QueueStoreError && /in use by process/.test(e.message));
  } finally {
    child.kill('SIGKILL');
  }
});

// ------------------------------------------------------------------------------------------ segment-log specifics

test('crc32: native and table-driven agree with the standard check value', () => {
  assert.equal(crc32Js(Buffer.from('123456789')), 0xcbf43926);
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  const b = randomBytes(10_000);
  assert.equal(crc32(b), crc32Js(b));
  assert.equal(crc32(b.subarray(5000), crc32(b.subarray(0, 5000))), crc32Js(b), 'continuation');
});

/** A store with three records a, b, c in one segment (closed); returns the segment path and record offsets. */
async function threeRecords(dir: string): Promise<{ file: string; seqs: number[]; offsets: number[] }> {
  const s = await open(dir);
  const seqs: number[] = [];
  for (const r of ['first record', 'middle record', 'last record']) seqs.push(...(await s.append([bytesOf(r)])));
  await s.close();
  const files = segFiles(dir);
  assert.equal(files.length, 1);
  const file = path.join(dir, files[0]!);
  const size = fs.statSync(file).size;
  // Header 24 bytes, then 17-byte record headers: offsets of the three records.
  const offsets = [24, 24 + 17 + 12, 24 + 17 + 12 + 17 + 13];
  assert.equal(size, offsets[2]! + 17 + 11);
  return { file, seqs, offsets };
}

test('segment-log: a torn tail (file cut inside the last record) is truncated silently', async () => {
  const dir = newDir();
  const { file, seqs, offsets } = await threeRecords(dir);
  fs.truncateSync(file, offsets[2]! + 17 + 4); // the last record's payload is cut short
  let s = await open(dir);
  assert.equal(s.corrupted, 0);
  assert.deepEqual((await readAll(s)).map((r) => text(r.data)), ['first record', 'middle record']);
  assert.equal(fs.statSync(file).size, offsets[2], 'the partial record was cut off');
  const [next] = await s.append([bytesOf('after crash')]);
  assert.ok(next! > seqs[1]!);
  await s.close();
  s = await open(dir);
  assert.deepEqual((await readAll(s)).map((r) => text(r.data)), ['first record', 'middle record', 'after crash']);
  assert.equal(s.corrupted, 0);
  await s.close();
});

test('segment-log: a torn record header (file cut inside the 17-byte header) is truncated silently', async () => {
  const dir = newDir();
  const { file, offsets } = await threeRecords(dir);
  fs.truncateSync(file, offsets[2]! + 9);
  const s = await open(dir);
  assert.equal(s.corrupted, 0);
  assert.equal(s.count, 2);
  await s.close();
});

test('segment-log: a flipped byte in the middle record: it is skipped and counted, the others are served', async () => {
  const dir = newDir();
  const { file, seqs, offsets } = await threeRecords(dir);
  const buf = fs.readFileSync(file);
  buf[offsets[1]! + 17 + 3]! ^= 0x40; // in the payload
  fs.writeFileSync(file, buf);
  const s = await open(dir);
  assert.equal(s.corrupted, 1);
  assert.deepEqual((await readAll(s)).map((r) => [r.seq, text(r.data)]), [[seqs[0], 'first record'], [seqs[2], 'last record']]);
  await s.close();
});

test('segment-log: a damaged length field in the middle: resynchronised on the next valid record', async () => {
  const dir = newDir();
  const { file, offsets } = await threeRecords(dir);
  const buf = fs.readFileSync(file);
  buf[offsets[1]! + 9 + 2] = 0x7f; // len becomes huge
  fs.writeFileSync(file, buf);
  const s = await open(dir);
  assert.equal(s.corrupted, 1);
  assert.deepEqual((await readAll(s)).map((r) => text(r.data)), ['first record', 'last record']);
  await s.close();
});

test('segment-log: a bad last record that is complete is counted (not a torn write)', async () => {
  const dir = newDir();
  const { file, offsets } = await threeRecords(dir);
  const buf = fs.readFileSync(file);
  buf[offsets[2]! + 17]! ^= 0x01;
  fs.writeFileSync(file, buf);
  const s = await open(dir);
  assert.equal(s.corrupted, 1);
  assert.deepEqual((await readAll(s)).map((r) => text(r.data)), ['first record', 'middle record']);
  await s.close();
});

test('segment-log: damage after open is detected on read: counted and skipped', async () => {
  const dir = newDir();
  const { file, offsets } = await threeRecords(dir);
  const s = await open(dir);
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.from('X'), 0, 1, offsets[0]! + 17);
  fs.closeSync(fd);
  assert.deepEqual((await readAll(s)).map((r) => text(r.data)), ['middle record', 'last record']);
  assert.equal(s.corrupted, 1);
  assert.equal(s.count, 2);
  await s.close();
});

test('segment-log: a segment with an unknown format version is set aside, the others are served', async () => {
  const dir = newDir();
  let s = await open(dir, { segmentBytes: 100 });
  await s.append([bytesOf('a'.repeat(120))]);
  await s.append([bytesOf('b'.repeat(120))]); // rolled: a second segment
  await s.close();
  const files = segFiles(dir);
  assert.equal(files.length, 2);
  const future = path.join(dir, files[0]!);
  const buf = fs.readFileSync(future);
  buf.writeUInt16LE(7, 4); // format version 7
  fs.writeFileSync(future, buf);
  s = await open(dir);
  assert.equal(s.corrupted, 1);
  assert.equal(s.setAside.length, 1);
  assert.match(s.setAside[0]!, /\.unreadable .*unknown format version 7/);
  assert.ok(fs.existsSync(`${future}.unreadable`));
  assert.deepEqual((await readAll(s)).map((r) => text(r.data)), ['b'.repeat(120)]);
  const [seq] = await s.append([bytesOf('c')]);
  await s.close();
  s = await open(dir); // no loop, nothing set aside again
  assert.equal(s.corrupted, 0);
  assert.equal(s.setAside.length, 0);
  assert.deepEqual((await readAll(s)).map((r) => r.seq).at(-1), seq);
  await s.close();
});

test('segment-log: garbage and torn segment files never crash the open', async () => {
  const dir = newDir();
  let s = await open(dir);
  await s.append([bytesOf('kept')]);
  await s.close();
  fs.writeFileSync(path.join(dir, 'seg-00000000000000f0.log'), randomBytes(5000)); // not ours
  fs.writeFileSync(path.join(dir, 'seg-00000000000000f1.log'), Buffer.from('OTQL\x01')); // creation cut short
  fs.writeFileSync(path.join(dir, 'seg-00000000000000f2.log.tmp'), randomBytes(100)); // compaction cut short
  s = await open(dir);
  assert.deepEqual((await readAll(s)).map((r) => text(r.data)), ['kept']);
  assert.equal(s.corrupted, 1, 'the foreign file');
  assert.ok(!fs.existsSync(path.join(dir, 'seg-00000000000000f1.log')));
  assert.ok(!fs.existsSync(path.join(dir, 'seg-00000000000000f2.log.tmp')));
  await s.close();
});

test('segment-log: compaction removes dead segments and rewrites sparse ones, records intact', async () => {
  const dir = newDir();
  let s = await open(dir, { segmentBytes: 4096, compactBudgetBytes: 8192 });
  const recs = Array.from({ length: 200 }, (_, i) => bytesOf(`record-${i}-`.padEnd(200, String.fromCharCode(97 + (i % 26)))));
  const seqs: number[] = [];
  for (let i = 0; i < recs.length; i += 5) seqs.push(...(await s.append(recs.slice(i, i + 5))));
  const filesBefore = segFiles(dir).length;
  const bytesBefore = dirBytes(dir);
  assert.ok(filesBefore >= 10, `${filesBefore} segments`);
  // Delete everything in the first half, and 3 of every 4 in the second half.
  const keep = new Set(seqs.filter((_, i) => i >= 100 && i % 4 === 0));
  await s.delete(seqs.filter((q) => !keep.has(q)));
  await s.compactNow();
  const filesAfter = segFiles(dir).length;
  const bytesAfter = dirBytes(dir);
  assert.ok(filesAfter < filesBefore / 2, `${filesBefore} → ${filesAfter} segments`);
  assert.ok(bytesAfter < bytesBefore / 3, `${bytesBefore} → ${bytesAfter} bytes`);
  const expected = seqs.map((q, i) => [q, text(recs[i]!)] as const).filter(([q]) => keep.has(q));
  assert.deepEqual((await readAll(s)).map((r) => [r.seq, text(r.data)]), expected);
  assert.equal(s.count, keep.size);
  await s.close();
  s = await open(dir, { segmentBytes: 4096 });
  assert.deepEqual((await readAll(s)).map((r) => [r.seq, text(r.data)]), expected);
  assert.equal(s.corrupted, 0);
  // Delete the rest: everything but the active segment goes away.
  await s.delete([...keep]);
  await s.compactNow();
  assert.equal(segFiles(dir).length, 1);
  assert.equal(s.count, 0);
  await s.close();
});

test('segment-log: a crash between a compaction rename and the unlinks is finished at open (no duplicates)', async () => {
  const dir = newDir();
  const s = await open(dir, { segmentBytes: 2048 });
  const seqs: number[] = [];
  for (let i = 0; i < 40; i++) seqs.push(...(await s.append([bytesOf(`r${i}`.padEnd(150, '.'))])));
  await s.delete(seqs.filter((_, i) => i % 3 !== 0));
  // Keep a copy of the segments the compaction will replace.
  const saved = new Map(segFiles(dir).map((n) => [n, fs.readFileSync(path.join(dir, n))]));
  await s.compactNow();
  const live = (await readAll(s)).map((r) => [r.seq, text(r.data)]);
  await s.close();
  // Put the replaced sources back, as if the process died before unlinking them.
  let restored = 0;
  for (const [n, b] of saved) {
    if (!fs.existsSync(path.join(dir, n))) {
      fs.writeFileSync(path.join(dir, n), b);
      restored++;
    }
  }
  assert.ok(restored > 0);
  const again = await open(dir, { segmentBytes: 2048 });
  assert.deepEqual((await readAll(again)).map((r) => [r.seq, text(r.data)]), live);
  assert.equal(again.count, live.length);
  await again.close();
});

test('segment-log: disk full on append → QueueStoreError, partial write truncated, the store keeps serving', async () => {
  const dir = newDir();
  let full = false;
  const s = await open(dir, {
    _write: async (fh, buf, offset, length, position) => {
      if (!full) return (await fh.write(buf, offset, length, position)).bytesWritten;
      await fh.write(buf, offset, Math.floor(length / 2), position); // half gets through, then the disk is full
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    },
  });
  const seqs = await s.append([bytesOf('one'), bytesOf('two'), bytesOf('three')]);
  const file = path.join(dir, segFiles(dir)[0]!);
  const size = fs.statSync(file).size;
  full = true;
  const err = await s.append([randomBytes(5000)]).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof QueueStoreError, String(err));
  assert.equal(err.code, 'OTELTS_ERR_STORAGE');
  assert.equal(err.retryable, true);
  assert.match(err.message, /ENOSPC/);
  assert.equal(fs.statSync(file).size, size, 'the partial write was truncated');
  assert.equal(s.count, 3);
  assert.deepEqual((await readAll(s)).map((r) => text(r.data)), ['one', 'two', 'three']);
  // A delete while full: it cannot be written yet, but the record is gone for this process.
  await assert.rejects(s.delete([seqs[0]!]), QueueStoreError);
  assert.deepEqual((await readAll(s)).map((r) => text(r.data)), ['two', 'three']);
  assert.equal(s.count, 2);
  // Space again: appends work, the pending tombstone goes out with them.
  full = false;
  await s.append([bytesOf('four')]);
  await s.close();
  const again = await open(dir);
  assert.deepEqual((await readAll(again)).map((r) => text(r.data)), ['two', 'three', 'four']);
  assert.equal(again.corrupted, 0);
  await again.close();
});

test('segment-log: random appends, deletes, reads and reopens agree with a model (compaction running)', async () => {
  const dir = newDir();
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const opts = { segmentBytes: 3000, compactBudgetBytes: 4000 };
  let s = await open(dir, opts);
  const model = new Map<number, string>();
  let lastSeq = 0;
  for (let step = 0; step < 600; step++) {
    const op = rnd(10);
    if (op < 4) {
      const recs = Array.from({ length: 1 + rnd(4) }, () => `v${step}-${'x'.repeat(rnd(300))}`);
      const seqs = await s.append(recs.map(bytesOf));
      seqs.forEach((q, i) => {
        assert.ok(q > lastSeq);
        lastSeq = q;
        model.set(q, recs[i]!);
      });
    } else if (op < 7) {
      const keys = [...model.keys()];
      const victims = keys.filter(() => rnd(3) === 0);
      // concurrent deletes and an append in the same group
      await Promise.all([s.delete(victims.slice(0, victims.length >> 1)), s.delete(victims.slice(victims.length >> 1)), s.append([bytesOf(`g${step}`)]).then(([q]) => {
        lastSeq = q!;
        model.set(q!, `g${step}`);
      })]);
      victims.forEach((q) => model.delete(q));
    } else if (op < 9) {
      const keys = [...model.keys()].sort((a, b) => a - b);
      const after = keys.length ? keys[rnd(keys.length)]! - 1 : 0;
      const max = 1 + rnd(5);
      const page = await s.read(after, max);
      const want = keys.filter((q) => q > after).slice(0, max);
      assert.deepEqual(page.map((r) => [r.seq, text(r.data)]), want.map((q) => [q, model.get(q)]));
    } else {
      await s.close();
      s = await open(dir, opts);
      assert.equal(s.corrupted, 0);
    }
    assert.equal(s.count, model.size);
    assert.equal(s.bytes, [...model.values()].reduce((a, v) => a + v.length, 0));
  }
  const all = await readAll(s);
  assert.deepEqual(all.map((r) => [r.seq, text(r.data)]), [...model.entries()].sort((a, b) => a[0] - b[0]));
  assert.ok(segFiles(dir).length <= 6, `${segFiles(dir).length} segments: compaction keeps up (about 20 without)`);
  await s.close();
});

test('segment-log: SIGKILL at random moments loses no acknowledged append or delete (byte-exact)', async () => {
  const dir = newDir();
  const child = path.join(__dirname, 'segment-log-child.js');
  const acked = new Map<number, number>(); // seq → id
  const deleted = new Set<number>(); // delete acknowledged: must be gone
  const requested = new Set<number>(); // delete requested: either way
  for (let round = 0; round < 4; round++) {
    const proc = spawn(process.execPath, [child, dir, String(round * 1_000_000), round % 2 ? '1' : '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stderr.on('data', (d: Buffer) => (err += d));
    const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
    // Kill at a random moment once the child acknowledged its first append.
    const acking = new Promise<void>((resolve) => proc.stdout.on('data', (d: Buffer) => {
      out += d;
      if (out.includes('\nA ')) resolve();
    }));
    const bound = new Promise<void>((r) => setTimeout(r, 10_000).unref());
    await Promise.race([acking, exited, bound]);
    assert.ok(out.includes('\nA '), `the child did not acknowledge anything: ${err}`);
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 400)));
    proc.kill('SIGKILL');
    await exited;
    assert.equal(err, '', 'child error output');
    const lines = out.split('\n');
    lines.pop(); // a partial last line was not fully reported
    let n = 0;
    for (const line of lines) {
      const [k, a, b] = line.split(' ');
      if (k === 'A') {
        acked.set(Number(a), Number(b));
        n++;
      } else if (k === 'D') deleted.add(Number(a));
      else if (k === 'R') requested.add(Number(a));
    }
    assert.ok(n > 0, 'the child acknowledged appends before it was killed');

    const s = await open(dir, { segmentBytes: 64 * 1024 });
    try {
      assert.equal(s.corrupted, 0);
      const all = await readAll(s);
      const present = new Map(all.map((r) => [r.seq, r.data]));
      for (const [seq, data] of present) {
        const id = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0, true);
        assert.deepEqual(Buffer.from(data), Buffer.from(payloadFor(id)), `record ${seq} is byte-exact`);
        if (acked.has(seq)) assert.equal(acked.get(seq), id);
      }
      for (const [seq] of acked) {
        if (deleted.has(seq)) assert.ok(!present.has(seq), `deleted record ${seq} came back`);
        else if (!requested.has(seq)) assert.ok(present.has(seq), `acknowledged record ${seq} (round ${round}) is missing`);
      }
      assert.equal(s.count, all.length);
    } finally {
      await s.close();
    }
  }
});

// ------------------------------------------------------------------------------------------ shared suite
const suitePath = path.join(__dirname, 'store-suite.js');
if (fs.existsSync(suitePath)) {
  const { storeSuite } = require(suitePath) as { storeSuite: (name: string, open: (o: SegmentLogOptions) => Promise<SegmentLogStore>) => void };
  storeSuite('segment-log', openSegmentLogStore);
} else {
  test('shared QueueStore contract suite', { skip: 'test/queue/store-suite.ts not written yet' }, () => undefined);
}
