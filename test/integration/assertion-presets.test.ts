import { createHash, generateKeyPairSync, type JsonWebKey, X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpMetadataSource } from '../../core/metadata-endpoint.js';
import { runRefresh } from '../../core/refresh.js';
import type { ProviderEntry } from '../../providers/provider-entry.js';
import {
  JWT_BEARER,
  type KeycloakLikeClient,
  type KeycloakLikeOptions,
  type KeycloakLikeServer,
  startKeycloakLikeServer,
} from '../helpers/oidc-server.js';
import { issueCertificate } from '../helpers/test-certificates.js';
import { MemoryCredentials } from '../unit/lambda/fakes.js';
import { realWorld, settingsFor } from './harness.js';

/**
 * The four signed-assertion presets (providers/presets.ts), each renewing end to end against a real
 * OpenID provider on loopback that verifies what it is sent: the preset's grant, client
 * authentication, audience and claims, with only the host pointed at the loopback server. What the
 * vendors document for each is in docs/reference/idp-behaviors.md section 7.
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

function rsaKey(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk: JsonWebKey = { ...publicKey.export({ format: 'jwk' }), kid };
  return { pem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, jwk };
}

const part = (jws: string | undefined, index: 0 | 1) =>
  JSON.parse(Buffer.from(jws!.split('.')[index]!, 'base64url').toString('utf8')) as Record<string, unknown>;

describe('okta: client_credentials with private_key_jwt, the token endpoint discovered from the issuer', () => {
  it('renews, the assertion addressed to the discovered token endpoint', async () => {
    const key = rsaKey('okta-key');
    const server = await serve([
      { clientId: '0oa-svc', grants: ['client_credentials'], auth: 'private_key_jwt', jwks: { keys: [key.jwk] } },
    ]);
    const entry: ProviderEntry = {
      id: 'okta',
      preset: 'okta',
      issuer: server.issuer,
      clientId: '0oa-svc',
      scope: 'api',
      signingKey: 'credentials',
    };
    const settings = settingsFor(entry);
    const w = realWorld(settings, new MemoryCredentials({ private_key: key.pem, private_key_id: 'okta-key' }));
    const deps = { ...w.deps, metadata: new HttpMetadataSource(), metadataMemory: {} };

    const { result } = await runRefresh(deps, { deadlineMs: Date.now() + 30_000 });

    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'client_credentials' });
    const [sent] = server.requests;
    expect(sent!.form.client_assertion_type).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    expect(part(sent!.form.client_assertion, 0)).toMatchObject({ alg: 'RS256', kid: 'okta-key' });
    expect(part(sent!.form.client_assertion, 1)).toMatchObject({
      iss: '0oa-svc',
      sub: '0oa-svc',
      aud: server.tokenEndpoint,
    });
  });
});

describe('entra-id: client_credentials with a certificate credential', () => {
  it("renews, the header naming the registered certificate's x5t#S256", async () => {
    const certificate = issueCertificate({ commonName: 'token-refresher entra' });
    const jwk = { ...certificate.key.export({ format: 'jwk' }), kid: 'cert' } as JsonWebKey;
    delete (jwk as { d?: string }).d;
    const server = await serve(
      [{ clientId: 'app-id', grants: ['client_credentials'], auth: 'private_key_jwt', jwks: { keys: [jwk] } }],
      { scopes: ['api/.default'] },
    );
    const settings = settingsFor({
      id: 'entra',
      preset: 'entra-id',
      tokenEndpoint: server.tokenEndpoint,
      clientId: 'app-id',
      scope: 'api/.default',
      signingKey: 'credentials',
    });
    const w = realWorld(
      settings,
      new MemoryCredentials({ private_key: certificate.privateKey, certificate: certificate.certificate }),
    );

    expect((await w.run()).result).toMatchObject({ outcome: 'refreshed', grant: 'client_credentials' });

    const [sent] = server.requests;
    const der = new X509Certificate(certificate.certificate).raw;
    expect(part(sent!.form.client_assertion, 0)).toMatchObject({
      'x5t#S256': createHash('sha256').update(der).digest('base64url'),
    });
    expect(sent!.form.scope).toBe('api/.default');
  });
});

describe('google-service-account: the JWT bearer grant from a key file pasted as it is', () => {
  it('renews with the scope as a claim and the key file naming iss and kid', async () => {
    const key = rsaKey('0123456789abcdef');
    const server = await serve([
      { clientId: 'sa@p.iam.gserviceaccount.com', grants: [JWT_BEARER], jwks: { keys: [key.jwk] } },
    ]);
    const settings = settingsFor({
      id: 'google',
      preset: 'google-service-account',
      tokenEndpoint: server.tokenEndpoint,
      clientId: 'sa@p.iam.gserviceaccount.com',
      scope: 'api',
      signingKey: 'credentials',
    });
    const keyFile = {
      type: 'service_account',
      private_key_id: '0123456789abcdef',
      private_key: key.pem,
      client_email: 'sa@p.iam.gserviceaccount.com',
      token_uri: 'https://oauth2.googleapis.com/token',
    };
    const w = realWorld(settings, new MemoryCredentials(keyFile));

    expect((await w.run()).result).toMatchObject({ outcome: 'refreshed', grant: 'jwt_bearer' });

    const [accepted] = server.bearerAssertions;
    expect(accepted!.header).toMatchObject({ alg: 'RS256', kid: '0123456789abcdef' });
    expect(accepted!.payload).toMatchObject({ iss: keyFile.client_email, scope: 'api', aud: server.tokenEndpoint });
    expect(server.requests[0]!.form.scope).toBeUndefined();
  });
});

describe('salesforce-jwt: the JWT bearer grant addressed to the login host', () => {
  it('renews with aud = https://login.salesforce.com, sub = the username, and plans 900 s without expires_in', async () => {
    const key = rsaKey('sf');
    const server = await serve([{ clientId: '3MVG9-consumer', grants: [JWT_BEARER], jwks: { keys: [key.jwk] } }], {
      bearerAudience: 'https://login.salesforce.com',
      // Salesforce answers no expires_in (and adds instance_url).
      overrideAnswer: () => ({
        status: 200,
        body: { access_token: '00D-session', token_type: 'Bearer', instance_url: 'https://example.my.salesforce.com' },
      }),
    });
    const settings = settingsFor({
      id: 'salesforce',
      preset: 'salesforce-jwt',
      tokenEndpoint: server.tokenEndpoint,
      clientId: '3MVG9-consumer',
      assertion: { subject: 'integration@example.com' },
      signingKey: 'credentials',
    });
    const w = realWorld(settings, new MemoryCredentials({ private_key: key.pem }));
    const before = Math.floor(Date.now() / 1000);

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'jwt_bearer' });
    expect(result.expiresAt! - before).toBeGreaterThanOrEqual(899);
    expect(result.expiresAt! - before).toBeLessThanOrEqual(901);
    expect(server.bearerAssertions[0]!.payload).toMatchObject({
      iss: '3MVG9-consumer',
      sub: 'integration@example.com',
      aud: 'https://login.salesforce.com',
    });
  });
});
