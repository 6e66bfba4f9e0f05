/**
 * Signs a digest as KMS `Sign` with `MessageType: DIGEST` does, with a local key of the same spec.
 * node:crypto signs messages, never a digest it is given (with no algorithm it hashes with SHA-256),
 * so: RSA PKCS#1 v1.5 as the raw private-key operation over the DigestInfo (RFC 8017 section 9.2),
 * ECDSA written out (SEC 1 section 4.1.3) over the NIST curves' published parameters (FIPS 186-4
 * appendix D.1.2). test/helpers/kms-fake-signing.test.ts checks both against node:crypto's verify.
 */
import { constants, type KeyObject, privateEncrypt, randomBytes } from 'node:crypto';

interface Curve {
  readonly p: bigint;
  readonly n: bigint;
  readonly gx: bigint;
  readonly gy: bigint;
}

/** a = -3 for all three curves. */
const CURVES: Readonly<Record<string, Curve>> = {
  'P-256': {
    p: 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
    gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
  },
  'P-384': {
    p: 2n ** 384n - 2n ** 128n - 2n ** 96n + 2n ** 32n - 1n,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
    gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
  },
  'P-521': {
    p: 2n ** 521n - 1n,
    n: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
    gx: 0x00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66n,
    gy: 0x011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650n,
  },
};

type Point = { x: bigint; y: bigint } | undefined;

const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;

function inverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [mod(a, m), m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return mod(oldS, m);
}

function add(c: Curve, a: Point, b: Point): Point {
  if (!a) return b;
  if (!b) return a;
  let lambda: bigint;
  if (a.x === b.x) {
    if (mod(a.y + b.y, c.p) === 0n) return undefined;
    lambda = mod((3n * a.x * a.x - 3n) * inverse(2n * a.y, c.p), c.p);
  } else {
    lambda = mod((b.y - a.y) * inverse(b.x - a.x, c.p), c.p);
  }
  const x = mod(lambda * lambda - a.x - b.x, c.p);
  return { x, y: mod(lambda * (a.x - x) - a.y, c.p) };
}

function multiply(c: Curve, k: bigint, point: Point): Point {
  let result: Point;
  let addend = point;
  for (let rest = k; rest > 0n; rest >>= 1n) {
    if (rest & 1n) result = add(c, result, addend);
    addend = add(c, addend, addend);
  }
  return result;
}

const toBigInt = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);

function derInteger(n: bigint): number[] {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = [...Buffer.from(hex, 'hex')];
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return [0x02, bytes.length, ...bytes];
}

/** ECDSA over a digest, DER-encoded as KMS returns it. */
export function ecdsaSignDigest(privateKey: KeyObject, digest: Uint8Array): Uint8Array {
  const jwk = privateKey.export({ format: 'jwk' });
  const curve = CURVES[jwk.crv ?? ''];
  if (!curve) throw new Error(`no parameters for curve ${jwk.crv}`);
  const d = toBigInt(Buffer.from(jwk.d!, 'base64url'));
  const bits = curve.n.toString(2).length;
  let e = toBigInt(digest);
  if (digest.length * 8 > bits) e >>= BigInt(digest.length * 8 - bits);
  for (;;) {
    const k = mod(toBigInt(randomBytes(Math.ceil(bits / 8) + 8)), curve.n - 1n) + 1n;
    const r = mod(multiply(curve, k, { x: curve.gx, y: curve.gy })!.x, curve.n);
    const s = mod(inverse(k, curve.n) * (e + r * d), curve.n);
    if (r === 0n || s === 0n) continue;
    const body = [...derInteger(r), ...derInteger(s)];
    return Uint8Array.from([0x30, ...(body.length < 0x80 ? [body.length] : [0x81, body.length]), ...body]);
  }
}

/** DigestInfo prefixes of SHA-256 (RFC 8017 section 9.2, note 1). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/** RSASSA-PKCS1-v1_5 with SHA-256 over a digest. */
export function rsaPkcs1Sha256SignDigest(privateKey: KeyObject, digest: Uint8Array): Uint8Array {
  if (digest.length !== 32) throw new Error(`a SHA-256 digest is 32 bytes, got ${digest.length}`);
  return privateEncrypt(
    { key: privateKey, padding: constants.RSA_PKCS1_PADDING },
    Buffer.concat([SHA256_DIGEST_INFO, digest]),
  );
}

/** What KMS answers to `Sign` of a DIGEST with `algorithm`, from a local key of the same spec. */
export function kmsSignDigest(privateKey: KeyObject, algorithm: string, digest: Uint8Array): Uint8Array {
  if (algorithm === 'RSASSA_PKCS1_V1_5_SHA_256') return rsaPkcs1Sha256SignDigest(privateKey, digest);
  if (algorithm.startsWith('ECDSA_SHA_')) return ecdsaSignDigest(privateKey, digest);
  throw new Error(`the fake KMS does not sign ${algorithm}`);
}
