import { createHash } from 'node:crypto';
import { verifyPassword } from '../../common/secrets.ts';
import type { ServiceKeyRecord } from '../bindings/types.ts';

export interface KeyVerifierOptions {
  ttlMs?: number;
  maxEntries?: number;
  clock?: () => number;
}

interface Entry {
  ok: boolean;
  /** The stored hash the verdict was computed against: a rotated or deleted key invalidates it. */
  passwordHash: string;
  expiresAt: number;
}

/**
 * Checks service-key passwords against their scrypt hash. scrypt costs tens of milliseconds by design,
 * too much for every scrape every 15 s, so verdicts are cached under a digest of the presented
 * credentials (never the password itself) for a short time, bounded in size.
 */
export class KeyVerifier {
  private readonly cache = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly clock: () => number;

  constructor(options: KeyVerifierOptions = {}) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.clock = options.clock ?? Date.now;
  }

  /** `hit` says whether the cache answered (for the cache-hit metric). */
  async verify(record: ServiceKeyRecord, password: string): Promise<{ ok: boolean; hit: boolean }> {
    const digest = createHash('sha256')
      .update(record.username)
      .update('\0')
      .update(password)
      .digest('base64url');
    const now = this.clock();
    const cached = this.cache.get(digest);
    if (cached && cached.expiresAt > now && cached.passwordHash === record.passwordHash) {
      return { ok: cached.ok, hit: true };
    }
    const ok = await verifyPassword(password, record.passwordHash).catch(() => false);
    if (this.cache.size >= this.maxEntries) {
      // Maps iterate in insertion order: dropping the first entry drops the oldest.
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.delete(digest);
    this.cache.set(digest, { ok, passwordHash: record.passwordHash, expiresAt: now + this.ttlMs });
    return { ok, hit: false };
  }
}
