import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { join } from 'node:path';
import { readBoundedFile, writePrivateFile } from '../private-file.js';

/** The demo's signing key, made at the first demo start and kept beside the state files (0600). */
export const DEMO_SIGNING_KEY_FILE = '.demo-signing-key.pem';

export interface DemoSigningKey {
  /** PKCS#8 PEM: the signed-assertion provider's `private_key` credential. Never printed. */
  readonly privateKeyPem: string;
  /** What the demo IdP has registered for the client, as an Okta app's JWKS holds it. */
  readonly publicJwk: JsonWebKey;
  /** The RFC 7638 thumbprint of the public key: the `kid` the key is registered under. */
  readonly keyId: string;
}

function fromPem(privateKeyPem: string): DemoSigningKey | undefined {
  try {
    const key = createPrivateKey({ key: privateKeyPem, format: 'pem' });
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return undefined;
    const { crv, kty, x, y } = createPublicKey(key).export({ format: 'jwk' });
    // RFC 7638: the required members in lexicographic order, no whitespace.
    const keyId = createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
    return { privateKeyPem, publicJwk: { crv, kty, x, y }, keyId };
  } catch {
    return undefined;
  }
}

/**
 * The demo directory's signing key: the one kept there, or a new EC P-256 key (ES256, made in well
 * under a millisecond, so `npm start` stays fast) when there is none or it is not such a key. Kept so
 * that a restart signs with the key the demo IdP registered, as a real deployment keeps its key.
 */
export async function loadDemoSigningKey(dir: string): Promise<DemoSigningKey> {
  const path = join(dir, DEMO_SIGNING_KEY_FILE);
  const kept = fromPem((await readBoundedFile(path).catch(() => undefined)) ?? '');
  if (kept) return kept;
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const made = fromPem(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString())!;
  await writePrivateFile(path, made.privateKeyPem);
  return made;
}
