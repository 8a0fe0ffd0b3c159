// The baseline: a naive Node collector, as one would write it with protobufjs.
//   node:http server → protobufjs decode → plain JS objects (toObject) → batch (8192 spans or 200 ms, like the Go
//   batch processor's defaults) → protobufjs fromObject + encode → HTTP POST to the upstream (keep-alive).
// Acks each request after it is decoded and queued (as a collector with a batch processor does).
//
//   node dist/bench/pipeline/naive-collector.js --port 4318 --upstream http://127.0.0.1:4319/v1/traces

import * as http from 'node:http';
import { ExportTraceServiceRequest } from '../../test/oracle/otlp-oracle';
import { NAIVE_TO_OBJECT } from '../lib/naive';

const BATCH_SPANS = 8192;
const BATCH_TIMEOUT_MS = 200;

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
}
const port = Number(arg('--port', '4318'));
const upstream = new URL(arg('--upstream', 'http://127.0.0.1:4319/v1/traces'));
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

type PlainResourceSpans = { scopeSpans?: Array<{ spans?: unknown[] }> };
let pending: PlainResourceSpans[] = [];
let pendingSpans = 0;
let timer: NodeJS.Timeout | undefined;
let exportFailures = 0;

function flush(): void {
  if (timer) {
    clearTimeout(timer);
    timer = undefined;
  }
  if (pending.length === 0) return;
  const body = ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject({ resourceSpans: pending })).finish();
  pending = [];
  pendingSpans = 0;
  const req = http.request(
    {
      host: upstream.hostname,
      port: upstream.port,
      path: upstream.pathname,
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
    },
    (res) => {
      res.resume();
      if ((res.statusCode ?? 0) >= 300) exportFailures++;
    },
  );
  req.on('error', () => exportFailures++);
  req.end(body);
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let obj: { resourceSpans?: PlainResourceSpans[] };
    try {
      obj = ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(Buffer.concat(chunks)), NAIVE_TO_OBJECT);
    } catch (e) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(String((e as Error).message));
      return;
    }
    for (const rs of obj.resourceSpans ?? []) {
      pending.push(rs);
      for (const ss of rs.scopeSpans ?? []) pendingSpans += ss.spans?.length ?? 0;
    }
    if (pendingSpans >= BATCH_SPANS) flush();
    else if (!timer) timer = setTimeout(flush, BATCH_TIMEOUT_MS);
    res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 });
    res.end();
  });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.listen(port, '127.0.0.1');

process.on('SIGTERM', () => {
  flush();
  server.close();
  agent.destroy();
  if (exportFailures) process.stderr.write(`naive collector: ${exportFailures} failed exports\n`);
  setTimeout(() => process.exit(0), 200).unref();
});
