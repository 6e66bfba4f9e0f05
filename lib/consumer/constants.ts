/** The environment variable the zero-config functions read the token source from; the wiring helpers set it. */
export const TOKEN_SOURCE_ENV = 'TOKEN_SOURCE';

/**
 * Seconds before `expires_at` at which a token stops being handed out. Equal to the refresher's
 * default `minValiditySeconds`, so a healthy store always holds a token with more than this left.
 */
export const DEFAULT_SKEW_SECONDS = 60;

/** Store reads per `getToken()`, first one included, when the store throttles or fails transiently. */
export const DEFAULT_MAX_ATTEMPTS = 4;

/** How long a failed read is answered from memory, so a failing refresher is not met with a read storm. */
export const DEFAULT_FAILURE_CACHE_SECONDS = 1;
