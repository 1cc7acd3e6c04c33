import { describe, expect, it } from 'vitest';
import { toErrorResponse } from '../../../broker/http/error-response.ts';
import { OSB_ERRORS, OsbError } from '../../../broker/osb/errors.ts';

describe('the OSB error catalog', () => {
  const kinds = Object.values(OSB_ERRORS);

  it('has unique codes', () => {
    const codes = kinds.map((k) => k.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it("uses only the spec's error codes, and each with its spec status", () => {
    const specStatus: Record<string, number> = {
      AsyncRequired: 422,
      ConcurrencyError: 422,
      RequiresApp: 422,
      MaintenanceInfoConflict: 422,
    };
    for (const kind of kinds) {
      if ('error' in kind) expect(kind.status).toBe(specStatus[kind.error]);
    }
  });

  it('maps known errors to their status and body, anything else to a generic 500', () => {
    const conflict = toErrorResponse(new OsbError(OSB_ERRORS.maintenanceInfoConflict, 'stale'));
    expect(conflict).toEqual({
      kind: OSB_ERRORS.maintenanceInfoConflict,
      body: { error: 'MaintenanceInfoConflict', description: 'stale' },
    });
    const unknown = toErrorResponse(new Error('secret detail: password=hunter2'));
    expect(unknown.kind.status).toBe(500);
    expect(JSON.stringify(unknown.body)).not.toContain('hunter2');
    const down = toErrorResponse(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    );
    expect(down.kind.status).toBe(503);
  });
});
