// Config of the batch processor (core processor/batchprocessor): keys, defaults and validation messages as
// upstream.

import { s, join, type Infer } from '../../config/schema';

const UINT32_MAX = 2 ** 32 - 1;

export const batchConfigSchema = s.object(
  {
    /** Time after which a batch is sent regardless of size; 0 sends immediately. */
    timeout: s.duration('200ms'),
    /** Number of items (spans, metric data points, log records) that triggers a send; 0 ignores size (send immediately, subject to send_batch_max_size). */
    send_batch_size: s.int(8192, { min: 0, max: UINT32_MAX }),
    /** Upper bound of a sent batch (larger ones are split); 0 = no limit. Must be >= send_batch_size when set. */
    send_batch_max_size: s.int(0, { min: 0, max: UINT32_MAX }),
    /** Client metadata keys to batch by (accepted; see README: not supported yet, batching ignores them). */
    metadata_keys: s.array(s.string()),
    /** Maximum number of distinct metadata combinations (accepted with metadata_keys). */
    metadata_cardinality_limit: s.int(1000, { min: 0, max: UINT32_MAX }),
  },
  {
    check(v, path, issues) {
      // A key that failed its own type check holds its default: cross-field rules on it would only add noise.
      if (issues.some((i) => i.path.startsWith(`${path}.`))) return;
      if (v.send_batch_max_size > 0 && v.send_batch_max_size < v.send_batch_size) {
        issues.push({ path: join(path, 'send_batch_max_size'), message: 'send_batch_max_size must be greater or equal to send_batch_size' });
      }
      const seen = new Set<string>();
      v.metadata_keys.forEach((k, i) => {
        const l = k.toLowerCase();
        if (seen.has(l)) issues.push({ path: join(join(path, 'metadata_keys'), i), message: `duplicate entry in metadata_keys: ${JSON.stringify(l)} (case-insensitive)` });
        seen.add(l);
      });
    },
  },
);

export type BatchConfig = Infer<typeof batchConfigSchema>;
