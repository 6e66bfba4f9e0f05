import type { AlarmSpec } from '../../lib/schema/alarms';

/** One run's metrics as CloudWatch receives them: a timestamp and values by metric name. */
export interface Emission {
  readonly atSeconds: number;
  readonly values: Readonly<Record<string, readonly number[]>>;
}

function aggregate(statistic: AlarmSpec['statistic'], values: number[]): number {
  if (statistic === 'Minimum') return Math.min(...values);
  if (statistic === 'Maximum') return Math.max(...values);
  return values.reduce((a, b) => a + b, 0);
}

/**
 * A model of how CloudWatch evaluates a metric alarm at `atSeconds`: the last `evaluationPeriods`
 * periods (aligned to the epoch, the newest being the one `atSeconds` falls in) are aggregated with
 * the alarm's statistic (several metrics are summed per period, like a math expression), a period
 * without data counts as `treatMissingData` says, and the alarm is in ALARM when at least
 * `datapointsToAlarm` periods breach.
 */
export function inAlarm(spec: AlarmSpec, emissions: readonly Emission[], atSeconds: number): boolean {
  const period = spec.periodSeconds;
  const newest = Math.floor(atSeconds / period);
  const oldest = newest - spec.evaluationPeriods + 1;
  // Emissions arrive in time order: only the tail can fall in the evaluation window.
  const window: Emission[] = [];
  for (let i = emissions.length - 1; i >= 0 && Math.floor(emissions[i]!.atSeconds / period) >= oldest; i--) {
    if (emissions[i]!.atSeconds <= atSeconds) window.push(emissions[i]!);
  }
  let breaching = 0;
  for (let p = oldest; p <= newest; p++) {
    const inPeriod = window.filter((e) => Math.floor(e.atSeconds / period) === p);
    if (inPeriod.length === 0) {
      if (spec.treatMissingData === 'breaching') breaching++;
      continue;
    }
    const perEmission = inPeriod.map((e) =>
      spec.metrics.reduce((sum, m) => sum + aggregate('Sum', [...(e.values[m] ?? [])]), 0),
    );
    const value = aggregate(spec.statistic, perEmission);
    const breaches = spec.comparison === 'LessThanThreshold' ? value < spec.threshold : value >= spec.threshold;
    if (breaches) breaching++;
  }
  return breaching >= spec.datapointsToAlarm;
}
