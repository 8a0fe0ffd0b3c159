// The User-Agent exporters send, shaped like the Go collector's "<description>/<version> (<os>/<arch>)".

import * as fs from 'node:fs';
import * as path from 'node:path';

function findVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const pj = path.join(dir, 'package.json');
    try {
      const j = JSON.parse(fs.readFileSync(pj, 'utf8')) as { name?: string; version?: string };
      if (j.name === 'otelcol-ts' && j.version) return j.version;
    } catch {
      // keep looking upwards
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return '0.0.0';
}

let cached: string | undefined;
export function userAgent(): string {
  if (!cached) cached = `otelcol-ts/${findVersion()} (${process.platform}/${process.arch})`;
  return cached;
}
