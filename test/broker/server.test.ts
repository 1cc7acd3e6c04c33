import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker } from '../../broker/server.ts';
import { buildConfig } from '../../common/config/index.ts';
import { createLogger } from '../../common/logging.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { basic } from './support/cc.ts';
import { testEnv } from './support/harness.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

describe('startBroker', () => {
  it('lets an in-flight request finish on close(), then refuses new connections; the pool stays open', async () => {
    const config = buildConfig('broker', { env: testEnv(database.url) });
    const logger = createLogger({ level: 'silent', name: 'broker' });
    const broker = await startBroker({ config, db: database.db, logger, port: 0, host: '127.0.0.1' });
    const { serviceId, planId } = config.broker.catalog;
    const body = JSON.stringify({
      service_id: serviceId,
      plan_id: planId,
      organization_guid: 'o',
      space_guid: 's',
    });

    // Send the headers and half the body, close the server, then send the rest.
    const socket = connect(broker.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let response = '';
    socket.on('data', (chunk: Buffer) => {
      response += chunk.toString();
    });
    const ended = new Promise((resolve) => socket.once('close', resolve));
    socket.write(
      'PUT /v2/service_instances/in-flight HTTP/1.1\r\nHost: x\r\nX-Broker-Api-Version: 2.15\r\n' +
        `Authorization: ${basic()}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n',
    );
    socket.write(body.slice(0, 10));
    await new Promise((r) => setTimeout(r, 100));
    let closed = false;
    const closing = broker.close().then(() => {
      closed = true;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(false);
    await expect(fetch(`${broker.url}/v2/catalog`)).rejects.toThrow();
    socket.write(body.slice(10));
    await ended;
    await closing;
    expect(response).toMatch(/^HTTP\/1\.1 201/);
    expect(await database.db('service_instances').where({ id: 'in-flight' }).first('id')).toEqual({
      id: 'in-flight',
    });
  });
});
