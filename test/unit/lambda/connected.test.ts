import { describe, expect, it } from 'vitest';
import { RECONNECT_NEEDED } from '../../../contract/events.js';
import { METRIC } from '../../../contract/metrics.js';
import { authenticationProblems, type ProviderSettings } from '../../../contract/provider-settings.js';
import { connectedState, writeConnection } from '../../../core/connection-state.js';
import { runMetrics } from '../../../lambda/adapters/metrics.js';
import { alarmSpecs } from '../../../lib/private/alarm-specs.js';
import { inAlarm } from '../../helpers/alarm-model.js';
import { answer, invalidGrant, keycloakSettings, MemoryCredentials, makeWorld, tokenAnswer } from './fakes.js';

/** A provider that lives on its refresh token alone: a person connected it once. */
const connected = (overrides: Partial<ProviderSettings> = {}): ProviderSettings =>
  keycloakSettings({
    id: 'drive',
    preset: 'generic',
    grant: 'refresh_token',
    clientAuth: 'client_secret_post',
    extraParams: {},
    ...overrides,
  });

async function connectedWorld(script: Parameters<typeof makeWorld>[1], settings = connected()) {
  const w = await makeWorld(settings, script, new MemoryCredentials({ client_secret: 'cs-Secret-1' }));
  await writeConnection(w.stateStore, settings, { refreshToken: 'rt-first-Secret' }, w.clock.now());
  return w;
}

describe('a provider that lives on its refresh token', () => {
  it('renews with the refresh token alone and keeps each rotated one', async () => {
    const w = await connectedWorld(() => tokenAnswer());
    const report = await w.run();
    expect(report.result).toMatchObject({ outcome: 'refreshed', grant: 'refresh_token' });
    expect(w.endpoint.requests).toMatchObject([{ grant: 'refresh_token', refreshToken: 'rt-first-Secret' }]);
    expect(w.stateStore.state?.refreshToken).toMatch(/^refresh-\d+-xyz$/);
    expect(w.stateStore.state?.connectedAt, 'the chain keeps where it started').toBeTypeOf('number');
  });

  it('fails as reconnect needed when the IdP refuses the refresh token, and sends no other grant', async () => {
    const w = await connectedWorld(() => invalidGrant('Token is not active'));
    const first = await w.run();
    expect(first.result.error).toMatchObject({ kind: 'credentials', code: RECONNECT_NEEDED });
    expect(first.result.error?.description).toContain('token-refresher connect drive');
    expect(first.reconnectNeeded).toBe(true);
    expect(w.endpoint.grants()).toEqual(['refresh_token']);
    expect(w.stateStore.state?.refreshToken).toBeUndefined();
    // The next runs send nothing at all until someone connects.
    for (let i = 0; i < 5; i++) {
      w.clock.advance(300);
      const again = await w.run();
      expect(again.result.error?.code).toBe(RECONNECT_NEEDED);
    }
    expect(w.endpoint.requests).toHaveLength(1);
    expect(runMetrics(first).provider[METRIC.reconnectNeeded]).toEqual([1]);
  });

  it('waits, and pages nothing, before anyone has connected it', async () => {
    const settings = connected();
    const w = await makeWorld(settings, () => tokenAnswer(), new MemoryCredentials({ client_secret: 'cs-Secret-1' }));
    const report = await w.run();
    expect(report.result).toMatchObject({ outcome: 'pending', note: { code: 'waiting_for_credentials' } });
    expect(report.result.note?.description).toContain('token-refresher connect drive');
    expect(w.endpoint.requests).toHaveLength(0);
    expect(report.reconnectNeeded).toBeUndefined();
  });

  it('stores a rotated refresh token before anything else, even when the access token is unusable', async () => {
    let n = 0;
    const w = await connectedWorld(() =>
      n++ === 0
        ? tokenAnswer({ refresh_token: 'rt-rotated-Secret', expires_in: 5 })
        : tokenAnswer({ refresh_token: 'rt-third-Secret' }),
    );
    const first = await w.run();
    expect(first.result.outcome).toBe('failed');
    expect(w.stateStore.state?.refreshToken).toBe('rt-rotated-Secret');
    w.clock.advance(60);
    await w.run();
    // The token the first answer superseded is never presented again.
    expect(w.endpoint.requests.map((r) => r.grant === 'refresh_token' && r.refreshToken)).toEqual([
      'rt-first-Secret',
      'rt-rotated-Secret',
    ]);
  });

  it('writes the rotated refresh token before it publishes the access token', async () => {
    const w = await connectedWorld(() => tokenAnswer({ refresh_token: 'rt-rotated-Secret' }));
    const order: string[] = [];
    const write = w.stateStore.write.bind(w.stateStore);
    w.stateStore.write = async (s) => {
      order.push(`state:${s.refreshToken}`);
      return write(s);
    };
    const publish = w.tokenStore.write.bind(w.tokenStore);
    w.tokenStore.write = async (t) => {
      order.push('token');
      return publish(t);
    };
    await w.run();
    expect(order.indexOf('state:rt-rotated-Secret')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('state:rt-rotated-Secret')).toBeLessThan(order.indexOf('token'));
  });

  it('keeps the refresh token when the client secret is rejected: the guard holds, nothing is dropped', async () => {
    const w = await connectedWorld(() => answer(401, { error: 'invalid_client' }));
    const report = await w.run();
    expect(report.result.error).toMatchObject({ kind: 'credentials', code: 'invalid_client' });
    expect(report.guardEngaged).toBe(true);
    expect(report.reconnectNeeded).toBeUndefined();
    expect(w.stateStore.state?.refreshToken).toBe('rt-first-Secret');
  });

  it('keeps a connection made while its refresh was under way, and publishes nothing of the old chain', async () => {
    const settings = connected();
    const w: Awaited<ReturnType<typeof connectedWorld>> = await connectedWorld(async (req) => {
      if (req.grant === 'refresh_token' && req.refreshToken === 'rt-first-Secret') {
        // A person connects again while the IdP answers the old chain.
        await writeConnection(w.stateStore, settings, { refreshToken: 'rt-new-Secret' }, w.clock.now() + 1);
      }
      return tokenAnswer({ refresh_token: 'rt-old-chain-rotated' });
    }, settings);
    const first = await w.run();
    expect(first.result.error?.code).toBe('connected_during_run');
    expect(w.tokenStore.writes).toHaveLength(0);
    expect(w.stateStore.state?.refreshToken).toBe('rt-new-Secret');
    w.clock.advance(60);
    const second = await w.run();
    expect(second.result.outcome).toBe('refreshed');
    expect(w.endpoint.requests.map((r) => r.grant === 'refresh_token' && r.refreshToken)).toEqual([
      'rt-first-Secret',
      'rt-new-Secret',
    ]);
  });

  it('pages through CredentialsRejected while a reconnect is needed, and clears once connected', async () => {
    let refuse = true;
    const settings = connected();
    const w = await connectedWorld(() => (refuse ? invalidGrant('revoked') : tokenAnswer()), settings);
    const spec = alarmSpecs(settings).credentialsRejected;
    expect(spec.metrics).toEqual([METRIC.lockoutGuardEngaged, METRIC.reconnectNeeded]);
    const emissions = [{ atSeconds: w.clock.seconds, values: runMetrics(await w.run()).provider }];
    expect(inAlarm(spec, emissions, w.clock.seconds)).toBe(true);
    refuse = false;
    w.clock.advance(3600);
    await writeConnection(w.stateStore, settings, { refreshToken: 'rt-again-Secret' }, w.clock.now());
    emissions.push({ atSeconds: w.clock.seconds, values: runMetrics(await w.run()).provider });
    expect(inAlarm(spec, emissions, w.clock.seconds)).toBe(false);
  });

  it('is refused without its refresh token by the settings rules', () => {
    const problems = authenticationProblems({ grant: 'refresh_token', clientAuth: 'none', useRefreshToken: false });
    expect(problems.map((p) => p.field)).toEqual(['useRefreshToken']);
  });

  it('connects without losing the lockout memory, and lifts a block', () => {
    const settings = connected();
    const guard = { credentialsVersion: 'v1', at: 1, code: 'invalid_client', description: 'rejected' };
    const state = connectedState(
      { v: 1, fingerprint: 'other', guard, blocked: { at: 1, code: 'x', description: 'y' }, refreshToken: 'old' },
      settings,
      { refreshToken: 'rt-Secret', refreshExpiresIn: 60 },
      10_000,
    );
    expect(state).toMatchObject({ guard, refreshToken: 'rt-Secret', refreshExpiresAt: 70, connectedAt: 10_000 });
    expect(state.blocked).toBeUndefined();
  });
});
