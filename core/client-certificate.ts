import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { err, ok, type Result } from '../base/result.js';
import { type Failure, failure, RUNBOOK_ANCHOR } from '../contract/failure.js';
import { CLIENT_CERTIFICATE_KEYS } from '../contract/provider-settings.js';
import type { ClientCertificate } from './ports.js';

const { certificate: CERT_KEY, privateKey: KEY_KEY } = CLIENT_CERTIFICATE_KEYS;

/**
 * The client certificate of mutual TLS from the credentials, checked before anything is sent: it
 * parses, the private key is its key, and it is valid now. A certificate the IdP would refuse in the
 * handshake or answer with invalid_client is a configuration failure here, so it never reaches the
 * IdP (nor its lockout guard). Messages name the secret, the keys, the certificate's subject and
 * dates, which are public; never anything of the private key.
 */
export function clientCertificate(
  values: Readonly<Record<string, string>>,
  /** Where the credentials came from, for messages: `credentials secret "<id>"`. */
  where: string,
  now: number,
): Result<ClientCertificate, Failure> {
  const fail = (code: string, description: string) => err(failure('configuration', code, description));
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(values[CERT_KEY] ?? '');
  } catch {
    return fail(
      'client_certificate_invalid',
      `${where}: "${CERT_KEY}" is not a PEM X.509 certificate; put the client certificate registered at the IdP ` +
        `("-----BEGIN CERTIFICATE-----...") into it; no token request was sent`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(values[KEY_KEY] ?? '');
  } catch {
    return fail(
      'client_certificate_invalid',
      `${where}: "${KEY_KEY}" is not an unencrypted PEM private key ("-----BEGIN PRIVATE KEY-----..."); ` +
        'put the key of the certificate into it; no token request was sent',
    );
  }
  const subject = `certificate "${cert.subject.replace(/\n/g, ', ')}" (serial ${cert.serialNumber})`;
  if (!cert.checkPrivateKey(key)) {
    return fail(
      'client_certificate_invalid',
      `${where}: "${KEY_KEY}" is not the private key of the ${subject} in "${CERT_KEY}"; put the matching pair ` +
        'into the secret; no token request was sent',
    );
  }
  const notAfter = Date.parse(cert.validTo);
  const notBefore = Date.parse(cert.validFrom);
  if (Number.isNaN(notAfter) || Number.isNaN(notBefore)) {
    return fail('client_certificate_invalid', `${where}: the ${subject} in "${CERT_KEY}" has no readable validity`);
  }
  if (notAfter <= now) {
    return fail(
      'client_certificate_expired',
      `${where}: the client ${subject} in "${CERT_KEY}" expired at ${new Date(notAfter).toISOString()}; ` +
        'no token request was sent with it. Issue a new certificate, register it at the IdP, and put it and its ' +
        `key into "${CERT_KEY}" and "${KEY_KEY}"; see docs/runbook.md#${RUNBOOK_ANCHOR.client_certificate_expired}`,
    );
  }
  if (notBefore > now) {
    return fail(
      'client_certificate_not_yet_valid',
      `${where}: the client ${subject} in "${CERT_KEY}" is valid only from ${new Date(notBefore).toISOString()}; ` +
        "no token request was sent with it. Check this machine's clock, or wait for the certificate's start",
    );
  }
  return ok({ certificate: values[CERT_KEY]!, privateKey: values[KEY_KEY]! });
}
