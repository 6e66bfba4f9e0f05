import * as z from 'zod/mini';

/**
 * The function's own memory between runs. `fingerprint` ties it to the provider settings it was made
 * with: a refresh token or a block recorded under other settings (another client id, endpoint or
 * scope) no longer applies. It is stored in two parts (splitPrivateState): the refresh token in a
 * SecureString only the function can read, and everything else, which is no secret, in a String
 * parameter, the ledger, that costs no KMS request to write.
 */
export const privateStateSchema = z.object({
  v: z.literal(1),
  fingerprint: z.string(),
  refreshToken: z.optional(z.string()),
  /** Epoch seconds; absent when the server did not say (never read as "expired"). */
  refreshExpiresAt: z.optional(z.number()),
  /** Epoch ms of the last password or client_credentials request, to keep them at least 1 s apart. */
  lastPrimaryGrantAt: z.optional(z.number()),
  /** Lockout guard: no primary grant with this credentials version until operators change the secret. */
  guard: z.optional(
    z.object({ credentialsVersion: z.string(), at: z.number(), code: z.string(), description: z.string() }),
  ),
  /**
   * A primary grant was sent (recorded before sending) and its outcome is not known: the state write
   * after it failed, or the answer was a timeout or a gateway error. The IdP may have counted it.
   */
  pendingPrimary: z.optional(z.object({ credentialsVersion: z.string(), at: z.number() })),
  /**
   * The credentials secret's version the IdP last accepted. A warm function may send its cached copy
   * of this version only (lambda/adapters/secrets-manager-credentials.ts), so a copy of a version
   * that was since rejected, or replaced by one that worked, is never sent.
   */
  workingCredentialsVersion: z.optional(z.string()),
  /** A configuration error: scheduled runs don't retry it until the settings change (or a forced run). */
  blocked: z.optional(z.object({ at: z.number(), code: z.string(), description: z.string() })),
  /** Epoch ms of the forced renewals of the last 24 h, against the store's write budget (core/forced-runs.ts). */
  forcedRenewals: z.optional(z.array(z.number()).check(z.maxLength(1000))),
});

export type PrivateState = z.infer<typeof privateStateSchema>;

/** Bytes the state takes in its parameter, as the store writes it (JSON). */
export function privateStateBytes(state: PrivateState): number {
  return Buffer.byteLength(JSON.stringify(state), 'utf8');
}

const lockoutMemorySchema = z.object({
  guard: privateStateSchema.shape.guard,
  pendingPrimary: privateStateSchema.shape.pendingPrimary,
  lastPrimaryGrantAt: privateStateSchema.shape.lastPrimaryGrantAt,
});

/**
 * Reads a stored state. A state that is not valid (corrupted, or written by another version) costs
 * one primary grant rather than the token: `valid: false` carries only what guards the account (the
 * lockout guard, an attempt whose outcome was not seen) when that much can still be read.
 */
export function readPrivateState(
  text: string,
): { valid: true; state: PrivateState } | { valid: false; state?: PrivateState } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { valid: false };
  }
  const parsed = privateStateSchema.safeParse(json);
  if (parsed.success) return { valid: true, state: parsed.data };
  const memory = lockoutMemorySchema.safeParse(json);
  if (!memory.success || (!memory.data.guard && !memory.data.pendingPrimary)) return { valid: false };
  return { valid: false, state: { v: 1, fingerprint: '', ...memory.data } };
}

/** The fields that hold a secret: only these go to the SecureString. */
export type RefreshChain = Pick<PrivateState, 'v' | 'fingerprint' | 'refreshToken' | 'refreshExpiresAt'>;

/**
 * The two parts a state is stored in. The ledger (lockout memory, blocks, forced runs, all of it our
 * own words and times) changes on every primary grant and costs nothing to write as a String
 * parameter; the chain changes only with the refresh token, and only then is the SecureString
 * written (a KMS request each time).
 */
export function splitPrivateState(state: PrivateState): { ledger: PrivateState; chain: RefreshChain } {
  const { refreshToken, refreshExpiresAt, ...ledger } = state;
  const chain: RefreshChain = { v: 1, fingerprint: state.fingerprint };
  if (refreshToken === undefined) return { ledger, chain };
  return { ledger, chain: { ...chain, refreshToken, ...(refreshExpiresAt === undefined ? {} : { refreshExpiresAt }) } };
}

/**
 * Whether a state read from the SecureString holds more than a chain: a whole state as versions
 * before the split wrote it (this version writes only the chain there).
 */
export function isWholeState(state: PrivateState): boolean {
  const { ledger } = splitPrivateState(state);
  return Object.entries(ledger).some(([key, value]) => value !== undefined && key !== 'v' && key !== 'fingerprint');
}

/**
 * The state from its stored parts. Without a ledger the SecureString holds the whole state, as
 * versions before the split stored it; so it does when such a version wrote it after the ledger (a
 * rollback), and then it is the newer of the two. A chain made under other settings than the
 * ledger's (a write that failed halfway) carries no refresh token, and a ledger never carries one.
 */
export function joinPrivateState(
  ledger: PrivateState | undefined,
  chain: PrivateState | undefined,
): PrivateState | undefined {
  if (ledger === undefined || (chain !== undefined && isWholeState(chain))) return chain;
  const { refreshToken: _dropped, refreshExpiresAt: _also, ...memory } = ledger;
  if (chain?.refreshToken === undefined || chain.fingerprint !== ledger.fingerprint) return memory;
  return {
    ...memory,
    refreshToken: chain.refreshToken,
    ...(chain.refreshExpiresAt === undefined ? {} : { refreshExpiresAt: chain.refreshExpiresAt }),
  };
}
