import { mkdirSync } from 'node:fs';
import { type Browser as Chromium, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.ts';
import { type DashboardStack, startDashboardStack } from './support.ts';

/**
 * Evaluated in the page: the lowest WCAG contrast ratio of any element's own text against its effective
 * background (the nearest ancestor with an opaque background), with the element that has it.
 */
const LOWEST_CONTRAST = `(() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c;
    }
    return [255, 255, 255];
  };
  let lowest = { ratio: 99, what: '' };
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== '');
    if (!own) continue;
    const a = lum(rgb(getComputedStyle(el).color));
    const b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < lowest.ratio) lowest = { ratio, what: el.tagName + '.' + el.className };
  }
  return lowest;
})()`;

/** Screenshots for people reviewing the dashboard (git-ignored). */
const ARTIFACTS = new URL('../../../test-artifacts/dashboard/', import.meta.url).pathname;

let stack: DashboardStack;
let browser: Chromium;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startDashboardStack();
  // Debian's chromium, never a downloaded one; no traffic off this machine.
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('the dashboard in a real browser', () => {
  it('logs a space developer in through UAA and shows a crashed instance down with its reason', async () => {
    stack.sandbox.control.crashInstance(stack.app.guid, 1);
    // Prometheus scrapes; the dashboard shows what that scrape found.
    await eventually(
      async () => ((await stack.scrape()).includes('reason="instance_crashed"') ? true : undefined),
      15_000,
      'the crash seen by a scrape',
    );
    const developer = stack.user(stack.home.spaceGuid, ['space_developer']);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const page = await context.newPage();
      await page.goto(`${stack.scraperUrl}/dashboard/instances/${stack.instanceId}`);
      // The sandbox UAA's login form.
      await page.waitForURL(/\/oauth\/authorize/);
      await page.fill('#username', developer.username);
      await page.fill('#password', developer.password);
      await page.click('button[value="login"]');
      await page.waitForURL(/\/dashboard\/instances\//);
      await expect.poll(() => page.title()).toBe('Promregator dashboard');
      const rows = page.locator('tbody tr');
      await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(2);
      const crashed = page.locator('tbody tr', { hasText: 'instance_crashed' });
      expect(await crashed.locator('.badge.down').textContent()).toBe('down');
      expect(await page.locator('tbody tr .badge.up').count()).toBeGreaterThanOrEqual(1);
      expect(await page.textContent('body')).toContain('checkout.apps.sandbox.test/metrics');
      // Readable on a phone: nothing wider than the screen outside the scrolling tables.
      // Evaluated in the page (this project compiles without DOM types).
      const overflow = Number(
        await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'),
      );
      expect(overflow).toBeLessThanOrEqual(0);
      // WCAG AA: at least 4.5:1 for every text on the page (the lowest is the grey badge, about 6:1).
      const contrast = (await page.evaluate(LOWEST_CONTRAST)) as { ratio: number; what: string };
      expect(contrast.ratio, contrast.what).toBeGreaterThanOrEqual(4.5);
      await page.screenshot({ path: `${ARTIFACTS}developer.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('shows the 403 page to a user of another space', async () => {
    const stranger = stack.user(stack.elsewhere.spaceGuid, ['space_developer']);
    const context = await browser.newContext({ viewport: { width: 1024, height: 700 } });
    try {
      const page = await context.newPage();
      await page.goto(`${stack.scraperUrl}/dashboard/instances/${stack.instanceId}`);
      await page.waitForURL(/\/oauth\/authorize/);
      await page.fill('#username', stranger.username);
      await page.fill('#password', stranger.password);
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().includes('/dashboard/instances/')),
        page.click('button[value="login"]'),
      ]);
      expect(response.status()).toBe(403);
      expect(await page.textContent('body')).toContain('Not authorized');
      expect(await page.textContent('body')).not.toContain('checkout.apps');
      const contrast = (await page.evaluate(LOWEST_CONTRAST)) as { ratio: number; what: string };
      expect(contrast.ratio, contrast.what).toBeGreaterThanOrEqual(4.5);
      await page.screenshot({ path: `${ARTIFACTS}forbidden.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });
});
