// `bytes_limiting` (upstream bytes_limiting.go, golang.org/x/time/rate): a token bucket of `burst_capacity`
// bytes (default 2 × bytes_per_second) refilled continuously at bytes_per_second, full at start. A trace is
// sampled when its bytes fit in the bucket (and are taken from it); a trace bigger than the burst never is.
// A rate of 0 behaves as rate.Limiter: the burst is a one-off allowance that sampled traces consume.
//
// Trace size: upstream measures the protobuf size of the trace's ResourceSpans (resource and scope envelopes
// included); otelcol-ts uses the wire bytes of the trace's spans (SampledTrace.byteSize) — a little smaller.
// Each worker thread runs its own bucket, so the rate and burst given here are divided by the worker count
// (policies/index.ts).

import { Decision, type PolicyEvaluator, type SampledTrace } from '../types';

export class BytesLimiting implements PolicyEvaluator {
  private tokens: number;
  private lastMs: number | undefined;
  private burst: number;

  constructor(
    private readonly bytesPerSecond: number,
    burstCapacity: number,
  ) {
    this.burst = burstCapacity;
    this.tokens = burstCapacity;
  }

  /** rate.Limiter.AllowN(now, n). */
  allow(n: number, nowMs: number): boolean {
    if (this.bytesPerSecond === Infinity) return true;
    if (this.bytesPerSecond <= 0) {
      if (this.burst >= n) {
        this.burst -= n;
        return true;
      }
      return false;
    }
    const last = this.lastMs === undefined ? -Infinity : Math.min(this.lastMs, nowMs);
    const elapsed = nowMs - last;
    let tokens = elapsed === Infinity ? this.burst : this.tokens + (elapsed / 1000) * this.bytesPerSecond;
    if (tokens > this.burst) tokens = this.burst;
    tokens -= n;
    if (n > this.burst || tokens < 0) return false;
    this.tokens = tokens;
    this.lastMs = nowMs;
    return true;
  }

  evaluate(trace: SampledTrace, nowMs: number): Decision {
    return this.allow(trace.byteSize, nowMs) ? Decision.Sampled : Decision.NotSampled;
  }
}
