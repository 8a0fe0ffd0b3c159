// Test helpers for processor tests: build real TraceBatches from a compact description through the protobufjs
// oracle, and read them back (after processing) through the oracle too, so tests check what is exported.

import { TraceBatch } from '../../src/pdata/traces';
import { oracleDecodeTraces, oracleEncodeTraces } from '../oracle/otlp-oracle';

/** A double attribute value (JS numbers that are integers become ints). */
export class Dbl {
  constructor(readonly v: number) {}
}
export const dbl = (v: number) => new Dbl(v);

export type RawAttr = string | boolean | number | bigint | Dbl | RawAttr[] | Uint8Array;

export interface SpanSpec {
  name?: string;
  kind?: number;
  attributes?: Record<string, RawAttr>;
}
export interface ScopeSpec {
  name?: string;
  version?: string;
  spans: SpanSpec[];
}
export interface ResourceSpec {
  attributes?: Record<string, RawAttr>;
  scopes: ScopeSpec[];
}

function pbValue(v: RawAttr): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'bigint') return { intValue: v.toString() };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (v instanceof Dbl) return { doubleValue: v.v };
  if (v instanceof Uint8Array) return { bytesValue: v };
  return { arrayValue: { values: v.map(pbValue) } };
}

function pbAttrs(a: Record<string, RawAttr> | undefined): Array<Record<string, unknown>> {
  return Object.entries(a ?? {}).map(([key, value]) => ({ key, value: pbValue(value) }));
}

let idCounter = 1;
function id(n: number, len: number): Buffer {
  const b = Buffer.alloc(len);
  b.writeUInt32BE(n, len - 4);
  b[0] = 0xab;
  return b;
}

/** ExportTraceServiceRequest bytes for the given resources. Span ids are unique across calls. */
export function encodeRequest(resources: ResourceSpec[]): Uint8Array {
  return oracleEncodeTraces({
    resourceSpans: resources.map((r) => ({
      resource: { attributes: pbAttrs(r.attributes) },
      scopeSpans: r.scopes.map((sc) => ({
        scope: { name: sc.name ?? '', version: sc.version ?? '' },
        spans: sc.spans.map((sp) => {
          const n = idCounter++;
          return {
            traceId: id(n, 16),
            spanId: id(n, 8),
            name: sp.name ?? `span-${n}`,
            kind: sp.kind ?? 1,
            startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(n)),
            endTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(n) + 1000n),
            attributes: pbAttrs(sp.attributes),
          };
        }),
      })),
    })),
  });
}

export function makeBatch(resources: ResourceSpec[]): TraceBatch {
  return TraceBatch.decode(encodeRequest(resources));
}

/** A batch of `n` spans in one resource/scope (service `svc`). */
export function spansBatch(n: number, service = 'svc', attrs: Record<string, RawAttr> = {}): TraceBatch {
  return makeBatch([
    { attributes: { 'service.name': service }, scopes: [{ name: 'lib', spans: Array.from({ length: n }, () => ({ attributes: attrs })) }] },
  ]);
}

interface Canon {
  resourceSpans?: Array<{
    resource?: unknown;
    schemaUrl?: string;
    scopeSpans?: Array<{ scope?: unknown; schemaUrl?: string; spans?: Array<Record<string, unknown>> }>;
  }>;
}

/** Every span of a request, flattened with its resource and scope (structure-independent comparison). */
export function flattenSpans(bytes: Uint8Array): Array<{ resource: unknown; scope: unknown; span: Record<string, unknown> }> {
  const obj = oracleDecodeTraces(bytes) as Canon;
  const out: Array<{ resource: unknown; scope: unknown; span: Record<string, unknown> }> = [];
  for (const rs of obj.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) out.push({ resource: rs.resource ?? null, scope: ss.scope ?? null, span });
    }
  }
  return out;
}

/** Span attributes after processing, as plain objects `{ key: canonical AnyValue }` in order, via the oracle. */
export function spanAttributesOf(batch: TraceBatch): Array<Record<string, unknown>> {
  return flattenSpans(batch.encode()).map(({ span }) => {
    const out: Record<string, unknown> = {};
    for (const kv of (span.attributes as Array<{ key: string; value?: unknown }> | undefined) ?? []) out[kv.key] = kv.value ?? {};
    return out;
  });
}

/** Wait until `cond()` holds, polling; fails after `ms` (a bound, not a timing assertion). */
export async function waitFor(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
