import type { Logger } from '../../src/component/types';

export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields: Record<string, unknown>;
}

/** A logger that keeps every record (children share the list). */
export function capturingLogger(records: LogRecord[] = [], base: Record<string, unknown> = {}): Logger & { records: LogRecord[] } {
  const emit = (level: LogRecord['level']) => (msg: string, fields?: Record<string, unknown>) => void records.push({ level, msg, fields: { ...base, ...fields } });
  return {
    records,
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (f) => capturingLogger(records, { ...base, ...f }),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what} not reached within ${ms} ms`);
    await sleep(5);
  }
}
