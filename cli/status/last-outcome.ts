import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { describeErrorName } from '../../contract/error-name.js';
import {
  FAILED_METRIC,
  FAILURE_KINDS,
  type FailureKind,
  METRIC,
  METRICS_NAMESPACE,
  PROVIDER_DIMENSION,
} from '../../contract/metrics.js';

export type LastOutcome =
  | { readonly outcome: 'fresh' | 'refreshed'; readonly at: number }
  | { readonly outcome: 'failed'; readonly kind?: FailureKind; readonly at: number }
  /** No run in the window: the schedule or the function is not running. */
  | { readonly outcome: 'unknown' }
  | { readonly outcome: 'unreadable'; readonly error: string };

export interface RecentRuns {
  readonly last: LastOutcome;
  /** `LockoutGuardEngaged` of the last run, when there was one: the guard as metrics see it. */
  readonly guardEngaged?: boolean;
  /** `ConfigurationBlocked` of the last run, when it emitted one (older functions do not). */
  readonly blocked?: boolean;
}

/** GetMetricData ids: a lowercase letter, then letters, digits and underscores. */
const idOf = (metricName: string) => `m_${metricName.toLowerCase()}`;

const OUTCOME_METRICS = [METRIC.fresh, METRIC.refreshed, METRIC.failed] as const;
/** The guard and block gauges stand in for the function's state when `status` may not read it. */
const QUERIED = [
  ...OUTCOME_METRICS,
  ...Object.values(FAILED_METRIC),
  METRIC.lockoutGuardEngaged,
  METRIC.configurationBlocked,
];

/** How far back to look: three check intervals, and at least 15 minutes. */
export function outcomeWindowMinutes(checkIntervalMinutes: number): number {
  return Math.max(3 * checkIntervalMinutes, 15);
}

/** Every run emits every count as 0 or 1, so the newest minute with data holds the last run's outcome. */
export async function readRecentRuns(
  client: CloudWatchClient,
  provider: string,
  checkIntervalMinutes: number,
  nowMs: number,
): Promise<RecentRuns> {
  const queries: MetricDataQuery[] = QUERIED.map((name) => ({
    Id: idOf(name),
    ReturnData: true,
    MetricStat: {
      Metric: {
        Namespace: METRICS_NAMESPACE,
        MetricName: name,
        Dimensions: [{ Name: PROVIDER_DIMENSION, Value: provider }],
      },
      Period: 60,
      Stat: 'Maximum',
    },
  }));
  const series = new Map<string, Map<number, number>>();
  try {
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries,
          StartTime: new Date(nowMs - outcomeWindowMinutes(checkIntervalMinutes) * 60_000),
          EndTime: new Date(nowMs),
          ScanBy: 'TimestampDescending',
          NextToken: nextToken,
        }),
      );
      for (const result of page.MetricDataResults ?? []) addPoints(series, result);
      nextToken = page.NextToken;
    } while (nextToken);
  } catch (error) {
    return { last: { outcome: 'unreadable', error: describeErrorName(error) } };
  }
  return interpret(series);
}

function addPoints(series: Map<string, Map<number, number>>, result: MetricDataResult): void {
  if (!result.Id) return;
  const points = series.get(result.Id) ?? new Map<number, number>();
  series.set(result.Id, points);
  (result.Timestamps ?? []).forEach((timestamp, i) => {
    const value = result.Values?.[i];
    if (value !== undefined) points.set(new Date(timestamp).getTime(), value);
  });
}

function interpret(series: Map<string, Map<number, number>>): RecentRuns {
  const value = (metric: string, at: number) => series.get(idOf(metric))?.get(at) ?? 0;
  const times = OUTCOME_METRICS.flatMap((m) => [...(series.get(idOf(m))?.keys() ?? [])]);
  if (times.length === 0) return { last: { outcome: 'unknown' } };
  const at = Math.max(...times);
  const gauge = (metric: string) => series.get(idOf(metric))?.get(at);
  const guardPoint = gauge(METRIC.lockoutGuardEngaged);
  const blockedPoint = gauge(METRIC.configurationBlocked);
  const gauges = {
    ...(guardPoint === undefined ? {} : { guardEngaged: guardPoint > 0 }),
    ...(blockedPoint === undefined ? {} : { blocked: blockedPoint > 0 }),
  };
  // Two runs in one minute (a forced run next to a scheduled one) cannot be ordered; a failure
  // among them is the one to show, since an operator has to look at it.
  if (value(METRIC.failed, at) > 0) {
    const kind = FAILURE_KINDS.find((k) => value(FAILED_METRIC[k], at) > 0);
    return { last: { outcome: 'failed', ...(kind ? { kind } : {}), at }, ...gauges };
  }
  if (value(METRIC.refreshed, at) > 0) return { last: { outcome: 'refreshed', at }, ...gauges };
  if (value(METRIC.fresh, at) > 0) return { last: { outcome: 'fresh', at }, ...gauges };
  return { last: { outcome: 'unknown' }, ...gauges };
}
