// slice/filter keep the empty scopes (scope wrappers without items) of a resource whose items are all kept:
// its raw wrapper bytes hold them, so its rows must too, or the output changes once the resource is modified
// (the wrapper is then rebuilt from its rows). Same rule for the three signals (gather-common.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TraceBatch } from '../../src/pdata/traces';
import { LogBatch } from '../../src/pdata/logs';
import { MetricBatch } from '../../src/pdata/metrics';
import {
  oracleDecodeTraces, oracleEncodeTraces, oracleDecodeLogs, oracleEncodeLogs, oracleDecodeMetrics, oracleEncodeMetrics,
} from '../oracle/otlp-oracle';

const kv = (key: string, v: string): Record<string, unknown> => ({ key, value: { stringValue: v } });
const tid = Buffer.alloc(16, 1);
const sid = (n: number): Buffer => Buffer.alloc(8, n);
const span = (n: number): Record<string, unknown> => ({ traceId: tid, spanId: sid(n), name: `span-${n}`, startTimeUnixNano: '1', endTimeUnixNano: '2' });

/**
 * Resource 0: an empty scope, a scope with 2 spans, another empty scope (all of it kept by the selections
 * below). Resource 1: 2 spans, one empty scope (partly kept by the slice, whole by the filter).
 */
function tracesRequest(res0Extra: Record<string, unknown>[] = []): Record<string, unknown> {
  return {
    resourceSpans: [
      {
        resource: { attributes: [kv('service.name', 'a'), ...res0Extra] },
        scopeSpans: [
          { scope: { name: 'empty-1' }, schemaUrl: 'https://s/1' },
          { scope: { name: 'http' }, spans: [span(1), span(2)] },
          { scope: { name: 'empty-2' } },
        ],
        schemaUrl: 'https://r/0',
      },
      {
        resource: { attributes: [kv('service.name', 'b')] },
        scopeSpans: [{ scope: { name: 'db' }, spans: [span(3), span(4)] }, { scope: { name: 'empty-3' } }],
      },
    ],
  };
}

test('traces: a fully kept resource keeps its empty scopes in rows and output, also after it is modified', () => {
  const b = TraceBatch.decode(oracleEncodeTraces(tracesRequest()));
  const cases: Array<[string, TraceBatch, Record<string, unknown>]> = [
    // slice of resource 0's spans and one span of resource 1 (partly kept: only its kept scope survives)
    ['slice(0, 3)', b.slice(0, 3), {
      resourceSpans: [
        (tracesRequest().resourceSpans as unknown[])[0],
        { resource: { attributes: [kv('service.name', 'b')] }, scopeSpans: [{ scope: { name: 'db' }, spans: [span(3)] }] },
      ],
    }],
    ['filterSpans(all)', b.filterSpans(() => true), tracesRequest()],
  ];
  for (const [name, sel, want] of cases) {
    assert.equal(sel.resourceScopeCount(0), 3, `${name}: scopes of resource 0`);
    assert.deepStrictEqual([0, 1, 2].map((s) => sel.scopeName(s)), ['empty-1', 'http', 'empty-2'], name);
    assert.equal(sel.scopeSpanCount(0), 0, name);
    assert.equal(sel.scopeSchemaUrl(0), 'https://s/1', name);
    const wantBytes = oracleEncodeTraces(want);
    assert.deepStrictEqual(oracleDecodeTraces(sel.encode()), oracleDecodeTraces(wantBytes), `${name}: untouched`);
    // modify resource 0: its wrapper is rebuilt from the rows
    sel.resourceAttributes(0).set('k', { stringValue: 'v' });
    const res0 = (want.resourceSpans as Record<string, unknown>[])[0];
    const modified = { resourceSpans: [{ ...res0, resource: { attributes: [kv('service.name', 'a'), kv('k', 'v')] } }, ...(want.resourceSpans as unknown[]).slice(1)] };
    const expected = oracleDecodeTraces(oracleEncodeTraces(modified));
    assert.deepStrictEqual(oracleDecodeTraces(sel.encode()), expected, `${name}: after modifying the resource`);
    assert.deepStrictEqual(oracleDecodeTraces(sel.encode({ fromColumns: true })), expected, `${name}: fromColumns`);
    // and a modified span below it (scope wrappers rebuilt as well)
    sel.setName(0, 'renamed');
    const spans = [{ ...span(1), name: 'renamed' }, span(2)];
    const scopes = (res0.scopeSpans as Record<string, unknown>[]).map((ss, k) => (k === 1 ? { ...ss, spans } : ss));
    const renamed = { resourceSpans: [{ ...modified.resourceSpans[0] as object, scopeSpans: scopes }, ...modified.resourceSpans.slice(1)] };
    assert.deepStrictEqual(oracleDecodeTraces(sel.encode()), oracleDecodeTraces(oracleEncodeTraces(renamed)), `${name}: after renaming a span`);
    // a batch made from the selection agrees with it
    assert.equal(TraceBatch.decode(sel.encode()).scopeCount, sel.scopeCount, name);
  }
  // nothing of a resource kept: it goes, empty scopes and all; resource 1 whole: with its empty scope
  assert.equal(b.slice(2, 4).resourceCount, 1);
  assert.deepStrictEqual([b.slice(2, 4).scopeName(0), b.slice(2, 4).scopeName(1)], ['db', 'empty-3']);
  // resource 1 in part: its wrapper is rebuilt from the kept scopes only
  assert.equal(b.slice(3, 4).scopeCount, 1);
  assert.deepStrictEqual(oracleDecodeTraces(b.slice(3, 4).encode()), oracleDecodeTraces(oracleEncodeTraces({
    resourceSpans: [{ resource: { attributes: [kv('service.name', 'b')] }, scopeSpans: [{ scope: { name: 'db' }, spans: [span(4)] }] }],
  })));
});

test('logs: a fully kept resource keeps its empty scopes after it is modified', () => {
  const rec = (n: number): Record<string, unknown> => ({ timeUnixNano: String(n), body: { stringValue: `r${n}` } });
  const res0 = {
    resource: { attributes: [kv('service.name', 'a')] },
    scopeLogs: [{ scope: { name: 'empty-1' } }, { scope: { name: 'app' }, logRecords: [rec(1), rec(2)] }, { scope: { name: 'empty-2' } }],
  };
  const req = { resourceLogs: [res0, { resource: { attributes: [kv('service.name', 'b')] }, scopeLogs: [{ scope: { name: 'x' }, logRecords: [rec(3)] }] }] };
  const b = LogBatch.decode(oracleEncodeLogs(req));
  for (const sel of [b.slice(0, 2), b.filterLogRecords((i) => i < 2)]) {
    assert.equal(sel.scopeCount, 3);
    sel.resourceAttributes(0).set('k', { stringValue: 'v' });
    const want = { resourceLogs: [{ ...res0, resource: { attributes: [kv('service.name', 'a'), kv('k', 'v')] } }] };
    assert.deepStrictEqual(oracleDecodeLogs(sel.encode()), oracleDecodeLogs(oracleEncodeLogs(want)));
  }
});

test('metrics: a fully kept resource keeps its empty scopes after it is modified', () => {
  const gauge = (name: string, v: number): Record<string, unknown> => ({ name, gauge: { dataPoints: [{ timeUnixNano: '5', asInt: String(v) }] } });
  const res0 = {
    resource: { attributes: [kv('service.name', 'a')] },
    scopeMetrics: [{ scope: { name: 'empty-1' } }, { scope: { name: 'app' }, metrics: [gauge('g1', 1), gauge('g2', 2)] }, { scope: { name: 'empty-2' } }],
  };
  const req = { resourceMetrics: [res0, { resource: { attributes: [kv('service.name', 'b')] }, scopeMetrics: [{ scope: { name: 'x' }, metrics: [gauge('g3', 3)] }] }] };
  const b = MetricBatch.decode(oracleEncodeMetrics(req));
  for (const sel of [b.slice(0, 2), b.filterDataPoints((p) => p < 2), b.filterMetrics((m) => m < 2)]) {
    assert.equal(sel.scopeCount, 3);
    sel.resourceAttributes(0).set('k', { stringValue: 'v' });
    const want = { resourceMetrics: [{ ...res0, resource: { attributes: [kv('service.name', 'a'), kv('k', 'v')] } }] };
    assert.deepStrictEqual(oracleDecodeMetrics(sel.encode()), oracleDecodeMetrics(oracleEncodeMetrics(want)));
  }
});
