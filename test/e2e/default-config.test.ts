// `npm start` (= `node bin/otelcol-ts.js` with no --config) runs configs/default.yaml: an OTLP receiver on
// 127.0.0.1:4317 (gRPC) and :4318 (HTTP) feeding the debug exporter, which logs how many spans it got.
// A new user's first five minutes: start it, point an SDK at the default ports, see the spans counted.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { portIsFree, sleep, spawnCli } from '../helpers/collector';
import { REPO_ROOT } from '../helpers/paths';
import { createSdk } from '../helpers/sdk';

/**
 * Sum of the span counts the debug exporter logged ("spans": 2 / spans=2, not "resource spans"), over the
 * lines that come from the debug exporter.
 */
export function debugSpanCount(log: string): number {
  let total = 0;
  for (const line of log.split('\n')) {
    if (!/debug/i.test(line)) continue;
    for (const m of line.matchAll(/(?<![\w.]|resource[ _])"?spans"?\s*[:=]\s*(\d+)/g)) total += Number(m[1]);
  }
  return total;
}

test('npm start: the default config listens on 127.0.0.1:4317/4318 and the debug exporter counts the spans', { timeout: 30_000 }, async (t) => {
  assert.ok(fs.existsSync(path.join(REPO_ROOT, 'configs', 'default.yaml')), 'configs/default.yaml exists (npm start needs it)');
  for (const port of [4317, 4318]) {
    if (!(await portIsFree(port))) {
      t.skip(`127.0.0.1:${port} is busy on this machine (another collector?); cannot run the default config`);
      return;
    }
  }
  const col = spawnCli(t, [], { cwd: REPO_ROOT });
  try {
    await col.waitReady({ tcpPorts: [4317, 4318] }, 15_000);
  } catch (e) {
    if (/EADDRINUSE|address already in use/i.test(col.output())) {
      t.skip(`a port of the default config is busy on this machine: ${col.output().match(/.*(EADDRINUSE|address already in use).*/i)?.[0]}`);
      return;
    }
    throw e;
  }

  const grpcSdk = createSdk({ protocol: 'grpc', url: 'http://127.0.0.1:4317', serviceName: 'first-steps' });
  const protoSdk = createSdk({ protocol: 'http/protobuf', url: 'http://127.0.0.1:4318/v1/traces', serviceName: 'first-steps' });
  const jsonSdk = createSdk({ protocol: 'http/json', url: 'http://127.0.0.1:4318/v1/traces', serviceName: 'first-steps' });
  await grpcSdk.makeSpans(4);
  await protoSdk.makeSpans(3);
  await jsonSdk.makeSpans(2);
  await Promise.all([grpcSdk.shutdown(), protoSdk.shutdown(), jsonSdk.shutdown()]);
  assert.deepEqual([...grpcSdk.failedExports(), ...protoSdk.failedExports(), ...jsonSdk.failedExports()], [], col.output());

  const N = 9;
  const deadline = Date.now() + 10_000;
  while (debugSpanCount(col.output()) < N && Date.now() < deadline) await sleep(100);
  await sleep(500); // anything logged twice would show up now
  assert.equal(debugSpanCount(col.output()), N, `the debug exporter logged the span counts\n${col.output()}`);
  assert.ok(col.alive(), col.output());
  assert.equal(await col.stop(), 0, col.output());
});
