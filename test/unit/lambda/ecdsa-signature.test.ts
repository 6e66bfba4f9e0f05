import { generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { derToJoseSignature, MalformedEcdsaSignatureError } from '../../../lambda/adapters/ecdsa-signature.js';

const CURVES = [
  { curve: 'P-256', hash: 'sha256', size: 32, order: 2n ** 256n },
  { curve: 'P-384', hash: 'sha384', size: 48, order: 2n ** 384n },
  { curve: 'P-521', hash: 'sha512', size: 66, order: 2n ** 521n },
] as const;

const keys = new Map<string, { privateKey: KeyObject; publicKey: KeyObject }>(
  CURVES.map(({ curve }) => [curve, generateKeyPairSync('ec', { namedCurve: curve })]),
);

/** Big-endian bytes of `n`, `size` bytes long. */
function fixed(n: bigint, size: number): Uint8Array {
  return Uint8Array.from(Buffer.from(n.toString(16).padStart(size * 2, '0'), 'hex'));
}

/** DER of a positive INTEGER, written independently of the code under test (X.690 section 8.3). */
function derInteger(n: bigint): number[] {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = [...Buffer.from(hex, 'hex')];
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return [0x02, bytes.length, ...bytes];
}

function derSignature(r: bigint, s: bigint): Uint8Array {
  const body = [...derInteger(r), ...derInteger(s)];
  const length = body.length < 0x80 ? [body.length] : [0x81, body.length];
  return Uint8Array.from([0x30, ...length, ...body]);
}

describe('derToJoseSignature', () => {
  for (const { curve, hash, size } of CURVES) {
    it(`turns node:crypto's DER ${curve} signatures into ones it verifies as ieee-p1363 (r || s, ${size} bytes each)`, () => {
      const { privateKey, publicKey } = keys.get(curve)!;
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 2048 }), (message) => {
          const der = sign(hash, message, { key: privateKey, dsaEncoding: 'der' });
          const jose = derToJoseSignature(der, size);
          expect(jose).toHaveLength(2 * size);
          expect(verify(hash, message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jose)).toBe(true);
        }),
        { numRuns: 60 },
      );
    });
  }

  for (const { curve, size, order } of CURVES) {
    it(`gives r and s left-padded to ${size} bytes whatever their DER length (${curve}): a leading 0x00, a short value`, () => {
      const coordinate = fc.bigInt({ min: 1n, max: order - 1n });
      fc.assert(
        fc.property(coordinate, coordinate, (r, s) => {
          expect(derToJoseSignature(derSignature(r, s), size)).toEqual(
            Uint8Array.from([...fixed(r, size), ...fixed(s, size)]),
          );
        }),
        { numRuns: 300 },
      );
    });
  }

  it('keeps the zeros of a short r: a 31-byte r is padded, not shifted into s', () => {
    const r = 0x01n;
    const s = (1n << 255n) + 5n; // high bit set: DER adds a 0x00 byte
    const jose = derToJoseSignature(derSignature(r, s), 32);
    expect(jose.subarray(0, 31)).toEqual(new Uint8Array(31));
    expect(jose[31]).toBe(1);
    expect(jose.subarray(32)).toEqual(fixed(s, 32));
  });

  it('reads the long length form of a P-521 signature (more than 127 bytes)', () => {
    const big = (1n << 520n) + 7n;
    const der = derSignature(big, big);
    expect(der[1]).toBe(0x81);
    expect(derToJoseSignature(der, 66)).toEqual(Uint8Array.from([...fixed(big, 66), ...fixed(big, 66)]));
  });

  it.each([
    ['an empty input', Uint8Array.of()],
    ['another tag', Uint8Array.of(0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01)],
    ['bytes after the SEQUENCE', Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00)],
    ['a truncated SEQUENCE', Uint8Array.of(0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01)],
    ['a third INTEGER', Uint8Array.of(0x30, 0x09, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01)],
    ['a negative r', Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x01)],
    ['a zero s', Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00)],
    ['an empty r', Uint8Array.of(0x30, 0x05, 0x02, 0x00, 0x02, 0x01, 0x01)],
    ['a non-minimal long length', Uint8Array.of(0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01)],
    ['an indefinite length', Uint8Array.of(0x30, 0x80, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00, 0x00)],
    ['a two-byte length', Uint8Array.of(0x30, 0x82, 0x00, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01)],
  ])('fails on %s', (_, der) => {
    expect(() => derToJoseSignature(der, 32)).toThrow(MalformedEcdsaSignatureError);
  });

  it("fails on an r longer than the curve's size: a P-384 signature read as P-256", () => {
    const { privateKey } = keys.get('P-384')!;
    // A P-384 r is shorter than 33 bytes once in 2^120 signatures: never in a test.
    const der = sign('sha384', Buffer.from('x'), { key: privateKey, dsaEncoding: 'der' });
    expect(() => derToJoseSignature(der, 32)).toThrow(/more than the curve's 32: the key's curve is not the one/);
  });

  it('never reads past its input, whatever the bytes (a bounded parser)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          expect(derToJoseSignature(bytes, 66)).toHaveLength(132);
        } catch (error) {
          expect(error).toBeInstanceOf(MalformedEcdsaSignatureError);
        }
      }),
    );
  });
});
