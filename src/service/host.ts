// The Host handed to components at start(): started extensions by id, whether the pipelines are ready, and the
// status of every component. Statuses are kept per instance (a processor has one instance per pipeline; an
// exporter one per signal) and shown per `kind:id`, aggregated like the Go collector's componentstatus:
// permanent_error > recoverable_error > stopping > stopped > starting > ok > none.

import type { Component, ComponentStatus, Host } from '../component/types';

const RANK: Record<ComponentStatus, number> = {
  permanent_error: 6,
  recoverable_error: 5,
  stopping: 4,
  stopped: 3,
  starting: 2,
  ok: 1,
  none: 0,
};

/** The worst of several instance statuses. */
export function aggregateStatus(statuses: Iterable<ComponentStatus>): ComponentStatus {
  let worst: ComponentStatus = 'none';
  for (const st of statuses) if (RANK[st] > RANK[worst]) worst = st;
  return worst;
}

export type StatusListener = (kindAndId: string, status: ComponentStatus) => void;

export class ServiceHost implements Host {
  private readonly extensions = new Map<string, Component>();
  /** `kind:id` → instance key → status. */
  private readonly statuses = new Map<string, Map<string, ComponentStatus>>();
  private ready = false;
  private readonly listeners: StatusListener[] = [];

  get pipelinesReady(): boolean {
    return this.ready;
  }
  setPipelinesReady(v: boolean): void {
    this.ready = v;
  }

  addExtension(id: string, c: Component): void {
    this.extensions.set(id, c);
  }
  removeExtension(id: string): void {
    this.extensions.delete(id);
  }
  getExtension(id: string): Component | undefined {
    return this.extensions.get(id);
  }

  /** Register an instance (status `none`) so it is listed before it starts. */
  register(kindAndId: string, instance = ''): void {
    let m = this.statuses.get(kindAndId);
    if (!m) {
      m = new Map();
      this.statuses.set(kindAndId, m);
    }
    if (!m.has(instance)) m.set(instance, 'none');
  }

  /** Record the status of one instance of `kindAndId`. */
  setStatus(kindAndId: string, instance: string, status: ComponentStatus): void {
    let m = this.statuses.get(kindAndId);
    if (!m) {
      m = new Map();
      this.statuses.set(kindAndId, m);
    }
    const before = aggregateStatus(m.values());
    m.set(instance, status);
    const after = aggregateStatus(m.values());
    if (after !== before) for (const l of this.listeners) l(kindAndId, after);
  }

  componentStatuses(): ReadonlyMap<string, ComponentStatus> {
    const out = new Map<string, ComponentStatus>();
    for (const [k, m] of this.statuses) out.set(k, aggregateStatus(m.values()));
    return out;
  }

  /** Host API: a component reporting for itself without an instance (all instances of kind:id). */
  reportStatus(kindAndId: string, status: ComponentStatus): void {
    const m = this.statuses.get(kindAndId);
    if (!m || m.size === 0) return this.setStatus(kindAndId, '', status);
    for (const inst of [...m.keys()]) this.setStatus(kindAndId, inst, status);
  }

  /** Called whenever the aggregate status of a `kind:id` changes. */
  onStatus(l: StatusListener): void {
    this.listeners.push(l);
  }

  /** The Host given to one component instance: its reportStatus updates that instance only. */
  forInstance(kindAndId: string, instance: string): Host {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    return {
      getExtension: (id) => self.getExtension(id),
      get pipelinesReady() {
        return self.pipelinesReady;
      },
      componentStatuses: () => self.componentStatuses(),
      reportStatus: (k, st) => (k === kindAndId ? self.setStatus(kindAndId, instance, st) : self.reportStatus(k, st)),
    };
  }
}
