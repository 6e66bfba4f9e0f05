import { describe, expect, it } from 'vitest';
import type { TokenRequest } from '../../../core/ports.js';
import { answer, keycloakSettings, MemoryCredentials, makeWorld, tokenAnswer } from './fakes.js';

/**
 * A refresh that authenticates the client with its secret sends that secret: its attempt is put on
 * record (the record a primary grant uses, core/run/lockout-records.ts recordAttempt) before it is
 * sent and settled once the outcome is seen, so that a rejection whose guard is then not saved is not
 * sent again.
 */
const confidential = keycloakSettings({ clientAuth: 'client_secret_post' });
const credentials = () => new MemoryCredentials({ username: 'alice', password: 'pw-1', client_secret: 'cs-1' });
const rejectedClient = () => answer(401, { error: 'invalid_client', error_description: 'Invalid client credentials' });

async function dueWorld(refreshAnswer: (w: { failWrites: () => void }) => ReturnType<typeof tokenAnswer>) {
  let failWrites = () => {};
  const w = await makeWorld(
    confidential,
    (req: TokenRequest) => (req.grant === 'refresh_token' ? refreshAnswer({ failWrites }) : tokenAnswer()),
    credentials(),
  );
  failWrites = () => {
    w.stateStore.failWrites = true;
  };
  await w.run();
  w.clock.advance(121);
  return w;
}

describe('runRefresh: a refresh that sends the client secret is on record before it is sent', () => {
  it('a refresh answered invalid_client whose guard write fails: the next run sends nothing with that secret version', async () => {
    const w = await dueWorld(({ failWrites }) => {
      failWrites();
      return rejectedClient();
    });

    const rejected = await w.run();
    w.stateStore.failWrites = false;
    w.clock.advance(60);
    const next = await w.run();

    expect(rejected.result.error).toMatchObject({ kind: 'credentials', code: 'invalid_client' });
    expect(w.stateStore.state!.guard).toBeUndefined();
    expect(w.endpoint.grants()).toEqual(['password', 'refresh_token']);
    expect(next.result.error).toMatchObject({ kind: 'transient', code: 'unconfirmed_attempt' });
    expect(next.result.error!.description).toContain('version v1');
  });

  it('a new version of the secret is sent at once', async () => {
    const w = await dueWorld(({ failWrites }) => {
      failWrites();
      return rejectedClient();
    });
    await w.run();
    w.stateStore.failWrites = false;
    w.credentials.rotate({ username: 'alice', password: 'pw-1', client_secret: 'cs-2' });
    w.clock.advance(60);

    await w.run();

    expect(w.endpoint.requests.at(-1)).toMatchObject({ grant: 'refresh_token', clientSecret: 'cs-2' });
  });

  it('settles the record once the outcome is seen: a renewal leaves none, a rejection leaves the guard', async () => {
    let refreshes = 0;
    const w = await dueWorld(() => (++refreshes === 1 ? tokenAnswer() : rejectedClient()));
    const writes = w.stateStore.writes.length;

    const renewed = await w.run();
    const [recorded, settled] = w.stateStore.writes.slice(writes);
    w.clock.advance(121);
    const rejected = await w.run();

    expect(renewed.result).toMatchObject({ outcome: 'refreshed', grant: 'refresh_token' });
    expect(recorded!.pendingPrimary).toEqual({ credentialsVersion: 'v1', at: expect.any(Number) });
    expect(settled!.pendingPrimary).toBeUndefined();
    expect(rejected.result.error).toMatchObject({ code: 'invalid_client' });
    expect(w.stateStore.state).toMatchObject({ guard: { credentialsVersion: 'v1', code: 'invalid_client' } });
    expect(w.stateStore.state!.pendingPrimary).toBeUndefined();
  });

  it('sends no refresh when its attempt cannot be put on record first', async () => {
    const w = await dueWorld(() => tokenAnswer());
    w.stateStore.failWrites = true;

    const { result } = await w.run();

    expect(result.error).toMatchObject({ kind: 'store', code: 'state_write_failed' });
    expect(result.error!.description).toContain('no refresh_token grant was sent');
    expect(w.endpoint.grants()).toEqual(['password']);
  });
});

describe('runRefresh: a refresh whose outcome was seen leaves no attempt on record', () => {
  it.each([
    ['a load-shedding 503', () => answer(503, '')],
    ['a gateway 502', () => answer(502, '<html>Bad Gateway</html>')],
    ['an unusable 200', () => answer(200, '<html>login</html>')],
  ])('after %s, the next run refreshes at once instead of waiting 15 minutes', async (_, failed) => {
    // GIVEN a 5-minute token renewed every minute, and one refresh that fails without a rejection
    let failures = 0;
    const w = await makeWorld(
      keycloakSettings({ clientAuth: 'client_secret_post', maxAttempts: 1 }),
      (req: TokenRequest) => (req.grant === 'refresh_token' && failures-- > 0 ? failed() : tokenAnswer()),
      credentials(),
    );
    await w.run();
    w.clock.advance(121);
    failures = 1;
    // WHEN
    const failedRun = await w.run();
    w.clock.advance(60);
    const next = await w.run();
    // THEN
    expect(failedRun.result.outcome).toBe('failed');
    expect(w.stateStore.state?.pendingPrimary).toBeUndefined();
    expect(next.result).toMatchObject({ outcome: 'refreshed', grant: 'refresh_token' });
  });
});
