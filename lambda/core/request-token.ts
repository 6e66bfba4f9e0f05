import { type ClassifiedFailure, classifyAnswer } from './classify';
import { failure } from './failure';
import type { Clock, GrantName, Sleep, TokenEndpoint, TokenRequest } from './ports';
import { type GrantedToken, isFailure, parseTokenAnswer } from './token-response';

export interface RequestContext {
  readonly endpoint: TokenEndpoint;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly random: () => number;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  /** Epoch ms by which the last attempt must have finished, leaving time to store the result. */
  readonly deadlineMs: number;
  /** Called just before each request is sent (the lockout guard records primary grants). */
  readonly onSend?: (sentAtMs: number) => void;
  readonly onAttempt?: (attempt: { grant: GrantName; latencyMs: number; outcome: string }) => void;
}

export type TokenOutcome =
  { readonly token: GrantedToken; readonly sentAtMs: number } | { readonly failure: ClassifiedFailure };

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/** Keycloak's brute-force "quick login check" locks a user after two failures less than 1 s apart. */
export const MIN_PRIMARY_SPACING_MS = 1_000;

function noAnswer(error: unknown, grant: GrantName, timeoutMs: number): ClassifiedFailure {
  const name = (error as { name?: string } | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return {
      ...failure('transient', 'timeout', `${grant} grant: no answer within ${timeoutMs / 1000} s`),
      refreshRejected: false,
    };
  }
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  const detail = typeof cause === 'string' ? cause : 'connection failed';
  return {
    ...failure('transient', 'network_error', `${grant} grant: network error (${detail})`),
    refreshRejected: false,
  };
}

function isNetworkError(error: unknown): boolean {
  const e = error as { name?: string; message?: string } | undefined;
  return (
    e?.name === 'TimeoutError' || e?.name === 'AbortError' || (e?.name === 'TypeError' && e.message === 'fetch failed')
  );
}

/**
 * One token request with a short, bounded retry of transient failures inside the run (honouring
 * `Retry-After`); the next scheduled run is the real retry. Anything but a transient failure returns
 * at once, so a rejected password is never sent twice.
 */
export async function requestToken(ctx: RequestContext, request: TokenRequest): Promise<TokenOutcome> {
  const primary = request.grant !== 'refresh_token';
  for (let attempt = 1; ; attempt++) {
    const sentAtMs = ctx.clock.now();
    ctx.onSend?.(sentAtMs);
    let outcome: TokenOutcome;
    try {
      const answer = await ctx.endpoint.send(request, ctx.timeoutMs);
      if (answer.status >= 200 && answer.status < 300) {
        const parsed = parseTokenAnswer(answer);
        outcome = isFailure(parsed) ? { failure: { ...parsed, refreshRejected: false } } : { token: parsed, sentAtMs };
      } else {
        outcome = { failure: classifyAnswer(answer, request.grant, ctx.clock.now()) };
      }
    } catch (error) {
      if (!isNetworkError(error)) throw error;
      outcome = { failure: noAnswer(error, request.grant, ctx.timeoutMs) };
    }
    ctx.onAttempt?.({
      grant: request.grant,
      latencyMs: ctx.clock.now() - sentAtMs,
      outcome: 'token' in outcome ? 'ok' : outcome.failure.kind,
    });
    if ('token' in outcome || outcome.failure.kind !== 'transient' || attempt >= ctx.maxAttempts) return outcome;

    const backoff = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1)) * (0.5 + ctx.random() / 2);
    const wait = Math.max(outcome.failure.retryAfterMs ?? backoff, primary ? MIN_PRIMARY_SPACING_MS : 0);
    if (ctx.clock.now() + wait + ctx.timeoutMs > ctx.deadlineMs) return outcome;
    await ctx.sleep(wait);
  }
}
