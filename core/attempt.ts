import { DEFAULT_ASSERTION_LIFETIME_SECONDS, type ProviderSettings } from '../contract/provider-settings.js';
import { failure } from '../contract/failure.js';
import { type AssertionClaims, JTI_BYTES, signAssertion } from './assertion.js';
import type { ClassifiedFailure } from './classify.js';
import {
  type AssertionSigner,
  type ClientAuthentication,
  type Clock,
  type GrantName,
  type SigningError,
  type TokenRequest,
} from './ports.js';
import { isServiceAccountKey } from './signers/credentials-key.js';

/**
 * What a grant step decided to send, before its assertions: the jwt_bearer grant's assertion and a
 * client assertion are made for each attempt (attemptMaker), never once per run.
 */
export type GrantPlan =
  | { readonly grant: 'refresh_token'; readonly refreshToken: string }
  | { readonly grant: 'password'; readonly username: string; readonly password: string }
  | { readonly grant: 'client_credentials' }
  | { readonly grant: 'jwt_bearer' };

/** The signers of a run: `client` for client_secret_jwt or private_key_jwt, `grant` for the jwt_bearer grant. */
export interface Signers {
  readonly client?: AssertionSigner;
  readonly grant?: AssertionSigner;
}

/** One attempt as it is sent. */
export interface PreparedAttempt {
  readonly request: TokenRequest;
  readonly auth: ClientAuthentication;
}

/**
 * Makes what one attempt sends, within `signal` (the attempt's share of the run's deadline). A signer
 * that cannot sign rejects with its SigningError, which core/request-token.ts classifies
 * (`signingFailure`): nothing is sent then.
 */
export type PrepareAttempt = (signal: AbortSignal) => Promise<PreparedAttempt>;

export interface AttemptInputs {
  readonly settings: ProviderSettings;
  /**
   * The token endpoint the request goes to: the settings' own, or the one the issuer's metadata
   * named (core/run/discovery-step.ts). An assertion's `aud` defaults to it.
   */
  readonly tokenEndpoint: string | undefined;
  /** The credentials secret's values (empty when the run sends nothing from it). */
  readonly values: Readonly<Record<string, string>>;
  readonly signers: Signers;
  readonly clock: Clock;
  /** `size` fresh random bytes, for each assertion's `jti`. */
  readonly randomBytes: (size: number) => Uint8Array;
  /** Every assertion made is a credential for its lifetime: the run redacts it wherever it shows. */
  readonly remember: (secret: string) => void;
}

/**
 * A signer that could not sign: `signing_key_unusable` (disabled, deleted, not allowed) is a
 * configuration failure, not retried; `signing_unavailable` (throttled, an outage) is transient and
 * may be retried in the run. Nothing was sent, so neither counts as an attempt at the IdP.
 */
export function signingFailure(e: SigningError, grant: GrantName): ClassifiedFailure {
  const unusable = e.code === 'signing_key_unusable';
  return {
    ...failure(unusable ? 'configuration' : 'transient', e.code, `${grant} grant: not sent, ${e.message}`),
    refreshRejected: false,
    ambiguous: false,
    retryable: !unusable,
    notSent: true,
  };
}

/** The claims of a client assertion (RFC 7523 section 3, OIDC Core section 9): the client speaks for itself. */
function clientClaims(settings: ProviderSettings, tokenEndpoint: string | undefined): AssertionClaims {
  const a = settings.assertion;
  const aud = a?.audience ?? tokenEndpoint;
  // core/run/discovery-step.ts resolves the endpoint before any step sends; settings name one or the other.
  if (aud === undefined) throw new TypeError('an assertion needs an audience: no token endpoint is known');
  return {
    iss: settings.clientId,
    sub: settings.clientId,
    aud,
    lifetimeSeconds: a?.lifetimeSeconds ?? DEFAULT_ASSERTION_LIFETIME_SECONDS,
    withThumbprint: a?.includeCertificateThumbprint ?? false,
  };
}

/** The claims of the jwt_bearer grant: a service-account key file names its own account, as Google requires. */
function grantClaims(
  settings: ProviderSettings,
  tokenEndpoint: string | undefined,
  values: Readonly<Record<string, string>>,
): AssertionClaims {
  const account = isServiceAccountKey(values) ? values.client_email : undefined;
  const iss = account ?? settings.clientId;
  const scope = settings.assertion?.scopeClaim ? settings.scope : undefined;
  return {
    ...clientClaims(settings, tokenEndpoint),
    iss,
    sub: settings.assertion?.subject ?? iss,
    ...(scope === undefined ? {} : { scope }),
  };
}

/** How the client authenticates in one attempt: its secret as such, or an assertion made for this attempt. */
async function clientAuthentication(
  inputs: AttemptInputs,
  assertion: (signer: AssertionSigner, claims: AssertionClaims) => Promise<string>,
): Promise<ClientAuthentication> {
  const { settings, values, signers } = inputs;
  const method = settings.clientAuth;
  switch (method) {
    case 'none':
      return { method };
    case 'private_key_jwt':
    case 'client_secret_jwt':
      // core/run/signers.ts resolves a client signer for these methods, or the run stops before sending.
      if (!signers.client) throw new TypeError(`client authentication "${method}" needs a signer`);
      return { method, assertion: await assertion(signers.client, clientClaims(settings, inputs.tokenEndpoint)) };
    default:
      return { method, clientSecret: values.client_secret ?? '' };
  }
}

/** Builds each attempt of `plan` anew: fresh `jti`, `iat` and `exp` in every assertion. */
export function attemptMaker(inputs: AttemptInputs, plan: GrantPlan): PrepareAttempt {
  const { settings, values, signers, clock, randomBytes, remember } = inputs;
  const assertion = async (signer: AssertionSigner, claims: AssertionClaims, signal: AbortSignal) => {
    const signed = await signAssertion(signer, claims, clock.now(), randomBytes(JTI_BYTES), signal);
    remember(signed);
    return signed;
  };
  return async (signal) => {
    const sign = (signer: AssertionSigner, claims: AssertionClaims) => assertion(signer, claims, signal);
    const auth = await clientAuthentication(inputs, sign);
    if (plan.grant !== 'jwt_bearer') return { request: plan, auth };
    if (!signers.grant) throw new TypeError('the jwt_bearer grant needs a signer');
    const signed = await sign(signers.grant, grantClaims(settings, inputs.tokenEndpoint, values));
    return { request: { grant: 'jwt_bearer', assertion: signed }, auth };
  };
}
