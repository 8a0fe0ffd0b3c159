// Factory of the `otlp` receiver (Go: receiver/otlpreceiver). The type has no other spelling: `otlp_grpc` and
// `otlp_http` are the newer names of the OTLP *exporters*, not of this receiver.

import type { ReceiverFactory } from '../../component/types';
import { otlpReceiverConfigSchema, type OtlpReceiverConfig } from './config';
import { OtlpReceiver } from './receiver';

export const otlpReceiverFactory: ReceiverFactory<OtlpReceiverConfig> = {
  kind: 'receiver',
  type: 'otlp',
  description: 'Receives OTLP traces, metrics and logs over gRPC (:4317) and HTTP (:4318), protobuf and JSON, gzip/deflate compressed.',
  configSchema: otlpReceiverConfigSchema,
  stability: { traces: 'stable', metrics: 'stable', logs: 'stable' },
  create(set, cfg, consumers) {
    return new OtlpReceiver(set, cfg, consumers);
  },
};
