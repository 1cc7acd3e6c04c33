import { type Dispatcher, request } from 'undici';
import { CfError } from './errors.ts';

export interface Exchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body; undefined when the body is empty or not JSON. */
  json: unknown;
}

export interface ExchangeInit {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

/**
 * One HTTP exchange with a whole-request deadline (headers and body). Network failures come back as
 * CfError (`CF_UNREACHABLE`/`CF_TIMEOUT`) with the undici error as cause; any status is an answer.
 */
export async function exchange(dispatcher: Dispatcher, url: string, init: ExchangeInit): Promise<Exchange> {
  const signal = AbortSignal.timeout(init.timeoutMs);
  try {
    const res = await request(url, {
      dispatcher,
      method: init.method,
      headers: init.headers,
      ...(init.body !== undefined && { body: init.body }),
      signal,
    });
    const text = await res.body.text();
    let json: unknown;
    if (text.length > 0) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    return { status: res.statusCode, headers: res.headers, json };
  } catch (error) {
    const target = `${init.method} ${new URL(url).origin}`;
    if (signal.aborted || isTimeout(error)) {
      throw new CfError('CF_TIMEOUT', `${target}: no answer within ${init.timeoutMs} ms`, { cause: error });
    }
    throw new CfError('CF_UNREACHABLE', `${target}: ${(error as Error).message}`, { cause: error });
  }
}

function isTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  const name = (error as { name?: unknown })?.name;
  return (
    name === 'TimeoutError' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  );
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim()) * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** `CF-Name: detail` of the first CC error in a body, for messages; never the whole body. */
export function describeCcError(json: unknown): string {
  const first = (json as { errors?: Array<{ title?: unknown; detail?: unknown }> } | undefined)?.errors?.[0];
  if (!first) return '';
  return [first.title, first.detail].filter((s) => typeof s === 'string').join(': ');
}
