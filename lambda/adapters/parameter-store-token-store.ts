import { GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { type PublishedToken, STORE_MAX_BYTES } from '../../contract/published-token.js';
import type { Log, PublishedTokenStore } from '../../core/ports.js';
import { errorNameOf } from '../../contract/error-name.js';
import { parsePublished } from './secrets-manager-token-store.js';

/** Reads a SecureString, undefined while it does not exist (CloudFormation cannot create SecureStrings). */
export async function getSecureString(
  client: SSMClient,
  name: string,
  signal?: AbortSignal,
): Promise<string | undefined> {
  try {
    const command = new GetParameterCommand({ Name: name, WithDecryption: true });
    return (await client.send(command, { abortSignal: signal })).Parameter?.Value;
  } catch (e) {
    if (errorNameOf(e) === 'ParameterNotFound') return undefined;
    throw e;
  }
}

/** Creates or overwrites a SecureString, with `keyId` or else the account's default `aws/ssm` key. */
export async function putSecureString(
  client: SSMClient,
  name: string,
  value: string,
  keyId?: string,
  signal?: AbortSignal,
): Promise<void> {
  await client.send(
    new PutParameterCommand({
      Name: name,
      Value: value,
      Type: 'SecureString',
      Overwrite: true,
      Tier: 'Intelligent-Tiering',
      ...(keyId ? { KeyId: keyId } : {}),
    }),
    { abortSignal: signal },
  );
}

/** The published token in a SecureString parameter: fine for tokens renewed every few minutes. */
export class ParameterStoreTokenStore implements PublishedTokenStore {
  readonly kind = 'parameterstore';
  readonly maxBytes = STORE_MAX_BYTES.parameterstore;

  constructor(
    private readonly client: SSMClient,
    private readonly name: string,
    private readonly log: Log,
    private readonly keyId?: string,
  ) {}

  async read(signal?: AbortSignal): Promise<PublishedToken | undefined> {
    return parsePublished(await getSecureString(this.client, this.name, signal), this.log);
  }

  async write(token: PublishedToken, signal?: AbortSignal): Promise<void> {
    await putSecureString(this.client, this.name, JSON.stringify(token), this.keyId, signal);
  }
}
