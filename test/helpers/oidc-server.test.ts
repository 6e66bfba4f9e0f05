import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KeycloakLikeServer, startKeycloakLikeServer } from './oidc-server.js';

type TokenBody = Record<string, unknown> & { refresh_token?: string; error?: string; error_description?: string };

async function post(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { accept: 'application/json', ...headers },
    body: new URLSearchParams(form),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as TokenBody };
}

function jwtPayload(jwt: unknown): Record<string, unknown> {
  const part = String(jwt).split('.')[1] ?? '';
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('startKeycloakLikeServer', () => {
  let kc: KeycloakLikeServer;
  const password = (scope = 'openid') =>
    post(kc.tokenEndpoint, {
      grant_type: 'password',
      client_id: 'public-cli',
      username: 'alice',
      password: 'wonderland',
      scope,
      response_type: 'token',
    });
  const refresh = (refreshToken: string) =>
    post(kc.tokenEndpoint, { grant_type: 'refresh_token', client_id: 'public-cli', refresh_token: refreshToken });

  beforeAll(async () => {
    kc = await startKeycloakLikeServer({
      realm: 'platform',
      pathPrefix: '/auth',
      clients: [
        { clientId: 'public-cli', grants: ['password', 'refresh_token'] },
        { clientId: 'svc-post', secret: 's3cret', grants: ['client_credentials'], auth: 'client_secret_post' },
      ],
      users: { alice: 'wonderland' },
      scopes: ['api:read'],
    });
  });
  afterAll(() => kc.close());

  it('uses the Keycloak URL layout for issuer, token endpoint and discovery', async () => {
    expect(kc.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\/realms\/platform$/);
    expect(kc.tokenEndpoint).toBe(`${kc.issuer}/protocol/openid-connect/token`);
    const discovery = (await (await fetch(`${kc.issuer}/.well-known/openid-configuration`)).json()) as TokenBody;
    expect(discovery).toMatchObject({ issuer: kc.issuer, token_endpoint: kc.tokenEndpoint });
  });

  it('password grant answers with the Keycloak body and an id_token from the realm issuer', async () => {
    const { status, body } = await password('openid api:read');
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual([
      'access_token',
      'expires_in',
      'refresh_expires_in',
      'refresh_token',
      'token_type',
      'id_token',
      'not-before-policy',
      'session_state',
      'scope',
    ]);
    expect(body).toMatchObject({
      expires_in: 300,
      refresh_expires_in: 1800,
      token_type: 'Bearer',
      'not-before-policy': 0,
      scope: 'openid api:read',
    });
    expect(jwtPayload(body.id_token)).toMatchObject({ iss: kc.issuer, aud: 'public-cli', sub: 'alice' });
  });

  it('wrong password and unknown user give 401 invalid_grant "Invalid user credentials"', async () => {
    for (const form of [
      { username: 'alice', password: 'nope' },
      { username: 'mallory', password: 'wonderland' },
    ]) {
      const res = await post(kc.tokenEndpoint, { grant_type: 'password', client_id: 'public-cli', ...form });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'invalid_grant', error_description: 'Invalid user credentials' });
      expect(res.headers.get('www-authenticate')).toBeNull();
    }
  });

  it('setPassword changes what the password grant accepts', async () => {
    kc.setPassword('alice', 'changed');
    try {
      expect((await password()).status).toBe(401);
    } finally {
      kc.setPassword('alice', 'wonderland');
    }
    expect((await password()).status).toBe(200);
  });

  it('refresh rotates; reusing the old token is invalid_grant and kills the new one too', async () => {
    const first = (await password()).body.refresh_token!;
    const rotated = await refresh(first);
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ token_type: 'Bearer', refresh_expires_in: 1800, 'not-before-policy': 0 });
    expect(rotated.body.id_token).toBeTypeOf('string');
    const second = rotated.body.refresh_token!;
    expect(second).not.toBe(first);

    const reuse = await refresh(first);
    expect(reuse.status).toBe(400);
    expect(reuse.body).toMatchObject({ error: 'invalid_grant', error_description: 'Stale token' });

    const afterReuse = await refresh(second);
    expect(afterReuse.status).toBe(400);
    expect(afterReuse.body).toMatchObject({ error: 'invalid_grant', error_description: 'Session not active' });
  });

  it('an unknown refresh token is "Invalid refresh token"', async () => {
    const res = await refresh('garbage');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_grant', error_description: 'Invalid refresh token' });
  });

  it('revokeAllSessions makes the next refresh fail with invalid_grant', async () => {
    const rt = (await password()).body.refresh_token!;
    await kc.revokeAllSessions();
    const res = await refresh(rt);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
  });

  it('client_credentials with client_secret_post works; a wrong secret is 401 invalid_client', async () => {
    const ok = await post(kc.tokenEndpoint, {
      grant_type: 'client_credentials',
      client_id: 'svc-post',
      client_secret: 's3cret',
      scope: 'api:read',
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'api:read' });
    expect(ok.body.access_token).toBeTypeOf('string');

    const bad = await post(kc.tokenEndpoint, {
      grant_type: 'client_credentials',
      client_id: 'svc-post',
      client_secret: 'wrong',
    });
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({
      error: 'invalid_client',
      error_description: 'Invalid client or Invalid client credentials',
    });
  });

  it('records every token request with its exact form fields', async () => {
    const before = kc.requests.length;
    await password('openid');
    const recorded = kc.requests.slice(before);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      method: 'POST',
      path: '/auth/realms/platform/protocol/openid-connect/token',
      form: {
        grant_type: 'password',
        client_id: 'public-cli',
        username: 'alice',
        password: 'wonderland',
        scope: 'openid',
        response_type: 'token',
      },
    });
    expect(recorded[0]?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(recorded[0]?.rawBody).toContain('grant_type=password');
    expect(recorded[0]?.timestamp).toBeGreaterThan(Date.now() - 10_000);
  });
});

describe('startKeycloakLikeServer options', () => {
  it('sessionMaxSeconds caps both expiries; without rotation the same refresh token comes back', async () => {
    const kc = await startKeycloakLikeServer({
      clients: [{ clientId: 'cli', grants: ['password', 'refresh_token'] }],
      users: { bob: 'pw' },
      sessionMaxSeconds: 60,
      rotateRefreshTokens: false,
    });
    try {
      const granted = await post(kc.tokenEndpoint, {
        grant_type: 'password',
        client_id: 'cli',
        username: 'bob',
        password: 'pw',
      });
      expect(granted.body).toMatchObject({ expires_in: 60, refresh_expires_in: 60 });
      const rt = granted.body.refresh_token!;
      for (let i = 0; i < 2; i++) {
        const res = await post(kc.tokenEndpoint, { grant_type: 'refresh_token', client_id: 'cli', refresh_token: rt });
        expect(res.status).toBe(200);
        expect(res.body.refresh_token).toBe(rt);
        expect(res.body.session_state).toBe(granted.body.session_state);
      }
    } finally {
      await kc.close();
    }
  });

  it('accepts client_secret_basic with RFC 6749 form-encoded credentials', async () => {
    const kc = await startKeycloakLikeServer({
      clients: [{ clientId: 'svc.basic-1', secret: 'p@ss:w/rd', grants: ['client_credentials'] }],
    });
    try {
      const encode = (s: string) =>
        encodeURIComponent(s).replace(/[-_.!~*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
      const basic = `Basic ${Buffer.from(`${encode('svc.basic-1')}:${encode('p@ss:w/rd')}`).toString('base64')}`;
      const res = await post(kc.tokenEndpoint, { grant_type: 'client_credentials' }, { authorization: basic });
      expect(res.status).toBe(200);
      expect(kc.requests[0]?.authorization).toBe(basic);
    } finally {
      await kc.close();
    }
  });

  it('an expired refresh token gives invalid_grant "Token is not active"', async () => {
    const kc = await startKeycloakLikeServer({
      clients: [{ clientId: 'cli', grants: ['password', 'refresh_token'] }],
      users: { bob: 'pw' },
      accessTtlSeconds: 1,
      refreshTtlSeconds: 1,
    });
    try {
      const granted = await post(kc.tokenEndpoint, {
        grant_type: 'password',
        client_id: 'cli',
        username: 'bob',
        password: 'pw',
      });
      expect(granted.body).toMatchObject({ expires_in: 1, refresh_expires_in: 1, scope: '' });
      expect(granted.body.id_token).toBeUndefined();
      await new Promise((r) => setTimeout(r, 2100));
      const res = await post(kc.tokenEndpoint, {
        grant_type: 'refresh_token',
        client_id: 'cli',
        refresh_token: granted.body.refresh_token!,
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'invalid_grant', error_description: 'Token is not active' });
    } finally {
      await kc.close();
    }
  });
});
