// Factory of the `file_storage` extension (contrib extension/storage/filestorage, beta).

import type { ExtensionFactory } from '../../component/types';
import { fileStorageConfigSchema, type FileStorageConfig } from './config';
import { FileStorageExtension } from './file-storage';

export const fileStorageExtensionFactory: ExtensionFactory<FileStorageConfig> = {
  kind: 'extension',
  type: 'file_storage',
  description: 'Durable local storage for persistent sending queues: LMDB, or a pure-JS checksummed segment log when LMDB cannot load.',
  configSchema: fileStorageConfigSchema,
  stability: 'beta',
  inWorkers: true,
  create(set, cfg) {
    return new FileStorageExtension(set, cfg);
  },
};
