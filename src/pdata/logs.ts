// API CONTRACT STUB (issue #4) — the logs-pdata helper replaces the bodies; the public signatures below are what
// every other component codes against and MUST stay as they are (additions are fine).
//
// LogBatch: log records held as columns in SharedArrayBuffers (layout in ./layout.ts, same design as TraceBatch),
// decoded lazily from ExportLogsServiceRequest bytes. Addressed by index, in wire order:
//   resource r in [0, resourceCount), scope s in [0, scopeCount), record i in [0, logRecordCount).
// Items (what batching and self-metrics count) are LOG RECORDS.

import { UnsupportedError } from '../errors';
import type { AnyValue, Attributes, DecodeOptions, EncodeOptions, ValueType } from './traces';

/** Severity numbers as on the wire (SEVERITY_NUMBER_TRACE = 1 … FATAL4 = 24). */
export const SeverityNumber = { UNSPECIFIED: 0, TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 } as const;

export interface LogBatchTransfer {
  readonly kind: 'logs';
  readonly buffers: readonly SharedArrayBuffer[];
  readonly meta: readonly number[];
}

const ni = (): never => {
  throw new UnsupportedError('LogBatch: not implemented yet');
};

export class LogBatch {
  static decode(bytes: Uint8Array, opts?: DecodeOptions): LogBatch { void bytes; void opts; return ni(); }
  static fromJSON(body: string | Uint8Array): LogBatch { void body; return ni(); }
  static concat(batches: readonly LogBatch[]): LogBatch { void batches; return ni(); }
  static empty(): LogBatch { return ni(); }
  static fromTransfer(t: LogBatchTransfer): LogBatch { void t; return ni(); }

  get signal(): 'logs' { return 'logs'; }
  /** Log records. */
  get itemCount(): number { return 0; }
  get logRecordCount(): number { return 0; }
  get scopeCount(): number { return 0; }
  get resourceCount(): number { return 0; }
  get byteSize(): number { return 0; }

  encode(opts?: EncodeOptions): Uint8Array { void opts; return ni(); }
  toJSON(): string { return ni(); }
  slice(start: number, end: number): LogBatch { void start; void end; return ni(); }
  clone(): LogBatch { return ni(); }
  /** Keep records for which keep(i) is true (filter processor). */
  filterLogRecords(keep: (i: number) => boolean): LogBatch { void keep; return ni(); }
  toTransfer(): LogBatchTransfer { return ni(); }

  // ---- resources and scopes (same meaning as TraceBatch)
  resourceAttributes(r: number): Attributes { void r; return ni(); }
  resourceSchemaUrl(r: number): string { void r; return ni(); }
  resourceDroppedAttributesCount(r: number): number { void r; return ni(); }
  scopeResource(s: number): number { void s; return ni(); }
  scopeName(s: number): string { void s; return ni(); }
  scopeVersion(s: number): string { void s; return ni(); }
  scopeAttributes(s: number): Attributes { void s; return ni(); }
  scopeDroppedAttributesCount(s: number): number { void s; return ni(); }
  scopeSchemaUrl(s: number): string { void s; return ni(); }

  // ---- log records
  logScope(i: number): number { void i; return ni(); }
  logResource(i: number): number { void i; return ni(); }
  timeUnixNano(i: number): bigint { void i; return ni(); }
  observedTimeUnixNano(i: number): bigint { void i; return ni(); }
  severityNumber(i: number): number { void i; return ni(); }
  severityText(i: number): string { void i; return ni(); }
  bodyType(i: number): ValueType { void i; return ni(); }
  /** The body as a JS value (`{}` when absent). */
  body(i: number): AnyValue { void i; return ni(); }
  /** Body as a string when it is a string (fast path for matching), else undefined. */
  bodyString(i: number): string | undefined { void i; return ni(); }
  logAttributes(i: number): Attributes { void i; return ni(); }
  droppedAttributesCount(i: number): number { void i; return ni(); }
  flags(i: number): number { void i; return ni(); }
  /** '' when absent. */
  traceIdHex(i: number): string { void i; return ni(); }
  /** The 16 trace id bytes as a view, or an empty array when absent (sharding). */
  traceIdBytes(i: number): Uint8Array { void i; return ni(); }
  spanIdHex(i: number): string { void i; return ni(); }
  eventName(i: number): string { void i; return ni(); }

  // ---- mutation (marks the record dirty)
  setBody(i: number, body: AnyValue): void { void i; void body; ni(); }
  setSeverity(i: number, num: number, text: string): void { void i; void num; void text; ni(); }
}
