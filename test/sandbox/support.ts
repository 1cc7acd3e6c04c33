import { Agent, request } from 'undici';
import type { Sandbox } from '../../sandbox/index.ts';

export async function clientToken(uaaUrl: string, clientId: string, clientSecret: string): Promise<string> {
  const res = await request(`${uaaUrl}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials',
  });
  const body = (await res.body.json()) as { access_token?: string };
  if (res.statusCode !== 200 || !body.access_token)
    throw new Error(`token request failed: ${res.statusCode}`);
  return body.access_token;
}

export interface JsonResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: tests inspect arbitrary CC JSON
  body: any;
}

export async function ccGet(url: string, token?: string): Promise<JsonResponse> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `bearer ${token}`;
  const res = await request(url, { headers });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

export interface TextResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export async function routerGet(
  sb: Sandbox,
  host: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<TextResponse> {
  const res = await request(`${sb.routerUrl}${path}`, { headers: { host, ...headers } });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

/** The `sandbox_instance_index` value an instance exposes. */
export function instanceIndexOf(metrics: string): number | undefined {
  const m = /^sandbox_instance_index (\d+)$/m.exec(metrics);
  return m ? Number(m[1]) : undefined;
}

export function tlsAgent(sb: Sandbox, servername: string): Agent {
  return new Agent({ connect: { ca: sb.routerCaPem, servername } });
}
