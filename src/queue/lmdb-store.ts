// The LMDB QueueStore (issue #7), on the `lmdb` npm package (lmdb-js 3). One LMDB environment per store directory.
//
// * Layout: one database; keys are the sequence numbers (JS numbers, lmdb-js "ordered-binary" keys, so any safe
//   integer works and iteration is numeric order); values are the record bytes, stored as they are
//   (`encoding: 'binary'`). Key 0 holds the highest sequence number ever handed out (8 bytes LE), written in every
//   append commit, so sequence numbers keep increasing across restarts even when every record was deleted.
// * Writes: append() assigns sequence numbers at once (call order) and queues the records; delete() takes effect in
//   memory at once (count, bytes; read() skips the record) and queues the removal. A single writer takes everything
//   queued (up to ~16 MiB of appends) into ONE lmdb-js asynchronous transaction (one commit for concurrent calls)
//   and settles those calls only after the commit. A failed commit (disk full, map full, I/O error) rejects all
//   the appends of that commit (none of their records is stored) with QueueStoreError (retryable); deletions of a
//   failed commit stay deleted in memory and are retried with the next commit.
// * Durability: `fsync: true` → a classic durable LMDB commit (data and meta pages fsynced before the commit
//   returns: a power cut loses nothing acknowledged). `fsync: false` → `noSync`: the commit is written to the file
//   (the OS page cache) without fsync — a process crash (SIGKILL) loses nothing acknowledged; a power cut / kernel
//   crash may lose recent commits or leave the file damaged (Go's file_storage with fsync: false, bbolt NoSync, has
//   the same trade-off). `noMetaSync` is not used: it still fsyncs the data pages on every commit (the expensive
//   part) and only saves the meta-page sync, so it buys little over `fsync: true`. `overlappingSync` (lmdb-js'
//   default) is turned off: commits are plain LMDB commits in both modes.
// * Map size: not set. lmdb-js 3 starts with a small map (128 KiB) and doubles it by itself whenever a commit
//   needs more pages (its patched mdb_page_alloc / txn begin), so the store grows with the data and is limited by
//   the disk. MDB_MAP_FULL can then only come from a failed growth; it and ENOSPC/EFBIG/EIO surface as a
//   QueueStoreError "the queue store … is full". Freed pages are reused by LMDB; the file does not shrink.
// * Open: the data file is checked first (meta pages: magic, version, page size, root pages inside the file). LMDB
//   maps the file into memory and crashes the PROCESS (SIGSEGV/SIGBUS) on a garbage or truncated file, so a file
//   failing these checks is renamed `data.mdb.<time>.unreadable` (listed in `setAside`, counted in `corrupted`)
//   and a fresh store is created. Damage inside pages that passes these checks cannot be detected before LMDB
//   touches it. Then every key is scanned once to compute count and bytes; an entry whose key is not a sequence
//   number is counted in `corrupted` and never served.
// * Concurrency: the directory is locked against a second opener (another process, or the same thread) with the
//   segment log's LOCK file. Worker threads of one process must never open the same directory (the file_storage
//   extension gives each worker its own): the LOCK file cannot tell threads of one process apart, and lmdb-js
//   shares one LMDB environment per path process-wide, so both instances would write to the same database — LMDB
//   itself stays consistent, but both would hand out the same sequence numbers and overwrite each other's records.
// * lmdb-js quirk: with its default `eventTurnBatching`, a failed commit also rejects an internal promise nobody
//   holds (an unhandled rejection, which kills a Node process). We turn `eventTurnBatching` off and group writes
//   ourselves with explicit `transaction()` calls, which does not have that problem.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import { lockDirectory, type DirLock } from '../../native-free/segment-log/lock';
import { QueueStoreError } from './errors';
import type { QueueRecord, QueueStore, QueueStoreOptions } from './store';

const META_KEY = 0;
/** Appends taken into one commit, at most (bytes; one bigger call still goes alone). */
const GROUP_BYTES = 16 * 1024 * 1024;
/** Keys above this are not sequence numbers. */
const KEY_END = Number.MAX_SAFE_INTEGER;
const DATA_FILE = 'data.mdb';
const LOCK_FILE = 'lock.mdb';

interface AppendOp {
  readonly kind: 'append';
  readonly seqs: number[];
  readonly records: readonly Uint8Array[];
  readonly bytes: number;
  resolve(seqs: number[]): void;
  reject(e: Error): void;
}
interface DeleteOp {
  readonly kind: 'delete';
  readonly seqs: number[];
  resolve(): void;
  reject(e: Error): void;
}
type Op = AppendOp | DeleteOp;

/**
 * Check the LMDB data file before LMDB maps it (LMDB crashes the process on a garbage or truncated file).
 * Returns why the file is unusable, or undefined when it looks sound (or does not exist).
 */
export function checkLmdbFile(file: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new QueueStoreError(`cannot open the queue store file ${file}: ${(e as Error).message}`, e);
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return undefined; // created, never committed: LMDB initialises it
    // Page header (lmdb-js' LMDB: 24 bytes) then MDB_meta: magic u32, version u32, address, mapsize, dbs[2] (48 B
    // each; dbs[0].md_pad = page size), last_pg, txnid.
    const meta = (buf: Buffer): { psize: number; freeRoot: bigint; mainRoot: bigint; txnid: bigint } | string => {
      if (buf.length < 168) return 'truncated meta page';
      if (buf.readUInt32LE(24) !== 0xbeefc0de) return 'not an LMDB file (bad magic)';
      const version = buf.readUInt32LE(28);
      if (version !== 2) return `unknown LMDB data format version ${version}`;
      const psize = buf.readUInt32LE(48);
      if (psize < 512 || psize > 65536 || (psize & (psize - 1)) !== 0) return `bad page size ${psize}`;
      return { psize, freeRoot: buf.readBigUInt64LE(88), mainRoot: buf.readBigUInt64LE(136), txnid: buf.readBigUInt64LE(152) };
    };
    const first = Buffer.alloc(Math.min(size, 4096));
    fs.readSync(fd, first, 0, first.length, 0);
    const m0 = meta(first);
    if (typeof m0 === 'string') return m0;
    const second = Buffer.alloc(Math.min(Math.max(0, size - m0.psize), 4096));
    if (second.length > 0) fs.readSync(fd, second, 0, second.length, m0.psize);
    const m1 = meta(second);
    if (typeof m1 === 'string') return `second meta page: ${m1}`;
    const pages = BigInt(Math.floor(size / m0.psize));
    const NONE = 0xffffffffffffffffn; // P_INVALID: empty tree
    const cur = m1.txnid > m0.txnid ? m1 : m0;
    for (const [name, root] of [['free', cur.freeRoot], ['main', cur.mainRoot]] as const) {
      if (root !== NONE && root >= pages) return `truncated (${name} root page ${root} beyond the end of the file, ${pages} pages)`;
    }
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

function describe(e: unknown): { message: string; code: unknown } {
  const err = e as { message?: string; code?: unknown };
  return { message: String(err?.message ?? e), code: err?.code };
}

export class LmdbStore implements QueueStore {
  readonly kind = 'lmdb' as const;
  private sizes = new Map<number, number>();
  private _bytes = 0;
  private _corrupted = 0;
  readonly setAside: string[] = [];
  private nextSeq = 1;
  /** Highest seq written to META_KEY. */
  private hwm = 0;
  private queue: Op[] = [];
  /** Deleted in memory, removal not committed yet. */
  private deleting = new Set<number>();
  /** Removals whose commit failed: retried with the next commit. */
  private retryDeletes = new Set<number>();
  private writing = false;
  private scheduled = false;
  private idleWaiters: Array<() => void> = [];
  private closing: Promise<void> | undefined;
  private dead = false;

  private constructor(
    private readonly dir: string,
    private readonly db: RootDatabase<Buffer, number>,
    private readonly lock: DirLock,
  ) {}

  static async open(opts: QueueStoreOptions): Promise<LmdbStore> {
    const dir = path.resolve(opts.directory);
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new QueueStoreError(`cannot create the queue store directory ${dir}: ${(e as Error).message}`, e);
    }
    const lock = lockDirectory(dir);
    try {
      const setAside: string[] = [];
      const dataFile = path.join(dir, DATA_FILE);
      const bad = checkLmdbFile(dataFile);
      if (bad !== undefined) {
        const aside = `${dataFile}.${Date.now()}.unreadable`;
        try {
          fs.renameSync(dataFile, aside);
          fs.rmSync(path.join(dir, LOCK_FILE), { force: true });
        } catch (e) {
          throw new QueueStoreError(`the queue store file ${dataFile} is unreadable (${bad}) and cannot be set aside: ${(e as Error).message}`, e);
        }
        setAside.push(`${aside}: ${bad}`);
      }
      let db: RootDatabase<Buffer, number>;
      try {
        db = open<Buffer, number>({
          path: dir,
          encoding: 'binary',
          noSync: !opts.fsync,
          overlappingSync: false,
          eventTurnBatching: false,
          maxDbs: 1,
        });
      } catch (e) {
        throw new QueueStoreError(`cannot open the LMDB queue store ${dir}: ${describe(e).message}`, e);
      }
      const store = new LmdbStore(dir, db, lock);
      store.setAside.push(...setAside);
      store._corrupted += setAside.length;
      try {
        store.scan();
      } catch (e) {
        await db.close().catch(() => undefined);
        throw new QueueStoreError(`cannot read the LMDB queue store ${dir}: ${describe(e).message}`, e);
      }
      return store;
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  /** Compute count, bytes and the next seq from what is stored. */
  private scan(): void {
    let last = 0;
    for (const key of this.db.getKeys({ snapshot: false }) as Iterable<unknown>) {
      if (key === META_KEY) continue;
      if (typeof key !== 'number' || !Number.isSafeInteger(key) || key < 1) {
        this._corrupted++;
        continue;
      }
      const value = this.db.getBinaryFast(key);
      if (value === undefined) continue;
      this.sizes.set(key, value.length);
      this._bytes += value.length;
      if (key > last) last = key;
    }
    const meta = this.db.getBinary(META_KEY);
    if (meta && meta.length === 8) {
      const h = Number(meta.readBigUInt64LE(0));
      if (Number.isSafeInteger(h) && h > last) last = h;
    }
    this.hwm = last;
    this.nextSeq = last + 1;
  }

  get count(): number {
    return this.sizes.size;
  }
  get bytes(): number {
    return this._bytes;
  }
  get corrupted(): number {
    return this._corrupted;
  }

  private closedError(): QueueStoreError {
    return new QueueStoreError(`the queue store ${this.dir} is closed`);
  }

  append(records: readonly Uint8Array[]): Promise<number[]> {
    if (this.closing || this.dead) return Promise.reject(this.closedError());
    if (records.length === 0) return Promise.resolve([]);
    let bytes = 0;
    for (const r of records) {
      if (!(r instanceof Uint8Array)) return Promise.reject(new TypeError('QueueStore.append: records must be Uint8Arrays'));
      bytes += r.length;
    }
    const seqs = records.map(() => this.nextSeq++);
    return new Promise<number[]>((resolve, reject) => {
      this.queue.push({ kind: 'append', seqs, records, bytes, resolve, reject });
      this.schedule();
    });
  }

  delete(seqs: readonly number[]): Promise<void> {
    if (this.closing || this.dead) return Promise.reject(this.closedError());
    const mine: number[] = [];
    for (const s of seqs) {
      const size = this.sizes.get(s);
      if (size === undefined) continue; // unknown, or already deleted
      this.sizes.delete(s);
      this._bytes -= size;
      this.deleting.add(s);
      mine.push(s);
    }
    if (mine.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ kind: 'delete', seqs: mine, resolve, reject });
      this.schedule();
    });
  }

  async read(afterSeq: number, max: number): Promise<QueueRecord[]> {
    if (this.closing || this.dead) throw this.closedError();
    const out: QueueRecord[] = [];
    if (!(max > 0)) return out;
    const start = Math.max(1, Math.floor(afterSeq) + 1);
    try {
      for (const { key, value } of this.db.getRange({ start, end: KEY_END, snapshot: false })) {
        if (typeof key !== 'number' || this.deleting.has(key) || !this.sizes.has(key)) continue; // not committed yet, or deleted
        out.push({ seq: key, data: value });
        if (out.length >= max) break;
      }
    } catch (e) {
      throw new QueueStoreError(`cannot read the queue store ${this.dir}: ${describe(e).message}`, e);
    }
    return out;
  }

  private schedule(): void {
    if (this.writing || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.writeLoop();
    });
  }

  private async writeLoop(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        // Take every queued delete, and appends up to GROUP_BYTES (at least one), keeping call order.
        const ops: Op[] = [];
        let bytes = 0;
        let i = 0;
        for (; i < this.queue.length; i++) {
          const op = this.queue[i]!;
          if (op.kind === 'append') {
            if (bytes > 0 && bytes + op.bytes > GROUP_BYTES) break;
            bytes += op.bytes;
          }
          ops.push(op);
        }
        this.queue.splice(0, i);
        await this.commit(ops);
      }
    } finally {
      this.writing = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async commit(ops: Op[]): Promise<void> {
    const removals = new Set<number>(this.retryDeletes);
    this.retryDeletes.clear();
    let hwm = this.hwm;
    for (const op of ops) {
      if (op.kind === 'delete') for (const s of op.seqs) removals.add(s);
      else hwm = Math.max(hwm, op.seqs[op.seqs.length - 1]!);
    }
    try {
      await this.db.transaction(() => {
        for (const op of ops) {
          if (op.kind !== 'append') continue;
          op.records.forEach((r, j) => void this.db.put(op.seqs[j]!, r as Buffer));
        }
        if (hwm !== this.hwm) {
          const b = Buffer.alloc(8);
          b.writeBigUInt64LE(BigInt(hwm));
          void this.db.put(META_KEY, b);
        }
        for (const s of removals) void this.db.remove(s);
      });
    } catch (e) {
      const err = await this.storageError(e);
      for (const s of removals) this.retryDeletes.add(s); // still deleted in memory; written with the next commit
      for (const op of ops) op.reject(err); // the removals are retried with the next commit, or at close
      return;
    }
    this.hwm = hwm;
    for (const s of removals) this.deleting.delete(s);
    for (const op of ops) {
      if (op.kind === 'append') {
        op.records.forEach((r, j) => {
          this.sizes.set(op.seqs[j]!, r.length);
          this._bytes += r.length;
        });
        op.resolve(op.seqs);
      } else op.resolve();
    }
  }

  /** Turn an lmdb-js commit failure into a QueueStoreError with the underlying cause. */
  private async storageError(e: unknown): Promise<QueueStoreError> {
    let cause: unknown = e;
    const ce = (e as { commitError?: Promise<unknown> })?.commitError;
    if (ce && typeof ce.then === 'function') {
      let timer: NodeJS.Timeout | undefined;
      cause = await Promise.race([
        ce.then(
          () => e,
          (c: unknown) => c,
        ),
        new Promise<unknown>((r) => (timer = setTimeout(() => r(e), 200))),
      ]);
      clearTimeout(timer);
    }
    const { message, code } = describe(cause);
    // errno (ENOSPC 28, EFBIG 27, EIO 5 as LMDB reports a short write) or MDB_MAP_FULL (-30792).
    const full =
      code === 28 || code === 27 || code === 5 || code === -30792 || code === 'ENOSPC' || code === 'EFBIG' || /MDB_MAP_FULL|No space|too large/i.test(message);
    return new QueueStoreError(
      full
        ? `the queue store ${this.dir} is full (disk full or LMDB map size limit): ${message}`
        : `cannot write the queue store ${this.dir}: ${message}`,
      cause,
    );
  }

  private whenIdle(): Promise<void> {
    if (!this.writing && !this.scheduled && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      if (!this.writing) this.schedule();
    });
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.closing = (async () => {
        if (this.dead) return;
        await this.whenIdle();
        if (this.retryDeletes.size > 0) {
          try {
            await this.commit([]);
          } catch {
            /* reported by the failed delete() already; the records are read again next time (at-least-once) */
          }
        }
        try {
          await this.db.close();
        } finally {
          this.lock.release();
        }
      })();
    }
    return this.closing;
  }

  /**
   * Test hook: "crash" this instance inside the process — let the commits in flight finish, then drop the instance
   * WITHOUT closing the LMDB environment (no close, no final sync; the environment stays mapped, lmdb-js shares it
   * with the next open of the same path) and release the directory lock so the directory can be opened again.
   */
  async _crashForTest(): Promise<void> {
    await this.whenIdle();
    this.dead = true;
    this.queue = [];
    this.lock.release();
  }
}

/** Open (creating if needed) the LMDB queue store in `opts.directory`. */
export function openLmdbStore(opts: QueueStoreOptions): Promise<LmdbStore> {
  return LmdbStore.open(opts);
}
