import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ecdsaSignDigest, rsaPkcs1Sha256SignDigest } from './kms-fake-signing.js';

describe("the fake KMS's digest signing", () => {
  it.each([
    ['P-256', 'sha256'],
    ['P-384', 'sha384'],
    ['P-521', 'sha512'],
  ])('signs a %s digest (%s) that node:crypto verifies over the message', (namedCurve, hash) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
    for (const text of ['a', 'token-refresher', 'x'.repeat(5000)]) {
      const digest = createHash(hash).update(text).digest();
      const signature = ecdsaSignDigest(privateKey, digest);
      expect(verify(hash, Buffer.from(text), { key: publicKey, dsaEncoding: 'der' }, signature)).toBe(true);
      expect(verify(hash, Buffer.from(`${text}!`), { key: publicKey, dsaEncoding: 'der' }, signature)).toBe(false);
    }
  });

  it('signs an RSA PKCS#1 v1.5 SHA-256 digest that node:crypto verifies over the message', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const digest = createHash('sha256').update('m').digest();
    expect(verify('sha256', Buffer.from('m'), publicKey, rsaPkcs1Sha256SignDigest(privateKey, digest))).toBe(true);
  });
});
