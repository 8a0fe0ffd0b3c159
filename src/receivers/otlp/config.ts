// Config of the `otlp` receiver: the Go collector's receiver/otlpreceiver keys and defaults
// (protocols.grpc = configgrpc.ServerConfig, protocols.http = confighttp.ServerConfig + URL paths).
//
// Like Go, a protocol is on only when written (`grpc:`, `http: null`, `grpc: {}` = on with defaults;
// `enabled: false` turns a written section off) and at least one must be on.
//
// Accepted but without effect in otelcol-ts (documented in the README table):
//   grpc: read_buffer_size, write_buffer_size (no grpc-js equivalent), keepalive.enforcement_policy (grpc-js does
//   not enforce client ping rates), include_metadata (client metadata is not propagated to consumers yet);
//   http: include_metadata, write_timeout.

import { join, s, type Infer } from '../../config/schema';
import {
  checkHttpServer,
  httpServerShape,
  IGNORED_SERVER_KEYS,
  optionalSection,
  tlsServerSchema,
  TRANSPORTS,
  unsupportedKey,
} from './server-config';

export const DEFAULT_GRPC_ENDPOINT = 'localhost:4317';
export const DEFAULT_HTTP_ENDPOINT = 'localhost:4318';
/** grpc-go's default max receive message size, used when max_recv_msg_size_mib is 0. */
export const DEFAULT_MAX_RECV_MSG_SIZE_MIB = 4;

const keepaliveSchema = s.object({
  server_parameters: optionalSection(
    s.object({
      max_connection_idle: s.duration(0),
      max_connection_age: s.duration(0),
      max_connection_age_grace: s.duration(0),
      time: s.duration(0),
      timeout: s.duration(0),
    }),
    true,
  ),
  enforcement_policy: optionalSection(
    s.object({
      min_time: s.duration(0),
      permit_without_stream: s.bool(false),
    }),
    true,
  ),
});

export const grpcServerSchema = s.object(
  {
    endpoint: s.string(DEFAULT_GRPC_ENDPOINT),
    transport: s.enum(TRANSPORTS, 'tcp'),
    tls: optionalSection(tlsServerSchema),
    /** 0 = grpc's default of 4 MiB. */
    max_recv_msg_size_mib: s.nonNegativeInt(0),
    max_concurrent_streams: s.nonNegativeInt(0),
    // The OTLP receiver's default (Go sets 512 KiB); accepted, no grpc-js equivalent.
    read_buffer_size: s.nonNegativeInt(512 * 1024),
    write_buffer_size: s.nonNegativeInt(0),
    keepalive: optionalSection(keepaliveSchema, true),
    auth: unsupportedKey('authenticators are not supported yet'),
    include_metadata: s.bool(false),
    middlewares: unsupportedKey('middlewares are not supported yet'),
  },
  {
    ignoredKeys: IGNORED_SERVER_KEYS,
    check(v, path, issues) {
      if (v.transport === 'unix' && !v.endpoint) issues.push({ path: join(path, 'endpoint'), message: 'a unix socket path is required' });
      if (v.max_recv_msg_size_mib * 1024 * 1024 > Number.MAX_SAFE_INTEGER) {
        issues.push({ path: join(path, 'max_recv_msg_size_mib'), message: `invalid max_recv_msg_size_mib value: ${v.max_recv_msg_size_mib}` });
      }
    },
  },
);
export type GrpcServerConfig = Infer<typeof grpcServerSchema>;

/**
 * Go's SanitizedURLPath: keep the URL's path and make it absolute (`traces` -> `/traces`, `log/ingest` ->
 * `/log/ingest`); a query or fragment is dropped.
 */
function urlPath(def: string) {
  return s.map(
    s.string(def),
    (raw, path, issues) => {
      let p = raw;
      const cut = p.search(/[?#]/);
      if (cut >= 0) p = p.slice(0, cut);
      // eslint-disable-next-line no-control-regex
      if (/[\x00-\x1f\x7f ]/.test(p) || /%(?![0-9a-fA-F]{2})/.test(p)) {
        issues.push({ path, message: `invalid HTTP URL path set for signal: ${JSON.stringify(raw)}` });
        return def;
      }
      if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(p)) {
        issues.push({ path, message: `invalid HTTP URL path set for signal: ${JSON.stringify(raw)} (a path such as /v1/traces, not a URL)` });
        return def;
      }
      if (!p.startsWith('/')) p = '/' + p;
      return p;
    },
    () => def,
  );
}

export const httpProtocolSchema = s.object(
  {
    ...httpServerShape(DEFAULT_HTTP_ENDPOINT),
    traces_url_path: urlPath('/v1/traces'),
    metrics_url_path: urlPath('/v1/metrics'),
    logs_url_path: urlPath('/v1/logs'),
  },
  { ignoredKeys: IGNORED_SERVER_KEYS, check: checkHttpServer },
);
export type HttpProtocolConfig = Infer<typeof httpProtocolSchema>;

export const otlpReceiverConfigSchema = s.object(
  {
    protocols: s.object({
      grpc: optionalSection(grpcServerSchema),
      http: optionalSection(httpProtocolSchema),
    }),
  },
  {
    check(v, path, issues) {
      if (!v.protocols.grpc && !v.protocols.http) {
        issues.push({ path: join(path, 'protocols'), message: 'must specify at least one protocol when using the OTLP receiver' });
      }
    },
  },
);
export type OtlpReceiverConfig = Infer<typeof otlpReceiverConfigSchema>;

/** Effective gRPC max message size in bytes. */
export function maxRecvMsgBytes(cfg: GrpcServerConfig): number {
  return (cfg.max_recv_msg_size_mib > 0 ? cfg.max_recv_msg_size_mib : DEFAULT_MAX_RECV_MSG_SIZE_MIB) * 1024 * 1024;
}
