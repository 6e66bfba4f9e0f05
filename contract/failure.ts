import { RECONNECT_NEEDED } from './events.js';
import type { FailureKind } from './metrics.js';

export { FAILURE_KINDS, type FailureKind } from './metrics.js';

/** A classified failure. `description` never holds a secret: it is redacted before it leaves the core. */
export interface Failure {
  readonly kind: FailureKind;
  /** The OAuth `error` when the server sent one, else a stable code of ours such as `timeout`. */
  readonly code: string;
  readonly description: string;
}

export function failure(kind: FailureKind, code: string, description: string): Failure {
  return { kind, code, description };
}

/**
 * A `configuration` failure: the published token's secret exists, but it is not the stage's (another
 * key, a resource policy that lets others in, a replica), so nothing is written into it
 * (lambda/adapters/token-secret-check.ts).
 */
export const TOKEN_SECRET_NOT_OWNED = 'token_secret_not_owned';

/**
 * The provider's signing key cannot sign for the function: disabled, pending deletion, not found, of
 * another usage or spec, or its policy refuses the function (core/ports.ts SigningError).
 */
export const SIGNING_KEY_UNUSABLE = 'signing_key_unusable';

/**
 * Failure codes with a section of their own in docs/runbook.md, by the section's anchor: the
 * failure's description points there, and test/docs/runbook-anchors.test.ts checks it exists.
 */
export const RUNBOOK_ANCHOR: Readonly<Record<string, string>> = {
  [TOKEN_SECRET_NOT_OWNED]: 'token-secret-not-the-stages',
  client_certificate_expired: 'a-client-certificate-expired',
  issuer_mismatch: 'the-issuer-does-not-match',
  [SIGNING_KEY_UNUSABLE]: 'signing-key-unusable',
  [RECONNECT_NEEDED]: 'reconnect-needed',
};
