// Public surface of the pdata package.
export { TraceBatch, SpanKind, StatusCode } from './traces';
export type { AnyValue, ValueType, Attributes, TraceBatchTransfer, DecodeOptions, EncodeOptions } from './traces';
export { MAX_VALUE_DEPTH } from './decode';
