// Error classes with stable codes (OTELTS_ERR_*). Every error that can reach a user, a sender or a log
// is one of these. Receivers map `grpcStatus` / `httpStatus` onto the wire; nothing else inspects messages.

/** gRPC status codes we use (numeric values from the gRPC spec). */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export type ErrorCode =
  | 'OTELTS_ERR_CONFIG'
  | 'OTELTS_ERR_DECODE'
  | 'OTELTS_ERR_TOO_LARGE'
  | 'OTELTS_ERR_CONTENT_TYPE'
  | 'OTELTS_ERR_NOT_FOUND'
  | 'OTELTS_ERR_METHOD'
  | 'OTELTS_ERR_MEMORY_LIMIT'
  | 'OTELTS_ERR_OVERLOADED'
  | 'OTELTS_ERR_SHUTDOWN'
  | 'OTELTS_ERR_WORKER'
  | 'OTELTS_ERR_STORAGE'
  | 'OTELTS_ERR_EXPORT'
  | 'OTELTS_ERR_EXPORT_PERMANENT'
  | 'OTELTS_ERR_TIMEOUT'
  | 'OTELTS_ERR_UNSUPPORTED'
  | 'OTELTS_ERR_INTERNAL';

export interface ErrorOptions {
  cause?: unknown;
  /** Seconds a sender should wait before retrying (Retry-After / RetryInfo). */
  retryAfterSeconds?: number;
}

export class OtelTsError extends Error {
  readonly code: ErrorCode;
  readonly grpcStatus: number;
  readonly httpStatus: number;
  /** true when retrying the same data later may succeed (transient); false for permanent errors. */
  readonly retryable: boolean;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    grpcStatus: number,
    httpStatus: number,
    retryable: boolean,
    opts: ErrorOptions = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.grpcStatus = grpcStatus;
    this.httpStatus = httpStatus;
    this.retryable = retryable;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }
}

/** One configuration mistake, located by its YAML path (`processors.batch.send_batch_size`). */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** A configuration that cannot be used. Carries every issue found, each with its YAML path. */
export class ConfigError extends OtelTsError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super(
      'OTELTS_ERR_CONFIG',
      issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('\n'),
      GrpcStatus.INVALID_ARGUMENT,
      400,
      false,
    );
    this.issues = issues;
  }
  static at(path: string, message: string): ConfigError {
    return new ConfigError([{ path, message }]);
  }
}

/** Malformed protobuf or JSON payload: HTTP 400 / gRPC INVALID_ARGUMENT. */
export class DecodeError extends OtelTsError {
  constructor(message: string, opts: ErrorOptions = {}) {
    super('OTELTS_ERR_DECODE', message, GrpcStatus.INVALID_ARGUMENT, 400, false, opts);
  }
}

/** Payload above the configured limit: HTTP 413 / gRPC RESOURCE_EXHAUSTED. */
export class TooLargeError extends OtelTsError {
  constructor(message: string) {
    super('OTELTS_ERR_TOO_LARGE', message, GrpcStatus.RESOURCE_EXHAUSTED, 413, false);
  }
}

/** Unsupported Content-Type: HTTP 415. */
export class ContentTypeError extends OtelTsError {
  constructor(message: string) {
    super('OTELTS_ERR_CONTENT_TYPE', message, GrpcStatus.INVALID_ARGUMENT, 415, false);
  }
}

/**
 * The memory_limiter refuses data while memory is above its limit: a retryable refusal, gRPC UNAVAILABLE /
 * HTTP 503 with Retry-After. This is what the Go collector's OTLP receiver sends for the memory_limiter's
 * ErrDataRefused (a plain non-permanent error → codes.Unavailable → 503; see otlpreceiver
 * internal/errors.GetStatusFromError). RESOURCE_EXHAUSTED would be wrong here: OTLP clients treat it as
 * non-retryable unless the status carries RetryInfo (OTLP spec, "Failures"), so Go SDKs would drop the data.
 */
export class MemoryLimitError extends OtelTsError {
  constructor(message = 'data refused due to high memory usage', retryAfterSeconds = 1) {
    super('OTELTS_ERR_MEMORY_LIMIT', message, GrpcStatus.UNAVAILABLE, 503, true, { retryAfterSeconds });
  }
}

/** Internal queues are full: gRPC UNAVAILABLE, HTTP 503 with Retry-After. */
export class OverloadedError extends OtelTsError {
  constructor(message: string, retryAfterSeconds = 1) {
    super('OTELTS_ERR_OVERLOADED', message, GrpcStatus.UNAVAILABLE, 503, true, { retryAfterSeconds });
  }
}

/**
 * The worker pool is behind: the target worker already holds `service.worker_inflight_mib` of batches. gRPC
 * RESOURCE_EXHAUSTED carrying RetryInfo (retryable for OTLP clients because of it), HTTP 429 with Retry-After.
 */
export class WorkersBusyError extends OtelTsError {
  constructor(message: string, retryAfterSeconds = 1) {
    super('OTELTS_ERR_OVERLOADED', message, GrpcStatus.RESOURCE_EXHAUSTED, 429, true, { retryAfterSeconds });
  }
}

/** A worker thread died while it held the batch: reported as failed (not retryable: a batch that kills a worker
 * must not come back and kill the next one). gRPC INTERNAL, HTTP 500. */
export class WorkerFailedError extends OtelTsError {
  constructor(message: string, cause?: unknown) {
    super('OTELTS_ERR_WORKER', message, GrpcStatus.INTERNAL, 500, false, { cause });
  }
}

/** The component is shutting down and takes no more data: gRPC UNAVAILABLE, HTTP 503. */
export class ShutdownError extends OtelTsError {
  constructor(message = 'the collector is shutting down') {
    super('OTELTS_ERR_SHUTDOWN', message, GrpcStatus.UNAVAILABLE, 503, true, { retryAfterSeconds: 1 });
  }
}

/** An export to a backend failed. `retryable` follows the backend's answer (see exporters). */
export class ExportError extends OtelTsError {
  constructor(message: string, retryable: boolean, opts: ErrorOptions = {}) {
    super(
      retryable ? 'OTELTS_ERR_EXPORT' : 'OTELTS_ERR_EXPORT_PERMANENT',
      message,
      retryable ? GrpcStatus.UNAVAILABLE : GrpcStatus.INVALID_ARGUMENT,
      retryable ? 503 : 400,
      retryable,
      opts,
    );
  }
}

/** Something that is valid OTLP/config but not supported by otelcol-ts (yet). */
export class UnsupportedError extends OtelTsError {
  constructor(message: string) {
    super('OTELTS_ERR_UNSUPPORTED', message, GrpcStatus.UNIMPLEMENTED, 501, false);
  }
}

export function isOtelTsError(e: unknown): e is OtelTsError {
  return e instanceof OtelTsError;
}

/** Wrap anything thrown into an OtelTsError (INTERNAL) so receivers can always answer. */
export function toOtelTsError(e: unknown): OtelTsError {
  if (e instanceof OtelTsError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new OtelTsError('OTELTS_ERR_INTERNAL', msg, GrpcStatus.INTERNAL, 500, false, { cause: e });
}
