import { describe, expect, it } from 'vitest';
import { privateStateBytes } from '../../../contract/private-state.js';
import { keycloakSettings, makeWorld, tokenAnswer } from './fakes.js';

/** A refresh token too large for the state parameter must not cost the login it came with. */
describe('runRefresh: a refresh token too large for the private state', () => {
  it('is dropped; the access token is still published and the run reports why', async () => {
    const huge = `rt-${'x'.repeat(9000)}`;
    const w = await makeWorld(keycloakSettings(), () => tokenAnswer({ refresh_token: huge }));

    const { result } = await w.run();

    expect(result).toMatchObject({
      outcome: 'refreshed',
      grant: 'password',
      note: { code: 'refresh_token_not_kept', description: expect.stringContaining('8192') },
    });
    expect(w.tokenStore.writes).toHaveLength(1);
    expect(w.stateStore.state!.refreshToken).toBeUndefined();
    expect(w.stateStore.state!.lastPrimaryGrantAt).toBeDefined();
    expect(privateStateBytes(w.stateStore.state!)).toBeLessThanOrEqual(w.stateStore.maxBytes);
    expect(w.log.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', extra: expect.objectContaining({ code: 'refresh_token_not_kept' }) }),
    );
    expect(JSON.stringify(w.log.lines)).not.toContain('xxxxxxxx');
  });

  it('the next renewal is a primary grant, not a retry of the lost login every 15 minutes', async () => {
    const w = await makeWorld(keycloakSettings(), () => tokenAnswer({ refresh_token: `rt-${'x'.repeat(9000)}` }));
    await w.run();
    w.clock.advance(200);

    const second = await w.run();
    w.clock.advance(60);
    const third = await w.run();

    expect(w.endpoint.grants()).toEqual(['password', 'password']);
    expect(second.result).toMatchObject({ outcome: 'refreshed', grant: 'password' });
    expect(third.result).toMatchObject({ outcome: 'fresh' });
  });

  it('keeps a refresh token that fits', async () => {
    const w = await makeWorld(keycloakSettings(), () => tokenAnswer({ refresh_token: `rt-${'x'.repeat(7000)}` }));

    const { result } = await w.run();

    expect(result.note).toBeUndefined();
    expect(w.stateStore.state!.refreshToken).toHaveLength(7003);
  });
});
