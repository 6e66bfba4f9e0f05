/**
 * One read of the stored published-token JSON. The reader adds caching, retries, parsing and the
 * freshness rule on top; a store only knows its own API and what "missing" looks like there.
 */
export interface TokenStoreReader {
  /**
   * Reads the current value. Resolves `found: false` when the secret, parameter or file does not exist
   * or has no value; rejects with the SDK or file-system error for everything else, which the reader
   * classifies and retries.
   */
  read(): Promise<StoreRead>;
}

export type StoreRead =
  | { readonly found: true; readonly text: string }
  | { readonly found: false; readonly why: string; readonly cause?: unknown };

/** The error's `name` (AWS SDK exceptions: `ResourceNotFoundException`, `ParameterNotFound`, …). */
export function errorNameOf(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}

/**
 * Settings for the SDK clients the reader creates itself. The reader retries on its own with the
 * injected `sleep`, so the SDK must not retry underneath it (4 × 3 attempts); and a hung connection
 * must end in a retryable `TimeoutError` rather than a Lambda timeout.
 */
export const DEFAULT_CLIENT_CONFIG = {
  maxAttempts: 1,
  requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000, throwOnRequestTimeout: true },
} as const;
