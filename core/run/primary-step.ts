import type { Failure } from '../../contract/failure.js';
import type { PrimaryGrant } from '../../contract/provider-settings.js';
import type { GrantPlan } from '../attempt.js';
import { MIN_PRIMARY_SPACING_MS, requestToken } from '../request-token.js';
import { type RunContext, writeLog } from './context.js';
import { attempts, requestContext } from './sending.js';
import { reconnectNeeded } from './connection.js';
import { recordAttempt, recordGrantFailure } from './lockout-records.js';
import { certificateFor } from './mutual-tls.js';
import { type GrantOutcome, stopAfterSaving } from './outcome.js';
import { vet } from './vet.js';

/**
 * Day one: the stack created the credentials secret empty and operators have not filled it yet. No
 * token was ever published and no login ever tried, so no consumer holds a token to protect: a
 * state to show ("waiting for credentials"), not an incident to page. Once credentials arrived or
 * a token was published, a missing secret is a configuration failure like any other.
 */
function setupPending(run: RunContext, f: Failure): boolean {
  const { lastPrimaryGrantAt, refreshToken } = run.ledger.state;
  return (
    (f.code === 'credentials_not_found' || f.code === 'credentials_empty') &&
    run.tally.published === undefined &&
    lastPrimaryGrantAt === undefined &&
    refreshToken === undefined
  );
}

/** What the primary grant sends before its assertions (core/attempt.ts makes those per attempt). */
export function primaryPlan(
  grant: Exclude<PrimaryGrant, 'refresh_token'>,
  values: Readonly<Record<string, string>>,
): GrantPlan {
  if (grant === 'password') return { grant, username: values.username!, password: values.password! };
  return { grant };
}

/** Step 2 fallback: exactly one password, client_credentials or jwt_bearer grant, behind the lockout guard. */
export async function primaryStep(run: RunContext): Promise<GrantOutcome> {
  const { settings, ledger, credentials, deps } = run;
  const { grant } = settings;
  // The one rule against a fallback: a provider that lives on its refresh token has no other grant.
  if (grant === 'refresh_token') return stopAfterSaving(reconnectNeeded(run, 'the refresh token is gone'));
  const loaded = await credentials.load({ sendsPassword: grant === 'password' });
  if (!loaded.ok && setupPending(run, loaded.error))
    return { next: 'stop', stop: { end: 'pending', failure: loaded.error } };
  if (!loaded.ok) return stopAfterSaving(loaded.error);
  const auth = loaded.value;
  const held = credentials.heldBack(auth.identity, grant);
  if (held) return stopAfterSaving(held);
  const certificate = certificateFor(run, auth.values);
  if (!certificate.ok) return stopAfterSaving(certificate.error);
  const prepare = attempts(run, auth, primaryPlan(grant, auth.values));
  if (!prepare.ok) return stopAfterSaving(prepare.error);
  const last = ledger.state.lastPrimaryGrantAt;
  // The record also suspends the cache (`workingCredentialsVersion`) until the outcome is seen: a
  // copy of this version must not go out, from any container, while the attempt is unconfirmed.
  const at = deps.clock.now();
  const pendingPrimary = { credentialsVersion: auth.identity, at };
  const record = { lastPrimaryGrantAt: at, pendingPrimary, workingCredentialsVersion: undefined };
  const unrecorded = await recordAttempt(run, record, grant);
  if (unrecorded) return stopAfterSaving(unrecorded);

  const outcome = await requestToken(
    {
      ...requestContext(run, certificate.value),
      ...(last === undefined ? {} : { notBeforeMs: last + MIN_PRIMARY_SPACING_MS }),
      onSend: (sentAt) => ledger.update({ lastPrimaryGrantAt: sentAt }),
    },
    grant,
    prepare.value,
  );
  if (!outcome.ok) {
    // An outcome seen settles the attempt, stored with the write its sending called for; one the IdP
    // may have counted unseen (a timeout, a gateway error) stays on record.
    if (!outcome.error.ambiguous) ledger.carry({ pendingPrimary: undefined });
    // One that could not be signed was never sent: its record must not hold the next run back.
    if (outcome.error.notSent) ledger.update({ pendingPrimary: undefined });
    return stopAfterSaving(recordGrantFailure(run, outcome.error, grant, auth.identity));
  }
  const { token } = outcome.value;
  run.redactor.add(token.accessToken, token.refreshToken);
  // An unusable token leaves the attempt on record, so the same credentials wait out the spacing.
  const vetted = vet(outcome.value, grant, settings, run.tally.published?.access_token);
  if (!vetted.ok) return stopAfterSaving(vetted.error);
  writeLog(run, vetted.value.logs);
  // Working credentials lift the guard.
  ledger.update({ guard: undefined, pendingPrimary: undefined, workingCredentialsVersion: auth.secretVersion });
  return { next: 'publish', granted: { grant: grant, token, vetted: vetted.value } };
}
