import type { PrivateState } from '../contract/private-state.js';
import type { ProviderSettings } from '../contract/provider-settings.js';
import { settingsFingerprint } from './fingerprint.js';
import type { StateStore } from './ports.js';

/** A refresh token a person obtained (`token-refresher connect`), as the token endpoint answered it. */
export interface Connection {
  readonly refreshToken: string;
  /** Seconds the refresh token lives, when the IdP said (`refresh_expires_in`). */
  readonly refreshExpiresIn?: number | undefined;
}

/**
 * The private state once a person connected the provider: the stored state with the new chain,
 * stamped `connectedAt` so that a run already under way keeps it (core/run/connection.ts). A block
 * is lifted (the connection is what it waited for); the lockout memory, the health and undelivered
 * events stay, as a run keeps them under new settings (core/run/state-ledger.ts `load`).
 */
export function connectedState(
  stored: PrivateState | undefined,
  settings: ProviderSettings,
  connection: Connection,
  nowMs: number,
): PrivateState {
  const fingerprint = settingsFingerprint(settings);
  const kept: PrivateState =
    stored === undefined
      ? { v: 1, fingerprint }
      : stored.fingerprint === fingerprint
        ? { ...stored, blocked: undefined, disconnectedAt: undefined }
        : {
            v: 1,
            fingerprint,
            lastPrimaryGrantAt: stored.lastPrimaryGrantAt,
            guard: stored.guard,
            pendingPrimary: stored.pendingPrimary,
            forcedRenewals: stored.forcedRenewals,
            health: stored.health,
            outbox: stored.outbox,
          };
  const { refreshExpiresIn } = connection;
  const refreshExpiresAt = refreshExpiresIn === undefined ? undefined : Math.floor(nowMs / 1000) + refreshExpiresIn;
  const state = { ...kept, refreshToken: connection.refreshToken, refreshExpiresAt, connectedAt: nowMs };
  return Object.fromEntries(Object.entries(state).filter(([, v]) => v !== undefined)) as PrivateState;
}

/**
 * A store that can give its state without the refresh token, without decrypting anything
 * (lambda/adapters/parameter-state-store.ts): a connection replaces the refresh token, so whoever
 * connects needs no right to read the old one (the stage key lets operators encrypt a state, never
 * decrypt it: lib/private/refresher-key.ts). A store without it is read whole.
 */
export type ConnectionStore = StateStore & {
  readLedger?(signal?: AbortSignal): Promise<PrivateState | undefined>;
};

/**
 * Writes a connection through the store the refresher reads (the same adapter, parameters and KMS
 * key): the next run renews with it. Nothing here reads the old refresh token from a store that can
 * do without, nor presents the new one to the IdP.
 */
export async function writeConnection(
  store: ConnectionStore,
  settings: ProviderSettings,
  connection: Connection,
  nowMs: number,
): Promise<PrivateState> {
  const stored = store.readLedger ? await store.readLedger() : await store.read();
  const state = connectedState(stored, settings, connection, nowMs);
  await store.write(state);
  return state;
}
