// CRC-32C (Castagnoli) for magic-2 record batches, through the hardware-accelerated @node-rs/crc32.
import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/** CRC-32C of `data` (optionally continuing from a previous value), as an unsigned 32-bit number. */
export function crc32c(data: Uint8Array, initial = 0): number {
  return nativeCrc32c(data, initial) >>> 0;
}
