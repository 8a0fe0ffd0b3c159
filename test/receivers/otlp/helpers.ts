// Helpers for the otlp receiver tests: start a receiver on random loopback ports wired to a CapturingConsumer,
// build requests with the protobufjs oracle, and talk to it with real clients (grpc-js, node:http).

import * as grpc from '@grpc/grpc-js';
import * as http from 'node:http';
import { CapturingConsumer, testHost, testSettings } from '../../../src/component/testing';
import type { Consumers, Host, Signal } from '../../../src/component/types';
import { parseOrThrow } from '../../../src/config/schema';
import { otlpReceiverConfigSchema } from '../../../src/receivers/otlp/config';
import { otlpReceiverFactory } from '../../../src/receivers/otlp/factory';
import { OtlpReceiver, TRACE_SERVICE_EXPORT, type OtlpReceiverOptions } from '../../../src/receivers/otlp/receiver';
import { MetricRegistry } from '../../../src/telemetry/metrics';
import { oracleEncodeLogs, oracleEncodeMetrics, oracleEncodeTraces } from '../../oracle/otlp-oracle';

export const LOOPBACK = '127.0.0.1:0';

export interface Started {
  receiver: OtlpReceiver;
  consumer: CapturingConsumer;
  registry: MetricRegistry;
  /** `127.0.0.1:<port>` */
  grpcTarget: string;
  /** `http://127.0.0.1:<port>` */
  httpBase: string;
  stop(): Promise<void>;
}

/**
 * Parse `raw` (the YAML under receivers.otlp) and start a receiver whose consumer of each of `signals` (default:
 * traces only) is `consumer`.
 */
export async function startReceiver(
  raw: unknown = { protocols: { grpc: { endpoint: LOOPBACK }, http: { endpoint: LOOPBACK } } },
  opts: { consumer?: CapturingConsumer; id?: string; host?: Host; receiverOptions?: OtlpReceiverOptions; signals?: readonly Signal[] } = {},
): Promise<Started> {
  const cfg = parseOrThrow(otlpReceiverConfigSchema, raw, 'receivers.otlp');
  const registry = new MetricRegistry();
  const set = testSettings(opts.id ?? 'otlp', 'receiver', registry);
  const consumer = opts.consumer ?? new CapturingConsumer();
  const consumers: Consumers = {};
  for (const s of opts.signals ?? ['traces']) consumers[s] = consumer;
  const receiver = opts.receiverOptions
    ? new OtlpReceiver(set, cfg, consumers, opts.receiverOptions)
    : (otlpReceiverFactory.create(set, cfg, consumers) as OtlpReceiver);
  await receiver.start(opts.host ?? testHost());
  return {
    receiver,
    consumer,
    registry,
    grpcTarget: receiver.grpcAddress ?? '',
    httpBase: receiver.httpAddress ? `http://${receiver.httpAddress}` : '',
    stop: () => receiver.shutdown(),
  };
}

/** An ExportTraceServiceRequest with `n` spans (names span-0..), optionally `resources` resources. */
export function traceRequest(n: number, opts: { prefix?: string; attrs?: number } = {}): Uint8Array {
  const spans = [];
  for (let i = 0; i < n; i++) {
    const traceId = Buffer.alloc(16);
    traceId.writeUInt32BE(i + 1, 12);
    traceId[0] = 0xab;
    const spanId = Buffer.alloc(8);
    spanId.writeUInt32BE(i + 1, 4);
    spanId[0] = 0xcd;
    const attributes = [];
    for (let a = 0; a < (opts.attrs ?? 2); a++) attributes.push({ key: `attr.${a}`, value: { stringValue: `value-${i}-${a}` } });
    spans.push({
      traceId,
      spanId,
      name: `${opts.prefix ?? 'span'}-${i}`,
      kind: 2,
      startTimeUnixNano: '1700000000000000000',
      endTimeUnixNano: '1700000000001000000',
      attributes,
      status: { code: 1 },
    });
  }
  return oracleEncodeTraces({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'receiver-test' } }] },
        scopeSpans: [{ scope: { name: 'test-scope', version: '1.0' }, spans }],
      },
    ],
  });
}

/** The same request as OTLP/JSON text (hex ids, lowerCamelCase, int64 as strings). */
export function traceRequestJson(n: number, prefix = 'json'): string {
  const spans = [];
  for (let i = 0; i < n; i++) {
    spans.push({
      traceId: `ab${'0'.repeat(22)}${(i + 1).toString(16).padStart(8, '0')}`,
      spanId: `cd000000${(i + 1).toString(16).padStart(8, '0')}`,
      name: `${prefix}-${i}`,
      kind: 2,
      startTimeUnixNano: '1700000000000000000',
      endTimeUnixNano: '1700000000001000000',
      attributes: [{ key: 'http.method', value: { stringValue: 'GET' } }],
    });
  }
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'receiver-test' } }] },
        scopeSpans: [{ scope: { name: 'test-scope' }, spans }],
      },
    ],
  });
}

// ---- metrics and logs requests (the protobufjs oracle)

/** An ExportMetricsServiceRequest with one gauge metric of `n` int data points (`<prefix>` name, point value i). */
export function metricsRequest(n: number, opts: { prefix?: string; attrs?: number } = {}): Uint8Array {
  const dataPoints = [];
  for (let i = 0; i < n; i++) {
    const attributes = [];
    for (let a = 0; a < (opts.attrs ?? 2); a++) attributes.push({ key: `attr.${a}`, value: { stringValue: `value-${i}-${a}` } });
    dataPoints.push({ attributes, startTimeUnixNano: '1700000000000000000', timeUnixNano: '1700000000001000000', asInt: i });
  }
  return oracleEncodeMetrics({
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'receiver-test' } }] },
        scopeMetrics: [{ scope: { name: 'test-scope', version: '1.0' }, metrics: [{ name: opts.prefix ?? 'metric', unit: '1', gauge: { dataPoints } }] }],
      },
    ],
  });
}

/** The same shape as OTLP/JSON (int64 as strings). */
export function metricsRequestJson(n: number, prefix = 'json'): string {
  const dataPoints = [];
  for (let i = 0; i < n; i++) dataPoints.push({ attributes: [{ key: 'k', value: { stringValue: 'v' } }], timeUnixNano: '1700000000001000000', asInt: String(i) });
  return JSON.stringify({
    resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'receiver-test' } }] }, scopeMetrics: [{ metrics: [{ name: prefix, gauge: { dataPoints } }] }] }],
  });
}

/** An ExportLogsServiceRequest with `n` log records (bodies `<prefix>-i`). */
export function logsRequest(n: number, opts: { prefix?: string; attrs?: number } = {}): Uint8Array {
  const logRecords = [];
  for (let i = 0; i < n; i++) {
    const attributes = [];
    for (let a = 0; a < (opts.attrs ?? 2); a++) attributes.push({ key: `attr.${a}`, value: { stringValue: `value-${i}-${a}` } });
    logRecords.push({ timeUnixNano: '1700000000000000000', severityNumber: 9, severityText: 'INFO', body: { stringValue: `${opts.prefix ?? 'log'}-${i}` }, attributes });
  }
  return oracleEncodeLogs({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'receiver-test' } }] },
        scopeLogs: [{ scope: { name: 'test-scope', version: '1.0' }, logRecords }],
      },
    ],
  });
}

/** The same shape as OTLP/JSON (hex ids, int64 as strings). */
export function logsRequestJson(n: number, prefix = 'json'): string {
  const logRecords = [];
  for (let i = 0; i < n; i++) {
    logRecords.push({
      timeUnixNano: '1700000000000000000',
      severityNumber: 9,
      body: { stringValue: `${prefix}-${i}` },
      traceId: `AB${'0'.repeat(22)}${(i + 1).toString(16).padStart(8, '0')}`,
      spanId: `cd000000${(i + 1).toString(16).padStart(8, '0')}`,
    });
  }
  return JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'receiver-test' } }] }, scopeLogs: [{ logRecords }] }] });
}

// ---- gRPC raw client

const identity = (b: Buffer): Buffer => b;

export interface RawTraceClient {
  export(body: Uint8Array, opts?: { metadata?: grpc.Metadata }): Promise<{ response?: Buffer; error?: grpc.ServiceError }>;
  close(): void;
}
export type RawClient = RawTraceClient;

/** A grpc-js client sending raw bytes to TraceService/Export. `compression: 'gzip'` compresses requests. */
export function rawTraceClient(target: string, opts: { compression?: 'gzip' | 'deflate'; options?: grpc.ClientOptions } = {}): RawTraceClient {
  return rawClient(target, TRACE_SERVICE_EXPORT, opts);
}

/** A grpc-js client sending raw bytes to the unary method `path` (e.g. MetricsService/Export). */
export function rawClient(target: string, path: string, opts: { compression?: 'gzip' | 'deflate'; options?: grpc.ClientOptions } = {}): RawClient {
  const Ctor = grpc.makeGenericClientConstructor(
    {
      Export: {
        path,
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    },
    'Service',
  );
  const options: grpc.ClientOptions = { ...opts.options };
  if (opts.compression) options['grpc.default_compression_algorithm'] = opts.compression === 'gzip' ? 2 : 1;
  const client = new Ctor(target, grpc.credentials.createInsecure(), options) as unknown as grpc.Client & {
    Export(body: Buffer, md: grpc.Metadata, cb: (e: grpc.ServiceError | null, r?: Buffer) => void): void;
  };
  return {
    export(body, o = {}) {
      return new Promise((resolve) => {
        client.Export(Buffer.from(body), o.metadata ?? new grpc.Metadata(), (err, resp) => {
          resolve(err ? { error: err } : { response: resp });
        });
      });
    },
    close: () => client.close(),
  };
}

// ---- HTTP client

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One HTTP request with node:http (no keep-alive agent). */
export function httpRequest(
  url: string,
  opts: { method?: string; headers?: http.OutgoingHttpHeaders; body?: Uint8Array | string; timeoutMs?: number } = {},
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'POST', headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(opts.timeoutMs ?? 10_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    if (opts.body !== undefined) req.end(typeof opts.body === 'string' ? opts.body : Buffer.from(opts.body));
    else req.end();
  });
}

export function postProto(base: string, body: Uint8Array, headers: http.OutgoingHttpHeaders = {}, path = '/v1/traces'): Promise<HttpResponse> {
  return httpRequest(base + path, { headers: { 'Content-Type': 'application/x-protobuf', ...headers }, body });
}

export function postJson(base: string, body: string | Uint8Array, headers: http.OutgoingHttpHeaders = {}, path = '/v1/traces'): Promise<HttpResponse> {
  return httpRequest(base + path, { headers: { 'Content-Type': 'application/json', ...headers }, body });
}

// ---- google.rpc.Status decoding (test side, minimal protobuf reader)

function readVarint(buf: Uint8Array, pos: { i: number }): bigint {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    const b = buf[pos.i++]!;
    result |= BigInt(b & 0x7f) << shift;
    if (!(b & 0x80)) return result;
    shift += 7n;
  }
}

/** Parse a protobuf message into {field: [values]} (varints as bigint, length-delimited as Buffer). */
export function parseFields(buf: Uint8Array): Map<number, Array<bigint | Buffer>> {
  const out = new Map<number, Array<bigint | Buffer>>();
  const pos = { i: 0 };
  while (pos.i < buf.length) {
    const key = Number(readVarint(buf, pos));
    const field = key >> 3;
    const wire = key & 7;
    let v: bigint | Buffer;
    if (wire === 0) v = readVarint(buf, pos);
    else if (wire === 2) {
      const len = Number(readVarint(buf, pos));
      v = Buffer.from(buf.subarray(pos.i, pos.i + len));
      pos.i += len;
    } else throw new Error(`unexpected wire type ${wire}`);
    const list = out.get(field) ?? [];
    list.push(v);
    out.set(field, list);
  }
  return out;
}

export interface DecodedStatus {
  code: number;
  message: string;
  details: Array<{ typeUrl: string; value: Buffer }>;
}

/** Decode google.rpc.Status protobuf bytes. */
export function decodeRpcStatus(buf: Uint8Array): DecodedStatus {
  const f = parseFields(buf);
  const details = (f.get(3) ?? []).map((any) => {
    const a = parseFields(any as Buffer);
    return { typeUrl: ((a.get(1)?.[0] as Buffer) ?? Buffer.alloc(0)).toString('utf8'), value: (a.get(2)?.[0] as Buffer) ?? Buffer.alloc(0) };
  });
  return {
    code: Number((f.get(1)?.[0] as bigint) ?? 0n),
    message: ((f.get(2)?.[0] as Buffer) ?? Buffer.alloc(0)).toString('utf8'),
    details,
  };
}

/** Seconds of a google.rpc.RetryInfo value. */
export function retryInfoSeconds(value: Buffer): number {
  const ri = parseFields(value);
  const dur = parseFields((ri.get(1)?.[0] as Buffer) ?? Buffer.alloc(0));
  return Number((dur.get(1)?.[0] as bigint) ?? 0n) + Number((dur.get(2)?.[0] as bigint) ?? 0n) / 1e9;
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
