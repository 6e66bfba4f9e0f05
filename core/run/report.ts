import { RECONNECT_NEEDED } from '../../contract/events.js';
import type { Failure } from '../../contract/failure.js';
import type { Note } from '../../contract/refresh-result.js';
import type { RunContext } from './context.js';
import type { RefreshResult, RunReport } from './types.js';

const nowSeconds = (run: RunContext) => Math.floor(run.deps.clock.now() / 1000);

function report(run: RunContext, result: RefreshResult, waitingForCredentials = false): RunReport {
  const { tally, ledger, credentials, settings } = run;
  const remaining = tally.published ? tally.published.expires_at - nowSeconds(run) : 0;
  return {
    result,
    // Pending setup has no token to protect: the heartbeat reports the planned lifetime, so the
    // freshness alarm stays quiet until a token exists (docs/how-it-works.md "Metrics").
    secondsRemaining: waitingForCredentials ? settings.expectedLifetimeSeconds : remaining,
    attempts: tally.attempts,
    credentialsRejected: tally.credentialsRejected,
    guardEngaged: tally.credentialsRejected || credentials.guardHolds(),
    configurationBlocked: ledger.state.blocked !== undefined,
    waitingForCredentials,
    tokenWrites: tally.tokenWrites,
  };
}

/** A run that found the token fresh, or renewed it; `note` is what operators should know besides. */
export function reportDone(run: RunContext, outcome: 'fresh' | 'refreshed', note: Note | undefined): RunReport {
  const { renewedWith, published } = run.tally;
  return report(run, {
    provider: run.settings.id,
    outcome,
    ...(outcome === 'refreshed' && renewedWith ? { grant: renewedWith } : {}),
    ...(published ? { expiresAt: published.expires_at } : {}),
    ...(note ? { note } : {}),
  });
}

export function reportFailed(run: RunContext, f: Failure): RunReport {
  const { published } = run.tally;
  const failed = report(run, {
    provider: run.settings.id,
    outcome: 'failed',
    ...(published ? { expiresAt: published.expires_at } : {}),
    error: { kind: f.kind, code: f.code, description: run.redactor.redact(f.description) },
  });
  return f.code === RECONNECT_NEEDED ? { ...failed, reconnectNeeded: true } : failed;
}

/** Day one: the credentials secret never held a value (core/run/primary-step.ts setupPending). */
export function reportPending(run: RunContext, f: Failure): RunReport {
  return report(
    run,
    {
      provider: run.settings.id,
      outcome: 'pending',
      note: { code: 'waiting_for_credentials', description: run.redactor.redact(f.description) },
    },
    true,
  );
}
