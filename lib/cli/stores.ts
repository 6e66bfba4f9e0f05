import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { getSecureString } from '../../lambda/adapters/parameter-store-token-store';
import { privateStateSchema } from '../../lambda/core/private-state';
import { publishedTokenSchema } from '../../lib/schema/published-token';
import { errorName } from './errors';

/**
 * Reads the published token and the function's private state for `status`. Both hold secrets (the
 * access token, the refresh token): they are parsed and reduced at once to timestamps and codes, so
 * no secret value is ever kept, returned or printed. A read that fails becomes a value to show
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

export type TokenSource = { readonly kind: 'secretsmanager' | 'parameterstore'; readonly id: string };

/** `secretsmanager:<arn>` or `ssm:<name>` (the manifest's `tokenSource`). */
export function parseTokenSource(source: string): TokenSource | undefined {
  const match = /^(secretsmanager|ssm):(.+)$/.exec(source);
  if (!match) return undefined;
  return { kind: match[1] === 'ssm' ? 'parameterstore' : 'secretsmanager', id: match[2]! };
}

async function readSecretString(client: SecretsManagerClient, secretId: string): Promise<string | undefined> {
  try {
    return (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
  } catch (error) {
    // The stack creates the token secret without a value; it has none until the first publish.
    if (errorName(error) === 'ResourceNotFoundException') return undefined;
    throw error;
  }
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
  const source = parseTokenSource(tokenSource);
  if (!source) return { state: 'unreadable', error: 'unknown tokenSource' };
  let text: string | undefined;
  try {
    text =
      source.kind === 'secretsmanager'
        ? await readSecretString(clients.secretsManager, source.id)
        : await getSecureString(clients.ssm, source.id);
  } catch (error) {
    return { state: 'unreadable', error: errorName(error) };
  }
  if (text === undefined || text === '') return { state: 'not-published' };
  const parsed = publishedTokenSchema.safeParse(parseJson(text));
  if (!parsed.success) return { state: 'invalid' };
  const { expires_at, issued_at, scope } = parsed.data;
  return { state: 'published', expiresAt: expires_at, issuedAt: issued_at, ...(scope === undefined ? {} : { scope }) };
}

export async function readStateView(ssm: SSMClient, parameterName: string): Promise<StateView> {
  let text: string | undefined;
  try {
    text = await getSecureString(ssm, parameterName);
  } catch (error) {
    return { state: 'unreadable', error: errorName(error) };
  }
  if (text === undefined) return { state: 'none' };
  const parsed = privateStateSchema.safeParse(parseJson(text));
  if (!parsed.success) return { state: 'invalid' };
  const { guard, blocked } = parsed.data;
  const record = (r: Recorded): Recorded => ({ at: r.at, code: r.code, description: r.description });
  return {
    state: 'ok',
    ...(guard ? { guard: record(guard) } : {}),
    ...(blocked ? { blocked: record(blocked) } : {}),
  };
}
