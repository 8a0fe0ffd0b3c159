// The collector process as an operator sees it: validate, components, health_check, graceful SIGTERM with a
// pending batch, --set overrides, ${env:VAR:-default} in the config, several --config files merged.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { parse as parseYaml } from 'yaml';
import { CaptureBackend } from '../helpers/capture-backend';
import { freePorts, httpGet, runCli, sleep, startCollector, tempDir, writeFile } from '../helpers/collector';
import { createSdk } from '../helpers/sdk';
import { assertExactlyOnce, otlpReceiver, pickPorts, settle, spanAttrs, telemetry, type Ports } from './e2e-config';

function otlpExporter(be: CaptureBackend): string {
  return `
  otlp:
    endpoint: ${be.grpcEndpoint}
    tls:
      insecure: true`;
}

/** receivers otlp → batch (given settings) → otlp exporter to the backend, with health_check. */
function batchConfig(p: Ports, be: CaptureBackend, batch: string): string {
  return `
receivers:${otlpReceiver(p)}
processors:
  batch:
${batch}
exporters:${otlpExporter(be)}
extensions:
  health_check:
    endpoint: 127.0.0.1:${p.health}
service:
  extensions: [health_check]${telemetry(p)}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [otlp]
`;
}

const healthUrl = (p: Ports) => `http://127.0.0.1:${p.health}/`;

/** Hold a TCP port ourselves (so a collector that tried to bind it would fail loudly). */
async function holdPort(t: { after(fn: () => unknown): void }, port: number): Promise<void> {
  const srv = net.createServer((s) => s.destroy());
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve());
  });
  t.after(() => new Promise<void>((r) => srv.close(() => r())));
}

// Two independent mistakes in one file, in two different components.
function twoErrorConfig(p: Ports): string {
  return `
receivers:${otlpReceiver(p)}
processors:
  batch:
    send_batch_size: eight
exporters:
  debug:
    no_such_option: 1
service:${telemetry(p)}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [debug]
`;
}

test('validate: a good config exits 0 without touching the network (its ports may be busy)', async (t) => {
  const be = await CaptureBackend.start();
  t.after(() => be.close());
  const p = await pickPorts();
  await holdPort(t, p.grpc);
  await holdPort(t, p.http);
  const file = writeFile(tempDir(t), 'good.yaml', batchConfig(p, be, '    send_batch_size: 100\n    timeout: 1s'));
  const r = await runCli(t, ['validate', `--config=${file}`]);
  assert.equal(r.code, 0, `validate exit code\n${r.stdout}\n${r.stderr}`);
});

test('validate: a bad config exits 1 and lists every error with its YAML path', async (t) => {
  const p = await pickPorts();
  const file = writeFile(tempDir(t), 'bad.yaml', twoErrorConfig(p));
  const r = await runCli(t, ['validate', '--config', file]);
  const out = r.stdout + r.stderr;
  assert.equal(r.code, 1, `validate exit code\n${out}`);
  assert.match(out, /processors\.batch\.send_batch_size/, 'first error (with its path) printed');
  assert.match(out, /exporters\.debug\.no_such_option/, 'second error (with its path) printed');
  assert.doesNotMatch(out, /^\s+at .+\(.*:\d+:\d+\)$/m, 'no stack trace for a config error');
});

test('run: a bad config exits 1 with every error before opening any port', async (t) => {
  const p = await pickPorts();
  // We hold the receiver ports: a collector that bound its ports before validating would fail with
  // EADDRINUSE instead of (or before) reporting the config errors.
  await holdPort(t, p.grpc);
  await holdPort(t, p.http);
  const dir = tempDir(t);
  const r = await runCli(t, ['--config', writeFile(dir, 'bad.yaml', twoErrorConfig(p))]);
  const out = r.stdout + r.stderr;
  assert.equal(r.code, 1, `exit code\n${out}`);
  assert.match(out, /processors\.batch\.send_batch_size/);
  assert.match(out, /exporters\.debug\.no_such_option/);
  assert.doesNotMatch(out, /EADDRINUSE|address already in use/i, 'ports were opened before the config was validated');
});

test('components: lists the built-in receivers, processors, exporters and extensions', async (t) => {
  const r = await runCli(t, ['components']);
  assert.equal(r.code, 0, r.stderr);
  const want: Record<string, string[]> = {
    receivers: ['otlp'],
    processors: ['batch', 'memory_limiter', 'attributes'],
    exporters: ['otlp', 'otlphttp', 'debug'],
    extensions: ['health_check'],
  };
  // The Go collector prints YAML: { receivers: [{ name, stability, ... }], processors: [...], ... }.
  let doc: unknown;
  try {
    doc = parseYaml(r.stdout);
  } catch {
    doc = undefined;
  }
  const structured = doc && typeof doc === 'object' && Array.isArray((doc as Record<string, unknown>).receivers);
  if (structured) {
    for (const [kind, names] of Object.entries(want)) {
      const list = (doc as Record<string, unknown>)[kind];
      assert.ok(Array.isArray(list), `components output has a "${kind}" list\n${r.stdout}`);
      const have = (list as Array<Record<string, unknown>>).map((c) => String(c.name ?? c.type ?? ''));
      for (const n of names) assert.ok(have.includes(n), `${kind} lists ${n} (have ${have.join(', ')})`);
    }
  } else {
    t.diagnostic('components output is not the Go collector YAML shape; checking the names only');
    for (const names of Object.values(want)) for (const n of names) assert.match(r.stdout, new RegExp(`\\b${n}\\b`), `lists ${n}\n${r.stdout}`);
  }
});

test('health_check answers 200 while running; SIGTERM flushes a pending batch (10s timeout) and exits 0', { timeout: 30_000 }, async (t) => {
  const be = await CaptureBackend.start();
  t.after(() => be.close());
  const p = await pickPorts();
  const col = await startCollector(t, {
    config: batchConfig(p, be, '    send_batch_size: 1000\n    timeout: 10s'),
    ready: { healthUrl: healthUrl(p) },
  });
  const h = await httpGet(healthUrl(p));
  assert.equal(h.status, 200, `health_check status (body ${h.body})`);

  const sdk = createSdk({ protocol: 'grpc', url: `http://127.0.0.1:${p.grpc}`, serviceName: 'shutdown-flush' });
  const N = 10;
  const expected = await sdk.makeSpans(N);
  await sdk.shutdown();
  assert.deepEqual(sdk.failedExports(), [], col.output());
  // The collector accepted the spans; with a 10 s timeout and 1000-span batches they are still pending.
  await sleep(500);
  assert.equal(be.spanCount(), 0, 'the batch must still be pending before SIGTERM (10 s timeout)');

  const code = await col.stop(10_000);
  assert.equal(code, 0, `exit code after SIGTERM\n${col.output()}`);
  assert.equal(be.spanCount(), N, `the pending batch was flushed on shutdown\n${col.output()}`);
  assertExactlyOnce(be.spans(), expected);
});

test('--set overrides a config value (processors.batch.send_batch_size)', { timeout: 30_000 }, async (t) => {
  const be = await CaptureBackend.start();
  t.after(() => be.close());
  const p = await pickPorts();
  const col = await startCollector(t, {
    config: batchConfig(p, be, '    send_batch_size: 1000\n    timeout: 10s'),
    // One worker: send_batch_size counts per worker (spans of different traces go to different workers).
    args: ['--set=processors.batch.send_batch_size=3', '--set=service.workers=1'],
    ready: { healthUrl: healthUrl(p) },
  });
  const sdk = createSdk({ protocol: 'grpc', url: `http://127.0.0.1:${p.grpc}`, serviceName: 'set-flag' });
  const first = await sdk.makeSpans(2, { oneTrace: false, namePrefix: 'a' });
  await sleep(500);
  assert.equal(be.spanCount(), 0, '2 spans < send_batch_size 3: still batched');
  const second = await sdk.makeSpans(1, { oneTrace: false, namePrefix: 'b' });
  await sdk.shutdown();
  // 3 spans reach the overridden send_batch_size: sent now, not after the 10 s timeout.
  await be.waitForSpans(3, 5000).catch((e) => {
    throw new Error(`${(e as Error).message} (was --set applied?)\n${col.output()}`);
  });
  await settle(be, 300);
  assertExactlyOnce(be.spans(), [...first, ...second]);
  assert.equal(await col.stop(), 0, col.output());
});

test('${env:VAR} and ${env:VAR:-default} are expanded (ports, ints, strings)', { timeout: 30_000 }, async (t) => {
  const be = await CaptureBackend.start();
  t.after(() => be.close());
  const p = await pickPorts();
  const config = `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:\${env:E2E_GRPC_PORT}
processors:
  batch:
    send_batch_size: \${env:E2E_UNSET_BATCH_SIZE:-2}
    timeout: 10s
  attributes:
    actions:
      - key: team
        value: \${env:E2E_TEAM:-team-default}
        action: insert
      - key: region
        value: \${env:E2E_REGION:-region-default}
        action: insert
exporters:${otlpExporter(be)}
service:
  workers: 1 # send_batch_size counts per worker (spans of different traces go to different workers)${telemetry(p)}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [attributes, batch]
      exporters: [otlp]
`;
  const col = await startCollector(t, {
    config,
    env: { E2E_GRPC_PORT: String(p.grpc), E2E_REGION: 'eu-west-1', E2E_UNSET_BATCH_SIZE: undefined, E2E_TEAM: undefined },
    ready: { tcpPorts: [p.grpc] },
  });
  const sdk = createSdk({ protocol: 'grpc', url: `http://127.0.0.1:${p.grpc}`, serviceName: 'env-vars' });
  const first = await sdk.makeSpans(1, { oneTrace: false, namePrefix: 'a' });
  await sleep(500);
  assert.equal(be.spanCount(), 0, '1 span < send_batch_size 2 (the default of the unset variable): still batched');
  const second = await sdk.makeSpans(1, { oneTrace: false, namePrefix: 'b' });
  await sdk.shutdown();
  await be.waitForSpans(2, 5000).catch((e) => {
    throw new Error(`${(e as Error).message}\n${col.output()}`);
  });
  await settle(be, 300);
  const byId = assertExactlyOnce(be.spans(), [...first, ...second]);
  for (const s of byId.values()) {
    assert.deepEqual(spanAttrs(s), { team: 'team-default', region: 'eu-west-1' });
  }
  assert.equal(await col.stop(), 0, col.output());
});

test('two --config files are deep-merged (maps merged, later file wins)', { timeout: 30_000 }, async (t) => {
  const be = await CaptureBackend.start();
  t.after(() => be.close());
  const p = await pickPorts();
  const base = `
receivers:${otlpReceiver(p)}
processors:
  batch:
    send_batch_size: 1000
    timeout: 10s
extensions:
  health_check:
    endpoint: 127.0.0.1:${p.health}
service:
  extensions: [health_check]${telemetry(p)}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [attributes, batch]
      exporters: [otlp]
`;
  // The second file adds the exporter and the attributes processor and changes only send_batch_size:
  // batch.timeout (10s) must survive from the first file.
  const overlay = `
processors:
  batch:
    send_batch_size: 2
  attributes:
    actions:
      - key: merged.from
        value: overlay
        action: upsert
exporters:${otlpExporter(be)}
service:
  workers: 1 # send_batch_size counts per worker (spans of different traces go to different workers)
`;
  const col = await startCollector(t, { configs: [base, overlay], ready: { healthUrl: healthUrl(p) } });
  const sdk = createSdk({ protocol: 'http/protobuf', url: `http://127.0.0.1:${p.http}/v1/traces`, serviceName: 'merge' });
  const first = await sdk.makeSpans(1, { oneTrace: false, namePrefix: 'a' });
  await sleep(500);
  assert.equal(be.spanCount(), 0, '1 span < send_batch_size 2 and timeout 10s kept from the first file: still batched');
  const second = await sdk.makeSpans(1, { oneTrace: false, namePrefix: 'b' });
  await sdk.shutdown();
  await be.waitForSpans(2, 5000).catch((e) => {
    throw new Error(`${(e as Error).message}\n${col.output()}`);
  });
  await settle(be, 300);
  const byId = assertExactlyOnce(be.spans(), [...first, ...second]);
  for (const s of byId.values()) assert.equal(spanAttrs(s)['merged.from'], 'overlay');
  assert.equal(await col.stop(), 0, col.output());
});

test('an unknown component type gets a clear message (exit 1, no stack trace), from validate and from run', async (t) => {
  const p = await pickPorts();
  const file = writeFile(
    tempDir(t),
    'unknown.yaml',
    `
receivers:${otlpReceiver(p)}
exporters:
  kafkaa:
    brokers: [localhost:9092]
service:${telemetry(p)}
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [kafkaa]
`,
  );
  for (const args of [['validate', '--config', file], ['--config', file]]) {
    const r = await runCli(t, args);
    const out = r.stdout + r.stderr;
    assert.equal(r.code, 1, `${args[0]}: exit code\n${out}`);
    assert.match(out, /kafkaa/, `${args[0]}: names the unknown type`);
    assert.doesNotMatch(out, /^\s+at .+:\d+:\d+\)?$/m, `${args[0]}: no stack trace\n${out}`);
  }
});

test('SIGINT (Ctrl-C) shuts down gracefully too: pending batch flushed, exit 0', { timeout: 30_000 }, async (t) => {
  const be = await CaptureBackend.start();
  t.after(() => be.close());
  const p = await pickPorts();
  const col = await startCollector(t, {
    config: batchConfig(p, be, '    send_batch_size: 1000\n    timeout: 10s'),
    ready: { healthUrl: healthUrl(p) },
  });
  const sdk = createSdk({ protocol: 'http/json', url: `http://127.0.0.1:${p.http}/v1/traces`, serviceName: 'ctrl-c' });
  const expected = await sdk.makeSpans(4);
  await sdk.shutdown();
  assert.deepEqual(sdk.failedExports(), [], col.output());
  col.proc.kill('SIGINT');
  const info = await col.waitForExit(10_000);
  assert.equal(info.code, 0, `exit code after SIGINT\n${col.output()}`);
  assertExactlyOnce(be.spans(), expected);
});

test('SIGTERM with the backend down exits promptly (retries interrupted) and logs what it dropped', { timeout: 30_000 }, async (t) => {
  const p = await pickPorts();
  const deadPort = (await freePorts(1))[0]!; // nothing listens there
  const col = await startCollector(t, {
    config: `
receivers:${otlpReceiver(p)}
processors:
  batch:
    timeout: 100ms
exporters:
  otlphttp:
    endpoint: http://127.0.0.1:${deadPort}
service:${telemetry(p)}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [otlphttp]
`,
    ready: { tcpPorts: [p.grpc, p.http] },
  });
  const sdk = createSdk({ protocol: 'grpc', url: `http://127.0.0.1:${p.grpc}`, serviceName: 'backend-down' });
  await sdk.makeSpans(5);
  await sdk.shutdown();
  // The exporter is now retrying (default retry_on_failure: 5 s initial interval, 300 s max elapsed).
  await col.waitForOutput(/ECONNREFUSED|connection refused/i, 5000);
  assert.equal(await col.stop(10_000), 0, col.output());
  assert.match(col.output(), /dropp\w*[^\n]*\b5\b/i, `the 5 dropped spans are reported in the log\n${col.output()}`);
});
