import { type Failure, failure } from '../../contract/failure.js';
import type { Note } from '../../contract/refresh-result.js';
import { isDue } from '../../contract/schedule.js';
import { forcedRunRefusal, recentForcedRenewals } from '../forced-runs.js';
import type { RunContext } from './context.js';

/** Step 1's answer: renew, or stop with the token as it is (`limited`: a forced run the store's budget refused). */
export type DueCheck = { readonly renew: true } | { readonly renew: false; readonly limited?: Note };

/**
 * A forced renewal of a token that is not due spends the store's write budget: the reason it may
 * not, or undefined after putting it on record (core/forced-runs.ts).
 */
function forcedRunLimited(run: RunContext): string | undefined {
  const { deps, ledger, tally } = run;
  const now = deps.clock.now();
  const recent = recentForcedRenewals(ledger.state.forcedRenewals, now);
  const lastWriteMs = tally.published ? tally.published.issued_at * 1000 : undefined;
  const refusal = forcedRunRefusal(deps.tokenStore, lastWriteMs, recent, now);
  if (refusal) return refusal;
  ledger.update({ forcedRenewals: [...recent, now] });
  return undefined;
}

/**
 * Step 1: a token with more than the due threshold left (contract/schedule.ts) is not renewed,
 * unless the settings changed or an operator forces a run the store's write budget allows.
 */
export function dueCheck(run: RunContext, settingsChanged: boolean): DueCheck {
  const { tally, input, settings } = run;
  const remaining = tally.published ? tally.published.expires_at - Math.floor(run.deps.clock.now() / 1000) : undefined;
  const notDue = remaining !== undefined && !settingsChanged && !isDue(remaining, settings);
  if (!notDue) return { renew: true };
  if (!input.force) return { renew: false };
  const refusal = forcedRunLimited(run);
  return refusal ? { renew: false, limited: { code: 'forced_run_limited', description: refusal } } : { renew: true };
}

/**
 * A configuration error on record blocks scheduled runs until the settings change; a forced run
 * tries again (an operator fixed it upstream).
 */
export function blockedFailure(run: RunContext): Failure | undefined {
  const { blocked } = run.ledger.state;
  if (run.input.force || !blocked) return undefined;
  const published = run.tally.published;
  if (published && published.issued_at * 1000 > blocked.at) {
    // A token was published after the block was recorded, and a renewal lifts any block: this one
    // came back from a part of the state written before it (contract/private-state.ts join).
    run.ledger.update({ blocked: undefined });
    return undefined;
  }
  const since = new Date(blocked.at).toISOString();
  return failure(
    'configuration',
    blocked.code,
    `${blocked.description} (not retried since ${since}: fix the provider configuration, or invoke the function with {"force": true} once fixed upstream)`,
  );
}
