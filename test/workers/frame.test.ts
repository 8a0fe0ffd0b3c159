// Frame and shard (src/workers/frame.ts): with a worker pool, the acceptor walks a trace request's framing and
// cuts it into one request per worker, which the worker decodes in place. What a user relies on: every span
// arrives exactly once, with its own resource and scope; every span of a trace goes to one worker (the same one
// the decoded-batch split picks, so tail sampling sees whole traces whichever path a request took); order within
// a worker is arrival order; a request that falls in one shard is passed on byte for byte; malformed framing is a
// DecodeError (400 / INVALID_ARGUMENT), never a crash. Parts are checked with protobufjs as the oracle decoder.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TraceBatch } from '../../src/pdata/traces';
import { DecodeError } from '../../src/errors';
import { frameTraces, partBufferStats, releaseParts } from '../../src/workers/frame';
import { shardTraces } from '../../src/workers/shard';
import { oracleDecodeTraces, oracleEncodeTraces } from '../oracle/otlp-oracle';
import { edgeCaseRequests, mulberry32, normalize, randomSharedTraceRequest } from '../pdata/random-traces';
import { realisticRequest } from '../../bench/fixtures/realistic';

type Obj = Record<string, any>;

/** One key per span of a canonical request: its resource, scope and the span itself (JSON text), in order. */
function flat(canonical: Obj): Array<{ key: string; traceId: string }> {
  const out: Array<{ key: string; traceId: string }> = [];
  for (const rs of canonical.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        out.push({ key: JSON.stringify({ resource: rs.resource, rsSchema: rs.schemaUrl, scope: ss.scope, ssSchema: ss.schemaUrl, span }), traceId: span.traceId ?? '' });
      }
    }
  }
  return out;
}
const oracleFlat = (bytes: Uint8Array) => flat(normalize(oracleDecodeTraces(bytes)) as Obj);
const partBytes = (p: { sab: SharedArrayBuffer; off: number; len: number }) => new Uint8Array(p.sab, p.off, p.len);

function counts(keys: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of [...keys].sort()) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

test('frameTraces: every span in exactly one part with its resource and scope, one worker per trace, arrival order, same shard as the decoded split (n = 1..5)', () => {
  const rng = mulberry32(0xf4a3e);
  let split = 0;
  for (let round = 0; round < 40; round++) {
    const wire = randomSharedTraceRequest(rng, 1 + Math.floor(rng() * 12));
    const original = oracleFlat(wire);
    const batch = TraceBatch.decode(wire);
    for (let n = 1; n <= 5; n++) {
      const framed = frameTraces(wire, n);
      assert.equal(framed.itemCount, original.length, 'itemCount = spans in the request');
      const shards = framed.parts.map((p) => p.shard);
      assert.equal(new Set(shards).size, shards.length, 'one part per shard');
      assert.ok(shards.every((k) => k >= 0 && k < n));
      if (original.length === 0) {
        assert.equal(framed.parts.length, 0);
        continue;
      }
      if (framed.parts.length === 1) {
        assert.deepEqual(Buffer.from(partBytes(framed.parts[0]!)), Buffer.from(wire), 'one shard: the request bytes as they came');
        continue;
      }
      split++;
      const perPart = framed.parts.map((p) => oracleFlat(partBytes(p)));
      framed.parts.forEach((p, i) => assert.equal(p.spans, perPart[i]!.length, 'part span count'));
      assert.deepEqual(counts(perPart.flat().map((s) => s.key)), counts(original.map((s) => s.key)), `round ${round} n ${n}: same spans, nothing lost or duplicated`);
      const owner = new Map<string, number>();
      perPart.forEach((spans, i) => {
        for (const s of spans) {
          const prev = owner.get(s.traceId);
          assert.ok(prev === undefined || prev === framed.parts[i]!.shard, `trace ${s.traceId || '(none)'} in two parts`);
          owner.set(s.traceId, framed.parts[i]!.shard);
        }
        const expected = original.filter((s) => owner.get(s.traceId) === framed.parts[i]!.shard).map((s) => s.key);
        assert.deepEqual(spans.map((s) => s.key), expected, `round ${round} n ${n}: arrival order within the part`);
      });
      // The decoded-batch split (shard.ts) puts each span in the same shard.
      for (const part of shardTraces(batch, n)) {
        const keys = oracleFlat(part.batch.encode()).map((s) => s.key);
        const mine = framed.parts.find((p) => p.shard === part.shard);
        assert.ok(mine, `shard ${part.shard} has spans in both splits`);
        assert.deepEqual(counts(oracleFlat(partBytes(mine)).map((s) => s.key)), counts(keys), `shard ${part.shard}: same spans as shardTraces`);
      }
      // Each part is a request our own decoder takes in place.
      for (const p of framed.parts) assert.equal(TraceBatch.decode(partBytes(p), { adopt: true }).spanCount, p.spans);
    }
  }
  assert.ok(split > 50, `enough split requests checked (${split})`);
});

test('frameTraces: realistic SDK requests split over 2 and 4 workers keep every span and schema URL', () => {
  for (const seed of [1, 2, 3]) {
    const { bytes } = realisticRequest({ spans: 512, seed });
    const original = oracleFlat(bytes);
    for (const n of [2, 4]) {
      const framed = frameTraces(bytes, n);
      assert.ok(framed.parts.length > 1, 'many traces: several parts');
      const got = framed.parts.flatMap((p) => oracleFlat(partBytes(p)));
      assert.deepEqual(counts(got.map((s) => s.key)), counts(original.map((s) => s.key)));
      const total = framed.parts.reduce((a, p) => a + p.len, 0);
      assert.ok(total >= bytes.length * 0.99 && total <= bytes.length * 1.1, `parts hold about the request's bytes (${total} vs ${bytes.length})`);
    }
  }
});

test('frameTraces: edge-case requests (empty resources/scopes, no trace id, unknown fields) frame like the oracle reads them', () => {
  for (const [name, obj] of edgeCaseRequests()) {
    const wire = oracleEncodeTraces(obj);
    for (const n of [1, 2, 3]) {
      const framed = frameTraces(wire, n);
      const original = oracleFlat(wire);
      assert.equal(framed.itemCount, original.length, `${name}: span count`);
      const got = framed.parts.flatMap((p) => oracleFlat(partBytes(p)));
      assert.deepEqual(counts(got.map((s) => s.key)), counts(original.map((s) => s.key)), `${name} n ${n}`);
    }
  }
  // A span whose trace_id is not its first field, and a request with an unknown top-level field.
  const spanA = Buffer.concat([Buffer.from([0x2a, 1, 0x41]), Buffer.from([0x0a, 16]), Buffer.alloc(16, 7)]); // name "A", then trace_id
  const spanB = Buffer.concat([Buffer.from([0x0a, 16]), Buffer.alloc(16, 9), Buffer.from([0x2a, 1, 0x42])]);
  const ss = Buffer.concat([Buffer.from([0x12, spanA.length]), spanA, Buffer.from([0x12, spanB.length]), spanB]);
  const rs = Buffer.concat([Buffer.from([0x12, ss.length]), ss]);
  const req = Buffer.concat([Buffer.from([0x0a, rs.length]), rs, Buffer.from([0x50, 0x01])]); // field 10 varint: unknown
  const byBatch = shardTraces(TraceBatch.decode(req), 64).map((p) => p.shard).sort();
  const framed = frameTraces(req, 64);
  assert.deepEqual(framed.parts.map((p) => p.shard).sort(), byBatch, 'trace id found wherever it is in the span');
  assert.equal(framed.itemCount, 2);
});

test('frameTraces: malformed framing is a DecodeError (never another exception), empty input is zero spans', () => {
  assert.equal(frameTraces(new Uint8Array(0), 2).itemCount, 0);
  const bad: Array<[string, number[]]> = [
    ['truncated length', [0x0a, 0x05, 0x12]],
    ['length beyond the message', [0x0a, 0x02, 0x12, 0x09, 0x00]],
    ['group wire type', [0x0b, 0x00]],
    ['field number 0', [0x02, 0x00]],
    ['truncated varint', [0x0a, 0x80]],
    ['overlong varint', [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
    ['span longer than its scope', [0x0a, 0x06, 0x12, 0x04, 0x12, 0x05, 0x0a, 0x00]],
  ];
  for (const [what, bytes] of bad) {
    assert.throws(() => frameTraces(Uint8Array.from(bytes), 2), (e: unknown) => e instanceof DecodeError && e.code === 'OTELTS_ERR_DECODE', what);
  }
  // Random damage to a realistic request: a DecodeError or parts our decoder can read — nothing else.
  const { bytes } = realisticRequest({ spans: 64, seed: 9 });
  const rng = mulberry32(77);
  let rejected = 0;
  for (let k = 0; k < 300; k++) {
    const b = Uint8Array.from(bytes);
    const at = Math.floor(rng() * b.length);
    b[at] = Math.floor(rng() * 256);
    const cut = rng() < 0.3 ? b.subarray(0, Math.floor(rng() * b.length)) : b;
    try {
      const f = frameTraces(cut, 2);
      assert.ok(f.itemCount >= 0);
    } catch (e) {
      assert.ok(e instanceof DecodeError, `only DecodeError escapes: ${String(e)}`);
      rejected++;
    }
  }
  assert.ok(rejected > 0, 'some damage is caught by the framing walk');
});

test('frameTraces: part buffers come back to a pool when released and are never reused while held', () => {
  const req = realisticRequest({ spans: 64, seed: 9 }).bytes;
  const view = (p: { sab: SharedArrayBuffer; off: number; len: number }) => Buffer.from(new Uint8Array(p.sab, p.off, p.len));
  // Held parts: every later part gets another buffer, and the held bytes stay intact.
  const held = Array.from({ length: 6 }, () => frameTraces(req, 1).parts[0]!);
  assert.equal(new Set(held.map((p) => p.sab)).size, held.length, 'no two held parts share a buffer');
  for (const p of held) assert.ok(p.bufferId > 0 && p.cap >= p.len);
  // Released parts are reused (same buffer, same size class), first released first served is not promised.
  const reusedBefore = partBufferStats.reused;
  releaseParts(held.slice(0, 3).map((p) => p.bufferId));
  releaseParts([held[0]!.bufferId, 0, 987654321]); // twice, unpooled and unknown ids: ignored
  const next = Array.from({ length: 4 }, () => frameTraces(req, 1).parts[0]!);
  assert.equal(partBufferStats.reused - reusedBefore, 3, 'the three released buffers are reused, no more');
  const released = new Set(held.slice(0, 3).map((p) => p.sab));
  assert.equal(next.filter((p) => released.has(p.sab)).length, 3);
  for (const p of next) assert.ok(!held.slice(3).some((h) => h.sab === p.sab), 'a held buffer is never handed out again');
  for (const p of [...held.slice(3), ...next]) assert.deepEqual(view(p), Buffer.from(req), 'a part holds its request byte for byte');
  releaseParts([...held.slice(3), ...next].map((p) => p.bufferId));
});
