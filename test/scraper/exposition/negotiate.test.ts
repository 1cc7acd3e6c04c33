import { describe, expect, it } from 'vitest';
import { negotiateFormat, validateLabelName } from '../../../scraper/exposition/index.ts';

describe('negotiateFormat', () => {
  const cases: [string | undefined, 'text' | 'openmetrics'][] = [
    [undefined, 'text'],
    ['', 'text'],
    ['*/*', 'text'],
    ['text/plain', 'text'],
    ['application/openmetrics-text', 'openmetrics'],
    // What Prometheus 2.x sends.
    [
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      'openmetrics',
    ],
    ['text/plain;version=0.0.4;q=0.9, application/openmetrics-text;version=1.0.0;q=0.5', 'text'],
    ['application/openmetrics-text; version=1.0.0; q=0, text/plain', 'text'],
    ['application/openmetrics-text;version=2.0.0', 'text'],
    ['APPLICATION/OpenMetrics-Text; Version="1.0.0"', 'openmetrics'],
    ['text/plain;q=0.5, application/openmetrics-text;q=0.5', 'text'],
    ['application/json', 'text'],
  ];
  it.each(cases)('%s → %s', (accept, format) => {
    const got = negotiateFormat(accept);
    expect(got.format).toBe(format);
    expect(got.contentType).toBe(
      format === 'openmetrics'
        ? 'application/openmetrics-text; version=1.0.0; charset=utf-8'
        : 'text/plain; version=0.0.4; charset=utf-8',
    );
  });
});

describe('validateLabelName', () => {
  it.each([
    ['a', true],
    ['_a1', true],
    ['org_name', true],
    ['1a', false],
    ['a-b', false],
    ['', false],
    ['a:b', false],
    ['ü', false],
  ] as const)('%s → %s', (name, ok) => {
    expect(validateLabelName(name)).toBe(ok);
  });
});
