// Builders for tail_sampling policy tests: real TraceBatches (protobufjs oracle → TraceBatch.decode) and the
// SampledTrace views the trace store hands to the policies (span indices grouped by trace id, arrival order).

import { TraceBatch } from '../../../src/pdata/traces';
import type { SampledTrace } from '../../../src/processors/tail_sampling/types';
import { oracleEncodeTraces } from '../../oracle/otlp-oracle';

export class Dbl {
  constructor(readonly v: number) {}
}
export const dbl = (v: number) => new Dbl(v);
export type RawAttr = string | boolean | number | bigint | Dbl | Uint8Array;

export interface TSpan {
  /** A number n gives the id 0x00…0n; a 32-char hex string is used as is. */
  trace: number | string;
  name?: string;
  /** Nanoseconds since the epoch. */
  start?: bigint;
  end?: bigint;
  status?: number;
  attrs?: Record<string, RawAttr>;
  traceState?: string;
  flags?: number;
  events?: Array<{ name: string; attrs?: Record<string, RawAttr> }>;
}
export interface TResource {
  attrs?: Record<string, RawAttr>;
  spans: TSpan[];
}

function pbValue(v: RawAttr): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'bigint') return { intValue: v.toString() };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (v instanceof Dbl) return { doubleValue: v.v };
  return { bytesValue: v };
}
const pbAttrs = (a: Record<string, RawAttr> | undefined) => Object.entries(a ?? {}).map(([key, value]) => ({ key, value: pbValue(value) }));

export function traceIdHex(t: number | string): string {
  return typeof t === 'string' ? t : t.toString(16).padStart(32, '0');
}

let spanSeq = 1;
export const T0 = 1_700_000_000_000_000_000n;
const MS = 1_000_000n;

export function buildBatch(resources: TResource[]): TraceBatch {
  const bytes = oracleEncodeTraces({
    resourceSpans: resources.map((r) => ({
      resource: { attributes: pbAttrs(r.attrs) },
      scopeSpans: [
        {
          scope: { name: 'test' },
          spans: r.spans.map((s) => {
            const n = spanSeq++;
            const sid = Buffer.alloc(8);
            sid.writeUInt32BE(n, 4);
            return {
              traceId: Buffer.from(traceIdHex(s.trace), 'hex'),
              spanId: sid,
              name: s.name ?? `span-${n}`,
              kind: 1,
              startTimeUnixNano: String(s.start ?? T0),
              endTimeUnixNano: String(s.end ?? (s.start ?? T0) + MS),
              attributes: pbAttrs(s.attrs),
              ...(s.status !== undefined ? { status: { code: s.status } } : {}),
              ...(s.traceState !== undefined ? { traceState: s.traceState } : {}),
              ...(s.flags !== undefined ? { flags: s.flags } : {}),
              events: (s.events ?? []).map((e) => ({ timeUnixNano: String(T0), name: e.name, attributes: pbAttrs(e.attrs) })),
            };
          }),
        },
      ],
    })),
  });
  return TraceBatch.decode(bytes);
}

/** The SampledTrace views of every trace in `batch`, by trace id hex (spans in batch order). */
export function tracesOf(batch: TraceBatch, byteSize?: (id: string) => number): Map<string, SampledTrace> {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < batch.spanCount; i++) {
    const id = batch.traceIdHex(i);
    let g = groups.get(id);
    if (!g) groups.set(id, (g = []));
    g.push(i);
  }
  const out = new Map<string, SampledTrace>();
  for (const [id, g] of groups) {
    out.set(id, {
      batch,
      spans: Int32Array.from(g),
      traceId: batch.traceIdBytes(g[0]!),
      arrivalMs: 0,
      byteSize: byteSize ? byteSize(id) : g.length * 100,
      early: false,
    });
  }
  return out;
}

/** One trace made of `spans` (all given the trace id 1 unless they say otherwise) in one or more resources. */
export function oneTrace(...resources: TResource[]): SampledTrace {
  const b = buildBatch(resources);
  const all = tracesOf(b);
  if (all.size !== 1) throw new Error(`expected one trace, got ${all.size}`);
  return [...all.values()][0]!;
}

/** Shorthand: a trace (id 1) of spans in one resource. */
export function spans(list: Array<Omit<TSpan, 'trace'>>, resourceAttrs?: Record<string, RawAttr>): SampledTrace {
  return oneTrace({ attrs: resourceAttrs, spans: list.map((s) => ({ trace: 1, ...s })) });
}

export const ms = (n: number): bigint => BigInt(n) * MS;
