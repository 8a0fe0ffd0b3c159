// Building new TraceBatches from existing ones (concat, clone, slice, filterSpans): the shared Gather
// (gather-common.ts) with spans as items and their events and links as nested rows.

import type { Parts } from './decode';
import { ItemSpec, NestedSpec, concatItems, selectItems, type Gather, type Source } from './gather-common';
import {
  S_STRIDE, S_OFF, S_LEN, S_ATTR_FIRST, S_ATTR_N, S_EVENT_FIRST, S_EVENT_N, S_LINK_FIRST, S_LINK_N, S_SCOPE,
  REFS_SPAN, C_SPAN_COUNT,
  E_STRIDE, E_ATTR_FIRST, E_ATTR_N, REFS_EVENT,
  L_STRIDE, L_ATTR_FIRST, L_ATTR_N, REFS_LINK,
} from './layout';

const SPANS = new ItemSpec(S_STRIDE, S_OFF, S_LEN, REFS_SPAN, S_SCOPE, C_SPAN_COUNT, S_ATTR_FIRST, S_ATTR_N, -1, 0, 0, [
  new NestedSpec(E_STRIDE, S_EVENT_FIRST, S_EVENT_N, REFS_EVENT, E_ATTR_FIRST, E_ATTR_N),
  new NestedSpec(L_STRIDE, S_LINK_FIRST, S_LINK_N, REFS_LINK, L_ATTR_FIRST, L_ATTR_N),
]);

function source(p: Parts): Source {
  const { arena, res, scopes, attrs, attrHint } = p;
  return { arena, res, scopes, attrs, items: p.spans, nested: [p.events, p.links], attrHint };
}

function parts(g: Gather, origLen: number): Parts {
  return {
    arena: g.arena, res: g.res, scopes: g.scopes, spans: g.items, attrs: g.attrs, events: g.nested[0], links: g.nested[1],
    origLen, attrHint: g.attrHint,
  };
}

/** Every resource, scope and span of `sources`, in order (empty resources/scopes included). */
export function concatParts(sources: readonly Parts[]): Parts {
  // A single whole source keeps its offsets: it is still its original request.
  return parts(concatItems(SPANS, sources.map(source)), sources.length === 1 ? sources[0].origLen : -1);
}

/**
 * Spans i of `src` with start <= i < end and (keep === null || keep[i] !== 0), under copies of their
 * resources and scopes (selectItems: resources left without spans are dropped, like the Go batch splitter;
 * a resource whose spans are all kept is copied whole, empty scopes included).
 */
export function selectParts(src: Parts, start: number, end: number, keep: Uint8Array | null): Parts {
  return parts(selectItems(SPANS, source(src), start, end, keep), -1);
}
