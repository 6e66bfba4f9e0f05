import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  defaultCheckIntervalMinutes,
  plannedWritesPerDay,
  renewalPeriodSeconds,
} from '../../../providers/schedule-plan.js';
import { dueThresholdSeconds, isDue, type Timing } from '../../../contract/schedule.js';
import { chooseStore } from '../../../providers/store-choice.js';
import { SECRETS_MANAGER_MAX_WRITES_PER_DAY } from '../../../contract/token-stores.js';

/** Timings as the providers file allows them, with the default margin (one check interval). */
const timing = fc
  .record({
    minValiditySeconds: fc.integer({ min: 0, max: 3600 }),
    checkIntervalMinutes: fc.integer({ min: 1, max: 120 }),
    margin: fc.option(fc.integer({ min: 0, max: 7200 }), { nil: undefined }),
  })
  .map(({ minValiditySeconds, checkIntervalMinutes, margin }): Timing => ({
    minValiditySeconds,
    checkIntervalMinutes,
    safetyMarginSeconds: margin ?? checkIntervalMinutes * 60,
  }));

describe('due check (property)', () => {
  it('is monotonic: a token due with r seconds left is due with any less', () => {
    fc.assert(
      fc.property(timing, fc.integer({ min: -1000, max: 200_000 }), fc.nat(50_000), (t, r, less) => {
        if (isDue(r, t)) expect(isDue(r - less, t)).toBe(true);
      }),
    );
  });

  it('renews on the first scheduled run that leaves less than the threshold, never later', () => {
    fc.assert(
      fc.property(timing, fc.integer({ min: 60, max: 400_000 }), (t, lifetime) => {
        const period = renewalPeriodSeconds(lifetime, t);
        const threshold = dueThresholdSeconds(t);
        if (lifetime <= threshold) {
          expect(period).toBeUndefined();
          return;
        }
        const interval = t.checkIntervalMinutes * 60;
        expect(period! % interval).toBe(0);
        expect(isDue(lifetime - period!, t)).toBe(true);
        // The run before (or the moment of issue, when that is one interval earlier) found it not due.
        expect(isDue(lifetime - (period! - interval), t)).toBe(false);
      }),
    );
  });

  it('with the default margin, one failed renewal still leaves minValidity at the next run', () => {
    fc.assert(
      fc.property(timing, fc.integer({ min: 60, max: 400_000 }), (t, lifetime) => {
        const withDefaultMargin = { ...t, safetyMarginSeconds: t.checkIntervalMinutes * 60 };
        const period = renewalPeriodSeconds(lifetime, withDefaultMargin);
        if (period === undefined) return;
        const remainingAtRetry = lifetime - period - t.checkIntervalMinutes * 60;
        expect(remainingAtRetry).toBeGreaterThanOrEqual(t.minValiditySeconds);
      }),
    );
  });

  it('picks a default check interval of 1 to 60 minutes that leaves the token renewable', () => {
    fc.assert(
      fc.property(fc.integer({ min: 300, max: 400_000 }), fc.integer({ min: 0, max: 120 }), (lifetime, minValidity) => {
        const c = defaultCheckIntervalMinutes(lifetime, minValidity);
        expect(c).toBeGreaterThanOrEqual(1);
        expect(c).toBeLessThanOrEqual(60);
        const t = { minValiditySeconds: minValidity, checkIntervalMinutes: c, safetyMarginSeconds: c * 60 };
        expect(renewalPeriodSeconds(lifetime, t)).toBeDefined();
      }),
    );
  });
});

describe('store choice (property)', () => {
  it('auto chooses Secrets Manager exactly when the planned rate fits its version quota', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 5000, noNaN: true }), (writes) => {
        const choice = chooseStore('auto', writes);
        expect(choice).toMatchObject({
          ok: true,
          value: { kind: writes < SECRETS_MANAGER_MAX_WRITES_PER_DAY ? 'secretsmanager' : 'parameterstore' },
        });
      }),
    );
  });

  it('never lets Secrets Manager be written 100 times in 24 h, whatever is asked for', () => {
    fc.assert(
      fc.property(
        timing,
        fc.integer({ min: 60, max: 400_000 }),
        fc.constantFrom('auto', 'secretsmanager', 'parameterstore'),
        (t, lifetime, requested) => {
          const writes = plannedWritesPerDay(lifetime, t);
          const choice = chooseStore(requested, writes);
          if (choice.ok && choice.value.kind === 'secretsmanager') expect(writes).toBeLessThan(100);
          if (requested === 'secretsmanager' && writes >= SECRETS_MANAGER_MAX_WRITES_PER_DAY)
            expect(choice.ok).toBe(false);
        },
      ),
    );
  });

  it('explains the version quota when Secrets Manager is forced at too high a rate', () => {
    const choice = chooseStore('secretsmanager', 480);

    expect(choice.ok).toBe(false);
    const why = choice.ok ? '' : choice.error;
    expect(why).toContain('about 480 times a day');
    expect(why).toContain('100 versions per secret');
  });
});
