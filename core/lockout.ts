import { type Failure, failure } from '../contract/failure.js';
import { type PrivateState, sameCredentialsVersion } from '../contract/private-state.js';

/** Keycloak's default brute-force "Max Wait": how long a temporarily locked account stays locked. */
export const LOCKOUT_COOLDOWN_MS = 15 * 60_000;
/** Spacing of primary grants whose outcome was not seen (timeouts, gateway errors, lost state writes). */
export const UNCONFIRMED_SPACING_MS = 15 * 60_000;

/**
 * Whether the lockout guard holds for `credentialsVersion` at `now`: `rejected` while the secret
 * still holds the version that was rejected (or the version is not known), `cooldown` for a new
 * version within 15 minutes of the rejection (Keycloak keeps a temporarily locked account locked that
 * long and answers it like a wrong password), undefined when it does not hold.
 */
export function guardStatus(
  guard: PrivateState['guard'],
  credentialsVersion: string | undefined,
  now: number,
): 'rejected' | 'cooldown' | undefined {
  if (!guard) return undefined;
  if (credentialsVersion === undefined || sameCredentialsVersion(guard.credentialsVersion, credentialsVersion))
    return 'rejected';
  return now - guard.at < LOCKOUT_COOLDOWN_MS ? 'cooldown' : undefined;
}

/**
 * The lockout rules before any request that sends credentials (a password or client_credentials
 * grant, a refresh that authenticates the client with its secret), as a failure to report, or
 * undefined when it may be sent: nothing with a rejected credentials version; nothing, not even a new
 * version, within the cooldown after a rejection; and no second attempt within 15 minutes of one
 * whose outcome was not seen.
 */
export function primaryGrantHeldBack(
  state: Pick<PrivateState, 'guard' | 'pendingPrimary'>,
  /**
   * What authenticates: the credentials secret when the request sends anything from it, the KMS key
   * that signs it when there is one (core/run/credentials-policy.ts `identity`), and their version;
   * `versionId` undefined: the secret could not be read, and a recorded rejection holds.
   */
  credentials: { readonly secretId?: string; readonly signingKey?: string; readonly versionId: string | undefined },
  grant: string,
  now: number,
): Failure | undefined {
  const { guard, pendingPrimary } = state;
  const { secretId, signingKey } = credentials;
  const secret = [secretId && `secret "${secretId}"`, signingKey && `signing key "${signingKey}"`]
    .filter(Boolean)
    .join(' and ');
  const version = credentials.versionId ?? 'unknown';
  const status = guardStatus(guard, credentials.versionId, now);
  const fix =
    signingKey === undefined
      ? 'Put corrected credentials into the secret (any new version resets this guard)'
      : 'Register the key at the IdP and sign with a new key version' +
        `${secretId === undefined ? '' : ', or put corrected credentials into the secret'} (either resets this guard)`;
  if (guard && status === 'rejected') {
    return failure(
      'credentials',
      'lockout_guard',
      `credentials in ${secret} (version ${version}) were rejected at ${new Date(guard.at).toISOString()} ` +
        `(${guard.code}); no ${grant} grant is sent with them again, so the account cannot be locked out. ${fix}`,
    );
  }
  if (guard && status === 'cooldown') {
    return failure(
      'credentials',
      'lockout_cooldown',
      `credentials in ${secret} changed after a rejection at ${new Date(guard.at).toISOString()}; they are tried at ` +
        `${new Date(guard.at + LOCKOUT_COOLDOWN_MS).toISOString()}, once an account lock from the rejection has expired`,
    );
  }
  if (
    pendingPrimary &&
    sameCredentialsVersion(pendingPrimary.credentialsVersion, credentials.versionId) &&
    now - pendingPrimary.at < UNCONFIRMED_SPACING_MS
  ) {
    return failure(
      'transient',
      'unconfirmed_attempt',
      `the outcome of a request sent with credentials in ${secret} (version ${version}) at ` +
        `${new Date(pendingPrimary.at).toISOString()} was not seen; the next ${grant} grant with them is sent at ` +
        `${new Date(pendingPrimary.at + UNCONFIRMED_SPACING_MS).toISOString()}, so unseen rejections cannot add up to a lockout`,
    );
  }
  return undefined;
}
