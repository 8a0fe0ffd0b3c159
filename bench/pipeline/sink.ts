// Benchmark sink backend (its own process): an OTLP/HTTP trace endpoint that counts spans cheaply by walking
// only the protobuf framing (bench/lib/span-count.ts) and answers 200 with an empty ExportTraceServiceResponse.
// Handles gzip bodies and OTLP/JSON too, in case an exporter is configured that way.
//
// Forked by pipeline-bench with IPC: replies {type:'listening', port} once, then answers {cmd:'stats'}.
// Standalone: node dist/bench/pipeline/sink.js [--port N] (prints counts every second).

import * as http from 'node:http';
import * as zlib from 'node:zlib';
import { countSpans } from '../lib/span-count';

export interface SinkStats {
  spans: number;
  requests: number;
  bytes: number;
  badRequests: number;
  lastBadRequest: string;
}

const stats: SinkStats = { spans: 0, requests: 0, bytes: 0, badRequests: 0, lastBadRequest: '' };

function countJsonSpans(text: string): number {
  const o = JSON.parse(text) as { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }> };
  let n = 0;
  for (const rs of o.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
  return n;
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    try {
      if (req.method !== 'POST') throw new Error(`method ${req.method}`);
      let body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      stats.bytes += body.length;
      const enc = String(req.headers['content-encoding'] ?? '').toLowerCase();
      if (enc === 'gzip') body = zlib.gunzipSync(body);
      else if (enc === 'deflate') body = zlib.inflateSync(body);
      else if (enc && enc !== 'identity') throw new Error(`content-encoding ${enc}`);
      const ct = String(req.headers['content-type'] ?? '');
      const n = ct.startsWith('application/json') ? countJsonSpans(body.toString('utf8')) : countSpans(body);
      stats.spans += n;
      stats.requests++;
      res.writeHead(200, { 'content-type': ct.startsWith('application/json') ? 'application/json' : 'application/x-protobuf', 'content-length': ct.startsWith('application/json') ? 2 : 0 });
      res.end(ct.startsWith('application/json') ? '{}' : undefined);
    } catch (e) {
      stats.badRequests++;
      stats.lastBadRequest = String((e as Error).message);
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(String((e as Error).message));
    }
  });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;

const portArg = process.argv.indexOf('--port');
const port = portArg >= 0 ? Number(process.argv[portArg + 1]) : 0;
server.listen(port, '127.0.0.1', () => {
  const p = (server.address() as { port: number }).port;
  if (process.send) {
    process.send({ id: 0, type: 'listening', port: p });
    process.on('message', (m: { id: number; cmd: string }) => {
      if (m.cmd === 'stats') process.send!({ id: m.id, ...stats });
    });
    process.on('disconnect', () => process.exit(0));
  } else {
    process.stdout.write(`sink listening on 127.0.0.1:${p}\n`);
    setInterval(() => process.stdout.write(`${JSON.stringify(stats)}\n`), 1000).unref();
  }
});
