// The bundled Grafana dashboard and alert rules against a REAL Prometheus scraping a real collector: every panel
// query and every alert expression must parse and return data after traffic (Debian package `prometheus`,
// installed by .ci/run; skipped with the reason printed when it is absent).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { freePorts, sleep, startCollector, tempDir } from '../helpers/collector';
import { CaptureBackend } from '../helpers/capture-backend';
import { REPO_ROOT } from '../helpers/paths';

const GRAFANA = path.join(REPO_ROOT, 'grafana');
const hasPrometheus = spawnSync('prometheus', ['--version']).status === 0;

interface Panel {
  type: string;
  title: string;
  targets?: Array<{ expr: string }>;
}

async function query(port: number, expr: string): Promise<{ status: string; data?: { result: unknown[] }; error?: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return (await res.json()) as { status: string; data?: { result: unknown[] }; error?: string };
}

const concrete = (expr: string) =>
  expr.replace(/\$__rate_interval|\$__interval/g, '10s').replace(/\$job/g, '.*').replace(/\$instance/g, '.*');

test('grafana/: dashboard JSON, provisioning and Prometheus files are well formed', () => {
  const dash = JSON.parse(fs.readFileSync(path.join(GRAFANA, 'otelcol-ts.json'), 'utf8')) as {
    templating: { list: Array<{ name: string }> };
    panels: Panel[];
  };
  assert.deepEqual(dash.templating.list.map((v) => v.name), ['datasource', 'job', 'instance']);
  const targets = dash.panels.flatMap((p) => p.targets ?? []);
  assert.ok(targets.length >= 20);
  for (const t of targets) assert.match(t.expr, /job=~"\$job", instance=~"\$instance"/, `filtered by job/instance: ${t.expr}`);
  for (const f of ['provisioning/datasources/prometheus.yaml', 'provisioning/dashboards/otelcol-ts.yaml', 'prometheus.yml', 'alerts.yml']) {
    assert.ok(parseYaml(fs.readFileSync(path.join(GRAFANA, f), 'utf8')), f);
  }
});

test('every dashboard query and alert expression returns data from a real Prometheus after traffic', { timeout: 90_000 }, async (t) => {
  if (!hasPrometheus) {
    t.skip('prometheus is not installed (Debian package `prometheus`; .ci/run installs it)');
    return;
  }
  const be = await CaptureBackend.start();
  t.after(() => be.close());
  const [http, metrics, prom] = await freePorts(3);
  const dir = tempDir(t);
  const col = await startCollector(t, {
    config: `
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${http}
processors:
  memory_limiter:
    check_interval: 1s
    limit_mib: 4000
  batch:
    timeout: 100ms
  tail_sampling:
    decision_wait: 300ms
    policies: [{ name: all, type: always_sample }]
exporters:
  otlp:
    endpoint: ${be.grpcEndpoint}
    tls: { insecure: true }
service:
  workers: 2
  telemetry:
    logs: { level: warn }
    metrics:
      level: detailed
      readers:
        - pull: { exporter: { prometheus: { host: 127.0.0.1, port: ${metrics} } } }
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter, tail_sampling, batch]
      exporters: [otlp]
    metrics:
      receivers: [otlp]
      processors: [memory_limiter, batch]
      exporters: [otlp]
`,
    ready: { tcpPorts: [http, metrics] },
  });
  const promCfg = fs.readFileSync(path.join(GRAFANA, 'prometheus.yml'), 'utf8')
    .replace(/scrape_interval: \S+/, 'scrape_interval: 1s')
    .replace(/evaluation_interval: \S+/, 'evaluation_interval: 1s')
    .replace(/- alerts\.yml/, `- ${path.join(GRAFANA, 'alerts.yml')}`)
    .replace(/127\.0\.0\.1:8888/g, `127.0.0.1:${metrics}`);
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), promCfg);
  const p = spawn('prometheus', [
    `--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${prom}`,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let perr = '';
  p.stderr.on('data', (d: Buffer) => (perr = (perr + d.toString()).slice(-4000)));
  t.after(() => p.kill('SIGKILL'));
  for (let i = 0; ; i++) {
    const ok = await fetch(`http://127.0.0.1:${prom}/-/ready`).then((r) => r.ok, () => false);
    if (ok) break;
    assert.ok(i < 100, `prometheus did not become ready:\n${perr}`);
    await sleep(100);
  }
  // Traffic for ~6 s: spans and metric points.
  const end = Date.now() + 6000;
  for (let n = 0; Date.now() < end; n++) {
    const tid = (n + 1).toString(16).padStart(32, '0');
    const spans = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: tid, spanId: '0000000000000001', name: 'x' }] }] }] });
    const pts = JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'm', gauge: { dataPoints: [{ asDouble: n, timeUnixNano: String(Date.now() * 1e6) }] } }] }] }] });
    for (const [pth, body] of [['/v1/traces', spans], ['/v1/metrics', pts]]) {
      const r = await fetch(`http://127.0.0.1:${http}${pth}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      assert.equal(r.status, 200);
    }
    await sleep(100);
  }
  await sleep(2500);

  const dash = JSON.parse(fs.readFileSync(path.join(GRAFANA, 'otelcol-ts.json'), 'utf8')) as { panels: Panel[] };
  const empty: string[] = [];
  for (const panel of dash.panels) {
    for (const target of panel.targets ?? []) {
      const r = await query(prom, concrete(target.expr));
      assert.equal(r.status, 'success', `${panel.title}: ${target.expr}: ${r.error}`);
      if (!r.data!.result.length) empty.push(`${panel.title}: ${target.expr}`);
    }
  }
  if (empty.length) {
    const up = await query(prom, 'up');
    const targets = await (await fetch(`http://127.0.0.1:${prom}/api/v1/targets`)).text();
    assert.deepEqual(empty, [], `panels without data (up: ${JSON.stringify(up.data?.result)}; targets: ${targets.slice(0, 800)})`);
  }

  const rules = parseYaml(fs.readFileSync(path.join(GRAFANA, 'alerts.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
  const loaded = (await (await fetch(`http://127.0.0.1:${prom}/api/v1/rules`)).json()) as {
    data: { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }> };
  };
  const byName = new Map(loaded.data.groups.flatMap((g) => g.rules).map((r) => [r.name, r] as const));
  for (const rule of rules.groups.flatMap((g) => g.rules)) {
    const l = byName.get(rule.alert);
    assert.ok(l, `alert ${rule.alert} loaded by Prometheus`);
    assert.equal(l.health, 'ok', `${rule.alert}: ${l.lastError}`);
    const full = await query(prom, rule.expr);
    assert.equal(full.status, 'success', `${rule.alert}: ${full.error}`);
    // The measured side of the comparison must have data (the alert itself need not fire).
    const lhs = rule.expr.replace(/\s*>\s*[\d.]+\s*$/, '');
    const r = await query(prom, lhs);
    assert.ok(r.data!.result.length > 0, `${rule.alert}: no data for ${lhs}`);
  }
  assert.equal(await col.stop(), 0, col.output());
});
