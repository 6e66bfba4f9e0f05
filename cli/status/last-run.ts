import type { LastOutcome } from './last-outcome.js';
import type { TokenView } from './stores.js';

/**
 * A metric point at `at` stands for a run scheduled in that minute; the run may start up to a minute
 * late (EventBridge Scheduler's precision), so a token it published was issued within two minutes.
 */
const RUN_WINDOW_MS = 120_000;

/**
 * The last run `status` shows, and where that came from. Metrics reach CloudWatch a minute or two
 * after a run, so a run that just published a token (a `refresh` a moment ago) is not in them yet;
 * the published token's `issued_at` is, and it is read anyway for the expiry.
 */
export type LastRun =
  | (LastOutcome & { readonly source: 'metrics' })
  | { readonly outcome: 'refreshed'; readonly at: number; readonly source: 'store' };

/**
 * The store wins only when its token was issued after the metric's run could have: inside that
 * window the two cannot be ordered, and a failure the metrics show must not be hidden. An unreadable
 * metric stays as it is, so that its error stays visible.
 */
export function lastRun(metrics: LastOutcome, token: TokenView, windowStartMs: number): LastRun {
  const fromMetrics: LastRun = { ...metrics, source: 'metrics' };
  if (token.state !== 'published' || metrics.outcome === 'unreadable') return fromMetrics;
  const issuedMs = token.issuedAt * 1000;
  // With no metric in the window, a token issued inside it is a run the metrics have not shown yet.
  const storeIsNewer =
    metrics.outcome === 'unknown' ? issuedMs >= windowStartMs : issuedMs >= metrics.at + RUN_WINDOW_MS;
  if (storeIsNewer) return { outcome: 'refreshed', at: issuedMs, source: 'store' };
  // Runs report renewals only through the token: one that ran without failure and issued it renewed.
  if (metrics.outcome === 'fresh' && issuedMs >= metrics.at)
    return { outcome: 'refreshed', at: metrics.at, source: 'metrics' };
  return fromMetrics;
}
