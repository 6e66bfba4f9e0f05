import { createHmac } from 'node:crypto';
import type { AssertionSigner } from '../ports.js';

/**
 * The signer of `client_secret_jwt` (OIDC Core section 9): HS256 keyed with the client secret, which
 * itself is never sent. `version` is the credentials secret's version, what the lockout guard keys on.
 */
export function clientSecretSigner(clientSecret: string, version: string): AssertionSigner {
  return {
    alg: 'HS256',
    version,
    sign: (input) => Promise.resolve(new Uint8Array(createHmac('sha256', clientSecret).update(input).digest())),
  };
}
