import type { SSMClient } from '@aws-sdk/client-ssm';
import { type PublishedToken, STORE_MAX_BYTES } from '../../contract/published-token.js';
import { FORCED_RUN_BUDGET, STORE_DISPLAY_NAME } from '../../contract/token-stores.js';
import type { Log, PublishedTokenStore } from '../../core/ports.js';
import { parsePublished } from './secrets-manager-token-store.js';
import { SecureString } from './secure-string.js';

/** The published token in a SecureString parameter: fine for tokens renewed every few minutes. */
export class ParameterStoreTokenStore implements PublishedTokenStore {
  readonly kind = 'parameterstore';
  readonly displayName = STORE_DISPLAY_NAME.parameterstore;
  readonly maxBytes = STORE_MAX_BYTES.parameterstore;
  readonly forcedRunBudget = FORCED_RUN_BUDGET.parameterstore;

  private readonly parameter: SecureString;

  constructor(
    client: SSMClient,
    name: string,
    private readonly log: Log,
    keyId?: string,
  ) {
    this.parameter = new SecureString(client, name, keyId);
  }

  async read(signal?: AbortSignal): Promise<PublishedToken | undefined> {
    return parsePublished(await this.parameter.get(signal), this.log);
  }

  async write(token: PublishedToken, signal?: AbortSignal): Promise<void> {
    await this.parameter.put(JSON.stringify(token), signal);
  }
}
