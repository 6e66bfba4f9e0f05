/**
 * When a token is due, and how long a scheduled run may start late and last: the construct plans the
 * schedule by these (providers/schedule-plan.ts) and the function applies them on every run, so the
 * two can never disagree about when a token is due.
 */

/** The refresher function's timeout: no run lasts longer. */
export const RUN_TIMEOUT_SECONDS = 30;
/** EventBridge Scheduler invokes "with 60 second precision": a run may start up to a minute late. */
export const SCHEDULER_LATENESS_SECONDS = 60;

/** The timing fields of a provider's settings (contract/provider-settings.ts). */
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
