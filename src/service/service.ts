// The running collector: builds the pipeline graph from a validated config, then starts and stops it in the
// Go collector's order.
//
// start():    self-metrics endpoint, extensions (in service.extensions order), exporters, processors (from the
//             end of each pipeline back to its start), receivers — every consumer is ready before anything can
//             send to it. Then `pipelinesReady` turns true.
// shutdown(): `pipelinesReady` turns false, then the reverse: receivers first (they stop accepting), processors
//             from the start of each pipeline (so e.g. batch flushes into live exporters), exporters (they flush),
//             extensions, the metrics endpoint.
// Both are idempotent. A component that fails to start stops everything already started (in shutdown order)
// and start() rejects with `cannot start pipelines: failed to start "otlp" receiver: ...`.

import { droppedAt } from '../telemetry/levels';
import * as os from 'node:os';
import type { ComponentId, CreateSettings, Logger } from '../component/types';
import { Lifecycle } from '../component/types';
import { OtelTsError, GrpcStatus, isOtelTsError, type ErrorCode } from '../errors';
import type { CollectorConfig } from '../config/config';
import type { MetricRegistry } from '../telemetry/metrics';
import { buildGraph, errorMessage, type Graph, type GraphNode } from './graph';
import { CONSUME_METHOD } from './fanout';
import type { Signal } from '../component/types';
import type { AnyBatch } from '../pdata/batch';
import { WorkerPool } from '../workers/pool';
import { ServiceHost } from './host';
import type { FactoryKind } from './registry';
import {
  MetricsServer,
  SERVICE_NAME,
  createServiceLogger,
  createServiceRegistry,
  registerProcessMetrics,
  serviceResource,
  type BuildInfo,
} from './telemetry';

/** The collector could not start (a component or the metrics endpoint failed). */
export class StartError extends OtelTsError {
  constructor(message: string, cause: unknown) {
    const code: ErrorCode = isOtelTsError(cause) ? cause.code : 'OTELTS_ERR_INTERNAL';
    super(code, message, GrpcStatus.INTERNAL, 500, false, { cause });
  }
}

/** Some components failed to shut down cleanly (every component was still asked to stop). */
export class ShutdownFailedError extends OtelTsError {
  readonly errors: readonly unknown[];
  constructor(errors: readonly unknown[]) {
    super('OTELTS_ERR_INTERNAL', `shutdown finished with errors: ${errors.map(errorMessage).join('; ')}`, GrpcStatus.INTERNAL, 500, false);
    this.errors = errors;
  }
}

export interface ServiceOptions {
  config: CollectorConfig;
  /** Root logger; default: built from service.telemetry.logs. */
  logger?: Logger;
  buildInfo?: BuildInfo;
  /** Shared metric registry; default: a new one labelled with the service resource. */
  metrics?: MetricRegistry;
  /** Warnings found while loading the config (logged at construction). */
  warnings?: readonly string[];
  /**
   * `single` (default): the whole graph in this thread. `pool`: receivers and extensions here, the pipelines in
   * a pool of `service.workers` worker threads (src/workers; falls back to `single` when service.workers is 0).
   * `worker`: inside a worker thread — the pipelines only (processors and exporters), no telemetry endpoint.
   */
  mode?: 'single' | 'pool' | 'worker';
  /** Mode `worker`: this worker's index (its shard) and the pool size, passed to components. */
  worker?: { index: number; count: number };
}

export class Service {
  readonly host = new ServiceHost();
  readonly metrics: MetricRegistry;
  readonly logger: Logger;
  readonly buildInfo: BuildInfo;
  private readonly graph: Graph;
  private readonly lifecycle = new Lifecycle();
  private readonly metricsServer: MetricsServer | undefined;
  private readonly config: CollectorConfig;
  /** The processor worker pool (mode `pool`). */
  readonly pool: WorkerPool | undefined;
  private readonly mode: 'single' | 'pool' | 'worker';

  /** Builds every component (opens nothing). Throws a ConfigError when a factory rejects its config. */
  constructor(opts: ServiceOptions) {
    this.config = opts.config;
    const tel = opts.config.service.telemetry;
    this.buildInfo = opts.buildInfo ?? { command: SERVICE_NAME, version: '0.0.0' };
    this.logger = opts.logger ?? createServiceLogger(tel);
    const resource = serviceResource(tel, this.buildInfo);
    this.metrics = opts.metrics ?? createServiceRegistry(resource);
    for (const w of [...(opts.warnings ?? []), ...tel.warnings]) this.logger.warn(w);

    const level = tel.metrics.level;
    this.metrics.setDrop(droppedAt(level));
    this.mode = opts.mode === 'pool' && opts.config.service.workers.count === 0 ? 'single' : (opts.mode ?? 'single');
    if (this.mode === 'worker') {
      // Telemetry is served by the acceptor, which merges the workers' registries.
    } else if (level !== 'none' && tel.metrics.pull.length) {
      const before = registerProcessMetrics(this.metrics);
      this.metricsServer = new MetricsServer(this.metrics, tel.metrics.pull, before, this.logger);
    } else if (level === 'none') {
      this.logger.info('Internal metrics telemetry disabled');
    }

    const settingsFor = (kind: FactoryKind, id: ComponentId, fields: Record<string, string>): CreateSettings => ({
      id,
      kind,
      logger: this.logger.child({ 'otelcol.component.id': id.id, 'otelcol.component.kind': kind, ...fields }),
      meter: this.metrics,
      metricsLevel: level,
      ...(opts.worker ? { worker: opts.worker } : {}),
    });
    if (this.mode === 'pool') {
      const pool = new WorkerPool({ config: opts.config, logger: this.logger, metrics: this.metrics, buildInfo: this.buildInfo });
      this.pool = pool;
      this.graph = buildGraph(opts.config, settingsFor, { part: 'acceptor', receiverConsumers: (rid, signals) => pool.consumersFor(rid, signals) });
    } else {
      this.graph = buildGraph(opts.config, settingsFor, { part: this.mode === 'worker' ? 'pipelines' : 'all' });
    }
    for (const n of this.allNodes()) this.host.register(n.key, n.instance);
  }

  /** Every node in start order. */
  private allNodes(): GraphNode[] {
    const procs: GraphNode[] = [];
    for (const p of this.graph.processors) for (let i = p.nodes.length - 1; i >= 0; i--) procs.push(p.nodes[i]!);
    return [...this.graph.extensions, ...this.graph.exporters, ...procs, ...this.graph.receivers];
  }

  /** Where the self-metrics endpoints listen (after start). */
  metricsAddresses(): ReadonlyArray<{ host: string; port: number }> {
    return this.metricsServer?.addresses() ?? [];
  }

  start(): Promise<void> {
    return this.lifecycle.start(() => this.doStart());
  }

  shutdown(): Promise<void> {
    return this.lifecycle.shutdown(() => this.doShutdown());
  }

  private async doStart(): Promise<void> {
    // A worker's pipelines log their start and stop at debug: the acceptor tells the story once.
    const info = this.mode === 'worker' ? this.logger.debug.bind(this.logger) : this.logger.info.bind(this.logger);
    info(`Starting ${this.buildInfo.command}...`, { Version: this.buildInfo.version, NumCPU: os.availableParallelism?.() ?? os.cpus().length });
    const started: GraphNode[] = [];
    if (this.metricsServer) {
      try {
        await this.metricsServer.start();
      } catch (e) {
        throw new StartError(`cannot start the collector's telemetry: ${errorMessage(e)}`, e);
      }
    }
    let poolStarted = false;
    for (const node of this.allNodes()) {
      if (this.pool && !poolStarted && node.kind === 'receiver') {
        poolStarted = true;
        try {
          await this.pool.start();
        } catch (e) {
          this.logger.error('Failed to start the worker pool', { error: errorMessage(e) });
          await this.stopNodes(started.reverse(), false);
          await this.metricsServer?.shutdown();
          throw new StartError(`cannot start pipelines: ${errorMessage(e)}`, e);
        }
      }
      this.host.setStatus(node.key, node.instance, 'starting');
      try {
        await node.component.start(this.host.forInstance(node.key, node.instance));
      } catch (e) {
        this.host.setStatus(node.key, node.instance, 'permanent_error');
        this.logger.error('Failed to start component', { error: errorMessage(e), type: node.kind, id: node.id.id });
        const what = `failed to start ${JSON.stringify(node.id.id)} ${node.kind}: ${errorMessage(e)}`;
        const msg = node.kind === 'extension' ? `failed to start extensions: ${what}` : `cannot start pipelines: ${what}`;
        // Roll back: stop the failed component and everything started, in shutdown order.
        const rollback = [node, ...started.reverse()];
        const firstExt = rollback.findIndex((n) => n.kind === 'extension');
        await this.stopNodes(rollback.slice(0, firstExt < 0 ? rollback.length : firstExt), false);
        if (poolStarted) await this.pool!.shutdown().catch(() => undefined);
        if (firstExt >= 0) await this.stopNodes(rollback.slice(firstExt), false);
        this.host.setStatus(node.key, node.instance, 'permanent_error');
        await this.metricsServer?.shutdown();
        throw new StartError(msg, e);
      }
      if (node.kind === 'extension') this.host.addExtension(node.id.id, node.component);
      started.push(node);
      const st = this.host.componentStatuses().get(node.key);
      // A component may already have reported its own status during start; keep an error it reported.
      if (st !== 'recoverable_error' && st !== 'permanent_error') this.host.setStatus(node.key, node.instance, 'ok');
    }
    this.host.setPipelinesReady(true);
    info('Everything is ready. Begin running and processing data.');
  }

  /** Shut nodes down in the given order; returns the errors (never throws). */
  private async stopNodes(nodes: readonly GraphNode[], report = true): Promise<unknown[]> {
    const errors: unknown[] = [];
    for (const node of nodes) {
      this.host.setStatus(node.key, node.instance, 'stopping');
      try {
        await node.component.shutdown();
        this.host.setStatus(node.key, node.instance, 'stopped');
      } catch (e) {
        errors.push(e);
        this.host.setStatus(node.key, node.instance, 'permanent_error');
        if (report) this.logger.error('Failed to shut down component', { error: errorMessage(e), type: node.kind, id: node.id.id });
      }
      if (node.kind === 'extension') this.host.removeExtension(node.id.id);
    }
    return errors;
  }

  private async doShutdown(): Promise<void> {
    const info = this.mode === 'worker' ? this.logger.debug.bind(this.logger) : this.logger.info.bind(this.logger);
    info('Starting shutdown...');
    this.host.setPipelinesReady(false);
    const order = this.allNodes().reverse();
    const firstExt = order.findIndex((n) => n.kind === 'extension');
    const errors = await this.stopNodes(order.slice(0, firstExt < 0 ? order.length : firstExt));
    // Receivers stopped accepting; the workers finish what they hold, flush and drain, then extensions stop.
    if (this.pool) {
      try {
        await this.pool.shutdown();
      } catch (e) {
        errors.push(e);
        this.logger.error('Failed to shut down the worker pool', { error: errorMessage(e) });
      }
    }
    if (firstExt >= 0) errors.push(...(await this.stopNodes(order.slice(firstExt))));
    await this.metricsServer?.shutdown();
    info('Shutdown complete.');
    if (errors.length) throw new ShutdownFailedError(errors);
  }

  /**
   * Feed `batch` to what receiver `rid` feeds for `signal` (mode `worker`: the pool's tasks enter here).
   * Rejects when no pipeline takes that receiver's signal.
   */
  consume(rid: string, signal: Signal, batch: AnyBatch): Promise<void> {
    const c = this.graph.entries.get(rid)?.[signal] as Record<string, unknown> | undefined;
    const fn = c?.[CONSUME_METHOD[signal]];
    if (typeof fn !== 'function') return Promise.reject(new Error(`no pipeline takes ${signal} from receiver ${JSON.stringify(rid)}`));
    return (fn as (b: AnyBatch) => Promise<void>).call(c, batch);
  }

  /** The config this service runs. */
  get collectorConfig(): CollectorConfig {
    return this.config;
  }
}
