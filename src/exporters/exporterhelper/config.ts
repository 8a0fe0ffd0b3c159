// Config of the exporter helper shared by every exporter, after the Go collector's exporterhelper:
//   timeout (exporterhelper.TimeoutConfig), retry_on_failure (configretry.BackOffConfig),
//   sending_queue (exporterhelper.QueueBatchConfig, an optional section with `enabled`).
// Keys and defaults are the Go ones; the checks carry the Go messages.
//
// What we do with `sending_queue`:
//   - an in-memory bounded queue (capacity `queue_size` in the unit of `sizer`), `num_consumers` senders;
//   - `storage`: the id of a storage extension (file_storage): the persistent queue (src/queue/persistent-queue.ts);
//   - `batch` (absent = no batching; `batch:` / `batch: {}` = batching with the Go defaults: flush_timeout 200ms,
//     sizer items, min_size 8192, max_size 0) merges queued requests before sending, like the Go queue batcher;
//     `batch.partition.metadata_keys` is rejected (we do not carry client metadata yet).

import type { ConfigIssue } from '../../errors';
import { s, join, show, type Schema } from '../../config/schema';

export type SizerType = 'requests' | 'items' | 'bytes';
const SIZERS: readonly SizerType[] = ['requests', 'items', 'bytes'];

/** `timeout`: per-attempt timeout in ms (0 = none). */
export const timeoutSchema = s.duration('5s');

export const retrySchema = s.object(
  {
    enabled: s.bool(true),
    initial_interval: s.duration('5s'),
    randomization_factor: s.number(0.5),
    multiplier: s.number(1.5),
    max_interval: s.duration('30s'),
    max_elapsed_time: s.duration('300s'),
  },
  {
    check(v, path, issues) {
      if (v.max_elapsed_time > 0) {
        if (v.max_elapsed_time < v.initial_interval) {
          issues.push({ path: join(path, 'max_elapsed_time'), message: "'max_elapsed_time' must not be less than 'initial_interval'" });
        }
        if (v.max_elapsed_time < v.max_interval) {
          issues.push({ path: join(path, 'max_elapsed_time'), message: "'max_elapsed_time' must not be less than 'max_interval'" });
        }
      }
      if (v.multiplier < 0) issues.push({ path: join(path, 'multiplier'), message: 'multiplier value must be greater than or equal to 0' });
      if (v.randomization_factor < 0) {
        issues.push({ path: join(path, 'randomization_factor'), message: 'randomization_factor value must be greater than or equal to 0' });
      }
      if (v.randomization_factor > 1) {
        issues.push({ path: join(path, 'randomization_factor'), message: 'randomization_factor value must be less than or equal to 1' });
      }
    },
  },
);
export type RetryConfig = ReturnType<typeof retrySchema.defaultValue>;

const sizerSchema = (def: SizerType): Schema<SizerType> => s.enum(SIZERS, def);

export const batchSchema = s.object({
  flush_timeout: s.duration('200ms'),
  sizer: sizerSchema('items'),
  min_size: s.int(8192),
  max_size: s.int(0),
  partition: s.object({ metadata_keys: s.array(s.string()) }),
});
export type BatchConfig = ReturnType<typeof batchSchema.defaultValue>;

const queueFields = {
  enabled: s.bool(true),
  wait_for_result: s.bool(false),
  sizer: sizerSchema('requests'),
  queue_size: s.int(1000),
  block_on_overflow: s.bool(false),
  storage: s.optional(s.string()),
  num_consumers: s.int(10),
  batch: s.presence(batchSchema),
};
const queueObject = s.object(queueFields);
export type QueueConfig = ReturnType<typeof queueObject.defaultValue>;

function checkQueue(v: QueueConfig, path: string, issues: ConfigIssue[]): void {
  if (!v.enabled) return; // Go validates an optional section only when it is enabled
  if (v.num_consumers <= 0) issues.push({ path: join(path, 'num_consumers'), message: '`num_consumers` must be positive' });
  if (v.queue_size <= 0) issues.push({ path: join(path, 'queue_size'), message: '`queue_size` must be positive' });
  if (v.storage !== undefined) {
    if (v.wait_for_result) {
      issues.push({ path: join(path, 'wait_for_result'), message: '`wait_for_result` is not supported with a persistent queue configured with `storage`' });
    }
  }
  const b = v.batch;
  if (b) {
    const bp = join(path, 'batch');
    if (b.sizer !== 'items' && b.sizer !== 'bytes') {
      issues.push({ path: join(bp, 'sizer'), message: `\`batch\` supports only \`items\` or \`bytes\` sizer, found ${JSON.stringify(b.sizer)}` });
    }
    if (b.flush_timeout <= 0) issues.push({ path: join(bp, 'flush_timeout'), message: '`flush_timeout` must be positive' });
    if (b.min_size < 0) issues.push({ path: join(bp, 'min_size'), message: `\`min_size\` must be non-negative, found ${b.min_size}` });
    if (b.max_size < 0) issues.push({ path: join(bp, 'max_size'), message: `\`max_size\` must be non-negative, found ${b.max_size}` });
    if (b.max_size > 0 && b.max_size < b.min_size) {
      issues.push({ path: join(bp, 'max_size'), message: `\`max_size\` (${b.max_size}) must be greater or equal to \`min_size\` (${b.min_size})` });
    }
    if (b.sizer === v.sizer && b.min_size > v.queue_size) {
      issues.push({ path: join(bp, 'min_size'), message: '`min_size` must be less than or equal to `queue_size`' });
    }
    if (b.partition.metadata_keys.length > 0) {
      issues.push({ path: join(join(bp, 'partition'), 'metadata_keys'), message: 'partitioning batches by client metadata is not supported yet' });
    }
  }
}

/**
 * `sending_queue`. Absent: enabled = `enabledByDefault` (true for otlp/otlphttp, false for debug, as Go's
 * configoptional.Some/Default). Present (even `sending_queue:` null): enabled unless `enabled: false`.
 * As in Go, a `sizer` set on the queue is inherited by a non-empty `batch` section that sets no sizer.
 */
export function queueSchema(enabledByDefault: boolean): Schema<QueueConfig> {
  const def = (): QueueConfig => ({ ...queueObject.defaultValue(), enabled: enabledByDefault });
  return {
    describe: 'a map',
    defaultValue: def,
    parse(raw, path, issues) {
      if (raw === undefined) return def();
      const v = queueObject.parse(raw, path, issues);
      if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
        const r = raw as Record<string, unknown>;
        const rb = r['batch'];
        const batchNonEmpty = rb !== null && typeof rb === 'object' && !Array.isArray(rb) && Object.keys(rb).length > 0;
        if (r['sizer'] !== undefined && batchNonEmpty && (rb as Record<string, unknown>)['sizer'] === undefined && v.batch) {
          v.batch.sizer = v.sizer;
        }
      }
      checkQueue(v, path, issues);
      return v;
    },
  };
}

/** A key we accept for compatibility but whose feature we do not have: any non-empty value is a config error. */
export function unsupportedKey(what: string): Schema<unknown> {
  return {
    describe: 'a value',
    defaultValue: () => undefined,
    parse(raw, path, issues) {
      if (raw === undefined || raw === null) return undefined;
      if (Array.isArray(raw) && raw.length === 0) return undefined;
      if (typeof raw === 'object' && !Array.isArray(raw) && Object.keys(raw as object).length === 0) return undefined;
      if (raw === '' || raw === false) return undefined;
      issues.push({ path, message: `${what} is not supported yet (got ${show(raw)})` });
      return undefined;
    },
  };
}
