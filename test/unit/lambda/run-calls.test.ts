import 'aws-sdk-client-mock-vitest/extend';
import {
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import {
  FRESH_RUN_CALLS,
  type RunCalls,
  renewingRunCalls,
  TOKEN_SECRET_CHECK_CALLS,
} from '../../../cli/plan/run-calls.js';
import { runRefresh } from '../../../core/refresh.js';
import { SecretsManagerTokenStore } from '../../../lambda/adapters/secrets-manager-token-store.js';
import type { PrivateState } from '../../../contract/private-state.js';
import type { ProviderSettings } from '../../../contract/provider-settings.js';
import {
  clientCredentialsSettings,
  keycloakSettings,
  MemoryCredentials,
  makeWorld,
  RecordingLog,
  tokenAnswer,
  type World,
} from './fakes.js';

/**
 * The cost model (cli/plan/cost-model.ts) bills the store calls it assumes a run makes; here the
 * refresh core's own runs are counted against them, so the plan's KMS, Secrets Manager and SSM lines
 * change when core/run/ reads or writes more.
 */
function counting(world: World): { calls: RunCalls } {
  const counts = {
    tokenReads: 0,
    stateReads: 0,
    credentialsReads: 0,
    stateWrites: 0,
    refreshTokenWrites: 0,
    tokenWrites: 0,
    tokenRequests: 0,
  };
  const wrap = <T extends object>(target: T, method: keyof T & string, counter: keyof typeof counts) => {
    const original = (target[method] as (...args: unknown[]) => unknown).bind(target);
    Object.assign(target, {
      [method]: (...args: unknown[]) => {
        counts[counter]++;
        return original(...args);
      },
    });
  };
  wrap(world.tokenStore, 'read', 'tokenReads');
  wrap(world.tokenStore, 'write', 'tokenWrites');
  wrap(world.stateStore, 'read', 'stateReads');
  wrap(world.stateStore, 'write', 'stateWrites');
  // The SecureString part of the state is put only when the refresh token changes (contract/private-state.ts).
  const write = world.stateStore.write.bind(world.stateStore);
  world.stateStore.write = async (state: PrivateState) => {
    if (state.refreshToken !== world.stateStore.state?.refreshToken) counts.refreshTokenWrites++;
    return write(state);
  };
  wrap(world.credentials, 'read', 'credentialsReads');
  // Each token request carries one assertion when a key signs them: the plan's kms:Sign count.
  wrap(world.endpoint, 'send', 'tokenRequests');
  return {
    get calls() {
      return { ...counts };
    },
  };
}

/** The calls of one run in the steady state: after a first renewal, when the token is fresh or due again. */
async function steadyRun(settings: ProviderSettings, due: boolean): Promise<RunCalls> {
  const secret: Record<string, string> = settings.clientAuth === 'none' ? {} : { client_secret: `cs "<>&'% ü` };
  const user: Record<string, string> =
    settings.grant === 'password' ? { username: 'alice', password: `pw "<>&'% ü` } : {};
  const cc = settings.grant === 'client_credentials';
  const world = await makeWorld(
    settings,
    () => tokenAnswer(cc ? { refresh_token: undefined, expires_in: settings.expectedLifetimeSeconds } : {}),
    new MemoryCredentials({ ...user, ...secret }),
  );
  expect((await world.run()).result.outcome).toBe('refreshed');
  world.clock.advance(due ? settings.expectedLifetimeSeconds - 30 : 1);
  const counter = counting(world);
  const report = await world.run();
  expect(report.result.outcome).toBe(due ? 'refreshed' : 'fresh');
  return counter.calls;
}

describe('store calls of a run, as the cost model counts them', () => {
  it('a run that finds the token fresh reads the token and the state, nothing more', async () => {
    expect(await steadyRun(keycloakSettings(), false)).toEqual(FRESH_RUN_CALLS);
    expect(await steadyRun(clientCredentialsSettings(), false)).toEqual(FRESH_RUN_CALLS);
  });

  it('a renewal by refresh token of a public client reads no credentials and writes the state once', async () => {
    const s = keycloakSettings();
    expect(await steadyRun(s, true)).toEqual(renewingRunCalls(s));
    expect(renewingRunCalls(s)).toMatchObject({
      credentialsReads: 0,
      stateWrites: 1,
      refreshTokenWrites: 1,
      tokenWrites: 1,
    });
  });

  it('a renewal by refresh token of a confidential client reads the credentials for its client secret', async () => {
    const s = keycloakSettings({ clientAuth: 'client_secret_post' });
    expect(await steadyRun(s, true)).toEqual(renewingRunCalls(s));
  });

  it('a client_credentials renewal reads the credentials and records the attempt before sending it', async () => {
    const s = clientCredentialsSettings();
    expect(await steadyRun(s, true)).toEqual(renewingRunCalls(s));
    // Both state writes go to the ledger: no refresh token, so no SecureString put and no KMS request.
    expect(renewingRunCalls(s)).toMatchObject({
      credentialsReads: 1,
      stateWrites: 2,
      refreshTokenWrites: 0,
      tokenWrites: 1,
    });
  });

  it('a password grant without refresh tokens counts like client_credentials', async () => {
    const s = keycloakSettings({ useRefreshToken: false });
    expect(await steadyRun(s, true)).toEqual(renewingRunCalls(s));
  });
});

describe('Secrets Manager calls of a container, as the cost model counts them', () => {
  it('the first write of a container checks the secret (TOKEN_SECRET_CHECK_CALLS more calls), later runs do not', async () => {
    const sm = mockClient(SecretsManagerClient);
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:token-refresher/kc/token-AbCdEf';
    let stored: string | undefined;
    sm.on(DescribeSecretCommand).resolves({ ARN: arn });
    sm.on(GetResourcePolicyCommand).resolves({ ARN: arn });
    sm.on(GetSecretValueCommand).callsFake(() => {
      if (stored === undefined) throw new ResourceNotFoundException({ $metadata: {}, message: 'no value yet' });
      return { SecretString: stored };
    });
    sm.on(PutSecretValueCommand).callsFake((input: { SecretString: string }) => {
      stored = input.SecretString;
      return { ARN: arn };
    });
    const world = await makeWorld(keycloakSettings(), () => tokenAnswer());
    const deps = {
      ...world.deps,
      tokenStore: new SecretsManagerTokenStore(
        new SecretsManagerClient({}),
        'token-refresher/kc/token',
        new RecordingLog(),
      ),
    };
    const run = () => runRefresh(deps, { deadlineMs: world.clock.now() + 50_000 });
    const callsOf = async (advance: number) => {
      world.clock.advance(advance);
      sm.resetHistory();
      await run();
      return sm.calls().length;
    };
    const renewal = renewingRunCalls(keycloakSettings());

    const first = await callsOf(0);
    const fresh = await callsOf(1);
    const renewing = await callsOf(keycloakSettings().expectedLifetimeSeconds);

    expect(first).toBe(renewal.tokenReads + renewal.tokenWrites + TOKEN_SECRET_CHECK_CALLS);
    expect(fresh).toBe(FRESH_RUN_CALLS.tokenReads);
    expect(renewing).toBe(renewal.tokenReads + renewal.tokenWrites);
    sm.restore();
  });
});
