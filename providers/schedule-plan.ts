import {
  dueThresholdSeconds,
  RUN_TIMEOUT_SECONDS,
  SCHEDULER_LATENESS_SECONDS,
  type Timing,
} from '../contract/schedule.js';

/**
 * How the providers file's timing fields are planned: their defaults, the least safety margin they
 * may have, and how often the token is then renewed and written. Built on the due rule the function
 * applies (contract/schedule.ts).
 */

/** What a run that only reads the store and finds the token fresh may take before it reports. */
const FRESH_RUN_SECONDS = 5;

/**
 * The least safety margin, and its default: one check interval (so one failed renewal is retried
 * before `minValidity` is reached), plus the time a run may start late and last. With less, the
 * token-freshness alarm could either warn later than `minValidity` before expiry or fire while
 * everything is healthy (lib/private/alarm-specs.ts).
 */
export function minimumSafetyMarginSeconds(checkIntervalMinutes: number): number {
  return checkIntervalMinutes * 60 + SCHEDULER_LATENESS_SECONDS + RUN_TIMEOUT_SECONDS + FRESH_RUN_SECONDS;
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

/** A rate per day as `plan`, the docs and the store choice quote it: whole numbers from 100 on, three significant digits below. */
export function formatRate(perDay: number): string {
  if (perDay >= 100) return Math.round(perDay).toLocaleString('en-US');
  return String(Number(perDay.toPrecision(3)));
}
