// Differential test: random OTTL conditions × random spans. Each condition is generated as a small tree, rendered
// to text (random spacing, redundant parentheses, precedence left implicit where it is safe), compiled by
// otelcol-ts and evaluated on a real TraceBatch (oracle-encoded, pdata-decoded), and compared with a tiny
// reference interpreter written here from upstream's rules (compare.go: nil handling, int/float mixing, UTF-8
// byte order of strings, bools, bytes; IsMatch's string-like conversion; and/or/not).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCondition, OttlConditionError, OttlRuntimeError } from '../../src/ottl';
import { TraceBatch } from '../../src/pdata/traces';
import { oracleEncodeTraces } from '../oracle/otlp-oracle';
import { mulberry32, type Rng } from '../pdata/random-traces';

// ---------------------------------------------------------------- data

type RV =
  | null
  | { t: 'str'; v: string }
  | { t: 'int'; v: bigint }
  | { t: 'float'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'bytes'; v: Buffer };

interface SpanSpec {
  name: string;
  kind: number;
  status: number;
  dropped: number;
  start: bigint;
  attrs: Record<string, RV>;
  service: string;
  scope: string;
}

const int = (rng: Rng, n: number) => Math.floor(rng() * n);
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[int(rng, xs.length)]!;

const STRS = ['', 'a', 'b', 'abc', 'GET /api', 'POST /pay', 'Z', 'é', '\uffff', '😀', 'a😀', 'ab', '500', 'true', '1.5'];
const KEYS = ['a', 'b', 'c', 'n'];
const SERVICES = ['checkout', 'billing', 'auth'];
const SCOPES = ['io.http', 'io.db'];

function randomValue(rng: Rng): RV {
  switch (int(rng, 7)) {
    case 0: return null;
    case 1:
    case 2: return { t: 'str', v: pick(rng, STRS) };
    case 3: return { t: 'int', v: BigInt(pick(rng, [-3, 0, 1, 2, 500, 503, 9007199254740993])) };
    case 4: return { t: 'float', v: pick(rng, [0, -0, 0.5, 1.5, 2, 500, -2.25, 1e21, 1e-7]) };
    case 5: return { t: 'bool', v: rng() < 0.5 };
    default: return { t: 'bytes', v: Buffer.from(pick(rng, ['', '00', '00ff', '61', 'ff']), 'hex') };
  }
}

function randomSpans(rng: Rng, n: number): SpanSpec[] {
  const out: SpanSpec[] = [];
  for (let k = 0; k < n; k++) {
    const attrs: Record<string, RV> = {};
    for (const key of KEYS) if (rng() < 0.75) attrs[key] = randomValue(rng);
    out.push({
      name: pick(rng, STRS),
      kind: pick(rng, [0, 1, 2, 3, 4, 5, 9]),
      status: int(rng, 3),
      dropped: int(rng, 4),
      start: 1700000000000000000n + BigInt(int(rng, 1000)),
      attrs,
      service: pick(rng, SERVICES),
      scope: pick(rng, SCOPES),
    });
  }
  return out;
}

function pbValue(v: RV): Record<string, unknown> {
  if (v === null) return {};
  switch (v.t) {
    case 'str': return { stringValue: v.v };
    case 'int': return { intValue: v.v.toString() };
    case 'float': return { doubleValue: v.v };
    case 'bool': return { boolValue: v.v };
    case 'bytes': return { bytesValue: v.v };
  }
}

/** Spans grouped by service (resource) and scope, in an order we keep to index them. */
function encode(spans: SpanSpec[]): { batch: TraceBatch; order: SpanSpec[] } {
  const order: SpanSpec[] = [];
  const resourceSpans = SERVICES.map((svc) => ({
    resource: { attributes: [{ key: 'service.name', value: { stringValue: svc } }] },
    scopeSpans: SCOPES.map((sc) => {
      const mine = spans.filter((s) => s.service === svc && s.scope === sc);
      order.push(...mine);
      return {
        scope: { name: sc },
        spans: mine.map((s, k) => ({
          traceId: Buffer.alloc(16, 1),
          spanId: Buffer.from([1, 2, 3, 4, 5, 6, 7, k + 1]),
          name: s.name,
          kind: s.kind,
          status: { code: s.status },
          droppedAttributesCount: s.dropped,
          startTimeUnixNano: s.start.toString(),
          endTimeUnixNano: (s.start + 10n).toString(),
          attributes: Object.entries(s.attrs).map(([key, v]) => ({ key, value: pbValue(v) })),
        })),
      };
    }),
  }));
  return { batch: TraceBatch.decode(oracleEncodeTraces({ resourceSpans })), order };
}

// ---------------------------------------------------------------- expressions

type Op = '==' | '!=' | '<' | '<=' | '>' | '>=';
type VExpr =
  | { k: 'path'; p: 'name' | 'kind' | 'status.code' | 'dropped_attributes_count' | 'start_time_unix_nano' | 'service' | 'scope'; text: string }
  | { k: 'attr'; key: string }
  | { k: 'lit'; v: RV; text: string }
  | { k: 'len' }
  | { k: 'enum'; name: string; v: number };
type BExpr =
  | { k: 'and' | 'or'; a: BExpr; b: BExpr }
  | { k: 'not'; x: BExpr }
  | { k: 'cmp'; l: VExpr; op: Op; r: VExpr }
  | { k: 'const'; v: boolean }
  | { k: 'match'; target: VExpr; pattern: string; re: RegExp }
  | { k: 'isstr'; x: VExpr };

const PATTERNS: Array<[string, RegExp]> = [
  ['^a', /^a/u],
  ['b', /b/u],
  ['^(?P<m>GET|POST) ', /^(?<m>GET|POST) /u],
  ['^[0-9]+$', /^[0-9]+$/u],
  ['(?i)^abc$', /^abc$/iu],
  ['😀', /😀/u],
  ['^$', /^$/u],
  ['^00', /^00/u],
  ['true', /true/u],
];

function litText(v: RV): string {
  if (v === null) return 'nil';
  switch (v.t) {
    case 'str': return JSON.stringify(v.v);
    case 'int': return v.v.toString();
    case 'float': {
      if (Object.is(v.v, -0)) return '-0.0';
      const s = String(v.v);
      if (/e/.test(s)) return v.v.toFixed(Math.max(0, -Math.floor(Math.log10(Math.abs(v.v)))) + 2);
      return s.includes('.') ? s : `${s}.0`;
    }
    case 'bool': return String(v.v);
    case 'bytes': return v.v.length ? `0x${v.v.toString('hex')}` : 'nil';
  }
}

function randomLit(rng: Rng): VExpr {
  let v = randomValue(rng);
  if (v && v.t === 'bytes' && v.v.length === 0) v = null; // no empty byte literal in OTTL
  if (v && v.t === 'float' && (Math.abs(v.v) >= 1e21 || (v.v !== 0 && Math.abs(v.v) < 1e-6))) v = { t: 'float', v: 0.5 };
  return { k: 'lit', v, text: litText(v) };
}

function randomV(rng: Rng): VExpr {
  switch (int(rng, 9)) {
    case 0: return { k: 'path', p: 'name', text: pick(rng, ['name', 'span.name']) };
    case 1: return { k: 'path', p: 'kind', text: 'kind' };
    case 2: return { k: 'path', p: 'status.code', text: pick(rng, ['status.code', 'span.status.code']) };
    case 3: return { k: 'path', p: pick(rng, ['dropped_attributes_count', 'start_time_unix_nano'] as const), text: '' };
    case 4: return { k: 'path', p: 'service', text: 'resource.attributes["service.name"]' };
    case 5: return { k: 'path', p: 'scope', text: pick(rng, ['instrumentation_scope.name', 'scope.name']) };
    case 6: return rng() < 0.2 ? { k: 'len' } : { k: 'enum', ...pick(rng, [{ name: 'SPAN_KIND_SERVER', v: 2 }, { name: 'STATUS_CODE_ERROR', v: 2 }, { name: 'SPAN_KIND_UNSPECIFIED', v: 0 }]) };
    case 7: return { k: 'attr', key: pick(rng, [...KEYS, 'missing']) };
    default: return randomLit(rng);
  }
}

function randomB(rng: Rng, depth: number): BExpr {
  const r = int(rng, depth > 3 ? 4 : 9);
  switch (r) {
    case 0:
    case 1:
    case 2: return { k: 'cmp', l: randomV(rng), op: pick(rng, ['==', '!=', '<', '<=', '>', '>='] as const), r: randomV(rng) };
    case 3: {
      const [pat, re] = pick(rng, PATTERNS);
      const target = pick(rng, [{ k: 'path', p: 'name', text: 'name' } as VExpr, { k: 'attr', key: pick(rng, KEYS) } as VExpr, { k: 'path', p: 'service', text: 'resource.attributes["service.name"]' } as VExpr]);
      return rng() < 0.8 ? { k: 'match', target, pattern: pat, re } : rng() < 0.5 ? { k: 'const', v: rng() < 0.5 } : { k: 'isstr', x: target };
    }
    case 4:
    case 5: return { k: 'and', a: randomB(rng, depth + 1), b: randomB(rng, depth + 1) };
    case 6:
    case 7: return { k: 'or', a: randomB(rng, depth + 1), b: randomB(rng, depth + 1) };
    default: return { k: 'not', x: randomB(rng, depth + 1) };
  }
}

function vText(v: VExpr): string {
  switch (v.k) {
    case 'path': return v.text || v.p;
    case 'attr': return `attributes[${JSON.stringify(v.key)}]`;
    case 'lit': return v.text;
    case 'len': return 'Len(name)';
    case 'enum': return v.name;
  }
}

const sp = (rng: Rng) => pick(rng, [' ', ' ', '  ', '\t', '\n ']);

/** Render with the parentheses precedence needs, plus random redundant ones. */
function bText(rng: Rng, b: BExpr, parent: 'and' | 'or' | 'not' | 'top'): string {
  const wrap = (s: string, needed: boolean) => (needed || rng() < 0.15 ? `(${s})` : s);
  switch (b.k) {
    case 'cmp': return wrap(`${vText(b.l)}${sp(rng)}${b.op}${sp(rng)}${vText(b.r)}`, false);
    case 'const': return String(b.v);
    case 'match': return `IsMatch(${vText(b.target)},${sp(rng)}${JSON.stringify(b.pattern)})`;
    case 'isstr': return `IsString(${vText(b.x)})`;
    case 'not': return wrap(`not ${bText(rng, b.x, 'not')}`, parent === 'not');
    case 'and': return wrap(`${bText(rng, b.a, 'and')}${sp(rng)}and${sp(rng)}${bText(rng, b.b, 'and')}`, parent === 'not');
    case 'or': return wrap(`${bText(rng, b.a, 'or')}${sp(rng)}or${sp(rng)}${bText(rng, b.b, 'or')}`, parent === 'not' || parent === 'and');
  }
}

// ---------------------------------------------------------------- reference interpreter

function refValue(v: VExpr, s: SpanSpec): RV {
  switch (v.k) {
    case 'lit': return v.v;
    case 'attr': return s.attrs[v.key] ?? null;
    case 'len': return { t: 'int', v: BigInt(Buffer.byteLength(s.name)) };
    case 'enum': return { t: 'int', v: BigInt(v.v) };
    case 'path':
      switch (v.p) {
        case 'name': return { t: 'str', v: s.name };
        case 'kind': return { t: 'int', v: BigInt(s.kind) };
        case 'status.code': return { t: 'int', v: BigInt(s.status) };
        case 'dropped_attributes_count': return { t: 'int', v: BigInt(s.dropped) };
        case 'start_time_unix_nano': return { t: 'int', v: s.start };
        case 'service': return { t: 'str', v: s.service };
        case 'scope': return { t: 'str', v: s.scope };
      }
  }
}

function ord(c: number, op: Op): boolean {
  return op === '==' ? c === 0 : op === '!=' ? c !== 0 : op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
}
function num(a: number, b: number, op: Op): boolean {
  return op === '==' ? a === b : op === '!=' ? a !== b : op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
}

function refCompare(a: RV, b: RV, op: Op): boolean {
  if (a === null && b === null) return op === '==' || op === '<=' || op === '>=';
  if (a === null) return refCompare(b, null, op);
  const bad = op === '!=';
  switch (a.t) {
    case 'bool':
      if (b?.t !== 'bool') return bad;
      return ord(Number(a.v) - Number(b.v), op);
    case 'int':
      if (b?.t === 'int') return ord(a.v < b.v ? -1 : a.v > b.v ? 1 : 0, op);
      if (b?.t === 'float') return num(Number(a.v), b.v, op);
      return bad;
    case 'float':
      if (b?.t === 'int') return num(a.v, Number(b.v), op);
      if (b?.t === 'float') return num(a.v, b.v, op);
      return bad;
    case 'str':
      if (b?.t !== 'str') return bad;
      return ord(Buffer.compare(Buffer.from(a.v, 'utf8'), Buffer.from(b.v, 'utf8')), op);
    case 'bytes':
      if (b === null) return op === '!=';
      if (b.t !== 'bytes') return bad;
      return ord(Buffer.compare(a.v, b.v), op);
  }
}

/** StringLikeGetter: strings as is, bytes hex, ints decimal, floats as Go's JSON, bools true/false. */
function refStringLike(v: RV): string | null {
  if (v === null) return null;
  switch (v.t) {
    case 'str': return v.v;
    case 'bytes': return v.v.toString('hex');
    case 'int': return v.v.toString();
    case 'bool': return String(v.v);
    case 'float': return Object.is(v.v, -0) ? '-0' : String(v.v);
  }
}

function refEval(b: BExpr, s: SpanSpec): boolean {
  switch (b.k) {
    case 'and': return refEval(b.a, s) && refEval(b.b, s);
    case 'or': return refEval(b.a, s) || refEval(b.b, s);
    case 'not': return !refEval(b.x, s);
    case 'const': return b.v;
    case 'cmp': return refCompare(refValue(b.l, s), refValue(b.r, s), b.op);
    case 'match': {
      const str = refStringLike(refValue(b.target, s));
      return str !== null && b.re.test(str);
    }
    case 'isstr': return refValue(b.x, s)?.t === 'str';
  }
}

test('differential: random conditions × random spans agree with a reference interpreter', () => {
  const rng = mulberry32(20240917);
  let checked = 0;
  let matched = 0;
  for (let round = 0; round < 12; round++) {
    const spans = randomSpans(rng, 40);
    const { batch, order } = encode(spans);
    assert.equal(batch.spanCount, order.length);
    for (let c = 0; c < 60; c++) {
      const expr = randomB(rng, 0);
      const text = bText(rng, expr, 'top');
      const m = compileCondition(text, 'span').bind(batch);
      for (let i = 0; i < order.length; i++) {
        const want = refEval(expr, order[i]!);
        const got = m(i);
        if (got !== want) {
          assert.fail(`condition ${JSON.stringify(text)} on span ${JSON.stringify(order[i], (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}: got ${got}, want ${want}`);
        }
        checked++;
        if (want) matched++;
      }
    }
  }
  assert.ok(checked > 20000);
  // The generator must produce both outcomes in good measure (a test that only sees `false` proves little).
  assert.ok(matched > checked * 0.2 && matched < checked * 0.8, `matched ${matched} of ${checked}`);
});

test('robustness: random (often ill-typed) conditions only fail with OTTL errors, never a crash', () => {
  const rng = mulberry32(4242);
  const { batch } = encode(randomSpans(rng, 8));
  const ATOMS = [
    'name', 'kind', 'attributes', 'attributes["a"]', 'attributes["b"][0]', 'attributes["n"]["k"]', 'attributes["missing"]', 'resource.attributes',
    'trace_id', 'span_id.string', 'start_time', 'start_time_unix_nano', 'trace_state["k"]', '"x"', '""', '1', '-1', '1.5', '0x0102', 'nil', 'true',
    'SPAN_KIND_SERVER', '[]', '["a", 2]', '{"k": 1}', 'kind.string',
  ];
  const FNS: Array<[string, number]> = [
    ['IsMatch', 2], ['Len', 1], ['Int', 1], ['Double', 1], ['String', 1], ['IsString', 1], ['IsMap', 1], ['ToLowerCase', 1], ['HasPrefix', 2],
    ['Substring', 3], ['Split', 2], ['TraceID', 1],
  ];
  const v = (d: number): string => {
    const k = int(rng, d > 2 ? 1 : 4);
    if (k === 0) return pick(rng, ATOMS);
    if (k === 1) {
      const [f, n] = pick(rng, FNS);
      return `${f}(${Array.from({ length: n }, () => v(d + 1)).join(', ')})${rng() < 0.2 ? '[0]' : ''}`;
    }
    if (k === 2) return `Concat([${v(d + 1)}, ${v(d + 1)}], ${v(d + 1)})`;
    // math operands: what the grammar allows there (paths, numbers, converters)
    const m = () => pick(rng, ['name', 'kind', 'attributes["n"]', 'attributes["a"]', 'start_time_unix_nano', 'start_time', '1', '1.5', '0', 'Len(name)', 'Int(attributes["b"])']);
    return `${m()} ${pick(rng, ['+', '-', '*', '/'])} ${m()}`;
  };
  const bx = (d: number): string => {
    const k = int(rng, d > 2 ? 2 : 5);
    if (k === 0) return `${v(0)} ${pick(rng, ['==', '!=', '<', '<=', '>', '>='])} ${v(0)}`;
    if (k === 1) {
      const [f, n] = pick(rng, [['IsMatch', 2], ['IsString', 1], ['HasPrefix', 2]] as const);
      return `${f}(${Array.from({ length: n }, () => v(1)).join(', ')})`;
    }
    if (k === 2) return `not (${bx(d + 1)})`;
    return `(${bx(d + 1)}) ${pick(rng, ['and', 'or'])} ${bx(d + 1)}`;
  };
  let evaluated = 0;
  for (let k = 0; k < 3000; k++) {
    const text = bx(0);
    let c;
    try {
      c = compileCondition(text, 'span');
    } catch (e) {
      assert.ok(e instanceof OttlConditionError, `compiling ${text}: ${String(e)}`);
      continue;
    }
    const m = c.bind(batch);
    for (let i = 0; i < batch.spanCount; i++) {
      try {
        assert.equal(typeof m(i), 'boolean');
        evaluated++;
      } catch (e) {
        assert.ok(e instanceof OttlRuntimeError, `evaluating ${text}: ${String(e)}`);
      }
    }
  }
  assert.ok(evaluated > 1000, `only ${evaluated} evaluations succeeded`);
});
