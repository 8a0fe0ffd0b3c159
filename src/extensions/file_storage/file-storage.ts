// The `file_storage` extension: hands out durable record stores (src/queue/store.ts) to components that persist
// data — today the exporters' persistent sending queue (`sending_queue.storage: file_storage`).
//
// Layout under `directory`: one sub-directory per client, `<kind>_<component id>_<name>_w<worker>` (e.g.
// `exporter_otlp_traces_w0`; `/` in ids becomes `~`). With a worker pool every worker thread builds its own
// instance of this extension and opens only its own directories: no two threads share a store. When the pool
// shrank since the last run (fewer workers), worker k adopts the stores of the workers that no longer exist
// (index ≥ N with index mod N = k): it moves their records into its own store before serving, so nothing
// acknowledged in the previous run is left behind.
//
// The store is LMDB, or the native-free segment log when `lmdb` cannot be loaded (or OTELTS_NATIVE=off);
// `fsync` is passed through.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Component, CreateSettings, Host } from '../../component/types';
import { Lifecycle } from '../../component/types';
import { ConfigError } from '../../errors';
import { openQueueStore } from '../../queue/open';
import type { QueueStore } from '../../queue/store';
import type { FileStorageConfig } from './config';

/** What a storage extension offers (Go: storage.Extension.GetClient). */
export interface StorageExtension extends Component {
  /** Open the store of a client (`exporter`, `otlp/2`, `traces`); the caller closes it. */
  openStore(kind: string, id: string, name: string): Promise<QueueStore>;
}

export function isStorageExtension(c: unknown): c is StorageExtension {
  return typeof c === 'object' && c !== null && typeof (c as StorageExtension).openStore === 'function';
}

function safe(s: string): string {
  return s.replace(/\//g, '~').replace(/[^A-Za-z0-9._~-]/g, '_');
}

export class FileStorageExtension implements StorageExtension {
  private readonly lifecycle = new Lifecycle();
  private readonly worker: { index: number; count: number };

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: FileStorageConfig,
  ) {
    this.worker = set.worker ?? { index: 0, count: 1 };
  }

  start(_host: Host): Promise<void> {
    return this.lifecycle.start(async () => {
      const dir = this.cfg.directory;
      const p = `extensions.${this.set.id.id}.directory`;
      let st: fs.Stats | undefined;
      try {
        st = fs.statSync(dir);
      } catch {
        if (!this.cfg.create_directory) throw ConfigError.at(p, `directory must exist: ${dir} (or set create_directory: true)`);
        fs.mkdirSync(dir, { recursive: true, mode: parseInt(this.cfg.directory_permissions, 8) });
        st = fs.statSync(dir);
      }
      if (!st.isDirectory()) throw ConfigError.at(p, `${dir} is not a directory`);
    });
  }

  shutdown(): Promise<void> {
    return this.lifecycle.shutdown(async () => undefined);
  }

  async openStore(kind: string, id: string, name: string): Promise<QueueStore> {
    const base = `${safe(kind)}_${safe(id)}_${safe(name)}`;
    const own = path.join(this.cfg.directory, `${base}_w${this.worker.index}`);
    if (this.cfg.recreate) fs.rmSync(own, { recursive: true, force: true });
    const store = await openQueueStore({ directory: own, fsync: this.cfg.fsync });
    await this.adoptOrphans(base, store);
    return store;
  }

  /** Move the records of stores left by workers that no longer exist into `store`. */
  private async adoptOrphans(base: string, store: QueueStore): Promise<void> {
    const { index, count } = this.worker;
    let names: string[];
    try {
      names = fs.readdirSync(this.cfg.directory);
    } catch {
      return;
    }
    const re = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_w(\\d+)$`);
    for (const n of names) {
      const m = re.exec(n);
      if (!m) continue;
      const k = Number(m[1]);
      if (k < count || k % count !== index) continue;
      const dir = path.join(this.cfg.directory, n);
      const orphan = await openQueueStore({ directory: dir, fsync: this.cfg.fsync });
      let moved = 0;
      for (let after = 0; ; ) {
        const recs = await orphan.read(after, 256);
        if (recs.length === 0) break;
        await store.append(recs.map((r) => r.data));
        await orphan.delete(recs.map((r) => r.seq));
        moved += recs.length;
        after = recs[recs.length - 1]!.seq;
      }
      await orphan.close();
      fs.rmSync(dir, { recursive: true, force: true });
      this.set.logger.info('Adopted the queue of a worker that no longer exists', { directory: dir, records: moved });
    }
  }
}
