import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AssertionClaims, signAssertion } from '../../core/assertion.js';
import { CLIENT_ASSERTION_TYPE } from '../../core/oauth-endpoint.js';
import { credentialsKeySigner } from '../../core/signers/credentials-key.js';
import { DEMO_SIGNING_KEY_FILE, loadDemoSigningKey } from '../../local/demo/demo-signing-key.js';
import { SignedClient } from '../../local/demo/signed-client.js';
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

describe('Okta family (the demo-okta provider: private_key_jwt)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'token-refresher-demo-key-'));
  const endpoint = () => `${server!.url}/okta/v1/token`;

  async function okta() {
    const key = await loadDemoSigningKey(dir);
    const client = new SignedClient(
      {
        clientId: 'svc',
        publicJwk: key.publicJwk,
        keyId: key.keyId,
        audience: endpoint,
        allowedScope: 'demo.read',
        accessSeconds: 300,
      },
      clock,
    );
    server = await startDemoIdp([{ provider: 'okta', path: '/okta/v1/token', handle: (r) => client.handle(r) }]);
    return key;
  }

  /** An assertion made the way the refresher makes it (core/assertion.ts with the credentials-key signer). */
  async function assertion(privateKeyPem: string, keyId: string, claims: Partial<AssertionClaims> = {}) {
    const signer = credentialsKeySigner({ private_key: privateKeyPem, private_key_id: keyId }, 'v1');
    if (!signer.ok) throw new Error(signer.error);
    const all = { iss: 'svc', sub: 'svc', aud: endpoint(), lifetimeSeconds: 60, ...claims };
    return signAssertion(signer.value, all, now, randomBytes(16), AbortSignal.timeout(1000));
  }

  const grant = (clientAssertion: string) =>
    post('/okta/v1/token', {
      grant_type: 'client_credentials',
      client_id: 'svc',
      scope: 'demo.read',
      client_assertion_type: CLIENT_ASSERTION_TYPE,
      client_assertion: clientAssertion,
    });

  it('keeps its ES256 key in the demo directory (0600) and reuses it at the next start', async () => {
    const key = await loadDemoSigningKey(dir);
    const path = join(dir, DEMO_SIGNING_KEY_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toBe(key.privateKeyPem);
    expect(key.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(key.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(await loadDemoSigningKey(dir)).toEqual(key);
  });

  it('grants client_credentials for an assertion signed with the registered key, once per jti', async () => {
    const key = await okta();
    const signed = await assertion(key.privateKeyPem, key.keyId);
    const granted = await grant(signed);
    expect(granted.status).toBe(200);
    expect(granted.body).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'demo.read' });
    const replayed = await grant(signed);
    expect(replayed).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(replayed.body.error_description).toMatch(/jti which was already used/);
    expect((await grant(await assertion(key.privateKeyPem, key.keyId))).status).toBe(200);
  });

  it('verifies the signature with the registered public key: another key under the same kid is invalid_client', async () => {
    const key = await okta();
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const other = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const forged = await grant(await assertion(other, key.keyId));
    expect(forged).toMatchObject({
      status: 401,
      body: { error: 'invalid_client', error_description: 'The client_assertion signature is invalid.' },
    });
    // A signature over other claims than those sent does not verify either.
    const [header, , signature] = (await assertion(key.privateKeyPem, key.keyId)).split('.');
    const claims = Buffer.from(JSON.stringify({ iss: 'svc', sub: 'svc', aud: endpoint(), exp: now / 1000 + 60 }));
    const tampered = await grant(`${header}.${claims.toString('base64url')}.${signature}`);
    expect(tampered.body.error_description).toBe('The client_assertion signature is invalid.');
  });

  it('rejects an unknown kid, a wrong audience, an expired assertion and a client secret', async () => {
    const key = await okta();
    const answers = [
      await grant(await assertion(key.privateKeyPem, 'not-registered')),
      await grant(await assertion(key.privateKeyPem, key.keyId, { aud: 'https://example.okta.com/oauth2/v1/token' })),
      await grant(
        await assertion(key.privateKeyPem, key.keyId, { lifetimeSeconds: 10 }).then((a) => ((now += 11_000), a)),
      ),
      await post('/okta/v1/token', { grant_type: 'client_credentials', client_id: 'svc', client_secret: 'x' }),
    ];
    expect(answers.map((a) => [a.status, a.body.error])).toEqual(Array(4).fill([401, 'invalid_client']));
    expect(answers.map((a) => a.body.error_description)).toEqual([
      'The client_assertion token has a kid which is not registered for this client.',
      'The audience claim for client_assertion must be the endpoint invoked for the request.',
      'The client_assertion token is expired.',
      'Client authentication failed: this client authenticates with private_key_jwt only.',
    ]);
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
