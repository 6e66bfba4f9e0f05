import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../../core/ports.js';
import { type DemoReply, type DemoRequest, basicCredentials, oauthError } from './http-form.js';

export interface KeycloakRealmOptions {
  readonly clientId: string;
  /** Absent: a public client ("Client authentication: off"), as the Keycloak presets use. */
  readonly clientSecret?: string;
  readonly username: string;
  readonly password: string;
  readonly accessSeconds: number;
  /** "SSO Session Idle": each refresh token's lifetime, renewed by every refresh. */
  readonly idleSeconds: number;
  /** "SSO Session Max": the hard end of a login session; it caps every token. */
  readonly sessionMaxSeconds: number;
}

interface Session {
  readonly startedAt: number;
  ended: boolean;
}

interface IssuedRefreshToken {
  readonly session: Session;
  readonly expiresAt: number;
  used: boolean;
}

const token = (tag: string) => `demo-${tag}-${randomBytes(24).toString('base64url')}`;

/**
 * Keycloak's token endpoint for one realm and client, as the Keycloak presets meet it: the password
 * grant opens a login session; every refresh rotates the refresh token (a used one is "Stale token");
 * tokens are capped at the session's end. Status codes and wording follow Keycloak, whose
 * messages the tests' oidc-provider look-alike also reproduces (test/helpers/oidc-server.ts).
 */
export class KeycloakRealm {
  private password: string;
  private readonly refreshTokens = new Map<string, IssuedRefreshToken>();
  private readonly sessions = new Set<Session>();

  constructor(
    private readonly options: KeycloakRealmOptions,
    private readonly clock: Clock,
  ) {
    this.password = options.password;
  }

  /** An administrator's logout, or SSO Session Max reached: every refresh token dies. */
  endSessions(): void {
    for (const session of this.sessions) session.ended = true;
  }

  changePassword(password: string): void {
    this.password = password;
  }

  handle(req: DemoRequest): DemoReply {
    const { form } = req;
    const clientProblem = this.checkClient(req);
    if (clientProblem) return clientProblem;
    switch (form.get('grant_type')) {
      case 'password':
        return this.passwordGrant(form);
      case 'refresh_token':
        return this.refreshGrant(form);
      default:
        return oauthError(400, 'unsupported_grant_type', 'Unsupported grant_type');
    }
  }

  private checkClient(req: DemoRequest): DemoReply | undefined {
    const basic = basicCredentials(req.authorization, true);
    const id = basic?.id ?? req.form.get('client_id');
    const secret = basic?.secret ?? req.form.get('client_secret') ?? undefined;
    const { clientId, clientSecret } = this.options;
    if (id === clientId && (clientSecret === undefined || secret === clientSecret)) return undefined;
    return oauthError(401, 'invalid_client', 'Invalid client or Invalid client credentials');
  }

  private passwordGrant(form: URLSearchParams): DemoReply {
    const username = form.get('username');
    if (!username) return oauthError(401, 'invalid_request', 'Missing parameter: username');
    if (username !== this.options.username || form.get('password') !== this.password) {
      return oauthError(401, 'invalid_grant', 'Invalid user credentials');
    }
    const session: Session = { startedAt: this.now(), ended: false };
    this.sessions.add(session);
    return this.issue(session, form.get('scope') ?? '');
  }

  private refreshGrant(form: URLSearchParams): DemoReply {
    const presented = form.get('refresh_token');
    if (!presented) return oauthError(400, 'invalid_request', 'Missing parameter: refresh_token');
    const issued = this.refreshTokens.get(presented);
    if (!issued) return oauthError(400, 'invalid_grant', 'Invalid refresh token');
    const { session } = issued;
    if (session.ended || this.sessionLeft(session) <= 0) return oauthError(400, 'invalid_grant', 'Session not active');
    if (issued.used) return oauthError(400, 'invalid_grant', 'Stale token');
    if (this.now() >= issued.expiresAt) return oauthError(400, 'invalid_grant', 'Token is not active');
    issued.used = true;
    return this.issue(session, 'openid');
  }

  private now(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  private sessionLeft(session: Session): number {
    return session.startedAt + this.options.sessionMaxSeconds - this.now();
  }

  /** A demo runs for hours: what can no longer be presented usefully is forgotten. */
  private prune(): void {
    const now = this.now();
    for (const [value, issued] of this.refreshTokens) if (now >= issued.expiresAt) this.refreshTokens.delete(value);
    for (const session of this.sessions)
      if (session.ended || this.sessionLeft(session) <= 0) this.sessions.delete(session);
  }

  private issue(session: Session, scope: string): DemoReply {
    this.prune();
    const left = this.sessionLeft(session);
    const expiresIn = Math.max(1, Math.min(this.options.accessSeconds, left));
    const refreshExpiresIn = Math.max(1, Math.min(this.options.idleSeconds, left));
    const refreshToken = token('rt');
    this.refreshTokens.set(refreshToken, { session, expiresAt: this.now() + refreshExpiresIn, used: false });
    return {
      status: 200,
      body: {
        access_token: token('at'),
        expires_in: expiresIn,
        refresh_expires_in: refreshExpiresIn,
        refresh_token: refreshToken,
        token_type: 'Bearer',
        'not-before-policy': 0,
        session_state: randomUUID(),
        scope,
      },
    };
  }
}
