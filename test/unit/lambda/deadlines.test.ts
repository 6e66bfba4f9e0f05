import { describe, expect, it } from 'vitest';
import type { Result } from '../../../base/result.js';
import { runRefresh } from '../../../core/refresh.js';
import { invalidGrant, keycloakSettings, makeWorld, tokenAnswer } from './fakes.js';

/** What the function returned before it returned a Result (base/result.ts): the value or the error. */
const either = <T, E>(r: Result<T, E>): T | E => (r.ok ? r.value : r.error);

/** Every wait and every AWS call of a run ends inside the run, as a classified result, never a throw. */
const never = () => new Promise<never>(() => undefined);

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await run();
  return { value, ms: performance.now() - started };
}

describe('runRefresh: AWS calls that never answer', () => {
  it.each([
    ['the token read', 'token_read_failed', (w: Awaited<ReturnType<typeof makeWorld>>) => (w.tokenStore.read = never)],
    ['the state read', 'state_read_failed', (w: Awaited<ReturnType<typeof makeWorld>>) => (w.stateStore.read = never)],
    [
      'the credentials read',
      'credentials_read_failed',
      (w: Awaited<ReturnType<typeof makeWorld>>) => (w.credentials.read = never),
    ],
    [
      'the state write',
      'state_write_failed',
      (w: Awaited<ReturnType<typeof makeWorld>>) => (w.stateStore.write = never),
    ],
    [
      'the token write',
      'token_write_failed',
      (w: Awaited<ReturnType<typeof makeWorld>>) => (w.tokenStore.write = never),
    ],
  ])('%s: a store failure with a timeout, returned in time', async (_name, code, hang) => {
    const w = await makeWorld(keycloakSettings(), () => tokenAnswer());
    w.deps = { ...w.deps, awsCallTimeoutMs: 100 };
    hang(w);

    const { value, ms } = await timed(() => runRefresh(w.deps, { deadlineMs: w.clock.now() + 20_000 }));

    expect(value.result.error).toMatchObject({ kind: 'store', code });
    expect(value.result.error!.description).toContain('TimeoutError');
    expect(ms).toBeLessThan(2000);
  });

  it('cuts an AWS call to the end of the run, and signals the port to stop', async () => {
    const w = await makeWorld(keycloakSettings(), () => tokenAnswer());
    let signal: AbortSignal | undefined;
    w.tokenStore.read = (s?: AbortSignal) => {
      signal = s;
      return never();
    };

    const { value, ms } = await timed(() =>
      runRefresh(w.deps, { deadlineMs: w.clock.now() - 10_000, endMs: w.clock.now() + 150 }),
    );

    expect(value.result.error).toMatchObject({ kind: 'store', code: 'token_read_failed' });
    expect(signal?.aborted).toBe(true);
    expect(ms).toBeLessThan(2000);
  });
});

describe('runRefresh: times in the state that lie in the future', () => {
  it('a lastPrimaryGrantAt hours ahead costs at most the one-second spacing', async () => {
    const w = await makeWorld(keycloakSettings({ useRefreshToken: false }), () => tokenAnswer());
    await w.run();
    w.stateStore.state = { ...w.stateStore.state!, lastPrimaryGrantAt: w.clock.now() + 5 * 3600_000 };
    w.clock.advance(300);

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'password' });
    expect(Math.max(...w.clock.sleeps)).toBeLessThanOrEqual(1000);
    expect(w.stateStore.state.lastPrimaryGrantAt).toBeLessThanOrEqual(w.clock.now());
  });

  it('a spacing wait that does not fit the deadline sends nothing and says so', async () => {
    const w = await makeWorld(keycloakSettings({ useRefreshToken: false }), () => tokenAnswer());
    await w.run();
    w.stateStore.state = { ...w.stateStore.state!, lastPrimaryGrantAt: w.clock.now() - 200 };
    w.tokenStore.token = undefined;
    w.clock.sleeps.length = 0;
    const sent = w.endpoint.requests.length;

    const { result } = await runRefresh(w.deps, { deadlineMs: w.clock.now() + 1500 });

    expect(result.error).toMatchObject({ kind: 'transient', code: 'no_time_left' });
    expect(w.endpoint.requests).toHaveLength(sent);
    expect(w.clock.sleeps).toEqual([]);
  });

  it('a guard recorded hours ahead holds a new credentials version 15 minutes, not hours', async () => {
    let good = false;
    const w = await makeWorld(keycloakSettings({ useRefreshToken: false }), () =>
      good ? tokenAnswer() : invalidGrant('Invalid user credentials', 401),
    );
    await w.run();
    w.stateStore.state = {
      ...w.stateStore.state!,
      guard: { ...w.stateStore.state!.guard!, at: w.clock.now() + 6 * 3600_000 },
    };
    good = true;
    w.credentials.rotate({ username: 'alice', password: 'new-Secret-2' });

    const cooling = await w.run();
    w.clock.advance(15 * 60 + 1);
    const { result } = await w.run();

    expect(cooling.result.error).toMatchObject({ code: 'lockout_cooldown' });
    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'password' });
  });

  it('an unseen attempt recorded hours ahead holds the same credentials 15 minutes, not hours', async () => {
    const w = await makeWorld(keycloakSettings({ useRefreshToken: false }), () => tokenAnswer());
    await w.run();
    w.tokenStore.token = undefined;
    w.stateStore.state = {
      ...w.stateStore.state!,
      pendingPrimary: { credentialsVersion: 'v1', at: w.clock.now() + 6 * 3600_000 },
    };

    const held = await w.run();
    w.clock.advance(15 * 60 + 1);
    const { result } = await w.run();

    expect(held.result.error).toMatchObject({ code: 'unconfirmed_attempt' });
    expect(result).toMatchObject({ outcome: 'refreshed' });
  });
});

describe('requestToken: the spacing before a primary grant', () => {
  it('waits at most the spacing, even for a time far in the future', async () => {
    const { requestToken } = await import('../../../core/request-token.js');
    const w = await makeWorld(keycloakSettings(), () => tokenAnswer());

    const outcome = either(
      await requestToken(
        {
          endpoint: w.endpoint,
          clock: w.clock,
          sleep: w.clock.sleep,
          random: () => 0.5,
          timeoutMs: 10_000,
          maxAttempts: 1,
          deadlineMs: w.clock.now() + 20_000,
          redact: (t) => t,
          notBeforeMs: w.clock.now() + 3 * 3600_000,
        },
        'password',
        () =>
          Promise.resolve({
            request: { grant: 'password', username: 'u', password: 'p-secret' },
            auth: { method: 'none' },
          } as const),
      ),
    );

    expect(outcome).toHaveProperty('token');
    expect(w.clock.sleeps).toEqual([1000]);
  });
});
