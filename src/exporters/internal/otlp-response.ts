// Small protobuf readers for what OTLP backends answer: ExportTraceServiceResponse (partial success),
// google.rpc.Status (HTTP error bodies, gRPC grpc-status-details-bin) and google.rpc.RetryInfo.

export interface PartialSuccess {
  /** rejected_spans / rejected_data_points / rejected_log_records. */
  rejected: number;
  errorMessage: string;
}

export interface RpcStatus {
  code: number;
  message: string;
  details: Array<{ typeUrl: string; value: Uint8Array }>;
}

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw new Error('varint too long');
  }
  bytes(): Uint8Array {
    const n = this.varint();
    if (this.pos + n > this.buf.length) throw new Error('truncated length-delimited field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(wire: number): void {
    switch (wire) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.bytes();
        return;
      case 5:
        this.pos += 4;
        break;
      default:
        throw new Error(`unsupported wire type ${wire}`);
    }
    if (this.pos > this.buf.length) throw new Error('truncated fixed field');
  }
}

const utf8 = new TextDecoder();

/** Iterate (field, wire, reader) over a message. */
function fields(buf: Uint8Array, fn: (field: number, wire: number, r: Reader) => boolean): void {
  const r = new Reader(buf);
  while (!r.done) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (!fn(field, wire, r)) r.skip(wire);
  }
}

/** int64 varint as a JS number (two's complement negatives folded back). */
function toInt64(n: number): number {
  return n >= 2 ** 63 ? n - 2 ** 64 : n;
}

/** ExportTrace/Metrics/LogsServiceResponse: field 1 partial_success { int64 rejected = 1; string error_message = 2 }. Throws on malformed input. */
export function decodePartialSuccess(buf: Uint8Array): PartialSuccess {
  const out: PartialSuccess = { rejected: 0, errorMessage: '' };
  fields(buf, (f, w, r) => {
    if (f !== 1 || w !== 2) return false;
    fields(r.bytes(), (f2, w2, r2) => {
      if (f2 === 1 && w2 === 0) out.rejected = toInt64(r2.varint());
      else if (f2 === 2 && w2 === 2) out.errorMessage = utf8.decode(r2.bytes());
      else return false;
      return true;
    });
    return true;
  });
  return out;
}

/** OTLP/JSON ExportTraceServiceResponse: {"partialSuccess": {"rejectedSpans": "3", "errorMessage": "..."}}. */
export function decodePartialSuccessJSON(text: string, rejectedKey: string): PartialSuccess {
  const j = JSON.parse(text) as Record<string, unknown> | null;
  const ps = (j && typeof j === 'object' ? (j['partialSuccess'] ?? j['partial_success']) : undefined) as Record<string, unknown> | undefined;
  if (!ps || typeof ps !== 'object') return { rejected: 0, errorMessage: '' };
  const snake = rejectedKey.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
  const rej = Number(ps[rejectedKey] ?? ps[snake] ?? 0);
  const msg = ps['errorMessage'] ?? ps['error_message'] ?? '';
  return { rejected: Number.isFinite(rej) ? rej : 0, errorMessage: String(msg) };
}

/** google.rpc.Status { int32 code = 1; string message = 2; repeated Any details = 3 }. Throws on malformed input. */
export function decodeRpcStatus(buf: Uint8Array): RpcStatus {
  const out: RpcStatus = { code: 0, message: '', details: [] };
  fields(buf, (f, w, r) => {
    if (f === 1 && w === 0) out.code = toInt64(r.varint());
    else if (f === 2 && w === 2) out.message = utf8.decode(r.bytes());
    else if (f === 3 && w === 2) {
      const any: { typeUrl: string; value: Uint8Array } = { typeUrl: '', value: new Uint8Array(0) };
      fields(r.bytes(), (f2, w2, r2) => {
        if (f2 === 1 && w2 === 2) any.typeUrl = utf8.decode(r2.bytes());
        else if (f2 === 2 && w2 === 2) any.value = r2.bytes();
        else return false;
        return true;
      });
      out.details.push(any);
    } else return false;
    return true;
  });
  return out;
}

export const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';

/** google.rpc.RetryInfo { Duration retry_delay = 1 } in a Status' details: the delay in seconds, or undefined when absent. */
export function retryInfoSeconds(st: RpcStatus): number | undefined {
  for (const d of st.details) {
    if (d.typeUrl !== RETRY_INFO_TYPE && !d.typeUrl.endsWith('/google.rpc.RetryInfo')) continue;
    let seconds = 0;
    let nanos = 0;
    fields(d.value, (f, w, r) => {
      if (f !== 1 || w !== 2) return false;
      fields(r.bytes(), (f2, w2, r2) => {
        if (f2 === 1 && w2 === 0) seconds = toInt64(r2.varint());
        else if (f2 === 2 && w2 === 0) nanos = toInt64(r2.varint());
        else return false;
        return true;
      });
      return true;
    });
    return Math.max(0, seconds + nanos / 1e9);
  }
  return undefined;
}

/** A short text for google.rpc.Status details (as Go prints `Details=%v`). */
export function describeDetails(st: RpcStatus): string {
  return `[${st.details.map((d) => d.typeUrl).join(' ')}]`;
}
