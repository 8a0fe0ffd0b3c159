// Building new LogBatches from existing ones (concat, clone, slice, filterLogRecords): the shared Gather
// (gather-common.ts) with log records as items (their body value relocated with them).

import type { LogParts } from './logs-decode';
import { ItemSpec, concatItems, selectItems, type Gather, type Source } from './gather-common';
import {
  LR_STRIDE, LR_OFF, LR_LEN, LR_ATTR_FIRST, LR_ATTR_N, LR_SCOPE, LR_BODY_TYPE, LR_BODY_V0, LR_BODY_V1, REFS_LOG,
  C_SPAN_COUNT,
} from './layout';

const RECORDS = new ItemSpec(
  LR_STRIDE, LR_OFF, LR_LEN, REFS_LOG, LR_SCOPE, C_SPAN_COUNT, LR_ATTR_FIRST, LR_ATTR_N, LR_BODY_TYPE, LR_BODY_V0, LR_BODY_V1, [],
);

function source(p: LogParts): Source {
  const { arena, res, scopes, attrs, attrHint } = p;
  return { arena, res, scopes, attrs, items: p.logs, nested: [], attrHint };
}

function parts(g: Gather, origLen: number): LogParts {
  return { arena: g.arena, res: g.res, scopes: g.scopes, logs: g.items, attrs: g.attrs, origLen, attrHint: g.attrHint };
}

/** Every resource, scope and log record of `sources`, in order (empty resources/scopes included). */
export function concatLogParts(sources: readonly LogParts[]): LogParts {
  // A single whole source keeps its offsets: it is still its original request.
  return parts(concatItems(RECORDS, sources.map(source)), sources.length === 1 ? sources[0].origLen : -1);
}

/**
 * Records i of `src` with start <= i < end and (keep === null || keep[i] !== 0), under copies of their
 * resources and scopes. Resources left without records are dropped (like the Go batch splitter), and so
 * are the scopes without kept records of a partly kept resource; a resource whose records are all kept is
 * copied whole, empty scopes included.
 */
export function selectLogParts(src: LogParts, start: number, end: number, keep: Uint8Array | null): LogParts {
  return parts(selectItems(RECORDS, source(src), start, end, keep), -1);
}
