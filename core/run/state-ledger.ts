import { err, ok, type Result } from '../../base/result.js';
import { type Failure, failure } from '../../contract/failure.js';
import {
  boundPrivateState,
  LEDGER_MAX_BYTES,
  ledgerBytes,
  type PrivateState,
  privateStateBytes,
} from '../../contract/private-state.js';
import type { Note } from '../../contract/refresh-result.js';
import type { Clock, GrantName, Log, StateStore } from '../ports.js';
import type { Redactor } from '../redactor.js';
import { type AwsCall, errorName } from './aws-call.js';

/** What the ledger needs from the run. */
export interface LedgerDeps {
  readonly store: StateStore;
  readonly aws: AwsCall;
  readonly clock: Clock;
  /** The run's redacted log. */
  readonly log: Log;
  /** Learns the stored refresh token before anything is logged. */
  readonly redactor: Redactor;
  /** The provider's primary grant, named when a refresh token is not kept. */
  readonly grant: GrantName;
}

/** The state with every recorded time after `now` moved back to `now`; the same object when none is. */
function notInFuture(state: PrivateState, now: number): PrivateState {
  const { lastPrimaryGrantAt, guard, pendingPrimary, blocked } = state;
  const late = (at: number | undefined) => at !== undefined && at > now;
  if (![lastPrimaryGrantAt, guard?.at, pendingPrimary?.at, blocked?.at].some(late)) return state;
  return {
    ...state,
    ...(late(lastPrimaryGrantAt) ? { lastPrimaryGrantAt: now } : {}),
    ...(guard && late(guard.at) ? { guard: { ...guard, at: now } } : {}),
    ...(pendingPrimary && late(pendingPrimary.at) ? { pendingPrimary: { ...pendingPrimary, at: now } } : {}),
    ...(blocked && late(blocked.at) ? { blocked: { ...blocked, at: now } } : {}),
  };
}

/**
 * The function's private state during one run (contract/private-state.ts). It owns its changes: an
 * `update` is one the store must learn, and `save` writes the state only when one is unsaved, after
 * the size rules (the bound on every write, and a refresh token too large to keep). A `carry` rides
 * along with the next write without calling for one of its own.
 */
export class StateLedger {
  private current: PrivateState;
  /** The store does not hold what `current` holds, and must. */
  private unsaved = false;
  private droppedRefreshToken: Note | undefined;
  private wasLoaded = false;

  constructor(
    private readonly deps: LedgerDeps,
    /** Of the provider settings the run has (core/fingerprint.ts). */
    private readonly fingerprint: string,
  ) {
    this.current = { v: 1, fingerprint };
  }

  get state(): PrivateState {
    return this.current;
  }

  /** Whether `state` is what the store holds: only then may a run decide on what it recorded (core/run/events.ts). */
  get loaded(): boolean {
    return this.wasLoaded;
  }

  /** `refresh_token_not_kept` once a save left out a refresh token too large for the store. */
  get note(): Note | undefined {
    return this.droppedRefreshToken;
  }

  /**
   * Reads the stored state, and says whether it was made under other provider settings. Times in
   * the future are read as now; such a state, one over its bound and one the store asks to have
   * rewritten are written back by the run's next save. New settings void the refresh token and a
   * configuration block, never the lockout memory (only a new version of the credentials secret
   * lifts the guard) nor the store's spent write budget.
   */
  async load(): Promise<Result<{ readonly settingsChanged: boolean }, Failure>> {
    let stored: PrivateState | undefined;
    try {
      stored = await this.deps.aws((signal) => this.deps.store.read(signal));
    } catch (e) {
      return err(failure('store', 'state_read_failed', `could not read the private state (${errorName(e)})`));
    }
    this.deps.redactor.add(stored?.refreshToken);
    if (stored) stored = this.repaired(stored);
    if (this.deps.store.rewriteDue?.()) this.unsaved = true;
    const settingsChanged = stored !== undefined && stored.fingerprint !== this.fingerprint;
    if (stored && !settingsChanged) this.current = stored;
    else if (stored) {
      // The provider's health and its undelivered events outlive a settings change too (core/run/events.ts).
      const { lastPrimaryGrantAt, guard, pendingPrimary, forcedRenewals, health, outbox } = stored;
      this.current = { ...this.current, lastPrimaryGrantAt, guard, pendingPrimary, forcedRenewals, health, outbox };
    }
    this.wasLoaded = true;
    return ok({ settingsChanged });
  }

  private repaired(stored: PrivateState): PrivateState {
    const clamped = notInFuture(stored, this.deps.clock.now());
    if (clamped !== stored) {
      // A clock that ran ahead, or a hand-edited state: a time in the future would hold renewals for as long.
      this.deps.log.warn('private state holds times in the future; read as now', { code: 'state_time_in_future' });
      this.unsaved = true;
    }
    // An earlier version's ledger may have grown past the bound (forced renewals were once kept
    // without a count): the run writes it back bounded, so it never stops a renewal.
    if (ledgerBytes(clamped) > LEDGER_MAX_BYTES) {
      this.deps.log.warn('private state over its bound; written back pruned', { code: 'state_pruned' });
      this.unsaved = true;
    }
    return clamped;
  }

  /** A change the store must learn: the next save writes it. */
  update(patch: Partial<PrivateState>): void {
    this.current = { ...this.current, ...patch };
    this.unsaved = true;
  }

  /**
   * A change that calls for no write of its own: it is stored only if something else is. An attempt
   * settled by a transient failure stays on record, say, unless the run writes the state anyway.
   */
  carry(patch: Partial<PrivateState>): void {
    this.current = { ...this.current, ...patch };
  }

  /**
   * Puts an attempt on record (`patch`) and saves it, before the request is sent: if the outcome is
   * then lost (a failed state write, a timeout), the next run knows the credentials may have been
   * counted, and waits. When the record could not be saved, nothing is sent, so the state goes back
   * to what it was without the record; it stays unsaved.
   */
  async record(patch: Partial<PrivateState>): Promise<Failure | undefined> {
    const unrecorded = this.current;
    this.update(patch);
    const failed = await this.save();
    if (failed) this.current = unrecorded;
    return failed;
  }

  /** Writes the state if it holds an unsaved change; the failure when it cannot. */
  async save(): Promise<Failure | undefined> {
    if (!this.unsaved) return undefined;
    // The one place a state is bounded before it is stored (contract/private-state.ts).
    this.current = boundPrivateState(this.current, this.deps.clock.now());
    const { maxBytes } = this.deps.store;
    const bytes = privateStateBytes(this.current);
    if (bytes > maxBytes && this.current.refreshToken !== undefined) this.dropRefreshToken(bytes, maxBytes);
    const size = privateStateBytes(this.current);
    if (size > maxBytes) {
      return failure('store', 'state_too_large', `the private state would be ${size} bytes, more than ${maxBytes}`);
    }
    try {
      const state = this.current;
      await this.deps.aws((signal) => this.deps.store.write(state, signal));
      this.unsaved = false;
      return undefined;
    } catch (e) {
      return failure(
        'store',
        'state_write_failed',
        `could not write the private state (${errorName(e)}); nothing was published, the next run retries`,
      );
    }
  }

  /**
   * Keeping the login beats keeping the refresh token: the token is still published, the lockout
   * memory is still saved, and the next renewal is a primary grant instead of a refresh.
   */
  private dropRefreshToken(bytes: number, maxBytes: number): void {
    this.current = { ...this.current, refreshToken: undefined, refreshExpiresAt: undefined };
    this.droppedRefreshToken = {
      code: 'refresh_token_not_kept',
      description:
        `the refresh token would make the private state ${bytes} bytes, more than the ${maxBytes} its parameter holds; ` +
        `it is not kept, so every renewal is a ${this.deps.grant} grant`,
    };
    this.deps.log.warn('refresh token too large for the private state; not kept', {
      ...this.droppedRefreshToken,
      stateBytes: bytes,
    });
  }
}
