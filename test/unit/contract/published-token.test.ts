import { describe, expect, it } from 'vitest';
import type { Result } from '../../../base/result.js';
import { grantedLifetime } from '../../../core/lifetime.js';
import { providerSettingsSchema } from '../../../contract/provider-settings.js';
import {
  checkPublishedToken,
  MAX_EXPECTED_LIFETIME_SECONDS,
  MAX_LIFETIME_FACTOR,
  publishedToken,
} from '../../../contract/published-token.js';

/** What the function returned before it returned a Result (base/result.ts): the value or the error. */
const either = <T, E>(r: Result<T, E>): T | E => (r.ok ? r.value : r.error);

const SENT_AT = 1_800_000_000;
/** The longest lifetime the refresher publishes: the factor times the longest planned lifetime. */
const MAX_PUBLISHED_LIFETIME_SECONDS = MAX_LIFETIME_FACTOR * MAX_EXPECTED_LIFETIME_SECONDS;
const longest = { expectedLifetimeSeconds: MAX_EXPECTED_LIFETIME_SECONDS, lifetimeDocumented: false };
const token = (lifetimeSeconds: number) =>
  publishedToken({ accessToken: 'at', provider: 'p', sentAt: SENT_AT, lifetimeSeconds });

describe('published token: the lifetime bound readers apply is the refresher’s own', () => {
  it('lets a reader accept the longest token the refresher would publish', () => {
    // GIVEN the longest planned lifetime the settings allow, and an IdP granting the most the refresher takes
    expect(
      providerSettingsSchema.shape.expectedLifetimeSeconds.safeParse(longest.expectedLifetimeSeconds).success,
    ).toBe(true);
    const granted = either(grantedLifetime(MAX_PUBLISHED_LIFETIME_SECONDS, 'opaque', SENT_AT, longest));
    // WHEN / THEN
    expect(granted).toEqual({ seconds: MAX_PUBLISHED_LIFETIME_SECONDS, source: 'expires_in' });
    expect(checkPublishedToken(token(MAX_PUBLISHED_LIFETIME_SECONDS), SENT_AT)).toMatchObject({ ok: true });
  });

  it('refuses one second more on both sides', () => {
    expect(
      providerSettingsSchema.shape.expectedLifetimeSeconds.safeParse(longest.expectedLifetimeSeconds + 1).success,
    ).toBe(false);
    expect(either(grantedLifetime(MAX_PUBLISHED_LIFETIME_SECONDS + 1, 'opaque', SENT_AT, longest))).toMatchObject({
      problem: 'too_long',
    });
    expect(checkPublishedToken(token(MAX_PUBLISHED_LIFETIME_SECONDS + 1))).toEqual({
      ok: false,
      error: [
        'expires_at: expected at most 3660 days after issued_at (the longest lifetime the refresher publishes), in epoch seconds (milliseconds?)',
      ],
    });
  });

  it('refuses an expires_at too far from the reader’s clock only when given one', () => {
    const both = { ...token(300), issued_at: SENT_AT * 1000, expires_at: (SENT_AT + 300) * 1000 };
    expect(checkPublishedToken(both)).toMatchObject({ ok: true });
    expect(checkPublishedToken(both, SENT_AT)).toEqual({
      ok: false,
      error: [
        'expires_at: expected at most 3660 days from now (the longest lifetime the refresher publishes), in epoch seconds (milliseconds?)',
      ],
    });
  });
});
