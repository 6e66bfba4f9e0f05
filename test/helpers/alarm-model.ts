import type { AlarmSpec } from '../../lib/private/alarm-specs.js';

/** One run's metrics as CloudWatch receives them: a timestamp, values by metric name, and when they arrive. */
export interface Emission {
  readonly atSeconds: number;
  readonly values: Readonly<Record<string, readonly number[]>>;
  /** When CloudWatch has the data (end of the run plus ingestion); defaults to `atSeconds`. */
  readonly visibleAtSeconds?: number;
}

export interface EvaluationOptions {
  /** Periods CloudWatch retrieves to evaluate ("the evaluation range"), more than evaluationPeriods. */
  readonly rangePeriods?: number;
}

function aggregate(statistic: AlarmSpec['statistic'], values: number[]): number {
  if (statistic === 'Minimum') return Math.min(...values);
  if (statistic === 'Maximum') return Math.max(...values);
  if (statistic === 'SampleCount') return values.length;
  return values.reduce((a, b) => a + b, 0);
}

/**
 * A model of how CloudWatch evaluates a metric alarm at `atSeconds` (AWS "Configuring how CloudWatch
 * alarms treat missing data"): it retrieves a range of periods wider than the evaluation periods;
 * with at least `evaluationPeriods` real data points in it, the newest real ones decide and missing
 * periods are ignored; with fewer, missing ones are filled as `treatMissingData` says, as few times
 * as needed. Several metrics are summed per period, like a math expression; `fillMissingWithZero`
 * (`FILL(m, 0)`) gives every period a value. Only data visible at `atSeconds` counts.
 */
export function inAlarm(
  spec: AlarmSpec,
  emissions: readonly Emission[],
  atSeconds: number,
  options: EvaluationOptions = {},
): boolean {
  const period = spec.periodSeconds;
  const newest = Math.floor(atSeconds / period);
  const oldest = newest - (options.rangePeriods ?? spec.evaluationPeriods + 2) + 1;
  // Emissions arrive in time order: only the tail can fall in the range.
  const byPeriod = new Map<number, number[]>();
  for (let i = emissions.length - 1; i >= 0 && Math.floor(emissions[i]!.atSeconds / period) >= oldest; i--) {
    const e = emissions[i]!;
    if ((e.visibleAtSeconds ?? e.atSeconds) > atSeconds || e.atSeconds > atSeconds) continue;
    const p = Math.floor(e.atSeconds / period);
    const perEmission = spec.metrics.map((m) => e.values[m] ?? []);
    const values = byPeriod.get(p) ?? [];
    if (spec.statistic === 'SampleCount') values.push(...(perEmission[0] ?? []));
    else values.push(perEmission.reduce((sum, vs) => sum + aggregate('Sum', [...vs]), 0));
    byPeriod.set(p, values);
  }
  const breaches = (value: number) =>
    spec.comparison === 'LessThanThreshold' ? value < spec.threshold : value >= spec.threshold;
  const points: boolean[] = []; // newest first
  let missing = 0;
  for (let p = newest; p >= oldest; p--) {
    const values = byPeriod.get(p);
    if (values && values.length > 0) points.push(breaches(aggregate(spec.statistic, values)));
    else if (spec.fillMissingWithZero) points.push(breaches(0));
    else missing++;
  }
  const real = points.slice(0, spec.evaluationPeriods);
  const filled = Math.min(missing, spec.evaluationPeriods - real.length);
  const breaching = real.filter(Boolean).length + (spec.treatMissingData === 'breaching' ? filled : 0);
  return breaching >= spec.datapointsToAlarm;
}
