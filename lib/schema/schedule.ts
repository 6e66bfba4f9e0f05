/**
 * Pure arithmetic shared by the construct (schedule, store choice) and the function (due check), so
 * the two can never disagree about when a token is due.
 */

export interface Timing {
  /** Least lifetime any consumer read may see, in seconds. */
  readonly minValiditySeconds: number;
  /** How often the schedule runs the refresher, in whole minutes. */
  readonly checkIntervalMinutes: number;
  /** Extra lead time so one failed run can be retried before `minValidity` is reached, in seconds. */
  readonly safetyMarginSeconds: number;
}

/** A published token with less than this many seconds left is renewed. */
export function dueThresholdSeconds(t: Timing): number {
  return t.minValiditySeconds + t.checkIntervalMinutes * 60 + t.safetyMarginSeconds;
}

/** True when a token with `secondsRemaining` left must be renewed now. */
export function isDue(secondsRemaining: number, t: Timing): boolean {
  return secondsRemaining < dueThresholdSeconds(t);
}

/**
 * The check interval that gives about four looks per usable lifetime, between 1 and 60 minutes:
 * short tokens need frequent looks; long ones gain nothing from more than one an hour.
 */
export function defaultCheckIntervalMinutes(lifetimeSeconds: number, minValiditySeconds: number): number {
  const usable = lifetimeSeconds - minValiditySeconds;
  return Math.min(60, Math.max(1, Math.floor(usable / 4 / 60)));
}

/**
 * Seconds between two renewals of a token that lives `lifetimeSeconds`, renewed on the first
 * scheduled run at which it is due. Undefined when the token would already be due when issued.
 */
export function renewalPeriodSeconds(lifetimeSeconds: number, t: Timing): number | undefined {
  const threshold = dueThresholdSeconds(t);
  if (lifetimeSeconds <= threshold) return undefined;
  const interval = t.checkIntervalMinutes * 60;
  const runsUntilDue = Math.floor((lifetimeSeconds - threshold) / interval) + 1;
  return runsUntilDue * interval;
}

/** Planned writes of the published token per 24 h. */
export function plannedWritesPerDay(lifetimeSeconds: number, t: Timing): number {
  const period = renewalPeriodSeconds(lifetimeSeconds, t);
  return period === undefined ? Number.POSITIVE_INFINITY : 86_400 / period;
}
