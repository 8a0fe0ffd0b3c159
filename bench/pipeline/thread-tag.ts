// Preload for the scaling benchmark (`node -r <outDir>/bench/pipeline/thread-tag.js ...`): tells the benchmark
// which OS threads of the collector are its worker threads. Node does not name its threads (every
// /proc/<pid>/task/<tid>/comm reads "node"), but `-r` preloads run in every worker thread too, and
// /proc/thread-self names the calling thread: each JS thread appends "<tid> <main|worker> <threadId>" to the
// file in OTELTS_BENCH_THREAD_TAGS. Nothing else happens; without the variable it does nothing.

import * as fs from 'node:fs';
import { isMainThread, threadId } from 'node:worker_threads';

const file = process.env.OTELTS_BENCH_THREAD_TAGS;
if (file) {
  try {
    const self = fs.readlinkSync('/proc/thread-self'); // "<pid>/task/<tid>"
    const tid = Number(self.slice(self.lastIndexOf('/') + 1));
    fs.appendFileSync(file, `${tid} ${isMainThread ? 'main' : 'worker'} ${threadId}\n`);
  } catch {
    /* not Linux: the benchmark reports no per-thread split */
  }
}
