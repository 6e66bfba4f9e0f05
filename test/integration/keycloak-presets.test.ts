import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderEntry } from '../../providers/provider-entry.js';
import { type KeycloakLikeServer, startKeycloakLikeServer } from '../helpers/oidc-server.js';
import { OAuthTokenEndpoint } from '../../core/oauth-endpoint.js';
import { MemoryCredentials } from '../unit/lambda/fakes.js';
import { realWorld, settingsFor } from './harness.js';

/**
 * The three Keycloak presets against oidc-provider laid out like each vendor's realm, with refresh
 * token rotation and reuse detection on: what a password grant sends, how refresh renews, what
 * happens when the chain dies, and that a rejected password is sent once per credentials version.
 */
const presets: {
  name: string;
  realm: string;
  pathPrefix: string;
  clientId: string;
  entry: (tokenEndpoint: string) => ProviderEntry;
  firstGrantForm: Record<string, string>;
}[] = [
  {
    name: 'mediamelon',
    realm: 'mediamelon',
    pathPrefix: '',
    clientId: 'smartsight-backend',
    entry: (tokenEndpoint) => ({ id: 'mediamelon', preset: 'mediamelon', tokenEndpoint }),
    firstGrantForm: {
      grant_type: 'password',
      client_id: 'smartsight-backend',
      scope: 'openid',
      username: 'ops@example.com',
      password: 'pa ss&word=1',
    },
  },
  {
    name: 'movingimage',
    realm: 'platform',
    pathPrefix: '/auth',
    clientId: 'anonymous',
    entry: (tokenEndpoint) => ({ id: 'movingimage', preset: 'movingimage', tokenEndpoint }),
    firstGrantForm: {
      grant_type: 'password',
      client_id: 'anonymous',
      response_type: 'token',
      scope: 'openid',
      username: 'ops@example.com',
      password: 'pa ss&word=1',
    },
  },
  {
    name: 'nagra',
    realm: 'nagra',
    pathPrefix: '/keycloak/auth',
    clientId: 'crm_client',
    // NAGRA's token endpoint is built from baseUrl, exactly as in production.
    entry: (tokenEndpoint) => ({
      id: 'nagra',
      preset: 'nagra',
      baseUrl: new URL(tokenEndpoint).origin,
      clientId: 'crm_client',
    }),
    firstGrantForm: {
      grant_type: 'password',
      client_id: 'crm_client',
      username: 'ops@example.com',
      password: 'pa ss&word=1',
    },
  },
];

describe.each(presets)('$name preset against a Keycloak-like oidc-provider', (preset) => {
  let idp: KeycloakLikeServer;
  const credentials = () => new MemoryCredentials({ username: 'ops@example.com', password: 'pa ss&word=1' });

  beforeAll(async () => {
    idp = await startKeycloakLikeServer({
      realm: preset.realm,
      pathPrefix: preset.pathPrefix,
      clients: [{ clientId: preset.clientId, grants: ['password', 'refresh_token'] }],
      users: { 'ops@example.com': 'pa ss&word=1' },
      accessTtlSeconds: 300,
      refreshTtlSeconds: 1800,
      rotateRefreshTokens: true,
    });
  });
  afterAll(() => idp.close());

  it('sends the documented password grant first, with no Authorization header', async () => {
    const w = realWorld(settingsFor(preset.entry(idp.tokenEndpoint)), credentials());
    const before = idp.requests.length;

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'password' });
    const sent = idp.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.path).toBe(new URL(idp.tokenEndpoint).pathname);
    expect(sent[0]!.form).toEqual(preset.firstGrantForm);
    expect(sent[0]!.headers.authorization).toBeUndefined();
    expect(sent[0]!.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(w.tokenStore.token).toMatchObject({ token_type: 'Bearer', provider: preset.name });
    expect(w.tokenStore.token!.expires_at - w.tokenStore.token!.issued_at).toBe(300);
  });

  it('ignores the id_token Keycloak adds for scope=openid, whatever its issuer', async () => {
    const answers: string[] = [];
    const settings = settingsFor(preset.entry(idp.tokenEndpoint));
    const w = realWorld(settings, credentials());
    const recording = new OAuthTokenEndpoint(settings, async (url, init) => {
      const response = await fetch(url, init);
      answers.push(await response.clone().text());
      return response;
    });
    const { runRefresh } = await import('../../core/refresh.js');

    const { result } = await runRefresh({ ...w.deps, endpoint: recording }, { deadlineMs: Date.now() + 30_000 });

    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'password' });
    const idToken = (JSON.parse(answers[0]!) as { id_token?: string }).id_token;
    if (preset.firstGrantForm.scope === 'openid') {
      // The realm issuer is not the endpoint's origin: validating it would fail every grant.
      const claims = JSON.parse(Buffer.from(idToken!.split('.')[1]!, 'base64url').toString()) as { iss: string };
      expect(claims.iss).toBe(idp.issuer);
      expect(claims.iss).not.toBe(new URL(idp.tokenEndpoint).origin);
    } else {
      expect(idToken).toBeUndefined();
    }
  });

  it('renews with refresh_token (client_id and the token only) and persists the rotated refresh token', async () => {
    const w = realWorld(settingsFor(preset.entry(idp.tokenEndpoint)), credentials());
    await w.run();
    const first = w.stateStore.state!.refreshToken!;
    const before = idp.requests.length;
    w.writtenAgo(3600);

    const { result } = await w.run(true);

    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'refresh_token' });
    expect(idp.requests.slice(before).map((r) => r.form)).toEqual([
      { grant_type: 'refresh_token', refresh_token: first, client_id: preset.clientId },
    ]);
    expect(w.stateStore.state!.refreshToken).not.toBe(first);
    expect(w.tokenStore.writes).toHaveLength(2);
  });

  it('falls back to exactly one password grant when the session is gone', async () => {
    const w = realWorld(settingsFor(preset.entry(idp.tokenEndpoint)), credentials());
    await w.run();
    await idp.revokeAllSessions();
    const before = idp.requests.length;
    w.writtenAgo(3600);

    const { result } = await w.run(true);

    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'password' });
    expect(idp.requests.slice(before).map((r) => r.form.grant_type)).toEqual(['refresh_token', 'password']);
  });

  it('recovers with one password grant after reuse detection revoked the chain', async () => {
    const w = realWorld(settingsFor(preset.entry(idp.tokenEndpoint)), credentials());
    await w.run();
    const stale = w.stateStore.state!.refreshToken!;
    w.writtenAgo(3600);
    await w.run(true); // rotates; `stale` is now used up
    w.stateStore.state = { ...w.stateStore.state!, refreshToken: stale }; // e.g. a lost response
    const before = idp.requests.length;
    w.writtenAgo(3600);

    const { result } = await w.run(true);

    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'password' });
    expect(idp.requests.slice(before).map((r) => r.form.grant_type)).toEqual(['refresh_token', 'password']);
    expect(w.stateStore.state.refreshToken).not.toBe(stale);
  });

  it('sends a rejected password at most once per credentials version across many scheduled runs', async () => {
    const creds = new MemoryCredentials({ username: 'ops@example.com', password: 'wrong-password' });
    const w = realWorld(settingsFor(preset.entry(idp.tokenEndpoint)), creds);
    const before = idp.requests.length;

    const results = [];
    for (let i = 0; i < 10; i++) results.push((await w.run()).result);

    expect(idp.requests.slice(before).map((r) => r.form.grant_type)).toEqual(['password']);
    expect(results[0]!.error).toMatchObject({ kind: 'credentials', code: 'invalid_grant' });
    expect(results.slice(1).every((r) => r.error?.code === 'lockout_guard')).toBe(true);

    creds.rotate({ username: 'ops@example.com', password: 'pa ss&word=1' });
    const coolingDown = await w.run();
    expect(coolingDown.result.error).toMatchObject({ code: 'lockout_cooldown' });
    // Fifteen minutes later (the account lock a rejection may have caused has expired):
    w.stateStore.state = {
      ...w.stateStore.state!,
      guard: { ...w.stateStore.state!.guard!, at: Date.now() - 15 * 60_000 },
    };
    const fixed = await w.run();
    expect(fixed.result).toMatchObject({ outcome: 'refreshed', grant: 'password' });
    expect(idp.requests.slice(before)).toHaveLength(2);
  });
});

describe('Keycloak session end (short lifetimes)', () => {
  it('falls back to a password grant when the server says the refresh token is no longer active', async () => {
    const idp = await startKeycloakLikeServer({
      realm: 'short',
      clients: [{ clientId: 'cli', grants: ['password', 'refresh_token'] }],
      users: { u: 'p-1234' },
      // Long enough to publish (minValiditySeconds is 60), short enough to be due at once.
      accessTtlSeconds: 120,
      refreshTtlSeconds: 1,
    });
    try {
      const settings = settingsFor({
        id: 'short',
        preset: 'generic',
        tokenEndpoint: idp.tokenEndpoint,
        clientId: 'cli',
        grant: 'password',
        clientAuth: 'none',
        expectedLifetimeSeconds: 300,
      });
      const w = realWorld(settings, new MemoryCredentials({ username: 'u', password: 'p-1234' }));
      await w.run();
      // Forget refresh_expires_in, so the request goes out and the server itself decides.
      w.stateStore.state = { ...w.stateStore.state!, refreshExpiresAt: undefined };
      await new Promise((r) => setTimeout(r, 1500));
      const before = idp.requests.length;

      const { result } = await w.run(true);

      expect(result).toMatchObject({ outcome: 'refreshed', grant: 'password' });
      expect(idp.requests.slice(before).map((r) => r.form.grant_type)).toEqual(['refresh_token', 'password']);
    } finally {
      await idp.close();
    }
  });
});
