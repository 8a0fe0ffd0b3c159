// Config of the memory_limiter processor (core internal/memorylimiter Config): keys, defaults and validation
// rules/messages as upstream. Upstream's default config is invalid on purpose (check_interval and a limit
// must be set).

import type { ConfigIssue } from '../../errors';
import { s, join, type Infer } from '../../config/schema';

const UINT32_MAX = 2 ** 32 - 1;
const uint32 = () => s.int(0, { min: 0, max: UINT32_MAX });

const shape = {
  /** Time between memory measurements; required, > 0. */
  check_interval: s.duration(0),
  /** Hard limit in MiB (takes precedence over limit_percentage). */
  limit_mib: uint32(),
  /** Headroom below the hard limit; soft limit = limit - spike. Default 20% of the limit. */
  spike_limit_mib: uint32(),
  /** Hard limit as a percentage of total memory (cgroup limit when set, else physical memory). */
  limit_percentage: uint32(),
  /** Spike as a percentage of total memory. Default 20% of the limit. */
  spike_limit_percentage: uint32(),
  /** Minimum time between forced GCs while above the soft limit. */
  min_gc_interval_when_soft_limited: s.duration('10s'),
  /** Minimum time between forced GCs while above the hard limit. */
  min_gc_interval_when_hard_limited: s.duration(0),
  /** Cap of the exponential back-off of ineffective forced GCs (soft); 0 disables the back-off. */
  max_gc_interval_when_soft_limited: s.duration('30s'),
  /** Cap of the exponential back-off of ineffective forced GCs (hard); 0 disables the back-off. */
  max_gc_interval_when_hard_limited: s.duration('30s'),
};

export type MemoryLimiterConfig = Infer<ReturnType<typeof s.object<typeof shape>>>;

export const memoryLimiterConfigSchema = s.object(shape, { check: validateMemoryLimiter });

/** Upstream's Config.Validate, in its order; reports the first problem (later rules assume earlier ones hold). */
function validateMemoryLimiter(c: MemoryLimiterConfig, path: string, issues: ConfigIssue[]): void {
  // A key that failed its own type check holds its default: cross-field rules on it would only add noise.
  if (issues.some((i) => i.path.startsWith(`${path}.`))) return;
  const at = (key: string, message: string) => issues.push({ path: join(path, key), message });
  if (c.check_interval <= 0) return void at('check_interval', "'check_interval' must be greater than zero");
  if (c.min_gc_interval_when_soft_limited < c.min_gc_interval_when_hard_limited)
    return void at('min_gc_interval_when_soft_limited', "'min_gc_interval_when_soft_limited' should be larger than 'min_gc_interval_when_hard_limited'");
  if (c.max_gc_interval_when_soft_limited > 0 && c.max_gc_interval_when_soft_limited < c.min_gc_interval_when_soft_limited)
    return void at(
      'max_gc_interval_when_soft_limited',
      "'max_gc_interval_when_soft_limited' must be greater than or equal to 'min_gc_interval_when_soft_limited' (or 0 to disable)",
    );
  if (c.max_gc_interval_when_hard_limited > 0 && c.max_gc_interval_when_hard_limited < c.min_gc_interval_when_hard_limited)
    return void at(
      'max_gc_interval_when_hard_limited',
      "'max_gc_interval_when_hard_limited' must be greater than or equal to 'min_gc_interval_when_hard_limited' (or 0 to disable)",
    );
  if (c.max_gc_interval_when_soft_limited > 0 && c.max_gc_interval_when_hard_limited > 0 && c.max_gc_interval_when_soft_limited < c.max_gc_interval_when_hard_limited)
    return void at(
      'max_gc_interval_when_soft_limited',
      "'max_gc_interval_when_soft_limited' should be larger than or equal to 'max_gc_interval_when_hard_limited' (when both are set)",
    );
  if (c.limit_mib === 0 && c.limit_percentage === 0) return void at('limit_mib', "'limit_mib' or 'limit_percentage' must be greater than zero");
  if (c.limit_percentage > 100 || c.spike_limit_percentage > 100)
    return void at(
      c.limit_percentage > 100 ? 'limit_percentage' : 'spike_limit_percentage',
      "'limit_percentage' and 'spike_limit_percentage' must be greater than zero and less than or equal to hundred",
    );
  if (c.limit_mib > 0 && c.limit_mib <= c.spike_limit_mib) return void at('spike_limit_mib', "'spike_limit_mib' must be smaller than 'limit_mib'");
  if (c.limit_percentage > 0 && c.limit_percentage <= c.spike_limit_percentage)
    return void at('spike_limit_percentage', "'spike_limit_percentage' must be smaller than 'limit_percentage'");
}
