import { readFile, unlink, writeFile } from 'node:fs/promises';
import { lockFilePath } from './layout.js';

/**
 * One `run` per directory. Two would both renew the same providers: twice the password grants,
 * possibly in parallel, which the lockout rules forbid (the function has reserved concurrency 1 for
 * the same reason). A lock left by a process that no longer exists is taken over.
 */
export class DirectoryBusyError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`another token-refresher run (pid ${pid}) is using ${dir}; stop it, or pass another --dir`);
    this.name = 'DirectoryBusyError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the directory's lock; the returned function releases it. */
export async function lockDirectory(dir: string): Promise<() => Promise<void>> {
  const path = lockFilePath(dir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return async () => {
        await unlink(path).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))
      throw new DirectoryBusyError(dir, pid);
    await unlink(path).catch(() => undefined);
  }
  throw new DirectoryBusyError(dir, 0);
}
