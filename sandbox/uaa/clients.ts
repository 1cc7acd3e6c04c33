import { randomUUID } from 'node:crypto';

// UAA's registered OAuth clients and users. Scopes of a client-credentials token are the client's authorities.

export interface ClientRecord {
  id: string;
  secret: string;
  authorities: string[];
  grantTypes: string[];
  /** Scopes a user token obtained through this client may carry. */
  scopes: string[];
  /** The one redirect URI an authorization-code client may name (UAA's registered redirect_uri). */
  redirectUri?: string;
}

export interface UserRecord {
  id: string;
  username: string;
  password: string;
  scopes: string[];
}

export class Directory {
  readonly clients = new Map<string, ClientRecord>();
  readonly users = new Map<string, UserRecord>();

  addClient(id: string, secret: string, authorities: string[], grantTypes = ['client_credentials']): void {
    this.clients.set(id, { id, secret, authorities: [...authorities], grantTypes, scopes: [] });
  }

  addUserClient(id: string, scopes: string[]): void {
    this.clients.set(id, {
      id,
      secret: '',
      authorities: ['uaa.none'],
      grantTypes: ['password', 'refresh_token'],
      scopes,
    });
  }

  /** A client for the authorization-code grant, as the CC creates one from a catalog's dashboard_client. */
  addAuthorizationCodeClient(id: string, secret: string, redirectUri: string, scopes: string[]): void {
    this.clients.set(id, {
      id,
      secret,
      authorities: ['uaa.none'],
      grantTypes: ['authorization_code'],
      scopes: [...scopes],
      redirectUri,
    });
  }

  addUser(username: string, password: string, scopes: string[]): UserRecord {
    const user = { id: randomUUID(), username, password, scopes };
    this.users.set(username, user);
    return user;
  }

  authenticateClient(id: string, secret: string): ClientRecord | undefined {
    const c = this.clients.get(id);
    return c && c.secret === secret ? c : undefined;
  }
}
