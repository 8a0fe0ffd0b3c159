// Config of the debug exporter (Go: exporter/debugexporter Config): verbosity basic|normal|detailed (default
// basic), sampling_initial 2, sampling_thereafter 1, use_internal_logger true, output_paths (only without the
// internal logger; default stdout), sending_queue (off unless the section is present).

import type { ConfigIssue } from '../../errors';
import { s, join, show, type Schema } from '../../config/schema';
import { queueSchema } from '../exporterhelper/config';

export type Verbosity = 'basic' | 'normal' | 'detailed';

/** configtelemetry.Level: case-insensitive; `none` is a level, but not one the debug exporter supports. */
const verbositySchema: Schema<Verbosity> = {
  describe: 'one of "basic", "normal", "detailed"',
  defaultValue: () => 'basic',
  parse(raw: unknown, path: string, issues: ConfigIssue[]): Verbosity {
    if (raw === undefined || raw === null) return 'basic';
    const v = typeof raw === 'string' ? raw.toLowerCase() : undefined;
    if (v === 'basic' || v === 'normal' || v === 'detailed') return v;
    if (v === 'none') issues.push({ path, message: 'verbosity level "None" is not supported' });
    else issues.push({ path, message: `unknown metrics level ${show(raw)}: expected one of "basic", "normal", "detailed"` });
    return 'basic';
  },
};

export const debugConfigSchema = s.object(
  {
    verbosity: verbositySchema,
    sampling_initial: s.int(2),
    sampling_thereafter: s.int(1),
    use_internal_logger: s.bool(true),
    output_paths: s.optional(s.array(s.string())),
    sending_queue: queueSchema(false),
  },
  {
    check(v, path, issues) {
      if (v.use_internal_logger && v.output_paths !== undefined) {
        issues.push({ path: join(path, 'output_paths'), message: 'output_paths is not supported when use_internal_logger is true' });
      }
      if (!v.use_internal_logger && v.output_paths !== undefined && v.output_paths.length === 0) {
        issues.push({ path: join(path, 'output_paths'), message: 'output_paths must not be empty when use_internal_logger is false' });
      }
    },
  },
);
export type DebugExporterConfig = ReturnType<typeof debugConfigSchema.defaultValue>;
