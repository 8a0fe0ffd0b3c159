// Text renderings of a LogBatch as the Go debug exporter prints them: `normal` (internal/normal/logs.go: one line
// per record, `<body> <k=v k2=v2>`) and `detailed` (internal/otlptext/logs.go: timestamps, severity, event name,
// body, attributes, trace/span ids, flags). Read only through the LogBatch accessors.

import type { LogBatch } from '../../pdata/logs';
import { attrPairs, attrsSuffix, Buf, formatTimestamp, groupBy, idString, scopeDetails, typedValueString, valueAsString } from './text-marshaler';

const SEVERITY_LEVELS = ['Trace', 'Debug', 'Info', 'Warn', 'Error', 'Fatal'];

/** plog SeverityNumber.String(): Unspecified, Trace, Trace2..Trace4, Debug, ..., Fatal4; "" outside the enum. */
export function severityName(n: number): string {
  if (n === 0) return 'Unspecified';
  if (!Number.isInteger(n) || n < 1 || n > 24) return '';
  const level = SEVERITY_LEVELS[Math.floor((n - 1) / 4)]!;
  const step = (n - 1) % 4;
  return step === 0 ? level : `${level}${step + 1}`;
}

function structure(b: LogBatch): { scopesOf: number[][]; recordsOf: number[][] } {
  return {
    scopesOf: groupBy(b.scopeCount, b.resourceCount, (s) => b.scopeResource(s)),
    recordsOf: groupBy(b.logRecordCount, b.scopeCount, (i) => b.logScope(i)),
  };
}

/** verbosity normal: a line per resource and scope, one line per log record (body, then attributes). */
export function marshalLogsNormal(b: LogBatch): string {
  const out: string[] = [];
  const { scopesOf, recordsOf } = structure(b);
  scopesOf.forEach((scopes, r) => {
    const url = b.resourceSchemaUrl(r);
    out.push(`ResourceLog #${r}${url ? ' [' + url + ']' : ''}${attrsSuffix(b.resourceAttributes(r))}`);
    scopes.forEach((s, j) => {
      out.push(`ScopeLog #${j}${scopeDetails(b.scopeName(s), b.scopeVersion(s), b.scopeSchemaUrl(s))}${attrsSuffix(b.scopeAttributes(s))}`);
      // Go: fmt.Sprintf("%s %s", body.AsString(), strings.Join(attrs, " ")) — the space is there even without attributes.
      for (const i of recordsOf[s]!) out.push(`${valueAsString(b.body(i))} ${attrPairs(b.logAttributes(i)).join(' ')}`);
    });
  });
  return out.length ? out.join('\n') + '\n' : '';
}

/** verbosity detailed: the otlptext dump. */
export function marshalLogsDetailed(b: LogBatch): string {
  const buf = new Buf();
  const { scopesOf, recordsOf } = structure(b);
  scopesOf.forEach((scopes, r) => {
    buf.entry(`ResourceLog #${r}`);
    buf.entry(`Resource SchemaURL: ${b.resourceSchemaUrl(r)}`);
    buf.attributes('Resource attributes', b.resourceAttributes(r));
    scopes.forEach((s, j) => {
      buf.entry(`ScopeLogs #${j}`);
      buf.entry(`ScopeLogs SchemaURL: ${b.scopeSchemaUrl(s)}`);
      buf.entry(`InstrumentationScope ${b.scopeName(s)} ${b.scopeVersion(s)}`);
      buf.attributes('InstrumentationScope attributes', b.scopeAttributes(s));
      recordsOf[s]!.forEach((i, k) => {
        buf.entry(`LogRecord #${k}`);
        buf.entry(`ObservedTimestamp: ${formatTimestamp(b.observedTimeUnixNano(i))}`);
        buf.entry(`Timestamp: ${formatTimestamp(b.timeUnixNano(i))}`);
        buf.entry(`SeverityText: ${b.severityText(i)}`);
        const sev = b.severityNumber(i);
        buf.entry(`SeverityNumber: ${severityName(sev)}(${sev})`);
        const event = b.eventName(i);
        if (event) buf.entry(`EventName: ${event}`);
        buf.entry(`Body: ${typedValueString(b.body(i))}`);
        buf.attributes('Attributes', b.logAttributes(i));
        buf.entry(`Trace ID: ${idString(b.traceIdHex(i))}`);
        buf.entry(`Span ID: ${idString(b.spanIdHex(i))}`);
        buf.entry(`Flags: ${b.flags(i)}`);
      });
    });
  });
  return buf.text();
}
