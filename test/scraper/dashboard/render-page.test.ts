import { describe, expect, it } from 'vitest';
import { type InstanceModel, renderInstancePage } from '../../../scraper/dashboard/index.ts';

const EVIL = '<script>alert("x")</script>&\'';

function model(): InstanceModel {
  return {
    instance: { id: 'i-1', name: EVIL, orgGuid: 'o', orgName: EVIL, spaceGuid: 's', spaceName: EVIL },
    generatedAt: '2026-12-01T10:00:00.000Z',
    totals: { apps: 2, instances: 2, up: 1, down: 1, neverScraped: 0 },
    apps: [
      {
        bindingId: 'b-1',
        appGuid: 'a-1',
        appName: EVIL,
        status: 'scrapable',
        state: 'STARTED',
        route: `evil.example.com/${EVIL}`,
        path: `/${EVIL}`,
        scheme: 'https',
        desiredInstances: 2,
        instances: [
          {
            index: 0,
            up: false,
            reason: EVIL,
            detail: `line 3: invalid value at "${EVIL}"`,
            lastScrapeAt: '2026-12-01T09:59:45.000Z',
            durationMs: 12,
            deadlineMs: 9_500,
            samples: 0,
            families: 0,
            conflicts: 0,
            timeline: [{ at: '2026-12-01T09:59:45.000Z', up: false, reason: EVIL, durationMs: 12 }],
          },
          {
            index: 1,
            up: true,
            reason: null,
            detail: null,
            lastScrapeAt: '2026-12-01T09:59:45.000Z',
            durationMs: 8,
            deadlineMs: 9_500,
            samples: 420,
            families: 37,
            conflicts: 2,
            timeline: [{ at: '2026-12-01T09:59:45.000Z', up: true, reason: null, durationMs: 8 }],
          },
        ],
      },
      {
        bindingId: 'b-2',
        appGuid: 'a-2',
        appName: 'stopped-app',
        status: 'app-stopped',
        state: 'STOPPED',
        route: null,
        path: '/metrics',
        scheme: 'https',
        desiredInstances: 0,
        instances: [],
      },
    ],
    serviceKeys: [{ id: 'k-1', name: EVIL, username: EVIL, createdAt: '2026-12-01T08:00:00.000Z' }],
  };
}

describe('dashboard page', () => {
  const html = renderInstancePage(model(), { refreshSeconds: 15, userName: EVIL });

  it('escapes every tenant-supplied value', () => {
    expect(html).not.toContain('<script');
    expect(html).not.toContain('alert("x")');
    expect(
      html.split('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;').length - 1,
    ).toBeGreaterThanOrEqual(10);
  });

  it('loads nothing from outside, runs no script, reloads itself, fits a phone', () => {
    expect(html).not.toMatch(/<(script|link|img|iframe)\b/i);
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//i);
    expect(html).toContain('<meta name="viewport" content="width=device-width,initial-scale=1">');
    expect(html).toContain('<meta http-equiv="refresh" content="15">');
    expect(html).toContain('<style>');
  });

  it('shows state, reason and detail, duration against the deadline, samples, families, conflicts', () => {
    expect(html).toContain('<span class="badge down">down</span>');
    expect(html).toContain('<span class="badge up">up</span>');
    expect(html).toContain('12 ms / 9500 ms');
    expect(html).toContain('<td>420</td><td>37</td><td>2</td>');
    expect(html).toContain('line 3: invalid value at');
    expect(html).toContain('2026-12-01 09:59:45 UTC');
    expect(html).toContain('Not scraped: the app is stopped.');
    expect(html).toContain('1 of 1 recent scrapes up');
    expect(html).toContain('<form method="post" action="/dashboard/logout">');
  });
});
