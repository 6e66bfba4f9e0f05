import 'aws-sdk-client-mock-vitest/extend';
import { createHash, generateKeyPairSync, type KeyObject, sign, verify, constants } from 'node:crypto';
import {
  DisabledException,
  KMSClient,
  KMSInternalException,
  KMSInvalidStateException,
  type KMSServiceException,
  KeyUnavailableException,
  InvalidKeyUsageException,
  NotFoundException,
  SignCommand,
  type SignCommandInput,
  DependencyTimeoutException,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { KmsAssertionSigner } from '../../../lambda/adapters/kms-signer.js';
import { kmsSignerFor } from '../../../lambda/config.js';
import type { KmsSigningKey, KmsSigningKeySpec } from '../../../contract/signing-key.js';
import { SigningError } from '../../../core/ports.js';

const kms = mockClient(KMSClient);
beforeEach(() => kms.reset());

const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** A local key of each spec, standing in for the one KMS keeps. */
const LOCAL_KEYS: Record<KmsSigningKeySpec, { privateKey: KeyObject; publicKey: KeyObject }> = {
  RSA_2048: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  RSA_3072: generateKeyPairSync('rsa', { modulusLength: 3072 }),
  RSA_4096: generateKeyPairSync('rsa', { modulusLength: 4096 }),
  ECC_NIST_P256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  ECC_NIST_P384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  ECC_NIST_P521: generateKeyPairSync('ec', { namedCurve: 'P-521' }),
};

const HASH = { ECDSA_SHA_256: 'sha256', ECDSA_SHA_384: 'sha384', ECDSA_SHA_512: 'sha512' } as Record<string, string>;

/**
 * Answers `Sign` as KMS does for a DIGEST: a signature of the message whose digest was sent, DER for
 * ECDSA. node:crypto signs messages, not digests, so the fake looks the message up among those the
 * test will sign, which also proves the signer hashed it with the algorithm's hash.
 */
function answerSignFrom(spec: KmsSigningKeySpec, messages: readonly Uint8Array[]): void {
  const { privateKey } = LOCAL_KEYS[spec];
  kms.on(SignCommand).callsFake((input: SignCommandInput) => {
    expect(input.KeyId).toBe(KEY_ARN);
    expect(input.MessageType).toBe('DIGEST');
    const algorithm = input.SigningAlgorithm!;
    const hash = HASH[algorithm] ?? 'sha256';
    const message = messages.find((m) =>
      createHash(hash)
        .update(m)
        .digest()
        .equals(Buffer.from(input.Message as Uint8Array)),
    );
    if (!message) throw new Error(`the fake KMS got a digest of no known message with ${algorithm}`);
    const signature = algorithm.startsWith('ECDSA')
      ? sign(hash, message, { key: privateKey, dsaEncoding: 'der' })
      : algorithm === 'RSASSA_PSS_SHA_256'
        ? sign('sha256', message, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })
        : sign('sha256', message, privateKey);
    return Promise.resolve({ KeyId: KEY_ARN, Signature: signature, SigningAlgorithm: algorithm });
  });
}

const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');

/** A compact JWS as the core builds one: header and payload, signed by `signer`. */
async function jwsOf(signer: KmsAssertionSigner, payload: object): Promise<string> {
  const input = `${b64url(JSON.stringify({ alg: signer.alg, typ: 'JWT', kid: signer.keyId }))}.${b64url(JSON.stringify(payload))}`;
  const signature = await signer.sign(new TextEncoder().encode(input));
  return `${input}.${b64url(signature)}`;
}

/** Verifies a compact JWS with the public key as RFC 7515 and 7518 say, independently of the signer. */
function verifyJws(jws: string, publicKey: KeyObject): boolean {
  const [header, payload, signature] = jws.split('.') as [string, string, string];
  const { alg } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg: string };
  const data = Buffer.from(`${header}.${payload}`);
  const sig = Buffer.from(signature, 'base64url');
  const hash = `sha${alg.slice(2)}`;
  if (alg.startsWith('ES')) return verify(hash, data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, sig);
  if (alg.startsWith('PS')) {
    return verify(hash, data, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig);
  }
  return verify(hash, data, publicKey, sig);
}

const SPECS: readonly [KmsSigningKeySpec, string, number][] = [
  ['RSA_2048', 'RS256', 256],
  ['RSA_3072', 'RS256', 384],
  ['RSA_4096', 'RS256', 512],
  ['ECC_NIST_P256', 'ES256', 64],
  ['ECC_NIST_P384', 'ES384', 96],
  ['ECC_NIST_P521', 'ES512', 132],
];

describe('KmsAssertionSigner', () => {
  it.each(SPECS)(
    'signs with a %s key a JWS (%s) that its public key verifies, %i signature bytes',
    async (spec, alg, bytes) => {
      // A payload past KMS's 4,096-byte RAW limit: the signer must send a digest.
      const payloads = Array.from({ length: 8 }, (_, i) => ({ iss: 'c', jti: `${i}`.repeat(i * 700 + 1) }));
      const inputs = payloads.map((p) =>
        new TextEncoder().encode(
          `${b64url(JSON.stringify({ alg, typ: 'JWT', kid: '1234abcd-12ab-34cd-56ef-1234567890ab' }))}.${b64url(JSON.stringify(p))}`,
        ),
      );
      answerSignFrom(spec, inputs);
      const signer = new KmsAssertionSigner(kms as unknown as KMSClient, { keyArn: KEY_ARN, keySpec: spec });
      expect(signer.alg).toBe(alg);
      for (const payload of payloads) {
        const jws = await jwsOf(signer, payload);
        expect(Buffer.from(jws.split('.')[2]!, 'base64url')).toHaveLength(bytes);
        expect(verifyJws(jws, LOCAL_KEYS[spec].publicKey)).toBe(true);
      }
      expect(kms).toHaveReceivedCommandTimes(SignCommand, payloads.length);
    },
  );

  it('signs PS256 with an RSA key when the configuration asks for it', async () => {
    const input = new TextEncoder().encode(`${b64url('{"alg":"PS256"}')}.${b64url('{}')}`);
    answerSignFrom('RSA_2048', [input]);
    const signer = new KmsAssertionSigner(kms as unknown as KMSClient, {
      keyArn: KEY_ARN,
      keySpec: 'RSA_2048',
      alg: 'PS256',
    });
    const jws = `${new TextDecoder().decode(input)}.${b64url(await signer.sign(input))}`;
    expect(verifyJws(jws, LOCAL_KEYS.RSA_2048.publicKey)).toBe(true);
    expect(kms).toHaveReceivedCommandWith(SignCommand, { SigningAlgorithm: 'RSASSA_PSS_SHA_256' });
  });

  it('names the key for the lockout guard (its ARN) and the JWS kid (its key id), and carries the thumbprint', () => {
    const thumbprint = 'A'.repeat(43);
    const signer = new KmsAssertionSigner(kms as unknown as KMSClient, {
      keyArn: KEY_ARN,
      keySpec: 'ECC_NIST_P256',
      certificateThumbprint: thumbprint,
    });
    expect(signer).toMatchObject({
      alg: 'ES256',
      version: KEY_ARN,
      keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
      certificateThumbprint: thumbprint,
    });
  });

  const exception = (Type: new (o: never) => KMSServiceException) =>
    new Type({ message: 'kms said so', $metadata: {} } as never);

  it.each([
    ['DisabledException', exception(DisabledException as never), 'is disabled: enable it'],
    ['KMSInvalidStateException', exception(KMSInvalidStateException as never), 'pending deletion'],
    ['NotFoundException', exception(NotFoundException as never), 'does not exist'],
    ['InvalidKeyUsageException', exception(InvalidKeyUsageException as never), 'SIGN_VERIFY'],
    [
      'AccessDeniedException',
      Object.assign(new Error('kms said so'), { name: 'AccessDeniedException' }),
      'key policy must allow kms:Sign',
    ],
    ['KeyUnavailableException', exception(KeyUnavailableException as never), 'key store'],
  ])('reports %s as signing_key_unusable, naming the key and the fix', async (name, error, fix) => {
    kms.on(SignCommand).rejects(error);
    const signer = new KmsAssertionSigner(kms as unknown as KMSClient, { keyArn: KEY_ARN, keySpec: 'RSA_2048' });
    const failure = await signer.sign(Uint8Array.of(1)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SigningError);
    expect(failure).toMatchObject({ code: 'signing_key_unusable' });
    expect((failure as Error).message).toContain(KEY_ARN);
    expect((failure as Error).message).toContain(fix);
    expect((failure as Error).message).toContain(`(${name})`);
    expect((failure as Error).message).toContain('see docs/runbook.md#signing-key-unusable');
    expect((failure as Error).message).not.toContain('kms said so');
  });

  const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
  it.each([
    ['ThrottlingException', throttled],
    ['KMSInternalException', exception(KMSInternalException as never)],
    ['DependencyTimeoutException', exception(DependencyTimeoutException as never)],
    ['a network failure', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('reports %s as signing_unavailable', async (_, error) => {
    kms.on(SignCommand).rejects(error);
    const signer = new KmsAssertionSigner(kms as unknown as KMSClient, { keyArn: KEY_ARN, keySpec: 'RSA_2048' });
    await expect(signer.sign(Uint8Array.of(1))).rejects.toMatchObject({ code: 'signing_unavailable' });
  });

  it('stops waiting when the run cuts the call (AbortSignal): signing_unavailable, "timed out"', async () => {
    const controller = new AbortController();
    kms.on(SignCommand).callsFake(
      (_input, getClient) =>
        new Promise((_, reject) => {
          void getClient;
          controller.signal.addEventListener('abort', () =>
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
          );
        }),
    );
    const signer = new KmsAssertionSigner(kms as unknown as KMSClient, { keyArn: KEY_ARN, keySpec: 'RSA_2048' });
    const pending = signer.sign(Uint8Array.of(1), controller.signal);
    controller.abort();
    await expect(pending).rejects.toMatchObject({
      code: 'signing_unavailable',
      message: expect.stringContaining('timed out'),
    });
  });

  it('passes the AbortSignal to the SDK, which cuts a real call', async () => {
    kms.on(SignCommand).resolves({ Signature: Uint8Array.of(1) });
    const signer = new KmsAssertionSigner(kms as unknown as KMSClient, { keyArn: KEY_ARN, keySpec: 'RSA_2048' });
    const controller = new AbortController();
    await signer.sign(Uint8Array.of(1), controller.signal);
    const [, options] = kms.commandCalls(SignCommand)[0]!.args as unknown as [unknown, { abortSignal?: AbortSignal }];
    expect(options?.abortSignal).toBe(controller.signal);
  });

  it('fails as signing_key_unusable when an ECDSA answer does not fit the configured curve', async () => {
    const input = Uint8Array.of(7);
    answerSignFrom('ECC_NIST_P384', [input]);
    // KMS would refuse ECDSA_SHA_256 for a P-384 key; a fake that answers anyway shows the signer checks.
    const signer = new KmsAssertionSigner(kms as unknown as KMSClient, { keyArn: KEY_ARN, keySpec: 'ECC_NIST_P256' });
    kms.on(SignCommand).callsFake(() =>
      Promise.resolve({
        Signature: sign('sha384', input, { key: LOCAL_KEYS.ECC_NIST_P384.privateKey, dsaEncoding: 'der' }),
      }),
    );
    await expect(signer.sign(input)).rejects.toMatchObject({
      code: 'signing_key_unusable',
      message: expect.stringContaining("keySpec must be the key's"),
    });
  });

  it('fails as signing_unavailable when KMS answers without a signature', async () => {
    kms.on(SignCommand).resolves({});
    const signer = new KmsAssertionSigner(kms as unknown as KMSClient, { keyArn: KEY_ARN, keySpec: 'RSA_2048' });
    await expect(signer.sign(Uint8Array.of(1))).rejects.toMatchObject({ code: 'signing_unavailable' });
  });
});

describe('kmsSignerFor', () => {
  const resources = (signingKey?: KmsSigningKey) => ({
    credentialsSecretId: 'c',
    tokenStore: { kind: 'parameterstore' as const, id: '/t' },
    stateParameterName: '/s',
    ledgerParameterName: '/l',
    ...(signingKey ? { signingKey } : {}),
  });

  it('is a KMS signer for a configured key, and none without one (a private key in the credentials, or no assertion)', () => {
    const client = kms as unknown as KMSClient;
    expect(kmsSignerFor(resources(), client)).toBeUndefined();
    expect(kmsSignerFor(resources({ keyArn: KEY_ARN, keySpec: 'ECC_NIST_P521' }), client)).toMatchObject({
      alg: 'ES512',
      version: KEY_ARN,
    });
  });
});
