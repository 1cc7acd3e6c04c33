import { createCipheriv, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rekeyStoredSecrets } from '../../common/db/rekey.ts';
import { legacyScryptHash } from '../../common/legacy-scrypt.ts';
import { createLogger } from '../../common/logging.ts';
import { SecretKeys } from '../../common/secrets.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const KEY_A = 'rekey-test-key-A-0123456789';
const KEY_B = 'rekey-test-key-B-0123456789';
const logger = createLogger({ level: 'silent', name: 'rekey' });

/** A secret sealed the way releases before key rotation sealed them: `v1.<iv>.<tag>.<data>`, no key id. */
function sealV1(credentialsKey: string, plaintext: string): string {
  const key = Buffer.from(hkdfSync('sha256', credentialsKey, 'promregator', 'encryption', 32));
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), data]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

describe('start-time rekey of stored secrets', () => {
  let tdb: TestDatabase;
  const a = new SecretKeys(KEY_A);
  const instanceId = randomUUID();
  const instance = {
    service_id: 'svc',
    plan_id: 'plan',
    organization_guid: 'org',
    space_guid: 'space',
    parameters: { path: '/metrics' },
  };

  beforeAll(async () => {
    tdb = await createTestDatabase();
    await tdb.db('service_instances').insert({
      id: instanceId,
      ...instance,
      parameters: JSON.stringify(instance.parameters),
      request_digest: a.requestDigest(instance),
    });
  });
  afterAll(() => tdb?.drop());

  /** A row as the previous release stored it: no key id, scrypt hash, v1 secrets. */
  async function legacyRows() {
    const keyId = randomUUID();
    const salt = 'legacy-salt';
    const keyPassword = a.serviceKeyPassword(keyId, salt);
    await tdb.db('service_bindings').insert({
      id: keyId,
      instance_id: instanceId,
      kind: 'key',
      key_username: `key-${keyId}`,
      key_password_hash: await legacyScryptHash(keyPassword),
      key_salt: salt,
      request_digest: a.requestDigest({
        instance_id: instanceId,
        kind: 'key',
        app_guid: null,
        parameters: {},
      }),
    });
    const appId = randomUUID();
    const parameters = { auth: { type: 'basic', username: 'u', password: 'p:w' } };
    await tdb.db('service_bindings').insert({
      id: appId,
      instance_id: instanceId,
      kind: 'app',
      app_guid: 'app-1',
      parameters: JSON.stringify({ auth: { type: 'basic', username: 'u' } }),
      secrets: sealV1(KEY_A, JSON.stringify({ password: 'p:w' })),
      request_digest: a.requestDigest({
        instance_id: instanceId,
        kind: 'app',
        app_guid: 'app-1',
        parameters,
      }),
    });
    return { keyId, keyPassword, appId, parameters };
  }

  it('turns scrypt hashes into keyed digests and records the issuing key', async () => {
    const { keyId, keyPassword, appId } = await legacyRows();
    const report = await rekeyStoredSecrets(tdb.db, a, logger);
    expect(report).toMatchObject({ bindings: 2, unreadable: 0 });
    const key = await tdb.db('service_bindings').where({ id: keyId }).first();
    expect(key.key_password_hash).toMatch(/^hmac-sha256\$/);
    expect(key.credentials_key_id).toBe(a.currentId);
    expect(a.checkKeyPassword(keyPassword, key.key_password_hash, key.credentials_key_id)).toBe(true);
    expect(a.checkKeyPassword('wrong', key.key_password_hash, key.credentials_key_id)).toBe(false);
    const app = await tdb.db('service_bindings').where({ id: appId }).first();
    expect(app.secrets.startsWith(`v2.${a.currentId}.`)).toBe(true);
    expect(JSON.parse(a.decrypt(app.secrets))).toEqual({ password: 'p:w' });
    // Nothing left to do: a second instance starting at once changes nothing.
    expect(await rekeyStoredSecrets(tdb.db, a, logger)).toEqual({ instances: 0, bindings: 0, unreadable: 0 });
  });

  it('after a rotation, moves secrets and digests to the new key but keeps credentials under the old', async () => {
    const { keyId, keyPassword, appId, parameters } = await legacyRows();
    const ring = new SecretKeys(KEY_B, [KEY_A]);
    const b = new SecretKeys(KEY_B);
    await rekeyStoredSecrets(tdb.db, ring, logger);
    const app = await tdb.db('service_bindings').where({ id: appId }).first();
    expect(app.credentials_key_id).toBe(a.currentId);
    expect(app.secrets.startsWith(`v2.${b.currentId}.`)).toBe(true);
    expect(
      b.digestMatches(
        { instance_id: instanceId, kind: 'app', app_guid: 'app-1', parameters },
        app.request_digest,
      ),
    ).toBe(true);
    const stored = await tdb.db('service_instances').where({ id: instanceId }).first();
    expect(b.digestMatches(instance, stored.request_digest)).toBe(true);
    const key = await tdb.db('service_bindings').where({ id: keyId }).first();
    expect(key.credentials_key_id).toBe(a.currentId);
    expect(ring.checkKeyPassword(keyPassword, key.key_password_hash, key.credentials_key_id)).toBe(true);
    // Without the old key nothing can check it any more: removing a key revokes what it issued.
    expect(b.checkKeyPassword(keyPassword, key.key_password_hash, key.credentials_key_id)).toBe(false);
  });

  it('leaves a row that no configured key opens as it is, and says so', async () => {
    const id = randomUUID();
    const sealed = new SecretKeys('some-other-key-0123456789').encrypt('{"password":"x"}');
    await tdb.db('service_bindings').insert({
      id,
      instance_id: instanceId,
      kind: 'app',
      app_guid: 'app-2',
      parameters: '{}',
      secrets: sealed,
      request_digest: 'unknown',
    });
    const report = await rekeyStoredSecrets(tdb.db, new SecretKeys(KEY_B), logger);
    expect(report.unreadable).toBe(1);
    expect((await tdb.db('service_bindings').where({ id }).first()).secrets).toBe(sealed);
  });
});
