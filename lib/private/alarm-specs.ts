import { METRIC } from '../../contract/metrics.js';
import { livesOnRefreshToken, type ProviderSettings, signsWithPrivateKey } from '../../contract/provider-settings.js';
import type { AlarmKind } from '../../contract/refresher-manifest.js';
import { RUN_TIMEOUT_SECONDS, SCHEDULER_LATENESS_SECONDS } from '../../contract/schedule.js';

/**
 * Every alarm of a provider as plain data: the construct renders it into CloudWatch alarms, and the
 * tests evaluate it against metrics produced by the real refresh core on a simulated clock. One
 * definition, so the alarm that is tested is the alarm that is deployed.
 */
export interface AlarmSpec {
  readonly kind: AlarmKind;
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
  /** The runbook section its description links, when not the alarm's own (headed by its suffix). */
  readonly runbookSection?: string;
}

/** Whether the provider authenticates with signed assertions, whose rejection has a runbook section of its own. */
const signsAssertions = (s: ProviderSettings) => signsWithPrivateKey(s) || s.clientAuth === 'client_secret_jwt';

/** docs/runbook.md "An assertion was rejected". */
export const ASSERTION_REJECTED_SECTION = 'an-assertion-was-rejected';

/** The silence alarm looks at five minutes at least, so ingestion delay never empties a period. */
const SILENCE_PERIOD_MIN_SECONDS = 300;

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
function freshnessThresholdSeconds(s: Pick<ProviderSettings, 'minValiditySeconds' | 'checkIntervalMinutes'>): number {
  return s.minValiditySeconds + 2 * s.checkIntervalMinutes * 60 + SCHEDULER_LATENESS_SECONDS + RUN_TIMEOUT_SECONDS;
}

export function alarmSpecs(s: ProviderSettings): Readonly<Record<AlarmKind, AlarmSpec>> {
  const period = runPeriodSeconds(s);
  return {
    tokenFreshness: {
      kind: 'tokenFreshness',
      metrics: [METRIC.tokenSecondsRemaining],
      statistic: 'Minimum',
      periodSeconds: period,
      comparison: 'LessThanThreshold',
      threshold: freshnessThresholdSeconds(s),
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      // No data means the refresher is not running: that is exactly when consumers are at risk.
      treatMissingData: 'breaching',
      meaning:
        'the published token is close to expiry and renewal has failed twice in a row (or the refresher stopped running)',
    },
    credentialsRejected: credentialsRejected(s, period),
    refresherSilent: {
      kind: 'refresherSilent',
      metrics: [METRIC.tokenSecondsRemaining],
      statistic: 'SampleCount',
      fillMissingWithZero: true,
      // At least two runs per period and five minutes, so late data never empties a healthy period.
      periodSeconds: Math.max(SILENCE_PERIOD_MIN_SECONDS, 2 * period),
      comparison: 'LessThanThreshold',
      threshold: 1,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: 'breaching',
      meaning:
        'the refresher has not run for two periods (schedule disabled or deleted, function failing or not invocable)',
    },
  };
}

/**
 * A person must act on the provider's credentials. A provider that lives on its refresh token also
 * pages here when the token is lost (reconnect needed): a second alarm would page for the same act
 * (someone gives the provider a credential again), and cost another alarm metric either way. Each
 * gauge is emitted only while it holds (contract/metrics.ts), so no data means neither does.
 */
function credentialsRejected(s: ProviderSettings, period: number): AlarmSpec {
  const connected = livesOnRefreshToken(s);
  const signs = signsAssertions(s);
  const guard = signs
    ? 'the provider rejected a signed assertion; the lockout guard signs nothing more with that key version ' +
      'until a new key or a new credentials secret version is in place'
    : 'the provider rejected the credentials; the lockout guard sends nothing more until the credentials secret changes';
  return {
    kind: 'credentialsRejected',
    metrics: connected ? [METRIC.lockoutGuardEngaged, METRIC.reconnectNeeded] : [METRIC.lockoutGuardEngaged],
    statistic: 'Maximum',
    // Added up, each gauge's missing periods count as 0, or a period with only one of them would have no sum.
    ...(connected ? { fillMissingWithZero: true } : {}),
    periodSeconds: period,
    comparison: 'GreaterThanOrEqualToThreshold',
    threshold: 1,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: 'notBreaching',
    meaning: connected
      ? `${guard}, or the refresh token was refused or lost and a person must connect the provider again (token-refresher connect ${s.id})`
      : guard,
    ...(signs ? { runbookSection: ASSERTION_REJECTED_SECTION } : {}),
  };
}
