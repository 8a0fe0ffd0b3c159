// `probabilistic` (upstream probabilistic.go): sampled when FNV-1a-64(hash_salt bytes ‖ 16 trace id bytes) <=
// threshold, threshold = uint64(MaxUint64 × sampling_percentage / 100) computed as Go's big.Float does (64-bit
// mantissa, round half to even, then truncation; >= 100 % saturates at MaxUint64, <= 0 gives 0). An empty salt
// is "default-hash-seed". The same trace ids, salt and percentage give the same decisions as the Go collector.
//
// The 64-bit hash runs on two uint32 halves (no BigInt per byte); the salt's part is hashed once.

import { Decision, type PolicyEvaluator, type SampledTrace } from '../types';

export const DEFAULT_HASH_SALT = 'default-hash-seed';

const MAX_U64 = (1n << 64n) - 1n;
const TWO32 = 4294967296;

/** Go: new(big.Float).SetInt(MaxUint64).Mul(·, big.NewFloat(ratio)).Uint64(). */
export function probabilisticThreshold(ratio: number): bigint {
  if (Number.isNaN(ratio)) return 0n;
  if (!(ratio > 0)) return 0n;
  if (ratio === Infinity) return MAX_U64;
  // ratio = mant × 2^exp exactly (mant a 53-bit integer).
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, ratio);
  const hi = dv.getUint32(0);
  const lo = dv.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  // Exact product, then rounded to a 64-bit mantissa (half to even), as big.Float with precision 64.
  let n = MAX_U64 * mant;
  let e = exp;
  const bits = n.toString(2).length;
  if (bits > 64) {
    const shift = BigInt(bits - 64);
    const q = n >> shift;
    const r = n & ((1n << shift) - 1n);
    const half = 1n << (shift - 1n);
    n = r > half || (r === half && (q & 1n) === 1n) ? q + 1n : q;
    e += Number(shift);
  }
  const v = e >= 0 ? n << BigInt(e) : n >> BigInt(-e); // Uint64() truncates toward zero
  return v > MAX_U64 ? MAX_U64 : v;
}

/** FNV-1a 64 state as [hi, lo] after hashing `bytes` from `state`. */
function fnv1a(state: [number, number], bytes: Uint8Array, off: number, len: number): [number, number] {
  let hi = state[0];
  let lo = state[1];
  for (let k = 0; k < len; k++) {
    lo = (lo ^ bytes[off + k]!) >>> 0;
    // h *= 0x100000001b3 = h × 0x1b3 + (h << 40)  (mod 2^64)
    const loP = lo * 0x1b3;
    const carry = Math.floor(loP / TWO32);
    const newLo = loP % TWO32;
    hi = (hi * 0x1b3 + carry + ((lo << 8) >>> 0)) % TWO32;
    lo = newLo;
  }
  return [hi, lo];
}

const FNV_OFFSET: [number, number] = [0xcbf29ce4, 0x84222325];

export function hashTraceId(salt: string, traceId: Uint8Array): bigint {
  const s = fnv1a(FNV_OFFSET, Buffer.from(salt, 'utf8'), 0, Buffer.byteLength(salt, 'utf8'));
  const [hi, lo] = fnv1a(s, traceId, 0, traceId.length);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

export class Probabilistic implements PolicyEvaluator {
  private readonly saltState: [number, number];
  private readonly tHi: number;
  private readonly tLo: number;

  constructor(hashSalt: string, samplingPercentage: number) {
    const salt = Buffer.from(hashSalt === '' ? DEFAULT_HASH_SALT : hashSalt, 'utf8');
    this.saltState = fnv1a(FNV_OFFSET, salt, 0, salt.length);
    const t = probabilisticThreshold(samplingPercentage / 100);
    this.tHi = Number(t >> 32n);
    this.tLo = Number(t & 0xffffffffn);
  }

  evaluate(trace: SampledTrace): Decision {
    const [hi, lo] = fnv1a(this.saltState, trace.traceId, 0, trace.traceId.length);
    return hi < this.tHi || (hi === this.tHi && lo <= this.tLo) ? Decision.Sampled : Decision.NotSampled;
  }
}
