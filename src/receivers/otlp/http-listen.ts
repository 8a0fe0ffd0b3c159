// node:http / node:https server plumbing shared by the OTLP/HTTP receiver and the health_check extension:
// create (TLS optional), listen with a clear error, report the bound address, close with a bounded drain.

import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { formatAddress, listenErrorMessage, loadServerTls, parseListenEndpoint, type ListenTarget, type TlsServerConfig, type Transport } from './server-config';

export interface HttpServerTimeouts {
  /** ms, 0 = none (Go read_timeout). */
  readTimeout: number;
  /** ms, 0 = Node's default (60 s) — we keep a header deadline against slow-header clients. */
  readHeaderTimeout: number;
  /** ms, 0 = keep idle keep-alive connections open (Go idle_timeout 0 with read_timeout 0). */
  idleTimeout: number;
}

export function createHttpServer(
  tls: TlsServerConfig | undefined,
  what: string,
  timeouts: HttpServerTimeouts,
  handler: http.RequestListener,
): http.Server {
  const common: http.ServerOptions = {
    requestTimeout: timeouts.readTimeout > 0 ? timeouts.readTimeout : 0,
    keepAliveTimeout: timeouts.idleTimeout > 0 ? timeouts.idleTimeout : timeouts.readTimeout > 0 ? timeouts.readTimeout : 0,
  };
  let headersTimeout = timeouts.readHeaderTimeout > 0 ? timeouts.readHeaderTimeout : timeouts.readTimeout > 0 ? timeouts.readTimeout : 60_000;
  if (common.requestTimeout && headersTimeout > common.requestTimeout) headersTimeout = common.requestTimeout;
  common.headersTimeout = headersTimeout;
  let server: http.Server;
  if (tls) {
    const t = loadServerTls(tls, what);
    server = https.createServer(
      {
        ...common,
        cert: t.cert,
        key: t.key,
        ca: t.clientCa,
        requestCert: t.requireClientCert,
        rejectUnauthorized: t.requireClientCert,
        minVersion: t.minVersion ?? 'TLSv1.2',
        maxVersion: t.maxVersion,
      },
      handler,
    );
  } else {
    server = http.createServer(common, handler);
  }
  // keepAliveTimeout 0 means "no timeout" for Node; set explicitly since some versions ignore it in options.
  server.keepAliveTimeout = common.keepAliveTimeout ?? 0;
  return server;
}

/** Listen on `endpoint`; resolves with the bound address (`127.0.0.1:4318` or the socket path). */
export function listenHttp(server: http.Server, endpoint: string, transport: Transport, what: string): Promise<{ target: ListenTarget; address: string; port: number }> {
  let target: ListenTarget;
  try {
    target = parseListenEndpoint(endpoint, transport, what);
  } catch (e) {
    return Promise.reject(e);
  }
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(new Error(listenErrorMessage(what, endpoint, err)));
    };
    const onListening = () => {
      server.off('error', onError);
      const a = server.address();
      if (a && typeof a === 'object') {
        const info = a as AddressInfo;
        resolve({ target, address: formatAddress(info.address, info.port), port: info.port });
      } else {
        resolve({ target, address: String(a), port: 0 });
      }
    };
    server.once('error', onError);
    server.once('listening', onListening);
    if (target.kind === 'unix') server.listen({ path: target.path });
    else server.listen({ port: target.port, host: target.host || undefined, ipv6Only: transport === 'tcp6' });
  });
}

/**
 * Stop listening, close idle connections, let in-flight requests finish for up to `graceMs`, then drop whatever
 * is left. Resolves once the server is closed.
 */
export function closeHttp(server: http.Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      server.closeAllConnections();
      resolve();
      return;
    }
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      server.closeAllConnections();
    }, graceMs);
    timer.unref?.();
    server.close(() => {
      done = true;
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
