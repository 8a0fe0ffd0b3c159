// The segment-log QueueStore: append-only segment files with checksummed records, pure Node (fs only). The format
// is described in format.ts.
//
// * Writes: append() and delete() calls are queued; a single writer takes everything queued (up to ~8 MiB) and
//   writes it as one positional write at the end of the active segment, then fdatasync (with `fsync: true`),
//   then settles all of them. Once write() returned, the OS has the bytes: a SIGKILL loses nothing acknowledged.
// * Deletes are tombstone records. delete() takes effect in memory at once (count, bytes, read() skip it) and
//   resolves once its tombstones are written. If they cannot be written (disk full), delete() rejects with
//   QueueStoreError, the records stay deleted for this process, and the tombstones go out with the next write.
// * A failed write (ENOSPC, EIO) is truncated away (ftruncate to the previous end), the calls of that write reject
//   with QueueStoreError (retryable), and the store goes on serving reads and taking deletes.
// * The active segment rolls at `segmentBytes` (64 MiB). Every open starts a new active segment; older segments are
//   never appended to again.
// * Compaction (in the background, one bounded step at a time, after deletes and rolls): an old segment whose data
//   records are all deleted and whose tombstones are no longer needed (their data is gone) is unlinked; old
//   segments with a live fraction below 50 % are rewritten — up to `compactBudgetBytes` of live records per step —
//   into a new segment (written as `.tmp`, renamed into place, then the sources are unlinked; its header lists the
//   sources, so a crash between the rename and the unlinks is finished at the next open).
// * Open: every segment is read and its checksums verified (see scanRecords): a torn tail is cut off silently, a
//   bad record in the middle is counted in `corrupted` and skipped, a segment with an unknown format version or a
//   bad header is renamed `*.unreadable`, counted in `corrupted` and listed in `setAside`.
// * Memory: an index entry per record on disk (seq → segment, offset, length); payloads stay on disk and are read
//   back with positional reads (their checksum verified again). Opening reads one segment at a time.

import * as fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { QueueStoreError } from '../../src/queue/errors';
import type { QueueRecord, QueueStore, QueueStoreOptions } from '../../src/queue/store';
import { crc32 } from './crc32';
import {
  encodeHeader,
  MAX_RECORD_BYTES,
  parseHeader,
  REC_HEADER,
  scanRecords,
  SEGMENT_RE,
  segmentName,
  TYPE_DATA,
  TYPE_DELETE,
  writeRecordHeader,
} from './format';
import { lockDirectory, type DirLock } from './lock';

export interface SegmentLogOptions extends QueueStoreOptions {
  /** Roll the active segment once it reaches this size (default 64 MiB). */
  segmentBytes?: number;
  /** Live bytes a compaction step rewrites at most (default 16 MiB). */
  compactBudgetBytes?: number;
  /** Test hook: replaces the positional write to the active segment (e.g. to simulate a full disk). */
  _write?: (fh: FileHandle, buf: Buffer, offset: number, length: number, position: number) => Promise<number>;
}

const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
const DEFAULT_COMPACT_BUDGET = 16 * 1024 * 1024;
const GROUP_BYTES = 8 * 1024 * 1024;
const COMPACT_BACKOFF_MS = 5000;
const EMPTY = new Uint8Array(0);
const PENDING = 'pending' as const;

class Segment {
  /** Bytes of live data records (headers included). */
  live = 0;
  liveCount = 0;
  /** Seqs of the data records in this file (live or deleted). */
  readonly seqs = new Set<number>();
  /** Seqs of the tombstones in this file whose data record is in another file (still needed). */
  readonly tombs = new Set<number>();
  pins = 0;
  removed = false;
  constructor(
    readonly id: number,
    readonly file: string,
    readonly fh: FileHandle,
    public size: number,
    readonly headerLen: number,
  ) {}
  /** Live share of the records area (needed tombstones count as live). */
  get liveFraction(): number {
    const body = this.size - this.headerLen;
    return body <= 0 ? 0 : (this.live + REC_HEADER * this.tombs.size) / body;
  }
  get empty(): boolean {
    return this.liveCount === 0 && this.tombs.size === 0;
  }
}

interface Rec {
  seg: Segment;
  /** Offset of the record header in seg. */
  off: number;
  len: number;
  /** null: live; PENDING: deleted, tombstone not written yet; a segment: the file holding its tombstone. */
  dead: Segment | null | typeof PENDING;
}

interface AppendOp {
  kind: 'append';
  records: readonly Uint8Array[];
  bytes: number;
  resolve(seqs: number[]): void;
  reject(e: unknown): void;
}
interface DeleteOp {
  kind: 'delete';
  resolve(): void;
  reject(e: unknown): void;
}
type Op = AppendOp | DeleteOp;

function errText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const msg = e instanceof Error ? e.message : String(e);
  return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
}

export class SegmentLogStore implements QueueStore {
  readonly kind = 'segment-log' as const;
  readonly directory: string;
  private readonly fsync: boolean;
  private readonly segmentBytes: number;
  private readonly compactBudget: number;
  private readonly writeHook: SegmentLogOptions['_write'];

  private lock: DirLock | undefined;
  private readonly segs = new Map<number, Segment>();
  private active!: Segment;
  private maxId = 0;
  private nextSeq = 1;
  private readonly recs = new Map<number, Rec>();
  /** Seqs in increasing order, for read(); entries of deleted records are skipped and pruned now and then. */
  private order: number[] = [];
  private orderDead = 0;
  private liveCount = 0;
  private liveBytes = 0;
  private corruptCount = 0;
  private readonly setAsideFiles: string[] = [];

  private ops: Op[] = [];
  private unwritten: number[] = [];
  private writer: Promise<void> | undefined;
  private rollNext = false;

  private compaction: Promise<void> | undefined;
  private compactTimer: NodeJS.Immediate | undefined;
  private compactBackoffUntil = 0;
  /** The last compaction failure (compaction is retried later; nothing is lost). */
  lastCompactionError: unknown;

  private reads = 0;
  private readsIdle: Array<() => void> = [];
  private closing = false;
  private closed: Promise<void> | undefined;

  constructor(opts: SegmentLogOptions) {
    this.directory = opts.directory;
    this.fsync = opts.fsync;
    this.segmentBytes = opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.compactBudget = opts.compactBudgetBytes ?? DEFAULT_COMPACT_BUDGET;
    this.writeHook = opts._write;
  }

  get count(): number {
    return this.liveCount;
  }
  get bytes(): number {
    return this.liveBytes;
  }
  get corrupted(): number {
    return this.corruptCount;
  }
  /** Segment files set aside at open (renamed `*.unreadable`: unknown format version or bad header). */
  get setAside(): readonly string[] {
    return this.setAsideFiles;
  }
  /** Segment files currently in use (for tests and diagnostics). */
  get segmentFiles(): string[] {
    return [...this.segs.values()].map((s) => path.basename(s.file));
  }

  // ---------------------------------------------------------------- open / recovery

  async open(): Promise<void> {
    try {
      fs.mkdirSync(this.directory, { recursive: true });
    } catch (e) {
      throw new QueueStoreError(`cannot create the queue directory ${this.directory}: ${errText(e)}`, e);
    }
    this.lock = lockDirectory(this.directory);
    try {
      await this.recover();
      this.active = await this.createSegment(this.nextSeq);
    } catch (e) {
      for (const s of this.segs.values()) await s.fh.close().catch(() => undefined);
      this.segs.clear();
      this.lock.release();
      throw e instanceof QueueStoreError ? e : new QueueStoreError(`cannot open the queue store ${this.directory}: ${errText(e)}`, e);
    }
    this.scheduleCompaction();
  }

  private async recover(): Promise<void> {
    const dir = this.directory;
    const ids: number[] = [];
    for (const name of fs.readdirSync(dir)) {
      const any = /^seg-([0-9a-f]{16})\.log/.exec(name);
      if (!any) continue;
      this.maxId = Math.max(this.maxId, parseInt(any[1]!, 16));
      if (name.endsWith('.tmp')) {
        fs.rmSync(path.join(dir, name), { force: true }); // a compaction cut short: its sources are intact
      } else if (SEGMENT_RE.test(name)) {
        ids.push(parseInt(any[1]!, 16));
      }
    }
    ids.sort((a, b) => a - b);

    interface Loaded {
      seg: Segment;
      supersedes: number[];
      data: Array<{ seq: number; off: number; len: number }>;
      tombs: number[];
    }
    const loaded: Loaded[] = [];
    for (const id of ids) {
      const file = path.join(dir, segmentName(id));
      const fh = await fsp.open(file, 'r+');
      let keep = false;
      try {
        const buf = await fh.readFile();
        const h = parseHeader(buf);
        if (!h.ok) {
          if (h.torn) {
            await fh.close();
            fs.rmSync(file, { force: true }); // its creation was cut short: it holds no record
          } else {
            await fh.close();
            this.setAsideSegment(file, h.reason);
          }
          continue;
        }
        const scan = scanRecords(buf, h.length);
        this.corruptCount += scan.corrupted;
        if (scan.end < buf.length) await fh.truncate(scan.end);
        const seg = new Segment(id, file, fh, scan.end, h.length);
        const l: Loaded = { seg, supersedes: h.supersedes, data: [], tombs: [] };
        for (const r of scan.records) {
          if (r.type === TYPE_DATA) l.data.push({ seq: r.seq, off: r.off, len: r.len });
          else l.tombs.push(r.seq);
          if (r.seq >= this.nextSeq) this.nextSeq = r.seq + 1;
        }
        if (h.baseSeq > this.nextSeq) this.nextSeq = h.baseSeq;
        loaded.push(l);
        keep = true;
      } finally {
        if (!keep) await fh.close().catch(() => undefined);
      }
    }

    // A compaction output replaces its sources: drop the ones a crash left behind.
    const superseded = new Set<number>();
    for (const l of loaded) for (const id of l.supersedes) superseded.add(id);
    const kept: Loaded[] = [];
    for (const l of loaded) {
      if (superseded.has(l.seg.id)) {
        await l.seg.fh.close();
        fs.rmSync(l.seg.file, { force: true });
      } else {
        kept.push(l);
        this.segs.set(l.seg.id, l.seg);
      }
    }

    for (const l of kept) {
      for (const d of l.data) {
        if (this.recs.has(d.seq)) continue; // cannot happen (seqs are never reused); keep the first
        this.recs.set(d.seq, { seg: l.seg, off: d.off, len: d.len, dead: null });
        l.seg.seqs.add(d.seq);
      }
    }
    for (const l of kept) {
      for (const seq of l.tombs) {
        const rec = this.recs.get(seq);
        if (!rec || rec.dead !== null) continue;
        rec.dead = l.seg;
        if (rec.seg !== l.seg) l.seg.tombs.add(seq);
      }
    }
    for (const [seq, rec] of this.recs) {
      if (rec.dead !== null) continue;
      rec.seg.live += REC_HEADER + rec.len;
      rec.seg.liveCount++;
      this.liveCount++;
      this.liveBytes += rec.len;
      this.order.push(seq);
    }
    this.order.sort((a, b) => a - b);
  }

  private setAsideSegment(file: string, reason: string): void {
    let target = `${file}.unreadable`;
    for (let i = 1; fs.existsSync(target); i++) target = `${file}.unreadable.${i}`;
    try {
      fs.renameSync(file, target);
    } catch {
      target = file; // cannot rename (permissions): leave it, it is skipped again next time
    }
    this.corruptCount++;
    this.setAsideFiles.push(`${path.basename(target)} (${reason})`);
  }

  /** Create a segment file with its header: the active one, or (tmp) a compaction output. */
  private async createSegment(baseSeq: number, supersedes: number[] = [], tmp = false): Promise<Segment> {
    const id = ++this.maxId;
    const file = path.join(this.directory, segmentName(id));
    const header = encodeHeader(baseSeq, supersedes);
    const created = tmp ? `${file}.tmp` : file;
    const fh = await fsp.open(created, tmp ? 'w+' : 'wx+');
    try {
      await this.writeFully(fh, header, 0, !tmp);
      if (this.fsync && !tmp) {
        await fh.datasync();
        await this.syncDir();
      }
    } catch (e) {
      await fh.close().catch(() => undefined);
      fs.rmSync(created, { force: true });
      throw e;
    }
    const seg = new Segment(id, file, fh, header.length, header.length);
    if (!tmp) this.segs.set(id, seg);
    return seg;
  }

  private async syncDir(): Promise<void> {
    const d = await fsp.open(this.directory, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  }

  private async writeFully(fh: FileHandle, buf: Buffer, position: number, hooked: boolean): Promise<void> {
    let done = 0;
    while (done < buf.length) {
      const n =
        hooked && this.writeHook
          ? await this.writeHook(fh, buf, done, buf.length - done, position + done)
          : (await fh.write(buf, done, buf.length - done, position + done)).bytesWritten;
      if (n <= 0) throw new Error('write returned no progress');
      done += n;
    }
  }

  // ---------------------------------------------------------------- append / delete

  append(records: readonly Uint8Array[]): Promise<number[]> {
    if (this.closing) return Promise.reject(new QueueStoreError('the queue store is closed'));
    let bytes = 0;
    for (const r of records) {
      if (!(r instanceof Uint8Array)) return Promise.reject(new TypeError('append: records must be Uint8Array'));
      if (r.length > MAX_RECORD_BYTES) return Promise.reject(new QueueStoreError(`record of ${r.length} bytes is larger than ${MAX_RECORD_BYTES}`));
      bytes += REC_HEADER + r.length;
    }
    if (records.length === 0) return Promise.resolve([]);
    return new Promise<number[]>((resolve, reject) => {
      this.ops.push({ kind: 'append', records, bytes, resolve, reject });
      this.kick();
    });
  }

  delete(seqs: readonly number[]): Promise<void> {
    if (this.closing && !this.writer) return Promise.reject(new QueueStoreError('the queue store is closed'));
    for (const seq of seqs) {
      const rec = this.recs.get(seq);
      if (!rec || rec.dead !== null) continue;
      this.markDead(rec);
      rec.dead = PENDING;
      this.unwritten.push(seq);
    }
    if (this.unwritten.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.ops.push({ kind: 'delete', resolve, reject });
      this.kick();
    });
  }

  private markDead(rec: Rec): void {
    rec.seg.live -= REC_HEADER + rec.len;
    rec.seg.liveCount--;
    this.liveCount--;
    this.liveBytes -= rec.len;
    this.orderDead++;
    if (this.orderDead > 1024 && this.orderDead * 2 > this.order.length) {
      this.order = this.order.filter((s) => this.recs.get(s)?.dead === null);
      this.orderDead = 0;
    }
  }

  private kick(): void {
    if (this.writer) return;
    this.writer = this.writeLoop().finally(() => {
      this.writer = undefined;
      if (this.ops.length) this.kick();
    });
  }

  private async writeLoop(): Promise<void> {
    while (this.ops.length) {
      let take = 0;
      let bytes = 0;
      while (take < this.ops.length && (take === 0 || bytes < GROUP_BYTES)) {
        const op = this.ops[take]!;
        if (op.kind === 'append') bytes += op.bytes;
        take++;
      }
      const group = this.ops.splice(0, take);
      // Tombstones still needed: the record exists and its tombstone is not written yet.
      const tombs = this.unwritten.filter((s) => this.recs.get(s)?.dead === PENDING);
      this.unwritten = [];
      const size = bytes + REC_HEADER * tombs.length;
      if (size === 0) {
        for (const op of group) if (op.kind === 'delete') op.resolve();
        continue;
      }
      let seg: Segment | undefined;
      let pos = 0;
      const placed: Array<{ seq: number; off: number; len: number }> = [];
      const results: number[][] = [];
      try {
        if (this.rollNext || this.active.size >= this.segmentBytes) {
          const old = this.active;
          this.active = await this.createSegment(this.nextSeq);
          this.rollNext = false;
          if (old.liveFraction < 0.5) this.scheduleCompaction();
        }
        seg = this.active;
        pos = seg.size;
        const buf = Buffer.allocUnsafe(size);
        let o = 0;
        for (const op of group) {
          if (op.kind !== 'append') continue;
          const seqs: number[] = [];
          for (const r of op.records) {
            const seq = this.nextSeq++;
            writeRecordHeader(buf, o, TYPE_DATA, seq, r);
            buf.set(r, o + REC_HEADER);
            placed.push({ seq, off: pos + o, len: r.length });
            seqs.push(seq);
            o += REC_HEADER + r.length;
          }
          results.push(seqs);
        }
        for (const seq of tombs) {
          writeRecordHeader(buf, o, TYPE_DELETE, seq, EMPTY);
          o += REC_HEADER;
        }
        await this.writeFully(seg.fh, buf, pos, true);
        if (this.fsync) await seg.fh.datasync();
      } catch (e) {
        if (seg) {
          try {
            await seg.fh.truncate(pos);
          } catch {
            this.rollNext = true; // do not write after a tail we could not clean
          }
        }
        this.unwritten = tombs.concat(this.unwritten);
        const err = new QueueStoreError(`cannot write to the queue store ${this.directory}: ${errText(e)}`, e);
        for (const op of group) op.reject(err);
        continue;
      }
      seg.size = pos + size;
      for (const p of placed) {
        this.recs.set(p.seq, { seg, off: p.off, len: p.len, dead: null });
        seg.seqs.add(p.seq);
        seg.live += REC_HEADER + p.len;
        seg.liveCount++;
        this.liveCount++;
        this.liveBytes += p.len;
        this.order.push(p.seq);
      }
      for (const seq of tombs) {
        const rec = this.recs.get(seq);
        if (!rec || rec.dead !== PENDING) continue;
        rec.dead = seg;
        if (rec.seg !== seg) seg.tombs.add(seq);
      }
      let i = 0;
      for (const op of group) {
        if (op.kind === 'append') op.resolve(results[i++]!);
        else op.resolve();
      }
      if (tombs.length) this.scheduleCompaction();
    }
  }

  // ---------------------------------------------------------------- read

  async read(afterSeq: number, max: number): Promise<QueueRecord[]> {
    if (this.closing) throw new QueueStoreError('the queue store is closed');
    const out: QueueRecord[] = [];
    let after = afterSeq;
    while (out.length < max) {
      const batch: Array<{ seq: number; seg: Segment; off: number; len: number }> = [];
      let i = this.lowerBound(after + 1);
      for (; i < this.order.length && batch.length < max - out.length; i++) {
        const seq = this.order[i]!;
        const rec = this.recs.get(seq);
        if (rec && rec.dead === null) batch.push({ seq, seg: rec.seg, off: rec.off, len: rec.len });
      }
      if (batch.length === 0) break;
      after = batch[batch.length - 1]!.seq;
      for (const b of batch) b.seg.pins++;
      this.reads++;
      let datas: Array<Uint8Array | undefined>;
      try {
        datas = await Promise.all(batch.map((b) => this.readRecord(b.seg, b.off, b.len, b.seq)));
      } finally {
        for (const b of batch) this.unpin(b.seg);
        if (--this.reads === 0) for (const w of this.readsIdle.splice(0)) w();
      }
      for (let k = 0; k < batch.length; k++) {
        const b = batch[k]!;
        const data = datas[k];
        const rec = this.recs.get(b.seq);
        if (data === undefined) {
          // Damaged on disk since it was opened: count it, drop it (a tombstone goes out with the next write).
          this.corruptCount++;
          if (rec && rec.dead === null) {
            this.markDead(rec);
            rec.dead = PENDING;
            this.unwritten.push(b.seq);
          }
          continue;
        }
        if (rec && rec.dead === null) out.push({ seq: b.seq, data });
      }
    }
    return out;
  }

  private lowerBound(seq: number): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.order[mid]! < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The whole record (header + payload) at off, or undefined when unreadable (checksum, seq, I/O). */
  private async readRaw(seg: Segment, off: number, len: number, seq: number): Promise<Buffer | undefined> {
    const buf = Buffer.allocUnsafe(REC_HEADER + len);
    try {
      let done = 0;
      while (done < buf.length) {
        const { bytesRead } = await seg.fh.read(buf, done, buf.length - done, off + done);
        if (bytesRead <= 0) return undefined;
        done += bytesRead;
      }
    } catch {
      return undefined;
    }
    if (buf[0] !== TYPE_DATA || buf.readUInt32LE(1) !== seq % 0x100000000 || buf.readUInt32LE(9) !== len) return undefined;
    const c = crc32(buf.subarray(REC_HEADER), crc32(buf.subarray(0, 13)));
    return c === buf.readUInt32LE(13) ? buf : undefined;
  }

  private async readRecord(seg: Segment, off: number, len: number, seq: number): Promise<Uint8Array | undefined> {
    const raw = await this.readRaw(seg, off, len, seq);
    return raw?.subarray(REC_HEADER);
  }

  private unpin(seg: Segment): void {
    seg.pins--;
    if (seg.removed && seg.pins === 0) void seg.fh.close().catch(() => undefined);
  }

  // ---------------------------------------------------------------- compaction

  private compactionWanted(): boolean {
    for (const s of this.segs.values()) {
      if (s !== this.active && (s.empty || s.liveFraction < 0.5)) return true;
    }
    return false;
  }

  private scheduleCompaction(): void {
    if (this.closing || this.compaction || this.compactTimer) return;
    if (Date.now() < this.compactBackoffUntil || !this.compactionWanted()) return;
    this.compactTimer = setImmediate(() => {
      this.compactTimer = undefined;
      this.compaction = this.compactStep()
        .then(
          () => undefined,
          (e: unknown) => {
            this.lastCompactionError = e;
            this.compactBackoffUntil = Date.now() + COMPACT_BACKOFF_MS;
          },
        )
        .finally(() => {
          this.compaction = undefined;
          this.scheduleCompaction();
        });
    });
  }

  /** Run compaction until nothing is left to do (tests, diagnostics). */
  async compactNow(): Promise<void> {
    if (this.compactTimer) {
      clearImmediate(this.compactTimer);
      this.compactTimer = undefined;
    }
    while (this.compaction) await this.compaction;
    while (!this.closing && this.compactionWanted()) {
      const before = this.segmentFiles.join();
      this.compaction = this.compactStep().finally(() => (this.compaction = undefined));
      await this.compaction;
      if (this.segmentFiles.join() === before) break;
    }
  }

  /** One bounded step: unlink the empty old segments, rewrite the sparsest ones up to the budget. */
  private async compactStep(): Promise<void> {
    const old = [...this.segs.values()].filter((s) => s !== this.active);
    const empty = old.filter((s) => s.empty);
    if (empty.length) await this.removeSegments(empty);

    const sparse = old.filter((s) => !s.removed && s.liveFraction < 0.5).sort((a, b) => a.liveFraction - b.liveFraction);
    const picked: Segment[] = [];
    let budget = 0;
    for (const s of sparse) {
      const liveBytes = s.live + REC_HEADER * s.tombs.size;
      if (picked.length && budget + liveBytes > this.compactBudget) break;
      picked.push(s);
      budget += liveBytes;
    }
    if (picked.length === 0) return;
    await this.rewrite(picked);
  }

  private async rewrite(picked: Segment[]): Promise<void> {
    const pickedSet = new Set(picked);
    const out = await this.createSegment(this.nextSeq, picked.map((s) => s.id), true);
    const tmp = `${out.file}.tmp`;
    const moved: Array<{ seq: number; off: number }> = [];
    const movedTombs: number[] = [];
    let pos = out.size;
    let chunk: Buffer[] = [];
    let chunkBytes = 0;
    const flush = async (): Promise<void> => {
      if (!chunkBytes) return;
      const b = Buffer.concat(chunk, chunkBytes);
      await this.writeFully(out.fh, b, pos - chunkBytes, false);
      chunk = [];
      chunkBytes = 0;
    };
    try {
      for (const s of picked) {
        s.pins++;
        try {
          const live = [...s.seqs].filter((q) => this.recs.get(q)?.dead === null).sort((a, b) => a - b);
          for (const q of live) {
            const rec = this.recs.get(q);
            if (!rec || rec.dead !== null || rec.seg !== s) continue;
            const raw = await this.readRaw(s, rec.off, rec.len, q);
            if (!raw) {
              this.corruptCount++;
              if (rec.dead === null) this.markDead(rec);
              rec.dead = PENDING;
              continue;
            }
            moved.push({ seq: q, off: pos });
            chunk.push(raw);
            chunkBytes += raw.length;
            pos += raw.length;
            if (chunkBytes >= 1 << 20) await flush();
          }
          for (const q of s.tombs) {
            const rec = this.recs.get(q);
            if (!rec || pickedSet.has(rec.seg)) continue;
            const t = Buffer.allocUnsafe(REC_HEADER);
            writeRecordHeader(t, 0, TYPE_DELETE, q, EMPTY);
            movedTombs.push(q);
            chunk.push(t);
            chunkBytes += REC_HEADER;
            pos += REC_HEADER;
          }
        } finally {
          this.unpin(s);
        }
      }
      await flush();
      if (this.fsync) await out.fh.datasync();
      if (this.closing) throw new Error('closing');
      await fsp.rename(tmp, out.file);
    } catch (e) {
      await out.fh.close().catch(() => undefined);
      fs.rmSync(tmp, { force: true });
      throw e;
    }
    // Installed: the new segment holds the live records and needed tombstones of the picked ones.
    out.size = pos;
    this.segs.set(out.id, out);
    for (const m of moved) {
      const rec = this.recs.get(m.seq);
      if (!rec || !pickedSet.has(rec.seg)) continue;
      rec.seg.seqs.delete(m.seq);
      if (rec.dead === null) {
        rec.seg.live -= REC_HEADER + rec.len;
        rec.seg.liveCount--;
        out.live += REC_HEADER + rec.len;
        out.liveCount++;
      }
      rec.seg = out;
      rec.off = m.off;
      out.seqs.add(m.seq);
    }
    for (const q of movedTombs) {
      const rec = this.recs.get(q);
      if (!rec || !(rec.dead instanceof Segment) || !pickedSet.has(rec.dead) || pickedSet.has(rec.seg)) continue;
      rec.dead.tombs.delete(q);
      rec.dead = out;
      if (rec.seg !== out) out.tombs.add(q);
    }
    if (this.fsync) await this.syncDir();
    await this.removeSegments(picked);
  }

  /** Forget and unlink segments (their live records were moved; what is left in them is deleted). */
  private async removeSegments(list: Segment[]): Promise<void> {
    for (const s of list) {
      s.removed = true;
      this.segs.delete(s.id);
      for (const q of s.seqs) {
        const rec = this.recs.get(q);
        if (!rec || rec.seg !== s) continue;
        if (rec.dead === null) this.markDead(rec); // only a record found damaged: it is gone with its file
        this.recs.delete(q);
        if (rec.dead instanceof Segment && rec.dead !== s) rec.dead.tombs.delete(q);
      }
      s.seqs.clear();
      s.tombs.clear();
      if (s.pins === 0) await s.fh.close().catch(() => undefined);
      fs.rmSync(s.file, { force: true });
    }
    if (this.fsync && list.length) await this.syncDir().catch(() => undefined);
  }

  // ---------------------------------------------------------------- close

  close(): Promise<void> {
    if (this.closed) return this.closed;
    this.closing = true;
    this.closed = (async () => {
      if (this.compactTimer) {
        clearImmediate(this.compactTimer);
        this.compactTimer = undefined;
      }
      // Tombstones a failed write left behind: one more try.
      if (this.unwritten.some((s) => this.recs.get(s)?.dead === PENDING) && !this.ops.some((o) => o.kind === 'delete')) {
        this.ops.push({ kind: 'delete', resolve: () => undefined, reject: () => undefined });
        this.kick();
      }
      while (this.writer) await this.writer;
      while (this.compaction) await this.compaction;
      if (this.reads) await new Promise<void>((r) => this.readsIdle.push(r));
      for (const s of this.segs.values()) await s.fh.close().catch(() => undefined);
      this.segs.clear();
      this.recs.clear();
      this.order = [];
      this.lock?.release();
    })();
    return this.closed;
  }
}

/** Open (create, recover) a segment-log store in `opts.directory`. */
export async function openSegmentLogStore(opts: SegmentLogOptions): Promise<SegmentLogStore> {
  const store = new SegmentLogStore(opts);
  await store.open();
  return store;
}
