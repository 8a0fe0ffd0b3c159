// Building new batches from existing ones (concat, clone, slice, filter), for the three signals: rows are
// copied to new tables and the bytes they reference are copied to a new arena, with every arena offset
// relocated.
//
// Bytes are copied in "windows": a whole source arena (concat/clone), a whole resource or scope wrapper (all
// its items kept), or the pieces of a partly kept resource/scope plus each kept item. Windows that follow
// each other closely in the source are coalesced into one copy. A reference outside the current window (bytes
// appended by a mutation) is copied on its own.
//
// One Gather serves every signal: the resource (R_*), scope (C_*) and attribute (A_*) tables are common, and
// the table of items (spans, log records, metric data points) with its nested tables (events and links,
// exemplars) is described by an ItemSpec (plain numbers: no per-item callbacks). Traces and logs (resource >
// scope > item) use concatItems/selectItems below; metrics add their metric level in metrics-gather.ts.

import {
  Arena, Table,
  R_STRIDE, R_RS_OFF, R_RS_LEN, R_MSG_OFF, R_MSG_LEN, R_ATTR_FIRST, R_ATTR_N, R_FIRST_SCOPE, R_SCOPE_COUNT,
  REFS_RESOURCE,
  C_STRIDE, C_SS_OFF, C_SS_LEN, C_MSG_OFF, C_MSG_LEN, C_ATTR_FIRST, C_ATTR_N, C_RESOURCE, C_FIRST_SPAN,
  C_SPAN_COUNT, REFS_SCOPE,
  A_STRIDE, A_TYPE, A_V0, A_V1, T_MASK, REFS_ATTR, valueIsRef, copyStats,
} from './layout';

/** Coalesce windows separated by at most this many bytes in the source. */
const GAP = 64;

/** Rows nested under an item (events or links of a span, exemplars of a point), each with its attributes. */
export class NestedSpec {
  constructor(
    readonly stride: number,
    /** Item columns: first nested row (-1 while unparsed: nothing to copy) and count. */
    readonly firstCol: number,
    readonly nCol: number,
    /** (OFF, LEN) columns of a nested row that point into the arena. */
    readonly refs: readonly number[],
    readonly attrFirstCol: number,
    readonly attrNCol: number,
  ) {}
}

/** The item table of a signal (spans, log records, metric data points). */
export class ItemSpec {
  constructor(
    readonly stride: number,
    /** The item's content range (a kept item's bytes window). */
    readonly offCol: number,
    readonly lenCol: number,
    readonly refs: readonly number[],
    /** Item column holding its parent row (scope, or metric); parent column counting its items. */
    readonly parentCol: number,
    readonly parentCountCol: number,
    readonly attrFirstCol: number,
    readonly attrNCol: number,
    /** An AnyValue column triple (type, v0, v1) to relocate when v0 is an arena reference; -1: none. */
    readonly valueTypeCol: number,
    readonly valueV0Col: number,
    readonly valueV1Col: number,
    readonly nested: readonly NestedSpec[],
  ) {}
}

/** A source batch as the Gather sees it (each signal maps its parts to this). */
export interface Source {
  arena: Arena;
  res: Table;
  scopes: Table;
  attrs: Table;
  items: Table;
  /** The nested tables, in ItemSpec.nested order. */
  nested: readonly Table[];
  attrHint: number;
}

/** Room for the result (hints: every table grows); `fraction` scales attributes and nested rows. */
export interface Capacity {
  bytes: number;
  res: number;
  scopes: number;
  items: number;
  fraction: number;
}

export class Gather {
  // the result
  readonly arena: Arena;
  readonly res: Table;
  readonly scopes: Table;
  readonly attrs: Table;
  readonly items: Table;
  readonly nested: Table[];
  readonly attrHint: number;
  /** The table scopes index (C_FIRST_SPAN / C_SPAN_COUNT) and the one items belong to (metrics: both the metrics). */
  private readonly below: Table;
  private readonly parents: Table;
  // the current source
  private sU8: Uint8Array = new Uint8Array(0);
  private sRes!: Table;
  private sScopes!: Table;
  private sAttrs!: Table;
  private sItems!: Table;
  private sNested: readonly Table[] = [];
  // current relocation window: src [wSrc, wSrc + wLen) -> dst wDst
  private wSrc = 0;
  private wLen = 0;
  private wDst = 0;
  // pending (not yet copied) run: src [runStart, runEnd) -> dst runDst
  private runOpen = false;
  private runStart = 0;
  private runEnd = 0;
  private runDst = 0;

  /**
   * Capacities default to the sum of the sources' sizes. `middle` (metrics) is a table between scopes and
   * items, filled by the caller: scopes then index it and items belong to its rows.
   */
  constructor(readonly spec: ItemSpec, sources: readonly Source[], cap?: Capacity, middle?: Table) {
    let bytes = 0, res = 0, scopes = 0, items = 0, attrs = 0, hint = 0;
    const nested = spec.nested.map(() => 0);
    for (const s of sources) {
      bytes += s.arena.used;
      res += s.res.rows;
      scopes += s.scopes.rows;
      items += s.items.rows;
      attrs += s.attrs.rows;
      hint += s.attrHint;
      for (let k = 0; k < nested.length; k++) nested[k] += s.nested[k].rows;
    }
    const f = cap ? cap.fraction : 1;
    // + up to 7 alignment bytes per copied window (reserveAligned): a window per source, resource, scope or item.
    const pads = 8 * (cap ? cap.res + cap.scopes + cap.items : sources.length) + 64;
    this.arena = new Arena((cap ? cap.bytes : bytes) + pads);
    this.res = new Table(R_STRIDE, cap ? cap.res : res);
    this.scopes = new Table(C_STRIDE, cap ? cap.scopes : scopes);
    this.items = new Table(spec.stride, cap ? cap.items : items);
    this.attrs = new Table(A_STRIDE, Math.ceil(attrs * f));
    this.nested = spec.nested.map((ns, k) => new Table(ns.stride, Math.ceil(nested[k] * f)));
    this.attrHint = Math.ceil(hint * f);
    this.below = middle ?? this.items;
    this.parents = middle ?? this.scopes;
  }

  setSource(p: Source): void {
    this.flush();
    this.sU8 = p.arena.u8;
    this.sRes = p.res;
    this.sScopes = p.scopes;
    this.sAttrs = p.attrs;
    this.sItems = p.items;
    this.sNested = p.nested;
    this.wLen = 0;
  }

  /** Make src [off, off+len) the current window (off < 0: none, references are then copied one by one). */
  window(off: number, len: number): void {
    if (off < 0) {
      this.wLen = 0;
      return;
    }
    const dst = this.arena;
    if (this.runOpen && off >= this.runEnd && off - this.runEnd <= GAP && dst.used === this.runDst + (this.runEnd - this.runStart)) {
      dst.reserve(off + len - this.runEnd);
      this.runEnd = off + len;
    } else if (this.runOpen && off >= this.runStart && off + len <= this.runEnd) {
      // already inside the pending run
    } else {
      this.flush();
      this.runOpen = true;
      this.runStart = off;
      this.runEnd = off + len;
      // Same alignment mod 8 as the source: V8 copies shared memory word by word only then (wire.ts bulkCopy).
      this.runDst = dst.reserveAligned(len, off);
    }
    this.wSrc = off;
    this.wLen = len;
    this.wDst = this.runDst + (off - this.runStart);
  }

  private flush(): void {
    if (!this.runOpen) return;
    this.runOpen = false;
    this.arena.u8.set(this.sU8.subarray(this.runStart, this.runEnd), this.runDst);
    copyStats.arenaBytes += this.runEnd - this.runStart;
  }

  /** New offset of src bytes [off, off+len). */
  reloc(off: number, len: number): number {
    if (off < 0) return off;
    if (off >= this.wSrc && off + len <= this.wSrc + this.wLen) return off - this.wSrc + this.wDst;
    return this.arena.appendBytes(this.sU8, off, off + len);
  }

  /** Copy one row of `from` to `to`, relocating the (OFF, LEN) pairs listed in refs; returns the new row base. */
  copyRow(from: Table, row: number, to: Table, refs: readonly number[] | null): number {
    const stride = from.stride;
    const d = to.add();
    const s = row * stride;
    const src = from.i32;
    const i32 = to.i32;
    for (let k = 0; k < stride; k++) i32[d + k] = src[s + k];
    copyStats.tableBytes += stride * 4;
    if (refs !== null) this.relocRow(to, d, refs);
    return d;
  }

  relocRow(to: Table, d: number, refs: readonly number[]): void {
    const i32 = to.i32;
    for (let k = 0; k < refs.length; k++) {
      const c = refs[k];
      i32[d + c] = this.reloc(i32[d + c], i32[d + c + 1]);
    }
  }

  /** Copy attribute rows [first, first+n) of the source; returns the new first row (or -1 when unparsed). */
  attrRows(first: number, n: number): number {
    if (first < 0) return -1;
    const to = this.attrs;
    const nf = to.rows;
    for (let j = 0; j < n; j++) {
      const d = this.copyRow(this.sAttrs, first + j, to, REFS_ATTR);
      const i32 = to.i32;
      if (valueIsRef(i32[d + A_TYPE] & T_MASK)) i32[d + A_V0] = this.reloc(i32[d + A_V0], i32[d + A_V1]);
    }
    return nf;
  }

  /** Copy resource r; `whole` false: its wrapper is rebuilt from its pieces when encoded. Returns the row base. */
  resource(r: number, whole: boolean): number {
    const d = this.copyRow(this.sRes, r, this.res, null);
    const i32 = this.res.i32;
    if (!whole) {
      i32[d + R_RS_OFF] = -1;
      i32[d + R_RS_LEN] = 0;
    }
    this.relocRow(this.res, d, REFS_RESOURCE);
    i32[d + R_ATTR_FIRST] = this.attrRows(i32[d + R_ATTR_FIRST], i32[d + R_ATTR_N]);
    i32[d + R_FIRST_SCOPE] = this.scopes.rows;
    i32[d + R_SCOPE_COUNT] = 0;
    return d;
  }

  /** Copy scope s under the resource at row base resBase (as resource()). */
  scope(s: number, whole: boolean, resBase: number): number {
    const d = this.copyRow(this.sScopes, s, this.scopes, null);
    const i32 = this.scopes.i32;
    if (!whole) {
      i32[d + C_SS_OFF] = -1;
      i32[d + C_SS_LEN] = 0;
    }
    this.relocRow(this.scopes, d, REFS_SCOPE);
    i32[d + C_ATTR_FIRST] = this.attrRows(i32[d + C_ATTR_FIRST], i32[d + C_ATTR_N]);
    i32[d + C_RESOURCE] = resBase / R_STRIDE;
    i32[d + C_FIRST_SPAN] = this.below.rows;
    i32[d + C_SPAN_COUNT] = 0;
    this.res.i32[resBase + R_SCOPE_COUNT]++;
    return d;
  }

  /** Copy item i (with its attributes and nested rows) under the parent at row base parentBase. */
  item(i: number, parentBase: number): void {
    const spec = this.spec;
    const to = this.items;
    // copyRow, written out: the hottest copy (V8 does not inline copyRow here once every signal uses it)
    const stride = spec.stride;
    const d = to.add();
    const i32 = to.i32;
    const src = this.sItems.i32;
    for (let k = 0, s = i * stride; k < stride; k++) i32[d + k] = src[s + k];
    copyStats.tableBytes += stride * 4;
    this.relocRow(to, d, spec.refs);
    const parents = this.parents;
    i32[d + spec.parentCol] = parentBase / parents.stride;
    parents.i32[parentBase + spec.parentCountCol]++;
    i32[d + spec.attrFirstCol] = this.attrRows(i32[d + spec.attrFirstCol], i32[d + spec.attrNCol]);
    const vt = spec.valueTypeCol;
    if (vt >= 0 && valueIsRef(i32[d + vt] & T_MASK)) {
      i32[d + spec.valueV0Col] = this.reloc(i32[d + spec.valueV0Col], i32[d + spec.valueV1Col]);
    }
    const nested = spec.nested;
    for (let k = 0; k < nested.length; k++) {
      const ns = nested[k];
      const first = i32[d + ns.firstCol];
      if (first < 0) continue;
      const n = i32[d + ns.nCol];
      const out = this.nested[k];
      const from = this.sNested[k];
      const nf = out.rows;
      for (let e = 0; e < n; e++) {
        const eb = this.copyRow(from, first + e, out, ns.refs);
        const e32 = out.i32;
        e32[eb + ns.attrFirstCol] = this.attrRows(e32[eb + ns.attrFirstCol], e32[eb + ns.attrNCol]);
      }
      i32[d + ns.firstCol] = nf;
    }
  }

  /** Copy what is pending; the tables are complete. */
  finish(): void {
    this.flush();
  }
}

// ---------------------------------------------------------------- resource > scope > item signals (traces, logs)

/** Every resource, scope and item of `sources`, in order (empty resources/scopes included). */
export function concatItems(spec: ItemSpec, sources: readonly Source[]): Gather {
  const g = new Gather(spec, sources);
  for (const src of sources) {
    g.setSource(src);
    g.window(0, src.arena.used);
    const r32 = src.res.i32;
    const c32 = src.scopes.i32;
    for (let r = 0; r < src.res.rows; r++) {
      const rd = g.resource(r, true);
      const fs = r32[r * R_STRIDE + R_FIRST_SCOPE];
      for (let s = fs; s < fs + r32[r * R_STRIDE + R_SCOPE_COUNT]; s++) {
        const cd = g.scope(s, true, rd);
        const fi = c32[s * C_STRIDE + C_FIRST_SPAN];
        for (let i = fi; i < fi + c32[s * C_STRIDE + C_SPAN_COUNT]; i++) g.item(i, cd);
      }
    }
  }
  g.finish();
  return g;
}

function isKept(i: number, start: number, end: number, keep: Uint8Array | null): boolean {
  return i >= start && i < end && (keep === null || keep[i] !== 0);
}

/**
 * Items i of `src` with start <= i < end and (keep === null || keep[i] !== 0), under copies of their
 * resources and scopes. Resources left without items are dropped (like the Go batch splitter), and so are
 * the scopes without kept items of a partly kept resource; a resource whose items are all kept is copied
 * whole, empty scopes included (its rows must describe its raw wrapper bytes).
 */
export function selectItems(spec: ItemSpec, src: Source, start: number, end: number, keep: Uint8Array | null): Gather {
  const r32 = src.res.i32;
  const c32 = src.scopes.i32;
  const it32 = src.items.i32;
  const stride = spec.stride;
  const offCol = spec.offCol;
  const lenCol = spec.lenCol;
  // Pass 1: which resources are kept whole, and how much room the result needs.
  const keptInRes = new Int32Array(src.res.rows);
  const cap: Capacity = { bytes: 0, res: 0, scopes: 0, items: 0, fraction: 0 };
  for (let r = 0; r < src.res.rows; r++) {
    const rb = r * R_STRIDE;
    const fs = r32[rb + R_FIRST_SCOPE];
    const ns = r32[rb + R_SCOPE_COUNT];
    let total = 0;
    let nKept = 0;
    let itemBytes = 0;
    for (let s = fs; s < fs + ns; s++) {
      const f = c32[s * C_STRIDE + C_FIRST_SPAN];
      const n = c32[s * C_STRIDE + C_SPAN_COUNT];
      total += n;
      if (f + n <= start || f >= end) continue;
      for (let i = f; i < f + n; i++) {
        if (isKept(i, start, end, keep)) {
          nKept++;
          itemBytes += it32[i * stride + lenCol] + 8;
        }
      }
    }
    keptInRes[r] = nKept;
    if (nKept === 0) continue;
    cap.res++;
    cap.scopes += ns;
    cap.items += nKept;
    cap.bytes += nKept === total && r32[rb + R_RS_OFF] >= 0 ? r32[rb + R_RS_LEN] : itemBytes + 256 * (ns + 1);
  }
  cap.fraction = src.items.rows > 0 ? cap.items / src.items.rows : 0;
  const g = new Gather(spec, [src], cap);
  g.setSource(src);
  // Pass 2: copy.
  for (let r = 0; r < src.res.rows; r++) {
    const nKept = keptInRes[r];
    if (nKept === 0) continue;
    const rb = r * R_STRIDE;
    const fs = r32[rb + R_FIRST_SCOPE];
    const ns = r32[rb + R_SCOPE_COUNT];
    let total = 0;
    for (let s = fs; s < fs + ns; s++) total += c32[s * C_STRIDE + C_SPAN_COUNT];
    const wholeRes = nKept === total && r32[rb + R_RS_OFF] >= 0;
    if (wholeRes) g.window(r32[rb + R_RS_OFF], r32[rb + R_RS_LEN]);
    else g.window(r32[rb + R_MSG_OFF], r32[rb + R_MSG_LEN]);
    const rd = g.resource(r, wholeRes);
    for (let s = fs; s < fs + ns; s++) {
      const cb = s * C_STRIDE;
      const f = c32[cb + C_FIRST_SPAN];
      const n = c32[cb + C_SPAN_COUNT];
      let k = 0;
      if (wholeRes) k = n;
      else if (!(f + n <= start || f >= end)) for (let i = f; i < f + n; i++) if (isKept(i, start, end, keep)) k++;
      if (k === 0 && !wholeRes) continue;
      const wholeScope = wholeRes || (k === n && c32[cb + C_SS_OFF] >= 0);
      if (!wholeRes) {
        if (wholeScope) g.window(c32[cb + C_SS_OFF], c32[cb + C_SS_LEN]);
        else g.window(c32[cb + C_MSG_OFF], c32[cb + C_MSG_LEN]);
      }
      const cd = g.scope(s, wholeScope, rd);
      for (let i = f; i < f + n; i++) {
        if (!wholeScope) {
          if (!isKept(i, start, end, keep)) continue;
          g.window(it32[i * stride + offCol], it32[i * stride + lenCol]);
        }
        g.item(i, cd);
      }
    }
  }
  g.finish();
  return g;
}
