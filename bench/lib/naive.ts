// What a naive Node collector does with protobufjs: decode, then turn the message into plain JS objects.
// Shared by the codec benchmark and the naive collector so both measure the same thing.

import type { IConversionOptions } from 'protobufjs';

/** toObject options a naive collector would use: int64 as decimal strings (no Long objects), enums as numbers, bytes as Buffers. */
export const NAIVE_TO_OBJECT: IConversionOptions = { longs: String, enums: Number };
