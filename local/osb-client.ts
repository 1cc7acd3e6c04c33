import { randomUUID } from 'node:crypto';
import { request } from 'undici';

/** Calls the broker exactly as the Cloud Controller does (headers, query, body shapes of OSB.md). */
export class OsbClient {
  constructor(
    private readonly brokerUrl: string,
    private readonly username: string,
    private readonly password: string,
  ) {}

  async call(
    method: 'GET' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: object,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const auth = Buffer.from(`${this.username}:${this.password}`).toString('base64');
    const query = method === 'GET' ? '' : `${path.includes('?') ? '&' : '?'}accepts_incomplete=true`;
    const response = await request(`${this.brokerUrl}${path}${query}`, {
      method,
      headers: {
        authorization: `Basic ${auth}`,
        'x-broker-api-version': '2.15',
        'x-broker-api-request-identity': randomUUID(),
        accept: 'application/json',
        ...(body && { 'content-type': 'application/json' }),
      },
      ...(body && { body: JSON.stringify(body) }),
    });
    const text = await response.body.text();
    return { status: response.statusCode, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }
}

export interface SpaceContext {
  orgGuid: string;
  orgName: string;
  spaceGuid: string;
  spaceName: string;
}

export function cfContext(space: SpaceContext, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    platform: 'cloudfoundry',
    organization_guid: space.orgGuid,
    organization_name: space.orgName,
    space_guid: space.spaceGuid,
    space_name: space.spaceName,
    organization_annotations: {},
    space_annotations: {},
    ...extra,
  };
}
