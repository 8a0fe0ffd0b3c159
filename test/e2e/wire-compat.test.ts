// Nothing is lost on the way through: a span using every OTLP trace field (incl. the newer Span.flags and
// Link.flags, schema URLs, dropped counts, events, links, every AnyValue type) sent by a raw client arrives
// at the backend field-for-field identical — through a forwarding pipeline and through one that edits
// attributes (re-encoding). OTLP/JSON as real senders write it (uppercase hex ids, int64 as numbers or
// strings, enum names) arrives as the same data as its protobuf twin.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { canonicalFromJson, CaptureBackend, countSpans, type CanonicalRequest } from '../helpers/capture-backend';
import { CORPUS_DIR } from '../helpers/paths';
import { startCollector } from '../helpers/collector';
import { oracleDecodeTraces, oracleEncodeTraces } from '../oracle/otlp-oracle';
import { otlpReceiver, pickPorts, settle, telemetry } from './e2e-config';

function post(url: string, body: Buffer | string, contentType: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': contentType }, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';
const PARENT = 'eee19b7ec3c1b173';
const LINK_TRACE = '0af7651916cd43dd8448eb211c80319c';
const LINK_SPAN = 'b7ad6b7169203331';

/** The rich request in protobufjs fromObject form. */
function richRequest(): Record<string, unknown> {
  const kv = (key: string, value: Record<string, unknown>) => ({ key, value });
  return {
    resourceSpans: [
      {
        resource: { attributes: [kv('service.name', { stringValue: 'wire' }), kv('host.id', { intValue: '42' })], droppedAttributesCount: 1 },
        schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
        scopeSpans: [
          {
            scope: { name: 'lib', version: '0.9', attributes: [kv('scope.attr', { boolValue: true })], droppedAttributesCount: 2 },
            schemaUrl: 'https://opentelemetry.io/schemas/1.25.0',
            spans: [
              {
                traceId: Buffer.from(TRACE, 'hex'),
                spanId: Buffer.from(SPAN, 'hex'),
                parentSpanId: Buffer.from(PARENT, 'hex'),
                traceState: 'rojo=00f067aa0ba902b7',
                flags: 0x301,
                name: 'GET /api/items',
                kind: 3,
                startTimeUnixNano: '1700000000123456789',
                endTimeUnixNano: '1700000000987654321',
                attributes: [
                  kv('str', { stringValue: 'ünïcødé ✓' }),
                  kv('bool', { boolValue: false }),
                  kv('int.big', { intValue: '9007199254740993' }),
                  kv('int.neg', { intValue: '-17' }),
                  kv('double', { doubleValue: 3.25 }),
                  kv('array', { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '1' }, { boolValue: true }] } }),
                  kv('kvlist', { kvlistValue: { values: [kv('inner', { stringValue: 'x' })] } }),
                  kv('bytes', { bytesValue: Buffer.from([0, 1, 2, 255]) }),
                  kv('customer.email', { stringValue: 'someone@example.com' }),
                ],
                droppedAttributesCount: 3,
                events: [
                  { timeUnixNano: '1700000000200000000', name: 'exception', attributes: [kv('exception.type', { stringValue: 'Boom' })], droppedAttributesCount: 1 },
                ],
                droppedEventsCount: 4,
                links: [
                  {
                    traceId: Buffer.from(LINK_TRACE, 'hex'),
                    spanId: Buffer.from(LINK_SPAN, 'hex'),
                    traceState: 'congo=t61rcWkgMzE',
                    attributes: [kv('link.kind', { stringValue: 'follows' })],
                    droppedAttributesCount: 1,
                    flags: 0x101,
                  },
                ],
                droppedLinksCount: 5,
                status: { code: 2, message: 'upstream failed' },
              },
            ],
          },
        ],
      },
    ],
  };
}

/** The same request as OTLP/JSON the way varied senders write it. */
function richJson(): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'wire' } }, { key: 'host.id', value: { intValue: 42 } }], droppedAttributesCount: 1 },
        schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
        scopeSpans: [
          {
            scope: { name: 'lib', version: '0.9', attributes: [{ key: 'scope.attr', value: { boolValue: true } }], droppedAttributesCount: 2 },
            schemaUrl: 'https://opentelemetry.io/schemas/1.25.0',
            spans: [
              {
                traceId: TRACE.toUpperCase(),
                spanId: SPAN.toUpperCase(),
                parentSpanId: PARENT,
                traceState: 'rojo=00f067aa0ba902b7',
                flags: 0x301,
                name: 'GET /api/items',
                kind: 'SPAN_KIND_CLIENT',
                startTimeUnixNano: '1700000000123456789',
                endTimeUnixNano: '1700000000987654321',
                attributes: [
                  { key: 'str', value: { stringValue: 'ünïcødé ✓' } },
                  { key: 'bool', value: { boolValue: false } },
                  { key: 'int.big', value: { intValue: '9007199254740993' } },
                  { key: 'int.neg', value: { intValue: -17 } },
                  { key: 'double', value: { doubleValue: 3.25 } },
                  { key: 'array', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '1' }, { boolValue: true }] } } },
                  { key: 'kvlist', value: { kvlistValue: { values: [{ key: 'inner', value: { stringValue: 'x' } }] } } },
                  { key: 'bytes', value: { bytesValue: Buffer.from([0, 1, 2, 255]).toString('base64') } },
                  { key: 'customer.email', value: { stringValue: 'someone@example.com' } },
                ],
                droppedAttributesCount: 3,
                events: [
                  { timeUnixNano: 1700000000200000000n.toString(), name: 'exception', attributes: [{ key: 'exception.type', value: { stringValue: 'Boom' } }], droppedAttributesCount: 1 },
                ],
                droppedEventsCount: 4,
                links: [
                  {
                    traceId: LINK_TRACE.toUpperCase(),
                    spanId: LINK_SPAN,
                    traceState: 'congo=t61rcWkgMzE',
                    attributes: [{ key: 'link.kind', value: { stringValue: 'follows' } }],
                    droppedAttributesCount: 1,
                    flags: 0x101,
                  },
                ],
                droppedLinksCount: 5,
                status: { code: 'STATUS_CODE_ERROR', message: 'upstream failed' },
              },
            ],
          },
        ],
      },
    ],
  });
}

/** Canonical request with every span's attributes sorted by key (edits may append at the end). */
function sortAttrs(req: CanonicalRequest | undefined): unknown {
  const copy = JSON.parse(JSON.stringify(req ?? {})) as CanonicalRequest;
  for (const rs of copy.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) for (const sp of ss.spans ?? []) sp.attributes?.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return copy;
}

for (const mode of ['forwarding (batch only)', 'editing (attributes delete + insert)'] as const) {
  test(`wire: every field survives the ${mode} pipeline, from protobuf and from quirky OTLP/JSON`, { timeout: 30_000 }, async (t) => {
    const be = await CaptureBackend.start();
    t.after(() => be.close());
    const p = await pickPorts();
    const editing = mode.startsWith('editing');
    const col = await startCollector(t, {
      config: `
receivers:${otlpReceiver(p)}
processors:
  attributes:
    actions:
      - key: customer.email
        action: delete
      - key: edited
        value: "yes, edited"
        action: insert
  batch:
    timeout: 50ms
exporters:
  otlphttp:
    endpoint: ${be.httpEndpoint}
service:${telemetry(p)}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [${editing ? 'attributes, batch' : 'batch'}]
      exporters: [otlphttp]
`,
      ready: { tcpPorts: [p.http] },
    });
    const url = `http://127.0.0.1:${p.http}/v1/traces`;
    const sentBytes = Buffer.from(oracleEncodeTraces(richRequest()));
    const expected = oracleDecodeTraces(sentBytes) as CanonicalRequest;
    if (editing) {
      const span = expected.resourceSpans![0]!.scopeSpans![0]!.spans![0]!;
      span.attributes = span.attributes!.filter((kv) => kv.key !== 'customer.email');
      span.attributes.push({ key: 'edited', value: { stringValue: 'yes, edited' } });
    }

    // One request at a time so each arrives as its own export.
    const r1 = await post(url, sentBytes, 'application/x-protobuf');
    assert.equal(r1.status, 200, r1.body);
    await be.waitForSpans(1, 5000);
    await settle(be, 200);
    const r2 = await post(url, richJson(), 'application/json');
    assert.equal(r2.status, 200, r2.body);
    await be.waitForSpans(2, 5000);
    await settle(be, 300);

    assert.deepEqual(be.decodeErrors(), []);
    const got = be.accepted();
    assert.equal(got.length, 2, 'two exports, one per request');
    assert.deepEqual(sortAttrs(got[0]!.decoded), sortAttrs(expected), 'the protobuf request arrived field for field');
    assert.deepEqual(sortAttrs(got[1]!.decoded), sortAttrs(expected), 'the OTLP/JSON request arrived as the same data');
    assert.equal(await col.stop(), 0, col.output());
  });
}

test('wire: the opentelemetry-proto trace.json example, POSTed as OTLP/JSON, arrives unchanged', { timeout: 30_000 }, async (t) => {
  const file = path.join(CORPUS_DIR, 'otlp-json', 'trace.json');
  if (!fs.existsSync(file)) {
    t.skip(`${file} is absent (the shared corpus lives beside the repository)`);
    return;
  }
  const json = fs.readFileSync(file, 'utf8');
  const expected = canonicalFromJson(json);
  const be = await CaptureBackend.start();
  t.after(() => be.close());
  const p = await pickPorts();
  const col = await startCollector(t, {
    config: `
receivers:${otlpReceiver(p)}
processors:
  batch:
    timeout: 50ms
exporters:
  otlp:
    endpoint: ${be.grpcEndpoint}
    tls:
      insecure: true
service:${telemetry(p)}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [otlp]
`,
    ready: { tcpPorts: [p.http] },
  });
  const r = await post(`http://127.0.0.1:${p.http}/v1/traces`, json, 'application/json');
  assert.equal(r.status, 200, r.body);
  await be.waitForSpans(countSpans(expected), 5000);
  await settle(be, 300);
  assert.equal(be.accepted().length, 1);
  assert.deepEqual(be.accepted()[0]!.decoded, expected);
  assert.equal(await col.stop(), 0, col.output());
});
