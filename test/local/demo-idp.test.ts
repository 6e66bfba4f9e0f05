import { afterEach, describe, expect, it } from 'vitest';
import { IdentityServerClient } from '../../local/demo/identity-server.js';
import { type DemoIdpServer, startDemoIdp } from '../../local/demo/idp-server.js';
import { KeycloakRealm } from '../../local/demo/keycloak-realm.js';
import { SpringClient } from '../../local/demo/spring-client.js';

/** The embedded demo's IdP families, over real HTTP, on a clock the test moves. */
let now = Date.parse('2026-06-01T12:00:00Z');
const clock = { now: () => now };
let server: DemoIdpServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const SECRET = `s3cret+/%3A:x "ü" <&'>`;

async function post(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(`${server!.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('Keycloak family (mediamelon, movingimage, nagra)', () => {
  const realm = () =>
    new KeycloakRealm(
      {
        clientId: 'app',
        username: 'demo-user',
        password: 'pw',
        accessSeconds: 300,
        idleSeconds: 1800,
        sessionMaxSeconds: 600,
      },
      clock,
    );

  it('rotates refresh tokens: a used one is rejected as "Stale token"', async () => {
    server = await startDemoIdp([{ provider: 'kc', path: '/t', handle: (r) => kc.handle(r) }]);
    const kc = realm();
    const granted = await post('/t', {
      grant_type: 'password',
      client_id: 'app',
      username: 'demo-user',
      password: 'pw',
    });
    expect(granted.status).toBe(200);
    expect(granted.body).toMatchObject({ token_type: 'Bearer', expires_in: 300, refresh_expires_in: 600 });

    const first = await post('/t', {
      grant_type: 'refresh_token',
      client_id: 'app',
      refresh_token: granted.body.refresh_token,
    });
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(granted.body.refresh_token);

    const reused = await post('/t', {
      grant_type: 'refresh_token',
      client_id: 'app',
      refresh_token: granted.body.refresh_token,
    });
    expect(reused).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'Stale token' } });
  });

  it('caps tokens at the session end and ends sessions on request', async () => {
    const kc = realm();
    server = await startDemoIdp([{ provider: 'kc', path: '/t', handle: (r) => kc.handle(r) }]);
    const granted = await post('/t', {
      grant_type: 'password',
      client_id: 'app',
      username: 'demo-user',
      password: 'pw',
    });
    now += 500_000;
    const late = await post('/t', {
      grant_type: 'refresh_token',
      client_id: 'app',
      refresh_token: granted.body.refresh_token,
    });
    expect(late.body).toMatchObject({ expires_in: 100, refresh_expires_in: 100 });
    kc.endSessions();
    const ended = await post('/t', {
      grant_type: 'refresh_token',
      client_id: 'app',
      refresh_token: late.body.refresh_token,
    });
    expect(ended.body).toEqual({ error: 'invalid_grant', error_description: 'Session not active' });
  });

  it('answers a wrong password with 401 invalid_grant and an unknown client with invalid_client', async () => {
    const kc = realm();
    server = await startDemoIdp([{ provider: 'kc', path: '/t', handle: (r) => kc.handle(r) }]);
    expect(
      await post('/t', { grant_type: 'password', client_id: 'app', username: 'demo-user', password: 'no' }),
    ).toEqual({
      status: 401,
      body: { error: 'invalid_grant', error_description: 'Invalid user credentials' },
    });
    expect(
      (await post('/t', { grant_type: 'password', client_id: 'other', username: 'demo-user', password: 'pw' })).body
        .error,
    ).toBe('invalid_client');
  });
});

describe('IdentityServer family (clickview)', () => {
  it('grants client_credentials with the secret in the body, a new token each time; a bad secret is a bare 400', async () => {
    const is = new IdentityServerClient({
      clientId: 'cv',
      clientSecret: SECRET,
      allowedScope: 'embed',
      accessSeconds: 360,
    });
    server = await startDemoIdp([{ provider: 'cv', path: '/connect/token', handle: (r) => is.handle(r) }]);
    const form = { grant_type: 'client_credentials', client_id: 'cv', client_secret: SECRET, scope: 'embed' };
    const a = await post('/connect/token', form);
    const b = await post('/connect/token', form);
    expect(a.body).toMatchObject({ token_type: 'Bearer', expires_in: 360, scope: 'embed' });
    expect(a.body).not.toHaveProperty('refresh_token');
    expect(b.body.access_token).not.toBe(a.body.access_token);
    expect(await post('/connect/token', { ...form, client_secret: 'wrong' })).toEqual({
      status: 400,
      body: { error: 'invalid_client' },
    });
    expect((await post('/connect/token', { ...form, scope: 'admin' })).body).toEqual({ error: 'invalid_scope' });
  });
});

describe('legacy Spring family (mediahound)', () => {
  const raw = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  const form = { grant_type: 'client_credentials', client_id: 'mh', client_secret: SECRET };

  it('needs the raw id:secret in Basic and the same in the body', async () => {
    const spring = new SpringClient({ clientId: 'mh', clientSecret: SECRET, accessSeconds: 300 }, clock);
    server = await startDemoIdp([{ provider: 'mh', path: '/oauth/token', handle: (r) => spring.handle(r) }]);
    expect((await post('/oauth/token', form, { authorization: raw('mh', SECRET) })).status).toBe(200);
    // RFC 6749's form-encoded Basic is what this server does not decode.
    const encoded = raw('mh', encodeURIComponent(SECRET));
    expect(await post('/oauth/token', form, { authorization: encoded })).toMatchObject({
      status: 401,
      body: { error: 'Unauthorized', message: 'Bad credentials' },
    });
    const { client_secret: _s, ...noBodySecret } = form;
    expect((await post('/oauth/token', noBodySecret, { authorization: raw('mh', SECRET) })).body.error).toBe(
      'invalid_client',
    );
  });

  it('hands back the same token with a smaller expires_in until it expires, then a new one', async () => {
    const spring = new SpringClient({ clientId: 'mh', clientSecret: SECRET, accessSeconds: 300 }, clock);
    server = await startDemoIdp([{ provider: 'mh', path: '/oauth/token', handle: (r) => spring.handle(r) }]);
    const auth = { authorization: raw('mh', SECRET) };
    const first = await post('/oauth/token', form, auth);
    expect(first.body).toMatchObject({ token_type: 'bearer', expires_in: 300 });
    now += 120_000;
    const again = await post('/oauth/token', form, auth);
    expect(again.body).toMatchObject({ access_token: first.body.access_token, expires_in: 180 });
    now += 180_000;
    const renewed = await post('/oauth/token', form, auth);
    expect(renewed.body.access_token).not.toBe(first.body.access_token);
    expect(renewed.body.expires_in).toBe(300);
  });
});

describe('the demo server', () => {
  it('refuses oversized bodies, other methods and unknown paths', async () => {
    const is = new IdentityServerClient({ clientId: 'cv', clientSecret: 'x', allowedScope: '', accessSeconds: 360 });
    server = await startDemoIdp([{ provider: 'cv', path: '/t', handle: (r) => is.handle(r) }]);
    const big = await fetch(`${server.url}/t`, { method: 'POST', body: 'a'.repeat(20_000) });
    expect(big.status).toBe(413);
    expect((await fetch(`${server.url}/t`)).status).toBe(405);
    expect((await fetch(`${server.url}/nope`, { method: 'POST' })).status).toBe(404);
  });
});
