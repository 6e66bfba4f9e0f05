import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { checkPublishedToken, type PublishedToken, STORE_MAX_BYTES } from '../../contract/published-token.js';
import type { Log, PublishedTokenStore } from '../../core/ports.js';
import { errorNameOf } from '../../contract/error-name.js';

/** The published token in a Secrets Manager secret the stack created without a value. */
export class SecretsManagerTokenStore implements PublishedTokenStore {
  readonly kind = 'secretsmanager';
  readonly maxBytes = STORE_MAX_BYTES.secretsmanager;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
    private readonly log: Log,
  ) {}

  async read(signal?: AbortSignal): Promise<PublishedToken | undefined> {
    let value: string | undefined;
    try {
      const command = new GetSecretValueCommand({ SecretId: this.secretId });
      value = (await this.client.send(command, { abortSignal: signal })).SecretString;
    } catch (e) {
      // A secret created without a value answers ResourceNotFoundException until the first write.
      if (errorNameOf(e) === 'ResourceNotFoundException') return undefined;
      throw e;
    }
    return parsePublished(value, this.log);
  }

  async write(token: PublishedToken, signal?: AbortSignal): Promise<void> {
    const command = new PutSecretValueCommand({ SecretId: this.secretId, SecretString: JSON.stringify(token) });
    await this.client.send(command, { abortSignal: signal });
  }
}

/** A stored value that is not a published token is treated as absent, so the next write replaces it. */
export function parsePublished(value: string | undefined, log: Log): PublishedToken | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    const checked = checkPublishedToken(JSON.parse(value));
    if ('token' in checked) return checked.token;
  } catch {
    // not JSON
  }
  log.warn('the published token store holds something that is not a published token; it will be replaced');
  return undefined;
}
