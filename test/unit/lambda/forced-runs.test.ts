import { describe, expect, it } from 'vitest';
import { runMetrics } from '../../../lambda/adapters/metrics.js';
import { FORCED_RUN_BUDGET } from '../../../contract/token-stores.js';
import { privateStateSchema } from '../../../contract/private-state.js';
import { runRefresh } from '../../../core/refresh.js';
import { METRIC } from '../../../contract/metrics.js';
import { clientCredentialsSettings, MemoryCredentials, MemoryTokenStore, makeWorld, tokenAnswer } from './fakes.js';

/** ClickView-like: a day-long token; forced runs are what an operator (or a loop) sends on top. */
async function world(kind: 'secretsmanager' | 'parameterstore') {
  const w = await makeWorld(
    clientCredentialsSettings(),
    () => tokenAnswer({ expires_in: 86_400 }),
    new MemoryCredentials({ client_secret: 'x-secret' }),
  );
  const tokenStore = new MemoryTokenStore(kind, 65_536);
  w.deps = { ...w.deps, tokenStore };
  const run = (force = false) => runRefresh(w.deps, { force, deadlineMs: w.clock.now() + 20_000 });
  return { w, tokenStore, run };
}

describe('runRefresh: forced renewals of a token that is not due spend the store write budget', () => {
  it('Secrets Manager: none within 10 minutes of the last write; the run says why and does nothing', async () => {
    const { w, tokenStore, run } = await world('secretsmanager');
    await run();
    w.clock.advance(9 * 60);

    const limited = await run(true);
    w.clock.advance(61);
    const allowed = await run(true);

    expect(limited.result).toMatchObject({
      outcome: 'fresh',
      note: { code: 'forced_run_limited', description: expect.stringContaining('Secrets Manager') },
    });
    expect(limited.result.error).toBeUndefined();
    // A limited forced run is no failure: only the heartbeat, and no renewal.
    expect(runMetrics(limited)).toEqual({
      provider: { [METRIC.tokenSecondsRemaining]: [limited.secondsRemaining] },
      renewals: 0,
      latencyMs: [],
    });
    expect(allowed.result).toMatchObject({ outcome: 'refreshed' });
    expect(w.endpoint.requests).toHaveLength(2);
    expect(tokenStore.writes).toHaveLength(2);
  });

  it('Secrets Manager: a forced run every 11 minutes for two days stays far below the version quota', async () => {
    const { w, tokenStore, run } = await world('secretsmanager');
    await run();
    const writesAt: number[] = [];
    for (let i = 0; i < (2 * 86_400) / 660; i++) {
      w.clock.advance(660);
      const before = tokenStore.writes.length;
      await run(true);
      if (tokenStore.writes.length > before) writesAt.push(w.clock.now());
    }

    const perDay = FORCED_RUN_BUDGET.secretsmanager.perDay;
    const worstDay = Math.max(...writesAt.map((t) => writesAt.filter((u) => u >= t && u < t + 86_400_000).length));
    expect(perDay).toBe(3);
    // The forced writes plus the one the schedule plans for a day-long token.
    expect(worstDay).toBeLessThanOrEqual(perDay + 1);
    expect(writesAt.length).toBeGreaterThanOrEqual(2 * perDay);
  });

  it('Parameter Store: at most one forced renewal a minute', async () => {
    const { w, tokenStore, run } = await world('parameterstore');
    await run();
    for (let i = 0; i < 30; i++) {
      w.clock.advance(10);
      await run(true);
    }

    expect(tokenStore.writes).toHaveLength(1 + 5);
  });

  it('never limits a run whose token is due', async () => {
    const { w, tokenStore, run } = await world('secretsmanager');
    await run();
    w.clock.advance(86_400 - 3000); // inside the due threshold

    const { result } = await run(true);

    expect(result).toMatchObject({ outcome: 'refreshed' });
    expect(tokenStore.writes).toHaveLength(2);
  });

  it('keeps the spent budget when the provider settings change', async () => {
    const { w, run } = await world('secretsmanager');
    await run();
    for (let i = 0; i < 3; i++) {
      w.clock.advance(11 * 60);
      await run(true);
    }
    w.deps = { ...w.deps, settings: clientCredentialsSettings({ scope: 'other.scope' }) };
    w.clock.advance(11 * 60);
    await run(); // new settings: renewed at once, not forced
    w.clock.advance(11 * 60);

    const { result } = await run(true);

    expect(result.note).toMatchObject({ code: 'forced_run_limited', description: expect.stringContaining('24 h') });
  });

  it('reads a state written before forced renewals were counted', () => {
    const old = { v: 1, fingerprint: 'abc', refreshToken: 'rt-1', lastPrimaryGrantAt: 5 };

    expect(privateStateSchema.safeParse(old)).toMatchObject({ success: true, data: old });
  });
});
