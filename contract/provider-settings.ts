import * as z from 'zod/mini';
import { authorizationParamsSchema, extraParamsSchema, sentText } from './sent-text.js';
import { eventsRuntimeSchema } from './events.js';
import { METRICS_NAMESPACE_PATTERN } from './metrics.js';
import { type EndpointTarget, tokenEndpointProblem } from './loopback.js';
import { MAX_EXPECTED_LIFETIME_SECONDS } from './published-token.js';
import { kmsSigningKeySchema } from './signing-key.js';

/**
 * The settings one refresher function runs with: a provider entry after its preset was applied.
 * The construct validates them at synth time and the function validates them again at cold start.
 */

/**
 * `jwt_bearer`: RFC 7523 section 2.1, a signed assertion is the grant; no refresh token comes with it.
 * `refresh_token`: the provider lives on a refresh token alone (RFC 6749 section 6), the first one
 * obtained by a person (`token-refresher connect`); there is no other grant to fall back on, so a
 * refused or missing refresh token is "reconnect needed" (core/run/connection.ts).
 */
export const GRANTS = ['password', 'client_credentials', 'jwt_bearer', 'refresh_token'] as const;
export type PrimaryGrant = (typeof GRANTS)[number];

/** Whether the provider lives on its refresh token alone: a person connects it, nothing else renews it. */
export const livesOnRefreshToken = (s: { readonly grant: PrimaryGrant }): boolean => s.grant === 'refresh_token';

/**
 * How the client authenticates at the token endpoint.
 * `client_secret_basic_raw_and_post` is MediaHound's legacy Spring stack: Basic with the raw (not
 * form-encoded) `id:secret`, and the same id and secret in the body. `private_key_jwt` and
 * `client_secret_jwt` send a signed assertion (RFC 7523 section 2.2, OIDC Core section 9), made anew
 * for every request.
 */
export const CLIENT_AUTH_METHODS = [
  'none',
  'client_secret_post',
  'client_secret_basic',
  'client_secret_basic_raw_and_post',
  'private_key_jwt',
  'client_secret_jwt',
  'tls_client_auth',
  'self_signed_tls_client_auth',
] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

/**
 * Where the private key that signs `private_key_jwt` and `jwt_bearer` assertions lives: `kms`, an
 * AWS KMS asymmetric key only the refresher may sign with; `credentials`, a `private_key` PEM (or a
 * Google service-account key file pasted as it is) in the credentials secret.
 */
export const SIGNING_KEY_SOURCES = ['kms', 'credentials'] as const;
export type SigningKeySource = (typeof SIGNING_KEY_SOURCES)[number];

/** An assertion's lifetime (`exp - iat`) when the settings give none, and the most they may give. */
export const DEFAULT_ASSERTION_LIFETIME_SECONDS = 60;
export const MAX_ASSERTION_LIFETIME_SECONDS = 3600;

/**
 * Mutual TLS (RFC 8705 section 2): the client proves itself with a certificate in the TLS handshake,
 * issued by a CA the IdP trusts (`tls_client_auth`) or registered with the IdP as it is
 * (`self_signed_tls_client_auth`). Certificate and key come from the credentials secret.
 */
export const MTLS_METHODS = ['tls_client_auth', 'self_signed_tls_client_auth'] as const satisfies ClientAuthMethod[];
export const isMutualTls = (method: ClientAuthMethod): method is (typeof MTLS_METHODS)[number] =>
  (MTLS_METHODS as readonly string[]).includes(method);

/** The credentials-secret keys of a client certificate, PEM text each (docs/providers-file.md). */
export const CLIENT_CERTIFICATE_KEYS = { certificate: 'tls_certificate', privateKey: 'tls_private_key' } as const;

/** The presets (providers/presets.ts defines each). */
const PRESET_NAMES = [
  'mediamelon',
  'movingimage',
  'nagra',
  'clickview',
  'mediahound',
  'okta',
  'entra-id',
  'google-service-account',
  'salesforce-jwt',
  'google-oauth',
  'microsoft-graph-delegated',
  'generic',
] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export const providerIdSchema = z
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

/**
 * How the refresher makes its signed assertions (private_key_jwt, client_secret_jwt, the jwt_bearer
 * grant). Every field but `signingKey` has a default; docs/providers-file.md explains each.
 */
export const assertionSettingsSchema = z.strictObject({
  /** Where the private key lives; required with private_key_jwt or jwt_bearer, unused with client_secret_jwt. */
  signingKey: z.optional(z.enum(SIGNING_KEY_SOURCES)),
  /** The `aud` claim; default: the token endpoint URL. */
  audience: z.optional(sentText(1024).check(z.minLength(1))),
  /** `exp - iat`; default DEFAULT_ASSERTION_LIFETIME_SECONDS. */
  lifetimeSeconds: z.optional(seconds(10, MAX_ASSERTION_LIFETIME_SECONDS)),
  /** The jwt_bearer grant's `sub`; default: a service-account key file's `client_email`, else the client id. */
  subject: z.optional(sentText(1024).check(z.minLength(1))),
  /** The jwt_bearer grant carries `scope` as a claim of the assertion (Google) instead of a form field. */
  scopeClaim: z.optional(z.boolean()),
  /** The header carries `x5t#S256`, the SHA-256 thumbprint of the certificate registered at the IdP (Entra ID). */
  includeCertificateThumbprint: z.optional(z.boolean()),
});

/** The two ways to name where tokens come from; a provider has exactly one. */
const ENDPOINT_FIELDS = ['tokenEndpoint', 'issuer'] as const;

/** Why settings name no token endpoint, or two ways to find one; undefined when they name exactly one. */
export function endpointChoiceProblem(s: { tokenEndpoint?: string | undefined; issuer?: string | undefined }) {
  const given = ENDPOINT_FIELDS.filter((f) => s[f] !== undefined);
  if (given.length === 1) return undefined;
  return given.length === 0
    ? 'needs "tokenEndpoint" (the token URL) or "issuer" (the IdP\'s issuer URL; the token endpoint is discovered from its metadata)'
    : 'give either "tokenEndpoint" or "issuer", not both: with "issuer" the token endpoint comes from the issuer\'s metadata';
}

export type AssertionSettings = z.infer<typeof assertionSettingsSchema>;

export const providerSettingsSchema = z
  .strictObject({
    id: providerIdSchema,
    preset: z.enum(PRESET_NAMES),
    // The function runs what the settings say, loopback http included, so that tests and local mode can
    // run it against a loopback server; a deployment's endpoint is checked for AWS at synth
    // (lib/provider-token-refresher.ts).
    tokenEndpoint: z.optional(tokenEndpointSchema('local')),
    /**
     * The IdP's issuer identifier (RFC 8414 section 2), in place of `tokenEndpoint`: the function reads
     * the token endpoint from the issuer's metadata at run time (core/discovery/metadata.ts). The same
     * URL rules as a token endpoint apply: RFC 8414 allows no query or fragment in an issuer either.
     */
    issuer: z.optional(tokenEndpointSchema('local')),
    /**
     * Where `token-refresher connect` sends the person to consent (RFC 6749 section 3.1) and where it
     * asks for a device code (RFC 8628 section 3.1), when the issuer's metadata does not name them.
     * The function never calls them; they are not part of the fingerprint.
     */
    authorizationEndpoint: z.optional(tokenEndpointSchema('local')),
    deviceAuthorizationEndpoint: z.optional(tokenEndpointSchema('local')),
    /**
     * Extra query parameters on the authorization request `connect` builds (Google's
     * `access_type=offline`, `prompt=consent`); like the endpoints above, never used by the function.
     */
    authorizationParams: z.optional(authorizationParamsSchema),
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
    assertion: z.optional(assertionSettingsSchema),
  })
  .check(
    z.superRefine((s, ctx) => {
      const endpointProblem = endpointChoiceProblem(s);
      if (endpointProblem)
        ctx.addIssue({ code: 'custom', message: endpointProblem, input: s, path: ['tokenEndpoint'] });
      for (const p of authenticationProblems(s)) {
        ctx.addIssue({ code: 'custom', path: p.field.split('.'), input: p.value, message: p.message });
      }
    }),
  );

export type ProviderSettings = z.infer<typeof providerSettingsSchema>;

type AuthSettings = Pick<ProviderSettings, 'grant' | 'clientAuth'> & { readonly assertion?: AssertionSettings };

/** Whether these settings sign assertions with a private key (private_key_jwt, the jwt_bearer grant). */
export function signsWithPrivateKey(s: AuthSettings): boolean {
  return s.clientAuth === 'private_key_jwt' || s.grant === 'jwt_bearer';
}

/** Which keys the credentials secret must hold for these settings. */
export function requiredCredentialKeys(s: AuthSettings): string[] {
  const keys = s.grant === 'password' ? ['username', 'password'] : [];
  if (isMutualTls(s.clientAuth)) keys.push(CLIENT_CERTIFICATE_KEYS.certificate, CLIENT_CERTIFICATE_KEYS.privateKey);
  else if (s.clientAuth !== 'none' && s.clientAuth !== 'private_key_jwt') keys.push('client_secret');
  if (signsWithPrivateKey(s) && s.assertion?.signingKey === 'credentials') keys.push('private_key');
  return keys;
}

/** A problem with how a provider authenticates: the field (a path such as `assertion.signingKey`) and the fix. */
export interface AuthProblem {
  readonly field: string;
  readonly value: unknown;
  readonly message: string;
}

const SIGNING_KEY_FIX =
  '"kms" (an AWS KMS key only the refresher can sign with; register its public key at the IdP) or "credentials" ' +
  '(a "private_key" PEM, or a Google service-account key file as it is, in the credentials secret)';

/**
 * The rules between grant, client authentication and the assertion settings, one place for the
 * providers file (providers/resolve-provider.ts) and the function's cold start (the schema below).
 */
export function authenticationProblems(s: AuthSettings & Pick<ProviderSettings, 'useRefreshToken'>): AuthProblem[] {
  const problems: AuthProblem[] = [];
  const key = s.assertion?.signingKey;
  if (s.grant === 'client_credentials' && s.clientAuth === 'none') {
    problems.push({
      field: 'clientAuth',
      value: s.clientAuth,
      message:
        'the client_credentials grant needs client authentication: use "client_secret_post", "client_secret_basic", ' +
        '"client_secret_basic_raw_and_post", "private_key_jwt", "client_secret_jwt", or a client certificate: ' +
        '"tls_client_auth", "self_signed_tls_client_auth"',
    });
  }
  if (signsWithPrivateKey(s) && key === undefined) {
    const what = s.grant === 'jwt_bearer' ? 'the jwt_bearer grant' : 'clientAuth "private_key_jwt"';
    problems.push({
      field: 'assertion.signingKey',
      value: undefined,
      message: `${what} signs with a private key: say where it lives, ${SIGNING_KEY_FIX}`,
    });
  }
  if (!signsWithPrivateKey(s) && key !== undefined) {
    const why =
      s.clientAuth === 'client_secret_jwt'
        ? 'client_secret_jwt signs with the client secret (HS256)'
        : `nothing is signed with clientAuth "${s.clientAuth}" and grant "${s.grant}"`;
    problems.push({ field: 'assertion.signingKey', value: key, message: `${why}: remove "signingKey"` });
  }
  const assertions = signsWithPrivateKey(s) || s.clientAuth === 'client_secret_jwt';
  if (!assertions && s.assertion !== undefined && key === undefined) {
    problems.push({
      field: 'assertion',
      value: s.assertion,
      message:
        'only used with clientAuth "private_key_jwt" or "client_secret_jwt" or grant "jwt_bearer": remove it or ' +
        'choose one of those',
    });
  }
  if (s.grant !== 'jwt_bearer' && (s.assertion?.subject !== undefined || s.assertion?.scopeClaim !== undefined)) {
    const field = s.assertion.subject !== undefined ? 'assertion.subject' : 'assertion.scopeClaim';
    problems.push({
      field,
      value: s.assertion.subject ?? s.assertion.scopeClaim,
      message: "only the jwt_bearer grant uses it (a client assertion's subject is the client id): remove it",
    });
  }
  if (s.clientAuth === 'client_secret_jwt' && s.assertion?.includeCertificateThumbprint && !signsWithPrivateKey(s)) {
    problems.push({
      field: 'assertion.includeCertificateThumbprint',
      value: true,
      message: 'client_secret_jwt signs with the client secret, which has no certificate: remove it',
    });
  }
  if (s.grant === 'refresh_token' && !s.useRefreshToken) {
    problems.push({
      field: 'useRefreshToken',
      value: false,
      message:
        'the refresh_token grant lives on the refresh token a person connected (token-refresher connect): remove it or set it to true',
    });
  }
  if (s.grant === 'jwt_bearer' && s.useRefreshToken) {
    problems.push({
      field: 'useRefreshToken',
      value: true,
      message:
        'the jwt_bearer grant hands out no refresh token (RFC 7523): every renewal is a new assertion; set it to false',
    });
  }
  return problems;
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
  /** Where lifecycle events go (contract/events.ts); absent: none are sent. */
  events: z.optional(eventsRuntimeSchema),
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
