import { describe, expect, it } from 'vitest';
import { createParser, Entry, type ExpositionFormat } from '../../../scraper/exposition/index.ts';

// The parsers take over names and whole labels that repeat the previous sample's bytes; these cases
// check that what is taken over is exactly what a fresh parse of the line would give.
function parse(body: string, format: ExpositionFormat = 'text') {
  const p = createParser(Buffer.from(body), format);
  const out: { name: string; labels: readonly (readonly [string, string])[]; escaping: boolean }[] = [];
  for (;;) {
    const e = p.next();
    if (e === Entry.Eof) return { out, error: undefined };
    if (e === Entry.Invalid) return { out, error: p.error };
    if (e === Entry.Sample)
      out.push({ name: p.metricName(), labels: p.labels(), escaping: p.labelsNeedEscaping });
  }
}

function fresh(body: string, format: ExpositionFormat = 'text') {
  // Each line on its own: nothing to take over.
  const lines = body.split('\n').filter((l) => l !== '' && l !== '# EOF');
  return lines.map((l) => parse(`${l}\n${format === 'openmetrics' ? '# EOF\n' : ''}`, format).out[0]);
}

describe('labels repeated from the previous sample', () => {
  const cases: [string, string][] = [
    [
      'buckets',
      'h_bucket{a="x",b="y",le="1"} 1\nh_bucket{a="x",b="y",le="2"} 2\nh_bucket{a="x",b="y",le="+Inf"} 3\n',
    ],
    ['value prefix only', 'm{a="abc",b="1"} 1\nm{a="abcd",b="1"} 1\nm{a="ab",b="1"} 1\n'],
    ['fewer labels', 'm{a="1",b="2",c="3"} 1\nm{a="1",b="2"} 1\nm{a="1"} 1\nm{} 1\nm 2\n'],
    ['more labels', 'm{a="1"} 1\nm{a="1",b="2"} 1\nm{a="1",b="2",c="3"} 1\n'],
    [
      'escapes after plain',
      'm{a="1",b="x"} 1\nm{a="1",b="x\\ty"} 1\nm{a="1",b="x\\ty"} 1\nm{a="1",b="x"} 1\n',
    ],
    ['whitespace after canonical', 'm{a="1",b="2"} 1\nm{a="1" , b="2"} 1\nm{a="1",b="2"} 1\n'],
    ['trailing comma', 'm{a="1",b="2",} 1\nm{a="1",b="2"} 1\nm{a="1",b="2",} 1\n'],
    ['other metric, same labels', 'a_total{x="1",y="2"} 1\nb_total{x="1",y="2"} 1\n'],
    ['utf-8 values', 'm{a="ü",b="1"} 1\nm{a="ü",b="2"} 1\n'],
  ];
  for (const [name, body] of cases) {
    it(name, () => {
      const got = parse(body);
      expect(got.error).toBeUndefined();
      expect(got.out).toEqual(fresh(body));
    });
  }

  it('still rejects a duplicate label after a repeated prefix', () => {
    const got = parse('m{a="1",b="2"} 1\nm{a="1",b="2",a="3"} 1\n');
    expect(got.error).toMatch(/line 2: duplicate label name "a"/);
  });

  it('still rejects a broken separator after a repeated prefix', () => {
    const got = parse('m{a="1",b="2"} 1\nm{a="1"x} 1\n');
    expect(got.error).toMatch(/line 2: expected "=" after label name at "} 1"/);
  });

  it('works the same in OpenMetrics', () => {
    const body = 'h_bucket{a="x",le="1"} 1\nh_bucket{a="x",le="2"} 2\nh_bucket{a="y",le="2"} 2\n# EOF\n';
    const got = parse(body, 'openmetrics');
    expect(got.error).toBeUndefined();
    expect(got.out).toEqual(fresh(body, 'openmetrics'));
  });
});
