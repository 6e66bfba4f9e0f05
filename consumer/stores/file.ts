import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { STORE_MAX_BYTES } from '../../contract/published-token.js';
import type { StoreRead, TokenStoreReader } from './store.js';

/** No published token is larger than the largest store holds; a bigger file is not one. */
export const FILE_MAX_BYTES = Math.max(...Object.values(STORE_MAX_BYTES));

/**
 * Reads a local JSON file, for local work and tests. It follows the same rules as the AWS stores:
 * cached until `expires_at − skew`, then read again, so a script can rewrite the file to rotate.
 * Like the AWS stores, it reads no more than a published token can take: a larger or growing file
 * fails with `EFBIG` instead of filling the consumer's memory. Anything but a regular file fails with
 * `EFTYPE`; it is opened without blocking, because a FIFO with no writer would otherwise hold one of
 * the few threads Node.js does file I/O on, and every retry another.
 */
export function fileStore(path: string): TokenStoreReader {
  return {
    async read(signal): Promise<StoreRead> {
      let handle: FileHandle;
      try {
        handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          return { found: false, why: 'the file does not exist', cause: error };
        }
        throw error;
      }
      try {
        if (!(await handle.stat()).isFile()) {
          throw Object.assign(new Error('not a regular file, so not a published token'), { code: 'EFTYPE' });
        }
        const text = await readAtMost(handle, FILE_MAX_BYTES, signal);
        return text.trim() === '' ? { found: false, why: 'the file is empty' } : { found: true, text };
      } finally {
        // A read-only handle loses nothing when closing fails; the read's own outcome is what counts.
        await handle.close().catch(() => undefined);
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
