import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { SecretKeys } from '../../../common/secrets.ts';
import { splitSecrets } from '../../../common/targets.ts';

// Rows as the broker stores them (it is built concurrently, so tests insert them directly):
// parameters without secrets, secrets encrypted, service keys with only a keyed password digest.

export async function insertInstance(
  db: Knex,
  opts: { id?: string; orgGuid?: string; spaceGuid?: string; parameters?: Record<string, unknown> } = {},
): Promise<string> {
  const id = opts.id ?? randomUUID();
  await db('service_instances').insert({
    id,
    service_id: 'svc',
    plan_id: 'plan',
    organization_guid: opts.orgGuid ?? randomUUID(),
    space_guid: opts.spaceGuid ?? randomUUID(),
    organization_name: 'org',
    space_name: 'space',
    parameters: JSON.stringify(opts.parameters ?? {}),
    request_digest: 'test',
  });
  return id;
}

export async function insertAppBinding(
  db: Knex,
  keys: SecretKeys,
  opts: { instanceId: string; appGuid: string; id?: string; parameters?: Record<string, unknown> },
): Promise<string> {
  const id = opts.id ?? randomUUID();
  const { open, secrets } = splitSecrets(opts.parameters ?? {});
  await db('service_bindings').insert({
    id,
    instance_id: opts.instanceId,
    kind: 'app',
    app_guid: opts.appGuid,
    parameters: JSON.stringify(open),
    secrets: secrets ? keys.encrypt(JSON.stringify(secrets)) : null,
    request_digest: 'test',
  });
  return id;
}

/** Many bindings in one statement (one notification), for large landscapes. */
export async function insertAppBindings(
  db: Knex,
  instanceId: string,
  appGuids: readonly string[],
): Promise<void> {
  const rows = appGuids.map((appGuid) => ({
    id: randomUUID(),
    instance_id: instanceId,
    kind: 'app',
    app_guid: appGuid,
    parameters: '{}',
    request_digest: 'test',
  }));
  for (let i = 0; i < rows.length; i += 500) await db('service_bindings').insert(rows.slice(i, i + 500));
}

export async function insertServiceKey(
  db: Knex,
  keys: SecretKeys,
  opts: { instanceId: string; username: string; password: string; id?: string },
): Promise<string> {
  const id = opts.id ?? randomUUID();
  await db('service_bindings').insert({
    id,
    instance_id: opts.instanceId,
    kind: 'key',
    key_username: opts.username,
    key_password_hash: keys.keyPasswordVerifier(opts.password),
    credentials_key_id: keys.currentId,
    key_salt: 'salt',
    request_digest: 'test',
  });
  return id;
}

export async function waitFor<T>(
  probe: () => T | undefined | false,
  timeoutMs = 5_000,
  stepMs = 10,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
