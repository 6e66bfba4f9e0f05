import type { SSMClient } from '@aws-sdk/client-ssm';
import { errorNameOf } from '../../contract/error-name.js';
import { defaultClient, type StoreRead, type TokenStoreReader } from './store.js';

/** Default clients by region ('' = the environment's region), shared by every reader in the process. */
const defaultClients = new Map<string, SSMClient>();

/**
 * Reads a SecureString with `GetParameter` and `WithDecryption` (without it, SSM answers with the
 * ciphertext). The SDK module is imported on first use, so a consumer of a Secrets Manager token never
 * loads it.
 */
export function ssmStore(parameterName: string, options: { client?: SSMClient; region?: string }): TokenStoreReader {
  return {
    async read(signal): Promise<StoreRead> {
      const sdk = await import('@aws-sdk/client-ssm');
      const client = options.client ?? defaultClient(defaultClients, sdk.SSMClient, options.region);
      let value: string | undefined;
      try {
        const command = new sdk.GetParameterCommand({ Name: parameterName, WithDecryption: true });
        value = (await client.send(command, { abortSignal: signal })).Parameter?.Value;
      } catch (error) {
        // CloudFormation cannot create SecureStrings: the parameter exists from the refresher's first write on.
        if (errorNameOf(error) === 'ParameterNotFound') {
          return { found: false, why: 'the parameter does not exist (ParameterNotFound)', cause: error };
        }
        throw error;
      }
      if (value === undefined || value === '') return { found: false, why: 'the parameter value is empty' };
      return { found: true, text: value };
    },
  };
}
