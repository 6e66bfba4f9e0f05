/**
 * Pure arithmetic shared by the construct (schedule, store choice) and the function (due check), so
 * the two can never disagree about when a token is due.
 */

/** The refresher function's timeout: no run lasts longer. */
export const RUN_TIMEOUT_SECONDS = 30;
/** EventBridge Scheduler invokes "with 60 second precision": a run may start up to a minute late. */
export const SCHEDULER_LATENESS_SECONDS = 60;
/** What a run that only reads the store and finds the token fresh may take before it reports. */
export const FRESH_RUN_SECONDS = 5;

/**
 * The least safety margin, and its default: one check interval (so one failed renewal is retried
 * before `minValidity` is reached), plus the time a run may start late and last. With less, the
 * token-freshness alarm could either warn later than `minValidity` before expiry or fire while
 * everything is healthy (contract/alarm-specs.ts).
 */
export function minimumSafetyMarginSeconds(checkIntervalMinutes: number): number {
  return checkIntervalMinutes * 60 + SCHEDULER_LATENESS_SECONDS + RUN_TIMEOUT_SECONDS + FRESH_RUN_SECONDS;
}

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
  const usable = lifetimeSeconds - minValiditySeconds - minimumSafetyMarginSeconds(0);
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
