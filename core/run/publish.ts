import { type Failure, failure } from '../../contract/failure.js';
import { LARGEST_TOKEN_STORE, publishedTokenBytes } from '../../contract/published-token.js';
import { sameCredentialsVersion } from '../../contract/private-state.js';
import { TokenStoreNotOwnedError } from '../ports.js';
import { errorName } from './aws-call.js';
import type { RunContext } from './context.js';
import type { Granted } from './outcome.js';

/**
 * The same token answered again (legacy Spring, the MediaHound preset) is written again only when
 * its expiry moved by more than this: `issued_at` is cut to whole seconds and the server rounds
 * `expires_in`, so an unchanged expiry can read a second or two apart.
 */
export const EXPIRY_DRIFT_SECONDS = 2;

/**
 * Step 3, first half: the state learns the granted refresh token (or keeps the old one when a
 * refresh answered none) and loses a configuration block, and is saved before anything is published.
 */
export async function keepRefreshToken(
  run: RunContext,
  { grant, token, vetted }: Granted,
): Promise<Failure | undefined> {
  const { ledger, settings } = run;
  const sentAt = vetted.token.issued_at;
  const keepOld = grant === 'refresh_token' && token.refreshToken === undefined;
  const refreshToken = settings.useRefreshToken
    ? (token.refreshToken ?? (keepOld ? ledger.state.refreshToken : undefined))
    : undefined;
  const refreshExpiresAt =
    token.refreshExpiresIn !== undefined
      ? sentAt + token.refreshExpiresIn
      : keepOld
        ? ledger.state.refreshExpiresAt
        : undefined;
  ledger.update({
    refreshToken,
    refreshExpiresAt: refreshToken === undefined ? undefined : refreshExpiresAt,
    blocked: undefined,
  });
  return ledger.save();
}

/**
 * Step 3, second half: the token goes to the store consumers read. A token identical to the one
 * published, with an expiry within EXPIRY_DRIFT_SECONDS, is not written again; if the write fails,
 * the previous token stays in place.
 */
export async function publish(run: RunContext, { grant, vetted }: Granted): Promise<Failure | undefined> {
  const { tally, deps } = run;
  const next = vetted.token;
  const previous = tally.published;
  if (
    previous?.access_token === next.access_token &&
    Math.abs(previous.expires_at - next.expires_at) <= EXPIRY_DRIFT_SECONDS
  ) {
    // Legacy Spring hands back the same token with a smaller expires_in; rewriting it gains nothing.
    run.log.info('the token endpoint returned the token already published; not written again', { grant });
    tally.renewedWith ??= grant;
    return undefined;
  }
  const { tokenStore } = deps;
  const bytes = publishedTokenBytes(next);
  if (bytes > tokenStore.maxBytes) {
    return failure(
      'store',
      'token_too_large',
      `the published token would be ${bytes} bytes, but ${tokenStore.kind} holds at most ${tokenStore.maxBytes}; ` +
        'ask the IdP for a smaller access token (fewer roles or claims), or for a token that lives long enough for ' +
        `store "${LARGEST_TOKEN_STORE.kind}" (${LARGEST_TOKEN_STORE.maxBytes / 1024} KB). The previous token stays in place`,
    );
  }
  try {
    await run.aws((signal) => tokenStore.write(next, signal));
  } catch (e) {
    if (e instanceof TokenStoreNotOwnedError) return failure('configuration', e.code, e.message);
    return failure(
      'store',
      'token_write_failed',
      `could not write the published token to ${tokenStore.kind} (${errorName(e)}); the previous token stays in place and the next run retries`,
    );
  }
  tally.tokenWrites++;
  tally.published = next;
  tally.renewedWith = grant;
  return undefined;
}

/** Reads the token consumers read now, if any, before the run decides anything. */
export async function readPublished(run: RunContext): Promise<Failure | undefined> {
  try {
    run.tally.published = await run.aws((signal) => run.deps.tokenStore.read(signal));
  } catch (e) {
    if (e instanceof TokenStoreNotOwnedError) return failure('configuration', e.code, e.message);
    return failure('store', 'token_read_failed', `could not read the published token (${errorName(e)})`);
  }
  run.redactor.add(run.tally.published?.access_token);
  return undefined;
}

/**
 * Whether the token just read comes from a store that is the stage's (core/ports.ts
 * `confirmOwnership`): one someone else created under the token's name could hold a token they
 * wrote, which the run must neither report as fresh nor write into. What was proved is kept in the
 * private state, so it is examined once.
 */
export async function confirmPublished(run: RunContext): Promise<Failure | undefined> {
  const { tokenStore } = run.deps;
  if (!tokenStore.confirmOwnership) return undefined;
  const { tokenStoreChecked } = run.ledger.state;
  const provedBefore = (identity: string) => sameCredentialsVersion(identity, tokenStoreChecked);
  let identity: string | undefined;
  try {
    identity = await run.aws((signal) => tokenStore.confirmOwnership!(provedBefore, signal));
  } catch (e) {
    // Whatever it holds is no token of ours: the heartbeat reports none, so the freshness alarm pages.
    run.tally.published = undefined;
    if (e instanceof TokenStoreNotOwnedError) return failure('configuration', e.code, e.message);
    return failure('store', 'token_read_failed', `could not check the published token's store (${errorName(e)})`);
  }
  if (identity !== undefined && !provedBefore(identity)) run.ledger.update({ tokenStoreChecked: identity });
  return undefined;
}
