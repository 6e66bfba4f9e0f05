import { RECONNECT_NEEDED } from '../../contract/events.js';
import { type Failure, failure, RUNBOOK_ANCHOR } from '../../contract/failure.js';
import type { PrivateState } from '../../contract/private-state.js';
import type { GrantedToken } from '../token-response.js';
import { errorName } from './aws-call.js';
import type { RunContext } from './context.js';
import { type GrantOutcome, stopAfterSaving } from './outcome.js';

/*
 * A provider that lives on its refresh token alone (grant "refresh_token", contract/provider-settings.ts):
 * a person obtained the first refresh token (`token-refresher connect`), and nothing else can renew
 * it. Whatever ends the chain ends renewals until someone connects again; the run never falls back
 * on another grant, and never presents a refresh token a rotation superseded.
 */

/** The failure that pages as "reconnect needed" (contract/events.ts): nothing is sent until someone connects. */
export function reconnectNeeded(run: RunContext, why: string): Failure {
  return failure(
    'credentials',
    RECONNECT_NEEDED,
    `${why}; provider "${run.settings.id}" lives on its refresh token alone (grant "refresh_token"), so nothing is ` +
      `sent until someone connects it again: token-refresher connect ${run.settings.id}; see docs/runbook.md#${RUNBOOK_ANCHOR[RECONNECT_NEEDED]}`,
  );
}

/**
 * A run without a refresh token. Before any token was published nobody has connected the provider
 * yet: day one, a state to show ("waiting"), not an incident to page, like an empty credentials
 * secret (core/run/primary-step.ts). After that, the chain was lost: reconnect needed.
 */
export function withoutRefreshToken(run: RunContext): GrantOutcome {
  if (run.tally.published === undefined && run.ledger.state.disconnectedAt === undefined) {
    const description = `no refresh token yet: connect the provider once (token-refresher connect ${run.settings.id})`;
    return { next: 'stop', stop: { end: 'pending', failure: failure('credentials', 'not_connected', description) } };
  }
  return stopAfterSaving(reconnectNeeded(run, 'no refresh token is kept'));
}

/** The chain fields a connection sets, as the store holds them. */
type Chain = Pick<PrivateState, 'refreshToken' | 'refreshExpiresAt' | 'connectedAt'>;

/**
 * Whether someone connected the provider anew since the run read its state (a `connect` wrote a
 * chain with another `connectedAt`): the store is read again, and that chain is the one to keep.
 * The run's own answer belongs to the chain it replaced, so it is neither written nor published.
 * When the store cannot be read, the run goes on with what it has: its rotated refresh token must
 * still be kept.
 */
export async function connectedMeanwhile(run: RunContext, loaded: number | undefined): Promise<Chain | undefined> {
  let stored: PrivateState | undefined;
  try {
    stored = await run.aws((signal) => run.deps.stateStore.read(signal));
  } catch (e) {
    run.log.warn('could not check for a new connection before keeping the refresh token', { error: errorName(e) });
    return undefined;
  }
  run.redactor.add(stored?.refreshToken);
  if (stored?.refreshToken === undefined || stored.connectedAt === loaded) return undefined;
  return {
    refreshToken: stored.refreshToken,
    refreshExpiresAt: stored.refreshExpiresAt,
    connectedAt: stored.connectedAt,
  };
}

/** The run adopts the chain a connection wrote meanwhile, and leaves the renewal to the next run. */
function adopt(run: RunContext, chain: Chain): GrantOutcome {
  // `carry`: the store holds this chain already; only the run's other changes, if any, are written.
  run.ledger.carry(chain);
  const description =
    'the provider was connected anew during this run; its new refresh token is kept and the next run renews with it';
  return stopAfterSaving(failure('transient', 'connected_during_run', description));
}

/**
 * A refresh answered a token. Its refresh token (rotated, or the one presented when none came) is
 * in the store before anything else happens: a superseded refresh token must never be presented
 * again, or an IdP with reuse detection revokes the whole grant. The stop comes back when the run
 * must not go on (the token could not be kept, or someone connected meanwhile).
 */
export async function keepRotated(
  run: RunContext,
  { token, sentAtMs }: { readonly token: GrantedToken; readonly sentAtMs: number },
  loadedConnectedAt: number | undefined,
): Promise<GrantOutcome | undefined> {
  const newer = await connectedMeanwhile(run, loadedConnectedAt);
  if (newer) return adopt(run, newer);
  if (token.refreshToken === undefined) return undefined;
  // As core/run/publish.ts `keepRefreshToken` reckons it from the same answer, so it writes nothing more.
  const sentAt = Math.floor(sentAtMs / 1000);
  const refreshExpiresAt = token.refreshExpiresIn === undefined ? undefined : sentAt + token.refreshExpiresIn;
  run.ledger.update({ refreshToken: token.refreshToken, refreshExpiresAt });
  const unsaved = await run.ledger.save();
  return unsaved ? stopAfterSaving(unsaved) : undefined;
}

/**
 * The IdP refused the refresh token (`invalid_grant`): unless someone connected meanwhile, the chain
 * is dropped and the run pages as "reconnect needed"; no other grant follows.
 */
export async function refused(run: RunContext, code: string, loadedConnectedAt: number | undefined) {
  const newer = await connectedMeanwhile(run, loadedConnectedAt);
  if (newer) return adopt(run, newer);
  return stopAfterSaving(disconnect(run, `the IdP refused the refresh token (${run.redactor.redact(code)})`));
}

/** The chain is dead: dropped, and the time kept, so that later runs say "reconnect needed" rather than "waiting". */
export function disconnect(run: RunContext, why: string): Failure {
  const at = run.deps.clock.now();
  run.ledger.update({
    refreshToken: undefined,
    refreshExpiresAt: undefined,
    connectedAt: undefined,
    disconnectedAt: at,
  });
  return reconnectNeeded(run, why);
}
