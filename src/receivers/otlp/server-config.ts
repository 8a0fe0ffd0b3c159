// Config pieces shared by servers (otlp receiver gRPC/HTTP, health_check): the Go collector's
// confignet.AddrConfig, configtls.ServerConfig, confighttp.ServerConfig (CORS, response headers, timeouts) keys
// and defaults, plus the helpers that turn them into Node listen/TLS options at start().

import * as fs from 'node:fs';
import type { ConfigIssue } from '../../errors';
import { join, s, show, type Infer, type Schema } from '../../config/schema';

/**
 * A section that is off unless written (`grpc:` / `grpc: null` / `grpc: {}` turn it on with defaults), like Go's
 * configoptional.Optional. `enabled: false` inside the section turns it off again (configoptional's `enabled`).
 */
export function optionalSection<T>(inner: Schema<T>, presentByDefault = false): Schema<T | undefined> {
  return {
    describe: inner.describe,
    defaultValue: () => (presentByDefault ? inner.defaultValue() : undefined),
    parse(raw, path, issues) {
      if (raw === undefined) return presentByDefault ? inner.defaultValue() : undefined;
      if (raw === null) return inner.defaultValue();
      if (typeof raw === 'object' && !Array.isArray(raw) && 'enabled' in (raw as Record<string, unknown>)) {
        const { enabled, ...rest } = raw as Record<string, unknown>;
        const on = enabled === true || enabled === 'true' ? true : enabled === false || enabled === 'false' ? false : undefined;
        if (on === undefined) {
          issues.push({ path: join(path, 'enabled'), message: `expected a boolean, got ${show(enabled)}` });
          return undefined;
        }
        const v = inner.parse(rest, path, issues);
        return on ? v : undefined;
      }
      return inner.parse(raw, path, issues);
    },
  };
}

/** A key we recognise but cannot honour: any non-null value is a config error naming the key. */
export function unsupportedKey(message: string): Schema<undefined> {
  return {
    describe: 'unsupported',
    defaultValue: () => undefined,
    parse(raw, path, issues) {
      if (raw === undefined || raw === null) return undefined;
      if (Array.isArray(raw) && raw.length === 0) return undefined;
      issues.push({ path, message });
      return undefined;
    },
  };
}

/** configopaque.MapList: a map `{Name: value}` or a list of `{name, value}` pairs. Returned sorted by name. */
export const mapListSchema: Schema<Array<[string, string]>> = {
  describe: 'a map of strings',
  defaultValue: () => [],
  parse(raw, path, issues) {
    if (raw === undefined || raw === null) return [];
    const out: Array<[string, string]> = [];
    if (Array.isArray(raw)) {
      raw.forEach((item, i) => {
        const p = join(path, i);
        if (!item || typeof item !== 'object' || Array.isArray(item)) {
          issues.push({ path: p, message: `expected a map with "name" and "value", got ${show(item)}` });
          return;
        }
        const { name, value, ...rest } = item as Record<string, unknown>;
        for (const k of Object.keys(rest)) issues.push({ path: join(p, k), message: `unknown key "${k}" (valid keys: name, value)` });
        if (typeof name !== 'string' || !name) issues.push({ path: join(p, 'name'), message: `expected a non-empty string, got ${show(name)}` });
        else out.push([name, value === undefined || value === null ? '' : String(value)]);
      });
      const seen = new Set<string>();
      const dups = new Set<string>();
      for (const [n] of out) (seen.has(n) ? dups : seen).add(n);
      if (dups.size) issues.push({ path, message: `duplicate keys in map-style list: [${[...dups].sort().join(' ')}]` });
    } else if (typeof raw === 'object') {
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (v !== null && typeof v === 'object') issues.push({ path: join(path, k), message: `expected a string, got ${show(v)}` });
        else out.push([k, v === undefined || v === null ? '' : String(v)]);
      }
    } else {
      issues.push({ path, message: `expected a map, got ${show(raw)}` });
    }
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  },
};

const TLS_VERSIONS = ['1.0', '1.1', '1.2', '1.3'] as const;

/**
 * configtls.ServerConfig. Honoured: cert/key/ca (file or pem), client_ca_file (mTLS), min_version, max_version
 * (HTTP; gRPC uses Node's TLS defaults, which start at 1.2 like Go's default). Accepted and ignored: cipher_suites,
 * curve_preferences, include_insecure_cipher_suites, include_system_ca_certs_pool, reload_interval,
 * client_ca_file_reload, tpm.
 */
export const tlsServerSchema = s.object(
  {
    ca_file: s.string(''),
    ca_pem: s.string(''),
    cert_file: s.string(''),
    cert_pem: s.string(''),
    key_file: s.string(''),
    key_pem: s.string(''),
    client_ca_file: s.string(''),
    client_ca_file_reload: s.bool(false),
    min_version: s.string(''),
    max_version: s.string(''),
    reload_interval: s.duration(0),
    cipher_suites: s.array(s.string()),
    curve_preferences: s.array(s.string()),
    include_insecure_cipher_suites: s.bool(false),
    include_system_ca_certs_pool: s.bool(false),
    tpm: s.any(),
  },
  {
    check(v, path, issues) {
      for (const k of ['min_version', 'max_version'] as const) {
        if (v[k] && !(TLS_VERSIONS as readonly string[]).includes(v[k])) {
          issues.push({ path: join(path, k), message: `unsupported TLS version: ${JSON.stringify(v[k])} (expected one of 1.0, 1.1, 1.2, 1.3)` });
        }
      }
      if (v.cert_file && v.cert_pem) issues.push({ path, message: 'provide either cert_file or cert_pem, but not both' });
      if (v.key_file && v.key_pem) issues.push({ path, message: 'provide either key_file or key_pem, but not both' });
      if (v.ca_file && v.ca_pem) issues.push({ path, message: 'provide either ca_file or ca_pem, but not both' });
      const hasCert = !!(v.cert_file || v.cert_pem);
      const hasKey = !!(v.key_file || v.key_pem);
      if (hasCert !== hasKey) issues.push({ path, message: 'for auth via TLS, provide both certificate and key, or neither' });
    },
  },
);
export type TlsServerConfig = Infer<typeof tlsServerSchema>;

export interface LoadedTls {
  cert: Buffer;
  key: Buffer;
  /** Trusted CAs for client certificates (client_ca_file / ca_file). */
  clientCa?: Buffer;
  requireClientCert: boolean;
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
}

function tlsVersion(v: string): LoadedTls['minVersion'] {
  if (!v) return undefined;
  return v === '1.0' ? 'TLSv1' : (`TLSv${v}` as LoadedTls['minVersion']);
}

/** Read the TLS files at start(). Throws an Error naming the file that could not be read. */
export function loadServerTls(cfg: TlsServerConfig, what: string): LoadedTls {
  const read = (file: string, key: string): Buffer => {
    try {
      return fs.readFileSync(file);
    } catch (e) {
      throw new Error(`${what}: failed to load TLS ${key} ${JSON.stringify(file)}: ${(e as Error).message}`);
    }
  };
  const cert = cfg.cert_pem ? Buffer.from(cfg.cert_pem) : cfg.cert_file ? read(cfg.cert_file, 'cert_file') : undefined;
  const key = cfg.key_pem ? Buffer.from(cfg.key_pem) : cfg.key_file ? read(cfg.key_file, 'key_file') : undefined;
  if (!cert || !key) throw new Error(`${what}: TLS is configured but no certificate and key were given`);
  let clientCa: Buffer | undefined;
  if (cfg.client_ca_file) clientCa = read(cfg.client_ca_file, 'client_ca_file');
  else if (cfg.ca_pem) clientCa = Buffer.from(cfg.ca_pem);
  else if (cfg.ca_file) clientCa = read(cfg.ca_file, 'ca_file');
  return {
    cert,
    key,
    clientCa,
    // Go requires and verifies client certificates only when client_ca_file is set.
    requireClientCert: !!cfg.client_ca_file,
    minVersion: tlsVersion(cfg.min_version),
    maxVersion: tlsVersion(cfg.max_version),
  };
}

/** confighttp.CORSConfig. */
export const corsSchema = s.object({
  allowed_origins: s.array(s.string()),
  allowed_headers: s.array(s.string()),
  exposed_headers: s.array(s.string()),
  max_age: s.int(0),
});
export type CorsConfig = Infer<typeof corsSchema>;

export const TRANSPORTS = ['tcp', 'tcp4', 'tcp6', 'unix'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** Where to listen, resolved from `endpoint` + `transport` at start(). */
export type ListenTarget = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

/**
 * Parse a Go listen endpoint (`localhost:4317`, `0.0.0.0:4318`, `:4317`, `[::1]:4317`, or a socket path with
 * transport unix). Like Go, `localhost` listens on 127.0.0.1 only and an empty host listens on every interface.
 * Throws an Error with a clear message (start() reports it).
 */
export function parseListenEndpoint(endpoint: string, transport: Transport, what: string): ListenTarget {
  if (transport === 'unix') {
    const p = endpoint.startsWith('unix://') ? endpoint.slice('unix://'.length) : endpoint;
    if (!p) throw new Error(`${what}: empty unix socket path`);
    return { kind: 'unix', path: p };
  }
  let host: string;
  let portStr: string;
  if (endpoint.startsWith('[')) {
    const close = endpoint.indexOf(']');
    if (close < 0 || endpoint[close + 1] !== ':') throw new Error(`${what}: invalid endpoint ${JSON.stringify(endpoint)}: expected [host]:port`);
    host = endpoint.slice(1, close);
    portStr = endpoint.slice(close + 2);
  } else {
    const colon = endpoint.lastIndexOf(':');
    if (colon < 0) throw new Error(`${what}: invalid endpoint ${JSON.stringify(endpoint)}: missing port (expected host:port)`);
    host = endpoint.slice(0, colon);
    portStr = endpoint.slice(colon + 1);
    if (host.includes(':')) throw new Error(`${what}: invalid endpoint ${JSON.stringify(endpoint)}: too many colons (IPv6 hosts go in brackets)`);
  }
  if (!/^\d{1,5}$/.test(portStr) || Number(portStr) > 65535) {
    throw new Error(`${what}: invalid endpoint ${JSON.stringify(endpoint)}: port must be a number between 0 and 65535`);
  }
  const port = Number(portStr);
  if (host === '' || host === '*') host = transport === 'tcp6' ? '::' : transport === 'tcp4' ? '0.0.0.0' : '';
  else if (host.toLowerCase() === 'localhost') host = transport === 'tcp6' ? '::1' : '127.0.0.1';
  return { kind: 'tcp', host, port };
}

/** `host:port` for logs and tests (IPv6 in brackets). */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Message for a failed listen: names the endpoint and says plainly when the port is taken. */
export function listenErrorMessage(what: string, endpoint: string, err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const text = String(e?.message ?? err);
  if (e?.code === 'EADDRINUSE' || /EADDRINUSE|address already in use/i.test(text)) {
    return `${what}: cannot listen on ${endpoint}: address already in use (another process, or another receiver, uses this port)`;
  }
  if (e?.code === 'EACCES' || /EACCES/.test(text)) return `${what}: cannot listen on ${endpoint}: permission denied`;
  if (e?.code === 'EADDRNOTAVAIL' || /EADDRNOTAVAIL/.test(text)) return `${what}: cannot listen on ${endpoint}: address not available on this host`;
  if (e?.code === 'ENOTFOUND' || /ENOTFOUND/.test(text)) return `${what}: cannot listen on ${endpoint}: host not found`;
  return `${what}: cannot listen on ${endpoint}: ${text}`;
}

/**
 * confighttp.ServerConfig keys (without the receiver-specific ones). `auth` and `middlewares` need extensions
 * otelcol-ts does not have yet: configuring them is an error naming the key.
 */
export function httpServerShape(defaultEndpoint: string) {
  return {
    endpoint: s.string(defaultEndpoint),
    transport: s.enum(TRANSPORTS, 'tcp'),
    tls: optionalSection(tlsServerSchema),
    cors: optionalSection(corsSchema),
    auth: unsupportedKey('authenticators are not supported yet'),
    max_request_body_size: s.int(0),
    include_metadata: s.bool(false),
    response_headers: mapListSchema,
    compression_algorithms: s.optional(s.array(s.string())),
    read_timeout: s.duration(0),
    read_header_timeout: s.duration(0),
    write_timeout: s.duration(0),
    idle_timeout: s.duration(0),
    middlewares: unsupportedKey('middlewares are not supported yet'),
    keep_alives_enabled: s.bool(true),
  };
}

/** Keys of confignet.AddrConfig we accept and ignore (client-side dialer settings squashed into servers). */
export const IGNORED_SERVER_KEYS = ['dialer'] as const;

/** confighttp's default max_request_body_size (20 MiB), used when the config says 0 or less. */
export const DEFAULT_MAX_REQUEST_BODY_SIZE = 20 * 1024 * 1024;

/** Check cross-field rules common to HTTP servers. */
export function checkHttpServer(v: { endpoint: string; transport: Transport }, path: string, issues: ConfigIssue[]): void {
  if (v.transport === 'unix' && !v.endpoint) issues.push({ path: join(path, 'endpoint'), message: 'a unix socket path is required' });
}
