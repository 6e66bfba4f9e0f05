import type { ProviderSettings } from '../../contract/provider-settings.js';
import type { Failure } from '../../contract/failure.js';
import type { PrivateState } from '../../contract/private-state.js';
import type { Note, RefreshResultJson } from '../../contract/refresh-result.js';
import type {
  AssertionSigner,
  Clock,
  EventPublisher,
  CredentialsSource,
  GrantName,
  Log,
  MetadataSource,
  PublishedTokenStore,
  Sleep,
  StateStore,
  TokenEndpoint,
} from '../ports.js';

export interface RefreshDeps {
  readonly settings: ProviderSettings;
  readonly tokenStore: PublishedTokenStore;
  readonly stateStore: StateStore;
  readonly credentials: CredentialsSource;
  readonly endpoint: TokenEndpoint;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly log: Log;
  readonly random?: () => number;
  /**
   * The KMS key that signs assertions (private_key_jwt, the jwt_bearer grant) when the settings say
   * `assertion.signingKey: "kms"`; lambda/config.ts builds it. Otherwise the key in the credentials
   * secret signs (core/signers/credentials-key.ts).
   */
  readonly signingKey?: AssertionSigner;
  /** `size` fresh random bytes, for each assertion's `jti`; the platform's CSPRNG unless a test sets it. */
  readonly randomBytes?: (size: number) => Uint8Array;
  /** Reads the issuer's metadata; needed by settings that name an `issuer` (core/run/discovery-step.ts). */
  readonly metadata?: MetadataSource;
  /** The container's copy of the last good metadata, beside the one the private state keeps. */
  readonly metadataMemory?: MetadataMemory;
  /** Longest wait for one AWS call (store, state, credentials); AWS_CALL_TIMEOUT_MS unless a test sets it. */
  readonly awsCallTimeoutMs?: number;
  /** Lifecycle events on transitions (core/run/events.ts); absent: none are recorded or sent. */
  readonly events?: EventsDeps;
}

/** Made once per container (or local provider) and handed to every run. */
export interface MetadataMemory {
  current?: { readonly fingerprint: string; readonly metadata: NonNullable<PrivateState['metadata']> };
}

export interface RefreshInput {
  /** Renew now even when the token is not due (an operator's `{"force": true}`); the lockout guard still applies. */
  readonly force?: boolean;
  /** Epoch ms by which token requests must be over, so the result can still be stored. */
  readonly deadlineMs: number;
  /** Epoch ms by which the run must be over, AWS calls included; `deadlineMs + STORE_RESERVE_MS` if absent. */
  readonly endMs?: number;
}

/** What the function returns (contract/refresh-result.ts; README "Function event and result"). */
export interface RefreshResult extends RefreshResultJson {
  readonly provider: string;
  readonly outcome: 'fresh' | 'refreshed' | 'failed' | 'pending';
  readonly grant?: GrantName;
  readonly expiresAt?: number;
  readonly error?: Failure;
  /** Something operators should know about a run that did not fail (a dropped refresh token, a limited forced run). */
  readonly note?: Note;
}

/** One token request of the run, for the latency metric. */
export interface Attempt {
  readonly grant: GrantName;
  readonly latencyMs: number;
  readonly outcome: string;
}

/** The result plus what metrics need. */
export interface RunReport {
  readonly result: RefreshResult;
  /** Seconds the published token has left after the run; 0 when there is none. */
  readonly secondsRemaining: number;
  readonly attempts: readonly Attempt[];
  readonly credentialsRejected: boolean;
  /** The lockout guard holds the current credentials version: nothing is sent until operators change the secret. */
  readonly guardEngaged: boolean;
  /** A configuration error blocks scheduled runs (also reported on runs that find the token fresh). */
  readonly configurationBlocked: boolean;
  /** Pending setup: the credentials secret never held a value and no token was ever published. */
  readonly waitingForCredentials: boolean;
  /** A provider that lives on its refresh token lost it (`reconnect_needed`): nothing is sent until someone connects. */
  readonly reconnectNeeded?: boolean;
  readonly tokenWrites: number;
  /** Lifecycle events left undelivered (or dropped) after the run; the next run retries (core/run/events.ts). */
  readonly eventsUndelivered?: number;
}

/** Where a refresher's events go, and which it sends (the runtime configuration's `events`). */
export interface EventsDeps {
  readonly publisher: EventPublisher;
  /** The stage every event names (`default` for the default stage). */
  readonly stage: string;
  /** Tells deployments apart in event ids: the ledger parameter's name, unique per stage, prefix and provider. */
  readonly scope: string;
  /** Also an event on every renewal. */
  readonly tokenRenewed: boolean;
}
