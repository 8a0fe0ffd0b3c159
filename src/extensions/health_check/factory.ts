// Factory of the `health_check` extension (contrib: extension/healthcheckextension).

import type { ExtensionFactory } from '../../component/types';
import { healthCheckConfigSchema, type HealthCheckConfig } from './config';
import { HealthCheckExtension } from './health-check';

export const healthCheckExtensionFactory: ExtensionFactory<HealthCheckConfig> = {
  kind: 'extension',
  type: 'health_check',
  description: 'HTTP endpoint for liveness/readiness probes: 200 when every pipeline runs and no component reports a permanent error, else 503.',
  configSchema: healthCheckConfigSchema,
  stability: 'alpha',
  create(set, cfg) {
    return new HealthCheckExtension(set, cfg);
  },
};
