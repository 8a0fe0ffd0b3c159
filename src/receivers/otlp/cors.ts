// CORS for OTLP/HTTP, after the Go collector's confighttp (github.com/rs/cors with AllowCredentials):
// origins may contain one `*` wildcard (`https://*.example.com`) or be `*`; preflight requests get 204.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CorsConfig } from './server-config';

// Always allowed request headers (CORS-safelisted, as rs/cors does).
const IMPLICIT_HEADERS = ['accept', 'accept-language', 'content-type', 'content-language', 'origin'];
const ALLOWED_METHODS = ['GET', 'POST', 'HEAD'];

type OriginMatcher = (origin: string) => boolean;

function compileOrigin(pattern: string): OriginMatcher {
  const p = pattern.toLowerCase();
  const star = p.indexOf('*');
  if (star < 0) return (o) => o === p;
  const prefix = p.slice(0, star);
  const suffix = p.slice(star + 1);
  return (o) => o.length >= prefix.length + suffix.length && o.startsWith(prefix) && o.endsWith(suffix);
}

export class Cors {
  private readonly allOrigins: boolean;
  private readonly origins: OriginMatcher[];
  private readonly allHeaders: boolean;
  private readonly headers: Set<string>;
  private readonly exposed: string;
  private readonly maxAge: number;

  constructor(cfg: CorsConfig) {
    this.allOrigins = cfg.allowed_origins.includes('*');
    this.origins = cfg.allowed_origins.filter((o) => o !== '*').map(compileOrigin);
    this.allHeaders = cfg.allowed_headers.includes('*');
    this.headers = new Set([...IMPLICIT_HEADERS, ...cfg.allowed_headers.map((h) => h.toLowerCase())]);
    if (cfg.allowed_headers.length === 0) this.headers.add('x-requested-with');
    this.exposed = cfg.exposed_headers.join(', ');
    this.maxAge = cfg.max_age;
  }

  /** true when CORS is active (Go ignores a CORS section without allowed_origins). */
  static enabled(cfg: CorsConfig | undefined): boolean {
    return !!cfg && cfg.allowed_origins.length > 0;
  }

  private originAllowed(origin: string): boolean {
    if (this.allOrigins) return true;
    const o = origin.toLowerCase();
    return this.origins.some((m) => m(o));
  }

  /**
   * Handle CORS for a request. Returns true when the request was a preflight and has been answered
   * (the caller must not handle it further).
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    const reqMethod = req.headers['access-control-request-method'];
    if (req.method === 'OPTIONS' && typeof reqMethod === 'string' && reqMethod) {
      res.setHeader('Vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
      if (typeof origin === 'string' && this.originAllowed(origin) && ALLOWED_METHODS.includes(reqMethod.toUpperCase())) {
        const wanted = String(req.headers['access-control-request-headers'] ?? '')
          .split(',')
          .map((h) => h.trim().toLowerCase())
          .filter(Boolean);
        if (this.allHeaders || wanted.every((h) => this.headers.has(h))) {
          res.setHeader('Access-Control-Allow-Origin', this.allOrigins ? '*' : origin);
          res.setHeader('Access-Control-Allow-Methods', reqMethod.toUpperCase());
          if (wanted.length) res.setHeader('Access-Control-Allow-Headers', wanted.join(', '));
          res.setHeader('Access-Control-Allow-Credentials', 'true');
          if (this.maxAge > 0) res.setHeader('Access-Control-Max-Age', String(this.maxAge));
        }
      }
      res.statusCode = 204;
      res.end();
      return true;
    }
    if (typeof origin === 'string') {
      res.setHeader('Vary', 'Origin');
      if (this.originAllowed(origin)) {
        res.setHeader('Access-Control-Allow-Origin', this.allOrigins ? '*' : origin);
        res.setHeader('Access-Control-Allow-Credentials', 'true');
        if (this.exposed) res.setHeader('Access-Control-Expose-Headers', this.exposed);
      }
    }
    return false;
  }
}
