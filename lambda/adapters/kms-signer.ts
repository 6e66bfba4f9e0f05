import { createHash } from 'node:crypto';
import { type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { errorNameOf } from '../../contract/error-name.js';
import { RUNBOOK_ANCHOR, SIGNING_KEY_UNUSABLE } from '../../contract/failure.js';
import { type KmsSigningKey, kmsKeyIdOf, kmsSigningScheme, type KmsSigningScheme } from '../../contract/signing-key.js';
import { type AssertionSigner, SigningError } from '../../core/ports.js';
import { derToJoseSignature, MalformedEcdsaSignatureError } from './ecdsa-signature.js';

/**
 * KMS errors that say the key cannot sign for this function until someone changes its configuration:
 * retrying the run does not help, so the core treats them like any configuration error.
 */
const KEY_UNUSABLE: Readonly<Record<string, string>> = {
  DisabledException: 'is disabled: enable it (aws kms enable-key), or point the provider at another key',
  KMSInvalidStateException:
    'is not in a state that signs (pending deletion or import): cancel the deletion (aws kms cancel-key-deletion, then enable-key), or point the provider at another key',
  NotFoundException: 'does not exist in this account and region: check the key ARN in the providers file',
  InvalidKeyUsageException:
    "does not sign with this algorithm: its key usage must be SIGN_VERIFY and its key spec the providers file's keySpec",
  AccessDeniedException: "does not let this function sign: the key policy must allow kms:Sign to the refresher's role",
  KeyUnavailableException: 'is not available (its custom key store is disconnected): reconnect the key store',
  InvalidGrantTokenException: 'was offered with an invalid grant token',
};

/**
 * An assertion signer whose private key stays in KMS: it hashes the JWS signing input itself and
 * asks `Sign` with `MessageType: DIGEST` (a RAW message is limited to 4,096 bytes, an assertion is
 * not), then turns an ECDSA answer from DER into JOSE form. The lockout guard keys on the key's ARN.
 */
export class KmsAssertionSigner implements AssertionSigner {
  readonly alg: AssertionSigner['alg'];
  readonly keyId: string;
  readonly certificateThumbprint?: string;
  readonly version: string;
  private readonly scheme: KmsSigningScheme;

  constructor(
    private readonly client: KMSClient,
    private readonly key: KmsSigningKey,
  ) {
    this.scheme = kmsSigningScheme(key.keySpec, key.alg);
    this.alg = this.scheme.alg;
    this.keyId = kmsKeyIdOf(key.keyArn);
    this.version = key.keyArn;
    if (key.certificateThumbprint !== undefined) this.certificateThumbprint = key.certificateThumbprint;
  }

  async sign(signingInput: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const { keyArn } = this.key;
    const digest = createHash(this.scheme.hash).update(signingInput).digest();
    let signature: Uint8Array | undefined;
    try {
      const answer = await this.client.send(
        new SignCommand({
          KeyId: keyArn,
          Message: digest,
          MessageType: 'DIGEST',
          SigningAlgorithm: this.scheme.signingAlgorithm,
        }),
        { abortSignal: signal },
      );
      signature = answer.Signature;
    } catch (error) {
      throw signingFailure(error, keyArn, signal);
    }
    if (!signature || signature.length === 0) {
      throw new SigningError('signing_unavailable', `KMS Sign with key ${keyArn} returned no signature`);
    }
    const size = this.scheme.ecdsaCoordinateBytes;
    if (size === undefined) return signature;
    try {
      return derToJoseSignature(signature, size);
    } catch (error) {
      if (!(error instanceof MalformedEcdsaSignatureError)) throw error;
      throw new SigningError(
        'signing_key_unusable',
        `KMS key ${keyArn} returned an ECDSA signature that is not ${this.scheme.alg} (${error.message}); ` +
          "the providers file's keySpec must be the key's",
      );
    }
  }
}

/** The SigningError for a failed `Sign`: its class from the KMS error's name, never its message. */
function signingFailure(error: unknown, keyArn: string, signal: AbortSignal | undefined): SigningError {
  const name = errorNameOf(error) ?? 'UnknownError';
  const unusable = KEY_UNUSABLE[name];
  if (unusable !== undefined) {
    return new SigningError(
      SIGNING_KEY_UNUSABLE,
      `KMS key ${keyArn} ${unusable} (${name}); see docs/runbook.md#${RUNBOOK_ANCHOR[SIGNING_KEY_UNUSABLE]}`,
    );
  }
  const why = signal?.aborted || name === 'AbortError' ? 'timed out' : `failed (${name})`;
  // Throttling, KMSInternalException, DependencyTimeoutException, a network failure: the next run retries.
  return new SigningError('signing_unavailable', `KMS Sign with key ${keyArn} ${why}`);
}
