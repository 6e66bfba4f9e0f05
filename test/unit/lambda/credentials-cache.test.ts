import 'aws-sdk-client-mock-vitest/extend';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CREDENTIALS_CACHE_SECONDS } from '../../../contract/credentials.js';
import { LOCKOUT_COOLDOWN_MS } from '../../../core/lockout.js';
import { SecretsManagerCredentials } from '../../../lambda/adapters/secrets-manager-credentials.js';
import { answer, clientCredentialsSettings, FakeClock, MemoryCredentials, makeWorld, tokenAnswer } from './fakes.js';

/**
 * A warm function answers healthy renewals from the credentials it read at most
 * CREDENTIALS_CACHE_SECONDS ago; everything the lockout rules decide on reads the secret as it is now.
 */
const sm = mockClient(SecretsManagerClient);
const SECRET_ID = 'token-refresher/cc/credentials';
const CLIENT_SECRET = `cs "<>&'% ü`;
const stored = { value: CLIENT_SECRET, version: 'v1' };

beforeEach(() => {
  sm.reset();
  stored.value = CLIENT_SECRET;
  stored.version = 'v1';
  sm.on(GetSecretValueCommand).callsFake(() => ({
    SecretString: JSON.stringify({ client_secret: stored.value }),
    VersionId: stored.version,
  }));
});

const fetches = () => sm.commandCalls(GetSecretValueCommand).length;

describe('SecretsManagerCredentials', () => {
  it(`answers from the last read for ${CREDENTIALS_CACHE_SECONDS} s when allowed, and reads again after`, async () => {
    const clock = new FakeClock();
    const source = new SecretsManagerCredentials(new SecretsManagerClient({}), SECRET_ID, clock.now);

    await source.read(undefined, { allowCached: true });
    for (let i = 1; i < 5; i++) {
      clock.advance(60);
      await source.read(undefined, { allowCached: true });
    }
    expect(fetches()).toBe(1);
    clock.advance(60);
    await source.read(undefined, { allowCached: true });
    expect(fetches()).toBe(2);
  });

  it('reads the secret whenever a cached answer is not allowed, and a fresh read replaces the cached one', async () => {
    const clock = new FakeClock();
    const source = new SecretsManagerCredentials(new SecretsManagerClient({}), SECRET_ID, clock.now);
    await source.read(undefined, { allowCached: true });
    stored.version = 'v2';

    expect((await source.read()).versionId).toBe('v2');
    expect((await source.read(undefined, { allowCached: true })).versionId).toBe('v2');
    expect(fetches()).toBe(2);
  });

  it('never keeps a failed read', async () => {
    const clock = new FakeClock();
    const source = new SecretsManagerCredentials(new SecretsManagerClient({}), SECRET_ID, clock.now);
    sm.on(GetSecretValueCommand)
      .rejectsOnce(new ResourceNotFoundException({ $metadata: {}, message: 'no value' }))
      .callsFake(() => ({ SecretString: JSON.stringify({ client_secret: 'x' }), VersionId: 'v9' }));

    await expect(source.read(undefined, { allowCached: true })).rejects.toMatchObject({
      code: 'credentials_not_found',
    });
    expect((await source.read(undefined, { allowCached: true })).versionId).toBe('v9');
  });
});

describe('the core allows a cached answer only on a renewal with no lockout memory', () => {
  const settings = clientCredentialsSettings({
    expectedLifetimeSeconds: 300,
    minValiditySeconds: 60,
    checkIntervalMinutes: 1,
    safetyMarginSeconds: 155,
  });
  const rejected = () => answer(401, { error: 'invalid_client', error_description: 'Invalid client credentials' });

  it('renews a 5-minute token every minute with one secret read in five renewals', async () => {
    // The adapter reads the world's clock, which exists once the world does.
    const world: { clock?: FakeClock } = {};
    const source = new SecretsManagerCredentials(new SecretsManagerClient({}), SECRET_ID, () => world.clock!.now());
    const w = await makeWorld(settings, () => tokenAnswer({ refresh_token: undefined, expires_in: 300 }), source);
    world.clock = w.clock;

    for (let run = 0; run < 10; run++) {
      expect((await w.run()).result.outcome).toBe('refreshed');
      w.clock.advance(60);
    }
    expect(fetches()).toBe(2);
  });

  it('reads the secret as it is now for a forced run, and after a rejection until the guard lifts', async () => {
    const credentials = new MemoryCredentials({ client_secret: CLIENT_SECRET });
    let reject = false;
    const w = await makeWorld(
      settings,
      () => (reject ? rejected() : tokenAnswer({ refresh_token: undefined, expires_in: 300 })),
      credentials,
    );
    await w.run();
    w.clock.advance(60);
    await w.run();
    expect(credentials.allowCached).toEqual([true, true]);

    w.clock.advance(60);
    expect((await w.run(true)).result.outcome).toBe('refreshed');
    expect(credentials.allowCached.at(-1)).toBe(false);

    reject = true;
    w.clock.advance(60);
    expect((await w.run()).result.error?.kind).toBe('credentials');
    const afterRejection = credentials.allowCached.length;
    credentials.rotate({ client_secret: 'new-secret' });
    reject = false;
    for (let minute = 0; minute < LOCKOUT_COOLDOWN_MS / 60_000 + 2; minute++) {
      w.clock.advance(60);
      await w.run();
    }
    // Every run from the rejection until the new version worked looked at the secret itself.
    const guarded = credentials.allowCached.slice(afterRejection);
    const firstCached = guarded.indexOf(true);
    expect(firstCached).toBeGreaterThan(LOCKOUT_COOLDOWN_MS / 60_000 - 1);
    expect(guarded.slice(0, firstCached).every((allowed) => !allowed)).toBe(true);
    expect(w.stateStore.state?.guard).toBeUndefined();
  });

  it('reads the secret as it is now after an attempt whose outcome was not seen', async () => {
    const credentials = new MemoryCredentials({ client_secret: CLIENT_SECRET });
    let gateway = false;
    const w = await makeWorld(
      settings,
      () => (gateway ? answer(504, '<html>Gateway Timeout</html>') : tokenAnswer({ expires_in: 300 })),
      credentials,
    );
    await w.run();
    gateway = true;
    w.clock.advance(60);
    await w.run();
    expect(w.stateStore.state?.pendingPrimary).toBeDefined();
    gateway = false;
    w.clock.advance(60);
    await w.run();

    expect(credentials.allowCached.at(-1)).toBe(false);
  });
});

describe('credentials missing a key', () => {
  it('are read again from the secret before the run fails, so a fix put in meanwhile is used at once', async () => {
    const settings = clientCredentialsSettings({
      expectedLifetimeSeconds: 300,
      minValiditySeconds: 60,
      checkIntervalMinutes: 1,
      safetyMarginSeconds: 155,
    });
    const world: { clock?: FakeClock } = {};
    const source = new SecretsManagerCredentials(new SecretsManagerClient({}), SECRET_ID, () => world.clock!.now());
    const w = await makeWorld(settings, () => tokenAnswer({ refresh_token: undefined, expires_in: 300 }), source);
    world.clock = w.clock;
    const typo = { SecretString: JSON.stringify({ clientsecret: 'typo' }), VersionId: 'v1' };
    sm.on(GetSecretValueCommand).resolves(typo);

    const first = await w.run();
    sm.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ client_secret: 'fixed' }),
      VersionId: 'v2',
    });
    w.clock.advance(60);
    const second = await w.run();

    expect(first.result.error).toMatchObject({ code: 'credentials_missing_key' });
    // The container still holds the version with the typo; the run reads the secret before failing.
    expect(second.result).toMatchObject({ outcome: 'refreshed' });
    expect(w.endpoint.requests.at(-1)).toMatchObject({ clientSecret: 'fixed' });
  });
});
