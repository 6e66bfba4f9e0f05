import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ParameterTier, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNTIME_CONFIG_ENV, type RuntimeConfig } from '../../contract/provider-settings.js';
import { type FakeAws, startFakeAws } from '../helpers/fake-aws.js';
import { type KeycloakLikeServer, startKeycloakLikeServer } from '../helpers/oidc-server.js';
import { settingsFor } from './harness.js';

/**
 * The function exactly as Lambda runs it: the esbuild bundle (same options as the construct's
 * NodejsFunction), loaded by a separate Node 24 process whose only AWS configuration is
 * AWS_ENDPOINT_URL, against an IdP on loopback.
 *
 * AWS side: TOKEN_REFRESHER_TEST_AWS_ENDPOINT (e.g. a LocalStack URL) if set, else an in-test fake.
 */
const realEndpoint = process.env.TOKEN_REFRESHER_TEST_AWS_ENDPOINT;
const run = promisify(execFile);
let outDir: string;
let bundle: string;
let aws: FakeAws | undefined;
let endpoint: string;
let idp: KeycloakLikeServer;
const prefix = `tr-bundle-${Date.now()}`;

const clients = () => {
  const options = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  return { sm: new SecretsManagerClient(options), ssm: new SSMClient(options) };
};

beforeAll(async () => {
  if (realEndpoint) {
    endpoint = realEndpoint;
    console.info(
      `bundle test: using the AWS-compatible endpoint ${realEndpoint} from TOKEN_REFRESHER_TEST_AWS_ENDPOINT`,
    );
  } else {
    aws = await startFakeAws();
    endpoint = aws.endpoint;
    console.info(
      'bundle test: TOKEN_REFRESHER_TEST_AWS_ENDPOINT is not set; using the in-test fake AWS endpoint on 127.0.0.1',
    );
  }
  idp = await startKeycloakLikeServer({
    realm: 'mediamelon',
    clients: [
      { clientId: 'smartsight-backend', grants: ['password', 'refresh_token'] },
      { clientId: 'cv-client', secret: 'cv-secret-value', grants: ['client_credentials'], auth: 'client_secret_post' },
    ],
    users: { 'ops@example.com': 'bundle-pass-1' },
    scopes: ['smartembed.viewkey'],
    // MediaMelon's documented lifetime: with it the second scheduled run finds the token fresh.
    accessTtlSeconds: 900,
  });
  outDir = mkdtempSync(join(tmpdir(), 'token-refresher-bundle-'));
  bundle = join(outDir, 'index.js');
  await build({
    entryPoints: [new URL('../../lambda/index.ts', import.meta.url).pathname],
    bundle: true,
    minify: true,
    sourcemap: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    outfile: bundle,
    logLevel: 'silent',
  });
}, 60_000);

afterAll(async () => {
  await idp?.close();
  await aws?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** Loads the bundle in a fresh process, optionally invokes the handler, and returns its result. */
async function invoke(config: RuntimeConfig, event: unknown) {
  const driver = `
    const { handler } = require(${JSON.stringify(bundle)});
    const event = ${JSON.stringify(event ?? null)};
    if (event === null) process.stdout.write('\\nLOADED\\n');
    else handler(event, { functionName: 'f', awsRequestId: 'r', getRemainingTimeInMillis: () => 60000 })
      .then((r) => process.stdout.write('\\nRESULT ' + JSON.stringify(r) + '\\n'));`;
  const { stdout } = await run(process.execPath, ['-e', driver], {
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      [RUNTIME_CONFIG_ENV]: JSON.stringify(config),
    },
  });
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  return { stdout, result: line ? JSON.parse(line.slice(7)) : undefined };
}

describe('the bundled function outside AWS', () => {
  it('is a self-contained CommonJS bundle', () => {
    expect(statSync(bundle).size).toBeGreaterThan(10_000);
  });

  it('makes no network call when loaded', async () => {
    const { sm } = clients();
    const created = await sm.send(
      new CreateSecretCommand({ Name: `${prefix}/idle/credentials`, SecretString: '{"username":"u","password":"p"}' }),
    );
    const before = { aws: aws?.calls.length, idp: idp.requests.length };

    const { stdout } = await invoke(
      {
        provider: settingsFor({ id: 'idle', preset: 'mediamelon', tokenEndpoint: idp.tokenEndpoint }),
        resources: {
          credentialsSecretId: created.ARN!,
          tokenStore: { kind: 'parameterstore', id: `/${prefix}/idle/token` },
          stateParameterName: `/${prefix}/idle/state`,
          ledgerParameterName: `/${prefix}/idle/ledger`,
        },
      },
      undefined,
    );

    expect(stdout).toContain('LOADED');
    expect(idp.requests.length).toBe(before.idp);
    if (aws) expect(aws.calls.length).toBe(before.aws);
  });

  it('renews a Keycloak-preset token into Parameter Store: password grant, then refresh_token', async () => {
    const { sm, ssm } = clients();
    const creds = await sm.send(
      new CreateSecretCommand({
        Name: `${prefix}/mm/credentials`,
        SecretString: '{"username":"ops@example.com","password":"bundle-pass-1"}',
      }),
    );
    const config: RuntimeConfig = {
      provider: settingsFor({ id: 'mm', preset: 'mediamelon', tokenEndpoint: idp.tokenEndpoint }),
      resources: {
        credentialsSecretId: creds.ARN!,
        tokenStore: { kind: 'parameterstore', id: `/${prefix}/mm/token` },
        stateParameterName: `/${prefix}/mm/state`,
        ledgerParameterName: `/${prefix}/mm/ledger`,
      },
    };

    const first = await invoke(config, { source: 'token-refresher.schedule', provider: 'mm' });
    const fresh = await invoke(config, { source: 'token-refresher.schedule', provider: 'mm' });
    // As if written an hour ago: a forced renewal of a token that is not due waits for the store's write budget.
    const name = `/${prefix}/mm/token`;
    const written = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    const token = JSON.parse(written.Parameter!.Value!) as { issued_at: number };
    await ssm.send(
      new PutParameterCommand({
        Name: name,
        Value: JSON.stringify({ ...token, issued_at: token.issued_at - 3600 }),
        Type: 'SecureString',
        Overwrite: true,
      }),
    );
    const forced = await invoke(config, { force: true });

    expect(first.result).toMatchObject({ provider: 'mm', outcome: 'refreshed', grant: 'password' });
    expect(fresh.result).toMatchObject({ outcome: 'fresh' });
    expect(forced.result).toMatchObject({ outcome: 'refreshed', grant: 'refresh_token' });
    const published = await ssm.send(new GetParameterCommand({ Name: `/${prefix}/mm/token`, WithDecryption: true }));
    expect(published.Parameter).toMatchObject({ Type: 'SecureString' });
    expect(JSON.parse(published.Parameter!.Value!)).toMatchObject({
      token_type: 'Bearer',
      provider: 'mm',
      scope: 'openid',
    });
    const state = await ssm.send(new GetParameterCommand({ Name: `/${prefix}/mm/state`, WithDecryption: true }));
    expect(state.Parameter).toMatchObject({ Type: 'SecureString' });
    expect(JSON.parse(state.Parameter!.Value!)).toHaveProperty('refreshToken');
    // The rest of the state, which is no secret, is the String ledger.
    const ledger = await ssm.send(new GetParameterCommand({ Name: `/${prefix}/mm/ledger` }));
    expect(ledger.Parameter).toMatchObject({ Type: 'String' });
    expect(JSON.parse(ledger.Parameter!.Value!)).toMatchObject({ v: 1, lastPrimaryGrantAt: expect.any(Number) });
    expect(JSON.parse(ledger.Parameter!.Value!)).not.toHaveProperty('refreshToken');
    if (aws)
      expect(aws.parameters.get(`/${prefix}/mm/token`)).toMatchObject({
        tier: expect.not.stringMatching(ParameterTier.ADVANCED),
      });
  }, 30_000);

  it('renews a client_credentials token into a Secrets Manager secret created without a value', async () => {
    const { sm } = clients();
    const creds = await sm.send(
      new CreateSecretCommand({
        Name: `${prefix}/cv/credentials`,
        SecretString: '{"client_secret":"cv-secret-value"}',
      }),
    );
    const token = await sm.send(new CreateSecretCommand({ Name: `${prefix}/cv/token` }));
    const config: RuntimeConfig = {
      provider: settingsFor({ id: 'cv', preset: 'clickview', clientId: 'cv-client', tokenEndpoint: idp.tokenEndpoint }),
      resources: {
        credentialsSecretId: creds.ARN!,
        tokenStore: { kind: 'secretsmanager', id: token.ARN! },
        stateParameterName: `/${prefix}/cv/state`,
        ledgerParameterName: `/${prefix}/cv/ledger`,
      },
    };

    const { result } = await invoke(config, { source: 'token-refresher.schedule' });

    expect(result).toMatchObject({ provider: 'cv', outcome: 'refreshed', grant: 'client_credentials' });
    const stored = await sm.send(new GetSecretValueCommand({ SecretId: token.ARN! }));
    expect(JSON.parse(stored.SecretString!)).toMatchObject({
      token_type: 'Bearer',
      provider: 'cv',
      scope: 'smartembed.viewkey',
    });
    await sm.send(new PutSecretValueCommand({ SecretId: creds.ARN!, SecretString: '{"client_secret":"wrong"}' }));
    const rejected = await invoke(config, { force: true });
    const guarded = await invoke(config, { force: true });
    expect(rejected.result.error).toMatchObject({ kind: 'credentials', code: 'invalid_client' });
    expect(guarded.result.error).toMatchObject({ kind: 'credentials', code: 'lockout_guard' });
    // client_credentials keeps no refresh token: the whole state, guard included, is the String
    // ledger, and no SecureString state is ever written (no KMS request for it).
    const ledger = await clients().ssm.send(new GetParameterCommand({ Name: `/${prefix}/cv/ledger` }));
    expect(ledger.Parameter).toMatchObject({ Type: 'String' });
    expect(JSON.parse(ledger.Parameter!.Value!)).toMatchObject({ guard: { code: 'invalid_client' } });
    await expect(
      clients().ssm.send(new GetParameterCommand({ Name: `/${prefix}/cv/state`, WithDecryption: true })),
    ).rejects.toMatchObject({ name: 'ParameterNotFound' });
  }, 30_000);

  /** A client_credentials provider whose token secret, by name, someone may have created first. */
  async function squattable(id: string, extra: Partial<RuntimeConfig['resources']> = {}): Promise<RuntimeConfig> {
    const creds = await clients().sm.send(
      new CreateSecretCommand({
        Name: `${prefix}/${id}/credentials`,
        SecretString: '{"client_secret":"cv-secret-value"}',
      }),
    );
    return {
      provider: settingsFor({ id, preset: 'clickview', clientId: 'cv-client', tokenEndpoint: idp.tokenEndpoint }),
      resources: {
        credentialsSecretId: creds.ARN!,
        tokenStore: { kind: 'secretsmanager', id: `${prefix}/${id}/token` },
        stateParameterName: `/${prefix}/${id}/state`,
        ledgerParameterName: `/${prefix}/${id}/ledger`,
        ...extra,
      },
    };
  }

  it('writes nothing into a token secret whose resource policy lets another account read it', async () => {
    const config = await squattable('squat');
    const { sm } = clients();
    const squatted = await sm.send(new CreateSecretCommand({ Name: `${prefix}/squat/token` }));
    await sm.send(
      new PutResourcePolicyCommand({
        SecretId: squatted.ARN!,
        ResourcePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::210987654321:root' },
              Action: 'secretsmanager:GetSecretValue',
              Resource: '*',
            },
          ],
        }),
      }),
    );
    const requests = idp.requests.length;

    const { result } = await invoke(config, { source: 'token-refresher.schedule' });

    expect(result).toMatchObject({
      outcome: 'failed',
      error: { kind: 'configuration', code: 'token_secret_not_owned' },
    });
    expect(result.error.description).toContain(squatted.ARN);
    await expect(sm.send(new GetSecretValueCommand({ SecretId: squatted.ARN! }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    // Checked at the first write of the container (a cold start here): the token it got goes nowhere.
    expect(idp.requests.length).toBe(requests + 1);
  }, 30_000);

  it.skipIf(realEndpoint !== undefined)(
    `writes into the token secret 0.1.0's stack created, and into no other stack's${realEndpoint === undefined ? '' : ' [skipped: only the in-test fake sets aws: tags]'}`,
    async () => {
      const stageKey = 'arn:aws:kms:us-east-1:123456789012:key/1111aaaa-1111-4111-8111-111111111111';
      const stack = (uuid: string) => `arn:aws:cloudformation:us-east-1:123456789012:stack/TokenRefresher/${uuid}`;
      const legacy = aws!.putSecret(`${prefix}/legacy/token`);
      legacy.tags = [{ Key: 'aws:cloudformation:stack-id', Value: stack('0f0f0f0f-aaaa-bbbb-cccc-0123456789ab') }];
      const config = await squattable('legacy', { parameterKeyId: stageKey });

      const otherStack = await invoke(
        { ...config, resources: { ...config.resources, legacyStackId: stack('99999999-aaaa-bbbb-cccc-0123456789ab') } },
        { source: 'token-refresher.schedule' },
      );
      const ownStack = await invoke(
        { ...config, resources: { ...config.resources, legacyStackId: stack('0f0f0f0f-aaaa-bbbb-cccc-0123456789ab') } },
        { source: 'token-refresher.schedule' },
      );

      expect(otherStack.result.error).toMatchObject({ kind: 'configuration', code: 'token_secret_not_owned' });
      expect(ownStack.result).toMatchObject({ outcome: 'refreshed', grant: 'client_credentials' });
      expect(JSON.parse(aws!.secretValue(`${prefix}/legacy/token`)!)).toMatchObject({ provider: 'legacy' });
    },
    30_000,
  );
});
