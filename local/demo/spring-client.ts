import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/ports.js';
import { type DemoReply, type DemoRequest, basicCredentials, oauthError } from './http-form.js';

export interface SpringClientOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly accessSeconds: number;
}

/**
 * Legacy spring-security-oauth2 as the MediaHound preset meets it (providers/presets.ts): Basic with
 * the raw `id:secret`, not form-decoded, and the same id and secret in the body; one token per
 * client id, handed out again with a smaller `expires_in` until it expires, with a lower-case
 * "bearer" token type.
 */
export class SpringClient {
  private current: { token: string; expiresAt: number } | undefined;

  constructor(
    private readonly options: SpringClientOptions,
    private readonly clock: Clock,
  ) {}

  handle(req: DemoRequest): DemoReply {
    const { clientId, clientSecret } = this.options;
    const basic = basicCredentials(req.authorization, false);
    if (basic?.id !== clientId || basic.secret !== clientSecret) {
      // Spring Boot's Basic filter: not an OAuth error body.
      return {
        status: 401,
        headers: { 'www-authenticate': 'Basic realm="oauth2/client"' },
        body: {
          timestamp: new Date(this.clock.now()).toISOString(),
          status: 401,
          error: 'Unauthorized',
          message: 'Bad credentials',
          path: '/oauth/token',
        },
      };
    }
    if (req.form.get('client_id') !== clientId || req.form.get('client_secret') !== clientSecret) {
      return oauthError(401, 'invalid_client', 'Bad client credentials');
    }
    if (req.form.get('grant_type') !== 'client_credentials') {
      return oauthError(400, 'unsupported_grant_type', 'Unsupported grant type');
    }
    const now = Math.floor(this.clock.now() / 1000);
    if (!this.current || now >= this.current.expiresAt) {
      this.current = {
        token: `demo-at-${randomBytes(24).toString('base64url')}`,
        expiresAt: now + this.options.accessSeconds,
      };
    }
    return {
      status: 200,
      body: {
        access_token: this.current.token,
        token_type: 'bearer',
        expires_in: this.current.expiresAt - now,
        scope: 'read',
      },
    };
  }
}
