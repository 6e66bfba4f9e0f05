import { describe, expect, it } from 'vitest';
import {
  answer,
  clientCredentialsSettings,
  invalidGrant,
  keycloakSettings,
  MemoryCredentials,
  makeWorld,
  tokenAnswer,
} from './fakes.js';
import type { World } from './fakes.js';

/**
 * Each place core/run/ and core/request-token.ts redact has a case only it catches, so removing any
 * one of them fails a test here (or, for the error body read before it is shortened, in
 * refresh.test.ts).
 */
const SECRET = `LEAK"<é%&1`;

describe('redaction points', () => {
  it('the result: a 2xx whose token_type echoes the client secret', async () => {
    const w = await makeWorld(
      clientCredentialsSettings(),
      () => answer(200, { access_token: 'a-token', token_type: SECRET }),
      new MemoryCredentials({ client_secret: SECRET }),
    );

    const { result } = await w.run();

    expect(result.error).toMatchObject({ kind: 'invalid-response', code: 'unsupported_token_type' });
    expect(result.error!.description).toContain('[redacted]');
    expect(JSON.stringify(result)).not.toContain('LEAK');
  });

  it('the log: a failure after a renewal echoes the password, and only the log reports it', async () => {
    // A refresh shows the session ending (the token is published), then the password grant's answer is unusable.
    const w: World = await makeWorld(
      keycloakSettings(),
      (req) =>
        w.endpoint.requests.length === 1
          ? tokenAnswer()
          : req.grant === 'refresh_token'
            ? tokenAnswer({ expires_in: 90, refresh_expires_in: 90 })
            : answer(200, { access_token: 'a-token', token_type: SECRET }),
      new MemoryCredentials({ username: 'alice', password: SECRET }),
    );
    await w.run();
    w.clock.advance(200);

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'refresh_token' });
    const followUp = w.log.lines.find((l) => l.message === 'renewed, but a follow-up step failed');
    expect(followUp?.extra).toMatchObject({ code: 'unsupported_token_type' });
    expect(JSON.stringify(w.log.lines)).toContain('[redacted]');
    expect(JSON.stringify(w.log.lines)).not.toContain('LEAK');
  });

  it('the state keeps codes and our own words, never the IdP prose of a rejection or a block', async () => {
    const rejected = await makeWorld(keycloakSettings(), () =>
      invalidGrant(`Invalid user credentials for &#76;EAK and ${encodeURIComponent(SECRET)}`, 401),
    );
    const blocked = await makeWorld(
      clientCredentialsSettings(),
      () => answer(400, { error: 'invalid_scope', error_description: 'Scope "LEAK" is not allowed' }),
      new MemoryCredentials({ client_secret: 'x-secret' }),
    );

    await rejected.run();
    await blocked.run();

    expect(rejected.stateStore.state!.guard).toMatchObject({
      code: 'invalid_grant',
      description: expect.stringContaining('invalid_grant'),
    });
    expect(blocked.stateStore.state!.blocked).toMatchObject({
      code: 'invalid_scope',
      description: expect.stringContaining('invalid_scope'),
    });
    for (const state of [rejected.stateStore.state, blocked.stateStore.state]) {
      expect(JSON.stringify(state)).not.toMatch(/Invalid user|LEAK|&#76;|allowed/);
    }
  });
});
