// Building new MetricBatches from existing ones (concat, clone, slice, filterDataPoints, filterMetrics): the
// shared Gather (gather-common.ts) with data points as items (exemplars nested) and the metrics as the level
// between scopes and points, copied here.
//
// Bytes are copied in windows (a whole source arena; a whole ResourceMetrics, ScopeMetrics or Metric; or each
// kept data point), coalesced when close in the source. A metric kept only in part (some of its points) loses
// its raw range (MT_OFF = -1): its shell (name, description, unit, metadata, temporality, monotonic, unknown
// fields) is kept in the columns, its metadata parsed first, and the encoder writes it from them around the
// kept points (like the Go batch processor's split).

import type { MetricParts } from './metrics-decode';
import { ensureAttrs } from './attributes';
import { OWNER_METRIC } from './metrics-attrs';
import { Gather, ItemSpec, NestedSpec, type Capacity, type Source } from './gather-common';
import {
  Table,
  R_STRIDE, R_RS_OFF, R_RS_LEN, R_MSG_OFF, R_MSG_LEN, R_FIRST_SCOPE, R_SCOPE_COUNT,
  C_STRIDE, C_SS_OFF, C_SS_LEN, C_MSG_OFF, C_MSG_LEN, C_FIRST_METRIC, C_METRIC_COUNT,
  MT_STRIDE, MT_OFF, MT_LEN, MT_DATA_OFF, MT_DATA_LEN, MT_ATTR_FIRST, MT_ATTR_N, MT_FIRST_POINT, MT_POINT_COUNT,
  MT_SCOPE, REFS_METRIC,
  DP_STRIDE, DP_OFF, DP_LEN, DP_ATTR_FIRST, DP_ATTR_N, DP_EXEMPLAR_FIRST, DP_EXEMPLAR_N, DP_METRIC, REFS_POINT,
  EX_STRIDE, EX_ATTR_FIRST, EX_ATTR_N, REFS_EXEMPLAR,
} from './layout';

const POINTS = new ItemSpec(DP_STRIDE, DP_OFF, DP_LEN, REFS_POINT, DP_METRIC, MT_POINT_COUNT, DP_ATTR_FIRST, DP_ATTR_N, -1, 0, 0, [
  new NestedSpec(EX_STRIDE, DP_EXEMPLAR_FIRST, DP_EXEMPLAR_N, REFS_EXEMPLAR, EX_ATTR_FIRST, EX_ATTR_N),
]);

function source(p: MetricParts): Source {
  const { arena, res, scopes, attrs, attrHint } = p;
  return { arena, res, scopes, attrs, items: p.points, nested: [p.exemplars], attrHint };
}

/** The Gather of a metrics result, and its metrics table (the level between scopes and points). */
class MetricGather {
  readonly metrics: Table;
  readonly g: Gather;
  private src!: MetricParts;

  constructor(sources: readonly MetricParts[], cap?: Capacity & { metrics: number }) {
    let metrics = 0;
    for (const s of sources) metrics += s.metrics.rows;
    this.metrics = new Table(MT_STRIDE, cap ? cap.metrics : metrics);
    this.g = new Gather(POINTS, sources.map(source), cap, this.metrics);
  }

  setSource(p: MetricParts): void {
    this.src = p;
    this.g.setSource(source(p));
  }

  /** Copy metric m; `whole` false: only some of its points follow (its metadata must be parsed). */
  metric(m: number, whole: boolean, scopeBase: number): number {
    const g = this.g;
    const d = g.copyRow(this.src.metrics, m, this.metrics, null);
    const i32 = this.metrics.i32;
    if (!whole) {
      i32[d + MT_OFF] = -1;
      i32[d + MT_LEN] = 0;
      i32[d + MT_DATA_OFF] = -1;
      i32[d + MT_DATA_LEN] = 0;
    }
    g.relocRow(this.metrics, d, REFS_METRIC);
    i32[d + MT_ATTR_FIRST] = g.attrRows(i32[d + MT_ATTR_FIRST], i32[d + MT_ATTR_N]);
    i32[d + MT_SCOPE] = scopeBase / C_STRIDE;
    i32[d + MT_FIRST_POINT] = g.items.rows;
    i32[d + MT_POINT_COUNT] = 0;
    g.scopes.i32[scopeBase + C_METRIC_COUNT]++;
    return d;
  }

  finish(origLen: number): MetricParts {
    const g = this.g;
    g.finish();
    return {
      arena: g.arena, res: g.res, scopes: g.scopes, metrics: this.metrics, points: g.items, attrs: g.attrs, exemplars: g.nested[0],
      origLen, attrHint: g.attrHint,
    };
  }
}

/** Every resource, scope, metric and point of `sources`, in order (nothing merged, empty ones included). */
export function concatMetricParts(sources: readonly MetricParts[]): MetricParts {
  const b = new MetricGather(sources);
  const g = b.g;
  for (const src of sources) {
    b.setSource(src);
    g.window(0, src.arena.used);
    const r32 = src.res.i32;
    const c32 = src.scopes.i32;
    const m32 = src.metrics.i32;
    for (let r = 0; r < src.res.rows; r++) {
      const rd = g.resource(r, true);
      const fs = r32[r * R_STRIDE + R_FIRST_SCOPE];
      for (let s = fs; s < fs + r32[r * R_STRIDE + R_SCOPE_COUNT]; s++) {
        const cd = g.scope(s, true, rd);
        const fm = c32[s * C_STRIDE + C_FIRST_METRIC];
        for (let m = fm; m < fm + c32[s * C_STRIDE + C_METRIC_COUNT]; m++) {
          const md = b.metric(m, true, cd);
          const fp = m32[m * MT_STRIDE + MT_FIRST_POINT];
          for (let pt = fp; pt < fp + m32[m * MT_STRIDE + MT_POINT_COUNT]; pt++) g.item(pt, md);
        }
      }
    }
  }
  return b.finish(sources.length === 1 ? sources[0].origLen : -1);
}

const DROP = 0;
const PART = 1;
const WHOLE = 2;

/**
 * A selection of `src`: metric m is dropped, kept whole or kept in part (`metricState`), and in part only
 * its points with keepPoint(pt). Scopes and resources left without metrics are dropped; one whose metrics
 * are all kept whole is copied whole (a resource copied whole keeps its empty scopes: its rows must describe
 * its raw wrapper bytes, as selectItems does for traces and logs).
 */
function selectMetricParts(src: MetricParts, metricState: Uint8Array, keepPoint: (pt: number) => boolean): MetricParts {
  const r32 = src.res.i32;
  const c32 = src.scopes.i32;
  const m32 = src.metrics.i32;
  const p32 = src.points.i32;
  // Pass 1: what is kept whole, and how much room the result needs.
  const scopeState = new Uint8Array(src.scopes.rows);
  const resState = new Uint8Array(src.res.rows);
  const cap = { bytes: 0, res: 0, scopes: 0, metrics: 0, items: 0, fraction: 0 };
  for (let r = 0; r < src.res.rows; r++) {
    const rb = r * R_STRIDE;
    const fs = r32[rb + R_FIRST_SCOPE];
    const ns = r32[rb + R_SCOPE_COUNT];
    let anyKept = false;
    let allWhole = true;
    let bytes = 0;
    let nm = 0;
    let np = 0;
    for (let s = fs; s < fs + ns; s++) {
      const cb = s * C_STRIDE;
      const fm = c32[cb + C_FIRST_METRIC];
      const nms = c32[cb + C_METRIC_COUNT];
      let sKept = false;
      let sWhole = true;
      for (let m = fm; m < fm + nms; m++) {
        const st = metricState[m];
        if (st === DROP) {
          sWhole = false;
          continue;
        }
        sKept = true;
        nm++;
        const mb = m * MT_STRIDE;
        const fp = m32[mb + MT_FIRST_POINT];
        const n = m32[mb + MT_POINT_COUNT];
        if (st === PART) {
          sWhole = false;
          bytes += 256;
          for (let pt = fp; pt < fp + n; pt++) {
            if (keepPoint(pt)) {
              np++;
              bytes += p32[pt * DP_STRIDE + DP_LEN] + 8;
            }
          }
        } else {
          np += n;
          bytes += m32[mb + MT_OFF] >= 0 ? m32[mb + MT_LEN] + 8 : 256 + n * 64;
        }
      }
      if (sKept) anyKept = true;
      scopeState[s] = !sKept ? DROP : sWhole && c32[cb + C_SS_OFF] >= 0 ? WHOLE : PART;
      if (scopeState[s] !== WHOLE && (sKept || nms > 0)) allWhole = false;
    }
    if (!anyKept) continue;
    resState[r] = allWhole && r32[rb + R_RS_OFF] >= 0 ? WHOLE : PART;
    cap.res++;
    cap.scopes += ns;
    cap.metrics += nm;
    cap.items += np;
    cap.bytes += resState[r] === WHOLE ? r32[rb + R_RS_LEN] : bytes + 256 * (ns + 1);
  }
  cap.fraction = src.points.rows > 0 ? cap.items / src.points.rows : 0;
  const b = new MetricGather([src], cap);
  const g = b.g;
  b.setSource(src);
  // Pass 2: copy.
  for (let r = 0; r < src.res.rows; r++) {
    if (resState[r] === DROP) continue;
    const rb = r * R_STRIDE;
    const wholeRes = resState[r] === WHOLE;
    if (wholeRes) g.window(r32[rb + R_RS_OFF], r32[rb + R_RS_LEN]);
    else g.window(r32[rb + R_MSG_OFF], r32[rb + R_MSG_LEN]);
    const rd = g.resource(r, wholeRes);
    const fs = r32[rb + R_FIRST_SCOPE];
    const ns = r32[rb + R_SCOPE_COUNT];
    for (let s = fs; s < fs + ns; s++) {
      const cb = s * C_STRIDE;
      if (!wholeRes && scopeState[s] === DROP) continue;
      const wholeScope = wholeRes || scopeState[s] === WHOLE;
      if (!wholeRes) {
        if (wholeScope) g.window(c32[cb + C_SS_OFF], c32[cb + C_SS_LEN]);
        else g.window(c32[cb + C_MSG_OFF], c32[cb + C_MSG_LEN]);
      }
      const cd = g.scope(s, wholeScope, rd);
      const fm = c32[cb + C_FIRST_METRIC];
      const nms = c32[cb + C_METRIC_COUNT];
      for (let m = fm; m < fm + nms; m++) {
        const st = wholeScope ? WHOLE : metricState[m];
        if (st === DROP) continue;
        const mb = m * MT_STRIDE;
        const raw = st === WHOLE && m32[mb + MT_OFF] >= 0;
        if (!wholeScope) g.window(raw ? m32[mb + MT_OFF] : -1, raw ? m32[mb + MT_LEN] : 0);
        if (st === PART) ensureAttrs(src, OWNER_METRIC, m);
        const md = b.metric(m, st === WHOLE, cd);
        const fp = m32[mb + MT_FIRST_POINT];
        const n = m32[mb + MT_POINT_COUNT];
        for (let pt = fp; pt < fp + n; pt++) {
          if (st === PART && !keepPoint(pt)) continue;
          if (!wholeScope && !raw) g.window(p32[pt * DP_STRIDE + DP_OFF], p32[pt * DP_STRIDE + DP_LEN]);
          g.item(pt, md);
        }
      }
    }
  }
  return b.finish(-1);
}

/**
 * Data points [start, end) under copies of their metrics (shell repeated for a split metric), scopes and
 * resources. A metric without points goes with the slice holding its position (the last slice when at the
 * end), so consecutive slices partition every metric.
 */
export function sliceMetricParts(src: MetricParts, start: number, end: number): MetricParts {
  const n = src.points.rows;
  const m32 = src.metrics.i32;
  const state = new Uint8Array(src.metrics.rows);
  for (let m = 0; m < src.metrics.rows; m++) {
    const f = m32[m * MT_STRIDE + MT_FIRST_POINT];
    const c = m32[m * MT_STRIDE + MT_POINT_COUNT];
    if (c === 0) {
      state[m] = (f >= start && f < end) || (f === n && end === n) ? WHOLE : DROP;
      continue;
    }
    const lo = Math.max(f, start);
    const hi = Math.min(f + c, end);
    state[m] = hi <= lo ? DROP : hi - lo === c ? WHOLE : PART;
  }
  return selectMetricParts(src, state, (pt) => pt >= start && pt < end);
}

/** Points with keep[pt] !== 0; metrics left without points are dropped. */
export function filterPointParts(src: MetricParts, keep: Uint8Array): MetricParts {
  const m32 = src.metrics.i32;
  const state = new Uint8Array(src.metrics.rows);
  for (let m = 0; m < src.metrics.rows; m++) {
    const f = m32[m * MT_STRIDE + MT_FIRST_POINT];
    const c = m32[m * MT_STRIDE + MT_POINT_COUNT];
    let k = 0;
    for (let pt = f; pt < f + c; pt++) if (keep[pt] !== 0) k++;
    state[m] = k === 0 ? DROP : k === c ? WHOLE : PART;
  }
  return selectMetricParts(src, state, (pt) => keep[pt] !== 0);
}

/** Whole metrics with keep[m] !== 0. */
export function filterMetricParts(src: MetricParts, keep: Uint8Array): MetricParts {
  const state = new Uint8Array(src.metrics.rows);
  for (let m = 0; m < src.metrics.rows; m++) state[m] = keep[m] !== 0 ? WHOLE : DROP;
  return selectMetricParts(src, state, () => true);
}
