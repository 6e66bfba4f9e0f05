import { METRIC, METRICS_NAMESPACE } from './metrics.js';
import type { ProviderSettings } from './provider-settings.js';
import type { AlarmKind } from './refresher-manifest.js';
import { RUN_TIMEOUT_SECONDS, SCHEDULER_LATENESS_SECONDS } from './schedule.js';

/**
 * Every alarm of a provider as plain data: the construct renders it into CloudWatch alarms, and the
 * tests evaluate it against metrics produced by the real refresh core on a simulated clock. One
 * definition, so the alarm that is tested is the alarm that is deployed.
 */
export interface AlarmSpec {
  readonly kind: Exclude<AlarmKind, 'paging'>;
  readonly namespace: typeof METRICS_NAMESPACE | 'AWS/Lambda' | 'AWS/SQS';
  /** One metric, or several added up (metric math `a + b + c`). */
  readonly metrics: readonly string[];
  readonly statistic: 'Minimum' | 'Maximum' | 'Sum' | 'SampleCount';
  /**
   * Periods without data count as 0 (metric math `FILL(m, 0)`). CloudWatch otherwise evaluates the
   * newest real data points in a range wider than the evaluation periods and fills missing ones
   * "as few times as possible": a metric that simply stops arriving would alarm late.
   */
  readonly fillMissingWithZero?: boolean;
  readonly periodSeconds: number;
  readonly comparison: 'LessThanThreshold' | 'GreaterThanOrEqualToThreshold';
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: 'breaching' | 'notBreaching';
  /** What it means, for the alarm description and the runbook. */
  readonly meaning: string;
}

/** AWS metrics (Lambda errors, queue depth) are looked at over at least five minutes. */
const AWS_METRIC_PERIOD_SECONDS = 300;

/** One period per scheduled run: every run emits one data point of each refresher metric. */
export function runPeriodSeconds(s: Pick<ProviderSettings, 'checkIntervalMinutes'>): number {
  return Math.max(60, s.checkIntervalMinutes * 60);
}

/**
 * The freshness threshold. Two consecutive runs leaving less than `minValidity + 2 intervals +
 * lateness + run time` means renewal failed twice in a row, and the token still has at least
 * `minValidity` left when the second such data point arrives, however late that run started and
 * however long it took. The default safety margin renews above this line, so one failed or late
 * run never alarms.
 */
export function freshnessThresholdSeconds(
  s: Pick<ProviderSettings, 'minValiditySeconds' | 'checkIntervalMinutes'>,
): number {
  return s.minValiditySeconds + 2 * s.checkIntervalMinutes * 60 + SCHEDULER_LATENESS_SECONDS + RUN_TIMEOUT_SECONDS;
}

export function alarmSpecs(s: ProviderSettings): Readonly<Record<AlarmSpec['kind'], AlarmSpec>> {
  const period = runPeriodSeconds(s);
  const refresher = (spec: Omit<AlarmSpec, 'namespace' | 'periodSeconds'> & { periodSeconds?: number }): AlarmSpec => ({
    namespace: METRICS_NAMESPACE,
    periodSeconds: period,
    ...spec,
  });
  return {
    tokenFreshness: refresher({
      kind: 'tokenFreshness',
      metrics: [METRIC.tokenSecondsRemaining],
      statistic: 'Minimum',
      comparison: 'LessThanThreshold',
      threshold: freshnessThresholdSeconds(s),
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      // No data means the refresher is not running: that is exactly when consumers are at risk.
      treatMissingData: 'breaching',
      meaning:
        'the published token is close to expiry and renewal has failed twice in a row (or the refresher stopped running)',
    }),
    credentialsRejected: refresher({
      kind: 'credentialsRejected',
      metrics: [METRIC.lockoutGuardEngaged],
      statistic: 'Maximum',
      comparison: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: 'notBreaching',
      meaning:
        'the provider rejected the credentials; the lockout guard sends nothing more until the credentials secret changes',
    }),
    configurationError: refresher({
      kind: 'configurationError',
      // The gauge keeps it in ALARM on runs that find the token fresh while the block holds.
      metrics: [METRIC.failedConfiguration, METRIC.configurationBlocked],
      statistic: 'Maximum',
      comparison: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: 'notBreaching',
      meaning:
        'the provider configuration or the credentials secret is wrong (unknown realm, scope or client, missing keys)',
    }),
    repeatedFailures: refresher({
      kind: 'repeatedFailures',
      metrics: [METRIC.failedTransient, METRIC.failedInvalidResponse, METRIC.failedStore],
      statistic: 'Sum',
      comparison: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: 'notBreaching',
      meaning: 'three runs in a row failed with a transient, invalid-response or store failure',
    }),
    functionErrors: {
      kind: 'functionErrors',
      namespace: 'AWS/Lambda',
      metrics: ['Errors'],
      statistic: 'Sum',
      periodSeconds: Math.max(AWS_METRIC_PERIOD_SECONDS, period),
      comparison: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: 'notBreaching',
      meaning: 'the refresher function threw (a bug, or a configuration it cannot start with)',
    },
    refresherSilent: refresher({
      kind: 'refresherSilent',
      metrics: [METRIC.tokenSecondsRemaining],
      statistic: 'SampleCount',
      fillMissingWithZero: true,
      // At least two runs per period and five minutes, so late data never empties a healthy period.
      periodSeconds: Math.max(AWS_METRIC_PERIOD_SECONDS, 2 * period),
      comparison: 'LessThanThreshold',
      threshold: 1,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: 'breaching',
      meaning: 'the refresher has not run for two periods (schedule disabled or deleted, function not invocable)',
    }),
    deadLetters: {
      kind: 'deadLetters',
      namespace: 'AWS/SQS',
      // New arrivals, not queue depth: an old message left in the queue must not keep paging muted.
      metrics: ['NumberOfMessagesSent'],
      statistic: 'Sum',
      periodSeconds: AWS_METRIC_PERIOD_SECONDS,
      comparison: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: 'notBreaching',
      meaning: 'scheduled invocations failed or could not be delivered and are waiting in the dead-letter queue',
    },
  };
}
