import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../sandbox/index.ts';

describe('sandbox lifecycle', () => {
  it('runs two independent sandboxes in one process and stops each completely, idempotently', async () => {
    const [a, b] = await Promise.all([
      startSandbox({ appsDomain: 'a.test' }),
      startSandbox({ appsDomain: 'b.test' }),
    ]);
    try {
      a.control.createOrg('only-in-a');
      expect(a.ccUrl).not.toBe(b.ccUrl);
      expect(a.admin.clientSecret).not.toBe(b.admin.clientSecret);
      for (const url of [a.ccUrl, a.uaaUrl, a.routerUrl]) expect(new URL(url).hostname).toBe('127.0.0.1');
      // A connection left hanging must not keep stop() waiting.
      a.control.failCc({ hang: true });
      const hanging = request(`${a.ccUrl}/v3/apps`).catch((err: unknown) => err);
      await new Promise((r) => setTimeout(r, 50));
      await Promise.all([a.stop(), a.stop()]);
      await a.stop();
      expect(await hanging).toBeInstanceOf(Error);
      for (const url of [a.ccUrl, a.uaaUrl, a.routerUrl]) {
        await expect(request(`${url}/`)).rejects.toThrow();
      }
      expect((await request(`${b.ccUrl}/`)).statusCode).toBe(200);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
