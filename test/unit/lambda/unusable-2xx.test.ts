import { describe, expect, it } from 'vitest';
import {
  answer,
  clientCredentialsSettings,
  keycloakSettings,
  MemoryCredentials,
  makeWorld,
  tokenAnswer,
} from './fakes.js';

/**
 * A 2xx is not a token just because of its status: IdPs and gateways answer 200 with an OAuth error
 * or with a login or WAF page. Neither may bypass the lockout rules of core/run/.
 */
describe('runRefresh: a 2xx carrying an OAuth error is classified like a 4xx', () => {
  it.each([
    ['invalid_grant', answer(200, { error: 'invalid_grant', error_description: 'Invalid user credentials' })],
    ['Spring XML invalid_grant', answer(200, '<oauth><error>invalid_grant</error></oauth>')],
  ])('engages the lockout guard on a password grant answered 200 %s', async (_name, rejection) => {
    const w = await makeWorld(keycloakSettings({ useRefreshToken: false }), () => rejection);

    const first = await w.run();
    const later = [];
    for (let i = 0; i < 10; i++) {
      w.clock.advance(20 * 60);
      later.push(await w.run(i % 2 === 0));
    }

    expect(first.result.error).toMatchObject({ kind: 'credentials', code: 'invalid_grant' });
    expect(first.credentialsRejected).toBe(true);
    expect(w.stateStore.state!.guard).toMatchObject({ credentialsVersion: 'v1', code: 'invalid_grant' });
    expect(later.every((r) => r.result.error?.code === 'lockout_guard')).toBe(true);
    expect(w.endpoint.requests).toHaveLength(1);
  });

  it('engages the guard on a client_credentials grant answered 200 {"error":"invalid_client"}', async () => {
    const w = await makeWorld(
      clientCredentialsSettings(),
      () => answer(200, { error: 'invalid_client' }),
      new MemoryCredentials({ client_secret: 's3cret-value' }),
    );

    await w.run();
    w.clock.advance(3600 * 30);
    const second = await w.run();

    expect(second.result.error).toMatchObject({ kind: 'credentials', code: 'lockout_guard' });
    expect(w.endpoint.requests).toHaveLength(1);
  });

  it('treats a refresh answered 200 {"error":"invalid_grant"} as a dead chain: one password grant follows', async () => {
    let calls = 0;
    const w = await makeWorld(keycloakSettings(), (req) =>
      ++calls === 1
        ? tokenAnswer()
        : req.grant === 'refresh_token'
          ? answer(200, { error: 'invalid_grant', error_description: 'Token is not active' })
          : tokenAnswer(),
    );
    await w.run();
    w.clock.advance(200);

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'password' });
    expect(w.endpoint.grants()).toEqual(['password', 'refresh_token', 'password']);
  });
});

describe('runRefresh: any other unusable 2xx to a primary grant holds the credentials like an unseen attempt', () => {
  it.each([
    [
      'a login page',
      answer(200, '<!DOCTYPE html><html><title>Sign in</title><form>…</form></html>', { 'content-type': 'text/html' }),
    ],
    ['a WAF page', answer(200, '<html><body>Request blocked</body></html>')],
    ['an empty body', answer(200, '')],
    ['JSON without a token', answer(200, { status: 'ok' })],
  ])('%s: invalid-response, and no second password within 15 minutes', async (_name, page) => {
    let calls = 0;
    const w = await makeWorld(keycloakSettings({ useRefreshToken: false }), () =>
      ++calls === 1 ? page : tokenAnswer(),
    );

    const first = await w.run();
    w.clock.advance(60);
    const held = await w.run();
    w.clock.advance(13 * 60);
    const stillHeld = await w.run(true);
    w.clock.advance(2 * 60);
    const later = await w.run();

    expect(first.result.error).toMatchObject({ kind: 'invalid-response' });
    expect(w.stateStore.state!.guard).toBeUndefined();
    expect(held.result.error).toMatchObject({ kind: 'transient', code: 'unconfirmed_attempt' });
    expect(stillHeld.result.error).toMatchObject({ code: 'unconfirmed_attempt' });
    expect(later.result).toMatchObject({ outcome: 'refreshed', grant: 'password' });
    expect(w.endpoint.requests).toHaveLength(2);
  });
});
