import type { Failure } from '../../contract/failure.js';
import { livesOnRefreshToken } from '../../contract/provider-settings.js';
import type { Note } from '../../contract/refresh-result.js';
import { openRun, type RunContext } from './context.js';
import { discoveryStep } from './discovery-step.js';
import { blockedFailure, dueCheck } from './due.js';
import { announceTransitions } from './events.js';
import { failAfterSaving, type Granted, type Stop } from './outcome.js';
import { primaryStep } from './primary-step.js';
import { confirmPublished, keepRefreshToken, publish, readPublished } from './publish.js';
import { refreshStep } from './refresh-step.js';
import { reportDone, reportFailed, reportPending } from './report.js';
import type { RefreshDeps, RefreshInput, RunReport } from './types.js';

/**
 * The refresh algorithm (docs/how-it-works.md "Each run"), once: read the published token and the
 * private state; stop if the token is not due; renew with the refresh token while the chain lives,
 * else (or after it, when the IdP session ends) with exactly one primary grant behind the lockout
 * guard; persist the state, then publish; report; then record and send the lifecycle events the
 * report makes (core/run/events.ts). Throws only on unexpected bugs.
 */
export async function refreshOnce(deps: RefreshDeps, input: RefreshInput): Promise<RunReport> {
  const run = openRun(deps, input);
  return announceTransitions(run, await renewIfDue(run));
}

async function renewIfDue(run: RunContext): Promise<RunReport> {
  const unreadable = await readPublished(run);
  if (unreadable) return reportFailed(run, unreadable);
  const loaded = await run.ledger.load();
  if (!loaded.ok) return reportFailed(run, loaded.error);
  const foreign = await confirmPublished(run);
  if (foreign) return reportFailed(run, foreign);

  const due = dueCheck(run, loaded.value.settingsChanged);
  if (!due.renew) return fresh(run, due.limited);
  const blocked = blockedFailure(run);
  if (blocked) return finish(run, failAfterSaving(blocked));
  const undiscovered = await discoveryStep(run);
  if (undiscovered) return finish(run, failAfterSaving(undiscovered));

  const refreshed = await refreshStep(run);
  if (refreshed.next === 'stop') return finish(run, refreshed.stop);
  if (refreshed.next === 'publish') {
    const failed = await persistThenPublish(run, refreshed.granted);
    if (failed) return finish(run, failAfterSaving(failed));
    // A provider that lives on its refresh token has no primary grant to renew a session with.
    const last = !refreshed.granted.vetted.sessionEnding || livesOnRefreshToken(run.settings);
    if (last) return reportDone(run, 'refreshed', run.ledger.note);
    run.log.info('the IdP session ends before the next run; renewing it with a primary grant now', {
      grant: run.settings.grant,
    });
  } else if (refreshed.why) {
    run.log.info(refreshed.why.message, refreshed.why.extra);
  }

  const granted = await primaryStep(run);
  if (granted.next === 'stop') return finish(run, granted.stop);
  const failed = await persistThenPublish(run, granted.granted);
  if (failed) return finish(run, failAfterSaving(failed));
  return reportDone(run, 'refreshed', run.ledger.note);
}

/** Step 3: the new refresh token is in the private state before the access token is published. */
async function persistThenPublish(run: RunContext, granted: Granted): Promise<Failure | undefined> {
  return (await keepRefreshToken(run, granted)) ?? publish(run, granted);
}

/**
 * A token that is not due. A recorded guard is reported as engaged only while the secret still
 * holds the rejected version; a forced run reads the secret even when it renews nothing: operators
 * force one after putting a new client secret, so that no warm function sends its copy of the old
 * one. What a fresh run learned (new credentials, a clock that ran ahead) is saved: a String write.
 */
async function fresh(run: RunContext, limited: Note | undefined): Promise<RunReport> {
  if (limited) run.log.info('forced renewal not run: the store has no write budget for it', { ...limited });
  if (run.ledger.state.guard || limited) await run.credentials.versionForGuard();
  const unsaved = await run.ledger.save();
  if (unsaved) run.log.warn('private state not saved', unsaved);
  return reportDone(run, 'fresh', run.ledger.note ?? limited);
}

/**
 * The report of a run that stops. The state is saved first when the stop says so; a failure after a
 * refresh already published a token (a session-end renewal) still counts as renewed.
 */
async function finish(run: RunContext, stop: Stop): Promise<RunReport> {
  if (stop.end === 'pending') return reportPending(run, stop.failure);
  if (!stop.save) return reportFailed(run, stop.failure);
  const unsaved = await run.ledger.save();
  if (unsaved) run.log.warn('private state not saved', unsaved);
  if (!run.tally.renewedWith) return reportFailed(run, stop.failure);
  run.log.warn('renewed, but a follow-up step failed', stop.failure);
  return reportDone(run, 'refreshed', run.ledger.note);
}
