import { unlink } from 'node:fs/promises';
import { fileError, readBoundedFile, writePrivateFile } from './private-file.js';

/**
 * A provider waiting for credentials (the core's `pending`: none were ever given and it never had a
 * token) leaves no token or state file, so `status --local`, which reads files only, would not know
 * it. The runner records it, as the function's metrics do in AWS: when the last run found it waiting,
 * and the core's note, which names the file entry or variable to add. No value, nothing secret.
 */
export interface PendingRecord {
  /** Epoch ms of the last run that found no credentials. */
  readonly at: number;
  readonly description: string;
}

/** How every view names such a provider (`run`'s lines and table, `status --local`). */
export const PENDING_TEXT = 'pending (waiting for credentials)';

/** The core's note is one sentence; a longer one is not ours and is cut when read back. */
const MAX_DESCRIPTION_CHARS = 500;

export async function writePendingRecord(path: string, record: PendingRecord): Promise<void> {
  await writePrivateFile(path, `${JSON.stringify(record)}\n`);
}

export async function removePendingRecord(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError(error, `cannot remove ${path}`);
  }
}

/** The record, undefined when there is none, or `invalid` when the file is not one. */
export async function readPendingRecord(path: string): Promise<PendingRecord | 'invalid' | undefined> {
  const text = await readBoundedFile(path).catch(() => null);
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text ?? '');
  } catch {
    return 'invalid';
  }
  const { at, description } = (json ?? {}) as Partial<Record<keyof PendingRecord, unknown>>;
  if (typeof at !== 'number' || !Number.isFinite(at) || typeof description !== 'string') return 'invalid';
  return { at, description: description.slice(0, MAX_DESCRIPTION_CHARS) };
}
