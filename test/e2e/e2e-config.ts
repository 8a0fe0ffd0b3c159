// Shared pieces of the end-to-end tests' collector configs (Go collector YAML, as a user would write it).

import * as assert from 'node:assert/strict';
import { attrsOf, type CaptureBackend, type CapturedSpan } from '../helpers/capture-backend';
import { freePorts } from '../helpers/collector';
import type { ExpectedSpan } from '../helpers/sdk';

export interface Ports {
  grpc: number;
  http: number;
  metrics: number;
  health: number;
}

export async function pickPorts(): Promise<Ports> {
  const [grpc, http, metrics, health] = await freePorts(4);
  return { grpc: grpc!, http: http!, metrics: metrics!, health: health! };
}

/** The otlp receiver on the given loopback ports. */
export function otlpReceiver(p: Ports, extraGrpc = '', extraHttp = ''): string {
  return `
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:${p.grpc}${extraGrpc ? '\n' + extraGrpc : ''}
      http:
        endpoint: 127.0.0.1:${p.http}${extraHttp ? '\n' + extraHttp : ''}`;
}

/**
 * service.telemetry with the self-metrics pull reader on a free port: the default (:8888) would collide
 * between collectors started by tests running in parallel.
 */
export function telemetry(p: Ports): string {
  return `
  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: ${p.metrics}`;
}

/** Wait until no new request arrived for `quietMs` (bounded by maxMs): lets late duplicates show up. */
export async function settle(be: CaptureBackend, quietMs: number, maxMs = 5000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = be.requests.length;
  let since = Date.now();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    if (be.requests.length !== last) {
      last = be.requests.length;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
  }
}

/**
 * Every expected span arrived exactly once (matched by span id) with its name, trace id and parent; no
 * other span arrived. Returns the received spans keyed by span id.
 */
export function assertExactlyOnce(got: CapturedSpan[], expected: ExpectedSpan[]): Map<string, CapturedSpan> {
  const byId = new Map<string, CapturedSpan>();
  const dups: string[] = [];
  for (const s of got) {
    const id = s.span.spanId ?? '';
    if (byId.has(id)) dups.push(`${s.span.name} (${id})`);
    byId.set(id, s);
  }
  assert.deepEqual(dups, [], 'spans delivered more than once');
  const missing = expected.filter((e) => !byId.has(e.spanId)).map((e) => e.name);
  assert.deepEqual(missing, [], 'spans lost');
  const want = new Set(expected.map((e) => e.spanId));
  const extra = got.filter((s) => !want.has(s.span.spanId ?? '')).map((s) => s.span.name);
  assert.deepEqual(extra, [], 'unexpected spans');
  assert.equal(got.length, expected.length);
  for (const e of expected) {
    const s = byId.get(e.spanId)!;
    assert.equal(s.span.name, e.name, `name of ${e.spanId}`);
    assert.equal(s.span.traceId, e.traceId, `trace id of ${e.name}`);
    assert.equal(s.span.parentSpanId, e.parentSpanId, `parent of ${e.name}`);
  }
  return byId;
}

export function resourceAttrs(s: CapturedSpan): Record<string, unknown> {
  return attrsOf(s.resource?.attributes);
}
export function spanAttrs(s: CapturedSpan): Record<string, unknown> {
  return attrsOf(s.span.attributes);
}

/**
 * Sum of all samples of a Prometheus metric family in exposition text (`name` or `name_total`, any labels);
 * undefined when the family is absent.
 */
export function sumMetric(text: string, name: string): number | undefined {
  let total: number | undefined;
  const re = new RegExp(`^${name}(?:_total)?(?:\\{[^}]*\\})?\\s+([-+0-9.eE]+|NaN|[+-]Inf)(?:\\s+\\d+)?$`, 'gm');
  for (const m of text.matchAll(re)) total = (total ?? 0) + Number(m[1]);
  return total;
}
