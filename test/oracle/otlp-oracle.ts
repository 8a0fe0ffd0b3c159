// The test oracle: protobufjs reflection types for the current OTLP trace, metrics and logs protocols, written from the field
// numbers of open-telemetry/opentelemetry-proto (opentelemetry/proto/{common,resource,trace}/v1 and
// collector/trace/v1). Unlike the static root shipped by @opentelemetry/otlp-transformer@0.52 it has the
// newer fields (Span.flags = 16, Link.flags = 6, Resource.entity_refs = 3). Our codecs are checked against it.

import * as protobuf from 'protobufjs';

const common = {
  AnyValue: {
    oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
    fields: {
      stringValue: { type: 'string', id: 1 },
      boolValue: { type: 'bool', id: 2 },
      intValue: { type: 'int64', id: 3 },
      doubleValue: { type: 'double', id: 4 },
      arrayValue: { type: 'ArrayValue', id: 5 },
      kvlistValue: { type: 'KeyValueList', id: 6 },
      bytesValue: { type: 'bytes', id: 7 },
    },
  },
  ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
  KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
  KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
  InstrumentationScope: {
    fields: {
      name: { type: 'string', id: 1 },
      version: { type: 'string', id: 2 },
      attributes: { rule: 'repeated', type: 'KeyValue', id: 3 },
      droppedAttributesCount: { type: 'uint32', id: 4 },
    },
  },
  EntityRef: {
    fields: {
      schemaUrl: { type: 'string', id: 1 },
      type: { type: 'string', id: 2 },
      idKeys: { rule: 'repeated', type: 'string', id: 3 },
      descriptionKeys: { rule: 'repeated', type: 'string', id: 4 },
    },
  },
};

const resource = {
  Resource: {
    fields: {
      attributes: { rule: 'repeated', type: 'opentelemetry.proto.common.v1.KeyValue', id: 1 },
      droppedAttributesCount: { type: 'uint32', id: 2 },
      entityRefs: { rule: 'repeated', type: 'opentelemetry.proto.common.v1.EntityRef', id: 3 },
    },
  },
};

const KV = 'opentelemetry.proto.common.v1.KeyValue';
const trace = {
  TracesData: { fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } } },
  ResourceSpans: {
    fields: {
      resource: { type: 'opentelemetry.proto.resource.v1.Resource', id: 1 },
      scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 },
      schemaUrl: { type: 'string', id: 3 },
    },
  },
  ScopeSpans: {
    fields: {
      scope: { type: 'opentelemetry.proto.common.v1.InstrumentationScope', id: 1 },
      spans: { rule: 'repeated', type: 'Span', id: 2 },
      schemaUrl: { type: 'string', id: 3 },
    },
  },
  Span: {
    fields: {
      traceId: { type: 'bytes', id: 1 },
      spanId: { type: 'bytes', id: 2 },
      traceState: { type: 'string', id: 3 },
      parentSpanId: { type: 'bytes', id: 4 },
      flags: { type: 'fixed32', id: 16 },
      name: { type: 'string', id: 5 },
      kind: { type: 'SpanKind', id: 6 },
      startTimeUnixNano: { type: 'fixed64', id: 7 },
      endTimeUnixNano: { type: 'fixed64', id: 8 },
      attributes: { rule: 'repeated', type: KV, id: 9 },
      droppedAttributesCount: { type: 'uint32', id: 10 },
      events: { rule: 'repeated', type: 'Event', id: 11 },
      droppedEventsCount: { type: 'uint32', id: 12 },
      links: { rule: 'repeated', type: 'Link', id: 13 },
      droppedLinksCount: { type: 'uint32', id: 14 },
      status: { type: 'Status', id: 15 },
    },
    nested: {
      SpanKind: {
        values: {
          SPAN_KIND_UNSPECIFIED: 0,
          SPAN_KIND_INTERNAL: 1,
          SPAN_KIND_SERVER: 2,
          SPAN_KIND_CLIENT: 3,
          SPAN_KIND_PRODUCER: 4,
          SPAN_KIND_CONSUMER: 5,
        },
      },
      Event: {
        fields: {
          timeUnixNano: { type: 'fixed64', id: 1 },
          name: { type: 'string', id: 2 },
          attributes: { rule: 'repeated', type: KV, id: 3 },
          droppedAttributesCount: { type: 'uint32', id: 4 },
        },
      },
      Link: {
        fields: {
          traceId: { type: 'bytes', id: 1 },
          spanId: { type: 'bytes', id: 2 },
          traceState: { type: 'string', id: 3 },
          attributes: { rule: 'repeated', type: KV, id: 4 },
          droppedAttributesCount: { type: 'uint32', id: 5 },
          flags: { type: 'fixed32', id: 6 },
        },
      },
    },
  },
  Status: {
    fields: { message: { type: 'string', id: 2 }, code: { type: 'StatusCode', id: 3 } },
    nested: { StatusCode: { values: { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 } } },
  },
};


const metrics = {
  MetricsData: { fields: { resourceMetrics: { rule: 'repeated', type: 'ResourceMetrics', id: 1 } } },
  ResourceMetrics: {
    fields: {
      resource: { type: 'opentelemetry.proto.resource.v1.Resource', id: 1 },
      scopeMetrics: { rule: 'repeated', type: 'ScopeMetrics', id: 2 },
      schemaUrl: { type: 'string', id: 3 },
    },
  },
  ScopeMetrics: {
    fields: {
      scope: { type: 'opentelemetry.proto.common.v1.InstrumentationScope', id: 1 },
      metrics: { rule: 'repeated', type: 'Metric', id: 2 },
      schemaUrl: { type: 'string', id: 3 },
    },
  },
  Metric: {
    oneofs: { data: { oneof: ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] } },
    fields: {
      name: { type: 'string', id: 1 },
      description: { type: 'string', id: 2 },
      unit: { type: 'string', id: 3 },
      gauge: { type: 'Gauge', id: 5 },
      sum: { type: 'Sum', id: 7 },
      histogram: { type: 'Histogram', id: 9 },
      exponentialHistogram: { type: 'ExponentialHistogram', id: 10 },
      summary: { type: 'Summary', id: 11 },
      metadata: { rule: 'repeated', type: KV, id: 12 },
    },
  },
  Gauge: { fields: { dataPoints: { rule: 'repeated', type: 'NumberDataPoint', id: 1 } } },
  Sum: {
    fields: {
      dataPoints: { rule: 'repeated', type: 'NumberDataPoint', id: 1 },
      aggregationTemporality: { type: 'AggregationTemporality', id: 2 },
      isMonotonic: { type: 'bool', id: 3 },
    },
  },
  Histogram: {
    fields: {
      dataPoints: { rule: 'repeated', type: 'HistogramDataPoint', id: 1 },
      aggregationTemporality: { type: 'AggregationTemporality', id: 2 },
    },
  },
  ExponentialHistogram: {
    fields: {
      dataPoints: { rule: 'repeated', type: 'ExponentialHistogramDataPoint', id: 1 },
      aggregationTemporality: { type: 'AggregationTemporality', id: 2 },
    },
  },
  Summary: { fields: { dataPoints: { rule: 'repeated', type: 'SummaryDataPoint', id: 1 } } },
  AggregationTemporality: {
    values: { AGGREGATION_TEMPORALITY_UNSPECIFIED: 0, AGGREGATION_TEMPORALITY_DELTA: 1, AGGREGATION_TEMPORALITY_CUMULATIVE: 2 },
  },
  NumberDataPoint: {
    oneofs: { value: { oneof: ['asDouble', 'asInt'] } },
    fields: {
      attributes: { rule: 'repeated', type: KV, id: 7 },
      startTimeUnixNano: { type: 'fixed64', id: 2 },
      timeUnixNano: { type: 'fixed64', id: 3 },
      asDouble: { type: 'double', id: 4 },
      asInt: { type: 'sfixed64', id: 6 },
      exemplars: { rule: 'repeated', type: 'Exemplar', id: 5 },
      flags: { type: 'uint32', id: 8 },
    },
  },
  HistogramDataPoint: {
    // proto3 `optional` fields: a synthetic oneof each gives explicit presence (a present 0 is kept).
    oneofs: { _sum: { oneof: ['sum'] }, _min: { oneof: ['min'] }, _max: { oneof: ['max'] } },
    fields: {
      attributes: { rule: 'repeated', type: KV, id: 9 },
      startTimeUnixNano: { type: 'fixed64', id: 2 },
      timeUnixNano: { type: 'fixed64', id: 3 },
      count: { type: 'fixed64', id: 4 },
      sum: { type: 'double', id: 5 },
      bucketCounts: { rule: 'repeated', type: 'fixed64', id: 6 },
      explicitBounds: { rule: 'repeated', type: 'double', id: 7 },
      exemplars: { rule: 'repeated', type: 'Exemplar', id: 8 },
      flags: { type: 'uint32', id: 10 },
      min: { type: 'double', id: 11 },
      max: { type: 'double', id: 12 },
    },
  },
  ExponentialHistogramDataPoint: {
    oneofs: { _sum: { oneof: ['sum'] }, _min: { oneof: ['min'] }, _max: { oneof: ['max'] } },
    fields: {
      attributes: { rule: 'repeated', type: KV, id: 1 },
      startTimeUnixNano: { type: 'fixed64', id: 2 },
      timeUnixNano: { type: 'fixed64', id: 3 },
      count: { type: 'fixed64', id: 4 },
      sum: { type: 'double', id: 5 },
      scale: { type: 'sint32', id: 6 },
      zeroCount: { type: 'fixed64', id: 7 },
      positive: { type: 'Buckets', id: 8 },
      negative: { type: 'Buckets', id: 9 },
      flags: { type: 'uint32', id: 10 },
      exemplars: { rule: 'repeated', type: 'Exemplar', id: 11 },
      min: { type: 'double', id: 12 },
      max: { type: 'double', id: 13 },
      zeroThreshold: { type: 'double', id: 14 },
    },
    nested: {
      Buckets: { fields: { offset: { type: 'sint32', id: 1 }, bucketCounts: { rule: 'repeated', type: 'uint64', id: 2 } } },
    },
  },
  SummaryDataPoint: {
    fields: {
      attributes: { rule: 'repeated', type: KV, id: 7 },
      startTimeUnixNano: { type: 'fixed64', id: 2 },
      timeUnixNano: { type: 'fixed64', id: 3 },
      count: { type: 'fixed64', id: 4 },
      sum: { type: 'double', id: 5 },
      quantileValues: { rule: 'repeated', type: 'ValueAtQuantile', id: 6 },
      flags: { type: 'uint32', id: 8 },
    },
    nested: { ValueAtQuantile: { fields: { quantile: { type: 'double', id: 1 }, value: { type: 'double', id: 2 } } } },
  },
  Exemplar: {
    oneofs: { value: { oneof: ['asDouble', 'asInt'] } },
    fields: {
      filteredAttributes: { rule: 'repeated', type: KV, id: 7 },
      timeUnixNano: { type: 'fixed64', id: 2 },
      asDouble: { type: 'double', id: 3 },
      asInt: { type: 'sfixed64', id: 6 },
      spanId: { type: 'bytes', id: 4 },
      traceId: { type: 'bytes', id: 5 },
    },
  },
};

const severity: Record<string, number> = { SEVERITY_NUMBER_UNSPECIFIED: 0 };
['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].forEach((name, i) => {
  severity[`SEVERITY_NUMBER_${name}`] = i * 4 + 1;
  for (let k = 2; k <= 4; k++) severity[`SEVERITY_NUMBER_${name}${k}`] = i * 4 + k;
});

const logs = {
  LogsData: { fields: { resourceLogs: { rule: 'repeated', type: 'ResourceLogs', id: 1 } } },
  ResourceLogs: {
    fields: {
      resource: { type: 'opentelemetry.proto.resource.v1.Resource', id: 1 },
      scopeLogs: { rule: 'repeated', type: 'ScopeLogs', id: 2 },
      schemaUrl: { type: 'string', id: 3 },
    },
  },
  ScopeLogs: {
    fields: {
      scope: { type: 'opentelemetry.proto.common.v1.InstrumentationScope', id: 1 },
      logRecords: { rule: 'repeated', type: 'LogRecord', id: 2 },
      schemaUrl: { type: 'string', id: 3 },
    },
  },
  SeverityNumber: { values: severity },
  LogRecord: {
    fields: {
      timeUnixNano: { type: 'fixed64', id: 1 },
      observedTimeUnixNano: { type: 'fixed64', id: 11 },
      severityNumber: { type: 'SeverityNumber', id: 2 },
      severityText: { type: 'string', id: 3 },
      body: { type: 'opentelemetry.proto.common.v1.AnyValue', id: 5 },
      attributes: { rule: 'repeated', type: KV, id: 6 },
      droppedAttributesCount: { type: 'uint32', id: 7 },
      flags: { type: 'fixed32', id: 8 },
      traceId: { type: 'bytes', id: 9 },
      spanId: { type: 'bytes', id: 10 },
      eventName: { type: 'string', id: 12 },
    },
  },
};

const collector = {
  ExportTraceServiceRequest: {
    fields: { resourceSpans: { rule: 'repeated', type: 'opentelemetry.proto.trace.v1.ResourceSpans', id: 1 } },
  },
  ExportTraceServiceResponse: { fields: { partialSuccess: { type: 'ExportTracePartialSuccess', id: 1 } } },
  ExportTracePartialSuccess: {
    fields: { rejectedSpans: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } },
  },
};

const collectorMetrics = {
  ExportMetricsServiceRequest: {
    fields: { resourceMetrics: { rule: 'repeated', type: 'opentelemetry.proto.metrics.v1.ResourceMetrics', id: 1 } },
  },
  ExportMetricsServiceResponse: { fields: { partialSuccess: { type: 'ExportMetricsPartialSuccess', id: 1 } } },
  ExportMetricsPartialSuccess: {
    fields: { rejectedDataPoints: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } },
  },
};

const collectorLogs = {
  ExportLogsServiceRequest: {
    fields: { resourceLogs: { rule: 'repeated', type: 'opentelemetry.proto.logs.v1.ResourceLogs', id: 1 } },
  },
  ExportLogsServiceResponse: { fields: { partialSuccess: { type: 'ExportLogsPartialSuccess', id: 1 } } },
  ExportLogsPartialSuccess: {
    fields: { rejectedLogRecords: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } },
  },
};

export const oracleRoot = protobuf.Root.fromJSON({
  nested: {
    opentelemetry: {
      nested: {
        proto: {
          nested: {
            common: { nested: { v1: { nested: common } } },
            resource: { nested: { v1: { nested: resource } } },
            trace: { nested: { v1: { nested: trace } } },
            metrics: { nested: { v1: { nested: metrics } } },
            logs: { nested: { v1: { nested: logs } } },
            collector: {
              nested: {
                trace: { nested: { v1: { nested: collector } } },
                metrics: { nested: { v1: { nested: collectorMetrics } } },
                logs: { nested: { v1: { nested: collectorLogs } } },
              },
            },
          },
        },
      },
    },
  },
});

export const ExportTraceServiceRequest = oracleRoot.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
export const ExportTraceServiceResponse = oracleRoot.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');

export const ExportMetricsServiceRequest = oracleRoot.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');
export const ExportMetricsServiceResponse = oracleRoot.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse');
export const ExportLogsServiceRequest = oracleRoot.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
export const ExportLogsServiceResponse = oracleRoot.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse');

/** toObject options giving a canonical comparable form: longs as decimal strings, bytes as hex, enums as numbers, defaults omitted. */
export const CANONICAL: protobuf.IConversionOptions = { longs: String, enums: Number, bytes: String, defaults: false, arrays: false, oneofs: false };

function bytesToHex(u8: Uint8Array): string {
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength).toString('hex');
}

/** Decode ExportTraceServiceRequest bytes with protobufjs into a canonical plain object (ids and bytes as hex). */
export function oracleDecodeTraces(bytes: Uint8Array): Record<string, unknown> {
  const msg = ExportTraceServiceRequest.decode(bytes);
  return hexify(ExportTraceServiceRequest.toObject(msg, { ...CANONICAL, bytes: String })) as Record<string, unknown>;
}

/** Encode a plain object (protobufjs fromObject form: ids as Uint8Array/Buffer, int64 as string/number) with protobufjs. */
export function oracleEncodeTraces(obj: Record<string, unknown>): Uint8Array {
  return ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(obj)).finish();
}

/** Decode ExportMetricsServiceRequest bytes into the canonical plain object (as oracleDecodeTraces). */
export function oracleDecodeMetrics(bytes: Uint8Array): Record<string, unknown> {
  const msg = ExportMetricsServiceRequest.decode(bytes);
  return hexify(ExportMetricsServiceRequest.toObject(msg, { ...CANONICAL, bytes: String })) as Record<string, unknown>;
}

export function oracleEncodeMetrics(obj: Record<string, unknown>): Uint8Array {
  return ExportMetricsServiceRequest.encode(ExportMetricsServiceRequest.fromObject(obj)).finish();
}

/** Decode ExportLogsServiceRequest bytes into the canonical plain object (as oracleDecodeTraces). */
export function oracleDecodeLogs(bytes: Uint8Array): Record<string, unknown> {
  const msg = ExportLogsServiceRequest.decode(bytes);
  return hexify(ExportLogsServiceRequest.toObject(msg, { ...CANONICAL, bytes: String })) as Record<string, unknown>;
}

export function oracleEncodeLogs(obj: Record<string, unknown>): Uint8Array {
  return ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(obj)).finish();
}

// The bytes fields of OTLP: in the canonical form they are lowercase hex (ids as OTLP/JSON writes them).
const BYTES_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId', 'bytesValue']);

// toObject is called with `bytes: String` (base64); convert every bytes field to hex, recursively.
function hexify(v: unknown, key = ''): unknown {
  if (BYTES_FIELDS.has(key) && typeof v === 'string') return Buffer.from(v, 'base64').toString('hex');
  if (Array.isArray(v)) return v.map((x) => hexify(x));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = hexify(x, k);
    return out;
  }
  return v;
}

export { bytesToHex };
