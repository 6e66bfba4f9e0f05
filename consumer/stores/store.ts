/**
 * One read of the stored published-token JSON. The reader adds caching, retries, parsing and the
 * freshness rule on top; a store only knows its own API and what "missing" looks like there.
 */
export interface TokenStoreReader {
  /**
   * Reads the current value. Resolves `found: false` when the secret, parameter or file does not exist
   * or has no value; rejects with the SDK or file-system error for everything else, which the reader
   * classifies and retries. `signal` aborts the attempt when the reader's `readTimeoutMs` is up.
   */
  read(signal: AbortSignal): Promise<StoreRead>;
}

export type StoreRead =
  | { readonly found: true; readonly text: string }
  | { readonly found: false; readonly why: string; readonly cause?: unknown };

/**
 * Settings for the SDK clients the reader creates itself. The reader retries on its own with the
 * injected `sleep`, so the SDK must not retry underneath it (4 × 3 attempts). No timeouts here: the
 * reader aborts every attempt after its `readTimeoutMs`, and a client timeout would cut short the
 * readers with a longer one that share this client.
 */
export const DEFAULT_CLIENT_CONFIG = { maxAttempts: 1 } as const;

/**
 * The process-wide default client of one SDK client class for `region` ('' = the environment's),
 * shared by every reader in the process so that connections are reused.
 */
export function defaultClient<C>(
  cache: Map<string, C>,
  Client: new (config: typeof DEFAULT_CLIENT_CONFIG & { region?: string }) => C,
  region: string | undefined,
): C {
  let client = cache.get(region ?? '');
  if (!client) {
    client = new Client({ ...DEFAULT_CLIENT_CONFIG, ...(region && { region }) });
    cache.set(region ?? '', client);
  }
  return client;
}
