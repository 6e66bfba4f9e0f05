import type { SSMClient } from '@aws-sdk/client-ssm';
import type { Log, StateStore } from '../core/ports';
import * as z from 'zod/mini';
import { type PrivateState, privateStateSchema } from '../core/private-state';

const lockoutMemorySchema = z.object({
  guard: privateStateSchema.shape.guard,
  pendingPrimary: privateStateSchema.shape.pendingPrimary,
  lastPrimaryGrantAt: privateStateSchema.shape.lastPrimaryGrantAt,
});

/** The lockout memory of a state that is otherwise unreadable, as a state of its own. */
function salvage(value: string): PrivateState | undefined {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return undefined;
  }
  const memory = lockoutMemorySchema.safeParse(json);
  if (!memory.success || (!memory.data.guard && !memory.data.pendingPrimary)) return undefined;
  return { v: 1, fingerprint: '', ...memory.data };
}
import { PARAMETER_STORE_MAX_BYTES } from '../../lib/schema/published-token';
import { getSecureString, putSecureString } from './parameter-store-token-store';

/** The private state (refresh token, lockout guard) in a SecureString only the function may read. */
export class ParameterStateStore implements StateStore {
  readonly maxBytes = PARAMETER_STORE_MAX_BYTES;

  constructor(
    private readonly client: SSMClient,
    private readonly name: string,
    private readonly log: Log,
    private readonly keyId?: string,
  ) {}

  async read(signal?: AbortSignal): Promise<PrivateState | undefined> {
    const value = await getSecureString(this.client, this.name, signal);
    if (value === undefined) return undefined;
    try {
      const parsed = privateStateSchema.safeParse(JSON.parse(value));
      if (parsed.success) return parsed.data;
    } catch {
      // not JSON
    }
    // Starting over costs one primary grant; refusing to run would cost the token. What guards the
    // account (the lockout guard, an attempt whose outcome was not seen) is kept if it can be read.
    this.log.warn('private state is unreadable; starting over without a refresh token', { parameter: this.name });
    return salvage(value);
  }

  async write(state: PrivateState, signal?: AbortSignal): Promise<void> {
    await putSecureString(this.client, this.name, JSON.stringify(state), this.keyId, signal);
  }
}
