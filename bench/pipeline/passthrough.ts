// The ceiling: raw byte pass-through. node:http in, collect the body, POST the same bytes upstream (keep-alive),
// answer the sender with the upstream's status. No decode, no batching: what Node's HTTP stack costs alone.
//
//   node dist/bench/pipeline/passthrough.js --port 4318 --upstream http://127.0.0.1:4319/v1/traces

import * as http from 'node:http';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
}
const port = Number(arg('--port', '4318'));
const upstream = new URL(arg('--upstream', 'http://127.0.0.1:4319/v1/traces'));
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    const out = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: upstream.pathname,
        method: 'POST',
        agent,
        headers: { 'content-type': req.headers['content-type'] ?? 'application/x-protobuf', 'content-length': body.length },
      },
      (up) => {
        up.resume();
        up.on('end', () => {
          res.writeHead(up.statusCode ?? 502, { 'content-type': 'application/x-protobuf', 'content-length': 0 });
          res.end();
        });
      },
    );
    out.on('error', (e) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(e.message));
    });
    out.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.listen(port, '127.0.0.1');

process.on('SIGTERM', () => {
  server.close();
  agent.destroy();
  setTimeout(() => process.exit(0), 100).unref();
});
