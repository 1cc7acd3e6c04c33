import { describe, expect, it } from 'vitest';
import type { RouteFact } from '../../../scraper/discovery/app-facts.ts';
import { chooseRoute } from '../../../scraper/discovery/index.ts';

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
