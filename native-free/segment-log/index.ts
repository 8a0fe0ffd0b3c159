// Native-free fallback of the LMDB queue store: an append-only segment log with checksums (pure Node, fs only).
// Format: format.ts; behaviour (group commit, tombstones, recovery, compaction, disk full): store.ts.

export { openSegmentLogStore, SegmentLogStore, type SegmentLogOptions } from './store';
export { crc32, crc32Js, crc32IsNative } from './crc32';
