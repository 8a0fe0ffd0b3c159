// Building new batches from existing ones (concat, clone, slice, filterSpans): rows are copied to new
// tables and the bytes they reference are copied to a new arena, with every arena offset relocated.
//
// Bytes are copied in "windows": a whole source arena (concat/clone), a whole ResourceSpans or ScopeSpans
// (all its spans kept), or the pieces of a partly kept resource/scope plus each kept span. Windows that
// follow each other closely in the source are coalesced into one copy. A reference outside the current
// window (a string appended by a mutation) is copied on its own.

import type { Parts } from './decode';
import {
  Arena, Table,
  R_STRIDE, R_RS_OFF, R_RS_LEN, R_MSG_OFF, R_MSG_LEN, R_ATTR_FIRST, R_ATTR_N, R_FIRST_SCOPE, R_SCOPE_COUNT,
  REFS_RESOURCE,
  C_STRIDE, C_SS_OFF, C_SS_LEN, C_MSG_OFF, C_MSG_LEN, C_ATTR_FIRST, C_ATTR_N, C_RESOURCE, C_FIRST_SPAN,
  C_SPAN_COUNT, REFS_SCOPE,
  S_STRIDE, S_OFF, S_LEN, S_ATTR_FIRST, S_ATTR_N, S_EVENT_FIRST, S_EVENT_N, S_LINK_FIRST, S_LINK_N, S_SCOPE,
  REFS_SPAN,
  A_STRIDE, A_TYPE, A_V0, A_V1, T_MASK, REFS_ATTR, valueIsRef,
  E_STRIDE, E_ATTR_FIRST, E_ATTR_N, REFS_EVENT,
  L_STRIDE, L_ATTR_FIRST, L_ATTR_N, REFS_LINK,
} from './layout';

/** Coalesce windows separated by at most this many bytes in the source. */
const GAP = 64;

class Builder {
  readonly out: Parts;
  private src!: Parts;
  // current relocation window: src [wSrc, wSrc + wLen) -> dst wDst
  private wSrc = 0;
  private wLen = 0;
  private wDst = 0;
  // pending (not yet copied) run: src [runStart, runEnd) -> dst runDst
  private runOpen = false;
  private runStart = 0;
  private runEnd = 0;
  private runDst = 0;

  /** Capacities are hints (everything grows); `sources` gives the defaults: the sum of their sizes. */
  constructor(sources: readonly Parts[], cap?: { bytes: number; res: number; scopes: number; spans: number; fraction: number }) {
    let bytes = 0, res = 0, scopes = 0, spans = 0, attrs = 0, events = 0, links = 0, hint = 0;
    for (const s of sources) {
      bytes += s.arena.used;
      res += s.res.rows;
      scopes += s.scopes.rows;
      spans += s.spans.rows;
      attrs += s.attrs.rows;
      events += s.events.rows;
      links += s.links.rows;
      hint += s.attrHint;
    }
    const f = cap ? cap.fraction : 1;
    this.out = {
      arena: new Arena(cap ? cap.bytes : bytes),
      res: new Table(R_STRIDE, cap ? cap.res : res),
      scopes: new Table(C_STRIDE, cap ? cap.scopes : scopes),
      spans: new Table(S_STRIDE, cap ? cap.spans : spans),
      attrs: new Table(A_STRIDE, Math.ceil(attrs * f)),
      events: new Table(E_STRIDE, Math.ceil(events * f)),
      links: new Table(L_STRIDE, Math.ceil(links * f)),
      origLen: -1,
      attrHint: Math.ceil(hint * f),
    };
  }

  setSource(p: Parts): void {
    this.flush();
    this.src = p;
    this.wLen = 0;
  }

  /** Make src [off, off+len) the current window (copied, possibly coalesced with the previous one). */
  window(off: number, len: number): void {
    if (off < 0) {
      this.wLen = 0;
      return;
    }
    const dst = this.out.arena;
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
      this.runDst = dst.reserve(len);
    }
    this.wSrc = off;
    this.wLen = len;
    this.wDst = this.runDst + (off - this.runStart);
  }

  flush(): void {
    if (!this.runOpen) return;
    this.runOpen = false;
    this.out.arena.u8.set(this.src.arena.u8.subarray(this.runStart, this.runEnd), this.runDst);
  }

  /** New offset of src bytes [off, off+len). */
  reloc(off: number, len: number): number {
    if (off < 0) return off;
    if (off >= this.wSrc && off + len <= this.wSrc + this.wLen) return off - this.wSrc + this.wDst;
    return this.out.arena.appendBytes(this.src.arena.u8, off, off + len);
  }

  /** Copy one row of `from` to `to`, relocating the (OFF, LEN) pairs listed in refs; returns the new row base. */
  private copyRow(from: Table, row: number, to: Table, refs: readonly number[] | null): number {
    const stride = from.stride;
    const d = to.add();
    const s = row * stride;
    const src = from.i32;
    const i32 = to.i32;
    for (let k = 0; k < stride; k++) i32[d + k] = src[s + k];
    if (refs !== null) this.relocRow(to, d, refs);
    return d;
  }

  private relocRow(to: Table, d: number, refs: readonly number[]): void {
    const i32 = to.i32;
    for (let k = 0; k < refs.length; k++) {
      const c = refs[k];
      i32[d + c] = this.reloc(i32[d + c], i32[d + c + 1]);
    }
  }

  /** Copy attribute rows [first, first+n) of the source; returns the new first row (or -1 when unparsed). */
  private attrRows(first: number, n: number): number {
    if (first < 0) return -1;
    const to = this.out.attrs;
    const nf = to.rows;
    for (let j = 0; j < n; j++) {
      const d = this.copyRow(this.src.attrs, first + j, to, REFS_ATTR);
      const i32 = to.i32;
      if (valueIsRef(i32[d + A_TYPE] & T_MASK)) i32[d + A_V0] = this.reloc(i32[d + A_V0], i32[d + A_V1]);
    }
    return nf;
  }

  resource(r: number, wholeWrapper: boolean): number {
    const d = this.copyRow(this.src.res, r, this.out.res, null);
    const i32 = this.out.res.i32;
    if (!wholeWrapper) {
      i32[d + R_RS_OFF] = -1;
      i32[d + R_RS_LEN] = 0;
    }
    this.relocRow(this.out.res, d, REFS_RESOURCE);
    i32[d + R_ATTR_FIRST] = this.attrRows(i32[d + R_ATTR_FIRST], i32[d + R_ATTR_N]);
    i32[d + R_FIRST_SCOPE] = this.out.scopes.rows;
    i32[d + R_SCOPE_COUNT] = 0;
    return d;
  }

  scope(s: number, wholeWrapper: boolean, resBase: number): number {
    const d = this.copyRow(this.src.scopes, s, this.out.scopes, null);
    const i32 = this.out.scopes.i32;
    if (!wholeWrapper) {
      i32[d + C_SS_OFF] = -1;
      i32[d + C_SS_LEN] = 0;
    }
    this.relocRow(this.out.scopes, d, REFS_SCOPE);
    i32[d + C_ATTR_FIRST] = this.attrRows(i32[d + C_ATTR_FIRST], i32[d + C_ATTR_N]);
    i32[d + C_RESOURCE] = resBase / R_STRIDE;
    i32[d + C_FIRST_SPAN] = this.out.spans.rows;
    i32[d + C_SPAN_COUNT] = 0;
    this.out.res.i32[resBase + R_SCOPE_COUNT]++;
    return d;
  }

  span(i: number, scopeBase: number): void {
    const d = this.copyRow(this.src.spans, i, this.out.spans, REFS_SPAN);
    const o = this.out;
    let i32 = o.spans.i32;
    i32[d + S_SCOPE] = scopeBase / C_STRIDE;
    o.scopes.i32[scopeBase + C_SPAN_COUNT]++;
    i32[d + S_ATTR_FIRST] = this.attrRows(i32[d + S_ATTR_FIRST], i32[d + S_ATTR_N]);
    const ef = i32[d + S_EVENT_FIRST];
    if (ef >= 0) {
      const n = i32[d + S_EVENT_N];
      const nf = o.events.rows;
      for (let e = 0; e < n; e++) {
        const eb = this.copyRow(this.src.events, ef + e, o.events, REFS_EVENT);
        const first = o.events.i32[eb + E_ATTR_FIRST];
        const na = o.events.i32[eb + E_ATTR_N];
        o.events.i32[eb + E_ATTR_FIRST] = this.attrRows(first, na);
      }
      i32 = o.spans.i32;
      i32[d + S_EVENT_FIRST] = nf;
    }
    const lf = i32[d + S_LINK_FIRST];
    if (lf >= 0) {
      const n = i32[d + S_LINK_N];
      const nf = o.links.rows;
      for (let l = 0; l < n; l++) {
        const lb = this.copyRow(this.src.links, lf + l, o.links, REFS_LINK);
        const first = o.links.i32[lb + L_ATTR_FIRST];
        const na = o.links.i32[lb + L_ATTR_N];
        o.links.i32[lb + L_ATTR_FIRST] = this.attrRows(first, na);
      }
      o.spans.i32[d + S_LINK_FIRST] = nf;
    }
  }

  finish(): Parts {
    this.flush();
    return this.out;
  }
}

/** Every resource, scope and span of `sources`, in order (empty resources/scopes included). */
export function concatParts(sources: readonly Parts[]): Parts {
  const b = new Builder(sources);
  for (const src of sources) {
    b.setSource(src);
    b.window(0, src.arena.used);
    const r32 = src.res.i32;
    const c32 = src.scopes.i32;
    for (let r = 0; r < src.res.rows; r++) {
      const rd = b.resource(r, true);
      const fs = r32[r * R_STRIDE + R_FIRST_SCOPE];
      for (let s = fs; s < fs + r32[r * R_STRIDE + R_SCOPE_COUNT]; s++) {
        const cd = b.scope(s, true, rd);
        const fsp = c32[s * C_STRIDE + C_FIRST_SPAN];
        for (let i = fsp; i < fsp + c32[s * C_STRIDE + C_SPAN_COUNT]; i++) b.span(i, cd);
      }
    }
  }
  const out = b.finish();
  // A single whole source keeps its offsets: it is still its original request.
  if (sources.length === 1) out.origLen = sources[0].origLen;
  return out;
}

/**
 * Spans i of `src` with start <= i < end and (keep === null || keep[i] !== 0), under copies of their
 * resources and scopes. Resources and scopes left without spans are dropped (like the Go batch splitter).
 */
export function selectParts(src: Parts, start: number, end: number, keep: Uint8Array | null): Parts {
  const r32 = src.res.i32;
  const c32 = src.scopes.i32;
  const s32 = src.spans.i32;
  const kept = (i: number): boolean => i >= start && i < end && (keep === null || keep[i] !== 0);
  // Pass 1: which resources/scopes are kept whole, and how much room the result needs.
  const keptInRes = new Int32Array(src.res.rows);
  const cap = { bytes: 0, res: 0, scopes: 0, spans: 0, fraction: 0 };
  for (let r = 0; r < src.res.rows; r++) {
    const rb = r * R_STRIDE;
    const fs = r32[rb + R_FIRST_SCOPE];
    const ns = r32[rb + R_SCOPE_COUNT];
    let total = 0;
    let nKept = 0;
    let spanBytes = 0;
    for (let s = fs; s < fs + ns; s++) {
      const f = c32[s * C_STRIDE + C_FIRST_SPAN];
      const n = c32[s * C_STRIDE + C_SPAN_COUNT];
      total += n;
      if (f + n <= start || f >= end) continue;
      for (let i = f; i < f + n; i++) {
        if (kept(i)) {
          nKept++;
          spanBytes += s32[i * S_STRIDE + S_LEN] + 8;
        }
      }
    }
    keptInRes[r] = nKept;
    if (nKept === 0) continue;
    cap.res++;
    cap.scopes += ns;
    cap.spans += nKept;
    cap.bytes += nKept === total && r32[rb + R_RS_OFF] >= 0 ? r32[rb + R_RS_LEN] : spanBytes + 256 * (ns + 1);
  }
  cap.fraction = src.spans.rows > 0 ? cap.spans / src.spans.rows : 0;
  const b = new Builder([src], cap);
  b.setSource(src);
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
    if (wholeRes) b.window(r32[rb + R_RS_OFF], r32[rb + R_RS_LEN]);
    else b.window(r32[rb + R_MSG_OFF], r32[rb + R_MSG_LEN]);
    const rd = b.resource(r, wholeRes);
    for (let s = fs; s < fs + ns; s++) {
      const cb = s * C_STRIDE;
      const f = c32[cb + C_FIRST_SPAN];
      const n = c32[cb + C_SPAN_COUNT];
      let k = 0;
      if (wholeRes) k = n;
      else if (!(f + n <= start || f >= end)) for (let i = f; i < f + n; i++) if (kept(i)) k++;
      if (k === 0) continue;
      const wholeScope = wholeRes || (k === n && c32[cb + C_SS_OFF] >= 0);
      if (!wholeRes) {
        if (wholeScope) b.window(c32[cb + C_SS_OFF], c32[cb + C_SS_LEN]);
        else b.window(c32[cb + C_MSG_OFF], c32[cb + C_MSG_LEN]);
      }
      const cd = b.scope(s, wholeScope, rd);
      for (let i = f; i < f + n; i++) {
        if (!wholeScope) {
          if (!kept(i)) continue;
          b.window(s32[i * S_STRIDE + S_OFF], s32[i * S_STRIDE + S_LEN]);
        }
        b.span(i, cd);
      }
    }
  }
  return b.finish();
}
