import { Duration } from 'aws-cdk-lib';

/** Lambda accepts a maximum event age between 60 seconds and 6 hours (EventBridge Scheduler: up to 24 hours). */
const MIN_EVENT_AGE = Duration.seconds(60);
const MAX_EVENT_AGE = Duration.hours(6);

/**
 * How long a scheduled invocation may wait (throttled behind a running refresh, or in Lambda's
 * asynchronous queue) before it is dropped: one check interval. An older event is worthless, since
 * the next scheduled tick already asks the same question. Clamped to what Lambda accepts.
 */
export function maxEventAge(checkIntervalMinutes: number): Duration {
  const seconds = Math.min(
    MAX_EVENT_AGE.toSeconds(),
    Math.max(MIN_EVENT_AGE.toSeconds(), Math.round(checkIntervalMinutes * 60)),
  );
  return Duration.seconds(seconds);
}
