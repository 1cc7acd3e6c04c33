import { describe, expect, it } from 'vitest';
import type { RouteFact } from '../../../scraper/discovery/app-facts.ts';
import { chooseRoute, createRouteMatchers } from '../../../scraper/discovery/index.ts';

const r = (host: string, more: Partial<RouteFact> = {}): RouteFact => ({
  host,
  path: '',
  protocol: 'http',
  internal: host.endsWith('.apps.internal'),
  port: host.endsWith('.apps.internal') ? 8080 : undefined,
  ...more,
});

const routes: RouteFact[] = [
  r('tcp.example.com', { protocol: 'tcp', port: 1024 }),
  r('metrics.apps.internal'),
  r('first.apps.example.com'),
  r('second.apps.example.com', { path: '/v2' }),
  r('other.example.org'),
];

describe('chooseRoute', () => {
  it.each([
    // [case, parameter, routes, expected host or reason]
    ['default: first http route on a non-internal domain', undefined, routes, 'first.apps.example.com'],
    ['default ignores an empty parameter', '', routes, 'first.apps.example.com'],
    ['default never picks internal', undefined, [r('a.apps.internal')], 'no-route'],
    ['default never picks tcp', undefined, [r('t.example.com', { protocol: 'tcp' })], 'no-route'],
    ['no routes at all', undefined, [], 'no-route'],
    ['exact hostname', 'second.apps.example.com', routes, 'second.apps.example.com'],
    ['exact hostname is case-insensitive', 'OTHER.Example.org', routes, 'other.example.org'],
    ['exact hostname + path', 'second.apps.example.com/v2', routes, 'second.apps.example.com'],
    ['exact is not a prefix match', 'second.apps', routes, 'route-not-matched'],
    ['internal only when chosen explicitly', 'metrics.apps.internal', routes, 'metrics.apps.internal'],
    ['exact never picks tcp', 'tcp.example.com', routes, 'route-not-matched'],
    ['anchored regex', 'sec.*\\.example\\.com', routes, 'second.apps.example.com'],
    ['anchored regex must match the whole host', 'second', routes, 'route-not-matched'],
    [
      'regex alternation, first route in CC order wins',
      '(second|first)\\..*',
      routes,
      'first.apps.example.com',
    ],
    ['slashed regex, unanchored', '/econd/', routes, 'second.apps.example.com'],
    ['slashed regex may pick internal', '/\\.apps\\.internal$/', routes, 'metrics.apps.internal'],
    ['slashed regex with flags', '/^OTHER/i', routes, 'other.example.org'],
    ['invalid regex matches nothing', '(unclosed', routes, 'route-not-matched'],
    ['explicit choice on an app without http routes', 'x.example.com', [], 'no-route'],
  ])('%s', (_name, parameter, list, expected) => {
    const choice = chooseRoute(list, parameter);
    expect('route' in choice ? choice.route.host : choice.reason).toBe(expected);
  });

  it('carries path, internal flag and port of the chosen route', () => {
    expect(chooseRoute(routes, 'second.apps.example.com')).toEqual({
      route: { host: 'second.apps.example.com', path: '/v2', internal: false },
    });
    expect(chooseRoute(routes, 'metrics.apps.internal')).toEqual({
      route: { host: 'metrics.apps.internal', path: '', internal: true, port: 8080 },
    });
  });
});

describe('chooseRoute with the documented examples', () => {
  const apps = [r('my-app.apps.example.com'), r('my-app-blue.apps.example.com'), r('host', { path: '/x' })];
  it.each([
    // README's `route` row
    ['my-app.apps.example.com', 'my-app.apps.example.com'],
    ['/^my-app-blue\\./', 'my-app-blue.apps.example.com'],
    // route-choice.ts: hostname + path, exactly
    ['host/x', 'host'],
    ['host/y', 'route-not-matched'],
    // anchored on the whole host, case-insensitive
    ['MY-APP-BLUE\\..*', 'my-app-blue.apps.example.com'],
    ['my-app', 'route-not-matched'],
    ['/my-app/', 'my-app.apps.example.com'],
  ])('%s chooses %s', (parameter, expected) => {
    const choice = chooseRoute(apps, parameter);
    expect('route' in choice ? choice.route.host : choice.reason).toBe(expected);
  });
});

describe('chooseRoute with patterns that make a backtracking engine take exponential time', () => {
  // Route hosts are chosen by the same developer as the pattern; a DNS label is up to 63 characters.
  const a63 = 'a'.repeat(63);
  const a62b = `${'a'.repeat(62)}b`;
  const a19b44 = `${'a'.repeat(19)}${'b'.repeat(44)}`;
  const label = `${'a'.repeat(62)}-.apps.example.com`;
  it.each([
    ['(a|a)*', a63, true],
    ['(a|a)*', a62b, false],
    ['/(a|a)*b$/', a63, false],
    ['(a+)+$', a63, true],
    ['(a+)+$', a62b, false],
    ['/^(a+)+$/', a62b, false],
    ['(.*a){20}', a63, true],
    ['(.*a){20}', a62b, false],
    ['/(.*a){20}/', a19b44, false],
    ['/(.*a){19}/', a19b44, true],
    ['((a*)*)*b', a62b, true],
    ['((a*)*)*b', a63, false],
    ['/((a*)*)*b/', a63, false],
    ['(a|aa)+\\.apps\\.example\\.com', label, false],
    ['(a|aa)+-\\.apps\\.example\\.com', label, true],
    ['([a-z]+)*\\.apps\\.example\\.com', label, false],
  ])('%s against a 63-character host %#: matches %s', (parameter, host, expected) => {
    expect(host.split('.')[0]).toHaveLength(63);
    const choice = chooseRoute([r(host)], parameter);
    expect('route' in choice).toBe(expected);
  });
});

describe('chooseRoute with patterns the engine cannot run', () => {
  // The broker refuses these at bind; a binding stored earlier matches nothing rather than backtracking.
  it.each([
    ['backreference', '(f)irst\\.apps\\.example\\.co\\1'],
    ['lookahead', '/^(?=first)/'],
    ['lookbehind', '/(?<=first)\\./'],
    ['a repetition RE2 refuses', '/^first.{1001}/'],
    ['a pattern escaping the anchoring', 'x)|(first.apps.example.com'],
  ])('%s matches nothing', (_name, parameter) => {
    expect(chooseRoute(routes, parameter)).toEqual({ reason: 'route-not-matched' });
  });
});

describe('createRouteMatchers', () => {
  it('compiles each parameter once while it stays among the most recently used, and forgets the rest', () => {
    const compiled: string[] = [];
    const matchers = createRouteMatchers(2, (parameter) => {
      compiled.push(parameter);
      return (candidate) => candidate === parameter;
    });
    for (const parameter of ['a', 'b', 'a', 'c', 'a', 'b']) expect(matchers(parameter)(parameter)).toBe(true);
    // 'c' evicts 'b' (least recently used), so 'b' is compiled again; 'a' never is.
    expect(compiled).toEqual(['a', 'b', 'c', 'b']);
  });

  it('answers like the uncached chooser', () => {
    const matchers = createRouteMatchers(1);
    for (const parameter of ['/econd/', 'other.example.org', '/econd/', '(second|first)\\..*']) {
      expect(chooseRoute(routes, parameter, matchers)).toEqual(chooseRoute(routes, parameter));
    }
  });
});
