import { type FileHandle, open } from 'node:fs/promises';
import { STORE_MAX_BYTES } from '../../contract/published-token.js';
import type { StoreRead, TokenStoreReader } from './store.js';

/** No published token is larger than the largest store holds; a bigger file is not one. */
export const FILE_MAX_BYTES = Math.max(...Object.values(STORE_MAX_BYTES));

/**
 * Reads a local JSON file, for local work and tests. It follows the same rules as the AWS stores:
 * cached until `expires_at − skew`, then read again, so a script can rewrite the file to rotate.
 * Like the AWS stores, it reads no more than a published token can take: a path that names a log,
 * a device or a growing file fails with `EFBIG` instead of filling the consumer's memory.
 */
export function fileStore(path: string): TokenStoreReader {
  return {
    async read(signal): Promise<StoreRead> {
      let handle: FileHandle;
      try {
        handle = await open(path, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          return { found: false, why: 'the file does not exist', cause: error };
        }
        throw error;
      }
      try {
        const text = await readAtMost(handle, FILE_MAX_BYTES, signal);
        return text.trim() === '' ? { found: false, why: 'the file is empty' } : { found: true, text };
      } finally {
        await handle.close();
      }
    },
  };
}

/** The file's text, read in chunks so that a file larger than `limit` is never read whole. */
async function readAtMost(handle: FileHandle, limit: number, signal: AbortSignal): Promise<string> {
  const buffer = Buffer.alloc(limit + 1);
  let length = 0;
  for (;;) {
    signal.throwIfAborted();
    const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
    if (bytesRead === 0) return buffer.toString('utf8', 0, length);
    length += bytesRead;
    if (length > limit) {
      throw Object.assign(new Error(`the file holds more than ${limit} bytes, more than any published token`), {
        code: 'EFBIG',
      });
    }
  }
}
