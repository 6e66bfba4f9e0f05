import { generateKeyPairSync } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RUNTIME_CONFIG_ENV, type RuntimeConfig } from '../../contract/provider-settings.js';
import { captureOutput } from '../helpers/capture-output.js';
import { type ScriptedServer, startScriptedServer } from '../helpers/scripted-server.js';
import { base64Cores, CLIENT_ID, ENCODINGS } from '../helpers/secret-encodings.js';
import { settingsFor } from './harness.js';

/**
 * Runs the real handler through every kind of outcome with known secret values, against an IdP
 * that echoes them back in error descriptions and HTML pages, and checks that none of them reaches
 * the logs, the EMF metrics, the returned results, a thrown error, the prose of the stored state or
 * the lifecycle events put on EventBridge (every transition, and every renewal, is one here).
 */
const SECRETS = {
  password: `LEAK pw "<>&'% é€ 7f3a`,
  clientSecret: `LEAK+cs/"<>&'%=ü 91c2`,
  accessToken: 'LEAK-access-token-5d1e',
  refreshToken: 'LEAK-refresh-token-c0b8',
  bigAccessToken: `LEAK-big-${'x'.repeat(9000)}`,
  jwt: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJMRUFLLXN1YmplY3QiLCJleHAiOjE5MDAwMDAwMDB9.LEAKsignatureLEAKsignature',
};

const sm = mockClient(SecretsManagerClient);
const ssm = mockClient(SSMClient);
const eventBridge = mockClient(EventBridgeClient);
/** Every Detail put on the bus, as sent. */
const events: string[] = [];
let server: ScriptedServer;
const state = new Map<string, string>();
const context = { functionName: 'f', awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

beforeAll(async () => {
  server = await startScriptedServer();
  sm.on(GetSecretValueCommand, { SecretId: 'creds-password' }).resolves({
    SecretString: JSON.stringify({ username: 'ops', password: SECRETS.password }),
    VersionId: 'v1',
  });
  sm.on(GetSecretValueCommand, { SecretId: 'creds-client' }).resolves({
    SecretString: JSON.stringify({ client_secret: SECRETS.clientSecret }),
    VersionId: 'v1',
  });
  sm.on(GetSecretValueCommand, { SecretId: 'creds-both' }).resolves({
    SecretString: JSON.stringify({ username: 'ops', password: SECRETS.password, client_secret: SECRETS.clientSecret }),
    VersionId: 'v1',
  });
  sm.on(GetSecretValueCommand, { SecretId: 'creds-bare' }).resolves({
    SecretString: SECRETS.password,
    VersionId: 'v1',
  });
  sm.on(PutSecretValueCommand).resolves({});
  eventBridge.on(PutEventsCommand).callsFake(async ({ Entries }: PutEventsCommandInput) => {
    events.push(...(Entries ?? []).map((e) => JSON.stringify(e)));
    return { FailedEntryCount: 0, Entries: (Entries ?? []).map((_, i) => ({ EventId: String(i) })) };
  });
  ssm.on(GetParameterCommand).callsFake(async ({ Name }: { Name: string }) => {
    const value = state.get(Name);
    if (value === undefined) throw new ParameterNotFound({ $metadata: {}, message: '' });
    return { Parameter: { Value: value } };
  });
  ssm.on(PutParameterCommand).callsFake(async ({ Name, Value }: { Name: string; Value: string }) => {
    state.set(Name, Value);
    return { Version: 1 };
  });
});
afterAll(async () => {
  await server.close();
  sm.restore();
  ssm.restore();
  eventBridge.restore();
  vi.unstubAllEnvs();
});

async function handlerFor(id: string, preset: 'mediamelon' | 'clickview' | 'generic', credentialsSecretId: string) {
  const config: RuntimeConfig = {
    provider: settingsFor({
      id,
      preset,
      tokenEndpoint: server.tokenEndpoint,
      ...(preset === 'clickview' ? { clientId: 'c' } : {}),
      // A confidential client with a password grant: the IdP sees (and may echo) both secrets and the Basic header.
      ...(preset === 'generic'
        ? {
            clientId: CLIENT_ID,
            grant: 'password' as const,
            clientAuth: 'client_secret_basic' as const,
            expectedLifetimeSeconds: 900,
          }
        : {}),
    }),
    resources: {
      credentialsSecretId,
      tokenStore: { kind: 'parameterstore', id: `/t/${id}/token` },
      stateParameterName: `/t/${id}/state`,
      ledgerParameterName: `/t/${id}/ledger`,
      events: { busName: 'default', stage: 'default', tokenRenewed: true },
    },
  };
  vi.stubEnv(RUNTIME_CONFIG_ENV, JSON.stringify(config));
  vi.resetModules();
  return (await import('../../lambda/index.js')).handler;
}

describe('no secret reaches logs, metrics, results or errors', () => {
  it('across success, refresh, rejection, echoed secrets, oversized tokens and malformed credentials', async () => {
    const out = captureOutput();
    const seen: unknown[] = [];
    const storedStates: (string | undefined)[] = [];
    const call = async (h: Awaited<ReturnType<typeof handlerFor>>, event: unknown) => {
      try {
        seen.push(await h(event, context));
      } catch (e) {
        seen.push(String(e), (e as Error).stack);
      }
    };
    try {
      const password = await handlerFor('kc', 'mediamelon', 'creds-password');
      server.reply({
        status: 200,
        body: {
          access_token: SECRETS.accessToken,
          token_type: 'Bearer',
          expires_in: 900,
          refresh_token: SECRETS.refreshToken,
          refresh_expires_in: 1800,
        },
      });
      await call(password, {}); // password grant, tokens stored
      // As if written an hour ago, so that the forced runs below are within Parameter Store's write budget.
      const token = JSON.parse(state.get('/t/kc/token')!) as { issued_at: number };
      state.set('/t/kc/token', JSON.stringify({ ...token, issued_at: token.issued_at - 3600 }));
      server.reply(
        {
          status: 400,
          body: { error: 'invalid_grant', error_description: `Token ${SECRETS.refreshToken} is not active` },
        },
        {
          status: 401,
          body: {
            error: 'invalid_grant',
            error_description: `bad password ${SECRETS.password} for ${SECRETS.accessToken}`,
          },
        },
      );
      await call(password, { force: true }); // refresh rejected (echoing it), password rejected (echoing it)
      await call(password, { force: true }); // lockout guard

      const client = await handlerFor('cc', 'clickview', 'creds-client');
      server.reply({
        status: 403,
        headers: { 'content-type': 'text/html' },
        body: `<html><title>Denied ${SECRETS.clientSecret}</title></html>`,
      });
      await call(client, {});
      const client2 = await handlerFor('cc2', 'clickview', 'creds-client');
      server.reply({ status: 500, body: `upstream said ${SECRETS.jwt}` });
      await call(client2, {}); // a 500 echoing a JWT: ambiguous, not retried in the run
      const client3 = await handlerFor('cc3', 'clickview', 'creds-client');
      server.reply(
        { status: 503, body: { error: 'server_error', error_description: SECRETS.clientSecret } },
        { status: 200, body: { access_token: SECRETS.bigAccessToken, token_type: 'Bearer', expires_in: 86400 } },
      );
      await call(client3, {}); // a 503 echoing the secret, retried, then a token too large for Parameter Store

      const bare = await handlerFor('bare', 'mediamelon', 'creds-bare');
      await call(bare, {}); // credentials secret holding a bare password

      // Every encoding of both secrets, echoed in a plain-text 401, a JSON 401 and an HTML 403 page.
      const sweep = await handlerFor('sweep', 'generic', 'creds-both');
      for (const secret of [SECRETS.password, SECRETS.clientSecret]) {
        for (const encode of Object.values(ENCODINGS)) {
          const echo = `you sent ${encode(secret)} here`;
          for (const reply of [
            { status: 401, headers: { 'content-type': 'text/plain' }, body: echo },
            { status: 401, body: { error: 'invalid_grant', error_description: echo } },
            { status: 403, headers: { 'content-type': 'text/html' }, body: `<html><title>${echo}</title></html>` },
          ]) {
            server.reply(reply);
            await call(sweep, {});
            storedStates.push(state.get('/t/sweep/ledger'));
            // Start the next echo from scratch: no lockout guard, no spacing to wait out.
            state.delete('/t/sweep/state');
            state.delete('/t/sweep/ledger');
          }
        }
      }
    } finally {
      out.restore();
    }
    for (const [name, value] of state) if (/\/(state|ledger)$/.test(name)) storedStates.push(value);
    // The ledger is a String parameter: nothing in it may be secret, the refresh token included.
    const ledgers = [...state].filter(([name]) => name.endsWith('/ledger')).map(([, value]) => value);
    expect(ledgers.length).toBeGreaterThan(0);
    for (const ledger of ledgers) expect(ledger).not.toContain(SECRETS.refreshToken);

    // The SecureString holds the refresh token by design; everything else in either part must be as clean as the logs.
    const prose = storedStates.map((v) => {
      const { refreshToken: _kept, ...rest } = JSON.parse(v ?? '{}') as Record<string, unknown>;
      return rest;
    });
    const text = `${out.text()}\n${JSON.stringify(seen)}\n${JSON.stringify(prose)}\n${events.join('\n')}`;
    const sweeps = 2 * Object.keys(ENCODINGS).length * 3;
    expect(seen).toHaveLength(7 + sweeps);
    expect(prose.filter((p) => p.guard !== undefined).length).toBeGreaterThanOrEqual(sweeps);
    expect(text.match(/\[redacted\]/g)!.length).toBeGreaterThanOrEqual(sweeps);
    expect(text).toContain('"outcome":"failed"'); // the flows really ran and were captured
    expect(text).toContain('lockout_guard');
    expect(text).toContain('token_too_large');
    expect(text).toContain('_aws'); // EMF metrics were captured too
    // Events were put: renewals, the rejection, the lockout and the failures of every echo.
    for (const type of ['Token Renewed', 'Token Credentials Rejected', 'Token Renewal Failed']) {
      expect(
        events.some((e) => e.includes(type)),
        type,
      ).toBe(true);
    }
    for (const [name, value] of Object.entries(SECRETS)) {
      for (const [encoding, encode] of Object.entries(ENCODINGS)) {
        expect(text.includes(encode(value)), `${name} leaked as ${encoding}`).toBe(false);
      }
      for (const core of base64Cores(value)) expect(text.includes(core), `${name} leaked in base64`).toBe(false);
    }
    expect(text).not.toContain('LEAK');
  });

  it('a password shaped like an OAuth error code, echoed as the `error` itself', async () => {
    const password = 'leak_shaped_like_an_error_code';
    sm.on(GetSecretValueCommand, { SecretId: 'creds-code' }).resolves({
      SecretString: JSON.stringify({ username: 'ops', password }),
      VersionId: 'v1',
    });
    const out = captureOutput();
    let result: unknown;
    try {
      const handler = await handlerFor('code', 'mediamelon', 'creds-code');
      server.reply({ status: 401, body: { error: password } });
      result = await handler({}, context);
      // The same echo as a 400: a configuration failure, whose code becomes a `Token Renewal Failed` event.
      const other = await handlerFor('code2', 'mediamelon', 'creds-code');
      server.reply({ status: 400, body: { error: password } });
      await other({}, context);
    } finally {
      out.restore();
    }
    const stored = state.get('/t/code/ledger');

    expect(result).toMatchObject({ outcome: 'failed', error: { kind: 'credentials' } });
    expect(JSON.parse(stored!)).toHaveProperty('guard');
    expect(events.filter((e) => e.includes('"provider\\":\\"code2\\"'))).toHaveLength(1);
    const text = `${out.text()}\n${JSON.stringify(result)}\n${stored}\n${events.join('\n')}`;
    expect(text).toContain('[redacted]');
    expect(text).not.toContain(password);
  });

  it('private keys and the assertions signed with them, echoed back in every encoding', async () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      format: 'pem',
      type: 'pkcs8',
    }) as string;
    const keyBody = pem.split('\n').filter((line) => line && !line.startsWith('-----'));
    // A service-account key file pasted as it is, its other fields full of characters that need escaping.
    sm.on(GetSecretValueCommand, { SecretId: 'creds-key' }).resolves({
      SecretString: JSON.stringify({
        type: 'service_account',
        project_id: `proj "<>&'% é€`,
        private_key_id: `kid "<>&'% ü 1`,
        private_key: pem,
        client_email: 'sa@proj.iam.gserviceaccount.com',
        client_secret: SECRETS.clientSecret,
      }),
      VersionId: 'v1',
    });
    const config = (id: string, grant: 'client_credentials' | 'jwt_bearer'): RuntimeConfig => ({
      provider: settingsFor({
        id,
        preset: 'generic',
        tokenEndpoint: server.tokenEndpoint,
        clientId: CLIENT_ID,
        grant,
        clientAuth: grant === 'jwt_bearer' ? 'none' : 'private_key_jwt',
        useRefreshToken: false,
        expectedLifetimeSeconds: 900,
        signingKey: 'credentials',
      }),
      resources: {
        credentialsSecretId: 'creds-key',
        tokenStore: { kind: 'parameterstore', id: `/t/${id}/token` },
        stateParameterName: `/t/${id}/state`,
        ledgerParameterName: `/t/${id}/ledger`,
      },
    });
    const out = captureOutput();
    const seen: unknown[] = [];
    const assertions: string[] = [];
    const sentBefore = server.requests.length;
    try {
      for (const [id, grant] of [
        ['pkjwt', 'client_credentials'],
        ['bearer', 'jwt_bearer'],
      ] as const) {
        vi.stubEnv(RUNTIME_CONFIG_ENV, JSON.stringify(config(id, grant)));
        vi.resetModules();
        const handler = (await import('../../lambda/index.js')).handler;
        for (const encode of Object.values(ENCODINGS)) {
          // The IdP echoes the very assertion it got, and a line of the key for good measure.
          server.reply((req) => {
            const assertion = req.form.client_assertion ?? req.form.assertion ?? '';
            const echo = `${encode(assertion)} ${encode(keyBody[3]!)}`;
            return { status: 401, body: { error: 'invalid_client', error_description: `got ${echo}` } };
          });
          try {
            seen.push(await handler({}, context));
          } catch (e) {
            seen.push(String(e), (e as Error).stack);
          }
          seen.push(state.get(`/t/${id}/ledger`), state.get(`/t/${id}/state`));
          state.delete(`/t/${id}/state`);
          state.delete(`/t/${id}/ledger`);
        }
      }
    } finally {
      out.restore();
    }
    for (const req of server.requests.slice(sentBefore)) {
      assertions.push(req.form.client_assertion ?? req.form.assertion ?? '');
    }
    const text = `${out.text()}\n${JSON.stringify(seen)}`;
    expect(assertions).toHaveLength(2 * Object.keys(ENCODINGS).length);
    expect(text).toContain('invalid_client'); // the flows really ran
    expect(text).toContain('_aws');
    for (const secret of [pem, ...keyBody, ...assertions, SECRETS.clientSecret]) {
      for (const [encoding, encode] of Object.entries(ENCODINGS)) {
        expect(text.includes(encode(secret)), `${secret.slice(0, 12)}... leaked as ${encoding}`).toBe(false);
      }
    }
    for (const assertion of assertions) {
      expect(text.includes(assertion.split('.')[2]!), 'an assertion signature leaked').toBe(false);
    }
  });
});
