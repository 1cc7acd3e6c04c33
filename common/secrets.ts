import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

/** A stored secret or credential belongs to a CREDENTIALS_KEY that is no longer configured. */
export class RetiredKeyError extends Error {
  readonly code = 'retired_credentials_key';
  constructor(readonly keyId: string) {
    super(`issued under a credentials key that is no longer configured (key id ${keyId})`);
  }
}

/**
 * Keys derived from one CREDENTIALS_KEY, one per purpose, so a leak of one derived value reveals nothing
 * about the others or the key itself. `id` names the key in stored rows without revealing it.
 */
class DerivedKeys {
  readonly id: string;
  readonly encryption: Buffer;
  readonly digest: Buffer;
  readonly bindingPasswords: Buffer;
  readonly keyPasswords: Buffer;
  readonly keyVerifier: Buffer;
  readonly sessionEncryption: Buffer;
  readonly sessionMac: Buffer;

  constructor(credentialsKey: string) {
    if (credentialsKey.length === 0) throw new Error('SecretKeys: empty credentials key');
    const derive = (info: string) => Buffer.from(hkdfSync('sha256', credentialsKey, 'promregator', info, 32));
    this.id = derive('key-id').subarray(0, 9).toString('base64url');
    this.encryption = derive('encryption');
    this.digest = derive('request-digest');
    this.bindingPasswords = derive('binding-password');
    this.keyPasswords = derive('service-key-password');
    this.keyVerifier = derive('service-key-verifier');
    this.sessionEncryption = derive('dashboard-session-encryption');
    this.sessionMac = derive('dashboard-session-mac');
  }
}

const VERIFIER_SCHEME = 'hmac-sha256';

/**
 * The key ring built from CREDENTIALS_KEY (current: everything new is issued, encrypted and digested
 * under it) and CREDENTIALS_KEY_PREVIOUS (still accepted for what was issued under them, so a rotation
 * breaks nobody). Broker and scraper derive the same keys from the same secrets.
 */
export class SecretKeys {
  private readonly current: DerivedKeys;
  private readonly ring: ReadonlyMap<string, DerivedKeys>;

  constructor(credentialsKey: string, previous: readonly string[] = []) {
    this.current = new DerivedKeys(credentialsKey);
    const ring = new Map([[this.current.id, this.current]]);
    for (const key of previous) {
      const derived = new DerivedKeys(key);
      if (!ring.has(derived.id)) ring.set(derived.id, derived);
    }
    this.ring = ring;
  }

  /** The id stored beside credentials issued now. */
  get currentId(): string {
    return this.current.id;
  }

  /** Ids of every configured key, the current one first. */
  get ids(): readonly string[] {
    return [...this.ring.keys()];
  }

  has(keyId: string): boolean {
    return this.ring.has(keyId);
  }

  private key(keyId: string): DerivedKeys {
    const key = this.ring.get(keyId);
    if (!key) throw new RetiredKeyError(keyId);
    return key;
  }

  /** AES-256-GCM under the current key; output `v2.<key id>.<iv>.<tag>.<ciphertext>` in base64url. */
  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.encryption, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      'v2',
      this.current.id,
      ...[iv, cipher.getAuthTag(), data].map((p) => p.toString('base64url')),
    ].join('.');
  }

  /**
   * Decrypts either format: `v2` names its key; `v1` (written before rotation existed) is tried under
   * every configured key. Returns the key it was sealed under, so callers can tell what to re-encrypt.
   */
  open(sealed: string): { plaintext: string; keyId: string } {
    const parts = sealed.split('.');
    if (parts[0] === 'v2' && parts.length === 5) {
      const keyId = parts[1]!;
      return { plaintext: decryptWith(this.key(keyId), parts[2]!, parts[3]!, parts[4]!), keyId };
    }
    if (parts[0] === 'v1' && parts.length === 4) {
      for (const key of this.ring.values()) {
        try {
          return { plaintext: decryptWith(key, parts[1]!, parts[2]!, parts[3]!), keyId: key.id };
        } catch {
          // Not this key: the GCM tag does not verify. Try the next one.
        }
      }
      throw new Error('decrypt: no configured credentials key opens this secret');
    }
    throw new Error('decrypt: unknown format');
  }

  decrypt(sealed: string): string {
    return this.open(sealed).plaintext;
  }

  /** Keyed digest of a canonical JSON value under the current key: compares requests without storing their secrets. */
  requestDigest(value: unknown): string {
    return digestWith(this.current, canonicalJson(value));
  }

  /** The key under which `stored` is the digest of `value`, if any configured key matches. */
  digestKeyId(value: unknown, stored: string): string | undefined {
    const text = canonicalJson(value);
    for (const key of this.ring.values()) {
      if (safeEqual(digestWith(key, text), stored)) return key.id;
    }
    return undefined;
  }

  digestMatches(value: unknown, stored: string): boolean {
    return this.digestKeyId(value, stored) !== undefined;
  }

  /**
   * A service key's password, derived so the broker can return it again (repeated PUT, GET binding)
   * while the database holds only its keyed digest and the random `salt`.
   */
  serviceKeyPassword(bindingId: string, salt: string, keyId = this.current.id): string {
    return createHmac('sha256', this.key(keyId).keyPasswords)
      .update(`${bindingId}\0${salt}`)
      .digest('base64url');
  }

  /**
   * What is stored to check a service-key password: HMAC-SHA-256 under a key derived from the issuing
   * credentials key. The passwords are 256-bit values the broker generated, so a slow password hash buys
   * nothing; a check costs microseconds and no threadpool slot.
   */
  keyPasswordVerifier(password: string, keyId = this.current.id): string {
    const mac = createHmac('sha256', this.key(keyId).keyVerifier).update(password).digest('base64url');
    return `${VERIFIER_SCHEME}$${mac}`;
  }

  /** Constant-time; false for a retired key or a verifier in another format. */
  checkKeyPassword(password: string, stored: string, keyId: string): boolean {
    const key = this.ring.get(keyId);
    if (!key || !stored.startsWith(`${VERIFIER_SCHEME}$`)) return false;
    const expected = Buffer.from(stored.slice(VERIFIER_SCHEME.length + 1), 'base64url');
    const actual = createHmac('sha256', key.keyVerifier).update(password).digest();
    return expected.length === actual.length && timingSafeEqual(actual, expected);
  }

  /**
   * Seals a dashboard session cookie: AES-256-GCM under one derived key, then HMAC-SHA-256 over the whole
   * token under another, so a forged or altered cookie is refused by a constant-time MAC check before
   * anything is decrypted. Sealed under the current key, opened under any configured one (a rotation
   * logs nobody out).
   */
  sealSession(plaintext: string): string {
    const key = this.current;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.sessionEncryption, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), data].map((p) => p.toString('base64url'));
    const body = [SESSION_SCHEME, key.id, ...parts].join('.');
    return `${body}.${createHmac('sha256', key.sessionMac).update(body).digest('base64url')}`;
  }

  /** The plaintext, or undefined for anything forged, altered, truncated or sealed under a retired key. */
  openSession(token: string): string | undefined {
    const parts = token.split('.');
    if (parts.length !== 6 || parts[0] !== SESSION_SCHEME) return undefined;
    const key = this.ring.get(parts[1] ?? '');
    if (!key) return undefined;
    const body = parts.slice(0, 5).join('.');
    const expected = createHmac('sha256', key.sessionMac).update(body).digest();
    const actual = Buffer.from(parts[5] ?? '', 'base64url');
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return undefined;
    try {
      const iv = Buffer.from(parts[2] ?? '', 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key.sessionEncryption, iv);
      decipher.setAuthTag(Buffer.from(parts[3] ?? '', 'base64url'));
      const data = Buffer.from(parts[4] ?? '', 'base64url');
      return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }

  /**
   * The credentials the scraper presents to an app bound with auth type "binding". Derived, not stored:
   * the broker returns them in the binding's credentials, the scraper recomputes them, under the key that
   * was current at bind time (the app keeps them in VCAP_SERVICES until it is bound again).
   */
  bindingCredentials(bindingId: string, keyId = this.current.id): { username: string; password: string } {
    const password = createHmac('sha256', this.key(keyId).bindingPasswords)
      .update(bindingId)
      .digest('base64url');
    return { username: 'promregator', password };
  }
}

const SESSION_SCHEME = 's1';

function decryptWith(key: DerivedKeys, iv: string, tag: string, data: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key.encryption, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}

function digestWith(key: DerivedKeys, text: string): string {
  return createHmac('sha256', key.digest).update(text).digest('base64url');
}

/** JSON with object keys sorted at every level, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

export function randomSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** Constant-time string comparison that does not leak the length through an early exit. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHmac('sha256', 'compare').update(a).digest();
  const hb = createHmac('sha256', 'compare').update(b).digest();
  return timingSafeEqual(ha, hb);
}
