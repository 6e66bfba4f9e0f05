import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type Credentials, type CredentialsSource, CredentialsUnavailableError } from '../../core/ports.js';
import { CREDENTIALS_CACHE_SECONDS, credentialsValues } from '../../contract/credentials.js';
import { errorNameOf } from '../../contract/error-name.js';

/**
 * Operators' credentials: a JSON object of strings, e.g. `{"username": "...", "password": "..."}`.
 * A container keeps the last good read for CREDENTIALS_CACHE_SECONDS and answers from it when the
 * core asks for the version it holds: a 1-minute client_credentials renewal then reads the secret
 * once in five runs.
 */
export class SecretsManagerCredentials implements CredentialsSource {
  private cached: { credentials: Credentials; readAtMs: number } | undefined;

  constructor(
    private readonly client: SecretsManagerClient,
    readonly secretId: string,
    private readonly now: () => number = Date.now,
  ) {}

  async read(signal?: AbortSignal, options?: { readonly cachedVersion?: string }): Promise<Credentials> {
    const { cached } = this;
    if (cached !== undefined && cached.credentials.versionId === options?.cachedVersion) {
      const age = this.now() - cached.readAtMs;
      if (age >= 0 && age < CREDENTIALS_CACHE_SECONDS * 1000) return cached.credentials;
    }
    this.cached = undefined;
    const readAtMs = this.now();
    const credentials = await this.fetch(signal);
    this.cached = { credentials, readAtMs };
    return credentials;
  }

  private async fetch(signal: AbortSignal | undefined): Promise<Credentials> {
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
    if (!checked.ok) throw new CredentialsUnavailableError('credentials_malformed', checked.error);
    return { versionId: answer.VersionId ?? 'unknown', values: checked.value };
  }
}
