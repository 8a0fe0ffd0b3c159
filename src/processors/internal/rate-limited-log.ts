// Data-path logging that cannot flood: at most one record per interval per call site, carrying how many
// records were suppressed since the previous one.

import type { Logger } from '../../component/types';

export class RateLimitedLog {
  private last = -Infinity;
  private suppressed = 0;
  constructor(
    private readonly logger: Logger,
    private readonly level: 'debug' | 'info' | 'warn' | 'error',
    private readonly intervalMs = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  log(msg: string, fields?: Record<string, unknown>): void {
    const t = this.now();
    if (t - this.last < this.intervalMs) {
      this.suppressed++;
      return;
    }
    this.last = t;
    const extra = this.suppressed > 0 ? { ...fields, suppressed: this.suppressed } : fields;
    this.suppressed = 0;
    this.logger[this.level](msg, extra);
  }
}
