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
  /** A run without failure; `lastRun` tells a renewal from the token's `issued_at`. */
  | { readonly outcome: 'fresh' | 'refreshed'; readonly at: number }
  | { readonly outcome: 'failed'; readonly kind?: FailureKind; readonly at: number }
  /** Setup pending: the credentials secret has never held a value (shown as "waiting for credentials"). */
  | { readonly outcome: 'pending'; readonly at: number }
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

/** Every run emits the heartbeat; the guard and block gauges stand in for the state when `status` may not read it. */
const QUERIED = [
  METRIC.tokenSecondsRemaining,
  ...Object.values(FAILED_METRIC),
  METRIC.lockoutGuardEngaged,
  METRIC.configurationBlocked,
  METRIC.waitingForCredentials,
];

/** How far back to look: three check intervals, and at least 15 minutes. */
export function outcomeWindowMinutes(checkIntervalMinutes: number): number {
  return Math.max(3 * checkIntervalMinutes, 15);
}

/**
 * Every run emits the heartbeat, and a count or gauge only when it is not zero (contract/metrics.ts):
 * the newest minute with a heartbeat is the last run, and what else that minute holds says how it went.
 */
export async function readRecentRuns(
  client: CloudWatchClient,
  provider: string,
  checkIntervalMinutes: number,
  nowMs: number,
  namespace: string = METRICS_NAMESPACE,
): Promise<RecentRuns> {
  const queries: MetricDataQuery[] = QUERIED.map((name) => ({
    Id: idOf(name),
    ReturnData: true,
    MetricStat: {
      Metric: {
        Namespace: namespace,
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
  const times = [...(series.get(idOf(METRIC.tokenSecondsRemaining))?.keys() ?? [])];
  if (times.length === 0) return { last: { outcome: 'unknown' } };
  const at = Math.max(...times);
  const gauge = (metric: string) => series.get(idOf(metric))?.get(at);
  const guardPoint = gauge(METRIC.lockoutGuardEngaged);
  const blockedPoint = gauge(METRIC.configurationBlocked);
  // A gauge is emitted only while it holds: no point in the last run's minute means it did not.
  const gauges = { guardEngaged: (guardPoint ?? 0) > 0, blocked: (blockedPoint ?? 0) > 0 };
  // Two runs in one minute (a forced run next to a scheduled one) cannot be ordered; a failure
  // among them is the one to show, since an operator has to look at it.
  const kind = FAILURE_KINDS.find((k) => value(FAILED_METRIC[k], at) > 0);
  if (kind) return { last: { outcome: 'failed', kind, at }, ...gauges };
  if (value(METRIC.waitingForCredentials, at) > 0) return { last: { outcome: 'pending', at }, ...gauges };
  return { last: { outcome: 'fresh', at }, ...gauges };
}
