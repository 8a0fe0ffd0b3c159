// Batch → OTLP/JSON text, the pieces every signal shares: the resource/scope skeleton walked through the
// batches' public accessors, attributes and AnyValues, doubles. Output follows the OTLP/JSON rules: lowercase
// hex ids, int64/fixed64 as decimal strings, enums as integers, lowerCamelCase keys, proto3 defaults and empty
// resource/scope messages omitted, non-finite doubles as "NaN"/"Infinity"/"-Infinity".

import { GrpcStatus, OtelTsError } from '../../errors';
import type { AnyValue, Attributes } from '../traces';

/** The resource/scope accessors TraceBatch, MetricBatch and LogBatch share. */
export interface ResourceScopeView {
  readonly resourceCount: number;
  readonly scopeCount: number;
  resourceAttributes(r: number): Attributes;
  resourceDroppedAttributesCount(r: number): number;
  resourceSchemaUrl(r: number): string;
  scopeResource(s: number): number;
  scopeName(s: number): string;
  scopeVersion(s: number): string;
  scopeAttributes(s: number): Attributes;
  scopeDroppedAttributesCount(s: number): number;
  scopeSchemaUrl(s: number): string;
}

/** JSON keys and the item walk of one signal. */
export interface SignalShape {
  /** Name reported when the batch's indexes are inconsistent, e.g. 'traceBatchToJSON'. */
  readonly fn: string;
  /** e.g. 'resourceSpans', 'scopeSpans', 'spans'. */
  readonly resourcesKey: string;
  readonly scopesKey: string;
  readonly itemsKey: string;
  /** e.g. 'span': for the error message. */
  readonly itemName: string;
}

/**
 * `{"<resourcesKey>":[...]}` for a batch whose items [0, itemCount) are grouped by scope (itemScope(i)
 * non-decreasing) and whose scopes are grouped by resource, as the batch contracts promise.
 */
export function batchJSON(
  b: ResourceScopeView,
  shape: SignalShape,
  itemCount: number,
  itemScope: (i: number) => number,
  itemJSON: (i: number) => string,
): string {
  const rc = b.resourceCount;
  const sc = b.scopeCount;
  let s = 0;
  let i = 0;
  let out = '{"' + shape.resourcesKey + '":[';
  for (let r = 0; r < rc; r++) {
    if (r > 0) out += ',';
    out += '{';
    let sep = '';
    const res = resourceJSON(b.resourceAttributes(r), b.resourceDroppedAttributesCount(r));
    if (res !== '') {
      out += res;
      sep = ',';
    }
    if (s < sc && b.scopeResource(s) === r) {
      out += sep + '"' + shape.scopesKey + '":[';
      sep = ',';
      let first = true;
      for (; s < sc && b.scopeResource(s) === r; s++) {
        if (!first) out += ',';
        first = false;
        out += '{';
        let ssep = '';
        const scope = scopeJSON(b.scopeName(s), b.scopeVersion(s), b.scopeAttributes(s), b.scopeDroppedAttributesCount(s));
        if (scope !== '') {
          out += scope;
          ssep = ',';
        }
        if (i < itemCount && itemScope(i) === s) {
          out += ssep + '"' + shape.itemsKey + '":[';
          ssep = ',';
          const firstItem = i;
          for (; i < itemCount && itemScope(i) === s; i++) {
            if (i > firstItem) out += ',';
            out += itemJSON(i);
          }
          out += ']';
        }
        const surl = b.scopeSchemaUrl(s);
        if (surl !== '') out += ssep + '"schemaUrl":' + JSON.stringify(surl);
        out += '}';
      }
      out += ']';
    }
    const rurl = b.resourceSchemaUrl(r);
    if (rurl !== '') out += sep + '"schemaUrl":' + JSON.stringify(rurl);
    out += '}';
  }
  // Items of a scope and scopes of a resource are contiguous and in order (contract); anything left over
  // would be silently lost, so say so instead.
  if (s !== sc || i !== itemCount) {
    const msg = `${shape.fn}: batch indexes out of order (scope ${s}/${sc}, ${shape.itemName} ${i}/${itemCount})`;
    throw new OtelTsError('OTELTS_ERR_INTERNAL', msg, GrpcStatus.INTERNAL, 500, false);
  }
  return out + ']}';
}

/** `"resource":{...}`, or '' when it has nothing to print. */
function resourceJSON(attrs: Attributes, dropped: number): string {
  const a = attributesJSON(attrs, 'attributes');
  if (a === '' && dropped === 0) return '';
  let out = '"resource":{';
  if (a !== '') out += a;
  if (dropped !== 0) out += (a !== '' ? ',' : '') + '"droppedAttributesCount":' + dropped;
  return out + '}';
}

/** `"scope":{...}`, or '' when it has nothing to print. */
function scopeJSON(name: string, version: string, attrs: Attributes, dropped: number): string {
  const a = attributesJSON(attrs, 'attributes');
  if (name === '' && version === '' && a === '' && dropped === 0) return '';
  let out = '"scope":{';
  let c = '';
  if (name !== '') {
    out += '"name":' + JSON.stringify(name);
    c = ',';
  }
  if (version !== '') {
    out += c + '"version":' + JSON.stringify(version);
    c = ',';
  }
  if (a !== '') {
    out += c + a;
    c = ',';
  }
  if (dropped !== 0) out += c + '"droppedAttributesCount":' + dropped;
  return out + '}';
}

/** True for '' and ids of zeros only (an all-zero id is an absent id in OTLP; Go omits them too). */
export function isAbsentId(hex: string): boolean {
  for (let k = 0; k < hex.length; k++) if (hex.charCodeAt(k) !== 48) return false;
  return true;
}

/** `"<key>":[{"key":...,"value":...},...]`, or '' when there are none. */
export function attributesJSON(a: Attributes, key: string): string {
  const n = a.length;
  if (n === 0) return '';
  let out = '"' + key + '":[';
  for (let j = 0; j < n; j++) {
    if (j > 0) out += ',';
    out += '{"key":' + JSON.stringify(a.key(j)) + ',"value":' + anyValueJSON(a.value(j)) + '}';
  }
  return out + ']';
}

type AnyValueFields = {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: bigint;
  doubleValue?: number;
  bytesValue?: Uint8Array;
  arrayValue?: AnyValue[];
  kvlistValue?: Array<[string, AnyValue]>;
};

/** An AnyValue as OTLP/JSON (`{}` for the empty value). */
export function anyValueJSON(v: AnyValue): string {
  const f = v as AnyValueFields;
  if (f.stringValue !== undefined) return '{"stringValue":' + JSON.stringify(f.stringValue) + '}';
  if (f.intValue !== undefined) return '{"intValue":"' + f.intValue + '"}';
  if (f.boolValue !== undefined) return f.boolValue ? '{"boolValue":true}' : '{"boolValue":false}';
  if (f.doubleValue !== undefined) return '{"doubleValue":' + doubleJSON(f.doubleValue) + '}';
  if (f.arrayValue !== undefined) {
    const a = f.arrayValue;
    if (a.length === 0) return '{"arrayValue":{}}';
    let out = '{"arrayValue":{"values":[';
    for (let k = 0; k < a.length; k++) {
      if (k > 0) out += ',';
      out += anyValueJSON(a[k]);
    }
    return out + ']}}';
  }
  if (f.kvlistValue !== undefined) {
    const a = f.kvlistValue;
    if (a.length === 0) return '{"kvlistValue":{}}';
    let out = '{"kvlistValue":{"values":[';
    for (let k = 0; k < a.length; k++) {
      if (k > 0) out += ',';
      out += '{"key":' + JSON.stringify(a[k][0]) + ',"value":' + anyValueJSON(a[k][1]) + '}';
    }
    return out + ']}}';
  }
  if (f.bytesValue !== undefined) {
    const u = f.bytesValue;
    return '{"bytesValue":"' + Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64') + '"}';
  }
  return '{}';
}

/** A double as a JSON value: finite numbers as numbers (-0 kept), the others as "NaN"/"Infinity"/"-Infinity". */
export function doubleJSON(d: number): string {
  if (Number.isFinite(d)) return Object.is(d, -0) ? '-0' : String(d);
  if (Number.isNaN(d)) return '"NaN"';
  return d > 0 ? '"Infinity"' : '"-Infinity"';
}

/** True when `d` is +0 (the proto3 default of a double without presence; -0 is printed). */
export function isPositiveZero(d: number): boolean {
  return d === 0 && 1 / d > 0;
}
