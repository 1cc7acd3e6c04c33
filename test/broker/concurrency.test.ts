import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudController, type Reply } from './support/cc.ts';
import { startTestBroker, type TestBroker } from './support/harness.ts';

let broker: TestBroker;
let cc: CloudController;
const PARALLEL = 20;

beforeAll(async () => {
  broker = await startTestBroker();
  cc = new CloudController(broker.url, broker.config.broker.catalog);
});
afterAll(() => broker?.close());

function statuses(replies: Reply[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const r of replies) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

const times = <T>(n: number, make: (i: number) => Promise<T>) =>
  Promise.all(Array.from({ length: n }, (_, i) => make(i)));

describe('concurrent PUTs of one id', () => {
  it('instances: identical → one 201, the rest 200, one row', async () => {
    const id = randomUUID();
    const replies = await times(PARALLEL, () => cc.provision(id, { path: '/m' }));
    expect(statuses(replies)).toEqual({ 201: 1, 200: PARALLEL - 1 });
    expect(await broker.db('service_instances').where({ id }).count({ n: '*' })).toEqual([{ n: '1' }]);
  });

  it('instances: differing → one 201, the rest 409, the winner stored', async () => {
    const id = randomUUID();
    const replies = await times(PARALLEL, (i) => cc.provision(id, { path: `/m${i}` }));
    expect(statuses(replies)).toEqual({ 201: 1, 409: PARALLEL - 1 });
    const winner = replies.findIndex((r) => r.status === 201);
    const row = await broker.db('service_instances').where({ id }).first('parameters');
    expect(row.parameters).toEqual({ path: `/m${winner}` });
  });

  it('app bindings: identical → one 201, the rest 200 with the same credentials, one row', async () => {
    const instanceId = randomUUID();
    await cc.provision(instanceId);
    const bindingId = randomUUID();
    const replies = await times(PARALLEL, () => cc.bindApp(instanceId, bindingId, { path: '/m' }));
    expect(statuses(replies)).toEqual({ 201: 1, 200: PARALLEL - 1 });
    expect(new Set(replies.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect(await broker.db('service_bindings').where({ id: bindingId }).count({ n: '*' })).toEqual([
      { n: '1' },
    ]);
  });

  it('app bindings: differing → one 201, the rest 409', async () => {
    const instanceId = randomUUID();
    await cc.provision(instanceId);
    const bindingId = randomUUID();
    const replies = await times(PARALLEL, (i) => cc.bindApp(instanceId, bindingId, { path: `/m${i}` }));
    expect(statuses(replies)).toEqual({ 201: 1, 409: PARALLEL - 1 });
    expect(await broker.db('service_bindings').where({ id: bindingId }).count({ n: '*' })).toEqual([
      { n: '1' },
    ]);
  });

  it('service keys: identical → one 201, the rest 200 with the same password, one row', async () => {
    const instanceId = randomUUID();
    await cc.provision(instanceId);
    const keyId = randomUUID();
    const replies = await times(PARALLEL, () => cc.createKey(instanceId, keyId));
    expect(statuses(replies)).toEqual({ 201: 1, 200: PARALLEL - 1 });
    expect(new Set(replies.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect(await broker.db('service_bindings').where({ id: keyId }).count({ n: '*' })).toEqual([{ n: '1' }]);
  });

  it('bind racing deprovision: never a 500, never a binding left without its instance', async () => {
    for (let round = 0; round < 5; round++) {
      const instanceId = randomUUID();
      await cc.provision(instanceId);
      const replies = await Promise.all([
        ...Array.from({ length: 5 }, () => cc.bindApp(instanceId, randomUUID())),
        cc.deprovision(instanceId),
        ...Array.from({ length: 5 }, () => cc.bindApp(instanceId, randomUUID())),
      ]);
      for (const r of replies) expect([200, 201, 400]).toContain(r.status);
      expect(await broker.db('service_bindings').where({ instance_id: instanceId })).toEqual([]);
    }
  });
});
