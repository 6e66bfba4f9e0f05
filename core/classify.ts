import { type ErrorBody, parseErrorBody } from './error-body.js';
import { type Failure, failure } from '../contract/failure.js';
import type { GrantName, HttpAnswer } from './ports.js';

/**
 * A failed token request, classified by `error` + `error_description` first and by status only where
 * the body names no OAuth error (Keycloak answers a wrong password with 401, IdentityServer answers
 * everything with 400, legacy Spring has three body shapes, and a gateway may wrap any of them in a
 * 5xx, 429 or 408).
 */
export interface ClassifiedFailure extends Failure {
  /** `invalid_grant` on a refresh: the refresh chain is dead, one primary grant follows. */
  readonly refreshRejected: boolean;
  /** Milliseconds the server asked us to wait (`Retry-After`), when it did. */
  readonly retryAfterMs?: number;
  /**
   * The IdP may have processed the request without us seeing the outcome (timeout, reset, a 500,
   * 502 or 504 from a gateway, a code we cannot read). A password sent that way may have counted as
   * a failed login.
   */
  readonly ambiguous: boolean;
  /**
   * Worth sending again in this run: the answer said no more than "not now" (no OAuth error code, or
   * server_error, temporarily_unavailable, slow_down), or none came. A rejection never is, whatever
   * its status; core/request-token.ts also keeps a primary grant that is `ambiguous` from going out again.
   */
  readonly retryable: boolean;
  /**
   * Nothing reached the IdP: the request could not be signed (core/attempt.ts). No lockout record,
   * no block and no dropped refresh token follow from it.
   */
  readonly notSent?: boolean;
}

const TRANSIENT_ERRORS = new Set(['server_error', 'temporarily_unavailable', 'slow_down']);
const CREDENTIAL_ERRORS = new Set(['invalid_client', 'unauthorized_client', 'unauthorized']);
const CONFIGURATION_ERRORS = new Set([
  'invalid_scope',
  'unsupported_grant_type',
  'invalid_request',
  'access_denied',
  'invalid_target',
  'unsupported_response_type',
]);

/** `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 section 10.2.3), relative to `nowMs`. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

const OAUTH_CODE = /^[a-z_]{1,64}$/;

function codeOf(body: ErrorBody, status: number): string {
  // Non-standard errors such as Keycloak's `{"error":"Realm does not exist"}` keep their text in the description.
  return body.error && OAUTH_CODE.test(body.error) ? body.error : `http_${status}`;
}

function describe(body: ErrorBody, status: number, grant: GrantName): string {
  const parts = [body.error, body.description].filter((p): p is string => p !== undefined);
  const text = parts.length > 0 ? parts.join(': ') : body.format === 'empty' ? 'empty body' : `${body.format} body`;
  return `${grant} grant: HTTP ${status}, ${text}`;
}

/** Statuses that mean "not now" when the body names no OAuth error. */
function notNowStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

export function classifyAnswer(answer: HttpAnswer, grant: GrantName, nowMs: number): ClassifiedFailure {
  const body = parseErrorBody(answer.body);
  const error = body.error?.toLowerCase();
  const code = codeOf(body, answer.status);
  const description = describe(body, answer.status, grant);
  const { status } = answer;
  const make = (
    kind: Failure['kind'],
    how: { refreshRejected?: boolean; ambiguous?: boolean; retryable?: boolean; retryAfterMs?: number } = {},
  ): ClassifiedFailure => ({
    ...failure(kind, code, description),
    refreshRejected: how.refreshRejected ?? false,
    ambiguous: how.ambiguous ?? false,
    retryable: how.retryable ?? false,
    ...(how.retryAfterMs === undefined ? {} : { retryAfterMs: how.retryAfterMs }),
  });
  const notNow = (how: { ambiguous: boolean; retryable: boolean }) =>
    make('transient', { ...how, retryAfterMs: parseRetryAfter(answer.headers.get('retry-after'), nowMs) });
  // 503 and 429 refuse before doing the work (load shedding, rate limits); other 5xx may come after it.
  const unseen = status >= 500 && status !== 503;

  // The body first, whatever the status: a 503 or 429 that says invalid_grant was read and answered
  // by the IdP, and sending the same password again in the run would only add failed logins.
  // On a refresh, invalid_grant only means the chain is dead; the primary grant that follows decides.
  if (error === 'invalid_grant') return make('credentials', { refreshRejected: grant === 'refresh_token' });
  if (error && CREDENTIAL_ERRORS.has(error)) return make('credentials');
  if (error && CONFIGURATION_ERRORS.has(error)) return make('configuration');
  if (error && TRANSIENT_ERRORS.has(error)) return notNow({ ambiguous: unseen, retryable: true });
  if (notNowStatus(status)) {
    // An OAuth code we do not know may be an IdP's own word for a blocked account (Auth0's
    // `too_many_attempts` is a 429): nothing is sent again in the run, and the attempt stays on
    // record as one whose outcome is open. Prose such as Keycloak's "Realm does not exist" is no code.
    const unknownCode = body.error !== undefined && OAUTH_CODE.test(body.error);
    return unknownCode ? notNow({ ambiguous: true, retryable: false }) : notNow({ ambiguous: unseen, retryable: true });
  }
  // No usable OAuth error: decide on the status, erring towards "stop sending credentials".
  if (status === 401) return make('credentials');
  // Keycloak's User Session Count Limiter denies with an HTML 403 page, and counts it as a failed login.
  if (status === 403 && body.format === 'html') return make('credentials');
  return make('configuration');
}
