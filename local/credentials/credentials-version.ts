import { createHash, createHmac, randomBytes } from 'node:crypto';
import { chmod, link, open, stat, unlink } from 'node:fs/promises';
import { versionKeyPath } from '../layout.js';
import { readBoundedFile } from '../private-file.js';

/**
 * The credentials "version" that local mode keys the lockout guard on (in AWS, the secret's version
 * id). It is an HMAC of the provider's values under a random key kept in the directory
 * (`.credentials-key`, 0600), so editing the values is a new version, the same values keep their
 * version from run to run, and a printed version tells nothing about a password to whoever lacks the
 * key: a plain hash of the values could be matched against a dictionary of likely passwords.
 */
export type CredentialsOrigin = 'file' | 'env' | 'demo';

const KEY_BYTES = 32;
/** 64 bits: versions of one provider never collide in practice, and none is mistaken for an unkeyed one. */
const VERSION_HEX_DIGITS = 16;

const canonical = (values: Readonly<Record<string, string>>) =>
  JSON.stringify(Object.entries(values).sort(([a], [b]) => (a < b ? -1 : 1)));

export function credentialsVersion(
  key: Buffer,
  origin: CredentialsOrigin,
  values: Readonly<Record<string, string>>,
): string {
  const mac = createHmac('sha256', key).update(canonical(values)).digest('hex');
  return `${origin}-${mac.slice(0, VERSION_HEX_DIGITS)}`;
}

export class VersionKeyError extends Error {
  override readonly name = 'VersionKeyError';
}

/**
 * The directory's key, created on first use. It appears whole or not at all: written to a temp file,
 * flushed, then linked to its name, which fails if another process created it first (its key is then
 * the one used). A key file that is not a key is refused rather than replaced: a new key would make
 * every version new, so a rejected password could be sent once more after the cooldown.
 */
export async function loadVersionKey(dir: string): Promise<Buffer> {
  const path = versionKeyPath(dir);
  let text = await readBoundedFile(path);
  if (text === undefined) {
    const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(`${randomBytes(KEY_BYTES).toString('hex')}\n`, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await link(temp, path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
    } finally {
      await unlink(temp).catch(() => undefined);
    }
    text = await readBoundedFile(path);
  }
  const hex = /^([0-9a-f]{64})\n?$/.exec(text ?? '')?.[1];
  if (hex === undefined) {
    throw new VersionKeyError(
      `${path} is not a credentials version key (64 hex digits); if you delete it, a new key is made at the next ` +
        'start and every credentials version changes: credentials that were rejected are then tried once more, ' +
        '15 minutes after the rejection',
    );
  }
  // Like the directory (ensurePrivateDir): tightened if someone loosened it.
  if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
  return Buffer.from(hex, 'hex');
}

/**
 * Versions written before they were keyed: `<origin>-` and 12 hex digits of a plain SHA-256 of the
 * values. Kept only to recognise them in state files written then (rekeyStateFile).
 */
const UNKEYED = /^(file|env|demo)-[0-9a-f]{12}$/;

export function unkeyedVersion(origin: CredentialsOrigin, values: Readonly<Record<string, string>>): string {
  return `${origin}-${createHash('sha256').update(canonical(values)).digest('hex').slice(0, 12)}`;
}

/** Whether `version` has the old, unkeyed form. */
export const isUnkeyed = (version: unknown): version is string => typeof version === 'string' && UNKEYED.test(version);

/**
 * A stand-in for an unkeyed version of credentials that are no longer current: it keeps the guard's
 * meaning (not the current version) without the hash a dictionary could be matched against.
 */
export function retiredVersion(key: Buffer, version: string): string {
  const mac = createHmac('sha256', key).update(`unkeyed ${version}`).digest('hex');
  return `${version.slice(0, version.indexOf('-'))}-${mac.slice(0, VERSION_HEX_DIGITS)}`;
}
