import { errorNameOf } from '../contract/error-name.js';

/** AWS error names that mean "slow down", across Secrets Manager, SSM and the SDK's own. */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ThrottledException',
]);

/** Failures where the same request may well succeed a moment later. */
const TRANSIENT = new Set([
  'TimeoutError', // the reader's readTimeoutMs, or an injected client's own requestTimeout
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalServiceError', // Secrets Manager's 500
  'InternalServerError', // SSM's 500
  'InternalFailure',
  'ServiceUnavailable',
]);

/**
 * The request's signing time is too far from the service's clock. The SDK corrects its clock offset
 * from the failed answer, so the next attempt succeeds; with SDK retries off, the reader must make it.
 */
const CLOCK_SKEW = new Set(['RequestTimeTooSkewed', 'InvalidSignatureException', 'SignatureDoesNotMatch']);

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

/** Whether a failed store read is worth repeating: throttling, 5xx, timeouts, clock skew and network errors. */
export function isRetryable(error: unknown): boolean {
  const name = errorNameOf(error);
  if (name !== undefined && (THROTTLING.has(name) || TRANSIENT.has(name) || CLOCK_SKEW.has(name))) return true;
  const e = error as { $metadata?: { httpStatusCode?: number }; $retryable?: unknown; code?: unknown } | null;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined && (status === 429 || status >= 500)) return true;
  if (e?.$retryable) return true;
  return typeof e?.code === 'string' && NETWORK_CODES.has(e.code);
}

const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 2_000;

/**
 * Delay before attempt `attempt + 1`: exponential (100, 200, 400 ms …, at most 2 s) with "equal
 * jitter" — half fixed, half random — so that many consumers throttled together do not retry in step,
 * yet every retry still waits at least half its step.
 */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const step = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}
