import { describe, expect, it } from 'vitest';
import { compileRoutePattern, routePatternProblem } from '../../common/route-pattern.ts';

/** The documented meaning of a pattern, as the backtracking engine read it before RE2 took over. */
function backtrackingMeaning(parameter: string): RegExp {
  const slashed = /^\/(.+)\/([a-z]*)$/s.exec(parameter);
  return slashed
    ? new RegExp(slashed[1]!, slashed[2]!.replace(/[gy]/g, ''))
    : new RegExp(`^(?:${parameter})$`, 'i');
}

const candidates = [
  'my-app.apps.example.com',
  'MY-APP.apps.example.com',
  'my-app-blue.apps.example.com',
  'my-app-green.apps.example.com',
  'metrics.apps.internal',
  'second.apps.example.com/v2',
  'app-01.cfapps.eu10.hana.ondemand.com',
  'a.b',
  'x',
  '',
];

describe('compileRoutePattern', () => {
  it.each([
    '/^my-app-blue\\./',
    '/\\.apps\\.internal$/',
    '/^MY-APP/i',
    '/econd/',
    '/app/gi',
    '/^my-app-(blue|green)\\./',
    '/\\d{2}\\./',
    '/^[a-z-]+\\.apps\\./m',
    '/^.+$/s',
    '/\\bapps\\b/',
    '/\\u0061pp/',
    '/\\x61pp/',
    '/\\p{Ll}+-\\p{Nd}+/u',
    '/(?<color>blue|green)/',
    'my-app-(blue|green)\\.apps\\.example\\.com',
    'sec.*\\.example\\.com',
    '(second|first)\\..*',
    '[a-z0-9-]+\\.apps\\.example\\.com',
    '.*\\.apps\\.internal',
    'second\\.apps\\.example\\.com/v2',
    'app-\\d+\\.cfapps\\..*',
    '\\w+\\.\\w+',
    'x|y',
    'a{,3}\\.b',
    '.*',
    'my-app.apps.example.com',
    'MY-APP.APPS.EXAMPLE.COM',
    'second.apps.example.com/v2',
  ])('%s means what it meant with the backtracking engine', (parameter) => {
    const compiled = compileRoutePattern(parameter);
    if (!('matches' in compiled)) throw new Error(compiled.problem);
    const regex = backtrackingMeaning(parameter);
    for (const candidate of candidates) {
      const exact = /^[A-Za-z0-9.-]+(\/[A-Za-z0-9._~%!&'=:@/-]*)?$/.test(parameter);
      const expected = exact ? candidate.toLowerCase() === parameter.toLowerCase() : regex.test(candidate);
      expect(compiled.matches(candidate), candidate).toBe(expected);
    }
  });

  it.each([
    ['(a)\\1', 'a backreference (\\1) is not supported'],
    ['(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\\10', 'a backreference (\\10) is not supported'],
    ['(?<n>a)\\k<n>', 'a backreference (\\k<n>) is not supported'],
    ['a(?=b)', 'a lookahead (?=…) is not supported'],
    ['a(?!b)', 'a negative lookahead (?!…) is not supported'],
    ['(?<=a)b', 'a lookbehind (?<=…) is not supported'],
    ['(?<!a)b', 'a negative lookbehind (?<!…) is not supported'],
    // Escapes JavaScript reads as the bare letter but RE2 as something else
    ['\\Aapp', 'the escape \\A is not supported'],
    ['app\\z', 'the escape \\z is not supported'],
    ['\\a', 'the escape \\a is not supported'],
    ['\\Qa.b\\E', 'the escape \\Q is not supported'],
    ['\\p{L}', 'the escape \\p needs the u flag (/…/u)'],
    ['\\x{61}', 'the escape \\x is supported only as \\xHH'],
    ['\\u{61}', 'the escape \\u is supported only as \\uHHHH (or \\u{…} with the u flag)'],
    ['[[:alpha:]]', 'a POSIX class ([:alpha:]) is not supported'],
    ['[]a]', 'an empty class ([]) is not supported'],
    ['/[^]/', 'an empty class ([^]) is not supported'],
    ['/a/v', 'the v flag is not supported'],
    ['(unclosed', 'not a valid regular expression (Unterminated group)'],
    ['x)|(y', "not a valid regular expression (Unmatched ')')"],
    ['/a/q', "not a valid regular expression (Invalid flags supplied to RegExp constructor 'q')"],
    ['a{1001}', 'not supported by the linear-time engine (invalid repetition size: {1001})'],
    ['\\e', 'the escape \\e is not supported'],
    ['[\\b]', 'not supported by the linear-time engine (invalid escape sequence: \\b)'],
    [`${'a'.repeat(1025)}`, 'longer than 1024 characters'],
  ])('refuses %s: %s', (parameter, problem) => {
    expect(routePatternProblem(parameter)).toBe(problem);
  });

  it('escaped constructs are literals, not refusals', () => {
    for (const parameter of ['\\(?=a\\)', '\\\\1x', '[(?=]x', '[\\]]', '\\[[:alpha:]\\]']) {
      expect(routePatternProblem(parameter), parameter).toBeUndefined();
    }
    expect((compileRoutePattern('\\(\\?=a\\)') as { matches: (c: string) => boolean }).matches('(?=a)')).toBe(
      true,
    );
  });
});
