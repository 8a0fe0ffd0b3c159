// Public surface of the pdata package.
export { TraceBatch, SpanKind, StatusCode } from './traces';
export type { AnyValue, ValueType, Attributes, TraceBatchTransfer, DecodeOptions, EncodeOptions } from './traces';
export { MetricBatch, AggregationTemporality } from './metrics';
export type { MetricType, NumberValueType, MetricBatchTransfer } from './metrics';
export { LogBatch, SeverityNumber } from './logs';
export type { LogBatchTransfer } from './logs';
export { concatBatches } from './batch';
export type { PdataBatch, AnyBatch, Signal } from './batch';
export { MAX_VALUE_DEPTH } from './decode';
export { copyStats } from './layout';
