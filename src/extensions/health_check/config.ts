// Config of the `health_check` extension: the keys of contrib's extension/healthcheckextension in its default
// (legacy, "v1") mode — confighttp.ServerConfig (endpoint default localhost:13133, tls, cors, ...), `path`,
// `response_body`, `check_collector_pipeline`. The v2 keys (`use_v2`, `http`, `grpc`, `component_health`) are
// behind a feature gate upstream; otelcol-ts rejects them with a clear message.
//
// check_collector_pipeline is accepted (type-checked) but has no effect: upstream's current implementation keeps
// it "for backwards compatibility, but otherwise ignored" too. Pipeline health is reported anyway: the endpoint
// answers 503 when any component reports a permanent error (see health-check.ts).

import { join, s, type Infer } from '../../config/schema';
import { checkHttpServer, httpServerShape, IGNORED_SERVER_KEYS } from '../../receivers/otlp/server-config';

export const DEFAULT_HEALTH_CHECK_ENDPOINT = 'localhost:13133';

const v2Message = 'health check v2 configuration (use_v2, http, grpc, component_health) is not supported by otelcol-ts; remove it to use the default health check';

function v2Key() {
  return {
    describe: 'unsupported',
    defaultValue: () => undefined,
    parse(raw: unknown, path: string, issues: { path: string; message: string }[]) {
      if (raw === undefined || raw === null || raw === false) return undefined;
      issues.push({ path, message: v2Message });
      return undefined;
    },
  };
}

export const healthCheckConfigSchema = s.object(
  {
    ...httpServerShape(DEFAULT_HEALTH_CHECK_ENDPOINT),
    path: s.string('/'),
    // `response_body:` (null) keeps the default JSON body, as a nil pointer does in Go; `{}` means empty bodies.
    response_body: s.optional(
      s.object({
        healthy: s.string(''),
        unhealthy: s.string(''),
      }),
    ),
    check_collector_pipeline: s.object({
      enabled: s.bool(false),
      interval: s.string('5m'),
      exporter_failure_threshold: s.int(5),
    }),
    use_v2: v2Key(),
    http: v2Key(),
    grpc: v2Key(),
    component_health: v2Key(),
  },
  {
    ignoredKeys: IGNORED_SERVER_KEYS,
    check(v, path, issues) {
      checkHttpServer(v, path, issues);
      if (!v.endpoint) issues.push({ path: join(path, 'endpoint'), message: 'http endpoint required' });
      if (!v.path.startsWith('/')) issues.push({ path: join(path, 'path'), message: 'path must start with /' });
    },
  },
);
export type HealthCheckConfig = Infer<typeof healthCheckConfigSchema>;
