import { createHash, randomBytes } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  BasicConstraints,
  Certificate,
  Extension,
  Extensions,
  id_ce_basicConstraints,
  id_ce_keyUsage,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';

/**
 * A self-signed X.509 certificate for a KMS key, for IdPs that register a certificate rather than a
 * JWK (Entra ID, Salesforce): the key's own public key, a subject and issuer of one common name, and
 * a signature by the key itself, made by KMS. An X.509 signature is DER (RFC 5280 section 4.1.1.3;
 * ECDSA as `Ecdsa-Sig-Value`, RFC 3279), which is what KMS returns: it goes in as it comes.
 */

/** How the key signs its certificate: the X.509 algorithm identifier and what KMS is asked for. */
export interface CertificateSignature {
  /** KMS `SigningAlgorithm`. */
  readonly kmsAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' | 'ECDSA_SHA_256' | 'ECDSA_SHA_384' | 'ECDSA_SHA_512';
  readonly hash: 'sha256' | 'sha384' | 'sha512';
  /** RFC 4055 / RFC 5758 object identifier of the signature algorithm. */
  readonly oid: string;
}

const SIGNATURES: Readonly<Record<string, CertificateSignature>> = {
  // sha256WithRSAEncryption, whatever the JOSE algorithm: every IdP reads it, and KMS signs it with any RSA key.
  RSA: { kmsAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256', hash: 'sha256', oid: '1.2.840.113549.1.1.11' },
  ECC_NIST_P256: { kmsAlgorithm: 'ECDSA_SHA_256', hash: 'sha256', oid: '1.2.840.10045.4.3.2' },
  ECC_NIST_P384: { kmsAlgorithm: 'ECDSA_SHA_384', hash: 'sha384', oid: '1.2.840.10045.4.3.3' },
  ECC_NIST_P521: { kmsAlgorithm: 'ECDSA_SHA_512', hash: 'sha512', oid: '1.2.840.10045.4.3.4' },
};

/** How a key of `keySpec` (a KMS key spec) signs its certificate. */
export function certificateSignatureFor(keySpec: string): CertificateSignature {
  const signature = SIGNATURES[keySpec.startsWith('RSA_') ? 'RSA' : keySpec];
  if (!signature) throw new Error(`no certificate signature for key spec ${keySpec}`);
  return signature;
}

export interface CertificateRequest {
  /** The key's `SubjectPublicKeyInfo`, DER, as KMS `GetPublicKey` returns it. */
  readonly publicKeyDer: Uint8Array;
  readonly keySpec: string;
  /** Subject and issuer common name. */
  readonly commonName: string;
  readonly notBefore: Date;
  readonly days: number;
  /** Signs a digest (of `signature.hash`) of the TBSCertificate, returning the DER signature. */
  readonly signDigest: (digest: Uint8Array, signature: CertificateSignature) => Promise<Uint8Array>;
}

export interface SelfSignedCertificate {
  readonly der: Uint8Array;
  readonly pem: string;
  /** `x5t#S256`: base64url SHA-256 of the DER (RFC 7515 section 4.1.8). */
  readonly x5tS256: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** RSA signature algorithm identifiers carry an explicit NULL parameter (RFC 4055 section 5); ECDSA none (RFC 5758). */
function algorithmIdentifier(signature: CertificateSignature): AlgorithmIdentifier {
  return new AlgorithmIdentifier({
    algorithm: signature.oid,
    ...(signature.kmsAlgorithm.startsWith('RSA') ? { parameters: null } : {}),
  });
}

/** A positive 16-byte serial number (RFC 5280 section 4.1.2.2: at most 20 octets, positive). */
function serialNumber(): ArrayBuffer {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return new Uint8Array(bytes).buffer;
}

function commonNameOf(commonName: string): Name {
  return new Name([
    new RelativeDistinguishedName([
      new AttributeTypeAndValue({ type: '2.5.4.3', value: new AttributeValue({ utf8String: commonName }) }),
    ]),
  ]);
}

function extension(extnID: string, value: unknown): Extension {
  return new Extension({ extnID, critical: true, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

export async function selfSignedCertificate(request: CertificateRequest): Promise<SelfSignedCertificate> {
  const signature = certificateSignatureFor(request.keySpec);
  const notBefore = new Date(Math.floor(request.notBefore.getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + request.days * 86_400_000);
  const name = commonNameOf(request.commonName);
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serialNumber(),
    signature: algorithmIdentifier(signature),
    issuer: name,
    validity: new Validity({ notBefore, notAfter }),
    subject: name,
    subjectPublicKeyInfo: AsnConvert.parse(request.publicKeyDer, SubjectPublicKeyInfo),
    extensions: new Extensions([
      extension(id_ce_basicConstraints, new BasicConstraints({ cA: false })),
      extension(id_ce_keyUsage, new KeyUsage(KeyUsageFlags.digitalSignature)),
    ]),
  });
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const digest = createHash(signature.hash).update(tbsDer).digest();
  const signatureValue = await request.signDigest(digest, signature);
  const certificate = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: algorithmIdentifier(signature),
    signatureValue: new Uint8Array(signatureValue).buffer,
  });
  const der = new Uint8Array(AsnConvert.serialize(certificate));
  const base64 = Buffer.from(der).toString('base64');
  const pem = `-----BEGIN CERTIFICATE-----\n${base64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
  const x5tS256 = createHash('sha256').update(der).digest('base64url');
  return { der, pem, x5tS256, notBefore, notAfter };
}
