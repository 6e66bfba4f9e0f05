import { type ErrorBody, parseErrorBody } from './error-body.js';
import { type Failure, failure } from '../contract/failure.js';
import type { GrantName, HttpAnswer } from './ports.js';

/**
 * A failed token request, classified by `error` + `error_description` first and by status only where
 * the body says nothing (Keycloak answers a wrong password with 401,
 * IdentityServer answers everything with 400, legacy Spring has three body shapes).
 */
export interface ClassifiedFailure extends Failure {
  /** `invalid_grant` on a refresh: the refresh chain is dead, one primary grant follows. */
  readonly refreshRejected: boolean;
  /** Milliseconds the server asked us to wait (`Retry-After`), when it did. */
  readonly retryAfterMs?: number;
  /**
   * The IdP may have processed the request without us seeing the outcome (timeout, reset, a 500,
   * 502 or 504 from a gateway). A password sent that way may have counted as a failed login.
   */
  readonly ambiguous: boolean;
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

export function classifyAnswer(answer: HttpAnswer, grant: GrantName, nowMs: number): ClassifiedFailure {
  const body = parseErrorBody(answer.body);
  const error = body.error?.toLowerCase();
  const code = codeOf(body, answer.status);
  const description = describe(body, answer.status, grant);
  const { status } = answer;
  // 503 and 429 refuse before doing the work (load shedding, rate limits); other 5xx may come after it.
  const ambiguous = status >= 500 && status !== 503;
  const make = (kind: Failure['kind'], refreshRejected = false, retryAfterMs?: number): ClassifiedFailure => ({
    ...failure(kind, code, description),
    refreshRejected,
    ambiguous,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });

  if (status >= 500 || status === 429 || status === 408 || (error && TRANSIENT_ERRORS.has(error))) {
    return make('transient', false, parseRetryAfter(answer.headers.get('retry-after'), nowMs));
  }
  // On a refresh, invalid_grant only means the chain is dead; the primary grant that follows decides.
  if (error === 'invalid_grant') return grant === 'refresh_token' ? make('credentials', true) : make('credentials');
  if (error && CREDENTIAL_ERRORS.has(error)) return make('credentials');
  if (error && CONFIGURATION_ERRORS.has(error)) return make('configuration');
  // No usable OAuth error: decide on the status, erring towards "stop sending credentials".
  if (status === 401) return make('credentials');
  // Keycloak's User Session Count Limiter denies with an HTML 403 page, and counts it as a failed login.
  if (status === 403 && body.format === 'html') return make('credentials');
  return make('configuration');
}
