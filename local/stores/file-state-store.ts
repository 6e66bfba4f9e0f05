import { type PrivateState, readPrivateState } from '../../contract/private-state.js';
import { STORE_MAX_BYTES } from '../../contract/published-token.js';
import type { Log, StateStore } from '../../core/ports.js';
import { readBoundedFile, writePrivateFile } from '../private-file.js';

/**
 * The private state (refresh token, lockout guard) in a local file beside the token file, mode 0600.
 * An unreadable file is handled as the function's SSM adapter handles an unreadable parameter
 * (lambda/adapters/parameter-state-store.ts): start over without a refresh token, but keep what
 * guards the account (the lockout guard, an attempt whose outcome was not seen) if it can be read.
 */
export class FileStateStore implements StateStore {
  /** The SSM parameter's limit, so a state that would not fit in AWS does not fit here either. */
  readonly maxBytes = STORE_MAX_BYTES.parameterstore;

  constructor(
    readonly path: string,
    private readonly log: Log,
  ) {}

  async read(): Promise<PrivateState | undefined> {
    const text = await readBoundedFile(this.path);
    if (text === undefined) return undefined;
    const read = readPrivateState(text);
    if (!read.valid) {
      this.log.warn('private state file is unreadable; starting over without a refresh token', { file: this.path });
    }
    return read.state;
  }

  async write(state: PrivateState): Promise<void> {
    await writePrivateFile(this.path, `${JSON.stringify(state)}\n`);
  }
}
