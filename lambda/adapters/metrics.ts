import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { FAILED_METRIC, GRANT_METRIC, METRIC, METRICS_NAMESPACE, PROVIDER_DIMENSION } from '../../contract/metrics.js';
import type { RunReport } from '../../core/refresh.js';

/** Metrics with the `Provider` dimension only: Powertools' default `service` dimension is dropped. */
export function createMetrics(providerId: string): Metrics {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'token-refresher' });
  metrics.clearDefaultDimensions();
  metrics.setDefaultDimensions({ [PROVIDER_DIMENSION]: providerId });
  return metrics;
}

const UNITS: Record<string, Parameters<Metrics['addMetric']>[1]> = {
  [METRIC.tokenSecondsRemaining]: MetricUnit.Seconds,
  [METRIC.tokenRequestLatency]: MetricUnit.Milliseconds,
};

/** The values one run emits, by metric name; counts are 0 or 1 so that every metric has a data point. */
export function metricValues(report: RunReport): Record<string, number[]> {
  const { result } = report;
  const count = (on: boolean) => [on ? 1 : 0];
  const values: Record<string, number[]> = {
    [METRIC.tokenSecondsRemaining]: [report.secondsRemaining],
    [METRIC.fresh]: count(result.outcome === 'fresh'),
    [METRIC.refreshed]: count(result.outcome === 'refreshed'),
    [METRIC.failed]: count(result.outcome === 'failed'),
    [METRIC.credentialsRejected]: count(report.credentialsRejected),
    [METRIC.lockoutGuardEngaged]: count(report.guardEngaged),
    [METRIC.configurationBlocked]: count(report.configurationBlocked),
    [METRIC.tokenWrites]: [report.tokenWrites],
    [METRIC.tokenRequestLatency]: report.attempts.map((a) => a.latencyMs),
  };
  for (const [kind, name] of Object.entries(FAILED_METRIC)) values[name] = count(result.error?.kind === kind);
  for (const [grant, name] of Object.entries(GRANT_METRIC)) {
    values[name] = count(result.outcome === 'refreshed' && result.grant === grant);
  }
  return values;
}

/** Adds one run's metrics; they are flushed by the `logMetrics` middleware. */
export function recordRun(metrics: Metrics, report: RunReport): void {
  for (const [name, values] of Object.entries(metricValues(report))) {
    for (const value of values) metrics.addMetric(name, UNITS[name] ?? MetricUnit.Count, value);
  }
}
