import { DEFAULT_MIN_VALIDITY_SECONDS } from '../contract/published-token.js';

export { TOKEN_SOURCE_ENV } from '../contract/token-source.js';

/**
 * Seconds before `expires_at` at which a token stops being handed out. Equal to the refresher's
 * default `minValiditySeconds`, so a healthy store always holds a token with more than this left.
 */
export const DEFAULT_SKEW_SECONDS = DEFAULT_MIN_VALIDITY_SECONDS;

/** Store reads per `getToken()`, first one included, when the store throttles or fails transiently. */
export const DEFAULT_MAX_ATTEMPTS = 4;

/** How long a failed read is answered from memory, so a failing refresher is not met with a read storm. */
export const DEFAULT_FAILURE_CACHE_SECONDS = 1;

/**
 * Milliseconds one store read attempt may take before it is aborted and retried. A healthy read takes
 * tens of ms; 2 s leaves room for a cold connection and KMS decryption. With the default maxAttempts,
 * a whole read ends within 4 × 2 s = 8 s, inside the ExampleConsumer's 10 s Lambda timeout.
 */
export const DEFAULT_READ_TIMEOUT_MS = 2_000;

/**
 * After the store handed back the very token an API had just rejected (401), further `invalidate()`
 * calls with that token read nothing for this long: the store would only hand it back again.
 */
export const DEFAULT_REJECTED_HOLDOFF_SECONDS = 5;
