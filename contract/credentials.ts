import { err, ok, type Result } from '../base/result.js';

/**
 * The shape of a provider's credentials, wherever they come from (the credentials secret, a local
 * credentials file or variable): a JSON object of strings, e.g. {"username": "...", "password": "..."}
 * or {"client_secret": "..."}.
 */

/**
 * How long a warm function may send credentials it read earlier instead of reading the secret again
 * (one Secrets Manager call and one KMS request each time). It applies only to renewals with no
 * lockout memory on record: a forced run, a run after a rejection and one after an attempt whose
 * outcome was not seen always read the secret as it is now (core/run/credentials-policy.ts). It is also how long
 * operators keep old credentials valid at the IdP after putting new ones (docs/runbook.md).
 */
export const CREDENTIALS_CACHE_SECONDS = 300;

/** The values, or what is wrong with them in words that name `what` and never echo a value. */
export function credentialsValues(json: unknown, what: string): Result<Record<string, string>, string> {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return err(`${what} must be a JSON object of strings`);
  const notString = Object.entries(json).find(([, v]) => typeof v !== 'string');
  return notString ? err(`${what}: key "${notString[0]}" must be a string`) : ok(json as Record<string, string>);
}
