import { describe, expect, it } from 'vitest';
import type { CloudControllerClient, ListResult } from '../../../scraper/cf/index.ts';
import { fetchAppFacts } from '../../../scraper/discovery/fetch-app-facts.ts';

/** A CC that answers each list endpoint with a fixed result: for shapes the sandbox never produces. */
function fakeCc(lists: Record<string, ListResult<unknown>>, seen: string[] = []): CloudControllerClient {
  return {
    getJson: () => Promise.reject(new Error('unused')),
    listAll: <T>(path: string) => {
      seen.push(path);
      const key = path.split('?')[0]!;
      return Promise.resolve((lists[key] ?? { resources: [], included: {} }) as ListResult<T>);
    },
    close: () => Promise.resolve(),
  };
}

const options = { guidsPerRequest: 100, perPage: 5000, concurrency: 2 };

describe('fetchAppFacts with sparse CC answers (every field optional)', () => {
  it('degrades instead of throwing', async () => {
    const cc = fakeCc({
      '/v3/apps': {
        resources: [
          { guid: 'a1' },
          { guid: 'a2', name: 'two', state: 'STOPPED', relationships: {} },
          { name: 'no-guid' },
        ],
        included: {},
      },
      '/v3/routes': {
        resources: [
          // No domain included: the host comes from `url`; no destinations: cannot be attributed in a 2-app batch.
          { url: 'from-url.example.com/p', protocol: 'http' },
          { url: 'Mine.Example.com', destinations: [{ app: { guid: 'a1' } }] },
          { url: 'x.apps.internal', destinations: [{ app: { guid: 'a1' } }] },
          { host: 'tcp', port: 1024, destinations: [{ app: { guid: 'a1' } }] },
        ],
        included: {},
      },
      '/v3/processes': { resources: [{ relationships: { app: { data: { guid: 'a1' } } } }], included: {} },
    });
    const facts = await fetchAppFacts(cc, ['a1', 'a2'], options);
    expect(facts.get('a1')).toEqual({
      guid: 'a1',
      name: 'a1',
      state: 'STARTED',
      space: undefined,
      org: undefined,
      routes: [
        { host: 'mine.example.com', path: '', protocol: 'http', internal: false, port: undefined },
        { host: 'x.apps.internal', path: '', protocol: 'http', internal: true, port: 8080 },
      ],
      instances: 0,
      processGuid: undefined,
    });
    expect(facts.get('a2')).toMatchObject({ name: 'two', state: 'STOPPED', routes: [] });
    expect(facts.size).toBe(2);
  });

  it('batches GUIDs per request with per_page and the includes', async () => {
    const seen: string[] = [];
    const guids = Array.from({ length: 5 }, (_, i) => `g${i}`);
    await fetchAppFacts(fakeCc({}, seen), guids, { ...options, guidsPerRequest: 2 });
    expect(seen).toHaveLength(9);
    expect(seen).toContain('/v3/apps?guids=g0,g1&include=space.organization&per_page=5000');
    expect(seen).toContain('/v3/routes?app_guids=g4&include=domain&per_page=5000');
    expect(seen).toContain('/v3/processes?app_guids=g2,g3&types=web&per_page=5000');
  });

  it('fails as a whole when one request fails (the caller keeps its last good facts)', async () => {
    const cc = fakeCc({});
    cc.listAll = (path: string) =>
      path.startsWith('/v3/routes')
        ? Promise.reject(new Error('boom'))
        : Promise.resolve({ resources: [], included: {} });
    await expect(fetchAppFacts(cc, ['a'], options)).rejects.toThrow('boom');
  });

  it("fetches a long list in slices, with the caller's hook between them, one space and org object per guid", async () => {
    const guidsIn = (path: string) => decodeURIComponent(/guids=([^&]*)/.exec(path)![1]!).split(',');
    const cc: CloudControllerClient = {
      getJson: () => Promise.reject(new Error('unused')),
      listAll: <T>(path: string) => {
        if (!path.startsWith('/v3/apps')) return Promise.resolve({ resources: [], included: {} });
        const resources = guidsIn(path).map((guid) => ({
          guid,
          name: guid,
          relationships: { space: { data: { guid: 's1' } } },
        }));
        const included = {
          spaces: [{ guid: 's1', name: 'space', relationships: { organization: { data: { guid: 'o1' } } } }],
          organizations: [{ guid: 'o1', name: 'org' }],
        };
        return Promise.resolve({ resources, included } as unknown as ListResult<T>);
      },
      close: () => Promise.resolve(),
    };
    const guids = Array.from({ length: 45 }, (_, i) => `g${i}`);
    let slices = 0;
    const facts = await fetchAppFacts(cc, guids, {
      ...options,
      guidsPerRequest: 1,
      betweenSlices: () => slices++,
    });
    expect(facts.size).toBe(45);
    expect(slices).toBe(2); // 45 batches: slices of 20, 20 and 5
    expect(facts.get('g0')!.space).toEqual({ guid: 's1', name: 'space' });
    expect(facts.get('g0')!.space).toBe(facts.get('g44')!.space);
    expect(facts.get('g0')!.org).toBe(facts.get('g44')!.org);
  });
});
