// Attribute owners of a MetricBatch (registered with the shared AttrView): metric metadata, data point
// attributes (their field number depends on the point type, so one kind per number) and exemplar filtered
// attributes. Resources and scopes use the shared OWNER_RESOURCE / OWNER_SCOPE kinds (R_* / C_* layout).

import type { AttrParts } from './decode';
import { registerOwnerKind, markScopeDesc, type OwnerKind } from './attributes';
import type { MetricParts } from './metrics-decode';
import {
  Table,
  MT_STRIDE, MT_OFF, MT_LEN, MT_ATTR_N, MT_ATTR_FIRST, MT_SCOPE, MT_BITS, MD_META, MD_POINTS,
  DP_STRIDE, DP_OFF, DP_LEN, DP_ATTR_N, DP_ATTR_FIRST, DP_METRIC, DP_BITS, PD_ATTRS, PD_EXEMPLARS,
  EX_STRIDE, EX_OFF, EX_LEN, EX_ATTR_N, EX_ATTR_FIRST, EX_BITS, XB_DIRTY,
  MTYPE_HISTOGRAM, MTYPE_EXP_HISTOGRAM,
} from './layout';

const mp = (p: AttrParts): MetricParts => p as MetricParts;

/** Set dirty bits on metric m and mark its scope and resource as containing a modified metric. */
export function markMetricDirty(p: MetricParts, m: number, bits: number): void {
  const m32 = p.metrics.i32;
  m32[m * MT_STRIDE + MT_BITS] |= bits;
  markScopeDesc(p, m32[m * MT_STRIDE + MT_SCOPE]);
}

/** Set dirty bits on point row pt and mark its metric as having a modified point. */
export function markPointDirty(p: MetricParts, pt: number, bits: number): void {
  const d = p.points.i32;
  d[pt * DP_STRIDE + DP_BITS] |= bits;
  markMetricDirty(p, d[pt * DP_STRIDE + DP_METRIC], MD_POINTS);
}

function pointKind(field: number): OwnerKind {
  return {
    table: (p: AttrParts): Table => mp(p).points,
    stride: DP_STRIDE,
    firstCol: DP_ATTR_FIRST,
    nCol: DP_ATTR_N,
    rawOffCol: DP_OFF,
    rawLenCol: DP_LEN,
    field,
    markDirty: (p: AttrParts, row: number): void => markPointDirty(mp(p), row, PD_ATTRS),
    isDirty: (p: AttrParts, row: number): boolean => (mp(p).points.i32[row * DP_STRIDE + DP_BITS] & PD_ATTRS) !== 0,
  };
}

/** Number and summary points (attributes = 7), histogram points (9), exponential histogram points (1). */
export const OWNER_POINT_7 = registerOwnerKind(pointKind(7));
export const OWNER_POINT_9 = registerOwnerKind(pointKind(9));
export const OWNER_POINT_1 = registerOwnerKind(pointKind(1));

/** The owner kind of the attributes of a point of a metric of type `type` (MTYPE_*). */
export function pointOwner(type: number): number {
  return type === MTYPE_HISTOGRAM ? OWNER_POINT_9 : type === MTYPE_EXP_HISTOGRAM ? OWNER_POINT_1 : OWNER_POINT_7;
}

/** Metric metadata (field 12). */
export const OWNER_METRIC = registerOwnerKind({
  table: (p: AttrParts): Table => mp(p).metrics,
  stride: MT_STRIDE,
  firstCol: MT_ATTR_FIRST,
  nCol: MT_ATTR_N,
  rawOffCol: MT_OFF,
  rawLenCol: MT_LEN,
  field: 12,
  markDirty: (p: AttrParts, row: number): void => markMetricDirty(mp(p), row, MD_META),
  isDirty: (p: AttrParts, row: number): boolean => (mp(p).metrics.i32[row * MT_STRIDE + MT_BITS] & MD_META) !== 0,
});

/** Exemplar filtered_attributes (field 7); the AttrView's parent argument is the point row. */
export const OWNER_EXEMPLAR = registerOwnerKind({
  table: (p: AttrParts): Table => mp(p).exemplars,
  stride: EX_STRIDE,
  firstCol: EX_ATTR_FIRST,
  nCol: EX_ATTR_N,
  rawOffCol: EX_OFF,
  rawLenCol: EX_LEN,
  field: 7,
  markDirty: (p: AttrParts, row: number, point: number): void => {
    mp(p).exemplars.i32[row * EX_STRIDE + EX_BITS] |= XB_DIRTY;
    markPointDirty(mp(p), point, PD_EXEMPLARS);
  },
  isDirty: (p: AttrParts, row: number): boolean => (mp(p).exemplars.i32[row * EX_STRIDE + EX_BITS] & XB_DIRTY) !== 0,
});
