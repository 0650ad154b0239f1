import { gunzipSync } from 'node:zlib';

/** The gzip magic number: `.json.gz` objects are told by their bytes, not their names. */
export const isGzip = (b: Uint8Array): boolean => b[0] === 0x1f && b[1] === 0x8b;

/**
 * gunzip in one output chunk: the gzip trailer gives the size (mod 2^32, of the last member), so
 * zlib writes into one buffer instead of 16 KiB pieces joined at the end — a third faster. A wrong
 * size (several members, a corrupt trailer) only costs the usual pieces; the bound keeps a corrupt
 * trailer from allocating gigabytes.
 */
export function gunzipWhole(gz: Uint8Array): Buffer {
  const b = Buffer.from(gz.buffer, gz.byteOffset, gz.byteLength);
  const stated = b.length >= 18 ? b.readUInt32LE(b.length - 4) : 0;
  const chunkSize = Math.max(64 * 1024, Math.min(stated + 1, b.length * 1032, 256 * 1024 * 1024));
  return gunzipSync(b, { chunkSize });
}

