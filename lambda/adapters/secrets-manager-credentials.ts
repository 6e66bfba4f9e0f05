import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type Credentials, type CredentialsSource, CredentialsUnavailableError } from '../../core/ports.js';
import { credentialsValues } from '../../contract/credentials.js';
import { errorNameOf } from '../../contract/error-name.js';

/** Operators' credentials: a JSON object of strings, e.g. `{"username": "...", "password": "..."}`. */
export class SecretsManagerCredentials implements CredentialsSource {
  constructor(
    private readonly client: SecretsManagerClient,
    readonly secretId: string,
  ) {}

  async read(signal?: AbortSignal): Promise<Credentials> {
    const { secretId } = this;
    let answer: { SecretString?: string; VersionId?: string };
    try {
      answer = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }), { abortSignal: signal });
    } catch (e) {
      if (errorNameOf(e) === 'ResourceNotFoundException') {
        throw new CredentialsUnavailableError(
          'credentials_not_found',
          `credentials secret "${secretId}" does not exist or has no value yet; put the credentials JSON into it`,
        );
      }
      throw e;
    }
    const text = answer.SecretString?.trim();
    if (!text) {
      throw new CredentialsUnavailableError(
        'credentials_empty',
        `credentials secret "${secretId}" is empty; put the credentials JSON into it`,
      );
    }
    let values: unknown;
    try {
      values = JSON.parse(text);
    } catch {
      // Never echo the value: it may be the bare password.
      throw new CredentialsUnavailableError(
        'credentials_malformed',
        `credentials secret "${secretId}" is not JSON; it must be a JSON object of strings`,
      );
    }
    const checked = credentialsValues(values, `credentials secret "${secretId}"`);
    if (typeof checked === 'string') throw new CredentialsUnavailableError('credentials_malformed', checked);
    return { versionId: answer.VersionId ?? 'unknown', values: checked };
  }
}
