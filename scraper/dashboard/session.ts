import type { SecretKeys } from '../../common/secrets.ts';

/**
 * The dashboard's whole server-side memory of a browser is this cookie: sealed (encrypted, then MACed
 * with keys derived from CREDENTIALS_KEY), so the user's access token never sits in scraper memory or
 * Postgres, and several scraper instances behind the router share sessions without sharing state.
 */
export interface DashboardSession {
  /** A login under way: the `state` sent to UAA, and the page to return to. */
  pending?: { state: string; instanceId: string };
  /** A finished login. The token is the user's own, used only to ask the CC for permissions. */
  user?: { id: string; name: string; token: string; tokenExpiresAt: number };
  /** Clock time after which the cookie counts as absent, whatever the browser still sends. */
  expiresAt: number;
}

export const SESSION_COOKIE = 'promregator_dashboard';
/** How long a login may take between the redirect to UAA and the callback. */
export const PENDING_TTL_MS = 10 * 60_000;

export interface SessionCodecOptions {
  keys: Pick<SecretKeys, 'sealSession' | 'openSession'>;
  /** `Secure` on the cookie: everywhere but local mode (plain-HTTP loopback). */
  secure: boolean;
  clock: () => number;
}

export class SessionCodec {
  constructor(private readonly options: SessionCodecOptions) {}

  /** The session in the request's cookies; undefined when absent, forged, altered or expired. */
  read(cookieHeader: string | undefined): DashboardSession | undefined {
    const sealed = cookieValue(cookieHeader, SESSION_COOKIE);
    if (sealed === undefined) return undefined;
    const text = this.options.keys.openSession(sealed);
    if (text === undefined) return undefined;
    let session: DashboardSession;
    try {
      session = JSON.parse(text) as DashboardSession;
    } catch {
      return undefined;
    }
    if (typeof session.expiresAt !== 'number' || session.expiresAt <= this.options.clock()) return undefined;
    return session;
  }

  /** The Set-Cookie header value carrying `session`. */
  cookie(session: DashboardSession): string {
    const maxAge = Math.max(0, Math.ceil((session.expiresAt - this.options.clock()) / 1000));
    return this.attributes(
      `${SESSION_COOKIE}=${this.options.keys.sealSession(JSON.stringify(session))}`,
      maxAge,
    );
  }

  clear(): string {
    return this.attributes(`${SESSION_COOKIE}=`, 0);
  }

  private attributes(pair: string, maxAge: number): string {
    // Lax: the cookie comes along on the top-level redirect back from UAA, never on cross-site POSTs.
    return `${pair}; Path=/dashboard; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${this.options.secure ? '; Secure' : ''}`;
  }
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
