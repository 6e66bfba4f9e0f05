import { describe, expect, it } from 'vitest';
import type { Result } from '../../../base/result.js';
import { parseTokenAnswer } from '../../../core/token-response.js';
import {
  answer,
  clientCredentialsSettings,
  keycloakSettings,
  MemoryCredentials,
  makeWorld,
  tokenAnswer,
} from './fakes.js';

/** What the function returned before it returned a Result (base/result.ts): the value or the error. */
const either = <T, E>(r: Result<T, E>): T | E => (r.ok ? r.value : r.error);

const jwt = (claims: object) => `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

/** A published token with 600 s left, then a forced renewal answered with `bad`. */
async function renewedWith(bad: Record<string, unknown>) {
  let calls = 0;
  const w = await makeWorld(keycloakSettings({ useRefreshToken: false }), () =>
    ++calls === 1 ? tokenAnswer({ access_token: 'first-token', expires_in: 900 }) : tokenAnswer(bad),
  );
  await w.run();
  w.clock.advance(300);
  const before = w.tokenStore.token;
  const report = await w.run(true);
  return { w, before, report };
}

describe('runRefresh: lifetimes are bounded', () => {
  it.each([0, 1, 30, '59'])(
    'expires_in %s (below minValidity) is invalid-response; the old token stays',
    async (expiresIn) => {
      const { w, before, report } = await renewedWith({ expires_in: expiresIn });

      expect(report.result.error).toMatchObject({ kind: 'invalid-response', code: 'lifetime_too_short' });
      expect(w.tokenStore.token).toBe(before);
      expect(w.tokenStore.writes).toHaveLength(1);
      expect(report.secondsRemaining).toBe(600);
    },
  );

  it.each([1e12, '9999999999', 300_000, 1e300])(
    'expires_in %s (past 10 times the planned lifetime) is invalid-response; the old token stays',
    async (expiresIn) => {
      const { w, before, report } = await renewedWith({ expires_in: expiresIn });

      expect(report.result.error).toMatchObject({ kind: 'invalid-response', code: 'lifetime_too_long' });
      expect(report.result.error!.description).toContain('expectedLifetimeSeconds');
      expect(w.tokenStore.token).toBe(before);
    },
  );

  it('accepts a lifetime up to 10 times the planned one', async () => {
    const { w, report } = await renewedWith({ expires_in: 3000 });

    expect(report.result).toMatchObject({ outcome: 'refreshed' });
    expect(w.tokenStore.token!.expires_at - w.tokenStore.token!.issued_at).toBe(3000);
  });

  it("never publishes an expires_at past a JWT's own exp", async () => {
    const w = await makeWorld(keycloakSettings({ useRefreshToken: false }), () => {
      const now = Math.floor(w.clock.now() / 1000);
      return tokenAnswer({ access_token: jwt({ iat: now, exp: now + 240 }), expires_in: 1e12 });
    });

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'refreshed' });
    expect(w.tokenStore.token!.expires_at).toBe(w.tokenStore.token!.issued_at + 240);
  });

  it('a JWT whose exp leaves less than minValidity is invalid-response', async () => {
    const w = await makeWorld(keycloakSettings({ useRefreshToken: false }), () => {
      const now = Math.floor(w.clock.now() / 1000);
      return tokenAnswer({ access_token: jwt({ iat: now - 300, exp: now + 10 }), expires_in: 300 });
    });

    const { result } = await w.run();

    expect(result.error).toMatchObject({ kind: 'invalid-response', code: 'lifetime_too_short' });
    expect(w.tokenStore.writes).toEqual([]);
  });

  it('an unusable lifetime from a primary grant keeps the attempt on record (15-minute spacing)', async () => {
    const w = await makeWorld(keycloakSettings({ useRefreshToken: false }), () => tokenAnswer({ expires_in: 5 }));

    await w.run();
    w.clock.advance(60);
    const held = await w.run();

    expect(held.result.error).toMatchObject({ code: 'unconfirmed_attempt' });
    expect(w.endpoint.requests).toHaveLength(1);
  });
});

describe('runRefresh: the same token answered again (legacy Spring)', () => {
  const mediahound = () =>
    clientCredentialsSettings({
      preset: 'mediahound',
      clientAuth: 'client_secret_basic_raw_and_post',
      scope: undefined,
      expectedLifetimeSeconds: 14 * 86_400,
      checkIntervalMinutes: 5,
      safetyMarginSeconds: 400,
    });

  it('is written again when its expiry moved by more than a couple of seconds, and only then', async () => {
    let expiresIn = 7200;
    const w = await makeWorld(
      mediahound(),
      () => answer(200, { access_token: 'same-token-1234', token_type: 'bearer', expires_in: expiresIn }),
      new MemoryCredentials({ client_secret: 'x-secret' }),
    );
    await w.run();
    const first = w.tokenStore.token!.expires_at;

    w.clock.advance(7000); // due: 200 s left
    expiresIn = 199; // the same expiry, one second of rounding apart
    await w.run();
    const unchanged = w.tokenStore.writes.length;
    w.clock.advance(1);
    expiresIn = 50; // the server now says it ends 149 s earlier
    await w.run();

    expect(unchanged).toBe(1);
    expect(w.tokenStore.writes).toHaveLength(2);
    expect(w.tokenStore.token!.expires_at).toBe(first - 149);
  });

  it('is republished even when it has less than minValidity left, since consumers hold it anyway', async () => {
    let expiresIn = 600;
    const w = await makeWorld(
      mediahound(),
      () => answer(200, { access_token: 'same-token-1234', token_type: 'bearer', expires_in: expiresIn }),
      new MemoryCredentials({ client_secret: 'x-secret' }),
    );
    await w.run();
    w.clock.advance(120);
    expiresIn = 2; // legacy Spring near the client-wide expiry

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'refreshed' });
    expect(w.tokenStore.token!.expires_at - w.clock.seconds).toBe(2);
  });
});

describe('parseTokenAnswer: the access token is a bearer token', () => {
  it.each([
    ['CR LF', 'abc\r\nX-Injected: 1'],
    ['NUL', 'abc\u0000def'],
    ['a space', 'abc def'],
    ['a quote', 'abc"def'],
    ['non-ASCII', 'abcé'],
    ['= inside', 'ab=cd'],
    ['too long for any store', 'a'.repeat(65_537)],
  ])('rejects one with %s', (_name, token) => {
    const parsed = either(
      parseTokenAnswer(answer(200, { access_token: token, token_type: 'Bearer', expires_in: 300 })),
    );

    expect(parsed).toMatchObject({ kind: 'invalid-response', code: 'bad_access_token' });
    expect(JSON.stringify(parsed)).not.toContain('abc');
  });

  it.each([
    ['a JWT', jwt({ sub: 'x', exp: 1 })],
    ['an IdentityServer reference token', 'C2E3F0B9A4D15A7E8F0E64C5B33A1E6F27E2B0A4C8D9E1F20314253647586970-1'],
    ['a legacy Spring UUID', '0b6f7a52-9a0e-4c7e-8f7e-2b1d6c3a9e10'],
    ['base64 with padding', 'a+b/c~d_e.f-g=='],
  ])('accepts %s', (_name, token) => {
    const parsed = either(
      parseTokenAnswer(answer(200, { access_token: token, token_type: 'Bearer', expires_in: 300 })),
    );

    expect(parsed).toMatchObject({ accessToken: token });
  });
});
