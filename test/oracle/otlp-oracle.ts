// The test oracle: protobufjs reflection types for the current OTLP trace protocol, written from the field
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

const collector = {
  ExportTraceServiceRequest: {
    fields: { resourceSpans: { rule: 'repeated', type: 'opentelemetry.proto.trace.v1.ResourceSpans', id: 1 } },
  },
  ExportTraceServiceResponse: { fields: { partialSuccess: { type: 'ExportTracePartialSuccess', id: 1 } } },
  ExportTracePartialSuccess: {
    fields: { rejectedSpans: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } },
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
            collector: { nested: { trace: { nested: { v1: { nested: collector } } } } },
          },
        },
      },
    },
  },
});

export const ExportTraceServiceRequest = oracleRoot.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
export const ExportTraceServiceResponse = oracleRoot.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');

/** toObject options giving a canonical comparable form: longs as decimal strings, bytes as hex, enums as numbers, defaults omitted. */
export const CANONICAL: protobuf.IConversionOptions = { longs: String, enums: Number, bytes: String, defaults: false, arrays: false, oneofs: false };

function bytesToHex(u8: Uint8Array): string {
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength).toString('hex');
}

/** Decode ExportTraceServiceRequest bytes with protobufjs into a canonical plain object (ids and bytes as hex). */
export function oracleDecodeTraces(bytes: Uint8Array): Record<string, unknown> {
  const msg = ExportTraceServiceRequest.decode(bytes);
  return hexify(ExportTraceServiceRequest.toObject(msg, { ...CANONICAL, bytes: Array })) as Record<string, unknown>;
}

/** Encode a plain object (protobufjs fromObject form: ids as Uint8Array/Buffer, int64 as string/number) with protobufjs. */
export function oracleEncodeTraces(obj: Record<string, unknown>): Uint8Array {
  return ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(obj)).finish();
}

// Convert byte arrays (from toObject with bytes: Array) to hex strings everywhere, recursively.
function hexify(v: unknown): unknown {
  if (Array.isArray(v)) {
    // toObject(arrays: false) omits empty repeated fields, so an array of numbers (or an empty one) is a bytes field.
    if (v.every((x) => typeof x === 'number')) return bytesToHex(Uint8Array.from(v as number[]));
    return v.map(hexify);
  }
  if (v instanceof Uint8Array) return bytesToHex(v);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = hexify(x);
    return out;
  }
  return v;
}

export { bytesToHex };
