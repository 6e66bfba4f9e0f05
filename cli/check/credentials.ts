import {
  type ProviderSettings,
  requiredCredentialKeys,
  signsWithPrivateKey,
} from '../../contract/provider-settings.js';
import { CliError, UsageError } from '../common/errors.js';
import type { CliIo } from '../common/io.js';
import { EXIT } from '../exit-codes.js';

/** Where `check` takes each credentials-secret key from; the same keys the deployed secret holds. */
export const CREDENTIAL_ENV: Readonly<Record<string, string>> = {
  username: 'TOKEN_REFRESHER_USERNAME',
  password: 'TOKEN_REFRESHER_PASSWORD',
  client_secret: 'TOKEN_REFRESHER_CLIENT_SECRET',
  // PEM text, e.g. TOKEN_REFRESHER_TLS_CERTIFICATE="$(cat client.pem)": several lines no prompt reads.
  tls_certificate: 'TOKEN_REFRESHER_TLS_CERTIFICATE',
  tls_private_key: 'TOKEN_REFRESHER_TLS_PRIVATE_KEY',
  // The key that signs private_key_jwt and jwt_bearer assertions: a PEM, or a Google service-account
  // key file's JSON as it is (TOKEN_REFRESHER_PRIVATE_KEY="$(cat key.json)").
  private_key: 'TOKEN_REFRESHER_PRIVATE_KEY',
  // The `kid` the IdP registered the key under (a service-account key file carries its own).
  private_key_id: 'TOKEN_REFRESHER_PRIVATE_KEY_ID',
  // The certificate registered at the IdP, when the assertion names it by x5t#S256 (Entra ID).
  certificate: 'TOKEN_REFRESHER_CERTIFICATE',
};

/** Keys only the environment gives: a PEM's lines cannot be typed at a prompt. */
const ENV_ONLY = new Set(['tls_certificate', 'tls_private_key', 'private_key', 'certificate']);

/** Keys read when their variable is set, and never asked for. */
const OPTIONAL = ['private_key_id'] as const;

const LABEL: Readonly<Record<string, string>> = {
  username: 'username',
  password: 'password',
  client_secret: 'client secret',
  tls_certificate: 'client certificate (PEM)',
  tls_private_key: 'client certificate key (PEM)',
  private_key: 'signing key (PEM, or the service-account key file)',
  certificate: 'certificate registered at the IdP (PEM)',
};

/**
 * The keys `check` needs for these settings: the credentials secret's, plus the certificate an
 * assertion names by its thumbprint (the function reads it from the secret as `certificate`).
 */
export function checkCredentialKeys(s: ProviderSettings): string[] {
  const keys = requiredCredentialKeys(s);
  const inCredentials = signsWithPrivateKey(s) && s.assertion?.signingKey === 'credentials';
  if (inCredentials && s.assertion?.includeCertificateThumbprint) keys.push('certificate');
  return keys;
}

/**
 * Why `check` cannot sign this provider's assertions, before it asks for anything: the key is in
 * KMS, and `check` signs on this machine. The CLI does not sign assertions with KMS (cli/ may not
 * import the function's adapters, eslint.config.mjs), so the way to try it is the function itself.
 */
export function kmsSigningProblem(s: ProviderSettings): CliError | undefined {
  if (!signsWithPrivateKey(s) || s.assertion?.signingKey !== 'kms') return undefined;
  const what = s.grant === 'jwt_bearer' ? 'its jwt_bearer grant' : 'its private_key_jwt client assertions';
  return new CliError(
    `provider "${s.id}" signs ${what} with a KMS key ("signingKey": "kms"), and check signs on this machine: it ` +
      'cannot use the key, even with kms:Sign on it (the key policy lets only the refresher sign, ' +
      `docs/signing-keys.md). To send one grant signed by the key, run "token-refresher refresh ${s.id}" with the ` +
      "stage's --stage, --stack or --outputs-file: the deployed function signs and sends it (IAM: " +
      "lambda:InvokeFunction on the refresher). To check the IdP's side from here, register a key of your own for " +
      'the client and check with it: "signingKey": "credentials" in a copy of the providers file (--providers-file) ' +
      'and TOKEN_REFRESHER_PRIVATE_KEY="$(cat key.pem)". "token-refresher public-key ' +
      `${s.id}" prints the public key the IdP must have registered`,
    EXIT.usage,
    'signing_key_in_kms',
  );
}

/** A Google service-account key file given as the private key: its fields, as the secret holds them pasted as it is. */
function keyFileValues(text: string): Record<string, string> | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const entries = Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string');
  return Object.fromEntries(entries);
}

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
    const file = key === 'private_key' && value ? keyFileValues(value) : undefined;
    if (file?.private_key) Object.assign(values, file);
    else if (value) values[key] = value;
    else missing.push(key);
  }
  for (const key of OPTIONAL) {
    const value = io.env[CREDENTIAL_ENV[key]!];
    if (value && keys.includes('private_key')) values[key] = value;
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
