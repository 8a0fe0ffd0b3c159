// Structured logger for the collector (service.telemetry.logs: level, encoding json|console).

import type { Logger } from '../component/types';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level?: LogLevel;
  encoding?: 'json' | 'console';
  /** Where records go; default stderr. */
  write?: (line: string) => void;
}

export function createLogger(opts: LoggerOptions = {}, fields: Record<string, unknown> = {}): Logger {
  const min = ORDER[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const encoding = opts.encoding ?? 'console';
  const emit = (level: LogLevel, msg: string, extra?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    const all = { ...fields, ...extra };
    if (encoding === 'json') {
      write(JSON.stringify({ ts: new Date().toISOString(), level, msg, ...all }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
    } else {
      const kv = Object.entries(all)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))}`)
        .join(' ');
      write(`${new Date().toISOString()}\t${level}\t${msg}${kv ? '\t' + kv : ''}`);
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (f) => createLogger(opts, { ...fields, ...f }),
  };
}

/** A logger that drops everything (tests). */
export const nopLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return nopLogger;
  },
};
