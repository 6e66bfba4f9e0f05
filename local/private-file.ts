import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Token, state and credentials files are small; anything larger is not ours and is not read whole. */
export const MAX_LOCAL_FILE_BYTES = 256 * 1024;

/** A file-system failure named by its code (ENOENT, EACCES, ...), so the core's messages can say which. */
export function fileError(error: unknown, what: string): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'FileError';
  return Object.assign(new Error(`${what}: ${code}`), { name: code });
}

/** Creates the directory (and parents) readable by this user only, and tightens it if it exists. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/**
 * Reads a file of at most `MAX_LOCAL_FILE_BYTES`; undefined when it does not exist. A larger file is
 * an error rather than a partial read, so a half-understood file is never mistaken for a valid one.
 */
export async function readBoundedFile(path: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileError(error, `cannot open ${path}`);
  }
  try {
    const buffer = Buffer.alloc(MAX_LOCAL_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_LOCAL_FILE_BYTES) {
        throw Object.assign(new Error(`${path} is larger than ${MAX_LOCAL_FILE_BYTES} bytes`), { name: 'EFBIG' });
      }
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` atomically: the text goes to a temp file in the same directory (mode 0600, created
 * exclusively), is flushed to disk, then renamed over the target. A reader sees the old file or the
 * new one, never a half-written one (consumer/stores/file.ts reads it whole); a crash leaves the old
 * file in place.
 */
export async function writePrivateFile(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      // The umask may clear bits but never adds them; chmod states the intent whatever the umask.
      await handle.chmod(0o600);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw fileError(error, `cannot write ${path} (in ${dirname(path)})`);
  }
}
