import { UsageError } from '../common/errors.js';
import type { CliIo } from '../common/io.js';

/** Where `check` takes each credentials-secret key from; the same keys the deployed secret holds. */
export const CREDENTIAL_ENV: Readonly<Record<string, string>> = {
  username: 'TOKEN_REFRESHER_USERNAME',
  password: 'TOKEN_REFRESHER_PASSWORD',
  client_secret: 'TOKEN_REFRESHER_CLIENT_SECRET',
  // PEM text, e.g. TOKEN_REFRESHER_TLS_CERTIFICATE="$(cat client.pem)": several lines no prompt reads.
  tls_certificate: 'TOKEN_REFRESHER_TLS_CERTIFICATE',
  tls_private_key: 'TOKEN_REFRESHER_TLS_PRIVATE_KEY',
};

/** Keys only the environment gives: a PEM's lines cannot be typed at a prompt. */
const ENV_ONLY = new Set(['tls_certificate', 'tls_private_key']);

const LABEL: Readonly<Record<string, string>> = {
  username: 'username',
  password: 'password',
  client_secret: 'client secret',
  tls_certificate: 'client certificate (PEM)',
  tls_private_key: 'client certificate key (PEM)',
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
  const unaskable = io.stdinIsTTY ? missing.filter((k) => ENV_ONLY.has(k)) : missing;
  if (unaskable.length > 0) {
    const names = unaskable.map((k) => CREDENTIAL_ENV[k] ?? k);
    const verb = names.length === 1 ? 'is' : 'are';
    throw new UsageError(
      `${names.join(' and ')} ${verb} not set, and ${io.stdinIsTTY ? 'a prompt cannot read' : 'there is no terminal to ask for'} ${unaskable.map((k) => `the ${LABEL[k] ?? k}`).join(' and ')}`,
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
