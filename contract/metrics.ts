/**
 * CloudWatch metrics the function emits (EMF) and the alarms, the dashboard and `status` read.
 *
 * CloudWatch bills a custom metric for every hour in which it receives data, so a healthy run emits
 * one metric per provider, the `TokenSecondsRemaining` heartbeat; counts and gauges are emitted only
 * when they are not zero. A run's outcome is implied: a failure emits its kind's count, a renewal
 * shows as a new `issued_at` on the token and in the stage-wide `Renewals`, anything else was fresh.
 * What only describes the fleet (renewals, request latency) is emitted without any dimension, one
 * metric for the whole stage; per-provider detail (which grant, how long) stays in the function's logs.
 */

import { stageNames } from './naming.js';

/** The namespace of a stage's metrics: `TokenRefresher`, or `TokenRefresher/<stage>` for a named stage. */
export const METRICS_NAMESPACE = 'TokenRefresher';
export const PROVIDER_DIMENSION = 'Provider';

/**
 * The namespace a refresher emits to and its alarms watch: the stage's, and with a `namePrefix` other
 * than the stage's own, `<the stage's>#<prefix>`. Two deployments of one provider id side by side (two
 * prefixes in one account and region) must not share a metric, or each one's alarms would watch the
 * other's runs. `#` is in no stage and no prefix, so different (stage, prefix) pairs never meet.
 */
export function metricsNamespace(stage: string | undefined, namePrefix?: string): string {
  const ofStage = stage === undefined ? METRICS_NAMESPACE : `${METRICS_NAMESPACE}/${stage}`;
  const own = namePrefix === undefined || namePrefix === stageNames(stage).namePrefix;
  return own ? ofStage : `${ofStage}#${namePrefix}`;
}

/** What the function's configuration accepts as a namespace (contract/provider-settings.ts). */
export const METRICS_NAMESPACE_PATTERN = /^TokenRefresher(\/[a-z0-9-]{1,20})?(#[A-Za-z0-9_.-]{1,40})?$/;

export const METRIC = {
  /** Seconds the published token has left after the run; 0 when none is published. Every run. */
  tokenSecondsRemaining: 'TokenSecondsRemaining',
  failedTransient: 'FailedTransient',
  failedCredentials: 'FailedCredentials',
  failedConfiguration: 'FailedConfiguration',
  failedInvalidResponse: 'FailedInvalidResponse',
  failedStore: 'FailedStore',
  /** 1 while the lockout guard holds the current credentials version (until operators change the secret). */
  lockoutGuardEngaged: 'LockoutGuardEngaged',
  /** 1 while a configuration error blocks scheduled runs (until the settings change or a forced run). */
  configurationBlocked: 'ConfigurationBlocked',
  /** 1 while setup is pending: the credentials secret never held a value and no token was published. */
  waitingForCredentials: 'WaitingForCredentials',
  /**
   * 1 while a provider that lives on its refresh token has lost it (`reconnect_needed`): nothing is
   * sent until someone runs `token-refresher connect`. It pages through the CredentialsRejected alarm.
   */
  reconnectNeeded: 'ReconnectNeeded',
  /**
   * Lifecycle events (docs/events.md) a run could not deliver, or dropped; the next run retries them.
   * Only when not zero, so a refresher whose events go out costs no metric for it.
   */
  eventsUndelivered: 'EventsUndelivered',
  /** Stage-wide, no dimension: runs that renewed the token (the grant of each is in the run's log line). */
  renewals: 'Renewals',
  /** Stage-wide, no dimension: milliseconds per token request, one value per attempt. */
  tokenRequestLatency: 'TokenRequestLatency',
} as const;

/** How a failed run is classified (the failure-kind table in docs); each kind has its own count. */
export const FAILURE_KINDS = ['transient', 'credentials', 'configuration', 'invalid-response', 'store'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** The count each failure kind is reported under. */
export const FAILED_METRIC: Readonly<Record<FailureKind, string>> = {
  transient: METRIC.failedTransient,
  credentials: METRIC.failedCredentials,
  configuration: METRIC.failedConfiguration,
  'invalid-response': METRIC.failedInvalidResponse,
  store: METRIC.failedStore,
};

/** The metrics emitted once per stage rather than per provider. */
export const STAGE_WIDE_METRICS = [METRIC.renewals, METRIC.tokenRequestLatency] as const;

/** One run's values, by dimension set. */
export interface RunMetrics {
  /** Dimension `Provider`: the heartbeat always, every other metric only when it is not zero. */
  readonly provider: Readonly<Record<string, readonly number[]>>;
  /** No dimension, stage-wide: 1 when the run renewed the token. */
  readonly renewals: number;
  /** No dimension, stage-wide: token request latencies (ms). */
  readonly latencyMs: readonly number[];
}
