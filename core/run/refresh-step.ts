import { err, ok, type Result } from '../../base/result.js';
import { livesOnRefreshToken } from '../../contract/provider-settings.js';
import type { ClassifiedFailure } from '../classify.js';
import type { ClientCertificate } from '../ports.js';
import { requestToken } from '../request-token.js';
import type { PrepareAttempt } from '../attempt.js';
import { type RunContext, writeLog } from './context.js';
import { attempts, requestContext } from './sending.js';
import { recordAttempt, recordGrantFailure } from './lockout-records.js';
import { disconnect, keepRotated, refused, withoutRefreshToken } from './connection.js';
import { certificateFor } from './mutual-tls.js';
import { failAfterSaving, type StepOutcome, type Stop, stopAfterSaving } from './outcome.js';
import { vet } from './vet.js';

/** A refresh token this close to its end is not worth sending. */
const REFRESH_TOKEN_SLACK_SECONDS = 5;

/** How the refresh authenticates the client: its attempts, and the identity sent, if any. */
interface ClientAuthentication {
  readonly prepare: PrepareAttempt;
  /** What authenticated the client, if anything did: the identity a rejection is held against. */
  readonly sentVersion?: string | undefined;
  /** Mutual TLS (RFC 8705): the certificate the refresh presents. */
  readonly clientCertificate?: ClientCertificate | undefined;
}

function dropRefreshToken(run: RunContext): void {
  run.ledger.update({ refreshToken: undefined, refreshExpiresAt: undefined });
}

/**
 * How a refresh authenticates the client, behind the lockout rules: a refresh that authenticates the
 * client (a secret, an assertion) is held back as a primary grant is, and its attempt is on record
 * before it is sent, so that a rejection whose guard is then not saved is not sent again. A refresh
 * that authenticates nothing is still held back by lockout memory beside a live refresh token (a
 * write that stopped halfway, or a session renewed just before its end).
 */
async function authenticate(run: RunContext, refreshToken: string): Promise<Result<ClientAuthentication, Stop>> {
  const { settings, ledger, credentials, deps } = run;
  const plan = { grant: 'refresh_token', refreshToken } as const;
  if (settings.clientAuth === 'none') {
    const { guard, pendingPrimary } = ledger.state;
    const prepare = attempts(run, { values: {} }, plan);
    if (!prepare.ok) return err(failAfterSaving(prepare.error));
    if (guard === undefined && pendingPrimary === undefined) return ok({ prepare: prepare.value });
    const held = credentials.heldBack(await credentials.versionForGuard(), 'refresh_token');
    return held ? err(failAfterSaving(held)) : ok({ prepare: prepare.value });
  }
  const loaded = await credentials.load({ sendsPassword: false });
  if (!loaded.ok) return err({ end: 'failed', failure: loaded.error, save: false });
  const auth = loaded.value;
  const held = credentials.heldBack(auth.identity, 'refresh_token');
  if (held) return err(failAfterSaving(held));
  const certificate = certificateFor(run, auth.values);
  if (!certificate.ok) return err(failAfterSaving(certificate.error));
  const prepare = attempts(run, auth, plan);
  if (!prepare.ok) return err(failAfterSaving(prepare.error));
  const at = deps.clock.now();
  const unrecorded = await recordAttempt(
    run,
    { pendingPrimary: { credentialsVersion: auth.identity, at } },
    'refresh_token',
  );
  if (unrecorded) return err(failAfterSaving(unrecorded));
  return ok({ prepare: prepare.value, sentVersion: auth.identity, clientCertificate: certificate.value });
}

/**
 * A failed refresh. invalid_grant means the chain is dead; a configuration error on a refresh
 * (Keycloak's "No refresh token") is a broken request, not a broken provider: both get one primary
 * grant. A rejected client makes the chain useless too; dropping it leaves only primary grants,
 * which the guard holds. A provider that lives on its refresh token has no primary grant: a dead
 * chain is "reconnect needed", and any other failure keeps the chain, which the IdP did not refuse.
 */
async function refreshFailed(
  run: RunContext,
  f: ClassifiedFailure,
  sentVersion: string | undefined,
  connectedAt: number | undefined,
): Promise<StepOutcome> {
  // A refresh that could not be signed reached no IdP: the chain lives, the next run tries again.
  if (f.notSent) return stopAfterSaving(f);
  if (livesOnRefreshToken(run.settings)) {
    if (f.refreshRejected) return refused(run, f.code, connectedAt);
    const version = f.kind === 'credentials' ? (sentVersion ?? (await run.credentials.versionForGuard())) : undefined;
    return stopAfterSaving(recordGrantFailure(run, f, 'refresh_token', version));
  }
  if (f.refreshRejected || f.kind === 'configuration') {
    dropRefreshToken(run);
    const { kind, code, description } = f;
    const message = 'refresh token rejected; one primary grant follows';
    return { next: 'primary', why: { message, extra: { kind, code, description } } };
  }
  if (f.kind !== 'credentials') return stopAfterSaving(recordGrantFailure(run, f, 'refresh_token', undefined));
  dropRefreshToken(run);
  const version = sentVersion ?? (await run.credentials.versionForGuard());
  return stopAfterSaving(recordGrantFailure(run, f, 'refresh_token', version));
}

/** Step 2: the refresh_token grant, while the chain lives. */
export async function refreshStep(run: RunContext): Promise<StepOutcome> {
  const { settings, ledger } = run;
  const { refreshToken, refreshExpiresAt, connectedAt } = ledger.state;
  const connected = livesOnRefreshToken(settings);
  if (connected && !refreshToken) return withoutRefreshToken(run);
  if (!settings.useRefreshToken || !refreshToken) return { next: 'primary' };
  const now = Math.floor(run.deps.clock.now() / 1000);
  if (refreshExpiresAt !== undefined && refreshExpiresAt - now <= REFRESH_TOKEN_SLACK_SECONDS) {
    dropRefreshToken(run);
    if (connected) return stopAfterSaving(disconnect(run, 'the refresh token has expired'));
    const message = 'refresh token has expired; renewing with a primary grant';
    return { next: 'primary', why: { message, extra: { grant: settings.grant } } };
  }
  const auth = await authenticate(run, refreshToken);
  if (!auth.ok) return { next: 'stop', stop: auth.error };
  const { prepare, sentVersion, clientCertificate } = auth.value;
  const outcome = await requestToken(requestContext(run, clientCertificate), 'refresh_token', prepare);
  // The outcome is seen: the record is settled in the store (a rejection becomes the guard), or the
  // next run would wait out an attempt that is no longer unknown. An ambiguous answer (a timeout, a
  // 504) clears it too, unlike a primary grant's: a refresh sends a client secret and no password,
  // and no IdP in docs/reference/idp-behaviors.md counts a wrong client secret toward a lockout (it
  // is STOP-CONFIG there, K13/K14, I2, M4/M5; Keycloak's brute-force detection counts users' wrong
  // passwords only), so unseen rejections of it cannot add up to one.
  if (sentVersion !== undefined) ledger.update({ pendingPrimary: undefined });
  if (!outcome.ok) return refreshFailed(run, outcome.error, sentVersion, connectedAt);
  if (sentVersion !== undefined) ledger.carry({ workingCredentialsVersion: sentVersion });
  const { token } = outcome.value;
  run.redactor.add(token.accessToken, token.refreshToken);
  if (connected) {
    const stop = await keepRotated(run, outcome.value, connectedAt);
    if (stop) return stop;
  }
  const vetted = vet(outcome.value, 'refresh_token', settings, run.tally.published?.access_token);
  if (!vetted.ok && vetted.error.code === 'lifetime_too_short' && !connected) {
    // Keycloak near SSO Session Max: a token too short for consumers is not published; a new session is.
    const message = 'the refreshed token is too short to publish; renewing the session with a primary grant now';
    return { next: 'primary', why: { message, extra: { grant: settings.grant } } };
  }
  if (!vetted.ok) return stopAfterSaving(vetted.error);
  writeLog(run, vetted.value.logs);
  return { next: 'publish', granted: { grant: 'refresh_token', token, vetted: vetted.value } };
}
