// OTLP/JSON for logs.
//
// jsonToLogsRequest: OTLP/JSON ExportLogsServiceRequest → protobuf bytes, written straight from the parsed JSON
// (so JSON input reuses the binary decode path), with the same rules as traces (./otlp-json.ts,
// ./json/from-json.ts): hex trace/span ids in either case, fixed64 times as strings or numbers (exact beyond
// 2^53), SEVERITY_NUMBER_* names or numbers, snake_case accepted, unknown keys ignored, null = absent; the body
// is an AnyValue of any type (a present empty body `{}` is written as an empty message, as protobufjs does).
// Fields go in field-number order (byte-identical to protobufjs). Errors: DecodeError naming the JSON path.
//
// logBatchToJSON: LogBatch → OTLP/JSON text through LogBatch's public accessors (lowercase hex ids, times as
// decimal strings, severity as an integer, lowerCamelCase, defaults and empty bodies omitted).

import type { LogBatch } from './logs';
import type { ProtoWriter } from './json/proto-writer';
import {
  type Obj, convertJsonRequest, get, enumNames, writeMessage, writeRepeatedMessages, writeString, writeUint32,
  writeFixed32, writeFixed64, writeEnum, writeHexId, encodeResource, encodeScope, encodeAttributes, encodeAnyValueRoot,
} from './json/from-json';
import { anyValueJSON, attributesJSON, batchJSON, isAbsentId, type SignalShape } from './json/to-json';

// ---------------------------------------------------------------------------------------------------------
// JSON → protobuf

/** Parse an OTLP/JSON ExportLogsServiceRequest (text or UTF-8 bytes) into ExportLogsServiceRequest protobuf bytes. */
export function jsonToLogsRequest(body: string | Uint8Array): Uint8Array {
  return convertJsonRequest(body, encodeRoot);
}

const SEVERITY_NAMES = (() => {
  const names: Record<string, number> = { SEVERITY_NUMBER_UNSPECIFIED: 0 };
  ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].forEach((level, k) => {
    names[`SEVERITY_NUMBER_${level}`] = k * 4 + 1;
    for (let n = 2; n <= 4; n++) names[`SEVERITY_NUMBER_${level}${n}`] = k * 4 + n;
  });
  return enumNames(names);
})();

function encodeRoot(w: ProtoWriter, o: Obj): void {
  writeRepeatedMessages(w, 1, get(o, 'resourceLogs', 'resource_logs'), 'resourceLogs', 3, encodeResourceLogs);
}

function encodeResourceLogs(w: ProtoWriter, o: Obj): void {
  writeMessage(w, 1, o.resource, 'resource', 2, encodeResource);
  writeRepeatedMessages(w, 2, get(o, 'scopeLogs', 'scope_logs'), 'scopeLogs', 3, encodeScopeLogs);
  writeString(w, 3, get(o, 'schemaUrl', 'schema_url'), 'schemaUrl');
}

function encodeScopeLogs(w: ProtoWriter, o: Obj): void {
  writeMessage(w, 1, o.scope, 'scope', 1, encodeScope);
  writeRepeatedMessages(w, 2, get(o, 'logRecords', 'log_records'), 'logRecords', 2, encodeLogRecord);
  writeString(w, 3, get(o, 'schemaUrl', 'schema_url'), 'schemaUrl');
}

function encodeLogRecord(w: ProtoWriter, o: Obj): void {
  writeFixed64(w, 1, get(o, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano');
  writeEnum(w, 2, get(o, 'severityNumber', 'severity_number'), SEVERITY_NAMES, 'severityNumber');
  writeString(w, 3, get(o, 'severityText', 'severity_text'), 'severityText');
  writeMessage(w, 5, o.body, 'body', 1, encodeAnyValueRoot);
  encodeAttributes(w, 6, o.attributes, 'attributes');
  writeUint32(w, 7, get(o, 'droppedAttributesCount', 'dropped_attributes_count'), 'droppedAttributesCount');
  writeFixed32(w, 8, o.flags, 'flags');
  writeHexId(w, 9, get(o, 'traceId', 'trace_id'), 16, 'traceId');
  writeHexId(w, 10, get(o, 'spanId', 'span_id'), 8, 'spanId');
  writeFixed64(w, 11, get(o, 'observedTimeUnixNano', 'observed_time_unix_nano'), 'observedTimeUnixNano');
  writeString(w, 12, get(o, 'eventName', 'event_name'), 'eventName');
}

// ---------------------------------------------------------------------------------------------------------
// LogBatch → JSON

const LOGS: SignalShape = { fn: 'logBatchToJSON', resourcesKey: 'resourceLogs', scopesKey: 'scopeLogs', itemsKey: 'logRecords', itemName: 'log record' };

/** OTLP/JSON text of a LogBatch (lowercase hex ids, times as strings, severity as an integer, defaults omitted). */
export function logBatchToJSON(b: LogBatch): string {
  return batchJSON(b, LOGS, b.logRecordCount, (i) => b.logScope(i), (i) => logRecordJSON(b, i));
}

function logRecordJSON(b: LogBatch, i: number): string {
  let out = '';
  const t = b.timeUnixNano(i);
  if (t !== 0n) out += ',"timeUnixNano":"' + t + '"';
  const ot = b.observedTimeUnixNano(i);
  if (ot !== 0n) out += ',"observedTimeUnixNano":"' + ot + '"';
  const sev = b.severityNumber(i);
  if (sev !== 0) out += ',"severityNumber":' + sev;
  const st = b.severityText(i);
  if (st !== '') out += ',"severityText":' + JSON.stringify(st);
  if (b.bodyType(i) !== 'empty') out += ',"body":' + anyValueJSON(b.body(i));
  const a = attributesJSON(b.logAttributes(i), 'attributes');
  if (a !== '') out += ',' + a;
  const dropped = b.droppedAttributesCount(i);
  if (dropped !== 0) out += ',"droppedAttributesCount":' + dropped;
  const flags = b.flags(i);
  if (flags !== 0) out += ',"flags":' + flags;
  const tid = b.traceIdHex(i);
  if (!isAbsentId(tid)) out += ',"traceId":"' + tid + '"';
  const sid = b.spanIdHex(i);
  if (!isAbsentId(sid)) out += ',"spanId":"' + sid + '"';
  const en = b.eventName(i);
  if (en !== '') out += ',"eventName":' + JSON.stringify(en);
  return out === '' ? '{}' : '{' + out.slice(1) + '}';
}
