// OTLP/JSON for traces.
//
// jsonToTraceRequest: OTLP/JSON ExportTraceServiceRequest → protobuf bytes, written straight from the parsed
// JSON (so JSON input reuses the binary decode path). Follows the proto3 JSON mapping with the OTLP deviations
// (docs/specification.md "JSON Protobuf Encoding" of opentelemetry-proto) and the Go collector's leniency:
//   - ids are hex (either case), '' = absent; trace ids 16 bytes, span ids 8 bytes;
//   - int64/fixed64 as decimal strings or numbers, exactly (numbers beyond 2^53 are re-read from the text);
//   - enums as integers or names; lowerCamelCase or snake_case keys; unknown keys ignored;
//   - bytesValue base64 (standard or URL-safe, padding optional); doubles as numbers, numeric strings,
//     "NaN", "Infinity", "-Infinity"; null means absent.
// Fields are written in field-number order with proto3 defaults omitted, like protobufjs and Go.
// Anything invalid throws DecodeError naming the JSON path of the bad value.
// The pieces shared with metrics and logs are in ./json/from-json.ts and ./json/to-json.ts.
//
// traceBatchToJSON: TraceBatch → OTLP/JSON text (lowercase hex ids, int64 as strings, enums as integers,
// lowerCamelCase keys, proto3 defaults and empty messages omitted), through TraceBatch's public accessors.

import type { TraceBatch } from './traces';
import type { ProtoWriter } from './json/proto-writer';
import {
  type Obj, MAX_ANYVALUE_DEPTH, convertJsonRequest, get, enumNames, writeMessage, writeRepeatedMessages, writeString,
  writeUint32, writeFixed32, writeFixed64, writeEnum, writeHexId, encodeResource, encodeScope, encodeAttributes,
} from './json/from-json';
import { attributesJSON, batchJSON, isAbsentId, type SignalShape } from './json/to-json';

export { MAX_ANYVALUE_DEPTH };

// ---------------------------------------------------------------------------------------------------------
// JSON → protobuf

/** Parse an OTLP/JSON ExportTraceServiceRequest (text or UTF-8 bytes) into ExportTraceServiceRequest protobuf bytes. */
export function jsonToTraceRequest(body: string | Uint8Array): Uint8Array {
  return convertJsonRequest(body, encodeRoot);
}

const SPAN_KIND_NAMES = enumNames({
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
});
const STATUS_CODE_NAMES = enumNames({
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
});

// ---- messages (each writes its fields in field-number order)

function encodeRoot(w: ProtoWriter, o: Obj): void {
  writeRepeatedMessages(w, 1, get(o, 'resourceSpans', 'resource_spans'), 'resourceSpans', 3, encodeResourceSpans);
}

function encodeResourceSpans(w: ProtoWriter, o: Obj): void {
  writeMessage(w, 1, o.resource, 'resource', 2, encodeResource);
  writeRepeatedMessages(w, 2, get(o, 'scopeSpans', 'scope_spans'), 'scopeSpans', 3, encodeScopeSpans);
  writeString(w, 3, get(o, 'schemaUrl', 'schema_url'), 'schemaUrl');
}

function encodeScopeSpans(w: ProtoWriter, o: Obj): void {
  writeMessage(w, 1, o.scope, 'scope', 1, encodeScope);
  writeRepeatedMessages(w, 2, o.spans, 'spans', 2, encodeSpan);
  writeString(w, 3, get(o, 'schemaUrl', 'schema_url'), 'schemaUrl');
}

function encodeSpan(w: ProtoWriter, o: Obj): void {
  writeHexId(w, 1, get(o, 'traceId', 'trace_id'), 16, 'traceId');
  writeHexId(w, 2, get(o, 'spanId', 'span_id'), 8, 'spanId');
  writeString(w, 3, get(o, 'traceState', 'trace_state'), 'traceState');
  writeHexId(w, 4, get(o, 'parentSpanId', 'parent_span_id'), 8, 'parentSpanId');
  writeString(w, 5, o.name, 'name');
  writeEnum(w, 6, o.kind, SPAN_KIND_NAMES, 'kind');
  writeFixed64(w, 7, get(o, 'startTimeUnixNano', 'start_time_unix_nano'), 'startTimeUnixNano');
  writeFixed64(w, 8, get(o, 'endTimeUnixNano', 'end_time_unix_nano'), 'endTimeUnixNano');
  encodeAttributes(w, 9, o.attributes, 'attributes');
  writeUint32(w, 10, get(o, 'droppedAttributesCount', 'dropped_attributes_count'), 'droppedAttributesCount');
  writeRepeatedMessages(w, 11, o.events, 'events', 1, encodeEvent);
  writeUint32(w, 12, get(o, 'droppedEventsCount', 'dropped_events_count'), 'droppedEventsCount');
  writeRepeatedMessages(w, 13, o.links, 'links', 1, encodeLink);
  writeUint32(w, 14, get(o, 'droppedLinksCount', 'dropped_links_count'), 'droppedLinksCount');
  writeMessage(w, 15, o.status, 'status', 1, encodeStatus);
  writeFixed32(w, 16, o.flags, 'flags');
}

function encodeEvent(w: ProtoWriter, ev: Obj): void {
  writeFixed64(w, 1, get(ev, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano');
  writeString(w, 2, ev.name, 'name');
  encodeAttributes(w, 3, ev.attributes, 'attributes');
  writeUint32(w, 4, get(ev, 'droppedAttributesCount', 'dropped_attributes_count'), 'droppedAttributesCount');
}

function encodeLink(w: ProtoWriter, ln: Obj): void {
  writeHexId(w, 1, get(ln, 'traceId', 'trace_id'), 16, 'traceId');
  writeHexId(w, 2, get(ln, 'spanId', 'span_id'), 8, 'spanId');
  writeString(w, 3, get(ln, 'traceState', 'trace_state'), 'traceState');
  encodeAttributes(w, 4, ln.attributes, 'attributes');
  writeUint32(w, 5, get(ln, 'droppedAttributesCount', 'dropped_attributes_count'), 'droppedAttributesCount');
  writeFixed32(w, 6, ln.flags, 'flags');
}

function encodeStatus(w: ProtoWriter, st: Obj): void {
  writeString(w, 2, st.message, 'message');
  writeEnum(w, 3, st.code, STATUS_CODE_NAMES, 'code');
}

// ---------------------------------------------------------------------------------------------------------
// TraceBatch → JSON

const TRACES: SignalShape = { fn: 'traceBatchToJSON', resourcesKey: 'resourceSpans', scopesKey: 'scopeSpans', itemsKey: 'spans', itemName: 'span' };

/** OTLP/JSON text of a TraceBatch (lowercase hex ids, int64 as strings, enums as integers, defaults omitted). */
export function traceBatchToJSON(b: TraceBatch): string {
  return batchJSON(b, TRACES, b.spanCount, (i) => b.spanScope(i), (i) => spanJSON(b, i));
}

function spanJSON(b: TraceBatch, i: number): string {
  let out = '{';
  let c = '';
  const tid = b.traceIdHex(i);
  if (!isAbsentId(tid)) {
    out += '"traceId":"' + tid + '"';
    c = ',';
  }
  const sid = b.spanIdHex(i);
  if (!isAbsentId(sid)) {
    out += c + '"spanId":"' + sid + '"';
    c = ',';
  }
  const ts = b.traceState(i);
  if (ts !== '') {
    out += c + '"traceState":' + JSON.stringify(ts);
    c = ',';
  }
  const pid = b.parentSpanIdHex(i);
  if (!isAbsentId(pid)) {
    out += c + '"parentSpanId":"' + pid + '"';
    c = ',';
  }
  const flags = b.flags(i);
  if (flags !== 0) {
    out += c + '"flags":' + flags;
    c = ',';
  }
  const name = b.name(i);
  if (name !== '') {
    out += c + '"name":' + JSON.stringify(name);
    c = ',';
  }
  const kind = b.kind(i);
  if (kind !== 0) {
    out += c + '"kind":' + kind;
    c = ',';
  }
  const start = b.startTimeUnixNano(i);
  if (start !== 0n) {
    out += c + '"startTimeUnixNano":"' + start + '"';
    c = ',';
  }
  const end = b.endTimeUnixNano(i);
  if (end !== 0n) {
    out += c + '"endTimeUnixNano":"' + end + '"';
    c = ',';
  }
  const attrs = attributesJSON(b.spanAttributes(i), 'attributes');
  if (attrs !== '') {
    out += c + attrs;
    c = ',';
  }
  const dropped = b.droppedAttributesCount(i);
  if (dropped !== 0) {
    out += c + '"droppedAttributesCount":' + dropped;
    c = ',';
  }
  const ne = b.eventCount(i);
  if (ne > 0) {
    out += c + '"events":[';
    c = ',';
    for (let e = 0; e < ne; e++) {
      if (e > 0) out += ',';
      out += '{';
      let ec = '';
      const t = b.eventTimeUnixNano(i, e);
      if (t !== 0n) {
        out += '"timeUnixNano":"' + t + '"';
        ec = ',';
      }
      const en = b.eventName(i, e);
      if (en !== '') {
        out += ec + '"name":' + JSON.stringify(en);
        ec = ',';
      }
      const ea = attributesJSON(b.eventAttributes(i, e), 'attributes');
      if (ea !== '') {
        out += ec + ea;
        ec = ',';
      }
      const ed = b.eventDroppedAttributesCount(i, e);
      if (ed !== 0) out += ec + '"droppedAttributesCount":' + ed;
      out += '}';
    }
    out += ']';
  }
  const de = b.droppedEventsCount(i);
  if (de !== 0) {
    out += c + '"droppedEventsCount":' + de;
    c = ',';
  }
  const nl = b.linkCount(i);
  if (nl > 0) {
    out += c + '"links":[';
    c = ',';
    for (let l = 0; l < nl; l++) {
      if (l > 0) out += ',';
      out += '{';
      let lc = '';
      const ltid = b.linkTraceIdHex(i, l);
      if (!isAbsentId(ltid)) {
        out += '"traceId":"' + ltid + '"';
        lc = ',';
      }
      const lsid = b.linkSpanIdHex(i, l);
      if (!isAbsentId(lsid)) {
        out += lc + '"spanId":"' + lsid + '"';
        lc = ',';
      }
      const lts = b.linkTraceState(i, l);
      if (lts !== '') {
        out += lc + '"traceState":' + JSON.stringify(lts);
        lc = ',';
      }
      const la = attributesJSON(b.linkAttributes(i, l), 'attributes');
      if (la !== '') {
        out += lc + la;
        lc = ',';
      }
      const ld = b.linkDroppedAttributesCount(i, l);
      if (ld !== 0) {
        out += lc + '"droppedAttributesCount":' + ld;
        lc = ',';
      }
      const lf = b.linkFlags(i, l);
      if (lf !== 0) out += lc + '"flags":' + lf;
      out += '}';
    }
    out += ']';
  }
  const dl = b.droppedLinksCount(i);
  if (dl !== 0) {
    out += c + '"droppedLinksCount":' + dl;
    c = ',';
  }
  const code = b.statusCode(i);
  const msg = b.statusMessage(i);
  if (code !== 0 || msg !== '') {
    out += c + '"status":{';
    if (msg !== '') out += '"message":' + JSON.stringify(msg) + (code !== 0 ? ',' : '');
    if (code !== 0) out += '"code":' + code;
    out += '}';
  }
  return out + '}';
}

