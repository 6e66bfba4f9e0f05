import 'aws-sdk-client-mock-vitest/extend';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CREDENTIALS_CACHE_SECONDS } from '../../../contract/credentials.js';
import type { ProviderSettings } from '../../../contract/provider-settings.js';
import { LOCKOUT_COOLDOWN_MS, UNCONFIRMED_SPACING_MS } from '../../../core/lockout.js';
import { runRefresh } from '../../../core/refresh.js';
import { SecretsManagerCredentials } from '../../../lambda/adapters/secrets-manager-credentials.js';
import {
  answer,
  clientCredentialsSettings,
  FakeClock,
  keycloakSettings,
  MemoryCredentials,
  makeWorld,
  tokenAnswer,
} from './fakes.js';

/**
 * A warm function answers healthy renewals from the credentials it read at most
 * CREDENTIALS_CACHE_SECONDS ago, and only of the version the IdP last accepted; a password, and
 * everything the lockout rules decide on, is read from the secret as it is now.
 */
const sm = mockClient(SecretsManagerClient);
const SECRET_ID = 'token-refresher/cc/credentials';
const CLIENT_SECRET = `cs "<>&'% ü`;
const stored = { values: { client_secret: CLIENT_SECRET } as Record<string, string>, version: 'v1' };

beforeEach(() => {
  sm.reset();
  stored.values = { client_secret: CLIENT_SECRET };
  stored.version = 'v1';
  sm.on(GetSecretValueCommand).callsFake(() => ({
    SecretString: JSON.stringify(stored.values),
    VersionId: stored.version,
  }));
});

const fetches = () => sm.commandCalls(GetSecretValueCommand).length;
/** Operators put new credentials into the secret. */
const putCredentials = (values: Record<string, string>) => {
  stored.values = values;
  stored.version = `v${Number(stored.version.slice(1)) + 1}`;
};
const fiveMinuteClientCredentials = clientCredentialsSettings({
  expectedLifetimeSeconds: 300,
  minValiditySeconds: 60,
  checkIntervalMinutes: 1,
  safetyMarginSeconds: 155,
});

/** A world whose credentials come from the real adapter (over the mocked client) on the world's clock. */
async function worldWithSecret(settings: ProviderSettings, script: Parameters<typeof makeWorld>[1]) {
  const holder: { clock?: FakeClock } = {};
  const source = new SecretsManagerCredentials(new SecretsManagerClient({}), SECRET_ID, () => holder.clock!.now());
  const w = await makeWorld(settings, script, source);
  holder.clock = w.clock;
  return w;
}

describe('SecretsManagerCredentials', () => {
  it(`answers from the last read of the asked version for ${CREDENTIALS_CACHE_SECONDS} s, and reads again after`, async () => {
    const clock = new FakeClock();
    const source = new SecretsManagerCredentials(new SecretsManagerClient({}), SECRET_ID, clock.now);

    await source.read(undefined, { cachedVersion: 'v1' });
    for (let i = 1; i < 5; i++) {
      clock.advance(60);
      await source.read(undefined, { cachedVersion: 'v1' });
    }
    expect(fetches()).toBe(1);
    clock.advance(60);
    await source.read(undefined, { cachedVersion: 'v1' });
    expect(fetches()).toBe(2);
  });

  it('reads the secret when asked for no version or another one, and keeps what it read', async () => {
    const clock = new FakeClock();
    const source = new SecretsManagerCredentials(new SecretsManagerClient({}), SECRET_ID, clock.now);
    await source.read();
    putCredentials({ client_secret: 'second' });

    expect((await source.read(undefined, { cachedVersion: 'v0' })).versionId).toBe('v2');
    expect((await source.read(undefined, { cachedVersion: 'v2' })).versionId).toBe('v2');
    expect((await source.read()).versionId).toBe('v2');
    expect(fetches()).toBe(3);
  });

  it('never keeps a failed read', async () => {
    const clock = new FakeClock();
    const source = new SecretsManagerCredentials(new SecretsManagerClient({}), SECRET_ID, clock.now);
    sm.on(GetSecretValueCommand)
      .rejectsOnce(new ResourceNotFoundException({ $metadata: {}, message: 'no value' }))
      .callsFake(() => ({ SecretString: JSON.stringify({ client_secret: 'x' }), VersionId: 'v9' }));

    await expect(source.read(undefined, { cachedVersion: 'v9' })).rejects.toMatchObject({
      code: 'credentials_not_found',
    });
    expect((await source.read(undefined, { cachedVersion: 'v9' })).versionId).toBe('v9');
  });
});

describe('the core sends cached credentials only on a healthy renewal, of the version that last worked', () => {
  const rejected = () => answer(401, { error: 'invalid_client', error_description: 'Invalid client credentials' });

  it('renews a 5-minute token every minute with one secret read in five renewals', async () => {
    const w = await worldWithSecret(fiveMinuteClientCredentials, () =>
      tokenAnswer({ refresh_token: undefined, expires_in: 300 }),
    );

    for (let run = 0; run < 10; run++) {
      expect((await w.run()).result.outcome).toBe('refreshed');
      w.clock.advance(60);
    }
    expect(fetches()).toBe(2);
    expect(w.stateStore.state?.workingCredentialsVersion).toBe('v1');
  });

  it('reads the secret as it is now for a forced run, and after a rejection until new credentials worked', async () => {
    const credentials = new MemoryCredentials({ client_secret: CLIENT_SECRET });
    let reject = false;
    const w = await makeWorld(
      fiveMinuteClientCredentials,
      () => (reject ? rejected() : tokenAnswer({ refresh_token: undefined, expires_in: 300 })),
      credentials,
    );
    await w.run();
    w.clock.advance(60);
    await w.run();
    // Nothing worked yet at the first read; then the version that did.
    expect(credentials.cachedVersions).toEqual([undefined, 'v1']);

    w.clock.advance(60);
    expect((await w.run(true)).result.outcome).toBe('refreshed');
    expect(credentials.cachedVersions.at(-1)).toBeUndefined();

    reject = true;
    w.clock.advance(60);
    expect((await w.run()).result.error?.kind).toBe('credentials');
    const afterRejection = credentials.cachedVersions.length;
    credentials.rotate({ client_secret: 'new-secret' });
    reject = false;
    for (let minute = 0; minute < LOCKOUT_COOLDOWN_MS / 60_000 + 2; minute++) {
      w.clock.advance(60);
      await w.run();
    }
    // Every run from the rejection until the new version worked looked at the secret itself.
    const guarded = credentials.cachedVersions.slice(afterRejection);
    const firstCached = guarded.findIndex((v) => v !== undefined);
    expect(firstCached).toBeGreaterThan(LOCKOUT_COOLDOWN_MS / 60_000 - 1);
    expect(guarded[firstCached]).toBe('v2');
    expect(w.stateStore.state?.guard).toBeUndefined();
  });

  it('reads the secret as it is now after an attempt whose outcome was not seen', async () => {
    const credentials = new MemoryCredentials({ client_secret: CLIENT_SECRET });
    let gateway = false;
    const w = await makeWorld(
      fiveMinuteClientCredentials,
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

    expect(credentials.cachedVersions.at(-1)).toBeUndefined();
  });

  it('always reads a password from the secret: a changed password has no grace period', async () => {
    const credentials = new MemoryCredentials({ username: 'alice', password: `pw "<>&'% ü` });
    const w = await makeWorld(
      keycloakSettings({
        useRefreshToken: false,
        expectedLifetimeSeconds: 300,
        minValiditySeconds: 60,
        checkIntervalMinutes: 1,
        safetyMarginSeconds: 155,
      }),
      () => tokenAnswer({ refresh_token: undefined, expires_in: 300 }),
      credentials,
    );
    for (let run = 0; run < 3; run++) {
      expect((await w.run()).result.outcome).toBe('refreshed');
      w.clock.advance(60);
    }

    expect(credentials.cachedVersions).toEqual([undefined, undefined, undefined]);
  });

  it('holds a rejected client secret sent from the cache against the version sent, not the one stored since', async () => {
    // A confidential client renewing by refresh token: the client secret comes from the cache.
    const settings = keycloakSettings({
      clientAuth: 'client_secret_post',
      expectedLifetimeSeconds: 300,
      minValiditySeconds: 60,
      checkIntervalMinutes: 1,
      safetyMarginSeconds: 155,
    });
    stored.values = { username: 'alice', password: 'pw-1', client_secret: 'old-secret' };
    let regenerated = false;
    const w = await worldWithSecret(settings, (req) =>
      regenerated && req.clientSecret === 'old-secret'
        ? answer(401, {
            error: 'unauthorized_client',
            error_description: 'Invalid client or Invalid client credentials',
          })
        : tokenAnswer({ expires_in: 300 }),
    );
    await w.run();
    w.clock.advance(60);
    await w.run();
    // Keycloak's "Regenerate secret": the old one ends at once; operators put the new one.
    regenerated = true;
    putCredentials({ username: 'alice', password: 'pw-1', client_secret: 'new-secret' });
    w.clock.advance(60);
    const report = await w.run();

    expect(report.result.error).toMatchObject({ kind: 'credentials' });
    expect(w.endpoint.requests.at(-1)).toMatchObject({ grant: 'refresh_token', clientSecret: 'old-secret' });
    expect(w.stateStore.state?.guard?.credentialsVersion).toBe('v1');
    // The new version, which nothing has sent yet, is not what the guard holds; it is sent once the cooldown ends.
    w.clock.advance(LOCKOUT_COOLDOWN_MS / 1000);
    expect((await w.run()).result.outcome).toBe('refreshed');
    expect(w.endpoint.requests.at(-1)).toMatchObject({ clientSecret: 'new-secret' });
  });

  it('reads the secret while a guard is on record, so new credentials put after a rejection wait out the cooldown', async () => {
    // A rejected refresh leaves the version it sent as the working one (only a primary attempt's
    // record suspends it); a client_credentials grant that follows sends no password, so only the
    // guard keeps the warm copy of that version from standing in for the secret operators corrected.
    const settings = { ...fiveMinuteClientCredentials, useRefreshToken: true };
    stored.values = { client_secret: 'old-secret' };
    let regenerated = false;
    const w = await worldWithSecret(settings, (req) =>
      regenerated && req.clientSecret === 'old-secret'
        ? answer(401, { error: 'unauthorized_client', error_description: 'Invalid client credentials' })
        : tokenAnswer({ expires_in: 300 }),
    );
    await w.run();
    w.clock.advance(60);
    regenerated = true;
    const rejection = await w.run(); // the cached old secret goes out on a refresh and is rejected
    expect(rejection.result.error).toMatchObject({ kind: 'credentials' });
    expect(w.endpoint.requests.at(-1)).toMatchObject({ grant: 'refresh_token', clientSecret: 'old-secret' });
    expect(w.stateStore.state?.guard?.credentialsVersion).toBe('v1');
    putCredentials({ client_secret: 'new-secret' });
    w.clock.advance(60);
    const readsBefore = fetches();
    const sentBefore = w.endpoint.requests.length;
    const report = await w.run();

    expect(fetches()).toBe(readsBefore + 1);
    expect(w.endpoint.requests.length).toBe(sentBefore);
    // The operators already put new credentials: the run says they wait out the cooldown, not that
    // the rejected version is still in the secret.
    expect(report.result.error).toMatchObject({ kind: 'credentials', code: 'lockout_cooldown' });
  });

  it('reads the secret while an attempt is on record unseen, though the version it sent is still marked as working', async () => {
    // A refresh that authenticates the client puts its attempt on record but leaves the version
    // that last worked marked as such; when the run ends before the write after the answer (a
    // gateway timeout, then a throttled or cut-off write), both stay in the state. Only the record
    // keeps the warm copy of that version from standing in for the secret operators put since.
    const settings = { ...fiveMinuteClientCredentials, useRefreshToken: true };
    let lost = false;
    const w = await worldWithSecret(settings, () => {
      if (!lost) return tokenAnswer({ expires_in: 300 });
      w.stateStore.failWrites = true; // the attempt record is stored; nothing after it is
      return answer(504, '<html>Gateway Timeout</html>');
    });
    await w.run();
    w.clock.advance(60);
    lost = true;
    await w.run(); // the cached v1 goes out on a refresh; its outcome is never stored
    expect(w.endpoint.requests.at(-1)).toMatchObject({ grant: 'refresh_token', clientSecret: CLIENT_SECRET });
    expect(w.stateStore.state).toMatchObject({
      pendingPrimary: { credentialsVersion: 'v1' },
      workingCredentialsVersion: 'v1',
    });
    lost = false;
    w.stateStore.failWrites = false;
    putCredentials({ client_secret: 'second' });
    w.clock.advance(60);
    const readsBefore = fetches();
    const sentBefore = w.endpoint.requests.length;
    const report = await w.run();

    // The new version goes out at once; the copy of v1 would wait out the unseen attempt's spacing.
    expect(w.endpoint.requests.slice(sentBefore).map((r) => r.clientSecret)).toEqual(['second']);
    expect(report.result.outcome).toBe('refreshed');
    expect(fetches()).toBe(readsBefore + 1);
  });

  it('sends no cached copy of a version whose attempt went unseen, once a later attempt settled the record', async () => {
    // An attempt not seen leaves the version unconfirmed. The record of the next attempt, settled by
    // a 503, is gone from the state; the version must not be marked as working again by then.
    let reply: 'ok' | 'gateway' | 'unavailable' = 'ok';
    const w = await worldWithSecret(fiveMinuteClientCredentials, () =>
      reply === 'gateway'
        ? answer(504, '<html>Gateway Timeout</html>')
        : reply === 'unavailable'
          ? answer(503, { error: 'temporarily_unavailable' })
          : tokenAnswer({ refresh_token: undefined, expires_in: 300 }),
    );
    await w.run();
    w.clock.advance(60);
    reply = 'gateway';
    await w.run(); // the cached v1 goes out; its outcome is not seen
    expect(w.stateStore.state?.pendingPrimary?.credentialsVersion).toBe('v1');
    w.clock.advance(UNCONFIRMED_SPACING_MS / 1000);
    reply = 'unavailable';
    await w.run(); // v1, read from the secret, goes out again; the provider answers 503
    expect(w.stateStore.state?.pendingPrimary).toBeUndefined();
    putCredentials({ client_secret: 'second' });
    w.clock.advance(60);
    reply = 'ok';
    const readsBefore = fetches();
    const sentBefore = w.endpoint.requests.length;
    const report = await w.run();

    expect(w.endpoint.requests.slice(sentBefore).map((r) => r.clientSecret)).toEqual(['second']);
    expect(report.result.outcome).toBe('refreshed');
    expect(fetches()).toBe(readsBefore + 1);
  });

  it('never sends a cached version that another container saw rejected, nor one replaced since', async () => {
    // Two warm containers of one function, taking turns on the same state and token (reserved
    // concurrency 1 runs one at a time, but any of its environments may run next).
    const clock = new FakeClock();
    const client = new SecretsManagerClient({});
    const containerA = new SecretsManagerCredentials(client, SECRET_ID, clock.now);
    const containerB = new SecretsManagerCredentials(client, SECRET_ID, clock.now);
    const idp: { rejects?: string } = {};
    const w = await makeWorld(
      fiveMinuteClientCredentials,
      (req) =>
        req.clientSecret === idp.rejects ? rejected() : tokenAnswer({ refresh_token: undefined, expires_in: 300 }),
      containerA,
    );
    w.clock.ms = clock.ms;
    const runOn = (container: SecretsManagerCredentials) =>
      runRefresh({ ...w.deps, credentials: container, clock }, { deadlineMs: clock.now() + 50_000 });
    await runOn(containerA);
    clock.advance(60);
    await runOn(containerB); // B now holds v1 too
    clock.advance(60);
    putCredentials({ client_secret: 'second' });
    idp.rejects = CLIENT_SECRET; // the provider ends v1 as the operators rotate

    const a = await runOn(containerA); // A's cached v1 is rejected: the guard holds v1
    expect(a.result.error).toMatchObject({ kind: 'credentials' });
    clock.advance(LOCKOUT_COOLDOWN_MS / 1000);
    expect((await runOn(containerA)).result.outcome).toBe('refreshed'); // v2 worked
    clock.advance(60);
    const sentBefore = w.endpoint.requests.length;
    await runOn(containerB);

    expect(w.endpoint.requests.slice(sentBefore).map((r) => r.clientSecret)).toEqual(['second']);
  });
});

describe('review findings, kept as tests', () => {
  const rejected = () => answer(401, { error: 'invalid_client', error_description: 'Invalid client credentials' });

  it('never sends a cached copy of a version whose last attempt was not seen, even after another version failed', async () => {
    const clock = new FakeClock();
    const client = new SecretsManagerClient({});
    const containerA = new SecretsManagerCredentials(client, SECRET_ID, clock.now);
    const containerB = new SecretsManagerCredentials(client, SECRET_ID, clock.now);
    let reply: 'ok' | 'gateway' | 'unavailable' = 'ok';
    const w = await makeWorld(
      fiveMinuteClientCredentials,
      () =>
        reply === 'gateway'
          ? answer(504, '<html>Gateway Timeout</html>')
          : reply === 'unavailable'
            ? answer(503, { error: 'temporarily_unavailable' })
            : tokenAnswer({ refresh_token: undefined, expires_in: 300 }),
      containerA,
    );
    const runOn = (container: SecretsManagerCredentials) =>
      runRefresh({ ...w.deps, credentials: container, clock }, { deadlineMs: clock.now() + 50_000 });
    await runOn(containerA);
    clock.advance(60);
    reply = 'gateway'; // A's cached v1 goes out; its outcome is not seen
    await runOn(containerA);
    putCredentials({ client_secret: 'second' });
    clock.advance(60);
    reply = 'unavailable'; // B reads v2 from the secret; the provider answers 503
    await runOn(containerB);
    expect(w.stateStore.state?.pendingPrimary).toBeUndefined();
    clock.advance(60);
    reply = 'ok';
    const sentBefore = w.endpoint.requests.length;
    await runOn(containerA);

    expect(w.endpoint.requests.slice(sentBefore).map((r) => r.clientSecret)).toEqual(['second']);
  });

  it('reads the secret on a forced run that the store has no write budget for', async () => {
    const credentials = new MemoryCredentials({ client_secret: CLIENT_SECRET });
    const w = await makeWorld(
      fiveMinuteClientCredentials,
      () => tokenAnswer({ refresh_token: undefined, expires_in: 300 }),
      credentials,
    );
    await w.run();
    const reads = credentials.reads;
    w.clock.advance(10);

    const forced = await w.run(true);

    expect(forced.result).toMatchObject({ outcome: 'fresh', note: { code: 'forced_run_limited' } });
    expect(credentials.reads).toBe(reads + 1);
    expect(credentials.cachedVersions.at(-1)).toBeUndefined();
  });

  it('stops every warm container sending its copy of the old client secret once a forced run saw the new one', async () => {
    const clock = new FakeClock();
    const client = new SecretsManagerClient({});
    const containerA = new SecretsManagerCredentials(client, SECRET_ID, clock.now);
    const containerB = new SecretsManagerCredentials(client, SECRET_ID, clock.now);
    const idp: { ended?: string } = {};
    const w = await makeWorld(
      fiveMinuteClientCredentials,
      (req) =>
        req.clientSecret === idp.ended ? rejected() : tokenAnswer({ refresh_token: undefined, expires_in: 300 }),
      containerA,
    );
    const runOn = (container: SecretsManagerCredentials, force = false) =>
      runRefresh({ ...w.deps, credentials: container, clock }, { force, deadlineMs: clock.now() + 50_000 });
    await runOn(containerA);
    clock.advance(60);
    await runOn(containerB); // B holds v1 too
    clock.advance(10);
    // The runbook's rotation: put the new secret, force a run, then end the old one at the provider.
    putCredentials({ client_secret: 'second' });
    const forced = await runOn(containerA, true);
    expect(forced.result).toMatchObject({ outcome: 'fresh', note: { code: 'forced_run_limited' } });
    idp.ended = CLIENT_SECRET;
    clock.advance(50);
    const sentBefore = w.endpoint.requests.length;
    const next = await runOn(containerB);

    expect(w.endpoint.requests.slice(sentBefore).map((r) => r.clientSecret)).toEqual(['second']);
    expect(next.result.outcome).toBe('refreshed');
  });

  it('leaves no attempt on record when the record could not be written and nothing was sent', async () => {
    const credentials = new MemoryCredentials({ client_secret: CLIENT_SECRET });
    const w = await makeWorld(
      fiveMinuteClientCredentials,
      () => tokenAnswer({ refresh_token: undefined, expires_in: 300 }),
      credentials,
    );
    const write = w.stateStore.write.bind(w.stateStore);
    let failures = 1;
    w.stateStore.write = async (state) => {
      if (failures-- > 0) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return write(state);
    };

    const first = await w.run();
    expect(first.result.error).toMatchObject({ code: 'state_write_failed' });
    expect(w.endpoint.requests).toHaveLength(0);
    expect(w.stateStore.state?.pendingPrimary).toBeUndefined();
    w.clock.advance(60);
    expect((await w.run()).result.outcome).toBe('refreshed');
  });
});

describe('credentials missing a key', () => {
  it('are read again from the secret before the run fails, so a fix put in meanwhile is used at once', async () => {
    const w = await worldWithSecret(fiveMinuteClientCredentials, () =>
      tokenAnswer({ refresh_token: undefined, expires_in: 300 }),
    );
    await w.run();
    putCredentials({ clientsecret: 'typo' });
    w.clock.advance(60 * 6);
    const first = await w.run();
    putCredentials({ client_secret: 'fixed' });
    w.clock.advance(60);
    const second = await w.run();

    expect(first.result.error).toMatchObject({ code: 'credentials_missing_key' });
    expect(second.result).toMatchObject({ outcome: 'refreshed' });
    expect(w.endpoint.requests.at(-1)).toMatchObject({ clientSecret: 'fixed' });
  });
});
