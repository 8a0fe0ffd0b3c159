// The config profiles in configs/ (gateway, gateway-tail-sampling, agent, durable) are what a new user starts
// from: each must validate, start as is (ports and the upstream set through its documented env variables),
// take an OTLP/HTTP request, deliver the span to the upstream, and stop cleanly on SIGTERM.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePorts, runCli, startCollector, tempDir } from '../helpers/collector';
import { CaptureBackend } from '../helpers/capture-backend';
import { REPO_ROOT } from '../helpers/paths';

const PROFILES = ['gateway', 'gateway-tail-sampling', 'agent', 'durable'] as const;

test('every configs/*.yaml validates', async (t) => {
  const files = fs.readdirSync(path.join(REPO_ROOT, 'configs')).filter((f) => f.endsWith('.yaml'));
  for (const p of PROFILES) assert.ok(files.includes(`${p}.yaml`), `configs/${p}.yaml exists`);
  for (const f of files) {
    const r = await runCli(t, ['validate', '--config', path.join(REPO_ROOT, 'configs', f)], { env: { OTELCOL_STORAGE_DIR: tempDir(t) } });
    assert.equal(r.code, 0, `configs/${f}: ${r.stderr}`);
  }
});

for (const profile of PROFILES) {
  test(`configs/${profile}.yaml starts, forwards a span upstream and stops on SIGTERM`, { timeout: 40_000 }, async (t) => {
    const be = await CaptureBackend.start();
    t.after(() => be.close());
    const [grpc, http, health, metrics] = await freePorts(4);
    const env = {
      OTELCOL_BIND: '127.0.0.1',
      OTELCOL_GRPC_PORT: String(grpc),
      OTELCOL_HTTP_PORT: String(http),
      OTELCOL_HEALTH_PORT: String(health),
      OTELCOL_METRICS_PORT: String(metrics),
      OTELCOL_UPSTREAM: be.grpcEndpoint,
      OTELCOL_GATEWAY: be.grpcEndpoint,
      OTELCOL_STORAGE_DIR: path.join(tempDir(t), 'storage'),
    };
    const col = await startCollector(t, {
      rawArgs: ['--config', path.join(REPO_ROOT, 'configs', `${profile}.yaml`)],
      env,
      ready: profile === 'agent' ? { tcpPorts: [http] } : { healthUrl: `http://127.0.0.1:${health}/` },
    });
    // An error span: the tail-sampling profile keeps every trace with an error.
    const body = JSON.stringify({
      resourceSpans: [{ scopeSpans: [{ spans: [{
        traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: `profile-${profile}`,
        startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000100000000', status: { code: 2 },
      }] }] }],
    });
    const res = await fetch(`http://127.0.0.1:${http}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(res.status, 200, await res.text());
    // SIGTERM: the batch flushes, tail sampling decides what it holds, queues send what they have.
    assert.equal(await col.stop(20_000), 0, col.output());
    await be.waitForSpans(1, 5000).catch((e) => {
      throw new Error(`${(e as Error).message}\n${col.output()}`);
    });
    assert.equal(be.spans()[0]!.span.name, `profile-${profile}`);
  });
}
