import { describe, expect, it } from 'vitest';
import { NoAnswerError, type TokenRequest } from '../../../core/ports.js';
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

const keycloakScript = (req: TokenRequest) =>
  req.grant === 'password' || req.grant === 'refresh_token' ? tokenAnswer() : new Error('unexpected');

describe('runRefresh: due check', () => {
  it('makes a password grant when nothing is published yet, and publishes the token', async () => {
    const w = await makeWorld(keycloakSettings(), keycloakScript);

    const { result, secondsRemaining } = await w.run();

    expect(result).toMatchObject({ provider: 'kc', outcome: 'refreshed', grant: 'password' });
    expect(w.endpoint.requests).toEqual([
      { grant: 'password', username: 'alice', password: 'pw-Secret-1', auth: { method: 'none' } },
    ]);
    expect(w.tokenStore.token).toMatchObject({ token_type: 'Bearer', provider: 'kc', scope: 'openid profile' });
    expect(secondsRemaining).toBe(300);
  });

  it('does nothing but report while the token has more than minValidity + interval + margin left', async () => {
    const w = await makeWorld(keycloakSettings(), keycloakScript);
    await w.run();
    w.clock.advance(119); // 300 - 119 = 181 >= 60 + 60 + 60

    const { result, secondsRemaining } = await w.run();

    expect(result).toEqual({ provider: 'kc', outcome: 'fresh', expiresAt: w.tokenStore.token!.expires_at });
    expect(secondsRemaining).toBe(181);
    expect(w.endpoint.requests).toHaveLength(1);
  });

  it('renews with the refresh_token grant once due, and persists the rotated refresh token before publishing', async () => {
    const order: string[] = [];
    const w = await makeWorld(keycloakSettings(), keycloakScript);
    await w.run();
    const firstRefresh = w.stateStore.state!.refreshToken!;
    const write = w.stateStore.write.bind(w.stateStore);
    w.stateStore.write = async (s) => {
      order.push('state');
      await write(s);
    };
    const publish = w.tokenStore.write.bind(w.tokenStore);
    w.tokenStore.write = async (t) => {
      order.push('publish');
      await publish(t);
    };
    w.clock.advance(121);

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'refresh_token' });
    expect(w.endpoint.requests[1]).toEqual({
      grant: 'refresh_token',
      refreshToken: firstRefresh,
      auth: { method: 'none' },
    });
    expect(w.stateStore.state!.refreshToken).not.toBe(firstRefresh);
    expect(order).toEqual(['state', 'publish']);
  });

  it('keeps the old refresh token when the refresh answer carries none', async () => {
    const w = await makeWorld(keycloakSettings(), (req) =>
      req.grant === 'password'
        ? tokenAnswer()
        : tokenAnswer({ refresh_token: undefined, refresh_expires_in: undefined }),
    );
    await w.run();
    const { refreshToken, refreshExpiresAt } = w.stateStore.state!;
    w.clock.advance(200);

    await w.run();
    w.clock.advance(200);
    await w.run();

    expect(w.endpoint.grants()).toEqual(['password', 'refresh_token', 'refresh_token']);
    expect(w.stateStore.state).toMatchObject({ refreshToken, refreshExpiresAt });
  });

  it('computes expires_at from when the request was sent, not when the answer arrived', async () => {
    const w = await makeWorld(keycloakSettings(), async () => {
      w.clock.advance(7); // a slow IdP
      return tokenAnswer({ expires_in: 300 });
    });
    const sentAt = w.clock.seconds;

    await w.run();

    expect(w.tokenStore.token).toMatchObject({ issued_at: sentAt, expires_at: sentAt + 300 });
  });

  it('renews when forced even though the token is fresh', async () => {
    const w = await makeWorld(keycloakSettings(), keycloakScript);
    await w.run();
    w.clock.advance(61); // Parameter Store takes a forced renewal a minute after the last write

    const { result } = await w.run(true);

    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'refresh_token' });
  });

  it('treats the stored refresh token as unusable after the provider settings change', async () => {
    const w = await makeWorld(keycloakSettings(), keycloakScript);
    await w.run();
    w.deps = { ...w.deps };
    const { runRefresh } = await import('../../../core/refresh.js');

    const { result } = await runRefresh(
      { ...w.deps, settings: keycloakSettings({ clientId: 'other-client' }) },
      { deadlineMs: w.clock.now() + 50_000 },
    );

    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'password' });
    expect(w.endpoint.grants()).toEqual(['password', 'password']);
  });
});

describe('runRefresh: refresh chain fallback', () => {
  const deadChain = [
    'Token is not active',
    'Session not active',
    'Stale token',
    'Maximum allowed refresh token reuse exceeded',
    "Session doesn't have required client",
    'Client session not active',
    'Invalid refresh token',
    'Offline session not active',
  ];
  it.each(deadChain)('any invalid_grant on refresh (%s) is followed by exactly one password grant', async (text) => {
    const w = await makeWorld(keycloakSettings(), (req) =>
      req.grant === 'refresh_token' ? invalidGrant(text) : tokenAnswer(),
    );
    await w.run();
    w.clock.advance(200);

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'password' });
    expect(w.endpoint.grants()).toEqual(['password', 'refresh_token', 'password']);
  });

  it('falls back to one password grant on Keycloak\'s invalid_request "No refresh token" (K21)', async () => {
    const w = await makeWorld(keycloakSettings(), (req) =>
      req.grant === 'refresh_token'
        ? answer(400, { error: 'invalid_request', error_description: 'No refresh token' })
        : tokenAnswer(),
    );
    await w.run();
    w.clock.advance(200);

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'password' });
    expect(w.stateStore.state!.blocked).toBeUndefined();
  });

  it('renews with a password grant when a refresh returns a token shorter than minValidity', async () => {
    const w = await makeWorld(keycloakSettings(), (req) =>
      req.grant === 'refresh_token' ? tokenAnswer({ expires_in: 20, refresh_expires_in: undefined }) : tokenAnswer(),
    );
    await w.run();
    w.clock.advance(200);

    await w.run();

    expect(w.endpoint.grants()).toEqual(['password', 'refresh_token', 'password']);
    expect(w.tokenStore.token!.expires_at - w.clock.seconds).toBe(300);
  });

  it('cuts each request to the run deadline and sends none it cannot finish', async () => {
    const w = await makeWorld(keycloakSettings(), async (req) => {
      if (req.grant === 'refresh_token') {
        w.clock.advance(19.5); // a slow refresh that ends in "Session not active"
        return invalidGrant('Session not active');
      }
      return tokenAnswer();
    });
    await w.run();
    w.clock.advance(200);
    const { runRefresh } = await import('../../../core/refresh.js');

    const { result } = await runRefresh(w.deps, { deadlineMs: w.clock.now() + 20_000 });

    expect(w.endpoint.grants()).toEqual(['password', 'refresh_token']);
    expect(w.endpoint.timeouts[1]).toBe(10_000);
    expect(result.error).toMatchObject({ kind: 'transient', code: 'no_time_left' });
  });

  it('skips a refresh token whose own deadline has passed', async () => {
    const w = await makeWorld(keycloakSettings(), () => tokenAnswer({ refresh_expires_in: 100 }));
    await w.run();
    w.clock.advance(150);

    await w.run();

    expect(w.endpoint.grants()).toEqual(['password', 'password']);
  });

  it('does not publish a refreshed token shorter than minValidity; one password grant renews the session', async () => {
    // Keycloak at SSO Session Max: the refreshed token ends before any consumer could use it.
    const w = await makeWorld(keycloakSettings(), (req) =>
      req.grant === 'refresh_token' ? tokenAnswer({ expires_in: 40, refresh_expires_in: 40 }) : tokenAnswer(),
    );
    await w.run();
    w.clock.advance(200);

    const { result } = await w.run();

    expect(w.endpoint.grants()).toEqual(['password', 'refresh_token', 'password']);
    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'password' });
    expect(w.tokenStore.writes.map((t) => t.expires_at - t.issued_at)).toEqual([300, 300]);
  });

  it('renews the session with one password grant when a refresh shows the session is about to end', async () => {
    // Keycloak near SSO Session Max: the refreshed token and the refresh token both end before the next due check.
    const w = await makeWorld(keycloakSettings(), (req) =>
      req.grant === 'refresh_token' ? tokenAnswer({ expires_in: 90, refresh_expires_in: 90 }) : tokenAnswer(),
    );
    await w.run();
    w.clock.advance(200);

    const { result } = await w.run();

    expect(w.endpoint.grants()).toEqual(['password', 'refresh_token', 'password']);
    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'password' });
    expect(w.tokenStore.writes).toHaveLength(3);
    expect(w.tokenStore.token!.expires_at - w.clock.seconds).toBe(300);
  });
});

describe('runRefresh: lockout guard', () => {
  it('sends a rejected password once per credentials version across many scheduled and forced runs', async () => {
    const w = await makeWorld(keycloakSettings(), () => invalidGrant('Invalid user credentials', 401));

    const first = await w.run();
    const later = [];
    for (let i = 0; i < 20; i++) {
      w.clock.advance(60);
      later.push(await w.run(i % 5 === 0));
    }

    expect(first.result.error).toMatchObject({ kind: 'credentials', code: 'invalid_grant' });
    expect(first.credentialsRejected).toBe(true);
    expect(w.endpoint.requests).toHaveLength(1);
    expect(later.every((r) => r.result.error?.code === 'lockout_guard')).toBe(true);
    expect(later[0]!.result.error!.description).toContain('token-refresher/test/credentials');
    expect(later[0]!.result.error!.description).toContain('version v1');
  });

  it('tries again once operators put a new version of the credentials', async () => {
    let good = false;
    const w = await makeWorld(keycloakSettings(), () =>
      good ? tokenAnswer() : invalidGrant('Invalid user credentials', 401),
    );
    await w.run();
    w.clock.advance(60);
    await w.run();

    good = true;
    w.credentials.rotate({ username: 'alice', password: 'new-Secret-2' });
    w.clock.advance(60);
    const coolingDown = await w.run();
    w.clock.advance(15 * 60);
    const { result } = await w.run();

    // A temporarily locked Keycloak account rejects even the right password for up to 15 minutes.
    expect(coolingDown.result.error).toMatchObject({ kind: 'credentials', code: 'lockout_cooldown' });
    expect(coolingDown.guardEngaged).toBe(true);
    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'password' });
    expect(w.endpoint.requests).toHaveLength(2);
    expect(w.stateStore.state!.guard).toBeUndefined();
  });

  it('on a fresh run, reports a recorded guard as engaged only while the secret holds the rejected version', async () => {
    const w = await makeWorld(keycloakSettings(), () => tokenAnswer());
    await w.run();
    w.stateStore.state = {
      ...w.stateStore.state!,
      guard: { credentialsVersion: 'v1', at: 0, code: 'invalid_grant', description: 'x' },
    };

    const engaged = await w.run();
    w.credentials.rotate({ username: 'alice', password: 'new-Secret-9' });
    const lifted = await w.run();

    expect([engaged.result.outcome, lifted.result.outcome]).toEqual(['fresh', 'fresh']);
    expect([engaged.guardEngaged, lifted.guardEngaged]).toEqual([true, false]);
    expect(w.endpoint.requests).toHaveLength(1);
  });

  it('reports the guard engaged from the first rejection until the secret changes, also on fresh runs', async () => {
    // The session-end renewal publishes a refreshed token, then the password is rejected.
    const w: World = await makeWorld(keycloakSettings(), (req) =>
      req.grant === 'refresh_token'
        ? tokenAnswer({ expires_in: 90, refresh_expires_in: 90 })
        : w.endpoint.requests.length === 1 || (req.grant === 'password' && req.password === 'fixed-Secret-3')
          ? tokenAnswer()
          : invalidGrant('Invalid user credentials', 401),
    );
    const first = await w.run();
    w.clock.advance(200);
    const rejected = await w.run();
    w.clock.advance(1);
    const guarded = await w.run();
    w.credentials.rotate({ username: 'alice', password: 'fixed-Secret-3' });
    w.clock.advance(15 * 60);
    const afterRotation = await w.run();

    expect(first.guardEngaged).toBe(false);
    expect(rejected).toMatchObject({ credentialsRejected: true, guardEngaged: true, result: { outcome: 'refreshed' } });
    expect(guarded).toMatchObject({ guardEngaged: true, credentialsRejected: false });
    expect(afterRotation.guardEngaged).toBe(false);
  });

  it.each([
    ['invalid_client (IdentityServer, no description)', answer(400, { error: 'invalid_client' })],
    ['unauthorized_client (Keycloak wrong secret)', answer(401, { error: 'unauthorized_client' })],
    ['Spring Boot 401 error page', answer(401, { status: 401, error: 'Unauthorized', message: 'Bad credentials' })],
    ['HTML 403 from a session limiter', answer(403, '<html><title>Forbidden</title></html>')],
  ])('engages the guard on %s', async (_name, rejection) => {
    const w = await makeWorld(
      clientCredentialsSettings(),
      () => rejection,
      new MemoryCredentials({ client_secret: 's3cret-value' }),
    );

    await w.run();
    w.clock.advance(3600 * 30);
    const second = await w.run();

    expect(w.endpoint.requests).toHaveLength(1);
    expect(second.result.error).toMatchObject({ kind: 'credentials', code: 'lockout_guard' });
  });

  it('stops all requests after the client itself is rejected on a refresh, until the credentials change', async () => {
    let calls = 0;
    const w = await makeWorld(keycloakSettings(), (req) =>
      ++calls === 1
        ? tokenAnswer()
        : req.grant === 'refresh_token'
          ? answer(401, { error: 'invalid_client' })
          : tokenAnswer(),
    );
    await w.run();
    w.clock.advance(200);

    const rejected = await w.run();
    w.clock.advance(60);
    const guarded = await w.run();
    w.credentials.rotate({ username: 'alice', password: 'pw-Secret-2' });
    w.clock.advance(15 * 60);
    const recovered = await w.run();

    expect(rejected.result.error).toMatchObject({ kind: 'credentials', code: 'invalid_client' });
    expect(guarded.result.error).toMatchObject({ kind: 'credentials', code: 'lockout_guard' });
    expect(recovered.result).toMatchObject({ outcome: 'refreshed', grant: 'password' });
    expect(w.endpoint.grants()).toEqual(['password', 'refresh_token', 'password']);
  });

  it('keeps password grants at least one second apart', async () => {
    // Due as soon as issued (120 s left), so that every run renews at once.
    const w = await makeWorld(keycloakSettings({ useRefreshToken: false }), () => tokenAnswer({ expires_in: 120 }));
    await w.run();

    await w.run();
    await w.run();

    const [a, b, c] = w.endpoint.sentAt;
    expect(b! - a!).toBeGreaterThanOrEqual(1000);
    expect(c! - b!).toBeGreaterThanOrEqual(1000);
  });

  it('sends nothing when the attempt cannot be put on record first (state store failing)', async () => {
    const w = await makeWorld(keycloakSettings(), () => invalidGrant('Invalid user credentials', 401));
    w.stateStore.failWrites = true;

    const runs = [];
    for (let i = 0; i < 5; i++) {
      runs.push(await w.run());
      w.clock.advance(60);
    }

    expect(w.endpoint.requests).toEqual([]);
    expect(runs[0]!.result.error).toMatchObject({ kind: 'store', code: 'state_write_failed' });
    expect(runs[0]!.result.error!.description).toContain('no password grant was sent');
  });

  it('sends a rejected password once even when the state write after it fails', async () => {
    const w = await makeWorld(keycloakSettings(), () => invalidGrant('Invalid user credentials', 401));
    const write = w.stateStore.write.bind(w.stateStore);
    let writes = 0;
    w.stateStore.write = async (state) => {
      if (++writes === 2) throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
      await write(state);
    };

    await w.run(); // records the attempt, sends, is rejected, cannot record the guard
    for (let i = 0; i < 10; i++) {
      w.clock.advance(60);
      await w.run();
    }

    // The attempt on record keeps the next one 15 minutes away; then the guard holds.
    expect(w.endpoint.requests).toHaveLength(1);
  });

  it('keeps the lockout guard when the provider settings change', async () => {
    const w = await makeWorld(keycloakSettings(), () => invalidGrant('Invalid user credentials', 401));
    await w.run();
    w.clock.advance(60);
    const { runRefresh } = await import('../../../core/refresh.js');

    const changed = await runRefresh(
      { ...w.deps, settings: keycloakSettings({ scope: 'openid profile' }) },
      { deadlineMs: w.clock.now() + 20_000 },
    );

    expect(changed.result.error).toMatchObject({ code: 'lockout_guard' });
    expect(w.endpoint.requests).toHaveLength(1);
  });
});

describe('runRefresh: an OAuth rejection inside a 5xx, 429 or 408 answer', () => {
  it.each([503, 429, 408, 500, 502, 504])(
    'a password answered %i invalid_grant is sent once; the guard holds its version on later runs',
    async (status) => {
      const w = await makeWorld(keycloakSettings({ useRefreshToken: false }), () =>
        answer(
          status,
          { error: 'invalid_grant', error_description: 'Invalid user credentials' },
          { 'Retry-After': '1' },
        ),
      );

      const first = await w.run();
      const later = [];
      for (let i = 0; i < 10; i++) {
        w.clock.advance(60);
        later.push(await w.run(i % 3 === 0));
      }

      expect(first.result.error).toMatchObject({ kind: 'credentials', code: 'invalid_grant' });
      expect(first).toMatchObject({ credentialsRejected: true, guardEngaged: true });
      expect(w.stateStore.state!.guard).toMatchObject({ credentialsVersion: 'v1', code: 'invalid_grant' });
      expect(w.stateStore.state!.pendingPrimary).toBeUndefined();
      expect(later.every((r) => r.result.error?.code === 'lockout_guard')).toBe(true);
      expect(w.endpoint.requests).toHaveLength(1);
      expect(w.clock.sleeps).toEqual([]);
    },
  );

  it('a refresh answered 503 invalid_grant is followed by exactly one password grant, not a retry', async () => {
    const w = await makeWorld(keycloakSettings(), (req) =>
      req.grant === 'refresh_token' ? invalidGrant('Token is not active', 503) : tokenAnswer(),
    );
    await w.run();
    w.clock.advance(200);

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'password' });
    expect(w.endpoint.grants()).toEqual(['password', 'refresh_token', 'password']);
  });

  it('invalid_client inside a 429 stops the client secret after one request', async () => {
    const w = await makeWorld(
      clientCredentialsSettings(),
      () => answer(429, { error: 'invalid_client' }, { 'Retry-After': '1' }),
      new MemoryCredentials({ client_secret: 's3cret-value' }),
    );

    const first = await w.run();
    w.clock.advance(3600 * 30);
    const second = await w.run();

    expect(first.result.error).toMatchObject({ kind: 'credentials', code: 'invalid_client' });
    expect(second.result.error).toMatchObject({ kind: 'credentials', code: 'lockout_guard' });
    expect(w.endpoint.requests).toHaveLength(1);
  });

  it('invalid_scope inside a 503 is a configuration error, sent once and blocked on the schedule', async () => {
    const w = await makeWorld(
      clientCredentialsSettings(),
      () => answer(503, { error: 'invalid_scope' }),
      new MemoryCredentials({ client_secret: 's3cret-value' }),
    );

    const first = await w.run();
    w.clock.advance(3600 * 30);
    const second = await w.run();

    expect(first.result.error).toMatchObject({ kind: 'configuration', code: 'invalid_scope' });
    expect(second.result.error).toMatchObject({ kind: 'configuration', code: 'invalid_scope' });
    expect(w.endpoint.requests).toHaveLength(1);
  });

  it('an OAuth code it does not know inside a 429 sends the password once and holds the version 15 minutes', async () => {
    const w = await makeWorld(keycloakSettings({ useRefreshToken: false }), () =>
      answer(429, { error: 'too_many_attempts', error_description: 'blocked' }),
    );

    const first = await w.run();
    w.clock.advance(60);
    const held = await w.run();

    expect(first.result.error).toMatchObject({ kind: 'transient', code: 'too_many_attempts' });
    expect(held.result.error).toMatchObject({ kind: 'transient', code: 'unconfirmed_attempt' });
    expect(w.endpoint.requests).toHaveLength(1);
  });

  it('a 503 page or prose error is still retried in the run, each password a second after the last', async () => {
    for (const notNow of [
      answer(503, '<html><title>Service Unavailable</title></html>'),
      answer(503, { error: 'Realm does not exist' }, { 'Retry-After': '0' }),
      answer(429, { error: 'slow_down' }),
    ]) {
      const w = await makeWorld(keycloakSettings({ useRefreshToken: false }), () => notNow);

      const { result } = await w.run();

      expect(result.error).toMatchObject({ kind: 'transient' });
      expect(w.endpoint.requests).toHaveLength(3); // maxAttempts
      const [a, b, c] = w.endpoint.sentAt;
      // The backoff (375 ms here) and Retry-After: 0 are both shorter than Keycloak's quick-login window.
      expect(b! - a!).toBeGreaterThanOrEqual(1000);
      expect(c! - b!).toBeGreaterThanOrEqual(1000);
    }
  });
});

describe('runRefresh: transient failures', () => {
  it('retries a 503 with Retry-After a bounded number of times and leaves the published token alone', async () => {
    let calls = 0;
    const w = await makeWorld(keycloakSettings({ useRefreshToken: false }), () =>
      ++calls === 1 ? tokenAnswer() : answer(503, '', { 'Retry-After': '2' }),
    );
    await w.run();
    const before = w.tokenStore.token;
    w.clock.advance(200);

    const { result } = await w.run();

    expect(result.error).toMatchObject({ kind: 'transient', code: 'http_503' });
    expect(w.endpoint.requests).toHaveLength(4); // 1 + maxAttempts
    expect(w.clock.sleeps.filter((ms) => ms === 2000)).toHaveLength(2);
    expect(w.tokenStore.token).toBe(before);
    expect(w.tokenStore.writes).toHaveLength(1);
  });

  it('succeeds on a later attempt after a 429', async () => {
    let calls = 0;
    const w = await makeWorld(
      clientCredentialsSettings(),
      () => (++calls === 1 ? answer(429, 'slow down', { 'Retry-After': '1' }) : tokenAnswer()),
      new MemoryCredentials({ client_secret: 'x-secret' }),
    );

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'client_credentials' });
  });

  it('does not wait past the run deadline for a long Retry-After', async () => {
    const w = await makeWorld(
      clientCredentialsSettings(),
      () => answer(429, '', { 'Retry-After': '3600' }),
      new MemoryCredentials({ client_secret: 'x-secret' }),
    );

    const { result } = await w.run();

    expect(result.error).toMatchObject({ kind: 'transient' });
    expect(w.endpoint.requests).toHaveLength(1);
    expect(w.clock.sleeps).toEqual([]);
  });

  it('retries a password the IdP surely did not see, and stops at one it may have seen', async () => {
    const refused = new NoAnswerError('network_error', 'no', 'network error (ECONNREFUSED)');
    const timeout = new NoAnswerError('timeout', 'unknown', 'no answer within 10 s');
    let calls = 0;
    const w = await makeWorld(keycloakSettings({ useRefreshToken: false }), () => (++calls === 1 ? refused : timeout));

    const { result } = await w.run();

    expect(result.error).toMatchObject({ kind: 'transient', code: 'timeout' });
    expect(w.endpoint.requests).toHaveLength(2);
    expect(w.stateStore.state!.pendingPrimary).toMatchObject({ credentialsVersion: 'v1' });
  });

  it('waits 15 minutes after a password grant whose outcome was not seen (timeout, 502, 504)', async () => {
    for (const unseen of [
      new NoAnswerError('timeout', 'unknown', 'no answer'),
      answer(502, '<html>bad gateway</html>'),
      answer(504, ''),
    ]) {
      let calls = 0;
      const w = await makeWorld(keycloakSettings({ useRefreshToken: false }), () =>
        ++calls === 1 ? unseen : tokenAnswer(),
      );

      const first = await w.run();
      w.clock.advance(60);
      const held = await w.run();
      w.clock.advance(15 * 60);
      const later = await w.run();

      expect(first.result.error).toMatchObject({ kind: 'transient' });
      expect(held.result.error).toMatchObject({ kind: 'transient', code: 'unconfirmed_attempt' });
      expect(later.result).toMatchObject({ outcome: 'refreshed', grant: 'password' });
      expect(w.endpoint.requests).toHaveLength(2);
      expect(w.stateStore.state!.pendingPrimary).toBeUndefined();
    }
  });

  it('redacts a secret echoed in an error body before the body is shortened or reflowed', async () => {
    const password = 'pa  ss\tword LEAK+/=%';
    const echo = (text: string) => answer(401, { error: 'invalid_grant', error_description: text });
    const cases = [
      echo(`wrong password "${password}"`),
      echo(`${'x'.repeat(180)} ${password}`), // would be cut at 200 characters mid-secret
      answer(401, `user=ops&password=${encodeURIComponent(password)}`),
      answer(401, new URLSearchParams({ password }).toString()),
    ];
    for (const rejection of cases) {
      const w = await makeWorld(
        keycloakSettings(),
        () => rejection,
        new MemoryCredentials({ username: 'ops', password }),
      );

      const { result } = await w.run();

      expect(result.error!.kind).toBe('credentials');
      expect(JSON.stringify(result)).not.toMatch(/LEAK|ss\\tword|pa {2}ss/);
    }
  });

  it('lets unexpected bugs throw', async () => {
    const w = await makeWorld(keycloakSettings(), () => new RangeError('bug'));

    await expect(w.run()).rejects.toThrow('bug');
  });
});

describe('runRefresh: invalid responses and configuration errors', () => {
  it.each([
    ['no access_token', answer(200, { token_type: 'Bearer', expires_in: 300 }), 'no_access_token'],
    [
      'unparsable expires_in',
      answer(200, { access_token: 'a-token', token_type: 'Bearer', expires_in: 'soon' }),
      'bad_expires_in',
    ],
    ['HTML', answer(200, '<html>maintenance</html>'), 'not_json'],
    ['empty body', answer(200, ''), 'not_json'],
    ['a MAC token', answer(200, { access_token: 'a-token', token_type: 'mac' }), 'unsupported_token_type'],
  ])('stores nothing for a 200 with %s', async (_name, bad, code) => {
    const w = await makeWorld(keycloakSettings(), () => bad);

    const { result } = await w.run();

    expect(result.error).toMatchObject({ kind: 'invalid-response', code });
    expect(w.tokenStore.writes).toEqual([]);
    expect(w.stateStore.state?.refreshToken).toBeUndefined();
  });

  it('blocks scheduled retries of a configuration error until forced or the settings change', async () => {
    let fixed = false;
    const w = await makeWorld(
      clientCredentialsSettings(),
      () => (fixed ? tokenAnswer() : answer(400, { error: 'invalid_scope' })),
      new MemoryCredentials({ client_secret: 'x-secret' }),
    );

    const first = await w.run();
    w.clock.advance(3600);
    const second = await w.run();
    fixed = true;
    const forced = await w.run(true);

    expect(first.result.error).toMatchObject({ kind: 'configuration', code: 'invalid_scope' });
    expect(second.result.error).toMatchObject({ kind: 'configuration', code: 'invalid_scope' });
    expect(second.result.error!.description).toContain('not retried since');
    expect(forced.result).toMatchObject({ outcome: 'refreshed' });
    expect(w.endpoint.requests).toHaveLength(2);
  });

  it('reads Keycloak\'s 404 {"error":"Realm does not exist"} as a configuration error', async () => {
    const w = await makeWorld(keycloakSettings(), () => answer(404, { error: 'Realm does not exist' }));

    const { result } = await w.run();

    expect(result.error).toEqual({
      kind: 'configuration',
      code: 'http_404',
      description: 'password grant: HTTP 404, Realm does not exist',
    });
  });

  it('names the secret when the credentials secret is empty, and the key when one is missing', async () => {
    const empty = await makeWorld(keycloakSettings(), keycloakScript, MemoryCredentials.missing());
    const noPassword = await makeWorld(
      keycloakSettings(),
      keycloakScript,
      new MemoryCredentials({ username: 'alice' }),
    );

    const a = await empty.run();
    const b = await noPassword.run();

    // Never filled and nothing ever published: setup is pending, not failed (test/integration/day-one.test.ts).
    expect(a.result).toMatchObject({
      outcome: 'pending',
      note: { code: 'waiting_for_credentials', description: expect.stringContaining('credentials secret "x"') },
    });
    expect(b.result.error).toEqual({
      kind: 'configuration',
      code: 'credentials_missing_key',
      description:
        'credentials secret "token-refresher/test/credentials" has no "password"; put {"username": "...", "password": "..."} into it',
    });
    expect(empty.endpoint.requests).toEqual([]);
  });
});

describe('runRefresh: stores', () => {
  it('fails clearly for a token too large for its store, keeping the new refresh token', async () => {
    const w = await makeWorld(keycloakSettings(), () => tokenAnswer({ access_token: 'x'.repeat(9000) }));

    const { result } = await w.run();

    expect(result.error).toMatchObject({ kind: 'store', code: 'token_too_large' });
    expect(result.error!.description).toContain('holds at most 8192');
    expect(w.tokenStore.writes).toEqual([]);
    expect(w.stateStore.state!.refreshToken).toBeDefined();
  });

  it('leaves the old token in place when publishing fails, and the next run renews with the new refresh token', async () => {
    const w = await makeWorld(keycloakSettings(), keycloakScript);
    await w.run();
    const old = w.tokenStore.token;
    w.clock.advance(200);
    w.tokenStore.failWrites = true;

    const failed = await w.run();
    const rotated = w.stateStore.state!.refreshToken;
    w.tokenStore.failWrites = false;
    w.clock.advance(60);
    const next = await w.run();

    expect(failed.result.error).toMatchObject({ kind: 'store', code: 'token_write_failed' });
    expect(failed.result.expiresAt).toBe(old!.expires_at);
    expect(next.result).toMatchObject({ outcome: 'refreshed', grant: 'refresh_token' });
    expect(w.endpoint.requests.at(-1)).toEqual({
      grant: 'refresh_token',
      refreshToken: rotated,
      auth: { method: 'none' },
    });
  });

  it('publishes nothing when the refresh token cannot be persisted', async () => {
    const w = await makeWorld(keycloakSettings(), keycloakScript);
    w.stateStore.failWrites = true;

    const { result } = await w.run();

    expect(result.error).toMatchObject({ kind: 'store', code: 'state_write_failed' });
    expect(w.tokenStore.writes).toEqual([]);
  });

  it('does not write a token identical to the published one (legacy Spring returns it again)', async () => {
    let left = 3600;
    const w = await makeWorld(
      clientCredentialsSettings({
        preset: 'mediahound',
        clientAuth: 'client_secret_basic_raw_and_post',
        scope: undefined,
      }),
      () => answer(200, { access_token: 'same-token-1234', token_type: 'bearer', expires_in: left, scope: 'read' }),
      new MemoryCredentials({ client_secret: 'x-secret' }),
    );
    await w.run();
    w.clock.advance(1800);
    left = 1800;

    const { result } = await w.run(true);

    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'client_credentials' });
    expect(w.tokenStore.writes).toHaveLength(1);
  });
});

describe('runRefresh: lifetimes', () => {
  const jwt = (claims: object) =>
    `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

  it("uses the preset's documented lifetime when expires_in is missing", async () => {
    const w = await makeWorld(keycloakSettings({ expectedLifetimeSeconds: 900 }), () =>
      tokenAnswer({ expires_in: undefined }),
    );

    await w.run();

    expect(w.tokenStore.token!.expires_at - w.tokenStore.token!.issued_at).toBe(900);
  });

  it('uses the JWT exp - iat as a hint for a generic provider, then the configured lifetime', async () => {
    const settings = keycloakSettings({ preset: 'generic', lifetimeDocumented: false, expectedLifetimeSeconds: 1200 });
    const withJwt = await makeWorld(settings, () => {
      const iat = Math.floor(withJwt.clock.now() / 1000);
      return tokenAnswer({ expires_in: undefined, access_token: jwt({ iat, exp: iat + 600 }) });
    });
    const opaque = await makeWorld(settings, () => tokenAnswer({ expires_in: undefined }));

    await withJwt.run();
    await opaque.run();

    expect(withJwt.tokenStore.token!.expires_at - withJwt.tokenStore.token!.issued_at).toBe(600);
    expect(opaque.tokenStore.token!.expires_at - opaque.tokenStore.token!.issued_at).toBe(1200);
  });

  it('accepts expires_in sent as a numeric string and token_type in any case', async () => {
    const w = await makeWorld(keycloakSettings(), () => tokenAnswer({ expires_in: '1800', token_type: 'bearer' }));

    await w.run();

    expect(w.tokenStore.token).toMatchObject({ token_type: 'Bearer' });
    expect(w.tokenStore.token!.expires_at - w.tokenStore.token!.issued_at).toBe(1800);
  });
});

describe('runRefresh: a configuration block older than the published token', () => {
  it('no longer holds: a renewal since lifted it (a block joined back from a part written before it)', async () => {
    // GIVEN a renewed token, and a block recorded before that renewal (what a join of a stale part brings back)
    const w = await makeWorld(keycloakSettings(), () => tokenAnswer());
    const blockedAt = w.clock.now() - 60_000;
    await w.run();
    w.stateStore.state = {
      ...w.stateStore.state!,
      blocked: {
        at: blockedAt,
        code: 'invalid_scope',
        description: 'the token endpoint reported a configuration error',
      },
    };
    w.clock.advance(200);
    // WHEN a scheduled run finds the token due
    const { result } = await w.run();
    // THEN it renews, and the block is gone from the state
    expect(result).toMatchObject({ outcome: 'refreshed' });
    expect(w.stateStore.state.blocked).toBeUndefined();
  });

  it('a block recorded after the token was published still holds on the schedule', async () => {
    const w = await makeWorld(keycloakSettings(), () => tokenAnswer());
    await w.run();
    w.clock.advance(10);
    w.stateStore.state = {
      ...w.stateStore.state!,
      blocked: {
        at: w.clock.now(),
        code: 'invalid_scope',
        description: 'the token endpoint reported a configuration error',
      },
    };
    w.clock.advance(200);
    const { result } = await w.run();
    expect(result).toMatchObject({ outcome: 'failed', error: { kind: 'configuration', code: 'invalid_scope' } });
  });
});
