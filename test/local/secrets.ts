import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoClientSecret, demoPassword } from '../../local/demo/demo-credentials.js';

const PROVIDERS = ['mediamelon', 'movingimage', 'nagra', 'clickview', 'mediahound'];

/**
 * Every secret local mode has handled: the demo's built-in credentials (both generations), the demo's
 * signing key, and each access and refresh token found in the token and state files of `dirs`.
 */
export function knownSecrets(...dirs: string[]): string[] {
  const secrets = PROVIDERS.flatMap((p) => [demoPassword(p), demoPassword(p, 2), demoClientSecret(p)]);
  for (const dir of dirs) {
    // The demo's signing key (local/demo/demo-signing-key.ts): its PEM and its base64 body.
    const key = readdirSync(dir, { withFileTypes: true }).find((e) => e.name === '.demo-signing-key.pem');
    if (key) {
      const pem = readFileSync(join(dir, key.name), 'utf8');
      secrets.push(pem, pem.replace(/-----[^-]+-----|\s/g, ''));
    }
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      const json = JSON.parse(readFileSync(join(dir, name), 'utf8'));
      for (const key of ['access_token', 'refreshToken']) if (typeof json[key] === 'string') secrets.push(json[key]);
    }
  }
  return secrets;
}

/** Throws naming the first secret (by position, not value) that `text` contains, in any common encoding. */
export function expectNoSecret(text: string, secrets: readonly string[]): void {
  secrets.forEach((secret, i) => {
    for (const form of [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]) {
      if (text.includes(form)) throw new Error(`secret #${i} was printed`);
    }
    // Long enough fragments of a token count too (a truncated token is still a leak).
    if (secret.length >= 24 && text.includes(secret.slice(0, 24))) throw new Error(`secret #${i} was printed in part`);
  });
}
