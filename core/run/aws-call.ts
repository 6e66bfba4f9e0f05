import { withDeadline } from '../../base/deadline.js';
import type { Clock } from '../ports.js';

/** Time kept back after the last token request to store the result (state, then token). */
export const STORE_RESERVE_MS = 10_000;
/**
 * Longest wait for one AWS call. A store call answers in tens of milliseconds; one that hangs must
 * fail as a `store` failure well inside the run, not time the function out. The SDK clients get the
 * same bound (lambda/index.ts), so they stop waiting too.
 */
export const AWS_CALL_TIMEOUT_MS = 3_000;

/** One AWS call of the run (a store, the state, the credentials), under the run's deadline. */
export type AwsCall = <T>(call: (signal: AbortSignal) => Promise<T>) => Promise<T>;

/**
 * Each call is given up after `timeoutMs` (AWS_CALL_TIMEOUT_MS) or at the run's end, whichever
 * comes first. The signal stops the SDK's request; the race stops the wait even for a port that
 * ignores the signal (base/deadline.ts).
 */
export function awsCaller(
  clock: Clock,
  run: { readonly deadlineMs: number; readonly endMs?: number },
  timeoutMs = AWS_CALL_TIMEOUT_MS,
): AwsCall {
  const endMs = run.endMs ?? run.deadlineMs + STORE_RESERVE_MS;
  return (call) => {
    const ms = Math.min(timeoutMs, endMs - clock.now());
    return withDeadline(call, ms, () =>
      Object.assign(new Error(`no answer within ${Math.max(0, ms)} ms`), { name: 'TimeoutError' }),
    );
  };
}

/** An error's name for a message: never its text, which may quote what was sent. */
export const errorName = (e: unknown) => (e as { name?: string } | undefined)?.name ?? 'Error';
