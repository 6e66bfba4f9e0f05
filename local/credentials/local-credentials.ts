import { stat } from 'node:fs/promises';
import { type Credentials, type CredentialsSource, CredentialsUnavailableError } from '../../core/ports.js';
import { credentialsValues } from '../../contract/credentials.js';
import { credentialsVersion } from './credentials-version.js';
import { readBoundedFile } from '../private-file.js';

/**
 * Credentials for local runs against real IdPs: a JSON file only this user can read
 * (`{"<provider id>": {"username": "...", "password": "..."} | {"client_secret": "..."}}`), or one
 * environment variable per provider holding that provider's object. Both are read again on every
 * run, as the function reads its secret, so an edit takes effect at the next run.
 */

export const CREDENTIALS_ENV_PREFIX = 'TOKEN_REFRESHER_CREDENTIALS_';
/** No credentials object is anywhere near this large; a larger variable is a mistake. */
const MAX_ENV_BYTES = 64 * 1024;

/** `TOKEN_REFRESHER_CREDENTIALS_<ID>`: the id upper-cased, hyphens as underscores. */
export const credentialsEnvName = (provider: string) =>
  `${CREDENTIALS_ENV_PREFIX}${provider.toUpperCase().replace(/-/g, '_')}`;

/** Whether any provider's credentials variable is set: then `run` talks to the real IdPs. */
export const hasCredentialsEnv = (env: Readonly<Record<string, string | undefined>>) =>
  Object.entries(env).some(([name, value]) => name.startsWith(CREDENTIALS_ENV_PREFIX) && value);

/**
 * The file must be readable and writable by its owner only. The error names the file and the fix:
 * a credentials file others can read is refused, never used "just this once".
 */
export async function checkCredentialsFileMode(path: string): Promise<void> {
  if (process.platform === 'win32') return;
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new CredentialsUnavailableError('credentials_not_found', `cannot read credentials file ${path} (${code})`);
  }
  if ((mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(4, '0');
    throw new CredentialsUnavailableError(
      'credentials_malformed',
      `credentials file ${path} can be read or written by other users (mode ${octal}); ` +
        `refusing to use it: run "chmod 600 ${path}"`,
    );
  }
}

/** Reads and checks the whole file: provider id → its credentials object. */
export async function readCredentialsFile(path: string): Promise<Record<string, Record<string, string>>> {
  await checkCredentialsFileMode(path);
  let text: string | undefined;
  try {
    text = await readBoundedFile(path);
  } catch (error) {
    const name = (error as { name?: string }).name ?? 'error';
    throw new CredentialsUnavailableError('credentials_not_found', `cannot read credentials file ${path} (${name})`);
  }
  if (text === undefined) {
    throw new CredentialsUnavailableError('credentials_not_found', `credentials file ${path} does not exist`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Never echo the content: it holds passwords.
    throw new CredentialsUnavailableError('credentials_malformed', `credentials file ${path} is not JSON`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CredentialsUnavailableError(
      'credentials_malformed',
      `credentials file ${path} must be an object of provider ids, e.g. {"nagra": {"username": "...", "password": "..."}}`,
    );
  }
  const entries: Record<string, Record<string, string>> = {};
  for (const [id, value] of Object.entries(json)) {
    const checked = credentialsValues(value, `credentials file ${path}, provider "${id}"`);
    if (!checked.ok) throw new CredentialsUnavailableError('credentials_malformed', checked.error);
    entries[id] = checked.value;
  }
  return entries;
}

/** One provider's credentials: its environment variable when set, else its entry in the file. */
export class LocalCredentials implements CredentialsSource {
  readonly secretId: string;

  constructor(
    private readonly provider: string,
    private readonly file: string | undefined,
    private readonly env: Readonly<Record<string, string | undefined>>,
    /** The directory's key of credentials versions (loadVersionKey). */
    private readonly versionKey: Buffer,
  ) {
    const variable = credentialsEnvName(provider);
    this.secretId = env[variable] ? variable : `${file ?? '(no credentials file)'} entry "${provider}"`;
  }

  async read(): Promise<Credentials> {
    const variable = credentialsEnvName(this.provider);
    const fromEnv = this.env[variable];
    if (fromEnv) return fromEnvironment(variable, fromEnv, this.versionKey);
    if (this.file === undefined) {
      throw new CredentialsUnavailableError(
        'credentials_not_found',
        `no credentials for "${this.provider}": set ${variable} or pass --credentials-file`,
      );
    }
    const values = (await readCredentialsFile(this.file))[this.provider];
    if (values === undefined) {
      throw new CredentialsUnavailableError(
        'credentials_not_found',
        `credentials file ${this.file} has no entry "${this.provider}"; add "${this.provider}": {...} or set ${variable}`,
      );
    }
    return { versionId: credentialsVersion(this.versionKey, 'file', values), values };
  }
}

function fromEnvironment(variable: string, text: string, versionKey: Buffer): Credentials {
  if (Buffer.byteLength(text) > MAX_ENV_BYTES) {
    throw new CredentialsUnavailableError('credentials_malformed', `${variable} is larger than ${MAX_ENV_BYTES} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CredentialsUnavailableError(
      'credentials_malformed',
      `${variable} is not JSON; set it to {"username": "...", "password": "..."} or {"client_secret": "..."}`,
    );
  }
  const checked = credentialsValues(json, variable);
  if (!checked.ok) throw new CredentialsUnavailableError('credentials_malformed', checked.error);
  return { versionId: credentialsVersion(versionKey, 'env', checked.value), values: checked.value };
}
