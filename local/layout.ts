import { join } from 'node:path';

/**
 * Where local mode keeps its files. One directory, ignored by git (.gitignore), created 0700:
 *
 *   <dir>/<provider>.token.json   the published token, exactly what the Lambda function publishes
 *   <dir>/<provider>.state.json   the private state (refresh token, lockout guard), as in SSM
 *   <dir>/<provider>.pending.json while the provider waits for credentials: when and what to add
 *   <dir>/.lock                   the pid of the `token-refresher run` using the directory
 *   <dir>/.credentials-key        the key of the credentials versions (local/credentials/credentials-version.ts)
 *   <dir>/demo/                   the same layout for the embedded demo, kept apart from real tokens,
 *                                 plus .demo-port (the demo server's port, reused by the next start)
 */
export const DEFAULT_LOCAL_DIR = '.token-refresher';
export const DEMO_SUBDIR = 'demo';

const TOKEN_SUFFIX = '.token.json';
const STATE_SUFFIX = '.state.json';
const PENDING_SUFFIX = '.pending.json';

export const tokenFilePath = (dir: string, provider: string) => join(dir, `${provider}${TOKEN_SUFFIX}`);
export const stateFilePath = (dir: string, provider: string) => join(dir, `${provider}${STATE_SUFFIX}`);
export const pendingFilePath = (dir: string, provider: string) => join(dir, `${provider}${PENDING_SUFFIX}`);
export const lockFilePath = (dir: string) => join(dir, '.lock');
export const versionKeyPath = (dir: string) => join(dir, '.credentials-key');

/** The provider ids that have a token, state or pending file among `names` (a directory listing). */
export function providersInListing(names: readonly string[]): string[] {
  const ids = new Set<string>();
  for (const name of names) {
    for (const suffix of [TOKEN_SUFFIX, STATE_SUFFIX, PENDING_SUFFIX]) {
      if (name.endsWith(suffix) && name.length > suffix.length) ids.add(name.slice(0, -suffix.length));
    }
  }
  return [...ids].sort();
}
