import { describe, expect, it } from 'vitest';
import { KeyNames } from '../../../scraper/dashboard/key-names.ts';

type Lister = ConstructorParameters<typeof KeyNames>[0];

describe('service key names from the CC', () => {
  it('asks once per instance and TTL, and keeps the last answer when the CC fails', async () => {
    let now = 0;
    let calls = 0;
    let fail = false;
    const cc: Lister = {
      async listAll<T>(path: string) {
        calls++;
        if (fail) throw new Error('CC down');
        expect(path).toBe(
          '/v3/service_credential_bindings?service_instance_guids=i%2F1&type=key&per_page=5000',
        );
        return { resources: [{ guid: 'k1', name: 'prometheus' }] as T[], included: {} };
      },
    };
    const names = new KeyNames(cc, () => now, 60_000);
    expect((await names.lookup('i/1'))?.get('k1')).toBe('prometheus');
    expect((await names.lookup('i/1'))?.get('k1')).toBe('prometheus');
    expect(calls).toBe(1);
    now = 60_000;
    fail = true;
    expect((await names.lookup('i/1'))?.get('k1')).toBe('prometheus');
    expect(calls).toBe(2);
  });

  it('does not hold a page longer than its budget for a slow CC', async () => {
    const cc: Lister = { listAll: () => new Promise(() => {}) };
    const names = new KeyNames(cc, Date.now, 60_000, 20);
    expect(await names.lookup('i')).toBeUndefined();
  });
});
