import * as z from 'zod/mini';
import { type PrivateState, privateStateSchema } from '../../contract/private-state.js';
import type { Log, StateStore } from '../../core/ports.js';
import { readBoundedFile, writePrivateFile } from './private-file.js';

const lockoutMemorySchema = z.object({
  guard: privateStateSchema.shape.guard,
  pendingPrimary: privateStateSchema.shape.pendingPrimary,
  lastPrimaryGrantAt: privateStateSchema.shape.lastPrimaryGrantAt,
});

/**
 * The private state (refresh token, lockout guard) in a local file beside the token file, mode 0600.
 * An unreadable file is handled as the function's SSM adapter handles an unreadable parameter
 * (lambda/adapters/parameter-state-store.ts): start over without a refresh token, but keep what
 * guards the account (the lockout guard, an attempt whose outcome was not seen) if it can be read.
 */
export class FileStateStore implements StateStore {
  constructor(
    readonly path: string,
    private readonly log: Log,
  ) {}

  async read(): Promise<PrivateState | undefined> {
    const text = await readBoundedFile(this.path);
    if (text === undefined) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = privateStateSchema.safeParse(json);
    if (parsed.success) return parsed.data;
    this.log.warn('private state file is unreadable; starting over without a refresh token', { file: this.path });
    const memory = lockoutMemorySchema.safeParse(json);
    if (!memory.success || (!memory.data.guard && !memory.data.pendingPrimary)) return undefined;
    return { v: 1, fingerprint: '', ...memory.data };
  }

  async write(state: PrivateState): Promise<void> {
    await writePrivateFile(this.path, `${JSON.stringify(state)}\n`);
  }
}
