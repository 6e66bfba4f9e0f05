import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC, METRICS_NAMESPACE, PROVIDER_DIMENSION } from '../../lib/schema/metrics';
import type { FailureKind } from '../core/failure';
import type { GrantName } from '../core/ports';
import type { RunReport } from '../core/refresh';

/** Metrics with the `Provider` dimension only: Powertools' default `service` dimension is dropped. */
export function createMetrics(providerId: string): Metrics {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'token-refresher' });
  metrics.clearDefaultDimensions();
  metrics.setDefaultDimensions({ [PROVIDER_DIMENSION]: providerId });
  return metrics;
}

const FAILED_BY_KIND: Record<FailureKind, string> = {
  transient: METRIC.failedTransient,
  credentials: METRIC.failedCredentials,
  configuration: METRIC.failedConfiguration,
  'invalid-response': METRIC.failedInvalidResponse,
  store: METRIC.failedStore,
};

const GRANT: Record<GrantName, string> = {
  refresh_token: METRIC.grantRefreshToken,
  password: METRIC.grantPassword,
  client_credentials: METRIC.grantClientCredentials,
};

/** Adds one run's metrics; they are flushed by the `logMetrics` middleware. */
export function recordRun(metrics: Metrics, report: RunReport): void {
  const { result } = report;
  const count = (name: string, on: boolean) => metrics.addMetric(name, MetricUnit.Count, on ? 1 : 0);
  metrics.addMetric(METRIC.tokenSecondsRemaining, MetricUnit.Seconds, report.secondsRemaining);
  count(METRIC.fresh, result.outcome === 'fresh');
  count(METRIC.refreshed, result.outcome === 'refreshed');
  count(METRIC.failed, result.outcome === 'failed');
  for (const [kind, name] of Object.entries(FAILED_BY_KIND)) count(name, result.error?.kind === kind);
  for (const [grant, name] of Object.entries(GRANT))
    count(name, result.outcome === 'refreshed' && result.grant === grant);
  count(METRIC.credentialsRejected, report.credentialsRejected);
  count(METRIC.lockoutGuardEngaged, report.guardEngaged);
  metrics.addMetric(METRIC.tokenWrites, MetricUnit.Count, report.tokenWrites);
  for (const attempt of report.attempts) {
    metrics.addMetric(METRIC.tokenRequestLatency, MetricUnit.Milliseconds, attempt.latencyMs);
  }
}
