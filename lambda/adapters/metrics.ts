import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { FAILED_METRIC, METRIC, PROVIDER_DIMENSION, type RunMetrics } from '../../contract/metrics.js';
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
 * guard, the block and undelivered events only when they hold; stage-wide, the grant of a renewal and the latencies.
 */
export function runMetrics(report: RunReport): RunMetrics {
  const { result } = report;
  const provider: Record<string, number[]> = { [METRIC.tokenSecondsRemaining]: [report.secondsRemaining] };
  if (result.error) provider[FAILED_METRIC[result.error.kind]] = [1];
  if (report.guardEngaged) provider[METRIC.lockoutGuardEngaged] = [1];
  if (report.configurationBlocked) provider[METRIC.configurationBlocked] = [1];
  if (report.waitingForCredentials) provider[METRIC.waitingForCredentials] = [1];
  if (report.reconnectNeeded) provider[METRIC.reconnectNeeded] = [1];
  if (report.eventsUndelivered) provider[METRIC.eventsUndelivered] = [report.eventsUndelivered];
  return {
    provider,
    renewals: result.outcome === 'refreshed' ? 1 : 0,
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
  // Stage-wide metrics go out without the provider dimension (a single metric is flushed as it is added).
  if (run.renewals === 0 && run.latencyMs.length === 0) return;
  const stageWide = metrics.singleMetric();
  stageWide.clearDefaultDimensions();
  stageWide.setTimestamp(timestampMs);
  if (run.renewals > 0) stageWide.addMetric(METRIC.renewals, MetricUnit.Count, run.renewals);
  for (const ms of run.latencyMs) stageWide.addMetric(METRIC.tokenRequestLatency, MetricUnit.Milliseconds, ms);
}
