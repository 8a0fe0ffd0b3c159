// `npm run loadtest` as a user runs it, shortened: the report a user reads must be consistent — at a low rate
// everything offered is accepted and arrives at the sink, latencies are ordered, the collector's CPU is measured.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runLoadtest, reportText } from '../../loadtest/run';

test('a 2-second loadtest of the gateway profile at a low rate: nothing refused, nothing lost, a full report', { timeout: 90_000 }, async (t) => {
  const r = await runLoadtest({ profile: 'gateway', protocol: 'both', durationS: 2, connections: 2, spansPerRequest: 64, rate: 20 });
  t.diagnostic(reportText(r));
  assert.ok(r.acceptedSpansPerS > 0, 'spans were accepted');
  assert.equal(r.acceptedSpansPerS, r.offeredSpansPerS, 'at a low rate every answered request was accepted');
  assert.equal(r.refusedRequests, 0);
  assert.equal(r.failedRequests, 0);
  assert.equal(r.lostSpans, 0, 'every acknowledged span reached the sink');
  assert.ok(r.latencyMs.p50 > 0 && r.latencyMs.p50 <= r.latencyMs.p99 && r.latencyMs.p99 <= r.latencyMs.p999 && r.latencyMs.p999 <= r.latencyMs.max);
  assert.ok((r.collectorCpuSecondsPerMillionSpans ?? 0) > 0, 'collector CPU measured');
  assert.ok((r.peakRssMiB ?? 0) > 10, 'peak RSS measured');
  assert.ok(r.bytesPerSpan > 500, 'realistic spans');
});
