// What the OTLP receiver writes on the wire besides data: Export{Trace,Metrics,Logs}ServiceResponse (empty or
// with partial_success), google.rpc.Status error bodies (protobuf and JSON), google.rpc.RetryInfo, and the mapping of
// errors thrown downstream to gRPC codes / HTTP statuses.
//
// Hand-encoded protobuf (tiny messages, no dependency):
//   google.rpc.Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
//   google.protobuf.Any { string type_url = 1; bytes value = 2; }
//   google.rpc.RetryInfo { google.protobuf.Duration retry_delay = 1; }
//   google.protobuf.Duration { int64 seconds = 1; int32 nanos = 2; }
//   Export{Trace,Metrics,Logs}ServiceResponse { Export*PartialSuccess partial_success = 1; }
//   Export*PartialSuccess { int64 rejected_{spans,data_points,log_records} = 1; string error_message = 2; }

import { GrpcStatus, OtelTsError, type ErrorOptions } from '../../errors';

export const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';

// ---- minimal protobuf writer

function varint(out: number[], v: number): void {
  // v is a non-negative integer below 2^53.
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

/** int32/int64 varint (negative int32 values take 10 bytes, as protobuf requires). */
function signedVarint(out: number[], v: number): void {
  if (v >= 0) return varint(out, v);
  const big = BigInt.asUintN(64, BigInt(v));
  let x = big;
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
}

function tag(out: number[], field: number, wire: number): void {
  varint(out, (field << 3) | wire);
}

function bytesField(out: number[], field: number, bytes: Uint8Array | number[]): void {
  tag(out, field, 2);
  varint(out, bytes.length);
  for (let i = 0; i < bytes.length; i++) out.push(bytes[i]!);
}

function stringField(out: number[], field: number, str: string): void {
  if (!str) return;
  bytesField(out, field, Buffer.from(str, 'utf8'));
}

// ---- messages

export interface RpcStatus {
  code: number;
  message: string;
  /** Seconds for a google.rpc.RetryInfo detail; none when undefined. */
  retryAfterSeconds?: number;
}

function encodeRetryInfo(seconds: number): number[] {
  const whole = Math.floor(seconds);
  const nanos = Math.round((seconds - whole) * 1e9);
  const duration: number[] = [];
  if (whole) {
    tag(duration, 1, 0);
    varint(duration, whole);
  }
  if (nanos) {
    tag(duration, 2, 0);
    varint(duration, nanos);
  }
  const retryInfo: number[] = [];
  bytesField(retryInfo, 1, duration);
  return retryInfo;
}

/** google.rpc.Status protobuf bytes (what gRPC carries in `grpc-status-details-bin`, and OTLP/HTTP error bodies). */
export function encodeRpcStatus(st: RpcStatus): Buffer {
  const out: number[] = [];
  if (st.code) {
    tag(out, 1, 0);
    signedVarint(out, st.code);
  }
  stringField(out, 2, st.message);
  if (st.retryAfterSeconds !== undefined && st.retryAfterSeconds >= 0) {
    const any: number[] = [];
    stringField(any, 1, RETRY_INFO_TYPE_URL);
    bytesField(any, 2, encodeRetryInfo(st.retryAfterSeconds));
    bytesField(out, 3, any);
  }
  return Buffer.from(out);
}

/** google.protobuf.Duration in protojson form ("1s", "0.500s"). */
function jsonDuration(seconds: number): string {
  const whole = Math.floor(seconds);
  const nanos = Math.round((seconds - whole) * 1e9);
  if (!nanos) return `${whole}s`;
  let frac = String(nanos).padStart(9, '0');
  frac = frac.endsWith('000000') ? frac.slice(0, 3) : frac.endsWith('000') ? frac.slice(0, 6) : frac;
  return `${whole}.${frac}s`;
}

/** google.rpc.Status as protojson (Go's jsonEncoder.marshalStatus). */
export function rpcStatusJson(st: RpcStatus): string {
  const obj: Record<string, unknown> = {};
  if (st.code) obj.code = st.code;
  if (st.message) obj.message = st.message;
  if (st.retryAfterSeconds !== undefined && st.retryAfterSeconds >= 0) {
    obj.details = [{ '@type': RETRY_INFO_TYPE_URL, retryDelay: jsonDuration(st.retryAfterSeconds) }];
  }
  return JSON.stringify(obj);
}

export interface PartialSuccess {
  /** rejected_spans / rejected_data_points / rejected_log_records. */
  rejected: number;
  errorMessage: string;
}

const EMPTY = Buffer.alloc(0);

/**
 * ExportTrace/Metrics/LogsServiceResponse protobuf (the three have the same field numbers): empty on full success,
 * else partial_success = 1 { int64 rejected_<items> = 1; string error_message = 2 }.
 */
export function encodeExportResponse(partial?: PartialSuccess): Buffer {
  if (!partial || (!partial.rejected && !partial.errorMessage)) return EMPTY;
  const ps: number[] = [];
  if (partial.rejected) {
    tag(ps, 1, 0);
    signedVarint(ps, partial.rejected);
  }
  stringField(ps, 2, partial.errorMessage);
  const out: number[] = [];
  bytesField(out, 1, ps);
  return Buffer.from(out);
}

/**
 * The response as OTLP/JSON: `{}` or `{"partialSuccess":{"<rejectedKey>":"3","errorMessage":"..."}}` with
 * rejectedKey rejectedSpans / rejectedDataPoints / rejectedLogRecords (int64 as a string, as protojson writes it).
 */
export function exportResponseJson(rejectedKey: string, partial?: PartialSuccess): string {
  if (!partial || (!partial.rejected && !partial.errorMessage)) return '{}';
  const ps: Record<string, unknown> = {};
  if (partial.rejected) ps[rejectedKey] = String(partial.rejected);
  if (partial.errorMessage) ps.errorMessage = partial.errorMessage;
  return JSON.stringify({ partialSuccess: ps });
}

// ---- errors

/**
 * A consumer accepted the batch except `rejected` items (spans, data points or log records dropped on purpose,
 * e.g. invalid). The receiver answers success with `partial_success` instead of an error, as the OTLP spec
 * prescribes. Not retryable.
 */
export class PartialSuccessError extends OtelTsError {
  readonly rejected: number;
  constructor(rejected: number, message: string, opts: ErrorOptions = {}) {
    super('OTELTS_ERR_EXPORT_PERMANENT', message, GrpcStatus.OK, 200, false, opts);
    this.rejected = rejected;
  }
  /** The traces spelling of `rejected`. */
  get rejectedSpans(): number {
    return this.rejected;
  }
}

/** The wire form of an error: gRPC code, HTTP status, message, optional retry delay. */
export interface WireError {
  grpcCode: number;
  httpStatus: number;
  message: string;
  retryAfterSeconds?: number;
}

/**
 * Map an error thrown downstream (consumer) to what the sender sees. OtelTsErrors carry their own codes.
 * Anything else follows the Go receiver (internal/errors.GetStatusFromError): a plain error is retryable,
 * gRPC UNAVAILABLE / HTTP 503, with its message.
 */
export function consumerErrorToWire(err: unknown): WireError {
  if (err instanceof OtelTsError) {
    return {
      grpcCode: err.grpcStatus,
      httpStatus: err.httpStatus,
      message: err.message,
      retryAfterSeconds: err.retryable ? err.retryAfterSeconds : undefined,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { grpcCode: GrpcStatus.UNAVAILABLE, httpStatus: 503, message: message || 'downstream error' };
}

/** An error raised by the receiver itself (decode, size, content type): its own codes, never retryable. */
export function receiverErrorToWire(err: unknown): WireError {
  if (err instanceof OtelTsError) {
    return {
      grpcCode: err.grpcStatus,
      httpStatus: err.httpStatus,
      message: err.message,
      retryAfterSeconds: err.retryable ? err.retryAfterSeconds : undefined,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { grpcCode: GrpcStatus.INTERNAL, httpStatus: 500, message };
}
