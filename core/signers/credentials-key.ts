import { constants, createHash, createPrivateKey, type KeyObject, sign, X509Certificate } from 'node:crypto';
import { err, ok, type Result } from '../../base/result.js';
import type { AssertionAlgorithm, AssertionSigner } from '../ports.js';

/**
 * The signer for a private key kept in the credentials secret (the fallback for keys the IdP
 * generates, ARCHITECTURE section 10): a PEM under `private_key` (PKCS#8, PKCS#1 RSA or SEC1 EC), or a
 * Google service-account key file pasted as it is. It signs in this process with node:crypto; the
 * key never leaves it, and no message here ever quotes it.
 */

/** Curves of the ECDSA algorithms a JWS may use (RFC 7518 section 3.4), by node's names. */
const CURVE_ALGORITHM: Readonly<Record<string, AssertionAlgorithm>> = {
  prime256v1: 'ES256',
  'P-256': 'ES256',
  secp384r1: 'ES384',
  'P-384': 'ES384',
  secp521r1: 'ES512',
  'P-521': 'ES512',
};
const HASH: Readonly<Record<AssertionAlgorithm, string>> = {
  RS256: 'sha256',
  PS256: 'sha256',
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
  HS256: 'sha256',
};
/** RFC 7518 section 3.3: an RSA key for a JWS has at least 2048 bits. */
const MIN_RSA_BITS = 2048;
/** A PEM private key or certificate is a few KB; the secret holds at most 64 KB. */
const MAX_PEM_CHARACTERS = 16_384;

/** A Google service-account key file (`"type": "service_account"`), as the Google Cloud console downloads it. */
export function isServiceAccountKey(values: Readonly<Record<string, string>>): boolean {
  return values.type === 'service_account' && values.client_email !== undefined;
}

/**
 * Keys of a service-account key file that name things rather than hold a secret: they are not
 * redacted, so the file's client email still reads in the IdP's messages. `private_key` is secret.
 */
export const SERVICE_ACCOUNT_PUBLIC_KEYS: readonly string[] = [
  'type',
  'project_id',
  'private_key_id',
  'client_email',
  'client_id',
  'auth_uri',
  'token_uri',
  'auth_provider_x509_cert_url',
  'client_x509_cert_url',
  'universe_domain',
];

/** A PEM pasted into JSON with its line breaks written as `\n` text, made a PEM again. */
function pem(text: string): string {
  return text.includes('\n') ? text : text.replace(/\\n/g, '\n');
}

/** The key's JWS algorithm, or what the key is when no JWS algorithm fits it. */
function algorithmOf(key: KeyObject): Result<AssertionAlgorithm, string> {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss': {
      const bits = details.modulusLength ?? 0;
      if (bits < MIN_RSA_BITS) return err(`an RSA key of ${bits} bits; the IdP needs at least ${MIN_RSA_BITS}`);
      return ok(key.asymmetricKeyType === 'rsa' ? 'RS256' : 'PS256');
    }
    case 'ec': {
      const curve = details.namedCurve ?? 'unknown';
      const alg = CURVE_ALGORITHM[curve];
      return alg ? ok(alg) : err(`an EC key on curve ${curve}; use P-256, P-384 or P-521`);
    }
    default:
      return err(
        `a ${key.asymmetricKeyType ?? 'unknown'} key; use an RSA (2048 bits or more) or EC (P-256, P-384, P-521) key`,
      );
  }
}

/** The base64url SHA-256 of a certificate's DER (the JWS `x5t#S256` header, RFC 7515 section 4.1.8). */
function thumbprint(certificatePem: string): Result<string, string> {
  if (certificatePem.length > MAX_PEM_CHARACTERS) return err('"certificate" is longer than a certificate');
  try {
    const { raw } = new X509Certificate(pem(certificatePem));
    return ok(createHash('sha256').update(raw).digest('base64url'));
  } catch {
    return err('"certificate" is not a PEM certificate ("-----BEGIN CERTIFICATE-----...")');
  }
}

const KEY_FIX =
  'put an unencrypted PEM private key ("-----BEGIN PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----" or ' +
  '"-----BEGIN EC PRIVATE KEY-----") under "private_key", or the service-account key file as it is';

/**
 * The signer for the key in `values`, `version` being the credentials secret's version (what the
 * lockout guard keys on); otherwise what is wrong, in words that never quote the key.
 */
export function credentialsKeySigner(
  values: Readonly<Record<string, string>>,
  version: string,
): Result<AssertionSigner, string> {
  const text = values.private_key;
  if (text === undefined) return err(`there is no "private_key": ${KEY_FIX}`);
  if (text.length > MAX_PEM_CHARACTERS) return err(`"private_key" is longer than a private key: ${KEY_FIX}`);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem(text), format: 'pem' });
  } catch (e) {
    // node's words only (a code such as ERR_MISSING_PASSPHRASE), never the key's.
    const code = (e as { code?: unknown }).code;
    const why = code === 'ERR_MISSING_PASSPHRASE' ? 'is encrypted' : 'is not a PEM private key';
    return err(`"private_key" ${why}: ${KEY_FIX}`);
  }
  const alg = algorithmOf(key);
  if (!alg.ok) return err(`"private_key" is ${alg.error}`);
  const algorithm = alg.value;
  let certificateThumbprint: string | undefined;
  if (values.certificate !== undefined) {
    const computed = thumbprint(values.certificate);
    if (!computed.ok) return err(computed.error);
    certificateThumbprint = computed.value;
  }
  const options =
    algorithm === 'PS256'
      ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
      : { key, dsaEncoding: 'ieee-p1363' as const };
  return ok({
    alg: algorithm,
    ...(values.private_key_id ? { keyId: values.private_key_id } : {}),
    ...(certificateThumbprint === undefined ? {} : { certificateThumbprint }),
    version,
    // ECDSA signatures come as r || s (ieee-p1363), the form a JWS carries (RFC 7518 section 3.4).
    sign: (input) => Promise.resolve(new Uint8Array(sign(HASH[algorithm], input, options))),
  });
}
