import { withDeadline } from '../base/deadline.js';
import { err, ok, type Result } from '../base/result.js';
import { type PrepareAttempt, type PreparedAttempt, signingFailure } from './attempt.js';
import { type ClassifiedFailure, classifyAnswer } from './classify.js';
import { parseErrorBody } from './error-body.js';
import { failure } from '../contract/failure.js';
import {
  type Clock,
  type GrantName,
  type HttpAnswer,
  NoAnswerError,
  type Sleep,
  SigningError,
  type TokenEndpoint,
} from './ports.js';
import { type GrantedToken, parseTokenAnswer } from './token-response.js';

export interface RequestContext {
  readonly endpoint: TokenEndpoint;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly random: () => number;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  /** Epoch ms by which the last attempt must have finished, leaving time to store the result. */
  readonly deadlineMs: number;
  /** Removes every secret seen in the run from an error body before it is read. */
  readonly redact: (text: string) => string;
  /** Epoch ms before which the first request may not be sent (spacing of primary grants). */
  readonly notBeforeMs?: number;
  /** Called just before each request is sent. */
  readonly onSend?: (sentAtMs: number) => void;
  readonly onAttempt?: (attempt: { grant: GrantName; latencyMs: number; outcome: string }) => void;
}

/** A granted token with the time its request was sent, or the classified failure of the last attempt. */
export type TokenOutcome = Result<{ readonly token: GrantedToken; readonly sentAtMs: number }, ClassifiedFailure>;

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/** Below this a request cannot be expected to get an answer; better not send it at all. */
const MIN_REQUEST_MS = 1_000;
/** Keycloak's brute-force "quick login check" locks a user after two failures less than 1 s apart. */
export const MIN_PRIMARY_SPACING_MS = 1_000;

function noAnswer(error: NoAnswerError, grant: GrantName): ClassifiedFailure {
  return {
    ...failure('transient', error.code, `${grant} grant: ${error.message}`),
    refreshRejected: false,
    ambiguous: error.delivered !== 'no',
    retryable: true,
  };
}

function outOfTime(grant: GrantName): ClassifiedFailure {
  return {
    ...failure('transient', 'no_time_left', `${grant} grant: not sent, the run has no time left for it`),
    refreshRejected: false,
    ambiguous: false,
    retryable: false,
  };
}

/**
 * A 2xx is a token only if it parses as one. A 2xx carrying an OAuth `error` goes through the same
 * classifier as a 4xx, so a rejection answered 200 engages the lockout guard. Any other unusable 2xx
 * (a login or WAF page, an empty body) leaves open whether the IdP counted a failed login: it is
 * `ambiguous`, which keeps a primary grant's attempt on record (core/run/primary-step.ts).
 */
function readAnswer(answer: HttpAnswer, grant: GrantName, sentAtMs: number, ctx: RequestContext): TokenOutcome {
  if (answer.oversized) {
    // Neither a token nor an error we can read: the IdP may have counted the attempt.
    const description = `${grant} grant: HTTP ${answer.status} with a body too large to be a token or an OAuth error; not read`;
    return err({
      ...failure('invalid-response', 'body_too_large', description),
      refreshRejected: false,
      ambiguous: true,
      retryable: false,
    });
  }
  const success = answer.status >= 200 && answer.status < 300;
  if (success) {
    const parsed = parseTokenAnswer(answer);
    if (parsed.ok) return ok({ token: parsed.value, sentAtMs });
    const redacted = { ...answer, body: ctx.redact(answer.body) };
    if (parseErrorBody(redacted.body).error === undefined) {
      return err({ ...parsed.error, refreshRejected: false, ambiguous: true, retryable: false });
    }
    return err(classifyAnswer(redacted, grant, ctx.clock.now()));
  }
  const redacted = { ...answer, body: ctx.redact(answer.body) };
  return err(classifyAnswer(redacted, grant, ctx.clock.now()));
}

/**
 * What one attempt sends, made within `ms` (the attempt's share of the run's deadline): a signer that
 * does not answer in time, even one that ignores the signal, is a transient signing failure.
 */
async function prepareWithin(
  prepare: PrepareAttempt,
  ms: number,
  grant: GrantName,
): Promise<Result<PreparedAttempt, ClassifiedFailure>> {
  const late = () => new SigningError('signing_unavailable', `no signature within ${Math.round(ms / 100) / 10} s`);
  try {
    return ok(await withDeadline(prepare, ms, late));
  } catch (e) {
    if (e instanceof SigningError) return err(signingFailure(e, grant));
    throw e;
  }
}

/**
 * One token request with a short, bounded retry inside the run of what only said "not now"
 * (`retryable`, core/classify.ts), honouring `Retry-After`; the next scheduled run is the real retry.
 * A rejection is never sent again, whatever its status. A password or client secret is sent again
 * only when the IdP surely did not process the first attempt (connection refused, 429, 503): after a
 * timeout or a gateway error it may have counted a failed login. Primary grants stay at least
 * MIN_PRIMARY_SPACING_MS apart. Every attempt's timeout is cut to the run's deadline, so the result
 * can always be stored. Each attempt is made anew by `prepare` (core/attempt.ts): an assertion is
 * never sent twice, not even by a retry in the run, since an IdP refuses a `jti` it has seen.
 */
export async function requestToken(
  ctx: RequestContext,
  grant: GrantName,
  prepare: PrepareAttempt,
): Promise<TokenOutcome> {
  const primary = grant !== 'refresh_token';
  if (ctx.notBeforeMs !== undefined) {
    // A time in the future (another clock's) counts as now: the wait is never longer than the spacing.
    const wait = Math.min(ctx.notBeforeMs - ctx.clock.now(), MIN_PRIMARY_SPACING_MS);
    if (wait > 0 && ctx.clock.now() + wait + MIN_REQUEST_MS > ctx.deadlineMs) {
      return err(outOfTime(grant));
    }
    if (wait > 0) await ctx.sleep(wait);
  }
  const timeLeft = () => Math.min(ctx.timeoutMs, ctx.deadlineMs - ctx.clock.now());
  for (let attempt = 1; ; attempt++) {
    if (timeLeft() < MIN_REQUEST_MS) return err(outOfTime(grant));
    const prepared = await prepareWithin(prepare, timeLeft(), grant);
    let outcome: TokenOutcome;
    if (prepared.ok) {
      const timeoutMs = timeLeft();
      if (timeoutMs < MIN_REQUEST_MS) return err(outOfTime(grant));
      outcome = await send(ctx, grant, prepared.value, timeoutMs);
    } else {
      outcome = err(prepared.error);
    }
    if (outcome.ok || !outcome.error.retryable || attempt >= ctx.maxAttempts) return outcome;
    if (primary && outcome.error.ambiguous) return outcome;

    const backoff = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1)) * (0.5 + ctx.random() / 2);
    const wait = Math.max(outcome.error.retryAfterMs ?? backoff, primary ? MIN_PRIMARY_SPACING_MS : 0);
    if (ctx.clock.now() + wait + MIN_REQUEST_MS > ctx.deadlineMs) return outcome;
    await ctx.sleep(wait);
  }
}

/** Sends one prepared attempt and reads its answer. */
async function send(
  ctx: RequestContext,
  grant: GrantName,
  { request, auth }: PreparedAttempt,
  timeoutMs: number,
): Promise<TokenOutcome> {
  const sentAtMs = ctx.clock.now();
  ctx.onSend?.(sentAtMs);
  let outcome: TokenOutcome;
  try {
    const answer = await ctx.endpoint.send(request, auth, timeoutMs);
    outcome = readAnswer(answer, grant, sentAtMs, ctx);
  } catch (error) {
    if (!(error instanceof NoAnswerError)) throw error;
    outcome = err(noAnswer(error, grant));
  }
  ctx.onAttempt?.({ grant, latencyMs: ctx.clock.now() - sentAtMs, outcome: outcome.ok ? 'ok' : outcome.error.kind });
  return outcome;
}
