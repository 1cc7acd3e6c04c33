import { describe, expect, it } from 'vitest';
import { endpointLabel } from '../../../scraper/cf/index.ts';

describe('endpointLabel', () => {
  it.each([
    ['/', 'GET /'],
    ['/v3/apps?guids=a,b&per_page=5000', 'GET /v3/apps'],
    ['http://cc.example/v3/routes?page=2', 'GET /v3/routes'],
    ['/v3/processes/0b5e7d1a-0000-4000-8000-000000000001/stats', 'GET /v3/processes/:guid/stats'],
    ['/v3/apps/abc/processes/web/stats', 'GET /v3/apps/:guid/processes/web/stats'],
  ])('%s → %s', (path, label) => {
    expect(endpointLabel('GET', path)).toBe(label);
  });
});
