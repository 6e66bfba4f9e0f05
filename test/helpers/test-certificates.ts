/**
 * X.509 certificates for tests of mutual TLS, made in-process with node:crypto and
 * @peculiar/asn1-x509 (no openssl): a CA, a server certificate for 127.0.0.1, client certificates
 * signed by the CA or by themselves, with any validity period (an expired one included).
 */
import { generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import * as x509 from '@peculiar/asn1-x509';

export interface TestCertificate {
  /** PEM of the certificate. */
  readonly certificate: string;
  /** PEM (PKCS#8) of its private key. */
  readonly privateKey: string;
  readonly key: KeyObject;
  readonly commonName: string;
}

export interface CertificateOptions {
  readonly commonName: string;
  /** The CA that signs it; absent: self-signed. */
  readonly issuer?: TestCertificate;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly ca?: boolean;
  /** A subjectAltName IP address (a server on 127.0.0.1). */
  readonly ipAddress?: string;
}

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const COMMON_NAME = '2.5.4.3';
const DAY = 86_400_000;

function name(commonName: string): x509.Name {
  const cn = new x509.AttributeTypeAndValue({
    type: COMMON_NAME,
    value: new x509.AttributeValue({ utf8String: commonName }),
  });
  return new x509.Name([new x509.RelativeDistinguishedName([cn])]);
}

function extension(extnID: string, value: object, critical = false): x509.Extension {
  return new x509.Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

const pem = (label: string, der: Buffer) =>
  `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;

export function issueCertificate(options: CertificateOptions): TestCertificate {
  const { commonName, issuer, ca = false, ipAddress } = options;
  const now = Date.now();
  const notBefore = options.notBefore ?? new Date(now - DAY);
  const notAfter = options.notAfter ?? new Date(now + 30 * DAY);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const serial = randomBytes(8);
  // A positive INTEGER in minimal DER: no leading zero byte (which OpenSSL refuses in a handshake), no sign bit.
  serial[0] = (serial[0]! & 0x3f) | 0x40;
  const extensions = [extension(x509.id_ce_basicConstraints, new x509.BasicConstraints({ cA: ca }), true)];
  if (ipAddress) {
    extensions.push(
      extension(
        x509.id_ce_subjectAltName,
        new x509.SubjectAlternativeName([new x509.GeneralName({ iPAddress: ipAddress })]),
      ),
    );
  }
  const algorithm = new x509.AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 });
  const tbs = new x509.TBSCertificate({
    version: x509.Version.v3,
    serialNumber: new Uint8Array(serial).buffer,
    signature: algorithm,
    issuer: name(issuer?.commonName ?? commonName),
    subject: name(commonName),
    validity: new x509.Validity({ notBefore, notAfter }),
    subjectPublicKeyInfo: AsnConvert.parse(
      publicKey.export({ type: 'spki', format: 'der' }),
      x509.SubjectPublicKeyInfo,
    ),
    extensions: new x509.Extensions(extensions),
  });
  const signature = sign('sha256', Buffer.from(AsnConvert.serialize(tbs)), issuer?.key ?? privateKey);
  const certificate = new x509.Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: algorithm,
    signatureValue: new Uint8Array(signature).buffer,
  });
  return {
    certificate: pem('CERTIFICATE', Buffer.from(AsnConvert.serialize(certificate))),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    key: privateKey,
    commonName,
  };
}
