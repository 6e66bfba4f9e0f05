import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderEntry } from '../../providers/provider-entry.js';
import { type KeycloakLikeServer, startKeycloakLikeServer } from '../helpers/oidc-server.js';
import {
  emptyBody,
  identityServerInvalidClient,
  keycloakRealmNotFound,
  keycloakSessionLimiterHtml,
  malformedOk,
  oauthError,
  okToken,
  type ScriptedServer,
  springBadCredentials,
  springSameToken,
  springXmlInvalidClient,
  startScriptedServer,
  tooManyRequests,
  unavailable,
  wafHtml,
} from '../helpers/scripted-server.js';
import { MemoryCredentials } from '../unit/lambda/fakes.js';
import { realWorld, settingsFor } from './harness.js';

/**
 * Behaviours oidc-provider cannot show, from a scripted endpoint on loopback: IdentityServer's bare
 * `invalid_client`, legacy Spring's same-token answers and error pages, HTML/XML/empty bodies,
 * 503/429 with Retry-After, timeouts and malformed 200s. Each goes through the real oauth4webapi
 * endpoint and the real core.
 */
let server: ScriptedServer;
beforeAll(async () => {
  server = await startScriptedServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

const clickview = (): ProviderEntry => ({
  id: 'clickview',
  preset: 'clickview',
  clientId: 'cv.client-id_1',
  tokenEndpoint: server.tokenEndpoint,
});
const mediahound = (): ProviderEntry => ({
  id: 'mediahound',
  preset: 'mediahound',
  clientId: 'mh.client-id_1',
  tokenEndpoint: server.tokenEndpoint,
});
const secret = () => new MemoryCredentials({ client_secret: 's3cr:et+/=%' });

describe('client_credentials presets: exact request shapes', () => {
  it('clickview: id and secret in the body only, scope smartembed.viewkey', async () => {
    server.reply(okToken({ expires_in: 86_400, scope: 'smartembed.viewkey' }));
    const w = realWorld(settingsFor(clickview()), secret());

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'client_credentials' });
    const [req] = server.requests;
    expect(req!.form).toEqual({
      grant_type: 'client_credentials',
      client_id: 'cv.client-id_1',
      client_secret: 's3cr:et+/=%',
      scope: 'smartembed.viewkey',
    });
    expect(req!.authorization).toBeUndefined();
    expect(w.tokenStore.token!.expires_at - w.tokenStore.token!.issued_at).toBe(86_400);
  });

  it('mediahound: raw Basic id:secret (not form-encoded) and the same in the body, Accept: application/json', async () => {
    server.reply(springSameToken('mh-token-1', 1_209_000));
    const w = realWorld(settingsFor(mediahound()), secret());

    await w.run();

    const [req] = server.requests;
    expect(req!.authorization).toBe(`Basic ${Buffer.from('mh.client-id_1:s3cr:et+/=%').toString('base64')}`);
    expect(req!.form).toEqual({
      grant_type: 'client_credentials',
      client_id: 'mh.client-id_1',
      client_secret: 's3cr:et+/=%',
    });
    expect(req!.headers.accept).toBe('application/json');
    expect(w.tokenStore.token).toMatchObject({ token_type: 'Bearer', scope: 'read' });
  });

  it('mediahound: the same token with the same expiry is not written again', async () => {
    // 600 s left is due for mediahound: the second run asks again and gets the same token back.
    server.reply(springSameToken('mh-token-1', 600), springSameToken('mh-token-1', 600));
    const w = realWorld(settingsFor(mediahound()), secret());

    await w.run();
    const second = await w.run();

    expect(second.result).toMatchObject({ outcome: 'refreshed' });
    expect(w.tokenStore.writes).toHaveLength(1);
    expect(server.requests).toHaveLength(2);
  });

  it('renews client_credentials tokens with a new grant, never a refresh', async () => {
    server.reply(
      okToken({ access_token: 'cv-1', expires_in: 86_400 }),
      okToken({ access_token: 'cv-2', expires_in: 86_400 }),
    );
    const w = realWorld(settingsFor(clickview()), secret());

    await w.run();
    w.writtenAgo(3600);
    await w.run(true);

    expect(server.requests.map((r) => r.form.grant_type)).toEqual(['client_credentials', 'client_credentials']);
    expect(w.tokenStore.token!.access_token).toBe('cv-2');
  });
});

describe('rejected credentials from non-Keycloak servers engage the lockout guard', () => {
  it.each([
    [
      'IdentityServer 400 {"error":"invalid_client"} with no description',
      identityServerInvalidClient(),
      'invalid_client',
    ],
    ['Spring Boot 401 error JSON with WWW-Authenticate', springBadCredentials(), 'http_401'],
    ['Spring XML <oauth><error>invalid_client', springXmlInvalidClient(), 'invalid_client'],
    ['Keycloak session limiter 403 HTML page', keycloakSessionLimiterHtml(), 'http_403'],
  ])('%s', async (_name, reply, code) => {
    server.setDefault(reply);
    const w = realWorld(settingsFor(clickview()), secret());

    const first = await w.run();
    const second = await w.run();
    const third = await w.run(true);

    expect(first.result.error).toMatchObject({ kind: 'credentials', code });
    expect([second.result.error?.code, third.result.error?.code]).toEqual(['lockout_guard', 'lockout_guard']);
    expect(server.requests).toHaveLength(1);
  });
});

describe('an OAuth rejection inside a 503, 429 or 408 is sent once per credentials version', () => {
  it.each([503, 429, 408])('Keycloak password grant answered %i invalid_grant', async (status) => {
    server.setDefault({
      ...oauthError(status, 'invalid_grant', 'Invalid user credentials'),
      headers: { 'retry-after': '1' },
    });
    const credentials = new MemoryCredentials({ username: 'svc-user', password: 'pw-Secret-1' }, 'v7');
    const w = realWorld(
      settingsFor({ id: `mm-${status}`, preset: 'mediamelon', tokenEndpoint: server.tokenEndpoint }),
      credentials,
    );

    const first = await w.run();
    const sentInFirstRun = server.requests.length;
    const second = await w.run();
    const forced = await w.run(true);

    expect(sentInFirstRun).toBe(1);
    expect(server.requests[0]!.form).toMatchObject({ grant_type: 'password', username: 'svc-user' });
    expect(first.result.error).toMatchObject({ kind: 'credentials', code: 'invalid_grant' });
    expect(w.stateStore.state!.guard).toMatchObject({ credentialsVersion: 'v7', code: 'invalid_grant' });
    expect([second.result.error?.code, forced.result.error?.code]).toEqual(['lockout_guard', 'lockout_guard']);
    expect(server.requests).toHaveLength(1);
  });
});

/** Every preset, pointed at the scripted endpoint. */
const allPresets = (): [string, ProviderEntry, MemoryCredentials][] => [
  [
    'mediamelon',
    { id: 'mediamelon', preset: 'mediamelon', tokenEndpoint: server.tokenEndpoint },
    new MemoryCredentials(),
  ],
  [
    'movingimage',
    { id: 'movingimage', preset: 'movingimage', tokenEndpoint: server.tokenEndpoint },
    new MemoryCredentials(),
  ],
  [
    'nagra',
    { id: 'nagra', preset: 'nagra', tokenEndpoint: server.tokenEndpoint, clientId: 'crm_client' },
    new MemoryCredentials(),
  ],
  ['clickview', clickview(), secret()],
  ['mediahound', mediahound(), secret()],
];
const presetNames = ['mediamelon', 'movingimage', 'nagra', 'clickview', 'mediahound'] as const;
const preset = (name: string) => allPresets().find(([n]) => n === name)!;

describe.each(presetNames)('%s: transient failures leave the published token untouched', (name) => {
  it.each([
    ['503 with Retry-After', () => unavailable('1')],
    ['429 with Retry-After', () => tooManyRequests('1')],
    ['502 HTML from a gateway', () => wafHtml(502)],
    ['empty 503', () => emptyBody(503)],
  ])('%s', async (_kind, reply) => {
    const [, entry, creds] = preset(name);
    // Already due (120 s left, more than minValidity): the run renews whatever the forced-run budget says.
    server.reply(okToken({ access_token: `${name}-good`, refresh_token: `${name}-rt`, expires_in: 120 }));
    const w = realWorld(settingsFor({ ...entry, maxAttempts: 1 }), creds);
    await w.run();
    const published = w.tokenStore.token;
    server.setDefault(reply());

    const { result } = await w.run(true);

    expect(result.error).toMatchObject({ kind: 'transient' });
    expect(result.expiresAt).toBe(published!.expires_at);
    expect(w.tokenStore.token).toBe(published);
    expect(w.tokenStore.writes).toHaveLength(1);
  });
});

describe('transient failures: in-run retries', () => {
  it('retries within the run up to maxAttempts, then reports', async () => {
    server.reply(okToken({ access_token: 'good-1', expires_in: 86_400 }));
    const w = realWorld(settingsFor({ ...clickview(), maxAttempts: 2 }), secret());
    await w.run();
    server.setDefault(unavailable('1'));
    w.writtenAgo(3600);

    const { result } = await w.run(true);

    expect(result.error).toMatchObject({ kind: 'transient', code: 'http_503' });
    expect(server.requests).toHaveLength(3);
  });

  it('a 503 then a token: the in-run retry succeeds after Retry-After', async () => {
    server.reply(unavailable('1'), okToken({ access_token: 'after-retry' }));
    const w = realWorld(settingsFor(clickview()), secret());

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'refreshed' });
    expect(server.requests[1]!.timestamp - server.requests[0]!.timestamp).toBeGreaterThanOrEqual(950);
  });

  it('times out a hanging endpoint per request', async () => {
    server.setDefault({ ...okToken(), delayMs: 3000 });
    const w = realWorld(settingsFor({ ...clickview(), requestTimeoutSeconds: 1, maxAttempts: 1 }), secret());

    const { result } = await w.run();

    expect(result.error).toEqual({
      kind: 'transient',
      code: 'timeout',
      description: 'client_credentials grant: no answer within 1 s',
    });
  });

  it('reports a connection that breaks in the middle of the answer as transient, not as a bug', async () => {
    const { createServer } = await import('node:http');
    const breaking = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      res.write('{"access_token":"half');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    await new Promise<void>((r) => breaking.listen(0, '127.0.0.1', r));
    const { port } = breaking.address() as { port: number };
    try {
      const w = realWorld(
        settingsFor({ ...clickview(), tokenEndpoint: `http://127.0.0.1:${port}/token`, maxAttempts: 3 }),
        secret(),
      );

      const { result } = await w.run();

      expect(result.error).toMatchObject({ kind: 'transient', code: 'network_error' });
      // The grant may have been processed: it is not sent again in this run, and it is on record.
      expect(w.stateStore.state!.pendingPrimary).toBeDefined();
    } finally {
      breaking.closeAllConnections();
      await new Promise((r) => breaking.close(r));
    }
  });

  it('does not resend a password after a gateway error, and waits before the next attempt', async () => {
    server.setDefault({ status: 502, body: '<html>Bad Gateway</html>', headers: { 'content-type': 'text/html' } });
    const w = realWorld(
      settingsFor({ id: 'mm', preset: 'mediamelon', tokenEndpoint: server.tokenEndpoint }),
      new MemoryCredentials(),
    );

    const runs = [];
    for (let i = 0; i < 5; i++) runs.push((await w.run()).result);

    expect(server.requests).toHaveLength(1);
    expect(runs[0]!.error).toMatchObject({ kind: 'transient', code: 'http_502' });
    expect(runs.slice(1).every((r) => r.error?.code === 'unconfirmed_attempt')).toBe(true);
  });

  it('reports a refused connection as transient', async () => {
    const w = realWorld(
      settingsFor({ ...clickview(), tokenEndpoint: 'http://127.0.0.1:1/token', maxAttempts: 1 }),
      secret(),
    );

    const { result } = await w.run();

    expect(result.error).toMatchObject({ kind: 'transient', code: 'network_error' });
  });
});

describe.each(presetNames)('%s: malformed 200 answers store nothing', (name) => {
  it.each(['no-access-token', 'bad-expires-in', 'not-json', 'empty'] as const)('%s', async (kind) => {
    const [, entry, creds] = preset(name);
    server.setDefault(malformedOk(kind));
    const w = realWorld(settingsFor(entry), creds);

    const { result } = await w.run();

    expect(result.error).toMatchObject({ kind: 'invalid-response' });
    expect(w.tokenStore.writes).toEqual([]);
    expect(w.stateStore.writes.every((s) => s.refreshToken === undefined)).toBe(true);
  });
});

describe('configuration errors', () => {
  it("Keycloak's 404 for an unknown realm is reported and not retried by the schedule", async () => {
    server.setDefault(keycloakRealmNotFound());
    const w = realWorld(
      settingsFor({ id: 'mm', preset: 'mediamelon', tokenEndpoint: server.tokenEndpoint }),
      new MemoryCredentials(),
    );

    const first = await w.run();
    const second = await w.run();

    expect(first.result.error).toMatchObject({
      kind: 'configuration',
      description: expect.stringContaining('Realm does not exist'),
    });
    expect(second.result.error).toMatchObject({ kind: 'configuration' });
    expect(server.requests).toHaveLength(1);
  });
});

describe('clickview against oidc-provider (a real client_secret_post client)', () => {
  let idp: KeycloakLikeServer;
  beforeAll(async () => {
    idp = await startKeycloakLikeServer({
      clients: [
        {
          clientId: 'cv-client',
          secret: 'cv-secret-value',
          grants: ['client_credentials'],
          auth: 'client_secret_post',
        },
      ],
      scopes: ['smartembed.viewkey'],
      accessTtlSeconds: 86_400,
    });
  });
  afterAll(() => idp.close());

  it('gets a token, and a wrong secret engages the guard', async () => {
    const good = realWorld(
      settingsFor({ id: 'cv', preset: 'clickview', clientId: 'cv-client', tokenEndpoint: idp.tokenEndpoint }),
      new MemoryCredentials({ client_secret: 'cv-secret-value' }),
    );
    const bad = realWorld(
      settingsFor({ id: 'cv', preset: 'clickview', clientId: 'cv-client', tokenEndpoint: idp.tokenEndpoint }),
      new MemoryCredentials({ client_secret: 'wrong-secret' }),
    );

    expect((await good.run()).result).toMatchObject({ outcome: 'refreshed', grant: 'client_credentials' });
    expect(good.tokenStore.token).toMatchObject({ scope: 'smartembed.viewkey' });
    expect((await bad.run()).result.error).toMatchObject({ kind: 'credentials', code: 'invalid_client' });
    expect((await bad.run()).result.error).toMatchObject({ code: 'lockout_guard' });
  });
});

describe('oversized and pathological answers fail fast as what they are', () => {
  const pathological = `<html>${'<'.repeat(310_000)}`;

  it.each([
    [
      'a 401 page of 300 KB of unclosed <',
      { status: 401, headers: { 'content-type': 'text/html' }, body: pathological },
    ],
    ['a 200 of 300 KB', { status: 200, body: `{"access_token":"${'a'.repeat(310_000)}","token_type":"Bearer"}` }],
    ['a 500 without content-length', { status: 500, headers: { 'transfer-encoding': 'chunked' }, body: pathological }],
  ])('%s: invalid-response body_too_large, in well under the run time', async (_name, reply) => {
    server.reply(reply);
    const w = realWorld(settingsFor({ ...clickview(), maxAttempts: 1 }), secret());
    const started = performance.now();

    const { result } = await w.run();

    expect(performance.now() - started).toBeLessThan(2000);
    expect(result.error).toMatchObject({ kind: 'invalid-response', code: 'body_too_large' });
    // The IdP may have counted the attempt: the same secret waits out the spacing.
    expect(w.stateStore.state!.pendingPrimary).toBeDefined();
  });

  it('reads an answer just under the limit', async () => {
    server.reply(okToken({ access_token: 'cv-big', expires_in: 86_400, padding: 'x'.repeat(60_000) }));
    const w = realWorld(settingsFor(clickview()), secret());

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'refreshed' });
    expect(w.tokenStore.token!.access_token).toBe('cv-big');
  });
});

describe('2xx answers that are not tokens do not bypass the lockout rules', () => {
  it('a 200 {"error":"invalid_client"} engages the guard; a 200 login page holds the secret 15 minutes', async () => {
    server.reply({ status: 200, body: { error: 'invalid_client', error_description: 'Bad client credentials' } });
    const rejected = realWorld(settingsFor(clickview()), secret());
    const first = await rejected.run();
    const again = await rejected.run(true);

    server.reply({
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: '<html><title>Sign in</title></html>',
    });
    const page = realWorld(settingsFor({ ...clickview(), id: 'clickview-2' }), secret());
    const login = await page.run();
    const held = await page.run(true);

    expect(first.result.error).toMatchObject({ kind: 'credentials', code: 'invalid_client' });
    expect(again.result.error).toMatchObject({ kind: 'credentials', code: 'lockout_guard' });
    expect(login.result.error).toMatchObject({ kind: 'invalid-response', code: 'not_json' });
    expect(held.result.error).toMatchObject({ kind: 'transient', code: 'unconfirmed_attempt' });
    expect(server.requests).toHaveLength(2);
  });
});
