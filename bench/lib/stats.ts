// Small helpers shared by the benchmarks: medians, formatting, machine info, process CPU from /proc.
// Benchmarks only measure and print; nothing here asserts timing.

import * as fs from 'node:fs';
import * as os from 'node:os';

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function sum(xs: readonly number[]): number {
  let t = 0;
  for (const x of xs) t += x;
  return t;
}

/** Fixed-precision number with thousands separators, for tables. */
export function fmt(x: number, digits = 0): string {
  if (!Number.isFinite(x)) return 'n/a';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtRatio(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  return `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}×`;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  node: string;
  platform: string;
  totalMemMiB: number;
  loadAvg: number[];
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    totalMemMiB: Math.round(os.totalmem() / 1048576),
    loadAvg: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** CPU seconds (user + system) the calling process used so far, from process.cpuUsage (µs resolution). */
export function selfCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

// Linux reports utime/stime in USER_HZ, 100 on every mainstream kernel (`getconf CLK_TCK`); override if not.
const clkTck = Number(process.env.BENCH_CLK_TCK) || 100;

/** utime+stime of one process (all its threads, live and exited) in seconds, or undefined if it is gone. */
function procCpuOne(pid: number): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may contain spaces: parse after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime is field 14 → rest[11], stime field 15 → rest[12].
  return (Number(rest[11]) + Number(rest[12])) / clkTck;
}

function childPids(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const t of tasks) {
    try {
      const c = fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim();
      if (c) for (const p of c.split(/\s+/)) out.push(Number(p));
    } catch { /* task exited */ }
  }
  return out;
}

/**
 * CPU seconds used by a process and its live descendant processes (threads are already included in a process's
 * own utime/stime). Resolution is one clock tick (10 ms): measure over seconds, not milliseconds.
 */
export function procTreeCpuSeconds(pid: number): number {
  const own = procCpuOne(pid);
  if (own === undefined) return NaN;
  let total = own;
  for (const c of childPids(pid)) {
    const t = procTreeCpuSeconds(c);
    if (Number.isFinite(t)) total += t;
  }
  return total;
}

/** Peak resident set size of a process in MiB (VmHWM), or NaN. */
export function procPeakRssMiB(pid: number): number {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmHWM:\s+(\d+) kB/.exec(s);
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Markdown table from a header row and string rows. */
export function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
