import type { Failure } from '../../contract/failure.js';
import type { ProviderSettings } from '../../contract/provider-settings.js';
import type { Credentials, TokenRequest } from '../ports.js';
import { MIN_PRIMARY_SPACING_MS, requestToken } from '../request-token.js';
import { type RunContext, requestContext, writeLog } from './context.js';
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

function primaryRequest(grant: ProviderSettings['grant'], { values }: Credentials): TokenRequest {
  if (grant !== 'password') return { grant: 'client_credentials', clientSecret: values.client_secret! };
  return {
    grant: 'password',
    username: values.username!,
    password: values.password!,
    ...(values.client_secret ? { clientSecret: values.client_secret } : {}),
  };
}

/** Step 2 fallback: exactly one password or client_credentials grant, behind the lockout guard. */
export async function primaryStep(run: RunContext): Promise<GrantOutcome> {
  const { settings, ledger, credentials, deps } = run;
  const loaded = await credentials.load({ sendsPassword: settings.grant === 'password' });
  if (!loaded.ok && setupPending(run, loaded.error))
    return { next: 'stop', stop: { end: 'pending', failure: loaded.error } };
  if (!loaded.ok) return stopAfterSaving(loaded.error);
  const creds = loaded.value;
  const held = credentials.heldBack(creds.versionId, settings.grant);
  if (held) return stopAfterSaving(held);
  const certificate = certificateFor(run, creds);
  if (!certificate.ok) return stopAfterSaving(certificate.error);
  const last = ledger.state.lastPrimaryGrantAt;
  // The record also suspends the cache (`workingCredentialsVersion`) until the outcome is seen: a
  // copy of this version must not go out, from any container, while the attempt is unconfirmed.
  const at = deps.clock.now();
  const pendingPrimary = { credentialsVersion: creds.versionId, at };
  const record = { lastPrimaryGrantAt: at, pendingPrimary, workingCredentialsVersion: undefined };
  const unrecorded = await recordAttempt(run, record, settings.grant);
  if (unrecorded) return stopAfterSaving(unrecorded);

  const outcome = await requestToken(
    {
      ...requestContext(run, certificate.value),
      ...(last === undefined ? {} : { notBeforeMs: last + MIN_PRIMARY_SPACING_MS }),
      onSend: (sentAt) => ledger.update({ lastPrimaryGrantAt: sentAt }),
    },
    primaryRequest(settings.grant, creds),
  );
  if (!outcome.ok) {
    // An outcome seen settles the attempt, stored with the write its sending called for; one the IdP
    // may have counted unseen (a timeout, a gateway error) stays on record.
    if (!outcome.error.ambiguous) ledger.carry({ pendingPrimary: undefined });
    return stopAfterSaving(recordGrantFailure(run, outcome.error, settings.grant, creds.versionId));
  }
  const { token } = outcome.value;
  run.redactor.add(token.accessToken, token.refreshToken);
  // An unusable token leaves the attempt on record, so the same credentials wait out the spacing.
  const vetted = vet(outcome.value, settings.grant, settings, run.tally.published?.access_token);
  if (!vetted.ok) return stopAfterSaving(vetted.error);
  writeLog(run, vetted.value.logs);
  // Working credentials lift the guard.
  ledger.update({ guard: undefined, pendingPrimary: undefined, workingCredentialsVersion: creds.versionId });
  return { next: 'publish', granted: { grant: settings.grant, token, vetted: vetted.value } };
}
