// Benchmark load generator (its own process): POSTs pre-encoded realistic ExportTraceServiceRequests
// (bench/fixtures/realistic.ts, several different requests in rotation) over keep-alive connections at max rate
// with a bounded number in flight, for a fixed duration. Counts what the collector accepted (2xx) and refused.
//
// Forked by pipeline-bench with IPC: first message {type:'ready', spansPerRequest, avgSpanBytes, ...};
// then {cmd:'run', port, path, durationMs, concurrency} → {acceptedSpans, acceptedRequests, refused, errors, ...}.
// Standalone: node dist/bench/pipeline/loadgen.js --port 4318 [--seconds 10] [--concurrency 8]

import * as http from 'node:http';
import { realisticRequests } from '../fixtures/realistic';

export interface LoadRunRequest {
  port: number;
  path?: string;
  durationMs: number;
  concurrency: number;
}

export interface LoadRunResult {
  sentRequests: number;
  acceptedRequests: number;
  acceptedSpans: number;
  /** Non-2xx answers by status code (e.g. 429/503 refusals from memory_limiter). */
  refused: Record<string, number>;
  /** Connection errors and timeouts. */
  errors: number;
  lastError: string;
  elapsedMs: number;
}

const PAYLOADS = realisticRequests(4, { spans: 512, seed: 1 }).map((r) => ({ body: Buffer.from(r.bytes), spans: r.spanCount }));
const SPANS_PER_REQUEST = PAYLOADS[0].spans;
const AVG_SPAN_BYTES = PAYLOADS.reduce((a, p) => a + p.body.length, 0) / PAYLOADS.reduce((a, p) => a + p.spans, 0);

function post(agent: http.Agent, port: number, path: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('request timed out after 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}

export async function runLoad(r: LoadRunRequest): Promise<LoadRunResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: r.concurrency, keepAliveMsecs: 10_000 });
  const path = r.path ?? '/v1/traces';
  const out: LoadRunResult = { sentRequests: 0, acceptedRequests: 0, acceptedSpans: 0, refused: {}, errors: 0, lastError: '', elapsedMs: 0 };
  const t0 = performance.now();
  const deadline = t0 + r.durationMs;
  let next = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const p = PAYLOADS[next++ % PAYLOADS.length];
      out.sentRequests++;
      try {
        const status = await post(agent, r.port, path, p.body);
        if (status >= 200 && status < 300) {
          out.acceptedRequests++;
          out.acceptedSpans += p.spans;
        } else {
          out.refused[status] = (out.refused[status] ?? 0) + 1;
          await new Promise((res) => setTimeout(res, 5)); // do not spin on a refusing collector
        }
      } catch (e) {
        out.errors++;
        out.lastError = String((e as Error).message);
        await new Promise((res) => setTimeout(res, 20));
      }
    }
  };
  await Promise.all(Array.from({ length: r.concurrency }, worker));
  out.elapsedMs = performance.now() - t0;
  agent.destroy();
  return out;
}

if (process.send) {
  process.send({ id: 0, type: 'ready', spansPerRequest: SPANS_PER_REQUEST, avgSpanBytes: AVG_SPAN_BYTES, requestBytes: PAYLOADS.map((p) => p.body.length) });
  process.on('message', (m: { id: number; cmd: string } & LoadRunRequest) => {
    if (m.cmd !== 'run') return;
    runLoad(m).then(
      (res) => process.send!({ id: m.id, ...res }),
      (e) => process.send!({ id: m.id, error: String((e as Error).stack ?? e) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
} else if (require.main === module) {
  const arg = (name: string, def: number) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : def;
  };
  runLoad({ port: arg('--port', 4318), durationMs: arg('--seconds', 10) * 1000, concurrency: arg('--concurrency', 8) }).then((r) =>
    process.stdout.write(`${JSON.stringify({ ...r, spansPerSec: (r.acceptedSpans / r.elapsedMs) * 1000, avgSpanBytes: AVG_SPAN_BYTES })}\n`),
  );
}
