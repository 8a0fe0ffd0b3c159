// Errors of the exporter chain. A backend's answer keeps its gRPC/HTTP status, so that with the sending queue
// disabled the receiver can hand the sender the backend's own status (as the Go collector does).

import { GrpcStatus, OtelTsError, ShutdownError, type ErrorCode } from '../../errors';

export interface BackendErrorOptions {
  retryable: boolean;
  grpcStatus?: number;
  httpStatus?: number;
  retryAfterSeconds?: number;
  cause?: unknown;
  code?: ErrorCode;
}

/** A failed export: `retryable` decides whether retry_on_failure tries again. */
export class BackendError extends OtelTsError {
  constructor(message: string, o: BackendErrorOptions) {
    super(
      o.code ?? (o.retryable ? 'OTELTS_ERR_EXPORT' : 'OTELTS_ERR_EXPORT_PERMANENT'),
      message,
      o.grpcStatus ?? (o.retryable ? GrpcStatus.UNAVAILABLE : GrpcStatus.INVALID_ARGUMENT),
      o.httpStatus ?? (o.retryable ? 503 : 400),
      o.retryable,
      { cause: o.cause, retryAfterSeconds: o.retryAfterSeconds },
    );
  }
}

/** A send attempt that did not finish within `timeout`: retryable (Go: context deadline exceeded). */
export class ExportTimeoutError extends OtelTsError {
  constructor(message: string) {
    super('OTELTS_ERR_TIMEOUT', message, GrpcStatus.DEADLINE_EXCEEDED, 504, true);
  }
}

/** Permanent errors are never retried; anything that is not an OtelTsError is treated as transient, as in Go. */
export function isPermanent(e: unknown): boolean {
  return e instanceof OtelTsError && !e.retryable;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The server's requested delay (Retry-After / RetryInfo) in ms, if any. */
export function retryAfterMs(e: unknown): number | undefined {
  if (e instanceof OtelTsError && e.retryAfterSeconds !== undefined && e.retryAfterSeconds > 0) return e.retryAfterSeconds * 1000;
  return undefined;
}

/** Same failure, message prefixed (Go's fmt.Errorf("prefix: %w", err)); statuses kept. */
export function wrapError(prefix: string, e: unknown, retryable = !isPermanent(e)): BackendError {
  if (e instanceof OtelTsError) {
    return new BackendError(`${prefix}: ${e.message}`, {
      retryable,
      grpcStatus: e.grpcStatus,
      httpStatus: e.httpStatus,
      retryAfterSeconds: e.retryAfterSeconds,
      cause: e,
      code: e.code === 'OTELTS_ERR_TIMEOUT' || e.code === 'OTELTS_ERR_SHUTDOWN' ? e.code : undefined,
    });
  }
  return new BackendError(`${prefix}: ${errorMessage(e)}`, { retryable, cause: e });
}

const GRPC_NAMES: Record<number, string> = {
  1: 'Canceled', 2: 'Unknown', 3: 'InvalidArgument', 4: 'DeadlineExceeded', 5: 'NotFound', 6: 'AlreadyExists',
  7: 'PermissionDenied', 8: 'ResourceExhausted', 9: 'FailedPrecondition', 10: 'Aborted', 11: 'OutOfRange',
  12: 'Unimplemented', 13: 'Internal', 14: 'Unavailable', 15: 'DataLoss', 16: 'Unauthenticated',
};

/** gRPC code names as Go's codes.Code.String(). */
export function grpcCodeName(code: number): string {
  return code === 0 ? 'OK' : (GRPC_NAMES[code] ?? `Code(${code})`);
}

/** Go's determineErrorType (error.type on send_failed at level detailed). */
export function errorType(e: unknown): string {
  if (e instanceof ShutdownError || (e instanceof OtelTsError && e.code === 'OTELTS_ERR_SHUTDOWN')) return 'Shutdown';
  if (e instanceof OtelTsError) {
    if (e.code === 'OTELTS_ERR_TIMEOUT') return 'Deadline_Exceeded';
    if (e.grpcStatus !== GrpcStatus.OK && GRPC_NAMES[e.grpcStatus]) return GRPC_NAMES[e.grpcStatus]!;
  }
  return '_OTHER';
}
