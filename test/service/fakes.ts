// Fake components for config/service/CLI tests. A FakeWorld makes factories that record every lifecycle call
// in one ordered `events` list ("start exporter:capture(traces)", ...), so tests can assert orders.
//   receiver `fakerecv`  — push(batch) sends into its traces consumer; keeps its CreateSettings
//   processor `fakeproc` — pass-through; `mutates: true` declares mutatesData; records batches it saw
//   exporter `capture`   — keeps every batch; `fail: true` rejects
//   extension `fakeext`
// Every type takes `fail_start: true` to make start() reject. FakeBatch counts clones.

import type {
  AnyFactory,
  Component,
  Consumers,
  CreateSettings,
  ExporterFactory,
  ExtensionFactory,
  Host,
  Logger,
  ProcessorFactory,
  ReceiverFactory,
  TracesConsumer,
  TracesExporter,
  TracesProcessor,
} from '../../src/component/types';
import { Lifecycle } from '../../src/component/types';
import { s, type Infer } from '../../src/config/schema';
import type { TraceBatch } from '../../src/pdata/traces';

/** A stand-in for TraceBatch: an id, a span count, and a shared clone counter. */
export class FakeBatch {
  static clones = 0;
  readonly clonedFrom: FakeBatch | undefined;
  constructor(
    readonly label: string,
    readonly spanCount = 1,
    clonedFrom?: FakeBatch,
  ) {
    this.clonedFrom = clonedFrom;
  }
  clone(): FakeBatch {
    FakeBatch.clones++;
    return new FakeBatch(this.label, this.spanCount, this);
  }
  get isClone(): boolean {
    return this.clonedFrom !== undefined;
  }
  asTraceBatch(): TraceBatch {
    return this as unknown as TraceBatch;
  }
}

export function fake(b: TraceBatch): FakeBatch {
  return b as unknown as FakeBatch;
}

const recvSchema = s.object({ fail_start: s.bool(false), endpoint: s.string('127.0.0.1:0') });
const procSchema = s.object({ fail_start: s.bool(false), mutates: s.bool(false), count: s.positiveInt(1) });
const expSchema = s.object({ fail_start: s.bool(false), fail: s.bool(false), mutates: s.bool(false), hang_shutdown: s.bool(false) });
const extSchema = s.object({ fail_start: s.bool(false) });

export class FakeReceiver implements Component {
  private readonly lc = new Lifecycle();
  host: Host | undefined;
  constructor(
    readonly world: FakeWorld,
    readonly set: CreateSettings,
    readonly cfg: Infer<typeof recvSchema>,
    readonly consumers: Consumers,
  ) {}
  start(host: Host): Promise<void> {
    return this.lc.start(async () => {
      this.world.events.push(`start receiver:${this.set.id.id}`);
      this.host = host;
      if (this.cfg.fail_start) throw new Error(`receiver ${this.set.id.id} cannot bind`);
    });
  }
  shutdown(): Promise<void> {
    return this.lc.shutdown(async () => void this.world.events.push(`shutdown receiver:${this.set.id.id}`));
  }
  push(b: FakeBatch): Promise<void> {
    if (!this.consumers.traces) throw new Error('no traces consumer');
    return this.consumers.traces.consumeTraces(b.asTraceBatch());
  }
}

export class FakeProcessor implements TracesProcessor {
  private readonly lc = new Lifecycle();
  readonly capabilities: { mutatesData: boolean };
  readonly seen: FakeBatch[] = [];
  constructor(
    readonly world: FakeWorld,
    readonly set: CreateSettings,
    readonly cfg: Infer<typeof procSchema>,
    readonly next: TracesConsumer,
    readonly pipeline: string,
  ) {
    this.capabilities = { mutatesData: cfg.mutates };
  }
  /** `processor:id(pipeline)`; the pipeline is known when the service logger is a CapturingLogger. */
  get name(): string {
    return `processor:${this.set.id.id}${this.pipeline ? `(${this.pipeline})` : ''}`;
  }
  start(): Promise<void> {
    return this.lc.start(async () => {
      this.world.events.push(`start ${this.name}`);
      if (this.cfg.fail_start) throw new Error(`processor ${this.set.id.id} failed`);
    });
  }
  shutdown(): Promise<void> {
    return this.lc.shutdown(async () => void this.world.events.push(`shutdown ${this.name}`));
  }
  consumeTraces(b: TraceBatch): Promise<void> {
    this.seen.push(fake(b));
    return this.next.consumeTraces(b);
  }
}

export class CaptureExporter implements TracesExporter {
  private readonly lc = new Lifecycle();
  readonly capabilities: { mutatesData: boolean };
  readonly batches: FakeBatch[] = [];
  starts = 0;
  constructor(
    readonly world: FakeWorld,
    readonly set: CreateSettings,
    readonly cfg: Infer<typeof expSchema>,
  ) {
    this.capabilities = { mutatesData: cfg.mutates };
  }
  start(): Promise<void> {
    return this.lc.start(async () => {
      this.starts++;
      this.world.events.push(`start exporter:${this.set.id.id}`);
      if (this.cfg.fail_start) throw new Error(`exporter ${this.set.id.id} failed`);
    });
  }
  shutdown(): Promise<void> {
    return this.lc.shutdown(async () => {
      this.world.events.push(`shutdown exporter:${this.set.id.id}`);
      if (this.cfg.hang_shutdown) await new Promise<void>(() => setInterval(() => undefined, 1000));
    });
  }
  async consumeTraces(b: TraceBatch): Promise<void> {
    if (this.cfg.fail) throw new Error(`exporter ${this.set.id.id} refused`);
    this.batches.push(fake(b));
  }
}

export class FakeExtension implements Component {
  private readonly lc = new Lifecycle();
  constructor(
    readonly world: FakeWorld,
    readonly set: CreateSettings,
    readonly cfg: Infer<typeof extSchema>,
  ) {}
  start(): Promise<void> {
    return this.lc.start(async () => {
      this.world.events.push(`start extension:${this.set.id.id}`);
      if (this.cfg.fail_start) throw new Error(`extension ${this.set.id.id} failed`);
    });
  }
  shutdown(): Promise<void> {
    return this.lc.shutdown(async () => void this.world.events.push(`shutdown extension:${this.set.id.id}`));
  }
}

export class FakeWorld {
  readonly events: string[] = [];
  readonly receivers = new Map<string, FakeReceiver>();
  readonly processors: FakeProcessor[] = [];
  readonly exporters: CaptureExporter[] = [];
  readonly extensions = new Map<string, FakeExtension>();

  readonly receiverFactory: ReceiverFactory<Infer<typeof recvSchema>> = {
    kind: 'receiver',
    type: 'fakerecv',
    aliases: ['fake_recv'],
    description: 'A receiver tests push batches into',
    stability: { traces: 'beta' },
    configSchema: recvSchema,
    create: (set, cfg, consumers) => {
      const r = new FakeReceiver(this, set, cfg, consumers);
      this.receivers.set(set.id.id, r);
      return r;
    },
  };
  readonly processorFactory: ProcessorFactory<Infer<typeof procSchema>> = {
    kind: 'processor',
    type: 'fakeproc',
    description: 'A pass-through processor',
    stability: { traces: 'alpha' },
    configSchema: procSchema,
    createTraces: (set, cfg, next) => {
      const p = new FakeProcessor(this, set, cfg, next, String((set.logger as CapturingLogger).fields?.['otelcol.pipeline.id'] ?? ''));
      this.processors.push(p);
      return p;
    },
  };
  readonly exporterFactory: ExporterFactory<Infer<typeof expSchema>> = {
    kind: 'exporter',
    type: 'capture',
    description: 'Keeps every batch',
    stability: { traces: 'stable' },
    configSchema: expSchema,
    createTraces: (set, cfg) => {
      const e = new CaptureExporter(this, set, cfg);
      this.exporters.push(e);
      return e;
    },
  };
  readonly extensionFactory: ExtensionFactory<Infer<typeof extSchema>> = {
    kind: 'extension',
    type: 'fakeext',
    description: 'Does nothing',
    stability: 'beta',
    configSchema: extSchema,
    create: (set, cfg) => {
      const x = new FakeExtension(this, set, cfg);
      this.extensions.set(set.id.id, x);
      return x;
    },
  };
  /** A metrics-only receiver (for signal checks). */
  readonly metricsReceiverFactory: ReceiverFactory<Record<string, never>> = {
    kind: 'receiver',
    type: 'metricsonly',
    description: 'Supports only metrics',
    stability: { metrics: 'alpha' },
    configSchema: s.object({}),
    create: () => ({ start: async () => undefined, shutdown: async () => undefined }),
  };

  get factories(): AnyFactory[] {
    return [this.receiverFactory, this.processorFactory, this.exporterFactory, this.extensionFactory, this.metricsReceiverFactory];
  }

  exporter(id: string): CaptureExporter {
    const e = this.exporters.find((x) => x.set.id.id === id);
    if (!e) throw new Error(`no exporter ${id}`);
    return e;
  }
  processor(id: string, pipeline: string): FakeProcessor {
    const p = this.processors.find((x) => x.set.id.id === id && x.pipeline === pipeline);
    if (!p) throw new Error(`no processor ${id} in ${pipeline}`);
    return p;
  }
  receiver(id: string): FakeReceiver {
    const r = this.receivers.get(id);
    if (!r) throw new Error(`no receiver ${id}`);
    return r;
  }
}

/** A logger that keeps every record with its fields (children share the record list). */
export class CapturingLogger implements Logger {
  constructor(
    readonly records: Array<{ level: string; msg: string; fields: Record<string, unknown> }> = [],
    readonly fields: Record<string, unknown> = {},
  ) {}
  private log(level: string, msg: string, f?: Record<string, unknown>): void {
    this.records.push({ level, msg, fields: { ...this.fields, ...f } });
  }
  debug(m: string, f?: Record<string, unknown>): void {
    this.log('debug', m, f);
  }
  info(m: string, f?: Record<string, unknown>): void {
    this.log('info', m, f);
  }
  warn(m: string, f?: Record<string, unknown>): void {
    this.log('warn', m, f);
  }
  error(m: string, f?: Record<string, unknown>): void {
    this.log('error', m, f);
  }
  child(f: Record<string, unknown>): Logger {
    return new CapturingLogger(this.records, { ...this.fields, ...f });
  }
}
