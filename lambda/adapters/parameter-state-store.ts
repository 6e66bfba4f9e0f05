import { isDeepStrictEqual } from 'node:util';
import type { SSMClient } from '@aws-sdk/client-ssm';
import {
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

  constructor(
    client: SSMClient,
    names: StateParameterNames,
    private readonly log: Log,
    keyId?: string,
    /** Settings that never keep a refresh token have no chain to read once the ledger exists. */
    private readonly keepsRefreshToken = true,
  ) {
    this.chainParameter = new SecureString(client, names.stateParameterName, keyId);
    this.ledgerParameter = new StringParameter(client, names.ledgerParameterName);
  }

  async read(signal?: AbortSignal): Promise<PrivateState | undefined> {
    const ledgerText = await this.ledgerParameter.get(signal);
    const ledger = ledgerText === undefined ? undefined : this.parse(ledgerText, this.ledgerParameter.name);
    const chainText =
      ledger === undefined || this.keepsRefreshToken ? await this.chainParameter.get(signal) : undefined;
    const chain = chainText === undefined ? undefined : this.parse(chainText, this.chainParameter.name);
    const state = joinPrivateState(ledger, chain);
    // What is stored now, as the next write compares it: a ledger that is missing or unreadable is
    // written in full; the chain as the state holds it (a legacy whole state counts by its token).
    this.storedLedger = ledger === undefined ? undefined : plain(ledger);
    this.storedChain = chainJson(chain === undefined ? undefined : splitPrivateState(chain).chain);
    return state;
  }

  async write(state: PrivateState, signal?: AbortSignal): Promise<void> {
    const { ledger, chain } = splitPrivateState(state);
    // The ledger first: before it exists, the SecureString may still hold a whole state with the
    // lockout memory, which a chain written first would overwrite.
    const ledgerValue = plain(ledger);
    if (!isDeepStrictEqual(ledgerValue, this.storedLedger)) {
      this.storedLedger = undefined;
      await this.ledgerParameter.put(JSON.stringify(ledger), signal);
      this.storedLedger = ledgerValue;
    }
    const chainText = chainJson(chain);
    if (chainText !== this.storedChain) {
      this.storedChain = 'unknown';
      await this.chainParameter.put(JSON.stringify(chain), signal);
      this.storedChain = chainText;
    }
  }

  private parse(text: string, name: string): PrivateState | undefined {
    const read = readPrivateState(text);
    if (!read.valid)
      this.log.warn('private state is unreadable; starting over without a refresh token', { parameter: name });
    return read.state;
  }
}

/** The value as JSON stores it (no undefined fields), for comparisons that ignore key order. */
function plain(value: object): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** What identifies a chain for comparison; undefined when it holds no refresh token (nothing worth writing). */
function chainJson(chain: RefreshChain | undefined): string | undefined {
  if (chain?.refreshToken === undefined) return undefined;
  return JSON.stringify([chain.fingerprint, chain.refreshToken, chain.refreshExpiresAt ?? null]);
}
