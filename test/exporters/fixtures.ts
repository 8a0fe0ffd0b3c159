// Trace requests for exporter tests, built with the protobufjs oracle (independent of our codec).

import { oracleEncodeTraces } from '../oracle/otlp-oracle';

const hex = (h: string) => Buffer.from(h, 'hex');

/** Two resources, three scopes (one empty), spans with every attribute type, events, links, flags, status. */
export function richRequest(): Record<string, unknown> {
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: 'checkout' } },
            { key: 'host.cpu', value: { intValue: 8 } },
          ],
          droppedAttributesCount: 1,
        },
        schemaUrl: 'https://opentelemetry.io/schemas/1.21.0',
        scopeSpans: [
          {
            scope: { name: 'io.opentelemetry.http', version: '1.2.3', attributes: [{ key: 'lib', value: { boolValue: true } }] },
            schemaUrl: 'https://opentelemetry.io/schemas/1.20.0',
            spans: [
              {
                traceId: hex('5b8efff798038103d269b633813fc60c'),
                spanId: hex('eee19b7ec3c1b174'),
                parentSpanId: hex('eee19b7ec3c1b173'),
                traceState: 'vendor=x',
                flags: 257,
                name: 'GET /api/cart',
                kind: 2,
                startTimeUnixNano: '1544712660000000000',
                endTimeUnixNano: '1544712661000000789',
                attributes: [
                  { key: 'http.method', value: { stringValue: 'GET' } },
                  { key: 'http.status_code', value: { intValue: '200' } },
                  { key: 'ratio', value: { doubleValue: 0.25 } },
                  { key: 'ok', value: { boolValue: false } },
                  { key: 'raw', value: { bytesValue: Buffer.from('hi there') } },
                  { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 2 }] } } },
                  { key: 'map', value: { kvlistValue: { values: [{ key: 'z', value: { stringValue: 'last' } }, { key: 'a', value: { doubleValue: 1.5 } }] } } },
                ],
                droppedAttributesCount: 2,
                events: [
                  {
                    timeUnixNano: '1544712660500000000',
                    name: 'cache miss',
                    attributes: [{ key: 'key', value: { stringValue: 'cart:42' } }],
                  },
                ],
                droppedEventsCount: 3,
                links: [
                  {
                    traceId: hex('0102030405060708090a0b0c0d0e0f10'),
                    spanId: hex('1112131415161718'),
                    traceState: 'k=v',
                    attributes: [{ key: 'link.kind', value: { stringValue: 'follows' } }],
                    flags: 1,
                  },
                ],
                droppedLinksCount: 4,
                status: { code: 2, message: 'upstream failed' },
              },
              {
                traceId: hex('5b8efff798038103d269b633813fc60c'),
                spanId: hex('eee19b7ec3c1b175'),
                name: 'db query',
                kind: 3,
                startTimeUnixNano: '1544712660100000000',
                endTimeUnixNano: '1544712660200000000',
                status: { code: 1 },
              },
            ],
          },
          { scope: { name: 'empty-scope' }, spans: [] },
        ],
      },
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'payments' } }] },
        scopeSpans: [
          {
            scope: { name: 'manual' },
            spans: [
              {
                traceId: hex('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'),
                spanId: hex('bbbbbbbbbbbbbbbb'),
                name: 'charge',
                kind: 1,
                startTimeUnixNano: '1700000000000000000',
                endTimeUnixNano: '1700000000123000000',
                attributes: [{ key: 'amount', value: { doubleValue: 12.5 } }],
              },
            ],
          },
        ],
      },
    ],
  };
}

export function richRequestBytes(): Uint8Array {
  return oracleEncodeTraces(richRequest());
}

/** A request with `n` small spans in one resource/scope (ids derived from `seed`). */
export function spansRequestBytes(n: number, seed = 1): Uint8Array {
  const spans = [];
  for (let i = 0; i < n; i++) {
    const id = (seed * 100000 + i).toString(16).padStart(16, '0');
    spans.push({
      traceId: hex(id + id),
      spanId: hex(id),
      name: `span-${seed}-${i}`,
      kind: 1,
      startTimeUnixNano: String(1700000000000000000n + BigInt(i)),
      endTimeUnixNano: String(1700000000000001000n + BigInt(i)),
      attributes: [{ key: 'i', value: { intValue: i } }],
    });
  }
  return oracleEncodeTraces({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: `svc-${seed}` } }] }, scopeSpans: [{ scope: { name: 's' }, spans }] }],
  });
}
