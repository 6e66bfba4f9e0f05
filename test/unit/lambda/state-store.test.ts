import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readStateView } from '../../../cli/status/stores.js';
import type { PrivateState } from '../../../contract/private-state.js';
import type { ProviderSettings } from '../../../contract/provider-settings.js';
import { publishedToken } from '../../../contract/published-token.js';
import { settingsFingerprint } from '../../../core/fingerprint.js';
import type { TokenRequest } from '../../../core/ports.js';
import { runRefresh } from '../../../core/refresh.js';
import { ParameterStateStore } from '../../../lambda/adapters/parameter-state-store.js';
import { type FakeAws, startFakeAws } from '../../helpers/fake-aws.js';
import { base64Cores, ENCODINGS } from '../../helpers/secret-encodings.js';
import {
  answer,
  FakeClock,
  keycloakSettings,
  MemoryCredentials,
  MemoryTokenStore,
  RecordingLog,
  ScriptedEndpoint,
  tokenAnswer,
} from './fakes.js';

/**
 * The private state's two parameters (contract/private-state.ts splitPrivateState) through the real
 * SSM client against the fake Parameter Store: the ledger is a String parameter written on every
 * change, the refresh token a SecureString written only when it changes, and no secret ever reaches
 * the ledger.
 */
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const names = { stateParameterName: '/tr/p/state', ledgerParameterName: '/tr/p/ledger' };
const REFRESH_TOKEN = `rt "<>&'% ü+/= ${'x'.repeat(40)}`;
let aws: FakeAws;
let client: SSMClient;
const clientOptions = () => ({
  endpoint: aws.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});

beforeAll(async () => {
  aws = await startFakeAws();
  client = new SSMClient(clientOptions());
});
afterAll(() => aws.close());
beforeEach(() => {
  aws.parameters.clear();
  aws.calls.length = 0;
});

const store = (keepsRefreshToken = true) =>
  new ParameterStateStore(client, names, new RecordingLog(), KEY, keepsRefreshToken);
const puts = () =>
  aws.calls
    .filter((c) => c.target === 'AmazonSSM.PutParameter')
    .map((c) => ({ name: c.input.Name, type: c.input.Type, keyId: c.input.KeyId }));
const base: PrivateState = { v: 1, fingerprint: 'fp-1' };
const attempt = (at: number): PrivateState => ({
  ...base,
  lastPrimaryGrantAt: at,
  pendingPrimary: { credentialsVersion: 'v1', at },
});

describe('ParameterStateStore', () => {
  it('keeps the attempt records of client_credentials renewals in the String ledger, with no KMS request', async () => {
    const s = store(false);
    expect(await s.read()).toBeUndefined();
    await s.write(attempt(1_000));
    await s.write({ ...base, lastPrimaryGrantAt: 1_000 });
    await s.write(attempt(61_000));

    expect(puts()).toEqual([
      { name: names.ledgerParameterName, type: 'String', keyId: undefined },
      { name: names.ledgerParameterName, type: 'String', keyId: undefined },
      { name: names.ledgerParameterName, type: 'String', keyId: undefined },
    ]);
    expect(aws.parameters.has(names.stateParameterName)).toBe(false);
    expect(await store(false).read()).toEqual(attempt(61_000));
  });

  it('does not write a part that did not change, whatever the order of its fields', async () => {
    const s = store();
    await s.write({ ...base, refreshToken: REFRESH_TOKEN, refreshExpiresAt: 99 });
    aws.calls.length = 0;

    await s.write({ refreshExpiresAt: 99, refreshToken: REFRESH_TOKEN, fingerprint: 'fp-1', v: 1 });
    expect(puts()).toEqual([]);

    const fresh = store();
    await fresh.read();
    await fresh.write({ ...base, refreshToken: REFRESH_TOKEN, refreshExpiresAt: 99, blocked: undefined });
    expect(puts()).toEqual([]);
  });

  it('writes the SecureString, with the stage key, only when the refresh token changes', async () => {
    const s = store();
    await s.write({ ...base, refreshToken: 'rt-1', refreshExpiresAt: 10 });
    await s.write({ ...base, refreshToken: 'rt-2', refreshExpiresAt: 20 });
    await s.write({ ...base, refreshToken: 'rt-2', refreshExpiresAt: 20 });
    await s.write({ ...base });

    expect(puts()).toEqual([
      { name: names.ledgerParameterName, type: 'String', keyId: undefined },
      { name: names.stateParameterName, type: 'SecureString', keyId: KEY },
      { name: names.stateParameterName, type: 'SecureString', keyId: KEY },
      // The dropped refresh token is removed from the SecureString, not left to be tried again.
      { name: names.stateParameterName, type: 'SecureString', keyId: KEY },
    ]);
    expect(await store().read()).toEqual(base);
  });

  it('never puts a secret into the ledger, in any encoding', async () => {
    const s = store();
    await s.write({
      ...attempt(5),
      refreshToken: REFRESH_TOKEN,
      guard: { credentialsVersion: 'v0', at: 1, code: 'invalid_grant', description: 'rejected (invalid_grant)' },
    });

    const ledger = aws.parameters.get(names.ledgerParameterName)!;
    expect(ledger.type).toBe('String');
    for (const [encoding, encode] of Object.entries(ENCODINGS)) {
      expect(ledger.value, encoding).not.toContain(encode(REFRESH_TOKEN));
    }
    for (const core of base64Cores(REFRESH_TOKEN)) expect(ledger.value).not.toContain(core);
    expect(aws.parameters.get(names.stateParameterName)!.type).toBe('SecureString');
  });

  it('reads a whole state stored by a version before the ledger, and keeps its lockout memory on the first write', async () => {
    const guard = { credentialsVersion: 'v0', at: 1, code: 'invalid_grant', description: 'rejected (invalid_grant)' };
    const legacy: PrivateState = { ...attempt(5), guard, refreshToken: 'rt-old' };
    aws.putParameter(names.stateParameterName, JSON.stringify(legacy), { type: 'SecureString' });

    // One attempt per call, so the failure below is not retried away by the SDK.
    const once = new SSMClient({ ...clientOptions(), maxAttempts: 1 });
    const s = new ParameterStateStore(once, names, new RecordingLog(), KEY);
    expect(await s.read()).toEqual(legacy);
    // A failed write of the ledger: the SecureString (the only copy of the guard until now) is untouched.
    aws.failNext('AmazonSSM.PutParameter', { type: 'ThrottlingException', status: 400 });
    await expect(s.write({ ...legacy, refreshToken: 'rt-new' })).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
    expect(await store().read()).toEqual(legacy);

    await s.write({ ...legacy, refreshToken: 'rt-new' });
    expect(await store().read()).toEqual({ ...legacy, refreshToken: 'rt-new' });
    expect(JSON.parse(aws.parameters.get(names.stateParameterName)!.value)).toEqual({
      v: 1,
      fingerprint: 'fp-1',
      refreshToken: 'rt-new',
    });
  });

  it('drops a refresh token stored under other settings than the ledger', async () => {
    aws.putParameter(names.ledgerParameterName, JSON.stringify({ v: 1, fingerprint: 'fp-2' }));
    aws.putParameter(names.stateParameterName, JSON.stringify({ ...base, refreshToken: 'rt-fp-1' }), {
      type: 'SecureString',
    });

    expect(await store().read()).toEqual({ v: 1, fingerprint: 'fp-2' });
  });

  it('never takes a refresh token from the ledger, should one be written there by hand', async () => {
    aws.putParameter(names.ledgerParameterName, JSON.stringify({ ...base, refreshToken: 'rt-by-hand' }));

    expect(await store().read()).toEqual(base);
  });

  it('reads the SecureString once per container for settings that keep no refresh token', async () => {
    const s = store(false);
    await s.write(attempt(1));
    aws.calls.length = 0;

    await s.read();
    await s.read();
    expect(aws.calls.map((c) => c.input.Name)).toEqual([
      names.ledgerParameterName,
      names.stateParameterName,
      names.ledgerParameterName,
    ]);
  });

  it('removes a refresh token kept under earlier settings once the settings keep none', async () => {
    aws.putParameter(names.ledgerParameterName, JSON.stringify(base));
    aws.putParameter(names.stateParameterName, JSON.stringify({ ...base, refreshToken: 'rt-earlier' }), {
      type: 'SecureString',
    });
    const s = store(false);
    await s.read();
    await s.write(attempt(1));

    expect(JSON.parse(aws.parameters.get(names.stateParameterName)!.value)).toEqual(base);
  });

  it('replaces a whole state stored before the ledger by its chain, so its lockout memory cannot come back', async () => {
    const guard = { credentialsVersion: 'v0', at: 1, code: 'invalid_client', description: 'rejected (invalid_client)' };
    aws.putParameter(names.stateParameterName, JSON.stringify({ ...attempt(5), guard }), { type: 'SecureString' });
    const s = store(false);
    const state = await s.read();
    await s.write({ ...state!, pendingPrimary: undefined });

    expect(JSON.parse(aws.parameters.get(names.ledgerParameterName)!.value)).toMatchObject({ guard });
    expect(JSON.parse(aws.parameters.get(names.stateParameterName)!.value)).toEqual(base);
    // Without the ledger, nothing of the old lockout memory would be read back.
    aws.parameters.delete(names.ledgerParameterName);
    expect(await store(false).read()).toEqual(base);
  });

  it('takes a whole state that an earlier version wrote after the ledger (a rollback) as the newer one', async () => {
    const guard = { credentialsVersion: 'v1', at: 9, code: 'invalid_grant', description: 'rejected (invalid_grant)' };
    aws.putParameter(names.ledgerParameterName, JSON.stringify({ ...base, lastPrimaryGrantAt: 1 }));
    aws.putParameter(
      names.stateParameterName,
      JSON.stringify({ ...base, lastPrimaryGrantAt: 9, guard, refreshToken: 'rt-rolled-back' }),
      { type: 'SecureString' },
    );
    const s = store();
    const state = await s.read();
    expect(state).toEqual({ ...base, lastPrimaryGrantAt: 9, guard, refreshToken: 'rt-rolled-back' });

    await s.write(state!);
    expect(JSON.parse(aws.parameters.get(names.ledgerParameterName)!.value)).toMatchObject({ guard });
    expect(JSON.parse(aws.parameters.get(names.stateParameterName)!.value)).toEqual({
      ...base,
      refreshToken: 'rt-rolled-back',
    });
  });

  it('writes the refresh token before the ledger, so a failed write leaves no attempt on record that was never sent', async () => {
    // Puts of the SecureString fail while `failing` is set; everything else goes through.
    let failing = false;
    const flaky = new SSMClient({ ...clientOptions(), maxAttempts: 1 });
    flaky.middlewareStack.add(
      (next, context) => async (args) => {
        const { Name } = args.input as { Name?: string };
        if (failing && context.commandName === 'PutParameterCommand' && Name === names.stateParameterName) {
          throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    const s = new ParameterStateStore(flaky, names, new RecordingLog(), KEY);
    await s.write({ ...base, refreshToken: 'rt-dead' });
    // The refresh token was rejected: it is dropped, and a primary grant is put on record before it is sent.
    failing = true;

    await expect(s.write(attempt(7))).rejects.toMatchObject({ name: 'ThrottlingException' });
    failing = false;
    expect(await store().read()).toEqual({ ...base, refreshToken: 'rt-dead' });
    await s.write(attempt(7));
    expect(await store().read()).toEqual(attempt(7));
  });

  it('keeps the guard of a ledger it cannot otherwise read', async () => {
    const guard = { credentialsVersion: 'v3', at: 1, code: 'invalid_grant', description: 'rejected (invalid_grant)' };
    aws.putParameter(names.ledgerParameterName, JSON.stringify({ v: 9, guard }));

    expect(await store().read()).toEqual({ v: 1, fingerprint: '', guard });
  });
});

/** A client whose puts of the SecureString fail while `failing` is above zero, one less each time; everything else goes through. */
function flakySecureString() {
  /** `failing` puts of the SecureString fail, after `passing` more went through. */
  const flaky = { client: new SSMClient({ ...clientOptions(), maxAttempts: 1 }), failing: 0, passing: 0 };
  flaky.client.middlewareStack.add(
    (next, context) => async (args) => {
      const { Name } = args.input as { Name?: string };
      if (flaky.failing > 0 && context.commandName === 'PutParameterCommand' && Name === names.stateParameterName) {
        if (flaky.passing-- > 0) return next(args);
        flaky.failing--;
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      }
      return next(args);
    },
    { step: 'initialize' },
  );
  return flaky;
}

/** What `status` shows of the state, read as an operator reads it (the ledger, no key). */
const statusView = () => readStateView(client, { ledger: names.ledgerParameterName, state: names.stateParameterName });

describe('ParameterStateStore: a write that stops halfway, or an earlier version run again, loses no lockout memory', () => {
  const rejected = (credentialsVersion: string, at: number) => ({
    credentialsVersion,
    at,
    code: 'invalid_client',
    description: 'the token endpoint rejected the credentials on a refresh_token grant (invalid_client)',
  });

  it('keeps the guard put into the ledger when the SecureString put that follows fails, beside a whole state without it', async () => {
    const legacy: PrivateState = { ...base, refreshToken: 'rt-legacy', lastPrimaryGrantAt: 5 };
    aws.putParameter(names.stateParameterName, JSON.stringify(legacy), { type: 'SecureString' });
    const flaky = flakySecureString();
    const s = new ParameterStateStore(flaky.client, names, new RecordingLog(), KEY);
    const read = await s.read();
    flaky.failing = 1;

    const guarded: PrivateState = { ...read!, refreshToken: undefined, guard: rejected('v1', 1_000) };
    await expect(s.write(guarded)).rejects.toMatchObject({ name: 'ThrottlingException' });
    const next = store();

    // The ledger went first and holds the guard; the SecureString still holds the whole state.
    expect(JSON.parse(aws.parameters.get(names.stateParameterName)!.value)).toEqual(legacy);
    expect(await next.read()).toMatchObject({ guard: rejected('v1', 1_000), refreshToken: 'rt-legacy' });
    expect(next.rewriteDue()).toBe(true);
    expect(await statusView()).toMatchObject({ state: 'ok', guard: { code: 'invalid_client', at: 1_000 } });
  });

  it("keeps the guard of the ledger beside a whole state an earlier version wrote after it, and the whole state's own", async () => {
    aws.putParameter(names.ledgerParameterName, JSON.stringify({ ...base, guard: rejected('v1', 2_000) }));
    aws.putParameter(
      names.stateParameterName,
      JSON.stringify({
        ...base,
        refreshToken: 'rt-rolled-back',
        pendingPrimary: { credentialsVersion: 'v1', at: 3_000 },
      }),
      { type: 'SecureString' },
    );
    const s = store();

    const state = await s.read();
    await s.write(state!);

    expect(state).toEqual({
      ...base,
      guard: rejected('v1', 2_000),
      pendingPrimary: { credentialsVersion: 'v1', at: 3_000 },
      refreshToken: 'rt-rolled-back',
    });
    // Written back: the ledger holds both, the SecureString only its refresh token.
    expect(JSON.parse(aws.parameters.get(names.ledgerParameterName)!.value)).toEqual({
      ...base,
      guard: rejected('v1', 2_000),
      pendingPrimary: { credentialsVersion: 'v1', at: 3_000 },
    });
    expect(JSON.parse(aws.parameters.get(names.stateParameterName)!.value)).toEqual({
      ...base,
      refreshToken: 'rt-rolled-back',
    });
  });

  it('rewrites the SecureString before the ledger when the ledger already holds everything, so a failed put records nothing new', async () => {
    const guard = rejected('v1', 2_000);
    aws.putParameter(names.ledgerParameterName, JSON.stringify({ ...base, guard }));
    aws.putParameter(names.stateParameterName, JSON.stringify({ ...base, refreshToken: 'rt-1', guard }), {
      type: 'SecureString',
    });
    const flaky = flakySecureString();
    const s = new ParameterStateStore(flaky.client, names, new RecordingLog(), KEY);
    const state = await s.read();
    flaky.failing = 1;

    await expect(s.write({ ...state!, pendingPrimary: { credentialsVersion: 'v2', at: 3_000 } })).rejects.toMatchObject(
      { name: 'ThrottlingException' },
    );

    expect(JSON.parse(aws.parameters.get(names.ledgerParameterName)!.value)).toEqual({ ...base, guard });
  });
});

describe('runRefresh over ParameterStateStore: the guard the function honours is the one status shows', () => {
  const legacyWholeState = (settings: ProviderSettings): PrivateState => ({
    v: 1,
    fingerprint: settingsFingerprint(settings),
    refreshToken: 'rt-legacy',
    lastPrimaryGrantAt: Date.UTC(2026, 10, 23, 11, 0, 0),
  });

  function runner(
    settings: ProviderSettings,
    script: (req: TokenRequest) => ReturnType<typeof tokenAnswer>,
    publishedSecondsAgo = 250,
  ) {
    const clock = new FakeClock();
    const flaky = flakySecureString();
    const tokenStore = new MemoryTokenStore('parameterstore');
    // A 5-minute token: due after 120 s.
    tokenStore.token = publishedToken({
      accessToken: 'access-0',
      provider: settings.id,
      sentAt: clock.seconds - publishedSecondsAgo,
      lifetimeSeconds: 300,
      scope: 'openid',
    });
    const endpoint = new ScriptedEndpoint(script, clock, 50);
    const credentials = new MemoryCredentials({ username: 'alice', password: 'pw-1', client_secret: 'cs-1' });
    const log = new RecordingLog();
    const run = () =>
      runRefresh(
        {
          settings,
          tokenStore,
          stateStore: new ParameterStateStore(flaky.client, names, log, KEY),
          credentials,
          endpoint,
          clock,
          sleep: clock.sleep,
          log,
          random: () => 0.5,
        },
        { deadlineMs: clock.now() + 50_000 },
      );
    return { clock, flaky, endpoint, run, log };
  }

  it('a public client rejected on a refresh while the move from a whole state stops halfway: nothing is sent again', async () => {
    const settings = keycloakSettings();
    aws.putParameter(names.stateParameterName, JSON.stringify(legacyWholeState(settings)), { type: 'SecureString' });
    const w = runner(settings, () => answer(401, { error: 'invalid_client' }));
    w.flaky.failing = 1;

    const rejectedRun = await w.run();
    w.clock.advance(60);
    const next = await w.run();

    expect(rejectedRun.result.error).toMatchObject({ kind: 'credentials', code: 'invalid_client' });
    expect(w.endpoint.grants()).toEqual(['refresh_token']);
    expect(next.result.error).toMatchObject({ kind: 'credentials', code: 'lockout_guard' });
    expect(next.guardEngaged).toBe(true);
    expect(await statusView()).toMatchObject({ state: 'ok', guard: { code: 'invalid_client' } });
  });

  it('a confidential client whose client secret is rejected while SecureString puts keep failing: the secret is not sent again', async () => {
    const settings = keycloakSettings({ clientAuth: 'client_secret_post' });
    aws.putParameter(names.stateParameterName, JSON.stringify(legacyWholeState(settings)), { type: 'SecureString' });
    const w = runner(settings, () => {
      w.flaky.failing = Number.POSITIVE_INFINITY;
      return answer(401, {
        error: 'unauthorized_client',
        error_description: 'Invalid client or Invalid client credentials',
      });
    });

    const rejectedRun = await w.run();
    const runs = [];
    for (let i = 0; i < 10; i++) {
      w.clock.advance(60);
      runs.push(await w.run());
    }

    expect(rejectedRun.result.error).toMatchObject({ kind: 'credentials', code: 'unauthorized_client' });
    expect(w.endpoint.requests).toEqual([
      {
        grant: 'refresh_token',
        refreshToken: 'rt-legacy',
        auth: { method: 'client_secret_post', clientSecret: 'cs-1' },
        clientSecret: 'cs-1',
      },
    ]);
    // The ledger is stored even while the SecureString is not: the rejection itself is on record.
    expect(runs.map((r) => r.result.error?.code)).toEqual(Array(10).fill('lockout_guard'));
  });

  it('a confidential refresh that succeeded but whose SecureString put failed: the next run refreshes, not waits', async () => {
    // GIVEN a provider renewed once with its password, so the ledger and the refresh token are stored
    const settings = keycloakSettings({ clientAuth: 'client_secret_post' });
    const w = runner(settings, () => tokenAnswer());
    await w.run();
    w.clock.advance(181);
    // WHEN the refresh works, but the new refresh token cannot be stored (KMS throttles every
    // SecureString put of the run, the save after the answer and the one before the report)
    w.flaky.failing = 2;
    const unsaved = await w.run();
    w.clock.advance(60);
    const next = await w.run();
    // THEN the ledger settled the attempt all the same, and the next run renews at once
    expect(unsaved.result.error).toMatchObject({ kind: 'store', code: 'state_write_failed' });
    expect(JSON.parse(aws.parameters.get(names.ledgerParameterName)!.value).pendingPrimary).toBeUndefined();
    expect(next.result).toMatchObject({ outcome: 'refreshed', grant: 'refresh_token' });
  });

  it('after an earlier version recorded a guard in its whole state, the next run, fresh or not, puts it into the ledger status reads', async () => {
    const settings = keycloakSettings();
    const guard = {
      credentialsVersion: 'v1',
      at: Date.UTC(2026, 10, 23, 11, 58, 0),
      code: 'invalid_grant',
      description: 'the token endpoint rejected the credentials on a password grant (invalid_grant)',
    };
    aws.putParameter(names.ledgerParameterName, JSON.stringify({ v: 1, fingerprint: settingsFingerprint(settings) }));
    aws.putParameter(names.stateParameterName, JSON.stringify({ ...legacyWholeState(settings), guard }), {
      type: 'SecureString',
    });
    const w = runner(settings, () => tokenAnswer(), 10);
    expect(await statusView()).toEqual({ state: 'ok' });

    const fresh = await w.run();
    const shown = await statusView();
    w.clock.advance(120);
    const due = await w.run();

    expect(fresh).toMatchObject({ result: { outcome: 'fresh' }, guardEngaged: true });
    expect(shown).toMatchObject({ state: 'ok', guard: { code: 'invalid_grant', at: guard.at } });
    expect(due.result.error).toMatchObject({ code: 'lockout_guard' });
    expect(w.endpoint.requests).toEqual([]);
  });
});
