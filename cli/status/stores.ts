import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { secretsManagerStore } from '../../consumer/stores/secrets-manager.js';
import { ssmStore } from '../../consumer/stores/ssm.js';
import type { TokenStoreReader } from '../../consumer/stores/store.js';
import { joinPrivateState, readPrivateState } from '../../contract/private-state.js';
import { checkPublishedToken } from '../../contract/published-token.js';
import { parseTokenSource } from '../../contract/token-source.js';
import { describeErrorName } from '../../contract/error-name.js';

/** A status read that takes longer than this is shown as unreadable rather than holding up the table. */
const AWS_READ_TIMEOUT_MS = 10_000;

/**
 * Reads the published token and the function's private state for `status`. The token is a secret,
 * and so is the refresh token in a state stored before its ledger existed: they are parsed and
 * reduced at once to timestamps and codes, so no secret value is ever kept, returned or printed. A read that fails becomes a value to show
 * ("? (AccessDeniedException)"), never a failure of the whole command.
 */

export type TokenView =
  | { readonly state: 'published'; readonly expiresAt: number; readonly issuedAt: number; readonly scope?: string }
  | { readonly state: 'not-published' }
  /** The store holds something that is not a published token (the function will replace it). */
  | { readonly state: 'invalid' }
  | { readonly state: 'unreadable'; readonly error: string };

export interface Recorded {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly code: string;
  readonly description: string;
}

export type StateView =
  /** The function has not written its state yet. */
  | { readonly state: 'none' }
  | { readonly state: 'ok'; readonly guard?: Recorded; readonly blocked?: Recorded }
  | { readonly state: 'invalid' }
  | { readonly state: 'unreadable'; readonly error: string };

/** One read of a secret or SecureString through the consumer reader's stores: found text, or absent. */
async function readText(store: TokenStoreReader): Promise<string | undefined> {
  const read = await store.read(AbortSignal.timeout(AWS_READ_TIMEOUT_MS));
  return read.found ? read.text : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function readTokenView(
  clients: { secretsManager: SecretsManagerClient; ssm: SSMClient },
  tokenSource: string,
): Promise<TokenView> {
  const parsed = parseTokenSource(tokenSource);
  if (!parsed.ok || parsed.value.kind === 'file') return { state: 'unreadable', error: 'unknown tokenSource' };
  const source = parsed.value;
  let text: string | undefined;
  try {
    text = await readText(
      source.kind === 'secretsmanager'
        ? secretsManagerStore(tokenSource, source.secretId, { client: clients.secretsManager })
        : ssmStore(source.parameterName, { client: clients.ssm }),
    );
  } catch (error) {
    return { state: 'unreadable', error: describeErrorName(error) };
  }
  if (text === undefined) return { state: 'not-published' };
  const checked = checkPublishedToken(parseJson(text));
  if (!checked.ok) return { state: 'invalid' };
  const { expires_at, issued_at, scope } = checked.value;
  return { state: 'published', expiresAt: expires_at, issuedAt: issued_at, ...(scope === undefined ? {} : { scope }) };
}

/**
 * The guard and block from the state's ledger (a String parameter, no secret in it), or from the
 * SecureString of a function that has not written a readable ledger yet, read and joined as the
 * function reads them (contract/private-state.ts). The SecureString is not read beside a ledger: only
 * the function can decrypt it, and the function writes into the ledger any lockout memory it finds
 * there (a write that stopped halfway, an earlier version run again) on its next run.
 */
export async function readStateView(
  ssm: SSMClient,
  parameters: { readonly ledger?: string; readonly state: string },
): Promise<StateView> {
  let ledger: ReturnType<typeof readPrivateState> | undefined;
  let chain: ReturnType<typeof readPrivateState> | undefined;
  try {
    const ledgerText =
      parameters.ledger === undefined ? undefined : await readText(ssmStore(parameters.ledger, { client: ssm }));
    ledger = ledgerText === undefined ? undefined : readPrivateState(ledgerText);
    if (ledger?.state === undefined) {
      const stateText = await readText(ssmStore(parameters.state, { client: ssm }));
      chain = stateText === undefined ? undefined : readPrivateState(stateText);
    }
  } catch (error) {
    return { state: 'unreadable', error: describeErrorName(error) };
  }
  if (ledger === undefined && chain === undefined) return { state: 'none' };
  const joined = joinPrivateState(ledger?.state, chain?.state);
  if (joined === undefined) return { state: 'invalid' };
  const { guard, blocked } = joined;
  const record = (r: Recorded): Recorded => ({ at: r.at, code: r.code, description: r.description });
  return {
    state: 'ok',
    ...(guard ? { guard: record(guard) } : {}),
    ...(blocked ? { blocked: record(blocked) } : {}),
  };
}
