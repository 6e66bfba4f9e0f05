import 'aws-sdk-client-mock-vitest/extend';
import {
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { METRIC } from '../../../contract/metrics.js';
import { RUNTIME_CONFIG_ENV, type RuntimeConfig } from '../../../contract/provider-settings.js';
import { captureOutput } from '../../helpers/capture-output.js';
import { okToken, type ScriptedServer, startScriptedServer } from '../../helpers/scripted-server.js';
import { clientCredentialsSettings } from './fakes.js';

const sm = mockClient(SecretsManagerClient);
const ssm = mockClient(SSMClient);
const tokenSecretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:token-refresher/cc/token-AbCdEf';
const credsArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:token-refresher/cc/credentials-AbCdEf';
let server: ScriptedServer;

const context = {
  functionName: 'refresher',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

async function loadHandler(config: RuntimeConfig) {
  vi.stubEnv(RUNTIME_CONFIG_ENV, JSON.stringify(config));
  vi.resetModules();
  return (await import('../../../lambda/index.js')).handler;
}

const config = (): RuntimeConfig => ({
  provider: clientCredentialsSettings({ tokenEndpoint: server.tokenEndpoint }),
  resources: {
    credentialsSecretId: credsArn,
    tokenStore: { kind: 'secretsmanager', id: tokenSecretArn },
    stateParameterName: '/token-refresher/cc/state',
    ledgerParameterName: '/token-refresher/cc/ledger',
  },
});

beforeAll(async () => {
  server = await startScriptedServer();
});
afterAll(() => server.close());
beforeEach(() => {
  sm.reset();
  ssm.reset();
  server.requests.length = 0;
  sm.on(GetSecretValueCommand, { SecretId: tokenSecretArn }).resolves({ SecretString: undefined });
  sm.on(GetSecretValueCommand, { SecretId: credsArn }).resolves({
    SecretString: '{"client_secret":"cs-value-1"}',
    VersionId: 'v1',
  });
  sm.on(PutSecretValueCommand).resolves({ VersionId: 'v2' });
  // The stage's own token secret (AWS-managed key, no resource policy), as the first write checks it.
  sm.on(DescribeSecretCommand, { SecretId: tokenSecretArn }).resolves({ ARN: tokenSecretArn });
  sm.on(GetResourcePolicyCommand, { SecretId: tokenSecretArn }).resolves({ ARN: tokenSecretArn });
  ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ $metadata: {}, message: '' }));
  ssm.on(PutParameterCommand).resolves({ Version: 1 });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('handler', () => {
  it('refreshes, writes state then token, returns the summary and emits EMF metrics with the Provider dimension only', async () => {
    server.reply(okToken({ access_token: 'at-value-1', expires_in: 86_400 }));
    const handler = await loadHandler(config());
    const out = captureOutput();

    let result: unknown;
    try {
      result = await handler({ 'detail-type': 'Scheduled Event', source: 'aws.scheduler' }, context);
    } finally {
      out.restore();
    }

    expect(result).toEqual({
      provider: 'cc',
      outcome: 'refreshed',
      grant: 'client_credentials',
      expiresAt: expect.any(Number),
    });
    // client_credentials keeps no refresh token: the state is its ledger, a String parameter.
    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, {
      Name: '/token-refresher/cc/ledger',
      Type: 'String',
    });
    expect(ssm).not.toHaveReceivedCommandWith(PutParameterCommand, { Type: 'SecureString' });
    expect(sm).toHaveReceivedCommandWith(PutSecretValueCommand, { SecretId: tokenSecretArn });
    const records = out.json().filter((l) => '_aws' in l);
    const emf = records.find((l) => l.Provider === 'cc')!;
    // A healthy run emits one metric per provider: the heartbeat (contract/metrics.ts).
    expect((emf['_aws'] as { CloudWatchMetrics: unknown }).CloudWatchMetrics).toEqual([
      {
        Namespace: 'TokenRefresher',
        Dimensions: [['Provider']],
        Metrics: [{ Name: METRIC.tokenSecondsRemaining, Unit: 'Seconds' }],
      },
    ]);
    expect(emf[METRIC.tokenSecondsRemaining]).toBeGreaterThan(86_000);
    // Stage-wide, without the provider: the renewal and the request latency.
    const renewals = records.find((l) => METRIC.renewals in l)!;
    expect(renewals).not.toHaveProperty('Provider');
    expect(renewals[METRIC.renewals]).toBe(1);
    const latency = records.find((l) => METRIC.tokenRequestLatency in l)!;
    expect(latency).not.toHaveProperty('Provider');
    expect(latency[METRIC.tokenRequestLatency]).toEqual(expect.any(Number));
    const line = out.json().find((l) => l.message === 'token refreshed')!;
    // The request id and the provider tell lines apart in the stack's shared log group; nothing else of the context.
    expect(line).toMatchObject({ provider: 'cc', function_request_id: 'req-1' });
    expect(Object.keys(line).filter((k) => k.startsWith('function_') || k === 'cold_start')).toEqual([
      'function_request_id',
    ]);
  });

  it('returns a classified failure instead of throwing, so Lambda never retries a login', async () => {
    server.reply({ status: 400, body: { error: 'invalid_client' } });
    const handler = await loadHandler(config());
    const out = captureOutput();

    let result: unknown;
    try {
      result = await handler({ force: true }, context);
    } finally {
      out.restore();
    }

    expect(result).toMatchObject({ outcome: 'failed', error: { kind: 'credentials', code: 'invalid_client' } });
    const emf = out.json().find((l) => '_aws' in l && l.Provider === 'cc')!;
    expect(emf).toMatchObject({
      [METRIC.failedCredentials]: 1,
      [METRIC.lockoutGuardEngaged]: 1,
      [METRIC.tokenSecondsRemaining]: 0,
    });
    // Counts that are zero are not emitted: CloudWatch bills every hour a metric receives data.
    expect(emf).not.toHaveProperty(METRIC.failedTransient);
    expect(emf).not.toHaveProperty(METRIC.configurationBlocked);
    expect(out.json().some((l) => l.level === 'ERROR' && l.message === 'token refresh failed')).toBe(true);
  });

  it('fails the cold start with a clear message when its configuration is missing or wrong', async () => {
    vi.resetModules();
    vi.stubEnv(RUNTIME_CONFIG_ENV, '');
    await expect(import('../../../lambda/index.js')).rejects.toThrow('TOKEN_REFRESHER_CONFIG is not set');

    const bad = config();
    (bad.provider as { tokenEndpoint: string }).tokenEndpoint = 'http://idp.example.com/token';
    await expect(loadHandler(bad)).rejects.toThrow('provider.tokenEndpoint: must be an https:// URL');
  });
});
