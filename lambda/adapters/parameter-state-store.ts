import type { SSMClient } from '@aws-sdk/client-ssm';
import type { Log, StateStore } from '../core/ports';
import { type PrivateState, privateStateSchema } from '../core/private-state';
import { getSecureString, putSecureString } from './parameter-store-token-store';

/** The private state (refresh token, lockout guard) in a SecureString only the function may read. */
export class ParameterStateStore implements StateStore {
  constructor(
    private readonly client: SSMClient,
    private readonly name: string,
    private readonly log: Log,
  ) {}

  async read(): Promise<PrivateState | undefined> {
    const value = await getSecureString(this.client, this.name);
    if (value === undefined) return undefined;
    try {
      const parsed = privateStateSchema.safeParse(JSON.parse(value));
      if (parsed.success) return parsed.data;
    } catch {
      // not JSON
    }
    // Starting over costs one primary grant; refusing to run would cost the token.
    this.log.warn('private state is unreadable; starting over without a refresh token', { parameter: this.name });
    return undefined;
  }

  async write(state: PrivateState): Promise<void> {
    await putSecureString(this.client, this.name, JSON.stringify(state));
  }
}
