import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import { lockFilePath } from './layout.js';

/**
 * One `run` per directory. Two would both renew the same providers: twice the password grants,
 * possibly in parallel, which the lockout rules forbid (the function has reserved concurrency 1 for
 * the same reason). A lock left by a process that no longer exists is taken over.
 *
 * No step removes a lock by name after looking at it, since between the look and the removal another
 * process may have put its own lock there. The lock file names its holder (`<pid> <nonce>`) and only
 * ever appears whole: it is a hard link to a claim file written beforehand, and `link` fails when the
 * name exists. A stale lock is replaced only by the one process that creates the takeover marker
 * named after that lock's content, and only after reading the same content again.
 */
export class DirectoryBusyError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number | undefined,
  ) {
    super(
      pid === undefined
        ? `another token-refresher run is taking over the lock of ${dir}; try again, or pass another --dir`
        : `another token-refresher run (pid ${pid}) is using ${dir}; stop it, or pass another --dir`,
    );
    this.name = 'DirectoryBusyError';
  }
}

export interface DirectoryLock {
  release(): Promise<void>;
  /** For the exit on a second Ctrl-C, where nothing asynchronous runs any more. */
  releaseSync(): void;
}

/** Nonces of this process's locks and attempts: a lock with our pid and another nonce is a previous process's. */
const ours = new Set<string>();
/** Rounds of "the lock changed while we looked" before giving up; each round is a few file operations. */
const MAX_ROUNDS = 5;
/** Takers that died halfway through a takeover, one after another, before a person should look. */
const MAX_DEAD_TAKERS = 3;

const holderOf = (text: string) => /^(\d+)(?: ([0-9a-f]+))?\n?$/.exec(text);

function alive(text: string): number | undefined {
  const match = holderOf(text);
  const pid = Number(match?.[1]);
  if (!match || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  if (pid === process.pid) return match[2] !== undefined && ours.has(match[2]) ? pid : undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Creates `path` as a link to `claim`: whole and exclusive, or false when it exists. */
async function linkNew(claim: string, path: string): Promise<boolean> {
  try {
    await link(claim, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

const digest = (parts: readonly string[]) => createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16);

/**
 * The right to replace the stale lock `stale`: held by whoever creates its marker. A marker whose
 * creator died passes the right on to a marker named after both; the markers passed are returned
 * to be removed. `busy` when a live process is taking over.
 */
async function takeoverRight(
  path: string,
  stale: string,
  claim: string,
): Promise<{ markers: string[] } | { busy: number | undefined }> {
  const chain = [stale];
  const markers: string[] = [];
  for (let dead = 0; dead <= MAX_DEAD_TAKERS; dead++) {
    const marker = `${path}.takeover-${digest(chain)}`;
    markers.push(marker);
    if (await linkNew(claim, marker)) return { markers };
    const taker = await readIfPresent(marker);
    // Gone: its taker finished, and the lock is no longer `stale`; the caller reads it again.
    if (taker === undefined) return { busy: undefined };
    const pid = alive(taker);
    if (pid !== undefined) return { busy: pid };
    chain.push(taker);
  }
  throw new Error(
    `${MAX_DEAD_TAKERS + 1} processes died while taking over the lock of ${path}; if no token-refresher run is ` +
      `using the directory, remove ${path} and ${path}.takeover-* by hand`,
  );
}

/** Takes the directory's lock, or throws DirectoryBusyError naming the process that has it. */
export async function lockDirectory(dir: string): Promise<DirectoryLock> {
  const path = lockFilePath(dir);
  const nonce = randomBytes(16).toString('hex');
  const mine = `${process.pid} ${nonce}\n`;
  const claim = `${path}.${process.pid}-${nonce}.claim`;
  ours.add(nonce);
  const handle = await open(claim, 'wx', 0o600);
  try {
    await handle.writeFile(mine, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (await linkNew(claim, path)) return held(path, mine, nonce);
      const current = await readIfPresent(path);
      if (current === undefined) continue;
      const pid = alive(current);
      if (pid !== undefined) throw new DirectoryBusyError(dir, pid);
      const right = await takeoverRight(path, current, claim);
      if ('busy' in right) {
        if (right.busy !== undefined) throw new DirectoryBusyError(dir, right.busy);
        continue;
      }
      // Under the marker: the lock is replaced only if it is still the stale one we judged.
      const replaced = (await readIfPresent(path)) === current;
      if (replaced) await rename(claim, path);
      for (const marker of right.markers) await unlink(marker).catch(() => undefined);
      if (replaced) return held(path, mine, nonce);
    }
    throw new DirectoryBusyError(dir, undefined);
  } catch (error) {
    ours.delete(nonce);
    throw error;
  } finally {
    await unlink(claim).catch(() => undefined);
  }
}

/** Releasing removes the lock only while it is still ours. */
function held(path: string, mine: string, nonce: string): DirectoryLock {
  return {
    async release() {
      if ((await readIfPresent(path).catch(() => undefined)) === mine) await unlink(path).catch(() => undefined);
      ours.delete(nonce);
    },
    releaseSync() {
      try {
        if (readFileSync(path, 'utf8') === mine) unlinkSync(path);
      } catch {
        // Already gone.
      }
      ours.delete(nonce);
    },
  };
}
