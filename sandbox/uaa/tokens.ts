import { randomUUID } from 'node:crypto';
import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, type JWK, jwtVerify, SignJWT } from 'jose';

// Real RS256 JWTs with UAA's claim set, so clients exercise signature checks, expiry and refresh for real.

export interface TokenClaims {
  jti: string;
  sub: string;
  scope: string[];
  client_id: string;
  cid: string;
  azp: string;
  grant_type: string;
  iat: number;
  exp: number;
  iss: string;
  zid: string;
  aud: string[];
  user_id?: string;
  user_name?: string;
  origin?: string;
}

export interface TokenRequest {
  clientId: string;
  grantType: 'client_credentials' | 'password' | 'refresh_token' | 'authorization_code';
  scopes: string[];
  user?: { id: string; name: string };
  audience?: string[];
  lifetimeSeconds: number;
}

export type Verified = { ok: true; claims: TokenClaims } | { ok: false; reason: 'expired' | 'invalid' };

export interface PublicKeyInfo {
  kid: string;
  alg: 'RS256';
  kty: 'RSA';
  use: 'sig';
  n: string;
  e: string;
  value: string;
}

const KID = 'sandbox-key-1';

export class TokenIssuer {
  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    readonly key: PublicKeyInfo,
    readonly issuer: string,
    private readonly now: () => number,
  ) {}

  static async create(issuer: string, now: () => number): Promise<TokenIssuer> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk: JWK = await exportJWK(publicKey);
    const key: PublicKeyInfo = {
      kid: KID,
      alg: 'RS256',
      kty: 'RSA',
      use: 'sig',
      n: jwk.n ?? '',
      e: jwk.e ?? '',
      value: await exportSPKI(publicKey),
    };
    return new TokenIssuer(privateKey, publicKey, key, issuer, now);
  }

  async issue(req: TokenRequest): Promise<{ token: string; claims: TokenClaims }> {
    const iat = Math.floor(this.now() / 1000);
    const claims: TokenClaims = {
      jti: randomUUID().replaceAll('-', ''),
      sub: req.user?.id ?? req.clientId,
      scope: req.scopes,
      client_id: req.clientId,
      cid: req.clientId,
      azp: req.clientId,
      grant_type: req.grantType,
      iat,
      exp: iat + req.lifetimeSeconds,
      iss: this.issuer,
      zid: 'uaa',
      aud: req.audience ?? audienceOf(req.clientId, req.scopes),
    };
    if (req.user) {
      claims.user_id = req.user.id;
      claims.user_name = req.user.name;
      claims.origin = 'uaa';
    }
    const token = await new SignJWT({ ...claims })
      .setProtectedHeader({
        alg: 'RS256',
        kid: KID,
        typ: 'JWT',
        jku: `${this.issuer.replace(/\/oauth\/token$/, '')}/token_keys`,
      })
      .sign(this.privateKey);
    return { token, claims };
  }

  async verify(token: string): Promise<Verified> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, {
        algorithms: ['RS256'],
        currentDate: new Date(this.now()),
      });
      return { ok: true, claims: payload as unknown as TokenClaims };
    } catch (err) {
      const code = (err as { code?: string }).code;
      return { ok: false, reason: code === 'ERR_JWT_EXPIRED' ? 'expired' : 'invalid' };
    }
  }
}

/** UAA derives `aud` from the resource part of each scope (before the last dot) plus the client id. */
export function audienceOf(clientId: string, scopes: string[]): string[] {
  const aud = new Set<string>([clientId]);
  for (const s of scopes) {
    const dot = s.lastIndexOf('.');
    aud.add(dot > 0 ? s.slice(0, dot) : s);
  }
  return [...aud];
}
