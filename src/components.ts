// The one place every component is registered. `otelcol-ts components`, config validation and the README
// component table (checked by test/docs/readme.test.ts) all come from this list.

import type { AnyFactory } from './component/types';
import { otlpReceiverFactory } from './receivers/otlp/factory';
import { batchProcessorFactory } from './processors/batch/factory';
import { memoryLimiterProcessorFactory } from './processors/memory_limiter/factory';
import { attributesProcessorFactory } from './processors/attributes/factory';
import { resourceProcessorFactory } from './processors/resource/factory';
import { filterProcessorFactory } from './processors/filter/factory';
import { tailSamplingProcessorFactory } from './processors/tail_sampling/factory';
import { otlpExporterFactory } from './exporters/otlp/factory';
import { otlpHttpExporterFactory } from './exporters/otlphttp/factory';
import { debugExporterFactory } from './exporters/debug/factory';
import { healthCheckExtensionFactory } from './extensions/health_check/factory';
import { fileStorageExtensionFactory } from './extensions/file_storage/factory';

export const factories: AnyFactory[] = [
  otlpReceiverFactory,
  memoryLimiterProcessorFactory,
  batchProcessorFactory,
  attributesProcessorFactory,
  resourceProcessorFactory,
  filterProcessorFactory,
  tailSamplingProcessorFactory,
  otlpExporterFactory,
  otlpHttpExporterFactory,
  debugExporterFactory,
  healthCheckExtensionFactory,
  fileStorageExtensionFactory,
];
