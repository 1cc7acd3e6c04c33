import { deflateRawSync, gunzipSync, gzipSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gunzipInto } from '../../../scraper/scrape/gunzip-into.ts';

const TEXT = Buffer.from(
  Array.from(
    { length: 400 },
    (_, i) => `http_requests_total{path="/p${i % 17}",code="${200 + (i % 5)}"} ${i}\n`,
  ).join(''),
);

/** What gunzipSync makes of `compressed`: the bytes, or the code of the error it throws. */
function reference(compressed: Buffer): { bytes: Buffer } | { code: string } {
  try {
    return { bytes: gunzipSync(compressed) };
  } catch (err) {
    return { code: (err as NodeJS.ErrnoException).code ?? 'none' };
  }
}

function direct(compressed: Buffer, roomBytes: number): { bytes: Buffer } | { code: string } | 'did not fit' {
  const room = Buffer.alloc(roomBytes);
  try {
    const size = gunzipInto(compressed, room);
    return size === undefined ? 'did not fit' : { bytes: room.subarray(0, size) };
  } catch (err) {
    return { code: (err as NodeJS.ErrnoException).code ?? 'none' };
  }
}

const gz = gzipSync(TEXT);
const corruptCrc = Buffer.from(gz);
corruptCrc[gz.length - 8] = (corruptCrc[gz.length - 8] as number) ^ 1;
const flippedData = Buffer.from(gz);
flippedData[40] = (flippedData[40] as number) ^ 0xff;

const CASES: Record<string, Buffer> = {
  'one member': gz,
  'two members, concatenated': Buffer.concat([gz, gzipSync(Buffer.from('second_member 1\n'))]),
  'empty body': gzipSync(Buffer.alloc(0)),
  'trailing zero bytes': Buffer.concat([gz, Buffer.alloc(16)]),
  'trailing garbage': Buffer.concat([gz, Buffer.from('garbage')]),
  truncated: gz.subarray(0, gz.length - 20),
  'wrong CRC': corruptCrc,
  'damaged data': flippedData,
  'not gzip': Buffer.from('plain text, not gzip at all'),
  'nothing at all': Buffer.alloc(0),
};

describe('gunzipInto', () => {
  for (const [name, compressed] of Object.entries(CASES)) {
    it(`does what gunzipSync does with ${name}`, () => {
      expect(direct(compressed, 1 << 20)).toEqual(reference(compressed));
    });
  }

  it('writes into the room it is given, from its start', () => {
    const room = Buffer.alloc(TEXT.length + 100, 0x2a);
    expect(gunzipInto(gz, room)).toBe(TEXT.length);
    expect(room.subarray(0, TEXT.length).equals(TEXT)).toBe(true);
    expect(room[TEXT.length]).toBe(0x2a);
  });

  it('says so when the room may be too small, exactly full included, and writes no further', () => {
    const room = Buffer.alloc(TEXT.length + 8, 0x2a);
    expect(gunzipInto(gz, room.subarray(0, 1000))).toBeUndefined();
    expect(gunzipInto(gz, room.subarray(0, TEXT.length))).toBeUndefined();
    expect(room.subarray(TEXT.length).every((b) => b === 0x2a)).toBe(true);
  });

  it("gives a body no reach into the previous body's bytes (another tenant's, maybe)", () => {
    const secret = Buffer.from('tenant_a_secret{token="hunter2-hunter2-hunter2"} 1\n');
    expect(direct(gzipSync(secret), 4096)).toEqual({ bytes: secret });
    // Back-references into a preset dictionary: to an inflater whose window still held the previous
    // body, they would read that body's bytes.
    const wanted = Buffer.concat([secret, Buffer.from('x 1\n')]);
    const raw = deflateRawSync(wanted, { dictionary: secret });
    expect(inflateRawSync(raw, { dictionary: secret }).equals(wanted)).toBe(true);
    const trailer = gzipSync(wanted).subarray(-8);
    const crafted = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), raw, trailer]);
    expect(direct(crafted, 4096)).toEqual({ code: 'Z_DATA_ERROR' });
    expect(reference(crafted)).toEqual({ code: 'Z_DATA_ERROR' });
  });

  it('inflates correctly after refusing a stream, and after a stream that did not fit', () => {
    for (const bad of [flippedData, CASES.truncated as Buffer]) {
      expect(() => gunzipInto(bad, Buffer.alloc(1 << 20))).toThrow();
      expect(direct(gz, 1 << 20)).toEqual({ bytes: TEXT });
    }
    expect(direct(gz, 100)).toBe('did not fit');
    expect(direct(gz, 1 << 20)).toEqual({ bytes: TEXT });
  });
});
