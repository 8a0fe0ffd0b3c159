// Config of the `file_storage` extension (contrib extension/storage/filestorage), keys and defaults as upstream:
//   directory (/var/lib/otelcol/file_storage), timeout (1s), fsync (false), create_directory (false),
//   directory_permissions ("0750"), recreate (false),
//   compaction: { on_start, on_rebound, directory, rebound_needed_threshold_mib (100),
//                 rebound_trigger_threshold_mib (10), max_transaction_size (65536), check_interval (5s),
//                 cleanup_on_start }
// What the store under it does with compaction: the LMDB store reuses freed pages by itself (no rebound needed);
// the native-free segment log removes fully-deleted segments and rewrites sparse ones as it goes. The compaction
// keys are therefore accepted and checked but change nothing — documented in the README deviations.
// Deviation: upstream checks at `validate` that the directory exists; we check it at start (with this YAML
// path), so a config written for another machine still validates here.

import { join, s, type Infer } from '../../config/schema';

export const DEFAULT_FILE_STORAGE_DIRECTORY = '/var/lib/otelcol/file_storage';

export const fileStorageConfigSchema = s.object(
  {
    directory: s.string(DEFAULT_FILE_STORAGE_DIRECTORY),
    timeout: s.duration('1s'),
    fsync: s.bool(false),
    create_directory: s.bool(false),
    directory_permissions: s.string('0750'),
    recreate: s.bool(false),
    compaction: s.object({
      on_start: s.bool(false),
      on_rebound: s.bool(false),
      directory: s.string(DEFAULT_FILE_STORAGE_DIRECTORY),
      rebound_needed_threshold_mib: s.int(100),
      rebound_trigger_threshold_mib: s.int(10),
      max_transaction_size: s.int(65536),
      check_interval: s.duration('5s'),
      cleanup_on_start: s.bool(false),
    }),
  },
  { check: (v, path, issues) => {
    if (v.compaction.max_transaction_size < 0) {
      issues.push({ path: join(join(path, 'compaction'), 'max_transaction_size'), message: 'max transaction size for compaction cannot be less than 0' });
    }
    if (v.compaction.on_rebound && v.compaction.check_interval <= 0) {
      issues.push({ path: join(join(path, 'compaction'), 'check_interval'), message: 'compaction check interval must be positive when rebound compaction is set' });
    }
    if (!/^0?[0-7]{3}$/.test(v.directory_permissions)) {
      issues.push({ path: join(path, 'directory_permissions'), message: `expected an octal mode such as "0750", got ${JSON.stringify(v.directory_permissions)}` });
    }
  } },
);

export type FileStorageConfig = Infer<typeof fileStorageConfigSchema>;
