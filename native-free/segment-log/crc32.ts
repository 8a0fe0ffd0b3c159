// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, the one of zlib/gzip/PNG).
// Node >= 20.15 / 22.2 has `zlib.crc32` (native); older Node 20 releases do not, so a table-driven fallback
// (slicing-by-1) is used there. Both give the same value (tested against the standard check value).

import * as zlib from 'node:zlib';

const TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** Table-driven CRC-32 of `data`, continuing from `crc` (the value of the preceding bytes; 0 to start). */
export function crc32Js(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

type Crc = (data: Uint8Array, crc?: number) => number;
const nativeCrc = (zlib as unknown as { crc32?: Crc }).crc32;

/** CRC-32 of `data`, continuing from `crc`: zlib.crc32 when this Node has it, else the table-driven one. */
export const crc32: Crc = typeof nativeCrc === 'function' ? (d, c = 0) => nativeCrc(d, c) >>> 0 : crc32Js;

/** True when the native zlib.crc32 is in use. */
export const crc32IsNative = typeof nativeCrc === 'function';
