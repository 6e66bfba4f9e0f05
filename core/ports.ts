import type { LifecycleEvent } from '../contract/events.js';
import type { PublishedToken } from '../contract/published-token.js';
import type { PrivateState } from '../contract/private-state.js';
import { TOKEN_SECRET_NOT_OWNED } from '../contract/failure.js';
import type { ForcedRunBudget } from '../contract/token-stores.js';

/** Wall-clock time in epoch milliseconds; injected so the algorithm can run on a simulated clock. */
export interface Clock {
  now(): number;
}

export type Sleep = (ms: number) => Promise<void>;

/**
 * Where consumers read the token. Absent (never published) reads as undefined. Every AWS-backed port
 * takes an AbortSignal: the core gives each call a deadline (core/run/aws-call.ts).
 */
export interface PublishedTokenStore {
  /** The store's name as the providers file's `store` gives it, for messages; the core decides nothing on it. */
  readonly kind: string;
  /** The store as operators know it (`Secrets Manager`), for messages. */
  readonly displayName: string;
  /** Largest value the store accepts, in bytes. */
  readonly maxBytes: number;
  /** How often the store takes a forced renewal of a token that is not due (core/forced-runs.ts). */
  readonly forcedRunBudget: ForcedRunBudget;
  read(signal?: AbortSignal): Promise<PublishedToken | undefined>;
  write(token: PublishedToken, signal?: AbortSignal): Promise<void>;
  /**
   * For a store someone else could have created under the token's name (a Secrets Manager secret):
   * after a read, the identity of what was read once it proved to be the stage's, or undefined when
   * nothing was there. `provedBefore` says whether an earlier run proved an identity (the private
   * state keeps it), so a store is examined once in its life, not once per container. Throws
   * TokenStoreNotOwnedError.
   */
  confirmOwnership?(provedBefore: (identity: string) => boolean, signal?: AbortSignal): Promise<string | undefined>;
}

/** The function-only SecureString holding the refresh token and the lockout guard. */
export interface StateStore {
  /** Largest serialized state the store accepts, in bytes. */
  readonly maxBytes: number;
  read(signal?: AbortSignal): Promise<PrivateState | undefined>;
  write(state: PrivateState, signal?: AbortSignal): Promise<void>;
  /**
   * After a read: what is stored differs from what the read returned (parts a write left halfway or
   * an earlier version wrote, a part that could not be read), so the run writes the state even if it
   * changes nothing, and what operators read of it (`status`) is what the function honours.
   */
  rewriteDue?(): boolean;
}

export interface Credentials {
  /** Secrets Manager version id; the lockout guard is keyed on it. */
  readonly versionId: string;
  readonly values: Readonly<Record<string, string>>;
}

/** Thrown by a CredentialsSource for a secret that is missing, empty or not a JSON object of strings. */
export class CredentialsUnavailableError extends Error {
  readonly code: 'credentials_not_found' | 'credentials_empty' | 'credentials_malformed';
  constructor(code: CredentialsUnavailableError['code'], message: string) {
    super(message);
    this.name = 'CredentialsUnavailableError';
    this.code = code;
  }
}

/**
 * Thrown by a PublishedTokenStore that found, under its name, a store it must not use: one someone
 * else set up, whose key or policy may let others read what is written (contract/failure.ts
 * TOKEN_SECRET_NOT_OWNED). Nothing was written; the message names the store and the fix.
 */
export class TokenStoreNotOwnedError extends Error {
  readonly code = TOKEN_SECRET_NOT_OWNED;
  constructor(message: string) {
    super(message);
    this.name = 'TokenStoreNotOwnedError';
  }
}

export interface CredentialsSource {
  /** Name or ARN, for messages. */
  readonly secretId: string;
  /**
   * The credentials as stored now, or, given `cachedVersion`, that version as this process read it
   * at most CREDENTIALS_CACHE_SECONDS ago (contract/credentials.ts); a source without a cache, or
   * holding another version, reads.
   */
  read(signal?: AbortSignal, options?: { readonly cachedVersion?: string }): Promise<Credentials>;
}

/** JOSE algorithms a signed assertion may use (RFC 7518 section 3.1). */
export const ASSERTION_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'ES384', 'ES512', 'HS256'] as const;
export type AssertionAlgorithm = (typeof ASSERTION_ALGORITHMS)[number];

/**
 * Signs the assertions the run sends (RFC 7523): a KMS asymmetric key, a private key from the
 * credentials secret, or the client secret for `client_secret_jwt`. The core builds the JWT and asks
 * only for the signature, so a key held by KMS never reaches the function.
 */
export interface AssertionSigner {
  readonly alg: AssertionAlgorithm;
  /** The JWS `kid` header, when the IdP picks the key by it. */
  readonly keyId?: string;
  /** The JWS `x5t#S256` header (base64url SHA-256 of the registered certificate's DER), when the IdP asks for it. */
  readonly certificateThumbprint?: string;
  /**
   * What the lockout guard keys on for this key (a KMS key's ARN, a credentials secret's version):
   * an assertion the IdP rejected is never signed again with the same version.
   */
  readonly version: string;
  /** The signature of the JWS signing input, in JOSE form (ECDSA as raw `r || s`, not DER). */
  sign(signingInput: Uint8Array, signal?: AbortSignal): Promise<Uint8Array>;
}

/**
 * Thrown by an AssertionSigner that cannot sign: `signing_key_unusable` for a key that is disabled,
 * pending deletion, of the wrong usage or spec, or not allowed to this function (configuration: not
 * retried); `signing_unavailable` for throttling or an outage of the signing service (transient).
 */
export class SigningError extends Error {
  readonly code: 'signing_key_unusable' | 'signing_unavailable';
  constructor(code: SigningError['code'], message: string) {
    super(message);
    this.name = 'SigningError';
    this.code = code;
  }
}

/** What one grant sends; how the client authenticates comes beside it (ClientAuthentication). */
export type TokenRequest =
  | { readonly grant: 'refresh_token'; readonly refreshToken: string }
  | { readonly grant: 'password'; readonly username: string; readonly password: string }
  | { readonly grant: 'client_credentials' }
  /** RFC 7523 section 2.1: the signed assertion is the grant. */
  | { readonly grant: 'jwt_bearer'; readonly assertion: string };

/**
 * How one request authenticates the client (docs/how-it-works.md "Client authentication"): the run
 * makes it for every attempt, so an assertion is never sent twice.
 */
export type ClientAuthentication =
  | { readonly method: 'none' }
  | {
      readonly method: 'client_secret_post' | 'client_secret_basic' | 'client_secret_basic_raw_and_post';
      readonly clientSecret: string;
    }
  /** RFC 7523 section 2.2: `client_assertion_type` jwt-bearer and this compact JWS as `client_assertion`. */
  | { readonly method: 'private_key_jwt' | 'client_secret_jwt'; readonly assertion: string }
  /** RFC 8705: `client_id` in the body; the certificate goes in the request's TokenTransport. */
  | { readonly method: 'tls_client_auth' | 'self_signed_tls_client_auth' };

export type GrantName = TokenRequest['grant'];

/** The raw answer of a token endpoint: classification needs the body whatever its format. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly body: string;
  /** The body was larger than the adapter reads (core/oauth-endpoint.ts); `body` is then empty. */
  readonly oversized?: boolean;
}

/**
 * No HTTP answer came back. `delivered` says whether the IdP may have processed the request:
 * `no` when the connection never opened (refused, DNS), `unknown` after a timeout or a reset. A
 * password the IdP may have seen counts as an attempt for the lockout rules.
 */
export class NoAnswerError extends Error {
  readonly code: 'timeout' | 'network_error';
  readonly delivered: 'no' | 'unknown';
  constructor(code: NoAnswerError['code'], delivered: NoAnswerError['delivered'], message: string) {
    super(message);
    this.name = 'NoAnswerError';
    this.code = code;
    this.delivered = delivered;
  }
}

/** A client certificate and its private key for mutual TLS (RFC 8705), PEM text from the credentials secret. */
export interface ClientCertificate {
  readonly certificate: string;
  readonly privateKey: string;
}

/** Where a token request goes and what its connection presents, beyond what the settings say. */
export interface TokenTransport {
  /** The token endpoint the issuer's metadata names (core/run/discovery-step.ts); absent: the settings' own. */
  readonly url?: string;
  /** Presented in the TLS handshake of this request, and of no other connection. */
  readonly clientCertificate?: ClientCertificate;
}

/** Sends one token request. Rejects with `NoAnswerError` only when no HTTP answer arrived. */
export interface TokenEndpoint {
  send(
    request: TokenRequest,
    auth: ClientAuthentication,
    timeoutMs: number,
    transport?: TokenTransport,
  ): Promise<HttpAnswer>;
}

/**
 * Reads an authorization server's metadata document (RFC 8414, OpenID Connect Discovery 1.0) at
 * `url`, the body bounded as a token answer's is. Rejects with `NoAnswerError` only when no HTTP
 * answer arrived; the core judges the answer (core/discovery/metadata.ts).
 */
export interface MetadataSource {
  read(url: string, timeoutMs: number): Promise<HttpAnswer>;
}

/**
 * Delivers lifecycle events (lambda/adapters/eventbridge-publisher.ts): all of them in one request,
 * answering with the ids the bus accepted. Rejects when the request failed as a whole.
 */
export interface EventPublisher {
  publish(events: readonly LifecycleEvent[], signal?: AbortSignal): Promise<readonly string[]>;
}

export interface Log {
  info(message: string, extra?: object): void;
  warn(message: string, extra?: object): void;
}
