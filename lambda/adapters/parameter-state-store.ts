import { isDeepStrictEqual } from 'node:util';
import type { SSMClient } from '@aws-sdk/client-ssm';
import {
  isWholeState,
  joinPrivateState,
  type PrivateState,
  readPrivateState,
  type RefreshChain,
  splitPrivateState,
} from '../../contract/private-state.js';
import { STORE_MAX_BYTES } from '../../contract/published-token.js';
import type { Log, StateStore } from '../../core/ports.js';
import { SecureString } from './secure-string.js';
import { StringParameter } from './string-parameter.js';

export interface StateParameterNames {
  /** SecureString: the refresh token (and, before the ledger existed, the whole state). */
  readonly stateParameterName: string;
  /** String parameter: the ledger, everything in the state that is no secret. */
  readonly ledgerParameterName: string;
}

/**
 * The private state in two parameters only the function may read (contract/private-state.ts
 * splitPrivateState): a write puts each part only when it changed, so a primary grant's attempt
 * record costs no KMS request and the SecureString is written only with a new refresh token.
 */
export class ParameterStateStore implements StateStore {
  readonly maxBytes = STORE_MAX_BYTES.parameterstore;

  private readonly chainParameter: SecureString;
  private readonly ledgerParameter: StringParameter;
  /** The parts as this container last read or wrote them, so unchanged parts are not written again. */
  private storedLedger: unknown;
  private storedChain: string | undefined;
  /** Whether this container has read the SecureString at least once. */
  private chainRead = false;
  /** The last read found parts that disagree with what it returned (StateStore.rewriteDue). */
  private unsettled = false;

  constructor(
    client: SSMClient,
    names: StateParameterNames,
    private readonly log: Log,
    keyId?: string,
    /**
     * Settings that keep no refresh token read the SecureString once per container (to remove a
     * token kept under earlier settings), not on every run.
     */
    private readonly keepsRefreshToken = true,
  ) {
    this.chainParameter = new SecureString(client, names.stateParameterName, keyId);
    this.ledgerParameter = new StringParameter(client, names.ledgerParameterName);
  }

  async read(signal?: AbortSignal): Promise<PrivateState | undefined> {
    const ledgerText = await this.ledgerParameter.get(signal);
    const ledgerRead = ledgerText === undefined ? undefined : this.parse(ledgerText, this.ledgerParameter.name);
    const ledger = ledgerRead?.state;
    const readChain = ledger === undefined || this.keepsRefreshToken || !this.chainRead;
    const chainText = readChain ? await this.chainParameter.get(signal) : undefined;
    const chain = chainText === undefined ? undefined : this.parse(chainText, this.chainParameter.name).state;
    const joined = joinPrivateState(ledger, chain);
    // What is stored now, as the next write compares it. A whole state in the SecureString (stored
    // before the ledger existed, or by an earlier version run again) is replaced by its chain. Until
    // the ledger holds all the lockout memory the join found, the ledger is written first, so that
    // none of it is lost should the write stop halfway; then a missing or unreadable ledger is
    // written in full too.
    const whole = chain !== undefined && (ledger === undefined || isWholeState(chain));
    const ledgerHoldsAll =
      ledger !== undefined &&
      ledgerRead?.valid === true &&
      joined !== undefined &&
      isDeepStrictEqual(plain(splitPrivateState(joined).ledger), plain(ledger));
    this.storedLedger = ledgerHoldsAll ? plain(ledger) : undefined;
    if (readChain) {
      this.chainRead = true;
      this.storedChain = whole
        ? LEGACY_WHOLE_STATE
        : chainJson(chain === undefined ? undefined : splitPrivateState(chain).chain);
    }
    this.unsettled = this.storedChain === LEGACY_WHOLE_STATE || (ledgerRead !== undefined && !ledgerRead.valid);
    return joined;
  }

  /**
   * The state without its refresh token, read from the ledger alone, for a write that replaces the
   * refresh token (`token-refresher connect`, core/connection-state.ts): the SecureString is not
   * decrypted, so an operator needs no kms:Decrypt, and the next write puts the chain whatever it
   * holds. Only the ledger keeps lockout memory then; a SecureString without a ledger beside it may
   * hold a whole state an earlier version wrote, which only the function reads.
   * @throws StateNeedsFunctionRunError when the SecureString exists and the ledger does not
   */
  async readLedger(signal?: AbortSignal): Promise<PrivateState | undefined> {
    const ledgerText = await this.ledgerParameter.get(signal);
    if (ledgerText === undefined && (await this.chainParameter.exists(signal))) {
      throw new StateNeedsFunctionRunError(this.chainParameter.name, this.ledgerParameter.name);
    }
    const ledgerRead = ledgerText === undefined ? undefined : this.parse(ledgerText, this.ledgerParameter.name);
    const ledger = ledgerRead?.state;
    // As `read` keeps it; a ledger that could not be read whole is written first, in full.
    this.storedLedger = ledger !== undefined && ledgerRead?.valid === true ? plain(ledger) : undefined;
    this.storedChain = UNKNOWN;
    this.unsettled = false;
    return ledger;
  }

  rewriteDue(): boolean {
    return this.unsettled;
  }

  async write(state: PrivateState, signal?: AbortSignal): Promise<void> {
    const { ledger, chain } = splitPrivateState(state);
    const writeLedger = async () => {
      const ledgerValue = plain(ledger);
      if (isDeepStrictEqual(ledgerValue, this.storedLedger)) return;
      this.storedLedger = undefined;
      await this.ledgerParameter.put(JSON.stringify(ledger), signal);
      this.storedLedger = ledgerValue;
    };
    const writeChain = async () => {
      const chainText = chainJson(chain);
      if (chainText === this.storedChain) return;
      this.storedChain = UNKNOWN;
      await this.chainParameter.put(JSON.stringify(chain), signal);
      this.storedChain = chainText;
    };
    // The refresh token first, as the run persists it before publishing: if the ledger write then
    // fails, no attempt is on record that was never sent. But while the ledger does not hold all the
    // lockout memory (it may not exist yet, or an earlier version wrote a whole state after it), the
    // SecureString may hold the only copy of some of it: the ledger goes first then.
    if (this.storedLedger === undefined) {
      await writeLedger();
      await writeChain();
    } else {
      try {
        await writeChain();
      } catch (e) {
        // The refresh token could not be stored (a KMS throttle, say). What the ledger learned is still
        // worth storing when it settles an attempt or records a rejection: else the next run waits out
        // an attempt whose outcome this run saw. A new attempt record is not: nothing will be sent.
        if (!addsAttempt(ledger, this.storedLedger)) await writeLedger().catch(() => undefined);
        throw e;
      }
      await writeLedger();
    }
    this.unsettled = false;
  }

  private parse(text: string, name: string): { valid: boolean; state?: PrivateState } {
    const read = readPrivateState(text);
    if (!read.valid)
      this.log.warn('private state is unreadable; starting over without a refresh token', { parameter: name });
    return read;
  }
}

/**
 * The private state is still in the SecureString alone, as versions before the ledger stored it: it
 * may hold lockout memory that only the function can read (and move to the ledger on its next run).
 */
export class StateNeedsFunctionRunError extends Error {
  constructor(stateParameterName: string, ledgerParameterName: string) {
    super(
      `${stateParameterName} exists but ${ledgerParameterName} does not: the state was stored by an earlier version`,
    );
    this.name = 'StateNeedsFunctionRunError';
  }
}

/** The ledger puts an attempt on record that the stored one does not hold. */
function addsAttempt(ledger: PrivateState, stored: unknown): boolean {
  const { pendingPrimary } = ledger;
  const before = (stored as Partial<PrivateState> | undefined)?.pendingPrimary;
  return pendingPrimary !== undefined && !isDeepStrictEqual(plain(pendingPrimary), before);
}

/** The SecureString holds a whole state, as stored before the ledger: rewritten on the first write. */
const LEGACY_WHOLE_STATE = 'legacy whole state';
/** A write of the SecureString failed halfway: whatever it holds now, the next write puts it again. */
const UNKNOWN = 'unknown';

/** The value as JSON stores it (no undefined fields), for comparisons that ignore key order. */
function plain(value: object): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** What identifies a chain for comparison; undefined when it holds no refresh token (nothing worth writing). */
function chainJson(chain: RefreshChain | undefined): string | undefined {
  if (chain?.refreshToken === undefined) return undefined;
  return JSON.stringify([
    chain.fingerprint,
    chain.refreshToken,
    chain.refreshExpiresAt ?? null,
    chain.connectedAt ?? null,
  ]);
}
