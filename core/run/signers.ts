import { err, ok, type Result } from '../../base/result.js';
import { type Failure, failure } from '../../contract/failure.js';
import { type ProviderSettings, signsWithPrivateKey } from '../../contract/provider-settings.js';
import type { Signers } from '../attempt.js';
import type { AssertionSigner } from '../ports.js';
import { clientSecretSigner } from '../signers/client-secret-key.js';
import { credentialsKeySigner } from '../signers/credentials-key.js';

/** What the signers are made from: the settings, the secret's values as read, the KMS key if any. */
export interface SignerSources {
  readonly settings: ProviderSettings;
  readonly values: Readonly<Record<string, string>>;
  /** The credentials secret's version, when it was read: the version of a key or secret kept in it. */
  readonly secretVersion: string | undefined;
  /** Named in messages. */
  readonly secretId: string;
  /** The KMS key, when the settings put the signing key in KMS (core/run/types.ts `signingKey`). */
  readonly kms: AssertionSigner | undefined;
}

const unusable = (description: string): Failure => failure('configuration', 'signing_key_unusable', description);

/** Settings that put the key in KMS, and no KMS key to sign with (a deployment without it, `check`). */
export const SIGNING_KEY_MISSING: Failure = failure(
  'configuration',
  'signing_key_missing',
  'settings field "assertion.signingKey" is "kms", but no KMS key was given to sign with here: deploy the refresher ' +
    'with the construct that creates its key, or put the key into the credentials secret ("signingKey": "credentials")',
);

/** The private key that signs: KMS's when the settings say so, else the one in the credentials secret. */
function privateKey(sources: SignerSources): Result<AssertionSigner, Failure> {
  const { settings, values, secretVersion, secretId, kms } = sources;
  if (settings.assertion?.signingKey === 'kms') {
    return kms === undefined ? err(SIGNING_KEY_MISSING) : ok(kms);
  }
  const made = credentialsKeySigner(values, secretVersion ?? 'unknown');
  return made.ok ? made : err(unusable(`credentials secret "${secretId}": ${made.error}`));
}

/**
 * The signers of a run (core/attempt.ts): the client secret's for client_secret_jwt, the private
 * key's for private_key_jwt and the jwt_bearer grant; or why there can be none, before anything is
 * sent: a configuration failure that names the key to fix and never quotes it.
 */
export function resolveSigners(sources: SignerSources): Result<Signers, Failure> {
  const { settings, values, secretVersion } = sources;
  let key: AssertionSigner | undefined;
  if (signsWithPrivateKey(settings)) {
    const made = privateKey(sources);
    if (!made.ok) return made;
    key = made.value;
    if (settings.assertion?.includeCertificateThumbprint && key.certificateThumbprint === undefined) {
      const fix =
        settings.assertion.signingKey === 'kms'
          ? 'the KMS key was given no certificate to name: remove the field, or deploy the key with its certificate'
          : `put the PEM of the certificate registered at the IdP under "certificate" in credentials secret "${sources.secretId}"`;
      return err(unusable(`settings field "assertion.includeCertificateThumbprint" is true, but ${fix}`));
    }
  }
  const client =
    settings.clientAuth === 'client_secret_jwt'
      ? clientSecretSigner(values.client_secret ?? '', secretVersion ?? 'unknown')
      : settings.clientAuth === 'private_key_jwt'
        ? key
        : undefined;
  const grant = settings.grant === 'jwt_bearer' ? key : undefined;
  return ok({ ...(client ? { client } : {}), ...(grant ? { grant } : {}) });
}
