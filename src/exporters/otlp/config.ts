// Config of the OTLP gRPC exporter (Go: exporter/otlpexporter Config = TimeoutConfig + sending_queue +
// retry_on_failure + configgrpc.ClientConfig), with the Go defaults: compression gzip, write_buffer_size 512 KiB,
// keepalive off unless the section is present (then time 10s, timeout 10s), balancer_name round_robin.
//
// Accepted but without effect in Node: read_buffer_size, write_buffer_size (grpc-js sizes its own buffers; we raise
// the HTTP/2 flow-control windows instead). Rejected with a clear message: compression snappy/zstd ("not supported
// yet"), auth (authenticator extensions), middlewares, tls.cipher_suites/curve_preferences/tpm.
//
// One key of our own: `grpc_client: grpc-js | http2` (default grpc-js). `http2` sends with a client over
// node:http2 that writes the batch's bytes without copying them (h2-client.ts; ≈ 1.4× the spans per CPU-second in
// the gateway load test) but connects to one address (no balancing over a DNS name's addresses) and ignores
// wait_for_ready.

import { s, join } from '../../config/schema';
import { queueSchema, retrySchema, timeoutSchema, unsupportedKey } from '../exporterhelper/config';
import { clientTlsSchema } from '../internal/tls';
import { headersSchema } from '../internal/headers';

export const GRPC_COMPRESSIONS = ['', 'none', 'gzip', 'snappy', 'zstd', 'zlib', 'deflate', 'lz4', 'x-snappy-framed'] as const;
export const SUPPORTED_BALANCERS = ['pick_first', 'round_robin', 'weighted_round_robin'];

export const keepaliveSchema = s.object({
  time: s.duration('10s'),
  timeout: s.duration('10s'),
  permit_without_stream: s.bool(false),
});

/** The gRPC target for grpc-js, the host:port part for labels, and whether the scheme asks for TLS. */
export interface ParsedGrpcEndpoint {
  target: string;
  hostPort: string;
  https: boolean;
}

/** Go's ClientConfig.sanitizedEndpoint / grpcDialTarget. */
export function parseGrpcEndpoint(endpoint: string): ParsedGrpcEndpoint {
  if (endpoint.startsWith('http://')) {
    const hp = endpoint.slice('http://'.length);
    return { target: hp, hostPort: hp, https: false };
  }
  if (endpoint.startsWith('https://')) {
    const hp = endpoint.slice('https://'.length);
    return { target: hp, hostPort: hp, https: true };
  }
  if (endpoint.startsWith('unix://')) {
    return { target: 'unix:' + endpoint.slice('unix://'.length), hostPort: '', https: false };
  }
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/]*)\/(.*)$/.exec(endpoint);
  if (m) {
    const hp = m[3]!;
    // grpc-js understands dns:; passthrough (grpc-go's default resolver) is a plain address for us.
    return { target: m[1] === 'dns' ? `dns:${hp}` : hp, hostPort: hp, https: false };
  }
  return { target: endpoint, hostPort: endpoint, https: false };
}

/** Go's net.SplitHostPort; undefined when the address has no port. */
export function splitHostPort(hp: string): { host: string; port: string } | undefined {
  if (hp.startsWith('[')) {
    const m = /^\[([^\]]*)\]:([^:]*)$/.exec(hp);
    return m ? { host: m[1]!, port: m[2]! } : undefined;
  }
  const i = hp.lastIndexOf(':');
  if (i < 0 || hp.indexOf(':') !== i) return undefined;
  return { host: hp.slice(0, i), port: hp.slice(i + 1) };
}

export const otlpConfigSchema = s.object(
  {
    endpoint: s.string(''),
    compression: s.enum(GRPC_COMPRESSIONS, 'gzip'),
    tls: clientTlsSchema,
    keepalive: s.presence(keepaliveSchema),
    read_buffer_size: s.int(0),
    write_buffer_size: s.int(512 * 1024),
    wait_for_ready: s.bool(false),
    headers: headersSchema,
    user_agent: s.string(''),
    balancer_name: s.string('round_robin'),
    authority: s.string(''),
    // otelcol-ts only (no Go key): which gRPC client sends (src/exporters/otlp/h2-client.ts).
    grpc_client: s.enum(['grpc-js', 'http2'] as const, 'grpc-js'),
    auth: unsupportedKey('auth (authenticator extensions)'),
    middlewares: unsupportedKey('middlewares'),
    timeout: timeoutSchema,
    sending_queue: queueSchema(true),
    retry_on_failure: retrySchema,
  },
  {
    check(v, path, issues) {
      const ep = join(path, 'endpoint');
      const parsed = parseGrpcEndpoint(v.endpoint);
      if (v.endpoint.startsWith('unix://')) {
        if (v.endpoint === 'unix://') issues.push({ path: ep, message: 'unix socket path cannot be empty' });
      } else if (parsed.hostPort === '') {
        issues.push({ path: ep, message: 'requires a non-empty "endpoint"' });
      } else {
        const hp = splitHostPort(parsed.hostPort);
        if (!hp) issues.push({ path: ep, message: `address ${parsed.hostPort}: missing port in address` });
        else if (!/^\d+$/.test(hp.port)) issues.push({ path: ep, message: `invalid port "${hp.port}"` });
      }
      if (v.compression === 'snappy' || v.compression === 'zstd') {
        issues.push({ path: join(path, 'compression'), message: `compression "${v.compression}" is not supported yet (use gzip or none)` });
      } else if (!['', 'none', 'gzip'].includes(v.compression)) {
        issues.push({ path: join(path, 'compression'), message: `unsupported compression type "${v.compression}"` });
      }
      if (v.balancer_name && !SUPPORTED_BALANCERS.includes(v.balancer_name)) {
        issues.push({ path: join(path, 'balancer_name'), message: `invalid balancer_name: ${v.balancer_name}` });
      }
      if (v.timeout < 0) issues.push({ path: join(path, 'timeout'), message: "'timeout' must be non-negative" });
    },
  },
);
export type OtlpExporterConfig = ReturnType<typeof otlpConfigSchema.defaultValue>;
