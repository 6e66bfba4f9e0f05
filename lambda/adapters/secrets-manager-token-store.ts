import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { checkPublishedToken, type PublishedToken, STORE_MAX_BYTES } from '../../contract/published-token.js';
import type { Log, PublishedTokenStore } from '../../core/ports.js';
import { errorNameOf } from '../../contract/error-name.js';

/**
 * The published token in a Secrets Manager secret, addressed by name. The function creates it on its
 * first write (like the SSM parameter), so the token belongs to no stack and survives any regrouping;
 * a secret an earlier version's stack created under the same name is simply written to.
 */
export class SecretsManagerTokenStore implements PublishedTokenStore {
  readonly kind = 'secretsmanager';
  readonly maxBytes = STORE_MAX_BYTES.secretsmanager;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
    private readonly log: Log,
    /** Customer-managed key for a secret the function creates; absent: `aws/secretsmanager`. */
    private readonly keyId?: string,
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
    const value = JSON.stringify(token);
    const put = () =>
      this.client.send(new PutSecretValueCommand({ SecretId: this.secretId, SecretString: value }), {
        abortSignal: signal,
      });
    try {
      await put();
      return;
    } catch (e) {
      if (errorNameOf(e) !== 'ResourceNotFoundException') throw e;
    }
    try {
      const create = new CreateSecretCommand({
        Name: this.secretId,
        SecretString: value,
        Description: 'OAuth access token published by token-refresher; read-only for consumers',
        ...(this.keyId ? { KmsKeyId: this.keyId } : {}),
      });
      await this.client.send(create, { abortSignal: signal });
    } catch (e) {
      // Created meanwhile (a forced run beside a scheduled one): write to it like any other time.
      if (errorNameOf(e) !== 'ResourceExistsException') throw e;
      await put();
    }
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
