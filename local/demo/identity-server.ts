import { randomBytes } from 'node:crypto';
import { type DemoReply, type DemoRequest, basicCredentials, oauthError } from './http-form.js';

export interface IdentityServerClientOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Scopes the client may ask for (space-separated); empty allows none. */
  readonly allowedScope: string;
  readonly accessSeconds: number;
}

/**
 * IdentityServer (Duende) as the ClickView preset meets it: client_credentials with the secret in the
 * body (Basic works too), a new token on every request, no refresh token, and every error a 400 whose
 * body is a bare `{"error": ...}`.
 */
export class IdentityServerClient {
  constructor(private readonly options: IdentityServerClientOptions) {}

  handle(req: DemoRequest): DemoReply {
    const { form } = req;
    const basic = basicCredentials(req.authorization, true);
    const id = basic?.id ?? form.get('client_id');
    const secret = basic?.secret ?? form.get('client_secret');
    if (id !== this.options.clientId || secret !== this.options.clientSecret) return oauthError(400, 'invalid_client');
    if (form.get('grant_type') !== 'client_credentials') return oauthError(400, 'unsupported_grant_type');
    const allowed = new Set(this.options.allowedScope.split(' ').filter(Boolean));
    const requested = (form.get('scope') ?? '').split(' ').filter(Boolean);
    if (requested.some((s) => !allowed.has(s))) return oauthError(400, 'invalid_scope');
    return {
      status: 200,
      body: {
        access_token: `demo-at-${randomBytes(24).toString('base64url')}`,
        expires_in: this.options.accessSeconds,
        token_type: 'Bearer',
        scope: requested.length > 0 ? requested.join(' ') : this.options.allowedScope,
      },
    };
  }
}
