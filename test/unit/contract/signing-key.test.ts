import { describe, expect, it } from 'vitest';
import {
  KMS_KEY_ARN_PATTERN,
  kmsKeyIdOf,
  kmsSigningKeySchema,
  kmsSigningScheme,
  signingAlgorithmProblem,
} from '../../../contract/signing-key.js';

describe('how each KMS key spec signs (RFC 7518 section 3.1)', () => {
  it.each([
    ['RSA_2048', undefined, 'RS256', 'RSASSA_PKCS1_V1_5_SHA_256', 'sha256', undefined],
    ['RSA_3072', undefined, 'RS256', 'RSASSA_PKCS1_V1_5_SHA_256', 'sha256', undefined],
    ['RSA_4096', 'PS256', 'PS256', 'RSASSA_PSS_SHA_256', 'sha256', undefined],
    ['ECC_NIST_P256', undefined, 'ES256', 'ECDSA_SHA_256', 'sha256', 32],
    ['ECC_NIST_P384', undefined, 'ES384', 'ECDSA_SHA_384', 'sha384', 48],
    ['ECC_NIST_P521', 'ES512', 'ES512', 'ECDSA_SHA_512', 'sha512', 66],
  ] as const)('%s (alg %s) signs %s with %s over %s, coordinates of %s bytes', (spec, asked, alg, kms, hash, size) => {
    expect(kmsSigningScheme(spec, asked)).toEqual({
      alg,
      signingAlgorithm: kms,
      hash,
      ...(size === undefined ? {} : { ecdsaCoordinateBytes: size }),
    });
  });

  it.each([
    ['RSA_2048', 'ES256', 'an RSA key signs "RS256" or "PS256", not "ES256"'],
    ['ECC_NIST_P256', 'ES384', 'a ECC_NIST_P256 key signs only "ES256", not "ES384"'],
    ['ECC_NIST_P384', 'RS256', 'a ECC_NIST_P384 key signs only "ES384", not "RS256"'],
  ] as const)('refuses %s with %s', (spec, alg, message) => {
    expect(signingAlgorithmProblem(spec, alg)).toBe(message);
    expect(() => kmsSigningScheme(spec, alg)).toThrow(message);
    const parsed = kmsSigningKeySchema.safeParse({ keyArn: 'k', keySpec: spec, alg });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues).toEqual([expect.objectContaining({ path: ['alg'], message })]);
  });
});

describe('key ARNs', () => {
  it.each([
    'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    'arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab',
  ])('takes %s, and its key id is what follows key/', (arn) => {
    expect(arn).toMatch(KMS_KEY_ARN_PATTERN);
    expect(kmsKeyIdOf(arn)).toBe(arn.slice(arn.indexOf('key/') + 4));
  });

  it.each([
    'arn:aws:kms:eu-west-1:111122223333:alias/mine',
    '1234abcd-12ab-34cd-56ef-1234567890ab',
    'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\n',
    'arn:aws:secretsmanager:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  ])('refuses %j', (value) => {
    expect(value).not.toMatch(KMS_KEY_ARN_PATTERN);
  });
});
