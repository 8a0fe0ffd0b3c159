// The component model, after the Go collector: one factory per component type with a typed default config,
// idempotent start()/shutdown(), per-signal create functions. Every receiver, processor, exporter, connector
// and extension implements these interfaces; the service (src/service) builds the pipeline graph from them.

import type { Schema } from '../config/schema';
import type { TraceBatch } from '../pdata/traces';
import type { MetricBatch } from '../pdata/metrics';
import type { LogBatch } from '../pdata/logs';

export type Signal = 'traces' | 'metrics' | 'logs';
export const SIGNALS: readonly Signal[] = ['traces', 'metrics', 'logs'];
export type Kind = 'receiver' | 'processor' | 'exporter' | 'extension' | 'connector';
export type Stability = 'development' | 'alpha' | 'beta' | 'stable' | 'deprecated' | 'unmaintained';

/** `type` or `type/name`, as written in the YAML. */
export interface ComponentId {
  readonly type: string;
  readonly name: string;
  /** The id as written: `otlp` or `otlp/2`. */
  readonly id: string;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger whose records carry `fields` too. */
  child(fields: Record<string, unknown>): Logger;
}

export type Labels = Readonly<Record<string, string>>;
export interface Counter {
  add(n: number): void;
}
export interface Gauge {
  set(n: number): void;
  add(n: number): void;
}
export interface Histogram {
  record(v: number): void;
}
/**
 * Self-telemetry. Names are the Go collector's (`otelcol_receiver_accepted_spans`); counters are exposed with
 * `_total` in Prometheus. Instruments are created once at component creation and updated per batch.
 */
export interface Meter {
  counter(name: string, help: string, labels: Labels): Counter;
  gauge(name: string, help: string, labels: Labels): Gauge;
  /** A gauge read when scraped. */
  observableGauge(name: string, help: string, labels: Labels, read: () => number): void;
  histogram(name: string, help: string, labels: Labels, buckets: readonly number[]): Histogram;
}

export type ComponentStatus = 'none' | 'starting' | 'ok' | 'recoverable_error' | 'permanent_error' | 'stopping' | 'stopped';

/** What a running component can ask of the collector. */
export interface Host {
  /** Started extensions by id (`file_storage`, `health_check/1`). */
  getExtension(id: string): Component | undefined;
  /** true once every pipeline has started, false before and while shutting down. */
  readonly pipelinesReady: boolean;
  /** Status of every component instance, by `kind:id` (e.g. `exporter:otlp/2`). */
  componentStatuses(): ReadonlyMap<string, ComponentStatus>;
  /** A component reports its own health (e.g. an exporter whose backend fails). */
  reportStatus(kindAndId: string, status: ComponentStatus): void;
}

export interface Component {
  /** Idempotent: a second call resolves without doing anything. Opens ports/files only here. */
  start(host: Host): Promise<void>;
  /** Idempotent; finishes in-flight work (or hands it to a durable queue) before it resolves. */
  shutdown(): Promise<void>;
}

export interface Capabilities {
  /** true when the component changes the data it is given; fan-out then hands it a private clone. */
  readonly mutatesData: boolean;
}

/**
 * Something that takes trace batches. The returned promise settles when the data is accepted (or durably
 * queued) downstream; a rejection (an OtelTsError) travels back to the receiver and so to the sender.
 */
export interface TracesConsumer {
  readonly capabilities: Capabilities;
  consumeTraces(batch: TraceBatch): Promise<void>;
}

/** Something that takes metric batches (items = data points). Same contract as TracesConsumer. */
export interface MetricsConsumer {
  readonly capabilities: Capabilities;
  consumeMetrics(batch: MetricBatch): Promise<void>;
}

/** Something that takes log batches (items = log records). Same contract as TracesConsumer. */
export interface LogsConsumer {
  readonly capabilities: Capabilities;
  consumeLogs(batch: LogBatch): Promise<void>;
}

export interface CreateSettings {
  readonly id: ComponentId;
  readonly kind: Kind;
  readonly logger: Logger;
  readonly meter: Meter;
  /** The telemetry level from service.telemetry.metrics.level. */
  readonly metricsLevel: 'none' | 'basic' | 'normal' | 'detailed';
  /**
   * Set when the component runs in a processor worker thread (src/workers): which worker of how many. Components
   * with process-wide bounds or rates (tail_sampling's max_buffered_bytes and rate limits) divide them by `count`.
   */
  readonly worker?: { readonly index: number; readonly count: number };
}

export interface Consumers {
  traces?: TracesConsumer;
  metrics?: MetricsConsumer;
  logs?: LogsConsumer;
}

interface FactoryBase<C> {
  /** The type name as written in the YAML (`otlp`, `batch`). */
  readonly type: string;
  /** Other accepted spellings (`otlp_grpc` for `otlp`, `otlp_http` for `otlphttp`). */
  readonly aliases?: readonly string[];
  readonly description: string;
  /** Validates a component's YAML and fills the Go defaults. */
  readonly configSchema: Schema<C>;
}

export interface ReceiverFactory<C = unknown> extends FactoryBase<C> {
  readonly kind: 'receiver';
  readonly stability: Partial<Record<Signal, Stability>>;
  /** One instance per receiver id, shared by every pipeline that lists it; `consumers` has one entry per signal used. */
  create(set: CreateSettings, cfg: C, consumers: Consumers): Component;
}

export interface TracesProcessor extends Component, TracesConsumer {}
export interface MetricsProcessor extends Component, MetricsConsumer {}
export interface LogsProcessor extends Component, LogsConsumer {}

export interface ProcessorFactory<C = unknown> extends FactoryBase<C> {
  readonly kind: 'processor';
  readonly stability: Partial<Record<Signal, Stability>>;
  /** One instance per pipeline that lists it (as in the Go collector). */
  createTraces?(set: CreateSettings, cfg: C, next: TracesConsumer): TracesProcessor;
  createMetrics?(set: CreateSettings, cfg: C, next: MetricsConsumer): MetricsProcessor;
  createLogs?(set: CreateSettings, cfg: C, next: LogsConsumer): LogsProcessor;
}

export interface TracesExporter extends Component, TracesConsumer {}
export interface MetricsExporter extends Component, MetricsConsumer {}
export interface LogsExporter extends Component, LogsConsumer {}

export interface ExporterFactory<C = unknown> extends FactoryBase<C> {
  readonly kind: 'exporter';
  readonly stability: Partial<Record<Signal, Stability>>;
  /** One instance per exporter id and signal, shared by every pipeline of that signal that lists it. */
  createTraces?(set: CreateSettings, cfg: C): TracesExporter;
  createMetrics?(set: CreateSettings, cfg: C): MetricsExporter;
  createLogs?(set: CreateSettings, cfg: C): LogsExporter;
}

export interface ExtensionFactory<C = unknown> extends FactoryBase<C> {
  readonly kind: 'extension';
  readonly stability: Stability;
  /**
   * With a worker pool, extensions run on the main thread only — except those whose services the pipelines use
   * (storage): those are also built in every worker thread (each instance sees CreateSettings.worker).
   */
  readonly inWorkers?: boolean;
  create(set: CreateSettings, cfg: C): Component;
}

export type AnyFactory = ReceiverFactory<any> | ProcessorFactory<any> | ExporterFactory<any> | ExtensionFactory<any>;

/** Helper: makes start/shutdown idempotent around a component's real work. */
export class Lifecycle {
  private startP: Promise<void> | undefined;
  private stopP: Promise<void> | undefined;
  start(fn: () => Promise<void>): Promise<void> {
    if (!this.startP) this.startP = fn();
    return this.startP;
  }
  shutdown(fn: () => Promise<void>): Promise<void> {
    if (!this.stopP) this.stopP = (this.startP ?? Promise.resolve()).catch(() => undefined).then(fn);
    return this.stopP;
  }
  get started(): boolean {
    return this.startP !== undefined;
  }
  get stopping(): boolean {
    return this.stopP !== undefined;
  }
}
