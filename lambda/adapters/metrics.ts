import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { FAILED_METRIC, GRANT_DIMENSION, METRIC, PROVIDER_DIMENSION, type RunMetrics } from '../../contract/metrics.js';
import type { RunReport } from '../../core/refresh.js';

/** Metrics with the `Provider` dimension only: Powertools' default `service` dimension is dropped. */
export function createMetrics(providerId: string, namespace: string): Metrics {
  const metrics = new Metrics({ namespace, serviceName: 'token-refresher' });
  metrics.clearDefaultDimensions();
  metrics.setDefaultDimensions({ [PROVIDER_DIMENSION]: providerId });
  return metrics;
}

/**
 * What one run reports (contract/metrics.ts says why): the heartbeat always; a failure's count, the
 * guard and the block only when they hold; stage-wide, the grant of a renewal and the latencies.
 */
export function runMetrics(report: RunReport): RunMetrics {
  const { result } = report;
  const provider: Record<string, number[]> = { [METRIC.tokenSecondsRemaining]: [report.secondsRemaining] };
  if (result.error) provider[FAILED_METRIC[result.error.kind]] = [1];
  if (report.guardEngaged) provider[METRIC.lockoutGuardEngaged] = [1];
  if (report.configurationBlocked) provider[METRIC.configurationBlocked] = [1];
  if (report.waitingForCredentials) provider[METRIC.waitingForCredentials] = [1];
  return {
    provider,
    ...(result.outcome === 'refreshed' && result.grant ? { grant: { grant: result.grant, renewals: 1 } } : {}),
    latencyMs: report.attempts.map((a) => a.latencyMs),
  };
}

/** Adds one run's metrics, stamped `timestampMs`; the per-provider ones are flushed by `logMetrics`. */
export function recordRun(metrics: Metrics, report: RunReport, timestampMs: number): void {
  const run = runMetrics(report);
  metrics.setTimestamp(timestampMs);
  for (const [name, values] of Object.entries(run.provider)) {
    const unit = name === METRIC.tokenSecondsRemaining ? MetricUnit.Seconds : MetricUnit.Count;
    for (const value of values) metrics.addMetric(name, unit, value);
  }
  // Stage-wide metrics go out as their own EMF records, without the provider dimension.
  const stageWide = (dimensions: Record<string, string>) => {
    const single = metrics.singleMetric();
    single.clearDefaultDimensions();
    for (const [name, value] of Object.entries(dimensions)) single.addDimension(name, value);
    single.setTimestamp(timestampMs);
    return single;
  };
  if (run.grant) stageWide({ [GRANT_DIMENSION]: run.grant.grant }).addMetric(METRIC.renewals, MetricUnit.Count, 1);
  if (run.latencyMs.length > 0) {
    const latency = stageWide({});
    for (const ms of run.latencyMs) latency.addMetric(METRIC.tokenRequestLatency, MetricUnit.Milliseconds, ms);
  }
}
