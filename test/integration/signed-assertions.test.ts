import { generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { runRefresh } from '../../core/refresh.js';
import type { ProviderEntry } from '../../providers/provider-entry.js';
import {
  JWT_BEARER,
  type KeycloakLikeClient,
  type KeycloakLikeOptions,
  type KeycloakLikeServer,
  startKeycloakLikeServer,
} from '../helpers/oidc-server.js';
import { MemoryCredentials } from '../unit/lambda/fakes.js';
import { realWorld, settingsFor } from './harness.js';

/**
 * Signed assertions against a real OpenID provider on loopback (oidc-provider): private_key_jwt and
 * client_secret_jwt for every grant that authenticates the client, and the JWT bearer grant through
 * the provider's custom grant hook. The provider verifies every signature with the key registered for
 * the client and refuses a `jti` it has seen; our code never verifies its own assertions here.
 */

const servers: KeycloakLikeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(clients: KeycloakLikeClient[], options: KeycloakLikeOptions = {}) {
  const server = await startKeycloakLikeServer({ accessTtlSeconds: 3600, clients, scopes: ['api'], ...options });
  servers.push(server);
  return server;
}

interface Key {
  readonly privateKey: KeyObject;
  readonly jwk: JsonWebKey;
}

function rsaKey(kid: string): Key {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid } };
}

function ecKey(kid: string): Key {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid } };
}

const pem = (key: Key, type: 'pkcs8' | 'pkcs1' | 'sec1') => key.privateKey.export({ format: 'pem', type }) as string;

/** The claims of a compact JWS, read as the server got it. */
function claims(jws: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(jws!.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}
function header(jws: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(jws!.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function entry(server: KeycloakLikeServer, fields: Partial<ProviderEntry>): ProviderEntry {
  return {
    id: 'signed',
    preset: 'generic',
    tokenEndpoint: server.tokenEndpoint,
    clientId: 'svc',
    grant: 'client_credentials',
    clientAuth: 'private_key_jwt',
    useRefreshToken: false,
    expectedLifetimeSeconds: 3600,
    maxAttempts: 3,
    signingKey: 'credentials',
    ...fields,
  };
}

describe('private_key_jwt against oidc-provider', () => {
  it.each([
    ['RS256, a PKCS#1 PEM', () => rsaKey('rsa-1'), 'pkcs1' as const, 'RS256'],
    ['RS256, a PKCS#8 PEM', () => rsaKey('rsa-8'), 'pkcs8' as const, 'RS256'],
    ['ES256, a SEC1 PEM', () => ecKey('ec-1'), 'sec1' as const, 'ES256'],
  ])('client_credentials with %s: the provider verifies the assertion', async (_name, make, type, alg) => {
    const key = make();
    const server = await serve([
      { clientId: 'svc', grants: ['client_credentials'], auth: 'private_key_jwt', jwks: { keys: [key.jwk] } },
    ]);
    const w = realWorld(
      settingsFor(entry(server, {})),
      new MemoryCredentials({ private_key: pem(key, type), private_key_id: String(key.jwk.kid) }),
    );

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'client_credentials' });
    const [sent] = server.requests;
    expect(sent!.form).toMatchObject({
      grant_type: 'client_credentials',
      client_id: 'svc',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    });
    expect(sent!.authorization).toBeUndefined();
    expect(header(sent!.form.client_assertion)).toEqual({ alg, typ: 'JWT', kid: key.jwk.kid });
    const c = claims(sent!.form.client_assertion);
    expect(c).toMatchObject({ iss: 'svc', sub: 'svc', aud: server.tokenEndpoint });
    expect((c.exp as number) - (c.iat as number)).toBe(60);
    expect(String(c.jti)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('the password grant, then the refresh_token grant, each with its own assertion', async () => {
    const key = rsaKey('pw');
    const server = await serve([
      { clientId: 'svc', grants: ['password', 'refresh_token'], auth: 'private_key_jwt', jwks: { keys: [key.jwk] } },
    ]);
    const settings = settingsFor(entry(server, { grant: 'password', useRefreshToken: true }));
    const w = realWorld(
      settings,
      new MemoryCredentials({ username: 'alice', password: 'wonderland', private_key: pem(key, 'pkcs8') }),
    );

    expect((await w.run()).result).toMatchObject({ outcome: 'refreshed', grant: 'password' });
    w.writtenAgo(3600);
    expect((await w.run(true)).result).toMatchObject({ outcome: 'refreshed', grant: 'refresh_token' });

    expect(server.requests.map((r) => r.form.grant_type)).toEqual(['password', 'refresh_token']);
    const jtis = server.requests.map((r) => claims(r.form.client_assertion).jti);
    expect(new Set(jtis).size).toBe(2);
  });

  it('a retry inside a run carries a new jti, which the provider accepts after spending the first', async () => {
    const key = ecKey('retry');
    const server = await serve(
      [{ clientId: 'svc', grants: ['client_credentials'], auth: 'private_key_jwt', jwks: { keys: [key.jwk] } }],
      // The provider handled the first request (its jti is spent), then a gateway answered 503.
      { overrideAnswer: (i) => (i === 0 ? { status: 503, body: { error: 'temporarily_unavailable' } } : undefined) },
    );
    const w = realWorld(settingsFor(entry(server, {})), new MemoryCredentials({ private_key: pem(key, 'pkcs8') }));

    const { result, attempts } = await w.run();

    expect(result).toMatchObject({ outcome: 'refreshed' });
    expect(attempts.map((a) => a.outcome)).toEqual(['transient', 'ok']);
    const [first, second] = server.requests.map((r) => r.form.client_assertion);
    expect(first).not.toBe(second);
    expect(claims(second).jti).not.toBe(claims(first).jti);
  });

  it('a wrong audience is invalid_client: the guard engages and the next run sends nothing with the same key', async () => {
    const key = rsaKey('aud');
    const server = await serve([
      { clientId: 'svc', grants: ['client_credentials'], auth: 'private_key_jwt', jwks: { keys: [key.jwk] } },
    ]);
    const settings = settingsFor(entry(server, { signingKey: 'credentials', assertion: { audience: 'https://x/t' } }));
    const w = realWorld(settings, new MemoryCredentials({ private_key: pem(key, 'pkcs8') }));

    const first = await w.run();
    const second = await w.run(true);

    expect(first.result).toMatchObject({ outcome: 'failed', error: { kind: 'credentials', code: 'invalid_client' } });
    expect(first.guardEngaged).toBe(true);
    expect(second.result).toMatchObject({ outcome: 'failed', error: { code: 'lockout_guard' } });
    expect(second.guardEngaged).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    ['5 s ahead', 5_000],
    ['5 s behind', -5_000],
  ])('works with the function clock %s of the IdP', async (_name, skewMs) => {
    const key = rsaKey('skew');
    const server = await serve([
      { clientId: 'svc', grants: ['client_credentials'], auth: 'private_key_jwt', jwks: { keys: [key.jwk] } },
    ]);
    const w = realWorld(settingsFor(entry(server, {})), new MemoryCredentials({ private_key: pem(key, 'pkcs8') }));
    const clock = { now: () => Date.now() + skewMs };

    const { result } = await runRefresh({ ...w.deps, clock }, { deadlineMs: clock.now() + 30_000 });

    expect(result).toMatchObject({ outcome: 'refreshed' });
  });

  it.each([
    // Okta refuses an iat in the future; oidc-provider is told to as well.
    ['10 minutes ahead (iat in the future)', 600_000],
    ['10 minutes behind (the assertion has expired)', -600_000],
  ])('fails classified with the function clock %s', async (_name, skewMs) => {
    const key = rsaKey('far');
    const server = await serve(
      [{ clientId: 'svc', grants: ['client_credentials'], auth: 'private_key_jwt', jwks: { keys: [key.jwk] } }],
      {
        checkClientAssertion: (p) =>
          (p.iat as number) > Math.floor(Date.now() / 1000) + 15 ? 'iat must not be in the future' : undefined,
      },
    );
    const w = realWorld(settingsFor(entry(server, {})), new MemoryCredentials({ private_key: pem(key, 'pkcs8') }));
    const clock = { now: () => Date.now() + skewMs };

    const { result } = await runRefresh({ ...w.deps, clock }, { deadlineMs: clock.now() + 30_000 });

    expect(result).toMatchObject({ outcome: 'failed', error: { kind: 'credentials', code: 'invalid_client' } });
    expect(server.requests).toHaveLength(1);
  });
});

describe('client_secret_jwt against oidc-provider', () => {
  it('signs with the client secret (HS256) and never sends it', async () => {
    const secret = 'cs-jwt-0123456789abcdef0123456789abcdef';
    const server = await serve([
      { clientId: 'svc', secret, grants: ['client_credentials'], auth: 'client_secret_jwt' },
    ]);
    const settings = settingsFor(entry(server, { clientAuth: 'client_secret_jwt', signingKey: undefined }));
    const w = realWorld(settings, new MemoryCredentials({ client_secret: secret }));

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'refreshed' });
    const [sent] = server.requests;
    expect(header(sent!.form.client_assertion)).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(sent!.rawBody).not.toContain(secret);
    expect(sent!.authorization).toBeUndefined();
  });
});

describe('the JWT bearer grant against oidc-provider', () => {
  it('a Google service-account key file pasted as it is: client_email is iss and sub, private_key_id the kid', async () => {
    const key = rsaKey('0123456789abcdef0123456789abcdef01234567');
    const server = await serve([
      { clientId: 'sa-client', grants: [JWT_BEARER], auth: 'none', jwks: { keys: [key.jwk] } },
    ]);
    const serviceAccount = {
      type: 'service_account',
      project_id: 'demo-project',
      private_key_id: String(key.jwk.kid),
      private_key: pem(key, 'pkcs8'),
      client_email: 'refresher@demo-project.iam.gserviceaccount.com',
      client_id: '103456789012345678901',
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: server.tokenEndpoint,
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
      client_x509_cert_url: 'https://www.googleapis.com/robot/v1/metadata/x509/refresher',
      universe_domain: 'googleapis.com',
    };
    const settings = settingsFor(
      entry(server, {
        clientId: 'sa-client',
        grant: 'jwt_bearer',
        clientAuth: 'none',
        scope: 'api',
        signingKey: 'credentials',
        assertion: { scopeClaim: true },
      }),
    );
    // The key file as Secrets Manager holds it: the JSON text, read back.
    const w = realWorld(settings, new MemoryCredentials(JSON.parse(JSON.stringify(serviceAccount))));

    expect((await w.run()).result).toMatchObject({ outcome: 'refreshed', grant: 'jwt_bearer' });
    w.writtenAgo(3600);
    expect((await w.run(true)).result).toMatchObject({ outcome: 'refreshed', grant: 'jwt_bearer' });

    expect(server.requests.map((r) => r.form.grant_type)).toEqual([JWT_BEARER, JWT_BEARER]);
    expect(server.requests[0]!.form.scope).toBeUndefined();
    expect(server.bearerAssertions).toHaveLength(2);
    const [first, second] = server.bearerAssertions;
    expect(first!.header).toMatchObject({ alg: 'RS256', kid: serviceAccount.private_key_id });
    expect(first!.payload).toMatchObject({
      iss: serviceAccount.client_email,
      sub: serviceAccount.client_email,
      aud: server.tokenEndpoint,
      scope: 'api',
    });
    expect(second!.payload.jti).not.toBe(first!.payload.jti);
  });

  it('a key the IdP does not know is a rejection: nothing is sent again with the same secret version', async () => {
    const registered = ecKey('known');
    const other = ecKey('known');
    const server = await serve([
      { clientId: 'svc', grants: [JWT_BEARER], auth: 'none', jwks: { keys: [registered.jwk] } },
    ]);
    const settings = settingsFor(entry(server, { grant: 'jwt_bearer', clientAuth: 'none' }));
    const w = realWorld(settings, new MemoryCredentials({ private_key: pem(other, 'sec1'), private_key_id: 'known' }));

    const first = await w.run();
    const second = await w.run(true);

    expect(first.result).toMatchObject({ outcome: 'failed', error: { kind: 'credentials', code: 'invalid_grant' } });
    expect(second.result).toMatchObject({ outcome: 'failed', error: { code: 'lockout_guard' } });
    expect(server.requests).toHaveLength(1);
  });
});
