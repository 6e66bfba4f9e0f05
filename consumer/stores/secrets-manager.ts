import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { TokenMalformedError } from '../errors.js';
import { errorNameOf } from '../../contract/error-name.js';
import { defaultClient, type StoreRead, type TokenStoreReader } from './store.js';

/** Default clients by region ('' = the environment's region), shared by every reader in the process. */
const defaultClients = new Map<string, SecretsManagerClient>();

/**
 * Reads a Secrets Manager secret with `GetSecretValue`. The SDK module is imported on first use, so
 * a consumer of a Parameter Store token never loads it.
 */
export function secretsManagerStore(
  tokenSource: string,
  secretId: string,
  options: { client?: SecretsManagerClient; region?: string },
): TokenStoreReader {
  return {
    async read(signal): Promise<StoreRead> {
      const sdk = await import('@aws-sdk/client-secrets-manager');
      const client = options.client ?? defaultClient(defaultClients, sdk.SecretsManagerClient, options.region);
      let answer;
      try {
        answer = await client.send(new sdk.GetSecretValueCommand({ SecretId: secretId }), { abortSignal: signal });
      } catch (error) {
        // Also the answer for a secret created without a value, until the refresher's first write.
        if (errorNameOf(error) === 'ResourceNotFoundException') {
          return {
            found: false,
            why: 'the secret does not exist or has no value yet (ResourceNotFoundException)',
            cause: error,
          };
        }
        throw error;
      }
      if (answer.SecretString === undefined && answer.SecretBinary !== undefined) {
        throw new TokenMalformedError(tokenSource, 'the secret holds a binary value, not JSON text');
      }
      if (answer.SecretString === undefined || answer.SecretString === '') {
        return { found: false, why: 'the secret value is empty' };
      }
      return { found: true, text: answer.SecretString };
    },
  };
}
