// Errors of the persistent queue's storage.

import { GrpcStatus, OtelTsError } from '../errors';

/**
 * The durable store could not write or open (disk full, permissions, a directory locked by another process).
 * Retryable for the sender: the data was not acknowledged, nothing was lost. gRPC UNAVAILABLE, HTTP 503.
 */
export class QueueStoreError extends OtelTsError {
  constructor(message: string, cause?: unknown) {
    super('OTELTS_ERR_STORAGE', message, GrpcStatus.UNAVAILABLE, 503, true, { cause, retryAfterSeconds: 1 });
  }
}
