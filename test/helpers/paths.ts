import * as fs from 'node:fs';
import * as path from 'node:path';

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj) && JSON.parse(fs.readFileSync(pj, 'utf8')).name === 'otelcol-ts') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`otelcol-ts package.json not found above ${start}`);
    dir = up;
  }
}

/** The repository root (where package.json is), whatever dist folder the tests were compiled into. */
export const REPO_ROOT = findRoot(__dirname);
/** ../shared beside the repository (may be absent: tests that need it skip with a printed reason). */
export const SHARED_DIR = path.resolve(REPO_ROOT, '..', 'shared');
export const CORPUS_DIR = path.join(SHARED_DIR, 'corpus');
/** The CLI entry point. */
export const BIN = path.join(REPO_ROOT, 'bin', 'otelcol-ts.js');
