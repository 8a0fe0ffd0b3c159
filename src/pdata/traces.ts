// API CONTRACT STUB — the pdata helper replaces the bodies; the signatures below are what every other
// component codes against and MUST stay as they are (additions are fine).
//
// TraceBatch: traces held as columns in SharedArrayBuffers (layout in ./layout.ts), decoded lazily from
// ExportTraceServiceRequest bytes. Spans, scopes and resources are addressed by index:
//   span i in [0, spanCount), scope s in [0, scopeCount), resource r in [0, resourceCount).
// Spans are in wire order; spans of one scope are contiguous; scopes of one resource are contiguous.

import { UnsupportedError } from '../errors';

/** An OTLP AnyValue as a JS value, shaped like OTLP/JSON but with int64 as bigint. `{}` is the empty value. */
export type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: bigint }
  | { doubleValue: number }
  | { bytesValue: Uint8Array }
  | { arrayValue: AnyValue[] }
  | { kvlistValue: Array<[string, AnyValue]> }
  | Record<string, never>;

export type ValueType = 'empty' | 'string' | 'bool' | 'int' | 'double' | 'bytes' | 'array' | 'kvlist';

/** Span kinds and status codes as on the wire. */
export const SpanKind = { UNSPECIFIED: 0, INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;
export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;

/**
 * The attributes of one span, resource, scope, event or link. A view: it reads and writes the batch's columns;
 * writes mark the owner dirty so only it is re-encoded. Views are cheap to create and may be kept until the
 * batch is handed downstream.
 */
export interface Attributes {
  readonly length: number;
  key(j: number): string;
  type(j: number): ValueType;
  /** Value of entry j as a JS value. */
  value(j: number): AnyValue;
  /** Index of `key`, or -1. Compares bytes; does not decode other keys to strings. */
  indexOf(key: string): number;
  get(key: string): AnyValue | undefined;
  /** String value of `key` if it is a string attribute, else undefined (fast path for matching). */
  getString(key: string): string | undefined;
  /** Insert or replace (upsert). */
  set(key: string, value: AnyValue): void;
  /** Remove `key`; true if it was present. */
  delete(key: string): boolean;
  /** Plain object `{ key: AnyValue }` in order (for tests and the debug exporter). */
  toObject(): Record<string, AnyValue>;
}

/** Transferable form: SharedArrayBuffers and numbers only (postMessage moves it without copying data). */
export interface TraceBatchTransfer {
  readonly kind: 'traces';
  readonly buffers: readonly SharedArrayBuffer[];
  readonly meta: readonly number[];
}

export interface DecodeOptions {
  /** Parse every attribute, event, link and string into columns now (benchmarks, tests). Default: lazy. */
  eager?: boolean;
}

export interface EncodeOptions {
  /** Re-encode every span from columns even when its original bytes could be copied (benchmarks, tests). */
  fromColumns?: boolean;
}

export class TraceBatch {
  /** Decode an ExportTraceServiceRequest. Throws DecodeError (OTELTS_ERR_DECODE) on malformed input. */
  static decode(bytes: Uint8Array, opts?: DecodeOptions): TraceBatch {
    void bytes; void opts;
    throw new UnsupportedError('TraceBatch.decode: not implemented yet');
  }
  /** Decode an OTLP/JSON ExportTraceServiceRequest (text or UTF-8 bytes). Throws DecodeError. */
  static fromJSON(body: string | Uint8Array): TraceBatch {
    void body;
    throw new UnsupportedError('TraceBatch.fromJSON: not implemented yet');
  }
  /** A batch with every span of `batches`, in order (batching). */
  static concat(batches: readonly TraceBatch[]): TraceBatch {
    void batches;
    throw new UnsupportedError('TraceBatch.concat: not implemented yet');
  }
  static empty(): TraceBatch {
    throw new UnsupportedError('TraceBatch.empty: not implemented yet');
  }
  static fromTransfer(t: TraceBatchTransfer): TraceBatch {
    void t;
    throw new UnsupportedError('TraceBatch.fromTransfer: not implemented yet');
  }

  get spanCount(): number { return 0; }
  get scopeCount(): number { return 0; }
  get resourceCount(): number { return 0; }
  /** Bytes this batch holds (wire bytes + columns): what memory bounds count. */
  get byteSize(): number { return 0; }

  /** ExportTraceServiceRequest protobuf. A batch nobody modified encodes to its original bytes. */
  encode(opts?: EncodeOptions): Uint8Array { void opts; return new Uint8Array(0); }
  /** OTLP/JSON text (hex ids, int64 as strings, enums as ints, lowerCamelCase). */
  toJSON(): string { return ''; }
  /** Spans [start, end) with their scopes and resources, as a new batch (splitting). */
  slice(start: number, end: number): TraceBatch { void start; void end; return this; }
  /** A private copy (fan-out to a consumer that mutates). */
  clone(): TraceBatch { return this; }
  /** Keep only spans for which `keep(i)` is true (filtering, sampling); returns a new batch. */
  filterSpans(keep: (i: number) => boolean): TraceBatch { void keep; return this; }
  toTransfer(): TraceBatchTransfer { return { kind: 'traces', buffers: [], meta: [] }; }

  // ---- resources and scopes
  resourceAttributes(r: number): Attributes { void r; throw new UnsupportedError('not implemented'); }
  resourceSchemaUrl(r: number): string { void r; return ''; }
  resourceDroppedAttributesCount(r: number): number { void r; return 0; }
  scopeResource(s: number): number { void s; return 0; }
  scopeName(s: number): string { void s; return ''; }
  scopeVersion(s: number): string { void s; return ''; }
  scopeAttributes(s: number): Attributes { void s; throw new UnsupportedError('not implemented'); }
  scopeSchemaUrl(s: number): string { void s; return ''; }

  // ---- spans
  spanScope(i: number): number { void i; return 0; }
  spanResource(i: number): number { void i; return 0; }
  /** 32 lowercase hex chars. */
  traceIdHex(i: number): string { void i; return ''; }
  /** The 16 trace id bytes as a view (no copy) — for hashing/sharding. */
  traceIdBytes(i: number): Uint8Array { void i; return new Uint8Array(16); }
  spanIdHex(i: number): string { void i; return ''; }
  /** '' when absent. */
  parentSpanIdHex(i: number): string { void i; return ''; }
  traceState(i: number): string { void i; return ''; }
  flags(i: number): number { void i; return 0; }
  name(i: number): string { void i; return ''; }
  kind(i: number): number { void i; return 0; }
  startTimeUnixNano(i: number): bigint { void i; return 0n; }
  endTimeUnixNano(i: number): bigint { void i; return 0n; }
  /** end - start in nanoseconds as a double (latency policies). */
  durationNanos(i: number): number { void i; return 0; }
  spanAttributes(i: number): Attributes { void i; throw new UnsupportedError('not implemented'); }
  droppedAttributesCount(i: number): number { void i; return 0; }
  statusCode(i: number): number { void i; return 0; }
  statusMessage(i: number): string { void i; return ''; }
  eventCount(i: number): number { void i; return 0; }
  droppedEventsCount(i: number): number { void i; return 0; }
  linkCount(i: number): number { void i; return 0; }
  droppedLinksCount(i: number): number { void i; return 0; }
  /** Event e of span i (0 <= e < eventCount(i)). */
  eventName(i: number, e: number): string { void i; void e; return ''; }
  eventTimeUnixNano(i: number, e: number): bigint { void i; void e; return 0n; }
  eventAttributes(i: number, e: number): Attributes { void i; void e; throw new UnsupportedError('not implemented'); }
  eventDroppedAttributesCount(i: number, e: number): number { void i; void e; return 0; }
  /** Link l of span i (0 <= l < linkCount(i)). */
  linkTraceIdHex(i: number, l: number): string { void i; void l; return ''; }
  linkSpanIdHex(i: number, l: number): string { void i; void l; return ''; }
  linkTraceState(i: number, l: number): string { void i; void l; return ''; }
  linkFlags(i: number, l: number): number { void i; void l; return 0; }
  linkAttributes(i: number, l: number): Attributes { void i; void l; throw new UnsupportedError('not implemented'); }
  linkDroppedAttributesCount(i: number, l: number): number { void i; void l; return 0; }

  // ---- span mutation (marks the span dirty)
  setName(i: number, name: string): void { void i; void name; }
  setStatus(i: number, code: number, message: string): void { void i; void code; void message; }
}
