// Counts the spans in an ExportTraceServiceRequest by walking only the framing:
//   ExportTraceServiceRequest.resource_spans (1, LEN) → ResourceSpans.scope_spans (2, LEN) → ScopeSpans.spans (2, LEN)
// Span bodies are skipped, never decoded. Used by the benchmark sink, so that counting costs next to nothing and
// does not depend on the codec under test. Throws on malformed framing.

export class FramingError extends Error {}

/** Reads a varint at `pos`; returns the value (up to 2^53) and stores the next position in `next[0]`. */
function varint(buf: Uint8Array, pos: number, end: number, next: number[]): number {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new FramingError('truncated varint');
    const b = buf[pos++];
    result += (b & 0x7f) * mul;
    if (b < 0x80) {
      next[0] = pos;
      return result;
    }
    mul *= 128;
  }
  throw new FramingError('varint too long');
}

/** Skips one field value of `wireType` starting at `pos`; returns the next position. */
function skip(buf: Uint8Array, pos: number, end: number, wireType: number, tmp: number[]): number {
  switch (wireType) {
    case 0:
      varint(buf, pos, end, tmp);
      return tmp[0];
    case 1:
      pos += 8;
      break;
    case 2: {
      const len = varint(buf, pos, end, tmp);
      pos = tmp[0] + len;
      break;
    }
    case 5:
      pos += 4;
      break;
    default:
      throw new FramingError(`unsupported wire type ${wireType}`);
  }
  if (pos > end) throw new FramingError('field runs past its message');
  return pos;
}

/**
 * Calls `onField(fieldNumber, start, end)` for every length-delimited field of the message in [pos, end) and
 * skips every other field.
 */
function forEachLen(
  buf: Uint8Array,
  pos: number,
  end: number,
  tmp: number[],
  onField: (field: number, start: number, stop: number) => void,
): void {
  while (pos < end) {
    const tag = varint(buf, pos, end, tmp);
    pos = tmp[0];
    const field = Math.floor(tag / 8);
    const wt = tag & 7;
    if (field === 0) throw new FramingError('field number 0');
    if (wt === 2) {
      const len = varint(buf, pos, end, tmp);
      const start = tmp[0];
      const stop = start + len;
      if (stop > end) throw new FramingError('field runs past its message');
      onField(field, start, stop);
      pos = stop;
    } else {
      pos = skip(buf, pos, end, wt, tmp);
    }
  }
}

/** Number of spans in an ExportTraceServiceRequest (protobuf bytes). Throws FramingError if malformed. */
export function countSpans(buf: Uint8Array): number {
  const tmp = [0];
  let n = 0;
  forEachLen(buf, 0, buf.length, tmp, (f1, s1, e1) => {
    if (f1 !== 1) return; // resource_spans
    forEachLen(buf, s1, e1, tmp, (f2, s2, e2) => {
      if (f2 !== 2) return; // scope_spans
      forEachLen(buf, s2, e2, tmp, (f3) => {
        if (f3 === 2) n++; // spans
      });
    });
  });
  return n;
}
