import { UsageError } from '../common/errors.js';
import type { CliIo } from '../common/io.js';

/** Where `check` takes each credentials-secret key from; the same keys the deployed secret holds. */
export const CREDENTIAL_ENV: Readonly<Record<string, string>> = {
  username: 'TOKEN_REFRESHER_USERNAME',
  password: 'TOKEN_REFRESHER_PASSWORD',
  client_secret: 'TOKEN_REFRESHER_CLIENT_SECRET',
};

const LABEL: Readonly<Record<string, string>> = {
  username: 'username',
  password: 'password',
  client_secret: 'client secret',
};

/** Typed input of these is not echoed. */
const HIDDEN = new Set(['password', 'client_secret']);

/**
 * The credentials `check` sends: from the environment, else asked for on a terminal. Without a
 * terminal (CI, a pipe) a missing one is a usage error that names the variable to set.
 */
export async function resolveCredentials(
  keys: readonly string[],
  provider: string,
  io: CliIo,
): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const key of keys) {
    const value = io.env[CREDENTIAL_ENV[key] ?? ''];
    if (value) values[key] = value;
    else missing.push(key);
  }
  if (missing.length === 0) return values;
  if (!io.stdinIsTTY) {
    const names = missing.map((k) => CREDENTIAL_ENV[k] ?? k);
    const verb = names.length === 1 ? 'is' : 'are';
    throw new UsageError(
      `${names.join(' and ')} ${verb} not set, and there is no terminal to ask for ${missing.map((k) => `the ${LABEL[k] ?? k}`).join(' and ')}`,
      'check',
    );
  }
  for (const key of missing) {
    const label = LABEL[key] ?? key;
    const hidden = HIDDEN.has(key);
    const answer = await io.prompt(`${label} for ${provider}${hidden ? ' (not echoed)' : ''}: `, { hidden });
    if (answer === '') throw new UsageError(`no ${label} given (or set ${CREDENTIAL_ENV[key] ?? key})`, 'check');
    values[key] = answer;
  }
  return values;
}
