// One store per directory: a `LOCK` file holding the owner's pid and process start time (Linux /proc), created
// exclusively. A lock left by a process that no longer runs (SIGKILL, power cut, a container restarted with the
// same or another pid) is taken over; a lock held by a running process is an error. Within one thread, opening a
// directory twice is an error too. (Worker threads share the pid: the file storage extension gives every worker
// its own directories, so threads never compete for one.)

import * as fs from 'node:fs';
import * as path from 'node:path';
import { QueueStoreError } from '../../src/queue/errors';

const OPEN_DIRS = new Set<string>();

function startTime(pid: number): string {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Field 22 (starttime), counted after the parenthesised command name (which may hold spaces).
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? '-';
  } catch {
    return '-';
  }
}

function running(pid: number, start: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return start === '-' || startTime(pid) === '-' || startTime(pid) === start;
}

export interface DirLock {
  release(): void;
}

export function lockDirectory(dir: string): DirLock {
  const key = fs.realpathSync(dir);
  if (OPEN_DIRS.has(key)) throw new QueueStoreError(`the queue store ${dir} is already open in this process`);
  const file = path.join(dir, 'LOCK');
  const me = `${process.pid} ${startTime(process.pid)}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(file, me, { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) {
        throw new QueueStoreError(`cannot lock the queue store ${dir}: ${(e as Error).message}`, e);
      }
    }
    let owner = '';
    try {
      owner = fs.readFileSync(file, 'latin1');
    } catch {
      continue; // removed meanwhile
    }
    const [pidText, start = '-'] = owner.trim().split(' ');
    const pid = Number(pidText);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && running(pid, start)) {
      throw new QueueStoreError(`the queue store ${dir} is in use by process ${pid}`);
    }
    try {
      fs.unlinkSync(file); // stale: its owner is gone (or it is this process, which does not have it open)
    } catch {
      /* raced with another opener: retry */
    }
  }
  OPEN_DIRS.add(key);
  let released = false;
  return {
    release(): void {
      if (released) return;
      released = true;
      OPEN_DIRS.delete(key);
      try {
        if (fs.readFileSync(file, 'latin1') === me) fs.unlinkSync(file);
      } catch {
        /* already gone */
      }
    },
  };
}
