// The durable record store under the persistent sending queue (issue #7). Two implementations with the same
// contract and the same test suite:
//   * LMDB (`lmdb` npm package, native) — src/queue/lmdb-store.ts;
//   * a pure-JS append-only segment log with checksums — native-free/segment-log/ (used when `lmdb` cannot be
//     loaded, or when OTELTS_NATIVE=off).
// `openQueueStore()` (src/queue/open.ts) picks one.
//
// A store holds opaque records (an encoded export request plus a small header the queue writes) under
// increasing sequence numbers. The queue appends a request and acknowledges the sender only when append()
// resolved (the record is durable: it survives a SIGKILL of the process — with `fsync: true` also a power cut);
// consumers read records, send them, and delete them once sent. After a crash or restart, every record not
// deleted is read again (at-least-once).

/** One stored record. */
export interface QueueRecord {
  /** Sequence number (strictly increasing over the life of the store, also across restarts). */
  readonly seq: number;
  readonly data: Uint8Array;
}

export interface QueueStoreOptions {
  /** Directory of this store (created if missing). One store per directory. */
  directory: string;
  /** fsync every commit (a power cut loses nothing acknowledged); false: the OS flushes (a process crash still loses nothing). */
  fsync: boolean;
}

/** Why a store could not open or write: a stable code for the error classes in src/queue/errors.ts. */
export interface QueueStore {
  /** Which implementation: 'lmdb' or 'segment-log'. */
  readonly kind: 'lmdb' | 'segment-log';
  /**
   * Append records durably, in order; resolves with their sequence numbers once all are committed. Concurrent
   * calls may be grouped into one commit. Rejects (and stores none of `records`) on a write failure, e.g. a full
   * disk: QueueStoreError with code OTELTS_ERR_STORAGE.
   */
  append(records: readonly Uint8Array[]): Promise<number[]>;
  /** Up to `max` records with seq > afterSeq, in seq order (records deleted meanwhile are skipped). */
  read(afterSeq: number, max: number): Promise<QueueRecord[]>;
  /** Delete records (sent); resolves when the deletion is committed. Unknown seqs are ignored. */
  delete(seqs: readonly number[]): Promise<void>;
  /** Records stored and not deleted. */
  readonly count: number;
  /** Their total data bytes. */
  readonly bytes: number;
  /**
   * Records found unreadable when the store opened or read (bad checksum, truncated, unknown format version):
   * skipped, counted here, reported once in the log by the caller; the rest is served.
   */
  readonly corrupted: number;
  /**
   * Files set aside when the store opened (e.g. a segment of an unknown format version, renamed `*.unreadable`),
   * each with its reason; the caller logs them once. Optional: a store that never sets files aside omits it.
   */
  readonly setAside?: readonly string[];
  /** Release files and handles; pending appends settle first. Idempotent. */
  close(): Promise<void>;
}
