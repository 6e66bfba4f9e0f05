import 'aws-sdk-client-mock-vitest/extend';
import { createHash, createPublicKey, generateKeyPairSync, type KeyObject, X509Certificate } from 'node:crypto';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetPublicKeyCommand, KMSClient, SignCommand, type SignCommandInput } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseCommand } from '../../cli/args.js';
import { PUBLIC_KEY_HELP } from '../../cli/help.js';
import type { KmsSigningKeySpec } from '../../contract/signing-key.js';
import { kmsSignDigest } from '../helpers/kms-fake-signing.js';
import { awsError, manifest, NOW, runCliForTest, stackWith } from './helpers.js';

const cfn = mockClient(CloudFormationClient);
const kms = mockClient(KMSClient);

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}`;

/** A local key of the spec, standing in for the one KMS keeps. */
function localKey(spec: KmsSigningKeySpec): { privateKey: KeyObject; publicKey: KeyObject } {
  if (spec.startsWith('RSA_')) return generateKeyPairSync('rsa', { modulusLength: Number(spec.slice(4)) });
  return generateKeyPairSync('ec', { namedCurve: `P-${spec.slice('ECC_NIST_P'.length)}` });
}

const HASH: Record<string, string> = {
  RSASSA_PKCS1_V1_5_SHA_256: 'sha256',
  ECDSA_SHA_256: 'sha256',
  ECDSA_SHA_384: 'sha384',
  ECDSA_SHA_512: 'sha512',
};

/** KMS as it answers for a key of `spec`: GetPublicKey with the SPKI DER, and Sign of a DIGEST. */
function kmsHolds(spec: KmsSigningKeySpec) {
  const key = localKey(spec);
  kms.on(GetPublicKeyCommand).resolves({
    KeyId: KEY_ARN,
    KeySpec: spec,
    KeyUsage: 'SIGN_VERIFY',
    PublicKey: new Uint8Array(key.publicKey.export({ format: 'der', type: 'spki' })),
  });
  kms.on(SignCommand).callsFake((input: SignCommandInput) => {
    expect(input).toMatchObject({ KeyId: KEY_ARN, MessageType: 'DIGEST' });
    const digest = Buffer.from(input.Message as Uint8Array);
    expect(digest).toHaveLength({ sha256: 32, sha384: 48, sha512: 64 }[HASH[input.SigningAlgorithm!]!]!);
    return Promise.resolve({
      KeyId: KEY_ARN,
      Signature: kmsSignDigest(key.privateKey, input.SigningAlgorithm!, digest),
    });
  });
  return key;
}

const signer = manifest('okta', { signingKey: { keyArn: KEY_ARN, keySpec: 'RSA_2048' } });

beforeEach(() => {
  cfn.reset();
  kms.reset();
});

function deployed(keySpec: KmsSigningKeySpec, alg?: string) {
  const okta = manifest('okta', { signingKey: { keyArn: KEY_ARN, keySpec, ...(alg ? { alg } : {}) } });
  cfn.on(DescribeStacksCommand).resolves(stackWith([okta, manifest('nagra')]));
}

describe('token-refresher public-key', () => {
  it.each([
    ['RSA_2048', 'RS256', 'RSA'],
    ['ECC_NIST_P256', 'ES256', 'EC'],
    ['ECC_NIST_P521', 'ES512', 'EC'],
  ] as const)('prints a %s key as a JWK with kid = the KMS key id, alg %s, use sig', async (spec, alg, kty) => {
    deployed(spec);
    const key = kmsHolds(spec);

    const { code, stdout, stderr } = await runCliForTest(['public-key', 'okta']);

    expect(stderr).toBe('');
    expect(code).toBe(0);
    const jwk = JSON.parse(stdout) as Record<string, string>;
    expect(jwk).toMatchObject({ kty, use: 'sig', alg, kid: KEY_ID });
    // The JWK is the key KMS holds: node:crypto reads it back to the same public key.
    const fromJwk = createPublicKey({ key: jwk as never, format: 'jwk' });
    expect(fromJwk.export({ format: 'der', type: 'spki' })).toEqual(
      key.publicKey.export({ format: 'der', type: 'spki' }),
    );
    expect(kms).toHaveReceivedCommandTimes(SignCommand, 0);
  });

  it('prints PS256 for an RSA key configured for it, and a JWKS with --format jwks', async () => {
    deployed('RSA_2048', 'PS256');
    kmsHolds('RSA_2048');

    const { stdout, code } = await runCliForTest(['public-key', 'okta', '--format', 'jwks']);

    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ keys: [expect.objectContaining({ alg: 'PS256', kid: KEY_ID })] });
  });

  it.each(['RSA_2048', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521'] as const)(
    'prints a self-signed certificate of a %s key that verifies with its own public key (signed by KMS)',
    async (spec) => {
      deployed(spec);
      const key = kmsHolds(spec);

      const { code, stdout, stderr } = await runCliForTest(['public-key', 'okta', '--format', 'pem']);

      expect(code).toBe(0);
      expect(stdout).toMatch(/^-----BEGIN CERTIFICATE-----\n(?:[A-Za-z0-9+/=]{1,64}\n)+-----END CERTIFICATE-----\n$/);
      const cert = new X509Certificate(stdout);
      expect(cert.verify(cert.publicKey)).toBe(true);
      expect(cert.publicKey.export({ format: 'der', type: 'spki' })).toEqual(
        key.publicKey.export({ format: 'der', type: 'spki' }),
      );
      expect(cert.subject).toBe('CN=okta');
      expect(cert.issuer).toBe('CN=okta');
      expect(cert.ca).toBe(false);
      expect(new Date(cert.validFrom).getTime()).toBe(NOW);
      expect(new Date(cert.validTo).getTime()).toBe(NOW + 730 * 86_400_000);
      const x5t = createHash('sha256').update(cert.raw).digest('base64url');
      expect(stderr).toContain(`x5t#S256: ${x5t}\n`);
      expect(kms).toHaveReceivedCommandTimes(SignCommand, 1);
    },
  );

  it('takes the common name and the validity, and answers everything as one JSON object', async () => {
    deployed('ECC_NIST_P256');
    kmsHolds('ECC_NIST_P256');

    const { code, stdout } = await runCliForTest([
      'public-key',
      'okta',
      '--format',
      'pem',
      '--cn',
      'token-refresher okta prod',
      '--days',
      '30',
      '--json',
    ]);

    expect(code).toBe(0);
    const json = JSON.parse(stdout) as { certificate: { pem: string; 'x5t#S256': string; notAfter: string } };
    expect(json).toMatchObject({ provider: 'okta', keyArn: KEY_ARN, keySpec: 'ECC_NIST_P256', jwk: { kid: KEY_ID } });
    const cert = new X509Certificate(json.certificate.pem);
    expect(cert.subject).toBe('CN=token-refresher okta prod');
    expect(json.certificate.notAfter).toBe(new Date(NOW + 30 * 86_400_000).toISOString());
    expect(json.certificate['x5t#S256']).toBe(createHash('sha256').update(cert.raw).digest('base64url'));
  });

  it('says how to get a grant when the key policy keeps Sign from the operator, exit 3', async () => {
    deployed('RSA_2048');
    kmsHolds('RSA_2048');
    kms.on(SignCommand).rejects(awsError('AccessDeniedException', 'not allowed'));

    const { code, stderr } = await runCliForTest(['public-key', 'okta', '--format', 'pem']);

    expect(code).toBe(3);
    expect(stderr).toContain("only the provider's refresher may");
    expect(stderr).toContain(`aws kms create-grant --key-id ${KEY_ARN}`);
  });

  it('refuses a provider without a KMS signing key, exit 2', async () => {
    cfn.on(DescribeStacksCommand).resolves(stackWith([signer, manifest('nagra')]));

    const { code, stderr } = await runCliForTest(['public-key', 'nagra']);

    expect(code).toBe(2);
    expect(stderr).toContain('provider "nagra" has no KMS signing key');
    expect(kms).toHaveReceivedCommandTimes(GetPublicKeyCommand, 0);
  });

  it('fails, exit 1, when the key is of another spec than the provider is configured for', async () => {
    deployed('RSA_2048');
    kmsHolds('ECC_NIST_P256');

    const { code, stderr } = await runCliForTest(['public-key', 'okta']);

    expect(code).toBe(1);
    expect(stderr).toContain('is ECC_NIST_P256, but the provider is configured for RSA_2048');
  });

  it.each([
    [['public-key'], 'missing <provider>'],
    [['public-key', 'okta', '--format', 'der'], '--format must be jwk, jwks, pem; got "der"'],
    [['public-key', 'okta', '--format', 'pem', '--days', '0'], '--days must be a whole number from 1 to 3650'],
    [['public-key', 'okta', '--format', 'pem', '--days', '3651'], '--days must be a whole number from 1 to 3650'],
    [['public-key', 'okta', '--days', '30'], '--cn and --days are for the certificate: add --format pem'],
    [['public-key', 'okta', '--format', 'pem', '--cn', 'a\nb'], '--cn must not contain a line break'],
    [['public-key', 'okta', '--format', 'pem', '--cn', 'x'.repeat(65)], '--cn must be at most 64 characters'],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(message);
  });

  it('has help within 100 columns that names its IAM actions', () => {
    for (const line of PUBLIC_KEY_HELP.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
    expect(PUBLIC_KEY_HELP).toContain('kms:GetPublicKey');
    expect(PUBLIC_KEY_HELP).toContain('730');
  });
});
