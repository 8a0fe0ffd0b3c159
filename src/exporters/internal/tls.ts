// Client TLS settings (configtls.ClientConfig): keys and checks of the Go collector. Files are read at start(),
// never while validating (a config naming a missing file validates, as with Go).

import { promises as fsp } from 'node:fs';
import * as tls from 'node:tls';
import { s, join } from '../../config/schema';
import { unsupportedKey } from '../exporterhelper/config';

const VERSIONS: Record<string, tls.SecureVersion> = { '1.0': 'TLSv1', '1.1': 'TLSv1.1', '1.2': 'TLSv1.2', '1.3': 'TLSv1.3' };
const ORDER = ['1.0', '1.1', '1.2', '1.3'];

export const clientTlsSchema = s.object(
  {
    insecure: s.bool(false),
    insecure_skip_verify: s.bool(false),
    server_name_override: s.string(''),
    ca_file: s.string(''),
    ca_pem: s.string(''),
    cert_file: s.string(''),
    cert_pem: s.string(''),
    key_file: s.string(''),
    key_pem: s.string(''),
    min_version: s.string(''),
    max_version: s.string(''),
    include_system_ca_certs_pool: s.bool(false),
    /** Accepted; certificates are read once at start (no periodic reload yet). */
    reload_interval: s.duration(0),
    cipher_suites: unsupportedKey('tls.cipher_suites'),
    curve_preferences: unsupportedKey('tls.curve_preferences'),
    include_insecure_cipher_suites: s.bool(false),
    tpm: s.object({ enabled: s.bool(false), path: s.string(''), owner_auth: s.string(''), auth: s.string('') }),
  },
  {
    check(v, path, issues) {
      if (v.ca_file && v.ca_pem) issues.push({ path, message: 'provide either a CA file or the PEM-encoded string, but not both' });
      if (v.cert_file && v.cert_pem) issues.push({ path, message: 'provide either certificate file or PEM, but not both' });
      if (v.key_file && v.key_pem) issues.push({ path, message: 'provide either key file or PEM, but not both' });
      if (!!(v.cert_file || v.cert_pem) !== !!(v.key_file || v.key_pem)) {
        issues.push({ path, message: 'TLS configuration must include both certificate and key (CertFile/CertPem and KeyFile/KeyPem)' });
      }
      for (const k of ['min_version', 'max_version'] as const) {
        if (v[k] && !VERSIONS[v[k]]) issues.push({ path: join(path, k), message: `invalid TLS ${k}: unsupported TLS version: ${JSON.stringify(v[k])}` });
      }
      if (v.min_version && v.max_version && VERSIONS[v.min_version] && VERSIONS[v.max_version] && ORDER.indexOf(v.max_version) < ORDER.indexOf(v.min_version)) {
        issues.push({ path, message: 'invalid TLS configuration: min_version cannot be greater than max_version' });
      }
      if (v.tpm.enabled) issues.push({ path: join(join(path, 'tpm'), 'enabled'), message: 'TPM-backed keys are not supported yet' });
    },
  },
);
export type ClientTlsConfig = ReturnType<typeof clientTlsSchema.defaultValue>;

/** What node:tls needs, with the files read. */
export interface LoadedTls {
  ca?: string[];
  cert?: string;
  key?: string;
  minVersion: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  servername?: string;
  rejectUnauthorized: boolean;
}

async function readPem(file: string, what: string): Promise<string> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (e) {
    throw new Error(`failed to load TLS config: failed to load ${what} ${file}: ${(e as Error).message}`);
  }
}

/** Go's ClientConfig.LoadTLSConfig: undefined (plaintext) when `insecure` and no CA is given. */
export async function loadClientTls(cfg: ClientTlsConfig, forceTls = false): Promise<LoadedTls | undefined> {
  const hasCa = !!(cfg.ca_file || cfg.ca_pem);
  if (cfg.insecure && !hasCa && !forceTls) return undefined;
  const out: LoadedTls = {
    minVersion: VERSIONS[cfg.min_version || '1.2']!,
    rejectUnauthorized: !cfg.insecure_skip_verify,
  };
  if (cfg.max_version) out.maxVersion = VERSIONS[cfg.max_version];
  if (cfg.server_name_override) out.servername = cfg.server_name_override;
  if (hasCa) {
    const pem = cfg.ca_pem || (await readPem(cfg.ca_file, 'CA'));
    out.ca = cfg.include_system_ca_certs_pool ? [...tls.rootCertificates, pem] : [pem];
  }
  if (cfg.cert_file || cfg.cert_pem) out.cert = cfg.cert_pem || (await readPem(cfg.cert_file, 'certificate'));
  if (cfg.key_file || cfg.key_pem) out.key = cfg.key_pem || (await readPem(cfg.key_file, 'key'));
  return out;
}
