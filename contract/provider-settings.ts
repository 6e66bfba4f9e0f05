import * as z from 'zod/mini';
import { controlCharacterProblem } from './control-characters.js';
import { METRICS_NAMESPACE_PATTERN } from './metrics.js';
import { type EndpointTarget, tokenEndpointProblem } from './loopback.js';
import { MAX_EXPECTED_LIFETIME_SECONDS } from './published-token.js';
import { kmsSigningKeySchema } from './signing-key.js';

/**
 * The settings one refresher function runs with: a provider entry after its preset was applied.
 * The construct validates them at synth time and the function validates them again at cold start.
 */

export const GRANTS = ['password', 'client_credentials'] as const;
export type PrimaryGrant = (typeof GRANTS)[number];

/**
 * How the client authenticates at the token endpoint.
 * `client_secret_basic_raw_and_post` is MediaHound's legacy Spring stack: Basic with the raw (not
 * form-encoded) `id:secret`, and the same id and secret in the body.
 */
export const CLIENT_AUTH_METHODS = [
  'none',
  'client_secret_post',
  'client_secret_basic',
  'client_secret_basic_raw_and_post',
] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

/** The presets (providers/presets.ts defines each). */
const PRESET_NAMES = ['mediamelon', 'movingimage', 'nagra', 'clickview', 'mediahound', 'generic'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

const providerIdSchema = z
  .string()
  .check(
    z.regex(
      /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/,
      'must be 1 to 40 lowercase letters, digits or hyphens, starting and ending with a letter or digit',
    ),
  );

/** A token endpoint (or a base URL it is built from) that `target` may call. */
export const tokenEndpointSchema = (target: EndpointTarget) =>
  z.string().check(
    z.superRefine((value, ctx) => {
      const problem = tokenEndpointProblem(value, target);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
    }),
  );

/** Text that is sent to the token endpoint: a form field or a header, so no control character. */
const sentText = (max: number) =>
  z.string().check(
    z.maxLength(max),
    z.superRefine((value, ctx) => {
      const problem = controlCharacterProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
    }),
  );

/** Form parameters the refresher sets itself; an extra parameter may not replace them. */
const RESERVED_PARAMS = [
  'grant_type',
  'client_id',
  'client_secret',
  'username',
  'password',
  'refresh_token',
  'scope',
] as const;

/**
 * Parameter names that carry a secret. Extra parameters are written into the template and the
 * function's environment like every setting, so a secret there would be readable by anyone who can
 * read the stack; secrets belong in the credentials secret.
 */
const SECRET_LIKE_PARAM = /secret|passw|pwd|assertion|token|api[-_.]?key|credential|private[-_.]?key/i;

const extraParamsSchema = z
  .record(
    z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'parameter names are 1 to 64 of A-Z a-z 0-9 _ . -')),
    sentText(512),
  )
  .check(
    z.superRefine((params, ctx) => {
      for (const name of Object.keys(params)) {
        const lower = name.toLowerCase();
        if ((RESERVED_PARAMS as readonly string[]).includes(lower)) {
          ctx.addIssue({
            code: 'custom',
            input: params,
            message: `must not set "${name}": the refresher sends ${RESERVED_PARAMS.join(', ')} itself (use "scope" and "clientId"; secrets go into the credentials secret)`,
          });
        } else if (SECRET_LIKE_PARAM.test(name)) {
          ctx.addIssue({
            code: 'custom',
            input: params,
            message: `"${name}" looks like a secret: the providers file ends up in the CloudFormation template and the function's environment, so secrets go into the credentials secret, never into "extraParams"`,
          });
        }
      }
    }),
  );

/**
 * Six hours: Lambda drops queued events older than that, and three alarm periods of one interval
 * must fit in CloudWatch's one-day evaluation window.
 */
const MAX_CHECK_INTERVAL_MINUTES = 360;

/** A whole number between `min` and `max`, with messages that say so (`note` explains the maximum). */
const wholeNumber = (min: number, max: number, unit: string, note = '') =>
  z
    .number()
    .check(
      z.int(`must be a whole number of ${unit}`),
      z.minimum(min, `must be at least ${min} ${unit}`),
      z.maximum(max, `must be at most ${max} ${unit}${note}`),
    );
const seconds = (min: number, max: number) => wholeNumber(min, max, 'seconds');

export const providerSettingsSchema = z.strictObject({
  id: providerIdSchema,
  preset: z.enum(PRESET_NAMES),
  // The function runs what the settings say, loopback http included, so that tests and local mode can
  // run it against a loopback server; a deployment's endpoint is checked for AWS at synth
  // (lib/provider-token-refresher.ts).
  tokenEndpoint: tokenEndpointSchema('local'),
  clientId: sentText(256).check(z.minLength(1)),
  grant: z.enum(GRANTS),
  clientAuth: z.enum(CLIENT_AUTH_METHODS),
  scope: z.optional(sentText(1024)),
  extraParams: extraParamsSchema,
  useRefreshToken: z.boolean(),
  /** Lifetime used when a response has no `expires_in`, and for planning the schedule. */
  expectedLifetimeSeconds: seconds(60, MAX_EXPECTED_LIFETIME_SECONDS),
  /** True when the lifetime is the vendor's documented one (then it wins over a JWT `exp` hint). */
  lifetimeDocumented: z.boolean(),
  minValiditySeconds: seconds(0, 86_400),
  checkIntervalMinutes: wholeNumber(1, MAX_CHECK_INTERVAL_MINUTES, 'minutes', ' (6 hours)'),
  safetyMarginSeconds: seconds(0, 86_400),
  // Two requests (a refresh, then one grant) must fit the function's 30 s with 10 s left to store.
  requestTimeoutSeconds: seconds(1, 10),
  maxAttempts: wholeNumber(1, 5, 'attempts'),
});

export type ProviderSettings = z.infer<typeof providerSettingsSchema>;

/** Which keys the credentials secret must hold for these settings. */
export function requiredCredentialKeys(s: Pick<ProviderSettings, 'grant' | 'clientAuth'>): string[] {
  const keys = s.grant === 'password' ? ['username', 'password'] : [];
  if (s.clientAuth !== 'none') keys.push('client_secret');
  return keys;
}

/** Where the function finds its AWS resources; names and ARNs only, never values. */
const runtimeResourcesSchema = z.strictObject({
  credentialsSecretId: z.string().check(z.minLength(1)),
  tokenStore: z.strictObject({
    kind: z.enum(['secretsmanager', 'parameterstore']),
    id: z.string().check(z.minLength(1)),
  }),
  stateParameterName: z.string().check(z.regex(/^\/[A-Za-z0-9_.\-/]{1,1010}$/)),
  ledgerParameterName: z.string().check(z.regex(/^\/[A-Za-z0-9_.\-/]{1,1010}$/)),
  /**
   * Customer-managed KMS key for the SecureStrings and the secret the function creates, and the key a
   * token secret it finds must have; absent: the AWS-managed keys.
   */
  parameterKeyId: z.optional(z.string().check(z.minLength(1))),
  /**
   * The stack that holds the credentials secrets (the stage's shared stack), where 0.1.0 created the
   * Secrets Manager token secret: a token secret CloudFormation created in it is the stage's own
   * (lambda/adapters/token-secret-check.ts); absent: none is.
   */
  legacyStackId: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  /** The stage's metrics namespace (contract/metrics.ts); absent: `TokenRefresher`. */
  metricsNamespace: z.optional(z.string().check(z.regex(METRICS_NAMESPACE_PATTERN))),
  /**
   * The KMS asymmetric key that signs the provider's assertions (contract/signing-key.ts): its ARN and
   * spec, never key material; absent: nothing signs with KMS (no assertion, or a private key in the
   * credentials secret).
   */
  signingKey: z.optional(kmsSigningKeySchema),
});

export type RuntimeResources = z.infer<typeof runtimeResourcesSchema>;

export const runtimeConfigSchema = z.strictObject({
  provider: providerSettingsSchema,
  resources: runtimeResourcesSchema,
});

export type RuntimeConfig = z.infer<typeof runtimeConfigSchema>;

/** Name of the environment variable that carries the JSON `RuntimeConfig` to the function. */
export const RUNTIME_CONFIG_ENV = 'TOKEN_REFRESHER_CONFIG';
