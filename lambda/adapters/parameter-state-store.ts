import type { SSMClient } from '@aws-sdk/client-ssm';
import { type PrivateState, readPrivateState } from '../../contract/private-state.js';
import { STORE_MAX_BYTES } from '../../contract/published-token.js';
import type { Log, StateStore } from '../../core/ports.js';
import { getSecureString, putSecureString } from './parameter-store-token-store.js';

/** The private state (refresh token, lockout guard) in a SecureString only the function may read. */
export class ParameterStateStore implements StateStore {
  readonly maxBytes = STORE_MAX_BYTES.parameterstore;

  constructor(
    private readonly client: SSMClient,
    private readonly name: string,
    private readonly log: Log,
    private readonly keyId?: string,
  ) {}

  async read(signal?: AbortSignal): Promise<PrivateState | undefined> {
    const value = await getSecureString(this.client, this.name, signal);
    if (value === undefined) return undefined;
    const read = readPrivateState(value);
    if (!read.valid) {
      this.log.warn('private state is unreadable; starting over without a refresh token', { parameter: this.name });
    }
    return read.state;
  }

  async write(state: PrivateState, signal?: AbortSignal): Promise<void> {
    await putSecureString(this.client, this.name, JSON.stringify(state), this.keyId, signal);
  }
}
