import { describe, expect, it } from 'vitest';
import {
  runMinutesOfDay,
  scheduleCronFields,
  scheduleOffsetMinutes,
  spreadable,
} from '../../../providers/schedule-offset.js';
import { fleetProviders } from '../../../scripts/fleet-file.js';

/** A stage's schedules run at minutes of their own (providers/schedule-offset.ts), not all together. */
const ids = fleetProviders(1000).map((p) => p.id);

describe('the minute a schedule runs at', () => {
  it.each([2, 3, 5, 10, 15, 30, 60, 120, 360])(
    'spreads 1,000 providers checked every %i minutes over the whole interval, none over twice its share',
    (interval) => {
      const perOffset = new Map<number, number>();
      for (const id of ids) {
        const offset = scheduleOffsetMinutes(id, interval);
        expect(offset).toBeGreaterThanOrEqual(0);
        expect(offset).toBeLessThan(interval);
        perOffset.set(offset, (perOffset.get(offset) ?? 0) + 1);
      }
      const share = ids.length / interval;
      // Nearly every minute of the interval has a provider (a hash leaves a few of 360 empty).
      expect(perOffset.size).toBeGreaterThanOrEqual(0.9 * interval);
      expect(Math.max(...perOffset.values())).toBeLessThanOrEqual(Math.max(2 * share, 10));
    },
  );

  it('runs a spread schedule exactly one interval apart, all day', () => {
    for (const interval of [3, 5, 60, 120, 360]) {
      const minutes = runMinutesOfDay('tenant-007', interval);
      expect(minutes).toHaveLength(1440 / interval);
      expect(minutes.slice(1).map((m, i) => m - minutes[i]!)).toEqual(new Array(minutes.length - 1).fill(interval));
    }
  });

  it('keeps a rate expression where cron cannot repeat at one interval: one minute, 7, 45, 90 minutes', () => {
    for (const interval of [1, 7, 45, 90, 300]) {
      expect(spreadable(interval), String(interval)).toBe(false);
      expect(scheduleCronFields('tenant-007', interval)).toBeUndefined();
    }
  });

  it('writes cron fields that run at the provider’s offset', () => {
    const offset = scheduleOffsetMinutes('tenant-007', 360);
    expect(scheduleCronFields('tenant-007', 360)).toEqual({
      minute: String(offset % 60),
      hour: `${Math.floor(offset / 60)}/6`,
    });
    expect(scheduleCronFields('tenant-007', 5)).toEqual({
      minute: `${scheduleOffsetMinutes('tenant-007', 5)}/5`,
      hour: '*',
    });
  });

  it('keeps a stage of 1,000 five-minute providers to about a fifth of them in any one minute', () => {
    const perMinute = new Array<number>(1440).fill(0);
    for (const id of ids) for (const m of runMinutesOfDay(id, 5)) perMinute[m]!++;
    expect(Math.max(...perMinute)).toBeLessThanOrEqual(1.25 * (ids.length / 5));
  });
});
