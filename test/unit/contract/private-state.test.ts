import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  boundPrivateState,
  FORCED_RENEWALS_KEPT,
  joinPrivateState,
  LEDGER_MAX_BYTES,
  ledgerBytes,
  MAX_KEPT_ENDPOINT_CHARS,
  type PrivateState,
  privateStateSchema,
  sameCredentialsVersion,
} from '../../../contract/private-state.js';
import { FAILURE_KINDS } from '../../../contract/metrics.js';
import { FORCED_RUN_BUDGET } from '../../../contract/token-stores.js';
import { guardStatus } from '../../../core/lockout.js';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const HOUR = 3_600_000;

/**
 * Every field at its worst: the longest JSON numbers, texts that escape to six bytes a character,
 * the longest identities kept as they are, a full list.
 */
function worstCase(): PrivateState {
  const longest = -1.2345678901234568e-300;
  const escaping = '\u0001'.repeat(5000);
  const wide = '\u{1F600}'.repeat(5000);
  const plainest = (c: string) => c.repeat(128);
  const record = { at: longest, code: escaping, description: wide };
  // Lifecycle events at their widest: times and counts at their longest whole form, codes and versions long.
  const late = NOW + 1e15;
  const event = (t: 'f' | 'r' | 'x' | 'n') => ({
    q: 999_999,
    t,
    at: late,
    s: late,
    r: 1e12,
    k: 'invalid-response' as const,
    o: 'o'.repeat(500),
    v: 'v'.repeat(40),
    c: 'w' as const,
    gr: 'g'.repeat(500),
    e: late,
  });
  return {
    v: 1,
    fingerprint: plainest('f'),
    refreshToken: 'rt',
    lastPrimaryGrantAt: longest,
    guard: { ...record, credentialsVersion: plainest('g') },
    pendingPrimary: { credentialsVersion: plainest('p'), at: longest },
    workingCredentialsVersion: plainest('w'),
    blocked: record,
    tokenStoreChecked: plainest('t'),
    forcedRenewals: Array.from({ length: 4096 }, (_, i) => NOW - i * 1.000000000001),
    metadata: { tokenEndpoint: `https://${'m'.repeat(MAX_KEPT_ENDPOINT_CHARS - 8)}`, at: longest, recheck: true },
    health: { q: 999_999, c: 'w', s: late, r: 1e12, a: 1, g: 'gggggggg' },
    outbox: Array.from({ length: 64 }, (_, i) => event((['x', 'n', 'f', 'r'] as const)[i % 4]!)),
  };
}

const stateArbitrary = (): fc.Arbitrary<PrivateState> => {
  // Any time JSON can hold: a state comes from a parameter or a file.
  const time = fc.oneof(
    fc.integer({ min: NOW - 3 * 86_400_000, max: NOW + HOUR }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  );
  // Sizes up to the maximum, not fast-check's small default: long texts and lists are the point.
  const text = fc.oneof(
    fc.string({ size: 'max', maxLength: 300 }),
    fc.string({ unit: 'grapheme', size: 'max', maxLength: 300 }),
    fc.string({ unit: 'binary', size: 'max', maxLength: 300 }),
  );
  const version = fc.oneof(fc.uuid(), text);
  const record = fc.record({ at: time, code: text, description: text });
  return fc.record(
    {
      v: fc.constant(1 as const),
      fingerprint: fc.oneof(fc.stringMatching(/^[0-9a-f]{16}$/), text),
      refreshToken: fc.string({ maxLength: 100 }),
      lastPrimaryGrantAt: time,
      guard: fc.record({ credentialsVersion: version, at: time, code: text, description: text }),
      pendingPrimary: fc.record({ credentialsVersion: version, at: time }),
      workingCredentialsVersion: version,
      blocked: record,
      forcedRenewals: fc.array(time, { size: 'max', maxLength: 2000 }),
      metadata: fc.record(
        { tokenEndpoint: fc.oneof(fc.webUrl({ size: 'large' }), text), at: time, recheck: fc.constant(true as const) },
        { requiredKeys: ['tokenEndpoint', 'at'] },
      ),
      health: fc.record(
        { q: time, c: fc.constantFrom('f', 'r', 'w', 'x'), s: time, r: time, a: fc.constant(1), g: text },
        { requiredKeys: ['q'] },
      ),
      outbox: fc.array(
        fc.record(
          {
            q: time,
            t: fc.constantFrom('f', 'v', 'r', 'w', 'x', 'n'),
            at: time,
            s: time,
            r: time,
            k: fc.constantFrom(...FAILURE_KINDS),
            o: text,
            v: version,
            c: fc.constantFrom('f', 'r', 'w', 'x'),
            gr: text,
            e: time,
          },
          { requiredKeys: ['q', 't', 'at'] },
        ),
        { maxLength: 64 },
      ),
    },
    { requiredKeys: ['v', 'fingerprint'] },
  );
};

describe('boundPrivateState: the state a run stores has a fixed maximum size', () => {
  it(`keeps the worst ledger there is within ${LEDGER_MAX_BYTES} bytes, well inside a standard-tier parameter`, () => {
    const bounded = boundPrivateState(worstCase(), NOW);

    expect(ledgerBytes(worstCase())).toBeGreaterThan(20_000);
    expect(ledgerBytes(bounded)).toBeLessThanOrEqual(LEDGER_MAX_BYTES);
    // A standard-tier String parameter (4 KB), and at least 5.5 KB of the 8 KB SecureString left for the refresh token.
    expect(LEDGER_MAX_BYTES).toBeLessThan(4096);
    expect(8192 - LEDGER_MAX_BYTES).toBeGreaterThanOrEqual(5.5 * 1024);
    expect(privateStateSchema.safeParse(JSON.parse(JSON.stringify(bounded))).success).toBe(true);
  });

  it('keeps a discovered token endpoint whole or not at all: a cut URL would send tokens elsewhere', () => {
    const kept = { tokenEndpoint: 'https://idp.example.com/oauth2/token', at: NOW };
    const long = { tokenEndpoint: `https://idp.example.com/${'p'.repeat(MAX_KEPT_ENDPOINT_CHARS)}`, at: NOW };

    expect(boundPrivateState({ v: 1, fingerprint: 'f', metadata: kept }, NOW).metadata).toEqual(kept);
    expect(boundPrivateState({ v: 1, fingerprint: 'f', metadata: long }, NOW).metadata).toBeUndefined();
  });

  it('keeps the forced renewals of the last 24 h only, and of those the newest a day cap counts', () => {
    const forced = [NOW - 25 * HOUR, NOW - 23 * HOUR, NOW - 3 * HOUR, NOW - 2 * HOUR, NOW - HOUR, NOW + HOUR];

    const { forcedRenewals } = boundPrivateState({ v: 1, fingerprint: 'f', forcedRenewals: forced }, NOW);

    // A time ahead of the clock counts as now, as every other recorded time does.
    expect(forcedRenewals).toEqual([NOW - 2 * HOUR, NOW - HOUR, NOW]);
    expect(boundPrivateState({ v: 1, fingerprint: 'f', forcedRenewals: [NOW - 25 * HOUR] }, NOW)).toEqual({
      v: 1,
      fingerprint: 'f',
    });
  });

  it('keeps as many forced renewals as every store with a day cap counts', () => {
    const caps = Object.values(FORCED_RUN_BUDGET)
      .map((b) => b.perDay)
      .filter(Number.isFinite);

    expect(caps.length).toBeGreaterThan(0);
    expect(Math.max(...caps)).toBeLessThanOrEqual(FORCED_RENEWALS_KEPT.count);
    expect(FORCED_RENEWALS_KEPT.windowMs).toBe(24 * HOUR);
  });

  it('changes nothing a run decides on: versions compare the same, the refresh token and times stay', () => {
    const long = `arn:aws:kms:eu-west-1:123456789012:key/${'k'.repeat(200)}`;
    const state: PrivateState = {
      v: 1,
      fingerprint: '0123456789abcdef',
      refreshToken: 'rt-1',
      refreshExpiresAt: 1_900_000_000,
      lastPrimaryGrantAt: NOW - 5,
      guard: { credentialsVersion: long, at: NOW - 60_000, code: 'invalid_client', description: 'rejected' },
      pendingPrimary: { credentialsVersion: 'v-2', at: NOW - 10 },
    };

    const bounded = boundPrivateState(state, NOW);

    expect(bounded.guard!.credentialsVersion).not.toBe(long);
    expect(sameCredentialsVersion(bounded.guard!.credentialsVersion, long)).toBe(true);
    expect(sameCredentialsVersion(bounded.guard!.credentialsVersion, `${long}x`)).toBe(false);
    expect(guardStatus(bounded.guard, long, NOW)).toBe('rejected');
    expect({ ...bounded, guard: undefined }).toEqual({ ...state, guard: undefined });
  });

  it('property: any state is bounded, parses, and bounding it again changes nothing', () => {
    fc.assert(
      fc.property(stateArbitrary(), fc.integer({ min: NOW - HOUR, max: NOW + HOUR }), (state, now) => {
        const bounded = boundPrivateState(state, now);
        expect(ledgerBytes(bounded)).toBeLessThanOrEqual(LEDGER_MAX_BYTES);
        expect(boundPrivateState(bounded, now)).toEqual(bounded);
        expect(privateStateSchema.safeParse(JSON.parse(JSON.stringify(bounded))).success).toBe(true);
        for (const [before, after] of [
          [state.guard?.credentialsVersion, bounded.guard?.credentialsVersion],
          [state.pendingPrimary?.credentialsVersion, bounded.pendingPrimary?.credentialsVersion],
          [state.workingCredentialsVersion, bounded.workingCredentialsVersion],
        ]) {
          expect(sameCredentialsVersion(before, after)).toBe(true);
        }
        expect(bounded.refreshToken).toBe(state.refreshToken);
      }),
      { numRuns: 200 },
    );
  });
});

describe('joinPrivateState: neither part of a stored state loses lockout memory', () => {
  const fp = '0123456789abcdef';
  const guard = (credentialsVersion: string, at: number) => ({
    credentialsVersion,
    at,
    code: 'invalid_client',
    description: 'the token endpoint rejected the credentials on a refresh_token grant (invalid_client)',
  });
  const whole: PrivateState = { v: 1, fingerprint: fp, refreshToken: 'rt-legacy', lastPrimaryGrantAt: 5 };

  it('keeps the guard of the ledger beside a whole state that has none (a write that stopped halfway)', () => {
    const ledger: PrivateState = { v: 1, fingerprint: fp, guard: guard('v1', NOW), lastPrimaryGrantAt: 3 };

    expect(joinPrivateState(ledger, whole)).toEqual({
      v: 1,
      fingerprint: fp,
      guard: guard('v1', NOW),
      lastPrimaryGrantAt: 5,
      refreshToken: 'rt-legacy',
    });
  });

  it('keeps the guard, attempt and block of a whole state an earlier version wrote after the ledger (a rollback)', () => {
    const ledger: PrivateState = { v: 1, fingerprint: fp, workingCredentialsVersion: 'v1' };
    const rolledBack: PrivateState = {
      ...whole,
      guard: guard('v1', NOW),
      pendingPrimary: { credentialsVersion: 'v1', at: NOW - 1 },
      blocked: { at: NOW - 2, code: 'invalid_scope', description: 'blocked' },
    };

    expect(joinPrivateState(ledger, rolledBack)).toEqual({
      v: 1,
      fingerprint: fp,
      guard: guard('v1', NOW),
      pendingPrimary: { credentialsVersion: 'v1', at: NOW - 1 },
      blocked: { at: NOW - 2, code: 'invalid_scope', description: 'blocked' },
      lastPrimaryGrantAt: 5,
      refreshToken: 'rt-legacy',
    });
  });

  it('keeps the latest of two records, whichever part holds it', () => {
    const older = guard('v1', NOW - 60_000);
    const newer = guard('v2', NOW);

    expect(joinPrivateState({ v: 1, fingerprint: fp, guard: older }, { ...whole, guard: newer })?.guard).toEqual(newer);
    expect(joinPrivateState({ v: 1, fingerprint: fp, guard: newer }, { ...whole, guard: older })?.guard).toEqual(newer);
  });

  it('takes no block and no refresh token from a whole state made under other settings', () => {
    const other: PrivateState = {
      ...whole,
      fingerprint: 'fedcba9876543210',
      guard: guard('v1', NOW),
      blocked: { at: NOW, code: 'invalid_scope', description: 'blocked' },
    };

    expect(joinPrivateState({ v: 1, fingerprint: fp }, other)).toEqual({
      v: 1,
      fingerprint: fp,
      guard: guard('v1', NOW),
      lastPrimaryGrantAt: 5,
    });
  });

  it('property: every record either part holds, or a later one, is in the join', () => {
    fc.assert(
      fc.property(stateArbitrary(), stateArbitrary(), (ledger, chain) => {
        const joined = joinPrivateState(ledger, { ...chain, fingerprint: ledger.fingerprint })!;
        for (const key of ['guard', 'pendingPrimary', 'blocked'] as const) {
          for (const side of [ledger[key], chain[key]]) {
            if (side !== undefined) expect(joined[key]!.at).toBeGreaterThanOrEqual(side.at);
          }
        }
        const times = [ledger.lastPrimaryGrantAt, chain.lastPrimaryGrantAt].filter((t) => t !== undefined);
        if (times.length > 0) expect(joined.lastPrimaryGrantAt).toBe(Math.max(...times));
      }),
      { numRuns: 300 },
    );
  });
});
