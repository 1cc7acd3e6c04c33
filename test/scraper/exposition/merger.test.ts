import { describe, expect, it } from 'vitest';
import {
  ChunkPool,
  createMerger,
  type ExpositionFormat,
  type MergeInput,
  mergeExpositions,
} from '../../../scraper/exposition/index.ts';

const OM = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

function input(body: string, i: number, contentType?: string): MergeInput {
  return {
    body: Buffer.from(body),
    contentType,
    targetLabels: [['cf_instance_number', String(i)]],
    honorLabels: false,
  };
}

const bodies: [string, string | undefined][] = [
  ['# HELP x first\n# TYPE x gauge\nx{a="1"} 1\n# TYPE y_total counter\ny_total 2\n', undefined],
  ['# TYPE x counter\nx 5\n# TYPE z gauge\nz 9\n', undefined],
  ['x{ broken\n', undefined],
  ['# HELP x second\n# TYPE x gauge\nx 4\n# TYPE w unknown\nw 7\n# EOF\n', OM],
  ['# TYPE z gauge\nz 1\ny_total 3\n', undefined],
];

// A family of 300 samples per input: several windows' worth when written through small ones.
const large = `# TYPE big gauge\n${Array.from({ length: 300 }, (_, k) => `big{k="${k}"} ${k}\n`).join('')}`;

describe('createMerger', () => {
  for (const [format, withLarge] of [
    ['text', false],
    ['openmetrics', false],
    ['text', true],
    ['openmetrics', true],
  ] as [ExpositionFormat, boolean][]) {
    it(`gives the one-shot result whatever order inputs arrive in (${format}${withLarge ? ', with a large family' : ''})`, () => {
      const inputs = bodies.map(([b, ct], i) => input(withLarge && ct === undefined ? b + large : b, i, ct));
      const expected = mergeExpositions(inputs, format);
      for (const order of [
        [4, 3, 2, 1, 0],
        [2, 0, 4, 1, 3],
        [1, 3, 0, 4, 2],
      ]) {
        const merger = createMerger(format);
        for (const i of order) merger.add(inputs[i] as MergeInput, i);
        const got = merger.finish();
        expect(Buffer.concat(got.chunks).toString()).toBe(Buffer.concat(expected.chunks).toString());
        expect(got.inputs).toEqual(expected.inputs);
      }
    });
  }

  it('never reads a body once its add has returned, even when adopted long after', () => {
    const helped =
      '# HELP x first \\ help\n# TYPE x gauge\n# UNIT x seconds\nx{a="1"} 1\n' +
      '# HELP q quoted "help"\n# TYPE q counter\nq_total 1\nq_created 2\n';
    for (const format of ['text', 'openmetrics'] as ExpositionFormat[]) {
      const inputs = [...bodies, [`${helped}# EOF\n`, OM] as [string, string | undefined]].map(([b, ct], i) =>
        input(i % 2 === 0 && ct === undefined ? b + large : b, i, ct),
      );
      const expected = Buffer.concat(mergeExpositions(inputs, format).chunks);
      expect(expected.toString()).toContain('first');
      const merger = createMerger(format, { keepShare: 1 });
      for (let i = inputs.length - 1; i >= 0; i--) {
        const body = Buffer.from((inputs[i] as MergeInput).body);
        expect(merger.add({ ...(inputs[i] as MergeInput), body }, i)).toBe(true);
        body.fill('~');
      }
      const got = Buffer.concat(merger.finish().chunks);
      expect(got.toString()).toBe(expected.toString());
    }
  });

  it('lets go of a body on arrival when the output needs little of it, reads a body of samples until finish', () => {
    const merger = createMerger('text');
    const mostlyHelp = input(`# HELP small ${'words '.repeat(400)}\n# TYPE small gauge\nsmall 1\n`, 1);
    const samplesOnly = input(
      `# TYPE x gauge\n${Array.from({ length: 20 }, (_, k) => `x{a="${k}"} ${k}\n`).join('')}`,
      0,
    );
    expect(merger.add(mostlyHelp, 1)).toBe(true);
    mostlyHelp.body.fill('~');
    expect(merger.add(samplesOnly, 0)).toBe(false);
    const text = Buffer.concat(merger.finish().chunks).toString();
    expect(text).toContain(`# HELP small ${'words '.repeat(3)}`);
    expect(text).toContain('small{cf_instance_number="1"} 1\n');
    expect(text).toContain('x{cf_instance_number="0",a="19"} 19\n');
  });

  for (const format of ['text', 'openmetrics'] as const) {
    it(`writes the same bytes through windows of any size, a line larger than the window alone (${format})`, () => {
      const inputs = bodies.map(([b, ct], i) => input(ct === undefined ? b + large : b, i, ct));
      const expected = Buffer.concat(mergeExpositions(inputs, format).chunks);
      for (const windowBytes of [1, 7, 33, 100, 4096, 1 << 20]) {
        const merger = createMerger(format);
        for (const i of [3, 1, 4, 0, 2]) merger.add(inputs[i] as MergeInput, i);
        const out = merger.finishStream();
        expect(out.bytes).toBe(expected.length);
        const window = Buffer.alloc(windowBytes);
        const parts: Buffer[] = [];
        for (let part = out.next(window); part !== undefined; part = out.next(window)) {
          // Within the window unless a line is larger; never an empty part before the end.
          expect(part.length).toBeGreaterThan(0);
          if (part.buffer === window.buffer) expect(part.length).toBeLessThanOrEqual(windowBytes);
          parts.push(Buffer.from(part));
        }
        out.release();
        expect(out.next(window)).toBeUndefined();
        expect(Buffer.concat(parts).toString()).toBe(expected.toString());
      }
    });
  }

  it('leaves skipped positions out and reserves names for their owner', () => {
    const merger = createMerger('openmetrics', { reserved: ['mine'] });
    merger.add(input('# TYPE mine gauge\nmine 1\nother 2\n', 0), 0);
    merger.skip(1);
    const before = merger.outcomes();
    expect(before[0]).toEqual({ ok: true, samples: 1, conflictsDropped: 1, families: 2 });
    expect(before[1]).toBeUndefined();
    merger.add(input('# TYPE mine gauge\nmine 3\n', 2), 2, true);
    const text = Buffer.concat(merger.finish().chunks).toString();
    expect(text).toBe(
      '# TYPE other unknown\nother{cf_instance_number="0"} 2\n' +
        '# TYPE mine gauge\nmine{cf_instance_number="2"} 3\n# EOF\n',
    );
  });

  it('refuses a position twice', () => {
    const merger = createMerger('text');
    merger.add(input('x 1\n', 0), 0);
    expect(() => merger.add(input('x 1\n', 0), 0)).toThrow();
    expect(() => merger.skip(0)).toThrow();
  });

  it('writes into pooled memory again once released, with the same bytes as without a pool', () => {
    // Small families and one large family per input, enough to fill several 16 KB chunks: larger than
    // Node's shared pool for small buffers, so a chunk's ArrayBuffer identifies it.
    const CHUNK = 16 * 1024;
    const inputs = Array.from({ length: 60 }, (_, i) => {
      const [body, type] = bodies[i % bodies.length] as [string, string | undefined];
      return input(type === undefined ? body + large : body, i, type);
    });
    const expected = Buffer.concat(mergeExpositions(inputs, 'text').chunks).toString();
    expect(expected).toContain('big{cf_instance_number="59",k="299"} 299\n');
    const pool = new ChunkPool(4 << 20, CHUNK);
    // Every chunk the pool hands out.
    const handedOut = new Set<ArrayBufferLike>();
    const take = pool.take.bind(pool);
    pool.take = () => {
      const chunk = take();
      handedOut.add(chunk.buffer);
      return chunk;
    };
    const pooled = (chunks: Buffer[]) => chunks.filter((c) => c.buffer.byteLength === CHUNK);
    const first = mergeExpositions(inputs, 'text', pool);
    const firstBuffers = new Set(handedOut);
    expect(new Set(pooled(first.chunks).map((c) => c.buffer)).size).toBeGreaterThan(2);
    expect(Buffer.concat(first.chunks).toString()).toBe(expected);
    first.release();
    first.release();
    const second = mergeExpositions(inputs, 'text', pool);
    expect(Buffer.concat(second.chunks).toString()).toBe(expected);
    // The second merge wrote only into memory the first one handed back.
    expect(handedOut.size).toBe(firstBuffers.size);
    expect(pooled(second.chunks).every((c) => firstBuffers.has(c.buffer))).toBe(true);
  });
});
