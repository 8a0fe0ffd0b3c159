// bulkCopy (src/pdata/wire.ts) routes long copies that involve SharedArrayBuffer memory at unequal alignments
// through a plain scratch buffer (V8 copies such memory byte by byte otherwise), and Arena.reserveAligned keeps
// gathered windows equally aligned. What matters to a user is that bytes arrive intact whatever the path:
// every combination of plain/shared source and destination, every pair of alignments, short and long.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { bulkCopy } from '../../src/pdata/wire';
import { Arena } from '../../src/pdata/layout';
import { TraceBatch } from '../../src/pdata/traces';
import { realisticRequest } from '../../bench/fixtures/realistic';
import { oracleDecodeTraces } from '../oracle/otlp-oracle';

function buf(shared: boolean, n: number): Uint8Array {
  return new Uint8Array(shared ? new SharedArrayBuffer(n) : new ArrayBuffer(n));
}

test('bulkCopy: bytes intact for plain/shared × plain/shared, all alignments, short and long copies, view offsets', () => {
  const pattern = (i: number) => (i * 131 + 7) & 0xff;
  for (const srcShared of [false, true]) {
    for (const dstShared of [false, true]) {
      for (const len of [0, 1, 255, 4095, 4096, 70_001]) {
        for (let sa = 0; sa < 8; sa += 3) {
          for (let da = 0; da < 8; da++) {
            const srcBase = buf(srcShared, len + 32);
            const src = srcBase.subarray(5); // a view that does not start at its buffer's first byte
            for (let i = 0; i < src.length; i++) src[i] = pattern(i);
            const dst = buf(dstShared, len + 32).fill(0xee);
            bulkCopy(dst, da, src, sa, len);
            for (let i = 0; i < len; i++) if (dst[da + i] !== pattern(sa + i)) assert.fail(`src ${srcShared} dst ${dstShared} len ${len} sa ${sa} da ${da}: byte ${i}`);
            assert.equal(dst[da - 1] ?? 0xee, 0xee, 'nothing written before');
            assert.equal(dst[da + len], 0xee, 'nothing written after');
          }
        }
      }
    }
  }
});

test('Arena.reserveAligned: offsets equal to the source offset mod 8, capacity grows as needed', () => {
  const a = new Arena(16);
  for (let k = 0; k < 40; k++) {
    const like = (k * 5) % 23;
    const n = 1 + ((k * 7) % 13);
    const before = a.used;
    const off = a.reserveAligned(n, like);
    assert.equal(off % 8, like % 8);
    assert.ok(off >= before && off - before < 8, 'at most 7 padding bytes');
    assert.equal(a.used, off + n);
  }
});

test('concat and filter of realistic batches still encode to the same spans (gather windows aligned)', () => {
  const reqs = [1, 2, 3].map((seed) => realisticRequest({ spans: 64, seed }).bytes);
  const batches = reqs.map((b) => TraceBatch.decode(b));
  const cat = TraceBatch.concat(batches);
  const expect = reqs.flatMap((b) => (oracleDecodeTraces(b).resourceSpans as unknown[]));
  assert.deepEqual(oracleDecodeTraces(cat.encode()).resourceSpans, expect);
  const odd = cat.filterSpans((i) => i % 2 === 1);
  assert.equal(odd.spanCount, Math.floor(cat.spanCount / 2));
  const names = (b: TraceBatch) => Array.from({ length: b.spanCount }, (_, i) => b.name(i));
  assert.deepEqual(names(TraceBatch.decode(odd.encode())), names(cat).filter((_, i) => i % 2 === 1));
});
