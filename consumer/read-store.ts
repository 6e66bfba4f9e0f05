import { withDeadline } from '../base/deadline.js';
import { TokenReadError, TokenReaderError } from './errors.js';
import { describeErrorName } from '../contract/error-name.js';
import { backoffMs, isRetryable } from './retry.js';
import type { StoreRead, TokenStoreReader } from './stores/store.js';

export interface ReadPolicy {
  readonly tokenSource: string;
  readonly maxAttempts: number;
  readonly readTimeoutMs: number;
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * One store read with retries. Every attempt has its own deadline, and the whole read, backoff
 * included, ends within `maxAttempts × readTimeoutMs`: an SDK client never times out by default
 * (requestTimeout 0), and one hung request would otherwise hold every caller of the reader forever.
 * Deadlines use real time, not the reader's clock, which tests may stop. A read the reader has
 * `abandoned` (invalidated while in flight) is not retried.
 */
export async function readWithRetries(
  store: TokenStoreReader,
  policy: ReadPolicy,
  abandoned: () => boolean,
): Promise<StoreRead> {
  const deadline = performance.now() + policy.maxAttempts * policy.readTimeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptRead(store, Math.min(policy.readTimeoutMs, deadline - performance.now()));
    } catch (error) {
      if (error instanceof TokenReaderError) throw error;
      const delay = backoffMs(attempt);
      const retry =
        attempt < policy.maxAttempts && isRetryable(error) && !abandoned() && performance.now() + delay < deadline;
      if (!retry) {
        throw new TokenReadError(policy.tokenSource, {
          errorName: describeErrorName(error),
          detail: readFailureDetail(error),
          attempts: attempt,
          cause: error,
        });
      }
      await policy.sleep(delay);
    }
  }
}

/**
 * One attempt, aborted after `timeoutMs` with a retryable `TimeoutError`. The deadline is raced, not
 * only passed on as the abort signal, because an injected client (or a fake) may ignore the signal;
 * the race reports the timeout, never the SDK's AbortError (base/deadline.ts). An attempt gets at
 * least the 1 ms Node gives any timer, so an answer already at hand is not refused.
 */
function attemptRead(store: TokenStoreReader, timeoutMs: number): Promise<StoreRead> {
  return withDeadline(
    (signal) => store.read(signal),
    Math.max(1, timeoutMs),
    () => Object.assign(new Error(`no answer within ${Math.round(timeoutMs)} ms`), { name: 'TimeoutError' }),
  );
}

/** The AWS message (it names the principal and the action, never a value), plus what to do about access errors. */
function readFailureDetail(error: unknown): string {
  const message = error instanceof Error && error.message ? ` (${error.message})` : '';
  const name = describeErrorName(error);
  if (name === 'AccessDeniedException') {
    return `${message}. Grant the consumer read access: grantTokenRead, wireLambdaConsumer or wireEcsContainer.`;
  }
  if (/^(DecryptionFailure|KMS|InvalidKeyId)/.test(name)) {
    return `${message}. The store is encrypted with a customer-managed key: pass it as \`key\` to grantTokenRead.`;
  }
  return message;
}
