// The attributes processor for traces: applies the configured actions to the attributes of every span that
// passes include/exclude, in place on the batch's columns (it mutates data, so fan-out hands it a private
// copy). Spans are read and written through `batch.spanAttributes(i)`; resource- and scope-level matching is
// evaluated once per resource/scope.

import type { CreateSettings, Host, TracesConsumer, TracesProcessor } from '../../component/types';
import { Lifecycle } from '../../component/types';
import type { TraceBatch } from '../../pdata/traces';
import type { AttrProc } from '../internal/attraction';
import type { SpanSkip } from '../internal/filter-match';
import { ProcessorTelemetry } from '../internal/processor-telemetry';

export class AttributesTracesProcessor implements TracesProcessor {
  readonly capabilities = { mutatesData: true } as const;
  private readonly lifecycle = new Lifecycle();
  private readonly telemetry: ProcessorTelemetry;

  constructor(
    set: CreateSettings,
    private readonly attrProc: AttrProc,
    private readonly skip: SpanSkip | undefined,
    private readonly next: TracesConsumer,
  ) {
    this.telemetry = new ProcessorTelemetry(set, 'traces');
  }

  start(_host: Host): Promise<void> {
    return this.lifecycle.start(async () => {});
  }

  shutdown(): Promise<void> {
    return this.lifecycle.shutdown(async () => {});
  }

  /** Apply the actions to `batch` in place (exposed for tests and benchmarks). */
  process(batch: TraceBatch): void {
    const n = batch.spanCount;
    const proc = this.attrProc;
    if (this.skip === undefined) {
      for (let i = 0; i < n; i++) proc.process(batch.spanAttributes(i));
      return;
    }
    const skip = this.skip.forBatch(batch);
    for (let i = 0; i < n; i++) if (!skip(i)) proc.process(batch.spanAttributes(i));
  }

  async consumeTraces(batch: TraceBatch): Promise<void> {
    const t0 = performance.now();
    const n = batch.spanCount;
    this.process(batch);
    this.telemetry.record(n, n, t0);
    await this.next.consumeTraces(batch);
  }
}
