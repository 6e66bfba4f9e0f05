import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConsentClient } from '../../local/demo/consent-client.js';

/** The demo's consent-screen IdP (local/demo/consent-client.ts), called directly on a clock the test moves. */
let now = Date.parse('2026-06-01T12:00:00Z');
const clock = { now: () => now };
const CLIENT = 'demo-desktop-app';
const VERIFIER = 'v'.repeat(43);
const REDIRECT = 'http://127.0.0.1:4711/callback';

function authorization(overrides: Record<string, string> = {}) {
  return new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT,
    redirect_uri: REDIRECT,
    state: 'st<"&>',
    code_challenge: createHash('sha256').update(VERIFIER).digest('base64url'),
    code_challenge_method: 'S256',
    ...overrides,
  });
}

function consent(client: ConsentClient, overrides: Record<string, string> = {}) {
  const form = authorization(overrides);
  form.set('consent', 'allow');
  const reply = client.approve({ form });
  return { reply, location: new URL(reply.headers?.location ?? 'http://none/') };
}

const exchange = (client: ConsentClient, code: string, verifier = VERIFIER) =>
  client.handle({
    form: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: CLIENT,
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT,
    }),
  });
const refresh = (client: ConsentClient, token: string) =>
  client.handle({
    form: new URLSearchParams({ grant_type: 'refresh_token', client_id: CLIENT, refresh_token: token }),
  });
const rt = (reply: { body: unknown }) => (reply.body as { refresh_token: string }).refresh_token;

describe("the demo's consent screen (demo-connected)", () => {
  it('shows one button that posts the request back, escaped, and refuses a request without PKCE S256', () => {
    const client = new ConsentClient({ clientId: CLIENT, accessSeconds: 300 }, clock);
    const page = client.consentPage(authorization());
    expect(page.status).toBe(200);
    expect(page.body).toContain('<form method="post">');
    expect(page.body).toContain('value="st&lt;&quot;&amp;&gt;"');
    expect(page.body).toMatch(/<button type="submit" name="consent" value="allow">Allow<\/button>/);
    expect(client.consentPage(authorization({ code_challenge_method: 'plain' })).status).toBe(400);
    expect(client.consentPage(authorization({ redirect_uri: 'https://attacker.example/cb' })).status).toBe(400);
  });

  it('redirects with a one-time code and the state; the code needs its PKCE verifier', () => {
    const client = new ConsentClient({ clientId: CLIENT, accessSeconds: 300 }, clock);
    const { reply, location } = consent(client);
    expect(reply.status).toBe(302);
    expect(location.origin + location.pathname).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('st<"&>');
    const code = location.searchParams.get('code')!;
    expect(exchange(client, code, 'w'.repeat(43)).status).toBe(400);
    // The failed attempt used the code up, as a one-time code must be.
    expect(exchange(client, code).status).toBe(400);
    const second = consent(client).location.searchParams.get('code')!;
    now += 61_000;
    expect(exchange(client, second).status).toBe(400);
    const third = consent(client).location.searchParams.get('code')!;
    const ok = exchange(client, third);
    expect(ok.status).toBe(200);
    expect(rt(ok)).toMatch(/^demo-rt-/);
  });

  it('rotates the refresh token, and a superseded one revokes the chain (reuse detection)', () => {
    const client = new ConsentClient({ clientId: CLIENT, accessSeconds: 300 }, clock);
    const first = rt(exchange(client, consent(client).location.searchParams.get('code')!));
    const second = refresh(client, first);
    expect(second.status).toBe(200);
    expect(rt(second)).not.toBe(first);
    expect(refresh(client, first)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    // The chain is revoked: even the newest refresh token is refused now.
    expect(refresh(client, rt(second))).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('bounds the codes not yet exchanged', () => {
    const client = new ConsentClient({ clientId: CLIENT, accessSeconds: 300 }, clock);
    const statuses = Array.from({ length: 40 }, () => consent(client).reply.status);
    expect(statuses.filter((s) => s === 302)).toHaveLength(32);
    expect(statuses.at(-1)).toBe(503);
  });
});
