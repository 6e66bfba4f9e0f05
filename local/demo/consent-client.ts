import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../core/ports.js';
import { type DemoReply, type DemoRequest, oauthError } from './http-form.js';

export interface ConsentClientOptions {
  readonly clientId: string;
  readonly accessSeconds: number;
}

/** Codes live a minute (RFC 6749 section 4.1.2 recommends at most ten). */
const CODE_SECONDS = 60;
/** Bounds on what the demo server remembers: codes not yet exchanged, refresh tokens superseded. */
const MAX_CODES = 32;
const MAX_SUPERSEDED = 1024;

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const token = (prefix: string) => `${prefix}-${randomBytes(24).toString('base64url')}`;

/** Only a loopback redirect (RFC 8252 section 7.3) is allowed: the demo has no registered URI. */
function loopbackRedirect(value: string | null): URL | undefined {
  try {
    const url = new URL(value ?? '');
    return url.protocol === 'http:' && url.hostname === '127.0.0.1' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An API whose refresh token only a person's consent yields, as the demo's connected provider meets
 * it: an authorization endpoint that shows a one-button consent page and redirects with a code, a
 * token endpoint that exchanges the code and its PKCE verifier (S256 only, RFC 7636) for a refresh
 * token, and refresh tokens that rotate with reuse detection: presenting a superseded one revokes
 * the whole chain, as the strictest IdPs do (docs/reference/idp-behaviors.md).
 */
export class ConsentClient {
  private readonly codes = new Map<string, { challenge: string; redirectUri: string; expiresAt: number }>();
  private live: string | undefined;
  private readonly superseded = new Set<string>();

  constructor(
    private readonly options: ConsentClientOptions,
    private readonly clock: Clock,
  ) {}

  /** The authorization request's problem, or undefined when it can be shown to the person. */
  private refusal(params: URLSearchParams): string | undefined {
    if (params.get('response_type') !== 'code') return 'response_type must be "code"';
    if (params.get('client_id') !== this.options.clientId) return 'unknown client_id';
    if (!loopbackRedirect(params.get('redirect_uri'))) return 'redirect_uri must be http://127.0.0.1:<port>/...';
    if (params.get('code_challenge_method') !== 'S256' || !params.get('code_challenge')) {
      return 'PKCE with code_challenge_method S256 is required';
    }
    return undefined;
  }

  /** GET on the authorization endpoint: the consent page, whose button posts the request back. */
  consentPage(params: URLSearchParams): DemoReply {
    const refused = this.refusal(params);
    if (refused) return { status: 400, body: `invalid authorization request: ${refused}` };
    const fields = ['response_type', 'client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method']
      .map((name) => [name, params.get(name)] as const)
      .filter((field): field is readonly [string, string] => field[1] !== null)
      .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
      .join('');
    const body =
      '<!doctype html><meta charset="utf-8"><title>Demo consent</title>' +
      `<p>token-refresher (client ${escapeHtml(this.options.clientId)}) asks for offline access to the demo API.</p>` +
      `<form method="post">${fields}<button type="submit" name="consent" value="allow">Allow</button></form>`;
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body };
  }

  /** POST on the authorization endpoint: the person allowed; back to the client with a one-time code. */
  approve(req: DemoRequest): DemoReply {
    const { form } = req;
    const refused = form.get('consent') === 'allow' ? this.refusal(form) : 'no consent';
    if (refused) return { status: 400, body: `invalid consent: ${refused}` };
    const redirect = loopbackRedirect(form.get('redirect_uri'))!;
    const now = Math.floor(this.clock.now() / 1000);
    for (const [code, entry] of this.codes) if (entry.expiresAt <= now) this.codes.delete(code);
    if (this.codes.size >= MAX_CODES) return { status: 503, body: 'too many sign-ins under way; try again' };
    const code = token('demo-code');
    const challenge = form.get('code_challenge')!;
    this.codes.set(code, { challenge, redirectUri: redirect.href, expiresAt: now + CODE_SECONDS });
    redirect.searchParams.set('code', code);
    const state = form.get('state');
    if (state !== null) redirect.searchParams.set('state', state);
    return { status: 302, headers: { location: redirect.href }, body: '' };
  }

  /** The token endpoint: the code exchange and the rotating refresh grant. */
  handle(req: DemoRequest): DemoReply {
    const { form } = req;
    if (form.get('client_id') !== this.options.clientId) return oauthError(401, 'invalid_client');
    const grant = form.get('grant_type');
    if (grant === 'authorization_code') return this.exchange(form);
    if (grant === 'refresh_token') return this.refresh(form.get('refresh_token') ?? '');
    return oauthError(400, 'unsupported_grant_type');
  }

  private exchange(form: URLSearchParams): DemoReply {
    const code = form.get('code') ?? '';
    const entry = this.codes.get(code);
    this.codes.delete(code);
    const now = Math.floor(this.clock.now() / 1000);
    if (!entry || entry.expiresAt <= now || entry.redirectUri !== form.get('redirect_uri')) {
      return oauthError(400, 'invalid_grant', 'code is invalid, expired or used');
    }
    const verifier = form.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== entry.challenge) {
      return oauthError(400, 'invalid_grant', 'PKCE verification failed');
    }
    // A new consent starts a new chain: the previous one is superseded.
    if (this.live) this.supersede(this.live);
    return this.issue();
  }

  private refresh(presented: string): DemoReply {
    if (presented !== '' && presented === this.live) {
      this.supersede(presented);
      return this.issue();
    }
    if (this.superseded.has(presented)) {
      // Reuse of a rotated refresh token: the chain is revoked, a person must consent again.
      if (this.live) this.supersede(this.live);
      this.live = undefined;
      return oauthError(400, 'invalid_grant', 'refresh token reuse detected; the grant is revoked');
    }
    return oauthError(400, 'invalid_grant', 'refresh token is invalid');
  }

  private supersede(refreshToken: string): void {
    if (this.superseded.size >= MAX_SUPERSEDED) this.superseded.delete(this.superseded.values().next().value!);
    this.superseded.add(refreshToken);
  }

  private issue(): DemoReply {
    this.live = token('demo-rt');
    const { accessSeconds } = this.options;
    return {
      status: 200,
      body: {
        access_token: token('demo-at'),
        token_type: 'Bearer',
        expires_in: accessSeconds,
        refresh_token: this.live,
      },
    };
  }
}
