// On-disk format of the segment log (version 1). All integers little-endian; u64 values are sequence numbers or
// segment ids below 2^53.
//
// Directory: `seg-<id, 16 hex digits>.log` segments (ids increase: a new segment gets max id + 1), `LOCK` (the pid
// of the process that has the store open), transient `seg-<id>.log.tmp` (a compaction being written; removed at
// open), `*.unreadable` (segments set aside: unknown format version or bad header).
//
// Segment header (24 + 8n bytes):
//   0  magic "OTQL" (4 bytes)
//   4  format version u16 (= 1)          ← an unknown version sets the whole segment aside
//   6  flags u16 (= 0)
//   8  base seq u64: the next sequence number when the segment was created (so sequence numbers keep increasing
//      across restarts even when every record was deleted and every older segment removed)
//   16 n u32: number of segments this one supersedes (a compaction output lists the segments it replaces)
//   20 n × segment id u64
//   20+8n crc32 u32 of bytes [0, 20+8n)
//
// Record (17-byte header + payload):
//   0  type u8: 1 = data, 2 = delete (tombstone)
//   1  seq u64
//   9  len u32: payload length (0 for a tombstone)
//   13 crc32 u32 of bytes [0, 13) followed by the payload
//   17 payload
//
// Semantics: the records of all segments form two sets, data seqs and tombstone seqs; a record is live when its
// data record exists and no tombstone names it. Sequence numbers are never reused, so the order of segments does
// not matter. A compaction output supersedes its sources: if a crash left both, the sources are removed at open.

import { crc32 } from './crc32';

export const MAGIC = Buffer.from('OTQL', 'latin1');
export const FORMAT_VERSION = 1;
export const HEADER_FIXED = 20;
export const REC_HEADER = 17;
export const TYPE_DATA = 1;
export const TYPE_DELETE = 2;
/** Largest payload accepted (the u32 length field allows 4 GiB; Node buffers and sanity say less). */
export const MAX_RECORD_BYTES = 1 << 30;

export const SEGMENT_RE = /^seg-([0-9a-f]{16})\.log$/;

export function segmentName(id: number): string {
  return `seg-${id.toString(16).padStart(16, '0')}.log`;
}

export function writeU64(buf: Uint8Array, off: number, v: number): void {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  dv.setUint32(off, v >>> 0, true);
  dv.setUint32(off + 4, Math.floor(v / 0x100000000), true);
}

export function readU64(dv: DataView, off: number): number {
  const lo = dv.getUint32(off, true);
  const hi = dv.getUint32(off + 4, true);
  return hi * 0x100000000 + lo;
}

export function headerLength(nSupersedes: number): number {
  return HEADER_FIXED + 8 * nSupersedes + 4;
}

export function encodeHeader(baseSeq: number, supersedes: readonly number[]): Buffer {
  const len = headerLength(supersedes.length);
  const b = Buffer.alloc(len);
  MAGIC.copy(b, 0);
  b.writeUInt16LE(FORMAT_VERSION, 4);
  b.writeUInt16LE(0, 6);
  writeU64(b, 8, baseSeq);
  b.writeUInt32LE(supersedes.length, 16);
  for (let i = 0; i < supersedes.length; i++) writeU64(b, HEADER_FIXED + 8 * i, supersedes[i]!);
  b.writeUInt32LE(crc32(b.subarray(0, len - 4)), len - 4);
  return b;
}

export type HeaderResult =
  | { ok: true; length: number; version: number; baseSeq: number; supersedes: number[] }
  /** The file ends inside a header whose bytes so far are valid: a segment whose creation was cut short. */
  | { ok: false; torn: true }
  | { ok: false; torn: false; reason: string };

export function parseHeader(buf: Uint8Array): HeaderResult {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magicLen = Math.min(buf.length, 4);
  for (let i = 0; i < magicLen; i++) {
    if (buf[i] !== MAGIC[i]) return { ok: false, torn: false, reason: 'not a segment file (bad magic)' };
  }
  if (buf.length < 6) return { ok: false, torn: true };
  const version = dv.getUint16(4, true);
  if (version !== FORMAT_VERSION) return { ok: false, torn: false, reason: `unknown format version ${version}` };
  if (buf.length < HEADER_FIXED) return { ok: false, torn: true };
  const n = dv.getUint32(16, true);
  const len = headerLength(n);
  if (n > 1 << 20) return { ok: false, torn: false, reason: 'bad header (superseded segment count)' };
  if (buf.length < len) return { ok: false, torn: true };
  if (crc32(buf.subarray(0, len - 4)) !== dv.getUint32(len - 4, true)) return { ok: false, torn: false, reason: 'bad header checksum' };
  const supersedes: number[] = [];
  for (let i = 0; i < n; i++) supersedes.push(readU64(dv, HEADER_FIXED + 8 * i));
  return { ok: true, length: len, version, baseSeq: readU64(dv, 8), supersedes };
}

/** Write a record header (type, seq, len, crc over header+payload) at `off` of `buf`. */
export function writeRecordHeader(buf: Buffer, off: number, type: number, seq: number, payload: Uint8Array): void {
  buf[off] = type;
  writeU64(buf, off + 1, seq);
  buf.writeUInt32LE(payload.length, off + 9);
  const c = crc32(payload, crc32(buf.subarray(off, off + 13)));
  buf.writeUInt32LE(c, off + 13);
}

export interface ScannedRecord {
  type: number;
  seq: number;
  /** Offset of the record (its header) in the file. */
  off: number;
  len: number;
}

export interface ScanResult {
  records: ScannedRecord[];
  /** Where the valid content ends: the file is truncated here when shorter than its length. */
  end: number;
  /** Unreadable records (or unreadable stretches) skipped in the middle or at the end. */
  corrupted: number;
  /** A partial record at the end (a write cut short by a crash), removed silently. */
  tornTail: boolean;
}

const EMPTY = new Uint8Array(0);

/** Checks the record at `pos`: its length if it is complete and its checksum matches, else -1. */
function validAt(buf: Uint8Array, dv: DataView, pos: number): number {
  if (buf.length - pos < REC_HEADER) return -1;
  const type = buf[pos];
  if (type !== TYPE_DATA && type !== TYPE_DELETE) return -1;
  if (dv.getUint32(pos + 5, true) >= 0x200000) return -1; // seq >= 2^53
  const len = dv.getUint32(pos + 9, true);
  if (type === TYPE_DELETE && len !== 0) return -1;
  if (len > buf.length - pos - REC_HEADER) return -1;
  const c = crc32(len ? buf.subarray(pos + REC_HEADER, pos + REC_HEADER + len) : EMPTY, crc32(buf.subarray(pos, pos + 13)));
  return c === dv.getUint32(pos + 13, true) ? REC_HEADER + len : -1;
}

function allZero(buf: Uint8Array, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * Scan the records of a segment (`buf` = the whole file, `start` = header length). A bad record followed by valid
 * ones is skipped (corrupted + 1: by its length when that lands on a valid record, else by searching the next
 * valid record byte by byte); a bad stretch up to the end of the file is cut off — silently when it is a partial
 * record (the file ends inside it) or zeros, else counted once.
 */
export function scanRecords(buf: Uint8Array, start: number): ScanResult {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const records: ScannedRecord[] = [];
  let corrupted = 0;
  let pos = start;
  while (pos < buf.length) {
    const n = validAt(buf, dv, pos);
    if (n > 0) {
      records.push({ type: buf[pos]!, seq: readU64(dv, pos + 1), off: pos, len: n - REC_HEADER });
      pos += n;
      continue;
    }
    // Bad record at pos. Does its own length lead to a valid record (only its bytes are damaged)?
    let next = -1;
    if (buf.length - pos >= REC_HEADER) {
      const claimed = pos + REC_HEADER + dv.getUint32(pos + 9, true);
      if (claimed < buf.length && validAt(buf, dv, claimed) > 0) next = claimed;
    }
    for (let q = pos + 1; next < 0 && q + REC_HEADER <= buf.length; q++) {
      if (validAt(buf, dv, q) > 0) next = q;
    }
    if (next >= 0) {
      corrupted++;
      pos = next;
      continue;
    }
    // Nothing valid after pos: the tail. A partial record (the file ends inside it) or zeros: a torn write.
    const partial = buf.length - pos < REC_HEADER || pos + REC_HEADER + dv.getUint32(pos + 9, true) > buf.length;
    const torn = partial || allZero(buf, pos);
    if (!torn) corrupted++;
    return { records, end: pos, corrupted, tornTail: torn };
  }
  return { records, end: pos, corrupted, tornTail: false };
}
