// Rate limiting for data-path logs: per message, a burst of `burst` records, then at most one per `intervalMs`;
// the next record that gets through carries `suppressed` = how many were dropped in between.

import type { Logger } from '../../component/types';

type Level = 'debug' | 'info' | 'warn' | 'error';

export class LimitedLogger {
  private readonly state = new Map<string, { tokens: number; last: number; suppressed: number }>();
  constructor(
    private readonly logger: Logger,
    private readonly burst = 5,
    private readonly intervalMs = 1000,
  ) {}

  log(level: Level, msg: string, fields?: Record<string, unknown>): void {
    const now = Date.now();
    let st = this.state.get(msg);
    if (!st) {
      if (this.state.size > 256) this.state.clear();
      st = { tokens: this.burst, last: now, suppressed: 0 };
      this.state.set(msg, st);
    }
    const refill = Math.floor((now - st.last) / this.intervalMs);
    if (refill > 0) {
      st.tokens = Math.min(this.burst, st.tokens + refill);
      st.last += refill * this.intervalMs;
    }
    if (st.tokens <= 0) {
      st.suppressed++;
      return;
    }
    st.tokens--;
    const f = st.suppressed > 0 ? { ...fields, suppressed: st.suppressed } : fields;
    st.suppressed = 0;
    this.logger[level](msg, f);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.log('info', msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.log('warn', msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.log('error', msg, fields);
  }
}
