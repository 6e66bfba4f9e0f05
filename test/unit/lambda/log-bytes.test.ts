import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FRESH_RUN_LOG_BYTES, RENEWING_RUN_LOG_BYTES } from '../../../cli/plan/cost-model.js';
import { RUNTIME_CONFIG_ENV, type RuntimeConfig } from '../../../contract/provider-settings.js';
import { captureOutput } from '../../helpers/capture-output.js';
import {
  okToken,
  type ScriptedReply,
  type ScriptedServer,
  startScriptedServer,
} from '../../helpers/scripted-server.js';
import type { ProviderSettings } from '../../../contract/provider-settings.js';
import { clientCredentialsSettings, keycloakSettings } from './fakes.js';

/** CloudWatch Logs bills each log event's UTF-8 bytes plus this much. */
const LOG_EVENT_OVERHEAD_BYTES = 26;
/**
 * Lambda's own lines for a healthy run in its text log format (START, END, REPORT), with five-digit
 * durations and a cold start's Init Duration: at least as long as any run that does not time out.
 */
const LAMBDA_PLATFORM_LINES = [
  'START RequestId: 00000000-0000-0000-0000-000000000000 Version: $LATEST',
  'END RequestId: 00000000-0000-0000-0000-000000000000',
  'REPORT RequestId: 00000000-0000-0000-0000-000000000000\tDuration: 30000.00 ms\tBilled Duration: 30000 ms\t' +
    'Memory Size: 256 MB\tMax Memory Used: 256 MB\tInit Duration: 10000.00 ms\t',
];
const LAMBDA_PLATFORM_LOG_BYTES = LAMBDA_PLATFORM_LINES.reduce(
  (total, line) => total + line.length + 1 + LOG_EVENT_OVERHEAD_BYTES,
  0,
);

/**
 * The log bytes the cost model bills for each run (cli/plan/cost-model.ts) are an upper bound of what
 * the function writes: measured here from the handler's own output with a context shaped like
 * Lambda's (long names, a real request id), plus Lambda's START, END and REPORT lines and CloudWatch's
 * per-event overhead. A log line added to the run shows up here before it shows up on the bill.
 */
const sm = mockClient(SecretsManagerClient);
const ssm = mockClient(SSMClient);
/** The longest id a provider may have (contract/provider-settings.ts): it is in every line. */
const id = `tenant-${'x'.repeat(33)}`;
const arn = (name: string) =>
  `arn:aws:secretsmanager:eu-west-1:123456789012:secret:token-refresher-prod/${name}-AbCdEf`;
const functionName = `token-refresher-prod-${id}`;
const context = {
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
  memoryLimitInMB: '256',
  awsRequestId: '8f5e0c0a-5b1e-4c3d-9a7f-0123456789ab',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;
let server: ScriptedServer;

beforeAll(async () => {
  server = await startScriptedServer();
});
afterAll(() => server.close());
afterEach(() => {
  vi.unstubAllEnvs();
  server.requests.length = 0;
  sm.reset();
  ssm.reset();
});

/** Bytes CloudWatch Logs bills for what the handler wrote in one run: each line plus the per-event overhead. */
async function billedBytesOfRun(handler: (e: unknown, c: Context) => Promise<unknown>): Promise<number> {
  const out = captureOutput();
  try {
    await handler(
      { source: 'token-refresher.schedule', provider: id, scheduledTime: new Date().toISOString() },
      context,
    );
  } finally {
    out.restore();
  }
  const lines = out
    .text()
    .split('\n')
    .filter((l) => l.length > 0);
  return lines.reduce((sum, l) => sum + Buffer.byteLength(l) + 1 + LOG_EVENT_OVERHEAD_BYTES, 0);
}

/**
 * Runs the handler against stores that keep what it writes: the replies script the first runs
 * (whatever it takes to reach a steady-state renewal), then one renewing run and one fresh run are
 * measured.
 */
async function measure(settings: ProviderSettings, credentials: object, replies: ScriptedReply[]) {
  const config: RuntimeConfig = {
    provider: settings,
    resources: {
      credentialsSecretId: arn(`${id}/credentials`),
      tokenStore: { kind: 'parameterstore', id: `/token-refresher-prod/${id}/token` },
      stateParameterName: `/token-refresher-prod/${id}/state`,
      ledgerParameterName: `/token-refresher-prod/${id}/ledger`,
    },
  };
  const parameters = new Map<string, string>();
  sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(credentials), VersionId: 'v1' });
  sm.on(PutSecretValueCommand).resolves({ VersionId: 'v2' });
  ssm.on(GetParameterCommand).callsFake(async (input: { Name: string }) => {
    const value = parameters.get(input.Name);
    if (value === undefined) throw new ParameterNotFound({ $metadata: {}, message: '' });
    return { Parameter: { Value: value, Version: 1 } };
  });
  ssm.on(PutParameterCommand).callsFake(async (input: { Name: string; Value: string }) => {
    parameters.set(input.Name, input.Value);
    return { Version: 1 };
  });
  vi.stubEnv(RUNTIME_CONFIG_ENV, JSON.stringify(config));
  // Lambda sets it for every invocation, and Powertools then adds `xray_trace_id` to every line.
  vi.stubEnv(
    '_X_AMZN_TRACE_ID',
    'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0;Lineage=1:2:3',
  );
  vi.resetModules();
  const { handler } = await import('../../../lambda/index.js');
  server.reply(...replies);
  for (let i = 0; i < replies.length - 1; i++) await billedBytesOfRun(handler);
  const renewing = (await billedBytesOfRun(handler)) + LAMBDA_PLATFORM_LOG_BYTES;
  const fresh = (await billedBytesOfRun(handler)) + LAMBDA_PLATFORM_LOG_BYTES;
  expect(server.requests).toHaveLength(replies.length);
  return { renewing, fresh };
}

const jwt = (lifetime: number) => `eyJhbGciOiJSUzI1NiJ9.${'x'.repeat(900)}.sig-${lifetime}`;

describe('log bytes of a run, as the cost model bills them', () => {
  it('by client_credentials: a renewing and a fresh run write no more than the model counts', async () => {
    const settings = clientCredentialsSettings({ id, tokenEndpoint: server.tokenEndpoint });

    const { renewing, fresh } = await measure(settings, { client_secret: 'cs-value-1' }, [
      okToken({ access_token: jwt(1), expires_in: 86_400 }),
    ]);

    expect(renewing).toBeLessThanOrEqual(RENEWING_RUN_LOG_BYTES);
    expect(fresh).toBeLessThanOrEqual(FRESH_RUN_LOG_BYTES);
    expect(fresh).toBeLessThan(renewing);
  });

  it('by refresh token (after a first password grant): the same', async () => {
    const settings = keycloakSettings({ id, tokenEndpoint: server.tokenEndpoint });

    const { renewing, fresh } = await measure(settings, { username: 'ops@example.com', password: 'pw-1' }, [
      // Due again at once (under the 180 s threshold of these settings), so the next run renews by refresh token.
      okToken({ access_token: jwt(1), expires_in: 150, refresh_token: 'rt-1', refresh_expires_in: 1800 }),
      okToken({ access_token: jwt(2), expires_in: 300, refresh_token: 'rt-2', refresh_expires_in: 1800 }),
    ]);

    expect(server.requests.map((r) => r.form.grant_type)).toEqual(['password', 'refresh_token']);
    expect(renewing).toBeLessThanOrEqual(RENEWING_RUN_LOG_BYTES);
    expect(fresh).toBeLessThanOrEqual(FRESH_RUN_LOG_BYTES);
  });
});
