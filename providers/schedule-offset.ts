import { createHash } from 'node:crypto';

/**
 * Where in its check interval a provider's schedule runs, so that the refreshers of a stage, created
 * by one deploy, do not all run in the same minute (lib/private/refresher-schedule.ts builds the
 * schedule, `plan` counts the busiest minute). EventBridge Scheduler runs a schedule "with 60 second
 * precision" (contract/schedule.ts SCHEDULER_LATENESS_SECONDS): within a minute AWS picks the second,
 * so whole minutes are what a schedule can spread. A rate expression runs from the minute its
 * schedule was created; a cron expression with a minute derived from the provider id runs at the same
 * minutes whenever it was created, exactly one interval apart. That needs an interval that divides
 * an hour, or a whole number of hours that divides a day; any other interval (and one minute) keeps
 * its rate expression.
 */

const MINUTES_PER_DAY = 1440;

/** Whether a check interval can run at a minute of its own, one interval apart every time. */
export function spreadable(intervalMinutes: number): boolean {
  if (intervalMinutes <= 1) return false;
  if (intervalMinutes < 60) return 60 % intervalMinutes === 0;
  return intervalMinutes % 60 === 0 && MINUTES_PER_DAY % intervalMinutes === 0;
}

/** The provider's minute within its interval: stable for its id, independent of its stack (other bytes of the hash). */
export function scheduleOffsetMinutes(providerId: string, intervalMinutes: number): number {
  if (!spreadable(intervalMinutes)) return 0;
  const hash = createHash('sha256').update(providerId).digest().readUInt32BE(4);
  return hash % intervalMinutes;
}

/** The cron fields (minute, hour) of a spreadable interval; undefined: keep the rate expression. */
export function scheduleCronFields(
  providerId: string,
  intervalMinutes: number,
): { readonly minute: string; readonly hour: string } | undefined {
  if (!spreadable(intervalMinutes)) return undefined;
  const offset = scheduleOffsetMinutes(providerId, intervalMinutes);
  if (intervalMinutes < 60) return { minute: `${offset}/${intervalMinutes}`, hour: '*' };
  const hours = intervalMinutes / 60;
  return { minute: String(offset % 60), hour: hours === 1 ? '*' : `${Math.floor(offset / 60)}/${hours}` };
}

/**
 * The minutes of a day (0 to 1439, UTC) at which the provider's schedule runs. A rate expression's
 * minute depends on when it was created: counted as minute 0, as if every such schedule was created
 * in the same minute, which is the worst case.
 */
export function runMinutesOfDay(providerId: string, intervalMinutes: number): number[] {
  const minutes: number[] = [];
  for (let t = scheduleOffsetMinutes(providerId, intervalMinutes); t < MINUTES_PER_DAY; t += intervalMinutes) {
    minutes.push(t);
  }
  return minutes;
}
