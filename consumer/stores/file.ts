import { readFile } from 'node:fs/promises';
import type { StoreRead, TokenStoreReader } from './store.js';

/**
 * Reads a local JSON file, for local work and tests. It follows the same rules as the AWS stores:
 * cached until `expires_at − skew`, then read again, so a script can rewrite the file to rotate.
 */
export function fileStore(path: string): TokenStoreReader {
  return {
    async read(signal): Promise<StoreRead> {
      try {
        const text = await readFile(path, { encoding: 'utf8', signal });
        return text.trim() === '' ? { found: false, why: 'the file is empty' } : { found: true, text };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          return { found: false, why: 'the file does not exist', cause: error };
        }
        throw error;
      }
    },
  };
}
