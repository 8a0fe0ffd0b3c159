// Total memory available to this process, for `limit_percentage` (upstream: iruntime.TotalMemory): the
// cgroup memory limit when one is set (v2 `memory.max`, v1 `memory.limit_in_bytes`), else physical memory.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** cgroup v1 "no limit" value (what the kernel reports for an unset limit). */
const V1_UNLIMITED = 9223372036854771712n;

function readTrimmed(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined || text === '' || text === 'max') return undefined;
  if (!/^\d+$/.test(text)) return undefined;
  const n = BigInt(text);
  if (n >= V1_UNLIMITED) return undefined;
  return Number(n);
}

/**
 * The cgroup memory limit in bytes, or undefined when none is set. `root` is the filesystem root (tests).
 * Looks at this process's own cgroup (from /proc/self/cgroup) first, then the cgroup root (containers).
 */
export function cgroupMemoryLimit(root = '/'): number | undefined {
  const cg = readTrimmed(path.join(root, 'proc/self/cgroup')) ?? '';
  const dirsV2: string[] = [];
  const dirsV1: string[] = [];
  for (const line of cg.split('\n')) {
    // hierarchy-id:controllers:path — v2 is "0::/path", v1 lists its controllers ("4:memory:/path").
    const m = /^([^:]*):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === '0' && m[2] === '') dirsV2.push(m[3]!);
    else if (m[2]!.split(',').includes('memory')) dirsV1.push(m[3]!);
  }
  for (const d of [...dirsV2, '/']) {
    const v = parseLimit(readTrimmed(path.join(root, 'sys/fs/cgroup', d, 'memory.max')));
    if (v !== undefined) return v;
  }
  for (const d of [...dirsV1, '/']) {
    const v = parseLimit(readTrimmed(path.join(root, 'sys/fs/cgroup/memory', d, 'memory.limit_in_bytes')));
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Total memory for limit_percentage: the cgroup limit when set, else os.totalmem(). */
export function totalMemoryBytes(): number {
  return cgroupMemoryLimit() ?? os.totalmem();
}
