import assert from 'node:assert/strict';
import * as net from 'node:net';
import { describe, it } from 'node:test';
import { testHost, testSettings } from '../../../src/component/testing';
import type { ComponentStatus, Host } from '../../../src/component/types';
import { parseOrThrow } from '../../../src/config/schema';
import { ConfigError } from '../../../src/errors';
import { healthCheckConfigSchema } from '../../../src/extensions/health_check/config';
import { healthCheckExtensionFactory } from '../../../src/extensions/health_check/factory';
import { goDurationString, goTimeJson, HealthCheckExtension } from '../../../src/extensions/health_check/health-check';
import { httpRequest } from '../../receivers/otlp/helpers';

const parse = (raw: unknown) => parseOrThrow(healthCheckConfigSchema, raw, 'extensions.health_check');

/** A host whose readiness and statuses the test changes. */
function mutableHost(ready = true): Host & { ready: boolean; statuses: Map<string, ComponentStatus> } {
  const statuses = new Map<string, ComponentStatus>();
  const h = {
    ready,
    statuses,
    getExtension: () => undefined,
    get pipelinesReady() {
      return h.ready;
    },
    componentStatuses: () => statuses,
    reportStatus: (k: string, st: ComponentStatus) => void statuses.set(k, st),
  };
  return h;
}

async function start(raw: Record<string, unknown>, host: Host = testHost()): Promise<{ ext: HealthCheckExtension; base: string }> {
  const cfg = parse({ endpoint: '127.0.0.1:0', ...raw });
  const ext = healthCheckExtensionFactory.create(testSettings('health_check', 'extension'), cfg) as HealthCheckExtension;
  await ext.start(host);
  return { ext, base: `http://${ext.address}` };
}

describe('health_check config', () => {
  it('has upstream defaults', () => {
    const cfg = parse(null);
    assert.equal(cfg.endpoint, 'localhost:13133');
    assert.equal(cfg.path, '/');
    assert.equal(cfg.response_body, undefined);
    assert.deepEqual(cfg.check_collector_pipeline, { enabled: false, interval: '5m', exporter_failure_threshold: 5 });
    assert.equal(healthCheckExtensionFactory.type, 'health_check');
  });

  it('accepts the keys real configs use', () => {
    const cfg = parse({
      endpoint: '0.0.0.0:13133',
      path: '/health/status',
      tls: { cert_file: '/path/to/cert.crt', key_file: '/path/to/key.key', ca_file: '/path/to/ca.crt' },
      check_collector_pipeline: { enabled: true, interval: '5m', exporter_failure_threshold: 5 },
      response_body: { healthy: 'I am fine', unhealthy: 'I am not' },
    });
    assert.equal(cfg.path, '/health/status');
    assert.equal(cfg.response_body?.healthy, 'I am fine');
  });

  it('rejects a path without a leading slash, unknown keys and v2 keys with their paths', () => {
    const issues = (raw: unknown) => {
      try {
        parse(raw);
      } catch (e) {
        assert.ok(e instanceof ConfigError);
        return e.issues.map((i) => i.path);
      }
      return [];
    };
    assert.deepEqual(issues({ path: 'ready' }), ['extensions.health_check.path']);
    assert.deepEqual(issues({ endpoint: '' }), ['extensions.health_check.endpoint']);
    assert.deepEqual(issues({ pth: '/' }), ['extensions.health_check.pth']);
    assert.deepEqual(issues({ use_v2: true, http: { endpoint: 'localhost:13133' } }), ['extensions.health_check.use_v2', 'extensions.health_check.http']);
  });
});

describe('health_check endpoint', () => {
  it('answers 200 with the upstream JSON body when pipelines run', async () => {
    const { ext, base } = await start({});
    try {
      ext.ready();
      const res = await httpRequest(base + '/', { method: 'GET' });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'application/json');
      const body = JSON.parse(res.body.toString());
      assert.deepEqual(Object.keys(body), ['status', 'upSince', 'uptime']);
      assert.equal(body.status, 'Server available');
      assert.ok(Math.abs(Date.parse(body.upSince) - Date.now()) < 60_000, body.upSince);
      assert.match(body.uptime, /^(\d+h)?(\d+m)?[\d.]+(ns|µs|ms|s)$/);
    } finally {
      await ext.shutdown();
    }
  });

  it('answers 503 "Server not available" until pipelines are ready, and while they stop', async () => {
    const host = mutableHost(false);
    const { ext, base } = await start({}, host);
    try {
      let res = await httpRequest(base + '/', { method: 'GET' });
      assert.equal(res.status, 503);
      assert.deepEqual(JSON.parse(res.body.toString()), { status: 'Server not available', upSince: '0001-01-01T00:00:00Z', uptime: '' });
      host.ready = true;
      res = await httpRequest(base + '/', { method: 'GET' });
      assert.equal(res.status, 200);
      host.ready = false;
      res = await httpRequest(base + '/', { method: 'GET' });
      assert.equal(res.status, 503);
    } finally {
      await ext.shutdown();
    }
  });

  it('answers 503 while a component reports a permanent error, 200 again once it recovers', async () => {
    const host = mutableHost(true);
    const { ext, base } = await start({}, host);
    try {
      host.reportStatus('exporter:otlp/backend', 'recoverable_error');
      assert.equal((await httpRequest(base + '/', { method: 'GET' })).status, 200, 'recoverable errors keep it healthy');
      host.reportStatus('exporter:otlp/backend', 'permanent_error');
      assert.equal((await httpRequest(base + '/', { method: 'GET' })).status, 503);
      assert.match(ext.health().reason ?? '', /exporter:otlp\/backend/);
      host.reportStatus('exporter:otlp/backend', 'ok');
      assert.equal((await httpRequest(base + '/', { method: 'GET' })).status, 200);
    } finally {
      await ext.shutdown();
    }
  });

  it('serves only the configured path (exact match), any method', async () => {
    const { ext, base } = await start({ path: '/ready' });
    try {
      assert.equal((await httpRequest(base + '/ready', { method: 'GET' })).status, 200);
      assert.equal((await httpRequest(base + '/ready?verbose', { method: 'HEAD' })).status, 200);
      assert.equal((await httpRequest(base + '/', { method: 'GET' })).status, 404);
      assert.equal((await httpRequest(base + '/ready/x', { method: 'GET' })).status, 404);
    } finally {
      await ext.shutdown();
    }
  });

  it('the default path "/" answers every path, like a Go ServeMux subtree', async () => {
    const { ext, base } = await start({});
    try {
      assert.equal((await httpRequest(base + '/anything/below', { method: 'GET' })).status, 200);
    } finally {
      await ext.shutdown();
    }
  });

  it('uses response_body texts when configured', async () => {
    const host = mutableHost(true);
    const { ext, base } = await start({ response_body: { healthy: 'all good', unhealthy: 'broken' } }, host);
    try {
      let res = await httpRequest(base + '/', { method: 'GET' });
      assert.equal(res.status, 200);
      assert.equal(res.body.toString(), 'all good');
      host.ready = false;
      res = await httpRequest(base + '/', { method: 'GET' });
      assert.equal(res.status, 503);
      assert.equal(res.body.toString(), 'broken');
    } finally {
      await ext.shutdown();
    }
  });

  it('start/shutdown are idempotent; the port closes; a port in use fails start clearly', async () => {
    const { ext, base } = await start({});
    await ext.start(testHost());
    const port = Number(new URL(base).port);
    const other = healthCheckExtensionFactory.create(testSettings('health_check/2', 'extension'), parse({ endpoint: `127.0.0.1:${port}` }));
    await assert.rejects(other.start(testHost()), /extension "health_check\/2": cannot listen on 127\.0\.0\.1:\d+: address already in use/);
    await other.shutdown();
    await Promise.all([ext.shutdown(), ext.shutdown()]);
    const connected = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    assert.equal(connected, false);
  });
});

describe('Go formatting helpers', () => {
  it('formats durations like time.Duration.String()', () => {
    assert.equal(goDurationString(0), '0s');
    assert.equal(goDurationString(500), '500ns');
    assert.equal(goDurationString(1500), '1.5µs');
    assert.equal(goDurationString(12_345_000), '12.345ms');
    assert.equal(goDurationString(1_500_000_000), '1.5s');
    assert.equal(goDurationString(3_723_000_000_000), '1h2m3s');
    assert.equal(goDurationString(60_000_000_000), '1m0s');
  });

  it('formats times like Go time.Time JSON (UTC, trailing zeros trimmed)', () => {
    assert.equal(goTimeJson(Date.UTC(2024, 0, 2, 3, 4, 5, 120)), '2024-01-02T03:04:05.12Z');
    assert.equal(goTimeJson(Date.UTC(2024, 0, 2, 3, 4, 5, 0)), '2024-01-02T03:04:05Z');
  });
});
