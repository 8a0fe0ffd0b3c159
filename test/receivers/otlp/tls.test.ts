// TLS on both transports, with a throwaway self-signed certificate made by the openssl CLI (skipped without it).

import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TRACE_SERVICE_EXPORT } from '../../../src/receivers/otlp/receiver';
import { startReceiver, traceRequest, type Started } from './helpers';

function makeCert(dir: string): { cert: string; key: string } | undefined {
  const cert = path.join(dir, 'server.crt');
  const key = path.join(dir, 'server.key');
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert],
      { stdio: 'ignore', timeout: 15_000 },
    );
    return { cert, key };
  } catch {
    return undefined;
  }
}

describe('otlp receiver with TLS', () => {
  let dir: string;
  let files: { cert: string; key: string } | undefined;
  let r: Started | undefined;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otlp-tls-'));
    files = makeCert(dir);
    if (!files) return;
    const tls = { cert_file: files.cert, key_file: files.key };
    r = await startReceiver({ protocols: { grpc: { endpoint: '127.0.0.1:0', tls }, http: { endpoint: '127.0.0.1:0', tls } } });
  });
  after(async () => {
    await r?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves OTLP/HTTP over HTTPS', async (t) => {
    if (!r || !files) return t.skip('openssl not available');
    const ca = fs.readFileSync(files.cert);
    const body = Buffer.from(traceRequest(2, { prefix: 'tls-http' }));
    const status = await new Promise<number>((resolve, reject) => {
      const req = https.request(
        `https://${r!.receiver.httpAddress}/v1/traces`,
        { method: 'POST', ca, headers: { 'Content-Type': 'application/x-protobuf' }, agent: false },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(status, 200);
    assert.equal(r.consumer.batches.at(-1)!.name(1), 'tls-http-1');
  });

  it('serves OTLP/gRPC over TLS', async (t) => {
    if (!r || !files) return t.skip('openssl not available');
    const identity = (b: Buffer) => b;
    const Client = grpc.makeGenericClientConstructor(
      {
        Export: {
          path: TRACE_SERVICE_EXPORT,
          requestStream: false,
          responseStream: false,
          requestSerialize: identity,
          requestDeserialize: identity,
          responseSerialize: identity,
          responseDeserialize: identity,
        },
      },
      'TraceService',
    );
    const client = new Client(r.grpcTarget, grpc.credentials.createSsl(fs.readFileSync(files.cert))) as unknown as grpc.Client & {
      Export(b: Buffer, cb: (e: grpc.ServiceError | null) => void): void;
    };
    try {
      const err = await new Promise<grpc.ServiceError | null>((resolve) => client.Export(Buffer.from(traceRequest(3, { prefix: 'tls-grpc' })), resolve));
      assert.equal(err, null, err?.message);
      assert.equal(r.consumer.batches.at(-1)!.name(2), 'tls-grpc-2');
    } finally {
      client.close();
    }
  });

  it('a missing certificate file fails start() naming the file', async () => {
    await assert.rejects(
      startReceiver({ protocols: { http: { endpoint: '127.0.0.1:0', tls: { cert_file: '/nonexistent/x.crt', key_file: '/nonexistent/x.key' } } } }),
      /failed to load TLS cert_file "\/nonexistent\/x\.crt"/,
    );
  });
});
