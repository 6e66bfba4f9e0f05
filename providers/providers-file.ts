import * as z from 'zod/mini';
import { err, ok, type Result } from '../base/result.js';
import { type EndpointTarget, tokenEndpointProblem } from '../contract/loopback.js';
import { constructIdProblems } from '../contract/naming.js';
import {
  CLIENT_AUTH_METHODS,
  GRANTS,
  type ProviderSettings,
  providerSettingsSchema,
  tokenEndpointSchema,
} from '../contract/provider-settings.js';
import { DEFAULT_MIN_VALIDITY_SECONDS } from '../contract/published-token.js';
import { dueThresholdSeconds } from '../contract/schedule.js';
import type { StoreKind } from '../contract/token-stores.js';
import { closest, didYouMean } from './did-you-mean.js';
import { PRESETS, type Preset } from './presets.js';
import { defaultCheckIntervalMinutes, minimumSafetyMarginSeconds, plannedWritesPerDay } from './schedule-plan.js';
import { chooseStore, STORE_REQUESTS } from './store-choice.js';

const DEFAULT_REQUEST_TIMEOUT_SECONDS = 10;
const DEFAULT_MAX_ATTEMPTS = 3;

// zod/mini carries no messages of its own; the English locale words the few checks that set none.
z.config(z.locales.en());

const secretNameSchema = z
  .string()
  .check(z.regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'must be a Secrets Manager secret name (A-Z a-z 0-9 / _ + = . @ -)'));
const secretArnSchema = z
  .string()
  .check(
    z.regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/, 'must be a secret ARN'),
  );

const credentialsRefSchema = z
  .strictObject({ secretName: z.optional(secretNameSchema), secretArn: z.optional(secretArnSchema) })
  .check(z.refine((c) => !(c.secretName && c.secretArn), 'give either "secretName" or "secretArn", not both'));

const settings = providerSettingsSchema.shape;

/**
 * A self-hosted IdP's origin (NAGRA): the preset appends its own path, so a path or a query here
 * would double up in the token endpoint.
 */
const baseUrlSchema = (target: EndpointTarget) =>
  tokenEndpointSchema(target).check(
    z.superRefine((value, ctx) => {
      // The endpoint check above already said what is wrong with anything it refuses.
      if (tokenEndpointProblem(value, target) !== undefined) return;
      const url = new URL(value);
      if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
        ctx.addIssue({
          code: 'custom',
          input: value,
          message: `must be the server's origin only, like "${url.origin}": the preset appends the token path itself; to use another path, set "tokenEndpoint" instead`,
        });
      }
    }),
  );

/**
 * One entry of the providers file as people write it: the settings schema's own fields, optional
 * where a preset or a default fills them, plus what only the construct needs (`baseUrl`, `store`,
 * `credentials`). The ranges are the settings schema's, so the file and the function never disagree.
 * This one is for a deployment; ENTRY_SCHEMAS has the one for local mode.
 */
export const providerEntrySchema = z.strictObject({
  id: settings.id,
  preset: settings.preset,
  tokenEndpoint: z.optional(tokenEndpointSchema('aws')),
  baseUrl: z.optional(baseUrlSchema('aws')),
  clientId: z.optional(settings.clientId),
  grant: z.optional(settings.grant),
  clientAuth: z.optional(settings.clientAuth),
  scope: settings.scope,
  extraParams: z.optional(settings.extraParams),
  useRefreshToken: z.optional(settings.useRefreshToken),
  expectedLifetimeSeconds: z.optional(settings.expectedLifetimeSeconds),
  minValiditySeconds: z.optional(settings.minValiditySeconds),
  checkIntervalMinutes: z.optional(settings.checkIntervalMinutes),
  safetyMarginSeconds: z.optional(settings.safetyMarginSeconds),
  requestTimeoutSeconds: z.optional(settings.requestTimeoutSeconds),
  maxAttempts: z.optional(settings.maxAttempts),
  store: z.optional(z.enum(STORE_REQUESTS)),
  credentials: z.optional(credentialsRefSchema),
});

/** The entry schema for each place the refresher may run: only the endpoint rule differs. */
const ENTRY_SCHEMAS: Readonly<Record<EndpointTarget, typeof providerEntrySchema>> = {
  aws: providerEntrySchema,
  local: z.extend(providerEntrySchema, {
    tokenEndpoint: z.optional(tokenEndpointSchema('local')),
    baseUrl: z.optional(baseUrlSchema('local')),
  }),
};

export type ProviderEntry = z.infer<typeof providerEntrySchema>;

/**
 * How a providers file is read: for a deployment to AWS (`cdk synth`, `plan`, the constructs) or for
 * this machine (`token-refresher run`, the demo, `check`), where a loopback token endpoint may be
 * plain http.
 * @default { target: 'aws' }
 */
export interface ParseOptions {
  readonly target?: EndpointTarget;
}

const alarmEmailsSchema = z.optional(
  z
    .array(z.email('must be an e-mail address'))
    .check(z.maxLength(20, 'at most 20 addresses; subscribe a distribution list instead')),
);

/** The file's outer shape, checked first so that each entry can then be checked on its own. */
/** What the file holds besides its providers: one definition for the parser and the JSON Schema. */
export const FILE_SETTINGS = {
  $schema: z.optional(z.string()),
  /** Subscribed to the stage's alarm topic (each address confirms by e-mail). */
  alarmEmails: alarmEmailsSchema,
  /** Where each alarm description links to its runbook section: your copy of docs/runbook.md. */
  runbookUrl: z.optional(
    z
      .string()
      .check(
        z.refine(
          (value) => /^https:\/\/[^\s#]+$/.test(value),
          'must be an https:// URL without a fragment (the alarm appends "#<alarm name>")',
        ),
      ),
  ),
};

const fileShapeSchema = z.strictObject({
  ...FILE_SETTINGS,
  providers: z.array(z.unknown()).check(z.minLength(1, 'must list at least one provider')),
});

/** A provider ready to deploy: runtime settings plus what only the construct needs. */
export interface ResolvedProvider {
  readonly settings: ProviderSettings;
  readonly store: StoreKind;
  readonly storeReason: string;
  readonly plannedWritesPerDay: number;
  /** Existing credentials secret; undefined means the stack creates an empty one for operators to fill. */
  readonly credentials?: { readonly secretName?: string; readonly secretArn?: string };
}

/** Every problem found in a providers file, each naming provider, field, value and what is allowed. */
export class ProvidersFileError extends Error {
  readonly problems: readonly string[];
  constructor(source: string, problems: readonly string[]) {
    const n = problems.length;
    super(`${source}: ${n} problem${n === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ProvidersFileError';
    this.problems = problems;
  }
}

function show(value: unknown): string {
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

function where(entry: unknown, index: number): string {
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

function describeIssue(raw: unknown, issue: z.core.$ZodIssue): string[] {
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
  if (issue.code === 'unrecognized_keys') {
    const inEntry = subject !== 'the file' && field === '';
    const names =
      subject === 'the file'
        ? FILE_FIELDS
        : inCredentials
          ? CREDENTIALS_FIELDS
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
  // Under credentials a bad value may be the password pasted in the wrong place: its kind, never itself.
  const secretish = subject !== 'the file' && (field === 'credentials' || field.startsWith('credentials.'));
  const got = !('input' in issue)
    ? 'a bad value'
    : secretish
      ? `${jsonKind(issue.input)} (not shown: it may be a secret)`
      : show(issue.input);
  const required = issue.code === 'invalid_type' && 'input' in issue && issue.input === undefined;
  let message = issue.message;
  if (issue.code === 'invalid_value' && 'input' in issue && typeof issue.input === 'string') {
    if (field === 'grant' && issue.input === 'refresh_token') {
      message =
        'renewal by refresh token is automatic while the server hands one out (the "useRefreshToken" setting); ' +
        '"grant" names the primary grant that gets the first token: "password" or "client_credentials"';
    } else {
      message += didYouMean(issue.input, issue.values.map(String));
    }
  }
  return [`${subject}, field "${field || '(root)'}": ${required ? 'is required' : `got ${got}`}: ${message}`];
}

/** Applies the preset and the defaults to one entry; returns the problems instead when there are any. */
function resolveProvider(entry: ProviderEntry, subject = `provider "${entry.id}"`): Result<ResolvedProvider, string[]> {
  const preset: Preset = PRESETS[entry.preset];
  const problems: string[] = [];
  const fail = (field: string, value: unknown, allowed: string) =>
    problems.push(`${subject}, field "${field}": got ${show(value)}: ${allowed}`);

  if (entry.baseUrl !== undefined && entry.tokenEndpoint !== undefined) {
    fail('baseUrl', entry.baseUrl, 'give either "baseUrl" or "tokenEndpoint", not both');
  }
  if (entry.baseUrl !== undefined && !preset.tokenEndpointFromBaseUrl) {
    fail('baseUrl', entry.baseUrl, `preset "${entry.preset}" does not use "baseUrl"; set "tokenEndpoint" instead`);
  }
  let tokenEndpoint = entry.tokenEndpoint ?? preset.tokenEndpoint;
  if (!tokenEndpoint && entry.baseUrl && preset.tokenEndpointFromBaseUrl) {
    tokenEndpoint = preset.tokenEndpointFromBaseUrl(entry.baseUrl);
  }
  if (!tokenEndpoint) {
    fail(
      preset.tokenEndpointFromBaseUrl ? 'baseUrl' : 'tokenEndpoint',
      undefined,
      preset.tokenEndpointFromBaseUrl
        ? `preset "${entry.preset}" needs "baseUrl" (e.g. "https://ovp.example.com:8443") or "tokenEndpoint"`
        : `preset "${entry.preset}" needs "tokenEndpoint" (an https:// URL)`,
    );
  }

  const clientId = entry.clientId ?? preset.clientId;
  if (!clientId) fail('clientId', undefined, `preset "${entry.preset}" needs "clientId" (the OAuth client id)`);
  const grant = entry.grant ?? preset.grant;
  if (!grant)
    fail(
      'grant',
      undefined,
      `preset "${entry.preset}" needs "grant": one of ${GRANTS.map((g) => `"${g}"`).join(', ')}`,
    );
  const clientAuth = entry.clientAuth ?? preset.clientAuth;
  if (!clientAuth) {
    fail(
      'clientAuth',
      undefined,
      `preset "${entry.preset}" needs "clientAuth": one of ${CLIENT_AUTH_METHODS.map((m) => `"${m}"`).join(', ')}`,
    );
  }
  if (grant === 'client_credentials' && clientAuth === 'none') {
    fail(
      'clientAuth',
      clientAuth,
      'the client_credentials grant needs a client secret: use "client_secret_post", "client_secret_basic" or "client_secret_basic_raw_and_post"',
    );
  }
  const lifetime = entry.expectedLifetimeSeconds ?? preset.lifetimeSeconds;
  if (lifetime === undefined) {
    fail(
      'expectedLifetimeSeconds',
      undefined,
      `preset "${entry.preset}" needs "expectedLifetimeSeconds" (the access-token lifetime the server grants)`,
    );
  }
  if (problems.length > 0 || !tokenEndpoint || !clientId || !grant || !clientAuth || lifetime === undefined)
    return err(problems);

  const minValiditySeconds = entry.minValiditySeconds ?? DEFAULT_MIN_VALIDITY_SECONDS;
  const checkIntervalMinutes =
    entry.checkIntervalMinutes ??
    preset.checkIntervalMinutes ??
    defaultCheckIntervalMinutes(lifetime, minValiditySeconds);
  const minimumMargin = minimumSafetyMarginSeconds(checkIntervalMinutes);
  const safetyMarginSeconds = entry.safetyMarginSeconds ?? minimumMargin;
  if (safetyMarginSeconds < minimumMargin) {
    fail(
      'safetyMarginSeconds',
      safetyMarginSeconds,
      `must be at least ${minimumMargin} with checkIntervalMinutes ${checkIntervalMinutes}: one check interval, so a failed renewal ` +
        'is retried before minValiditySeconds is reached, plus 95 s for a run that starts late (EventBridge Scheduler has ' +
        '60 s precision) and takes its full 30 s; less would let the token-freshness alarm warn too late or fire while healthy',
    );
    return err(problems);
  }
  const timing = { minValiditySeconds, checkIntervalMinutes, safetyMarginSeconds };
  const threshold = dueThresholdSeconds(timing);
  if (lifetime <= threshold) {
    problems.push(dueAtOnceProblem(subject, entry, lifetime, timing));
    return err(problems);
  }
  const writesPerDay = plannedWritesPerDay(lifetime, timing);
  const choice = chooseStore(entry.store ?? 'auto', writesPerDay);
  if ('error' in choice) {
    fail('store', entry.store, choice.error);
    return err(problems);
  }

  const settings = providerSettingsSchema.parse({
    id: entry.id,
    preset: entry.preset,
    tokenEndpoint,
    clientId,
    grant,
    clientAuth,
    scope: entry.scope ?? preset.scope,
    extraParams: { ...preset.extraParams, ...entry.extraParams },
    useRefreshToken: entry.useRefreshToken ?? preset.useRefreshToken,
    expectedLifetimeSeconds: lifetime,
    lifetimeDocumented: entry.expectedLifetimeSeconds === undefined && preset.lifetimeSeconds !== undefined,
    ...timing,
    requestTimeoutSeconds: entry.requestTimeoutSeconds ?? DEFAULT_REQUEST_TIMEOUT_SECONDS,
    maxAttempts: entry.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
  });
  return ok({
    settings,
    store: choice.kind,
    storeReason: choice.reason,
    plannedWritesPerDay: writesPerDay,
    ...(entry.credentials ? { credentials: entry.credentials } : {}),
  });
}

/** The timing fields a person may write, in the order a fix is most likely to be wanted. */
const TIMING_FIELDS = ['checkIntervalMinutes', 'minValiditySeconds', 'safetyMarginSeconds'] as const;

/**
 * A token that would be due as soon as it is issued. The message blames the fields the person wrote,
 * not one a preset or a default filled (the preset's lifetime applies when the file has none), and
 * says how far each of them would have to come down.
 */
function dueAtOnceProblem(
  subject: string,
  entry: ProviderEntry,
  lifetime: number,
  timing: { minValiditySeconds: number; checkIntervalMinutes: number; safetyMarginSeconds: number },
): string {
  const { minValiditySeconds: min, checkIntervalMinutes: interval, safetyMarginSeconds: margin } = timing;
  const written = TIMING_FIELDS.filter((f) => entry[f] !== undefined);
  const lifetimeWritten = entry.expectedLifetimeSeconds !== undefined;
  const blamed = written[0] ?? (lifetimeWritten ? 'expectedLifetimeSeconds' : 'preset');
  const value = blamed === 'preset' ? entry.preset : entry[blamed];
  const marginNote = entry.safetyMarginSeconds === undefined ? ', the least allowed: one interval + 95 s' : '';
  const lifetimeSource = lifetimeWritten
    ? '"expectedLifetimeSeconds"'
    : `preset "${entry.preset}"'s documented lifetime; "expectedLifetimeSeconds" is not set`;
  const fixes: string[] = [];
  // The margin follows the interval when it is not written, so each minute of interval costs 120 s.
  const perMinute = entry.safetyMarginSeconds === undefined ? 120 : 60;
  const fixedMargin = entry.safetyMarginSeconds === undefined ? minimumSafetyMarginSeconds(0) : margin;
  const maxInterval = Math.floor((lifetime - min - fixedMargin - 1) / perMinute);
  if (entry.checkIntervalMinutes !== undefined && maxInterval >= 1) {
    fixes.push(`"checkIntervalMinutes" at most ${maxInterval}`);
  }
  const maxMin = lifetime - interval * 60 - margin - 1;
  if (entry.minValiditySeconds !== undefined && maxMin >= 0) fixes.push(`"minValiditySeconds" at most ${maxMin}`);
  const maxMargin = lifetime - min - interval * 60 - 1;
  if (entry.safetyMarginSeconds !== undefined && maxMargin >= minimumSafetyMarginSeconds(interval)) {
    fixes.push(`"safetyMarginSeconds" at most ${maxMargin}`);
  }
  if (fixes.length === 0 && written.length > 0)
    fixes.push(`lower values of ${written.map((f) => `"${f}"`).join(' and ')}`);
  fixes.push(lifetimeWritten ? 'a longer "expectedLifetimeSeconds" if the server grants it' : 'a longer-lived token');
  const yours = written.map((f) => `"${f}" ${entry[f]}`).join(', ');
  return (
    `${subject}, field "${blamed}": got ${show(value)}: a ${lifetime} s token (${lifetimeSource}) would be due as soon ` +
    `as it is issued: renewal starts at minValiditySeconds (${min}) + checkIntervalMinutes (${interval}) x 60 + ` +
    `safetyMarginSeconds (${margin}${marginNote}) = ${dueThresholdSeconds(timing)} s` +
    `${yours ? `; you set ${yours}` : ''}; use ${fixes.join(', or ')}`
  );
}

/** Everything the stack needs from the providers file. */
export interface StackConfig {
  readonly providers: ResolvedProvider[];
  readonly alarmEmails: readonly string[];
  /** Absent: the runbook this project ships. */
  readonly runbookUrl?: string;
}

/**
 * Validates a parsed providers file and resolves every provider.
 * @throws ProvidersFileError listing every problem found
 */
export function parseProvidersFile(
  raw: unknown,
  source = 'providers file',
  options: ParseOptions = {},
): ResolvedProvider[] {
  return parseStackConfig(raw, source, options).providers;
}

/**
 * The providers and the stack-wide settings (alarm e-mails) of a providers file.
 * @throws ProvidersFileError listing every problem found
 */
export function parseStackConfig(raw: unknown, source = 'providers file', options: ParseOptions = {}): StackConfig {
  const entrySchema = ENTRY_SCHEMAS[options.target ?? 'aws'];
  if (Array.isArray(raw)) {
    throw new ProvidersFileError(source, [
      'the file: got a list: wrap it in an object, {"providers": [ ...your entries... ]}; the object also ' +
        'holds "alarmEmails" and "$schema"',
    ]);
  }
  const shape = fileShapeSchema.safeParse(raw, { reportInput: true });
  if (!shape.success)
    throw new ProvidersFileError(
      source,
      shape.error.issues.flatMap((i) => describeIssue(raw, i)),
    );

  const problems: string[] = [];
  const resolved: ResolvedProvider[] = [];
  const seen = new Map<string, number>();
  shape.data.providers.forEach((candidate, index) => {
    const parsed = entrySchema.safeParse(candidate, { reportInput: true });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push(...describeIssue(raw, { ...issue, path: ['providers', index, ...issue.path] }));
      }
      return;
    }
    const entry = parsed.data;
    const subject = where(entry, index);
    const first = seen.get(entry.id);
    if (first !== undefined) {
      problems.push(
        `${subject}, field "id": got ${show(entry.id)}: ids must be unique; providers[${first}] already uses it`,
      );
      return;
    }
    seen.set(entry.id, index);
    const result = resolveProvider(entry, subject);
    if (result.ok) resolved.push(result.value);
    else problems.push(...result.error);
  });
  problems.push(...sharedCredentialsProblems(resolved), ...constructIdProblems(resolved.map((p) => p.settings.id)));
  if (problems.length > 0) throw new ProvidersFileError(source, problems);
  return {
    providers: resolved,
    alarmEmails: shape.data.alarmEmails ?? [],
    ...(shape.data.runbookUrl === undefined ? {} : { runbookUrl: shape.data.runbookUrl }),
  };
}

/**
 * Each provider needs a credentials secret of its own: the lockout guard keys on the secret's
 * version per provider, so two refreshers sharing one would keep independent guards and could send
 * the same password in parallel.
 */
function sharedCredentialsProblems(providers: readonly ResolvedProvider[]): string[] {
  const first = new Map<string, string>();
  const problems: string[] = [];
  for (const { settings, credentials } of providers) {
    const secret = credentials?.secretArn ?? credentials?.secretName;
    if (secret === undefined) continue;
    const other = first.get(secret);
    if (other === undefined) first.set(secret, settings.id);
    else {
      problems.push(
        `provider "${settings.id}", field "credentials": got ${show(secret)}: provider "${other}" already uses this secret; ` +
          'give each provider its own credentials secret (their lockout guards and logins must not overlap)',
      );
    }
  }
  return problems;
}
