import type * as z from 'zod/mini';
import { closest, didYouMean } from './did-you-mean.js';
import { credentialsRefSchema, FILE_SETTINGS, providerEntrySchema } from './provider-entry.js';
import { SIGNING_KEY_FIELDS } from './signing-key-choice.js';

/*
 * The providers file's error messages: each names the provider, the field, the value (never one that
 * may be a secret) and what is allowed.
 */

export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The JSON kind of a value that must not be shown. */
function jsonKind(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value === 'object' ? 'object' : typeof value}`;
}

export function where(entry: unknown, index: number): string {
  const id = (entry as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? `provider "${id}" (providers[${index}])` : `providers[${index}]`;
}

/**
 * Names people put into a provider entry for values that belong in the credentials secret, with the
 * key that secret uses for it (contract/provider-settings.ts requiredCredentialKeys), or none for
 * tokens, which the refresher obtains itself.
 */
const SECRET_FIELDS: Readonly<Record<string, string | undefined>> = {
  clientsecret: 'client_secret',
  client_secret: 'client_secret',
  secret: 'client_secret',
  password: 'password',
  username: 'username',
  refreshtoken: undefined,
  refresh_token: undefined,
  accesstoken: undefined,
  access_token: undefined,
};

function secretFieldProblem(subject: string, key: string): string {
  const where =
    '"credentials.secretName" or "credentials.secretArn" names it, else the stack creates ' +
    '"token-refresher/<id>/credentials" for you to fill';
  const target = SECRET_FIELDS[key.toLowerCase()];
  const fix =
    target === undefined
      ? 'tokens are never configured: the refresher obtains and renews them itself from the credentials in the ' +
        `provider's credentials secret (${where})`
      : `put it into the provider's credentials secret as the JSON key "${target}" (${where})`;
  return (
    `${subject}, field "${key}": secrets never go into the providers file (it ends up in the CloudFormation ` +
    `template and the function's environment): ${fix}`
  );
}

const CREDENTIALS_FIELDS = Object.keys(credentialsRefSchema.shape);

/** What `credentials` takes, and how the secret it names gets its values. */
const CREDENTIALS_FIX =
  '"credentials" takes only the Secrets Manager secret that holds the credentials, {"secretName": "…"} or ' +
  '{"secretArn": "…"}; put the credentials into that secret as JSON, {"username": "…", "password": "…"} or ' +
  '{"client_secret": "…"} as the preset needs, with aws secretsmanager put-secret-value --secret-id <secret> ' +
  '--secret-string file://creds.json (README.md, "Deploy"); or leave "credentials" out and fill the secret ' +
  '"token-refresher/<id>/credentials" that the stack creates';

/** A key inside `credentials` that is a credential itself rather than a misspelt `secretName`/`secretArn`. */
const CREDENTIAL_LIKE = /user|login|pass|pwd|secret|token|key|auth/i;
const isCredentialKey = (key: string) =>
  key.toLowerCase() in SECRET_FIELDS || (CREDENTIAL_LIKE.test(key) && closest(key, CREDENTIALS_FIELDS) === undefined);

/**
 * `credentials` holding the credentials themselves. The message names the keys, never their values:
 * they are the password and the client secret.
 */
function credentialsInFileProblem(subject: string, keys: readonly string[]): string {
  return (
    `${subject}, field "credentials": got ${keys.map((k) => `"${k}"`).join(', ')}: secrets never go into the ` +
    `providers file (it ends up in the CloudFormation template and the function's environment): ${CREDENTIALS_FIX}`
  );
}

const FILE_FIELDS = ['providers', ...Object.keys(FILE_SETTINGS)];

export function describeIssue(raw: unknown, issue: z.core.$ZodIssue): string[] {
  const path = issue.path.map(String);
  const providers = (raw as { providers?: unknown[] } | undefined)?.providers;
  let subject = 'the file';
  let field = path.join('.');
  if (path[0] === 'providers' && path.length >= 2) {
    const index = Number(path[1]);
    subject = where(Array.isArray(providers) ? providers[index] : undefined, index);
    field = path.slice(2).join('.');
  }
  const inCredentials = subject !== 'the file' && field === 'credentials';
  const inSigningKey = subject !== 'the file' && field === 'signingKey';
  if (issue.code === 'unrecognized_keys') {
    const inEntry = subject !== 'the file' && field === '';
    const names =
      subject === 'the file'
        ? FILE_FIELDS
        : inCredentials
          ? CREDENTIALS_FIELDS
          : inSigningKey
            ? SIGNING_KEY_FIELDS
            : Object.keys(providerEntrySchema.shape);
    const allowed = names.map((k) => `"${k}"`).join(', ');
    const credentials = inCredentials ? issue.keys.filter(isCredentialKey) : [];
    const others = issue.keys
      .filter((key) => !credentials.includes(key))
      .map((key) => {
        if (inEntry && key.toLowerCase() in SECRET_FIELDS) return secretFieldProblem(subject, key);
        return `${subject}${field ? `, field "${field}"` : ''}: unknown field "${key}"${didYouMean(key, names)}; allowed: ${allowed}`;
      });
    return credentials.length > 0 ? [credentialsInFileProblem(subject, credentials), ...others] : others;
  }
  if (inCredentials && issue.code === 'invalid_type') {
    // Not an object: it may be the password itself, so the value is not shown.
    return [`${subject}, field "credentials": got ${jsonKind(issue.input)}: ${CREDENTIALS_FIX}`];
  }
  // Under credentials a bad value may be the password pasted in the wrong place, under signingKey the
  // private key: its kind, never itself.
  const secretish = subject !== 'the file' && /^(?:credentials|signingKey)(?:\.|$)/.test(field);
  const got = !('input' in issue)
    ? 'a bad value'
    : secretish
      ? `${jsonKind(issue.input)} (not shown: it may be a secret)`
      : show(issue.input);
  const required = issue.code === 'invalid_type' && 'input' in issue && issue.input === undefined;
  let message = issue.message;
  if (issue.code === 'invalid_value' && 'input' in issue && typeof issue.input === 'string') {
    message += didYouMean(issue.input, issue.values.map(String));
  }
  return [`${subject}, field "${field || '(root)'}": ${required ? 'is required' : `got ${got}`}: ${message}`];
}
