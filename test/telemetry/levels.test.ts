// service.telemetry.metrics.level as a Go user expects it: `none` serves no metrics; `basic` keeps the core
// families (receiver/exporter counts, queue size, process) and drops the batch processor's (as upstream) and
// our event-loop metrics; `normal` (default) adds those but not the detailed-only families; `detailed` has
// everything. Checked on the Prometheus endpoint a user scrapes.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { parse } from 'yaml';
import { factories } from '../../src/components';
import { validateConfigOrThrow } from '../../src/config/config';
import { Registry } from '../../src/service/registry';
import { Service } from '../../src/service/service';

const config = (level: string) => `
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:0
processors:
  batch:
exporters:
  otlphttp:
    endpoint: http://127.0.0.1:9
    sending_queue:
      enabled: true
service:
  workers: 0
  telemetry:
    logs:
      level: error
    metrics:
      level: ${level}
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: 0
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [otlphttp]
`;

function families(port: number): Promise<Set<string>> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/metrics', timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(new Set(body.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]!))));
    }).on('error', reject);
  });
}

async function scrape(level: string): Promise<Set<string> | null> {
  const svc = new Service({ config: validateConfigOrThrow(parse(config(level)), new Registry(factories)) });
  await svc.start();
  try {
    const [addr] = svc.metricsAddresses();
    return addr ? await families(addr.port) : null;
  } finally {
    await svc.shutdown();
  }
}

const CORE = ['otelcol_receiver_accepted_spans', 'otelcol_exporter_sent_spans', 'otelcol_exporter_queue_size', 'otelcol_exporter_queue_capacity', 'otelcol_process_uptime_seconds', 'otelcol_process_memory_rss_bytes'];
const has = (f: Set<string>, prefix: string) => [...f].some((n) => n.startsWith(prefix));

test('metrics level none: no metrics endpoint', async () => {
  assert.equal(await scrape('none'), null);
});

test('metrics level basic: core families only (no batch processor, no event-loop metrics)', async () => {
  const f = (await scrape('basic'))!;
  for (const n of CORE) assert.ok(has(f, n), `${n} at basic:\n${[...f].join('\n')}`);
  assert.ok(!has(f, 'otelcol_processor_batch_'), 'batch processor metrics are normal level');
  assert.ok(!has(f, 'otelcol_thread_'), 'event-loop metrics are normal level');
});

test('metrics level normal (default) adds the batch processor and event-loop metrics, not the detailed-only ones', async () => {
  const f = (await scrape('normal'))!;
  for (const n of [...CORE, 'otelcol_processor_batch_batch_send_size', 'otelcol_thread_event_loop_delay_seconds']) assert.ok(has(f, n), `${n} at normal`);
  assert.ok(!f.has('otelcol_processor_batch_batch_send_size_bytes'), 'send size in bytes is detailed only');
});

test('metrics level detailed: everything, including the detailed-only batch send size in bytes', async () => {
  const f = (await scrape('detailed'))!;
  for (const n of [...CORE, 'otelcol_processor_batch_batch_send_size', 'otelcol_processor_batch_batch_send_size_bytes', 'otelcol_thread_event_loop_delay_seconds']) assert.ok(has(f, n), `${n} at detailed`);
});
