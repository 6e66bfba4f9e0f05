import type { Credentials } from '../../core/ports.js';
import { type CredentialsOrigin, isUnkeyed, retiredVersion, unkeyedVersion } from './credentials-version.js';
import { readBoundedFile, writePrivateFile } from '../private-file.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A state file written before versions were keyed (local/credentials/credentials-version.ts) names
 * credentials by a plain hash of their values. At start it is rewritten once: the current
 * credentials' old version becomes their keyed one, so a guard recorded before the upgrade still
 * holds them back; any other old version becomes a keyed stand-in, so no plain hash stays on disk.
 * `current` is asked only when the file has an old version. True when the file was rewritten.
 */
export async function rekeyStateFile(
  path: string,
  key: Buffer,
  current: () => Promise<Credentials | undefined>,
): Promise<boolean> {
  const text = await readBoundedFile(path);
  let state: unknown;
  try {
    state = JSON.parse(text ?? 'null');
  } catch {
    // Unreadable: the state store starts over from it (local/stores/file-state-store.ts).
    return false;
  }
  if (!isObject(state)) return false;
  const holders: [Json, string][] = [];
  for (const record of [state.guard, state.pendingPrimary]) {
    if (isObject(record) && isUnkeyed(record.credentialsVersion)) holders.push([record, 'credentialsVersion']);
  }
  if (isUnkeyed(state.workingCredentialsVersion)) holders.push([state, 'workingCredentialsVersion']);
  if (holders.length === 0) return false;

  const creds = await current();
  const now = creds && unkeyedVersion(creds.versionId.split('-')[0] as CredentialsOrigin, creds.values);
  for (const [holder, field] of holders) {
    const old = holder[field] as string;
    holder[field] = creds && old === now ? creds.versionId : retiredVersion(key, old);
  }
  await writePrivateFile(path, `${JSON.stringify(state)}\n`);
  return true;
}
