import { checkPublishedToken, type PublishedToken } from '../../contract/published-token.js';
import type { Log, PublishedTokenStore } from '../../core/ports.js';
import { readBoundedFile, writePrivateFile } from '../private-file.js';

/**
 * The published token as a local JSON file (mode 0600), written atomically so that a consumer with
 * `TOKEN_SOURCE=file:<path>` never reads half a token. `maxBytes` is the limit of the store the
 * provider would get in AWS, so a token too large there fails here the same way.
 */
export class FileTokenStore implements PublishedTokenStore {
  readonly kind = 'file';
  readonly displayName = 'the local token file';
  // Local mode's files have no quota; the spacing Parameter Store gets keeps a loop from turning into a write storm.
  readonly forcedRunBudget = { spacingMs: 60_000, perDay: Number.POSITIVE_INFINITY };

  constructor(
    readonly path: string,
    readonly maxBytes: number,
    private readonly log: Log,
  ) {}

  async read(): Promise<PublishedToken | undefined> {
    const text = await readBoundedFile(this.path);
    if (text === undefined || text.trim() === '') return undefined;
    try {
      const checked = checkPublishedToken(JSON.parse(text));
      if (checked.ok) return checked.value;
    } catch {
      // not JSON
    }
    // As in the Lambda adapters: something that is not a published token is replaced by the next write.
    this.log.warn('the token file holds something that is not a published token; it will be replaced', {
      file: this.path,
    });
    return undefined;
  }

  async write(token: PublishedToken): Promise<void> {
    await writePrivateFile(this.path, `${JSON.stringify(token)}\n`);
  }
}
