import * as z from 'zod/mini';

/**
 * A KMS asymmetric key that signs a provider's assertions (RFC 7523): which key specs the refresher
 * can use, and how each one signs. The private key never leaves KMS; the function asks for a
 * signature of a digest it computes (lambda/adapters/kms-signer.ts), the CLI prints the public key
 * (cli/public-key/command.ts), the construct creates or names the key (lib/private/signing-key.ts).
 */

/** KMS key specs that sign a JOSE algorithm (RFC 7518 section 3.1); the default comes first. */
export const KMS_SIGNING_KEY_SPECS = [
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
] as const;
export type KmsSigningKeySpec = (typeof KMS_SIGNING_KEY_SPECS)[number];

/** The key spec a created key gets when the providers file names none. */
export const DEFAULT_KMS_SIGNING_KEY_SPEC: KmsSigningKeySpec = 'RSA_2048';

/** JOSE algorithms a KMS key can sign: an RSA key RS256 (default) or PS256, an ECC key the one its curve fixes. */
export const KMS_JOSE_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'ES384', 'ES512'] as const;
export type KmsJoseAlgorithm = (typeof KMS_JOSE_ALGORITHMS)[number];

/** How one key spec signs one JOSE algorithm with KMS `Sign`. */
export interface KmsSigningScheme {
  readonly alg: KmsJoseAlgorithm;
  /** KMS `SigningAlgorithm`; also the value of the `kms:SigningAlgorithm` condition key. */
  readonly signingAlgorithm:
    'RSASSA_PKCS1_V1_5_SHA_256' | 'RSASSA_PSS_SHA_256' | 'ECDSA_SHA_256' | 'ECDSA_SHA_384' | 'ECDSA_SHA_512';
  /** The digest the function computes and sends with `MessageType: DIGEST` (node:crypto's name). */
  readonly hash: 'sha256' | 'sha384' | 'sha512';
  /**
   * ECDSA only: bytes of each of `r` and `s` in the JOSE signature (RFC 7518 section 3.4), the
   * curve's order rounded up to whole bytes: 32, 48 and 66 (P-521 is 521 bits).
   */
  readonly ecdsaCoordinateBytes?: number;
}

const ECC_SCHEMES: Readonly<Record<string, KmsSigningScheme>> = {
  ECC_NIST_P256: { alg: 'ES256', signingAlgorithm: 'ECDSA_SHA_256', hash: 'sha256', ecdsaCoordinateBytes: 32 },
  ECC_NIST_P384: { alg: 'ES384', signingAlgorithm: 'ECDSA_SHA_384', hash: 'sha384', ecdsaCoordinateBytes: 48 },
  ECC_NIST_P521: { alg: 'ES512', signingAlgorithm: 'ECDSA_SHA_512', hash: 'sha512', ecdsaCoordinateBytes: 66 },
};

const RSA_SCHEMES: Readonly<Record<string, KmsSigningScheme>> = {
  RS256: { alg: 'RS256', signingAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256', hash: 'sha256' },
  // KMS's PSS salt is as long as the digest, as PS256 requires (RFC 7518 section 3.5).
  PS256: { alg: 'PS256', signingAlgorithm: 'RSASSA_PSS_SHA_256', hash: 'sha256' },
};

/** Why `alg` cannot be signed with a key of `keySpec`, or undefined when it can. */
export function signingAlgorithmProblem(keySpec: KmsSigningKeySpec, alg: KmsJoseAlgorithm): string | undefined {
  const scheme = kmsSigningScheme(keySpec);
  if (keySpec.startsWith('RSA_')) {
    return alg in RSA_SCHEMES ? undefined : `an RSA key signs "RS256" or "PS256", not ${JSON.stringify(alg)}`;
  }
  return alg === scheme.alg ? undefined : `a ${keySpec} key signs only "${scheme.alg}", not ${JSON.stringify(alg)}`;
}

/**
 * How a key of `keySpec` signs `alg` (default: RS256 for RSA, the curve's for ECC).
 * @throws Error when the key cannot sign `alg` (check with `signingAlgorithmProblem` first)
 */
export function kmsSigningScheme(keySpec: KmsSigningKeySpec, alg?: KmsJoseAlgorithm): KmsSigningScheme {
  if (keySpec.startsWith('RSA_')) {
    const scheme = RSA_SCHEMES[alg ?? 'RS256'];
    if (!scheme) throw new Error(`an RSA key signs "RS256" or "PS256", not ${JSON.stringify(alg)}`);
    return scheme;
  }
  const scheme = ECC_SCHEMES[keySpec]!;
  if (alg !== undefined && alg !== scheme.alg) {
    throw new Error(`a ${keySpec} key signs only "${scheme.alg}", not ${JSON.stringify(alg)}`);
  }
  return scheme;
}

/**
 * A KMS key's ARN: `arn:<partition>:kms:<region>:<account>:key/<key id>`, a multi-Region key's id
 * starting with `mrk-`. Never an alias: the lockout guard keys on the key (core/ports.ts
 * AssertionSigner.version), and an alias can be pointed at another key without the ARN changing.
 */
export const KMS_KEY_ARN_PATTERN =
  /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(?:mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/**
 * The key id of a key ARN (`1234abcd-...` or `mrk-...`): the `kid` of the assertions the key signs and
 * of the JWK the CLI prints, so that both agree without a KMS call at cold start.
 */
export function kmsKeyIdOf(keyArn: string): string {
  const slash = keyArn.lastIndexOf('/');
  return slash === -1 ? keyArn : keyArn.slice(slash + 1);
}

/** An `x5t#S256` value: base64url (no padding) of a SHA-256 digest, 43 characters. */
const X5T_S256_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * The signing key in the function's runtime configuration: names only, never key material. The ARN
 * is a CloudFormation reference at synth time, so only its presence is checked here (the providers
 * file checks its form).
 */
export const kmsSigningKeySchema = z
  .strictObject({
    keyArn: z.string().check(z.minLength(1), z.maxLength(2048)),
    keySpec: z.enum(KMS_SIGNING_KEY_SPECS),
    /** Absent: RS256 for RSA, the curve's algorithm for ECC. */
    alg: z.optional(z.enum(KMS_JOSE_ALGORITHMS)),
    /** The `x5t#S256` of the certificate registered at the IdP, for IdPs that pick the key by it. */
    certificateThumbprint: z.optional(
      z.string().check(z.regex(X5T_S256_PATTERN, 'must be 43 characters of base64url, as the CLI prints x5t#S256')),
    ),
  })
  .check(
    z.superRefine((key, ctx) => {
      const problem = key.alg === undefined ? undefined : signingAlgorithmProblem(key.keySpec, key.alg);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, input: key.alg, path: ['alg'] });
    }),
  );

export type KmsSigningKey = z.infer<typeof kmsSigningKeySchema>;
