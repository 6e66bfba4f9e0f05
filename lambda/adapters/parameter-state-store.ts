import type { SSMClient } from '@aws-sdk/client-ssm';
import { type PrivateState, readPrivateState } from '../../contract/private-state.js';
import { STORE_MAX_BYTES } from '../../contract/published-token.js';
import type { Log, StateStore } from '../../core/ports.js';
import { SecureString } from './secure-string.js';

/** The private state (refresh token, lockout guard) in a SecureString only the function may read. */
export class ParameterStateStore implements StateStore {
  readonly maxBytes = STORE_MAX_BYTES.parameterstore;

  private readonly parameter: SecureString;

  constructor(
    client: SSMClient,
    private readonly name: string,
    private readonly log: Log,
    keyId?: string,
  ) {
    this.parameter = new SecureString(client, name, keyId);
  }

  async read(signal?: AbortSignal): Promise<PrivateState | undefined> {
    const value = await this.parameter.get(signal);
    if (value === undefined) return undefined;
    const read = readPrivateState(value);
    if (!read.valid) {
      this.log.warn('private state is unreadable; starting over without a refresh token', { parameter: this.name });
    }
    return read.state;
  }

  async write(state: PrivateState, signal?: AbortSignal): Promise<void> {
    await this.parameter.put(JSON.stringify(state), signal);
  }
}
