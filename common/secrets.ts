import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  scrypt,
  timingSafeEqual,
} from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: object,
) => Promise<Buffer>;

/**
 * Keys derived from CREDENTIALS_KEY, one per purpose, so a leak of one derived value reveals nothing
 * about the others. Broker and scraper derive the same keys from the same secret.
 */
export class SecretKeys {
  private readonly encryption: Buffer;
  private readonly digest: Buffer;
  private readonly bindingPasswords: Buffer;
  private readonly keyPasswords: Buffer;

  constructor(credentialsKey: string) {
    if (credentialsKey.length === 0) throw new Error('SecretKeys: empty credentials key');
    const derive = (info: string) => Buffer.from(hkdfSync('sha256', credentialsKey, 'promregator', info, 32));
    this.encryption = derive('encryption');
    this.digest = derive('request-digest');
    this.bindingPasswords = derive('binding-password');
    this.keyPasswords = derive('service-key-password');
  }

  /** AES-256-GCM; output `v1.<iv>.<tag>.<ciphertext>` in base64url. */
  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encryption, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), data]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  decrypt(sealed: string): string {
    const [version, iv, tag, data] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('decrypt: unknown format');
    const decipher = createDecipheriv('aes-256-gcm', this.encryption, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }

  /** Keyed digest of a canonical JSON value: compares requests without storing their secrets. */
  requestDigest(value: unknown): string {
    return createHmac('sha256', this.digest).update(canonicalJson(value)).digest('base64url');
  }

  /**
   * A service key's password, derived so the broker can return it again (repeated PUT, GET binding)
   * while the database holds only its salted hash and the random `salt`.
   */
  serviceKeyPassword(bindingId: string, salt: string): string {
    return createHmac('sha256', this.keyPasswords).update(`${bindingId}\0${salt}`).digest('base64url');
  }

  /**
   * The credentials the scraper presents to an app bound with auth type "binding". Derived, not stored:
   * the broker returns them in the binding's credentials, the scraper recomputes them.
   */
  bindingCredentials(bindingId: string): { username: string; password: string } {
    const password = createHmac('sha256', this.bindingPasswords).update(bindingId).digest('base64url');
    return { username: 'promregator', password };
  }
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

const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

/** Salted scrypt hash `scrypt$<salt>$<hash>`: only what is needed to check a service-key password. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32, SCRYPT);
  return `scrypt$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length, SCRYPT);
  return timingSafeEqual(actual, expected);
}

/** Constant-time string comparison that does not leak the length through an early exit. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHmac('sha256', 'compare').update(a).digest();
  const hb = createHmac('sha256', 'compare').update(b).digest();
  return timingSafeEqual(ha, hb);
}
