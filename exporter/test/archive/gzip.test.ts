import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gunzipWhole, isGzip } from '../../src/archive/gzip.js';

const text = JSON.stringify({ Records: Array.from({ length: 500 }, (_, i) => ({ eventName: `Call${i}`, eventSource: 'ec2.amazonaws.com', note: 'x'.repeat(i % 97) })) });

describe('gunzipWhole (one output buffer sized from the gzip trailer)', () => {
  it('gives what gunzipSync gives', () => {
    const gz = gzipSync(text);
    expect(isGzip(gz)).toBe(true);
    expect(gunzipWhole(gz).toString()).toBe(gunzipSync(gz).toString());
  });

  it('reads every member of a multi-member file (the trailer only states the last one)', () => {
    const gz = Buffer.concat([gzipSync(text), gzipSync('tail')]);
    expect(gunzipWhole(gz).toString()).toBe(`${text}tail`);
  });

  it('survives a trailer that lies about the size, in both directions', () => {
    const small = Buffer.from(gzipSync(text));
    small.writeUInt32LE(10, small.length - 4);
    const huge = Buffer.from(gzipSync(text));
    huge.writeUInt32LE(0xffffffff, huge.length - 4);
    // zlib checks the size itself: a wrong ISIZE is a corrupt file either way, and is reported, never half-read.
    expect(() => gunzipWhole(small)).toThrow();
    expect(() => gunzipWhole(huge)).toThrow();
  });

  it('reads a slice of a larger buffer (a pooled Buffer) without reading past it', () => {
    const gz = gzipSync(text);
    const slab = Buffer.concat([Buffer.from('junk'), gz, Buffer.from('more junk')]);
    expect(gunzipWhole(slab.subarray(4, 4 + gz.length)).toString()).toBe(text);
  });

  it('names a truncated stream', () => {
    const gz = gzipSync(text);
    expect(() => gunzipWhole(gz.subarray(0, gz.length >> 1))).toThrow(/unexpected end of file/);
  });
});
