// The resource processor: applies the configured actions to the attributes of every resource of a batch
// (ResourceSpans / ResourceMetrics / ResourceLogs), in place, for any signal. A batch's resources are never
// merged (batching concatenates them), so each Resource message is edited exactly once, as upstream.
// Items are neither read nor touched: an edit re-encodes only the resource, the spans/points/records keep
// their original bytes.

import type { AnyBatch } from '../../pdata/batch';
import type { AttrProc } from '../internal/attraction';

/** Apply `proc` to every resource of the batch. */
export function applyToResources<B extends AnyBatch>(proc: AttrProc): (batch: B) => void {
  return (batch) => {
    const n = batch.resourceCount;
    for (let r = 0; r < n; r++) proc.process(batch.resourceAttributes(r));
  };
}
