import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { boundHealth, boundOutbox, healthRecordSchema, pendingEventSchema } from './event-records.js';
import { SECRETS_MANAGER_FORCED_RENEWALS_PER_DAY } from './token-stores.js';

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
  /**
   * Epoch ms at which `token-refresher connect` wrote this chain's first refresh token; kept with the
   * chain it started. A run that finds another value in the store before writing a rotated refresh
   * token knows someone connected the provider anew meanwhile, and keeps theirs (core/run/connection.ts).
   */
  connectedAt: z.optional(z.number()),
  /**
   * Epoch ms at which a provider that lives on its refresh token lost it (refused, expired): from
   * then on a run without one is "reconnect needed", not day one's "waiting" (core/run/connection.ts).
   * A connection clears it.
   */
  disconnectedAt: z.optional(z.number()),
  /** Epoch ms of the last password or client_credentials request, to keep them at least 1 s apart. */
  lastPrimaryGrantAt: z.optional(z.number()),
  /** Lockout guard: no request sends this credentials version until operators change the secret. */
  guard: z.optional(
    z.object({ credentialsVersion: z.string(), at: z.number(), code: z.string(), description: z.string() }),
  ),
  /**
   * A request that sends credentials (a primary grant, or a refresh with the client secret) was sent
   * (recorded before sending) and its outcome is not known: the state write after it failed, or the
   * answer to a primary grant was a timeout or a gateway error. The IdP may have counted it.
   */
  pendingPrimary: z.optional(z.object({ credentialsVersion: z.string(), at: z.number() })),
  /**
   * The credentials secret's version the IdP last accepted. A warm function may send its cached copy
   * of this version only (lambda/adapters/secrets-manager-credentials.ts), so a copy of a version
   * that was since rejected, or replaced by one that worked, is never sent.
   */
  workingCredentialsVersion: z.optional(z.string()),
  /**
   * The published token's store (a secret's ARN) as a run proved it to be the stage's, before trusting
   * what it holds (lambda/adapters/token-secret-check.ts): examined once in the store's life.
   */
  tokenStoreChecked: z.optional(z.string()),
  /** A configuration error: scheduled runs don't retry it until the settings change (or a forced run). */
  blocked: z.optional(z.object({ at: z.number(), code: z.string(), description: z.string() })),
  /**
   * Epoch ms of the newest forced renewals of the last 24 h, against the store's write budget
   * (core/forced-runs.ts). Read up to what an 8 KB parameter can hold, kept to FORCED_RENEWALS_KEPT.
   */
  forcedRenewals: z.optional(z.array(z.number()).check(z.maxLength(4096))),
  /**
   * The last good metadata of the settings' `issuer` (core/discovery/metadata.ts): the token endpoint
   * it named for this client (the mTLS alias for an mTLS method), when it was read (epoch ms), and
   * `recheck` after that endpoint failed with a network error or a 404. A metadata outage renews with
   * it; the supported methods are not kept, as the client's method is part of the fingerprint and
   * was checked against them when the metadata was read.
   */
  metadata: z.optional(z.object({ tokenEndpoint: z.string(), at: z.number(), recheck: z.optional(z.literal(true)) })),
  /**
   * Lifecycle events (contract/event-records.ts): the provider's health as the last run left it, and
   * the events recorded but not yet delivered. Neither guards anything: one that cannot be read (a
   * hand edit, another version's) is read as none rather than costing the state.
   */
  health: z.catch(z.optional(healthRecordSchema), undefined),
  outbox: z.catch(z.optional(z.array(pendingEventSchema).check(z.maxLength(64))), undefined),
});

export type PrivateState = z.infer<typeof privateStateSchema>;

/** Bytes the state takes in its parameter, as the store writes it (JSON). */
export function privateStateBytes(state: PrivateState): number {
  return Buffer.byteLength(JSON.stringify(state), 'utf8');
}

/**
 * Most bytes the ledger (the state without its refresh token) takes once bounded by
 * boundPrivateState, whatever the runs before: well inside the 4 KB a standard-tier parameter holds,
 * so the String parameter never moves to the advanced tier (which `plan` does not price), and the
 * whole state always leaves the refresh token at least 5.5 KB of the 8 KB the store takes. It was
 * 2 KB until kept metadata (an issuer's token endpoint) and the events outbox joined the lockout memory.
 */
export const LEDGER_MAX_BYTES = 2560;

/**
 * Forced renewals the state keeps: those of the last 24 h (the window of every store's budget), and
 * of those the newest as many as a store's day cap counts (Secrets Manager's, the only store with
 * one). A store with no day cap needs none of them, so a loop of forced runs cannot grow the state.
 */
export const FORCED_RENEWALS_KEPT = { windowMs: 86_400_000, count: SECRETS_MANAGER_FORCED_RENEWALS_PER_DAY } as const;

/**
 * The longest discovered token endpoint the ledger keeps (printable ASCII, as a parsed URL is): with
 * it the worst ledger stays within LEDGER_MAX_BYTES. A longer one is used but not kept, and read again.
 */
export const MAX_KEPT_ENDPOINT_CHARS = 256;
const KEPT_ENDPOINT = new RegExp(`^[\\x21\\x23-\\x5b\\x5d-\\x7e]{1,${MAX_KEPT_ENDPOINT_CHARS}}$`);

/** Our own words and an OAuth error code (core/classify.ts keeps 64 characters of one), in UTF-8 bytes as stored. */
const MAX_CODE_BYTES = 64;
const MAX_DESCRIPTION_BYTES = 200;
/**
 * An identity (settings fingerprint, credentials version) is kept as is up to this many printable
 * ASCII characters; Secrets Manager version ids have at most 64. A longer or unusual one is kept as
 * its digest, and compared that way (sameCredentialsVersion), so that bounding it changes no outcome.
 */
const PLAIN_IDENTITY = /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,128}$/;

function storedIdentity(id: string): string {
  if (PLAIN_IDENTITY.test(id)) return id;
  return `sha256:${createHash('sha256').update(id, 'utf8').digest('base64url')}`;
}

/** Whether two credentials versions are the same, either as read from the secret or as the state keeps them. */
export function sameCredentialsVersion(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a === b || storedIdentity(a) === storedIdentity(b);
}

/** `text` cut to at most `maxBytes` as JSON stores it (escapes included); it is kept whole when it fits. */
function clipped(text: string, maxBytes: number): string {
  const bytes = (t: string) => Buffer.byteLength(JSON.stringify(t), 'utf8') - 2;
  if (bytes(text) <= maxBytes) return text;
  let cut = text.slice(0, maxBytes - 3);
  while (bytes(`${cut}...`) > maxBytes) cut = cut.slice(0, -1);
  return `${cut}...`;
}

/** The newest forced renewals of the window before `now` (a time ahead of `now` reads as `now`), oldest first. */
function keptForcedRenewals(forced: readonly number[] | undefined, now: number): number[] | undefined {
  const kept = (forced ?? [])
    .map((at) => Math.min(at, now))
    .filter((at) => at > now - FORCED_RENEWALS_KEPT.windowMs)
    .sort((a, b) => a - b)
    .slice(-FORCED_RENEWALS_KEPT.count);
  return kept.length > 0 ? kept : undefined;
}

/** The object without its undefined fields, as JSON stores it. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The state as it may be stored: every list bounded by time and count, every text and identity by
 * length, so that its ledger never exceeds LEDGER_MAX_BYTES whatever the runs before (a state from an
 * earlier version, a hand edit). Nothing that decides an outcome changes: a code or description is
 * cut (they are only shown), an identity is kept as its digest, and only forced renewals that no
 * budget counts any more are dropped (and undelivered events past OUTBOX_MAX, which decide nothing). Every write goes through it (core/run/state-ledger.ts `save`).
 */
export function boundPrivateState(state: PrivateState, now: number): PrivateState {
  const {
    fingerprint,
    guard,
    pendingPrimary,
    workingCredentialsVersion,
    blocked,
    forcedRenewals,
    tokenStoreChecked,
    metadata,
  } = state;
  const { health, outbox } = state;
  const record = <T extends { code: string; description: string }>(r: T): T => ({
    ...r,
    code: clipped(r.code, MAX_CODE_BYTES),
    description: clipped(r.description, MAX_DESCRIPTION_BYTES),
  });
  return defined({
    ...state,
    fingerprint: storedIdentity(fingerprint),
    guard: guard && record({ ...guard, credentialsVersion: storedIdentity(guard.credentialsVersion) }),
    pendingPrimary: pendingPrimary && {
      ...pendingPrimary,
      credentialsVersion: storedIdentity(pendingPrimary.credentialsVersion),
    },
    workingCredentialsVersion: workingCredentialsVersion && storedIdentity(workingCredentialsVersion),
    tokenStoreChecked: tokenStoreChecked && storedIdentity(tokenStoreChecked),
    blocked: blocked && record(blocked),
    forcedRenewals: keptForcedRenewals(forcedRenewals, now),
    // Dropped rather than cut: a cut URL would send tokens elsewhere; without it the run reads the metadata.
    metadata: metadata && KEPT_ENDPOINT.test(metadata.tokenEndpoint) ? metadata : undefined,
    health: health && boundHealth(health, now),
    outbox: boundOutbox(outbox, now),
  });
}

/** Bytes the state's ledger takes as the store writes it (JSON). */
export function ledgerBytes(state: PrivateState): number {
  return privateStateBytes(splitPrivateState(state).ledger);
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
export type RefreshChain = Pick<
  PrivateState,
  'v' | 'fingerprint' | 'refreshToken' | 'refreshExpiresAt' | 'connectedAt'
>;

/**
 * The two parts a state is stored in. The ledger (lockout memory, blocks, forced runs, all of it our
 * own words and times) changes on every primary grant and costs nothing to write as a String
 * parameter; the chain changes only with the refresh token, and only then is the SecureString
 * written (a KMS request each time).
 */
export function splitPrivateState(state: PrivateState): { ledger: PrivateState; chain: RefreshChain } {
  const { refreshToken, refreshExpiresAt, connectedAt, ...ledger } = state;
  const chain: RefreshChain = { v: 1, fingerprint: state.fingerprint };
  if (refreshToken === undefined) return { ledger, chain };
  return { ledger, chain: defined({ ...chain, refreshToken, refreshExpiresAt, connectedAt }) };
}

/**
 * Whether a state read from the SecureString holds more than a chain: a whole state as versions
 * before the split wrote it (this version writes only the chain there).
 */
export function isWholeState(state: PrivateState): boolean {
  const { ledger } = splitPrivateState(state);
  return Object.entries(ledger).some(([key, value]) => value !== undefined && key !== 'v' && key !== 'fingerprint');
}

/** The record of the two that was made last. */
function later<T extends { at: number }>(a: T | undefined, b: T | undefined): T | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return b.at > a.at ? b : a;
}

/**
 * The ledger's state with the lockout memory of a whole state (one an earlier version stored in the
 * SecureString) added: each side may hold what the other lacks, after a write that stopped between
 * the two parameters or after a rollback, and neither knows which is newer. Guards, attempt records
 * and blocks are joined, the latest of each kept (the state holds one of each, as a run keeps the
 * latest): a rejection recorded on either side holds. A block applies only under the settings it was
 * made with, so only a whole state made under the ledger's settings adds one. The credentials version
 * last accepted is kept only where both agree: without it, a run reads the secret.
 */
function mergeLockoutMemory(ledger: PrivateState, whole: PrivateState): PrivateState {
  const times = [ledger.lastPrimaryGrantAt, whole.lastPrimaryGrantAt].filter((t) => t !== undefined);
  const forced = [...(ledger.forcedRenewals ?? []), ...(whole.forcedRenewals ?? [])].sort((a, b) => a - b);
  const agreed = ledger.workingCredentialsVersion === whole.workingCredentialsVersion;
  return defined({
    ...ledger,
    lastPrimaryGrantAt: times.length > 0 ? Math.max(...times) : undefined,
    guard: later(ledger.guard, whole.guard),
    pendingPrimary: later(ledger.pendingPrimary, whole.pendingPrimary),
    blocked: whole.fingerprint === ledger.fingerprint ? later(ledger.blocked, whole.blocked) : ledger.blocked,
    workingCredentialsVersion: agreed ? ledger.workingCredentialsVersion : undefined,
    forcedRenewals: forced.length > 0 ? forced.slice(-FORCED_RENEWALS_KEPT.count) : undefined,
  });
}

/**
 * The state from its stored parts. Without a ledger the SecureString holds the whole state, as
 * versions before the split stored it. With both, the ledger's state counts, joined with the lockout
 * memory the SecureString holds when it holds a whole state (a write that stopped halfway during the
 * move to the ledger, or an earlier version run again): neither part's lockout memory is ever dropped.
 * The refresh token comes from the SecureString, the only part that holds one, and only when it was
 * made under the ledger's settings (a write that failed halfway may leave one of other settings).
 */
export function joinPrivateState(
  ledger: PrivateState | undefined,
  chain: PrivateState | undefined,
): PrivateState | undefined {
  if (ledger === undefined) return chain;
  const { refreshToken: _dropped, refreshExpiresAt: _also, connectedAt: _too, ...own } = ledger;
  const memory = chain !== undefined && isWholeState(chain) ? mergeLockoutMemory(own, chain) : own;
  if (chain?.refreshToken === undefined || chain.fingerprint !== ledger.fingerprint) return memory;
  return {
    ...memory,
    refreshToken: chain.refreshToken,
    ...(chain.refreshExpiresAt === undefined ? {} : { refreshExpiresAt: chain.refreshExpiresAt }),
    ...(chain.connectedAt === undefined ? {} : { connectedAt: chain.connectedAt }),
  };
}
