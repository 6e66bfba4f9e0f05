import type { Credentials, CredentialsSource } from '../../core/ports.js';
import type { Clock } from '../../core/ports.js';
import { credentialsVersion } from '../credentials/credentials-version.js';

/**
 * Built-in credentials for one demo provider. They are never printed, like real ones, and carry
 * characters that break careless encoding (quotes, `<>&'%`, spaces, non-ASCII). `replace` models an
 * operator putting new credentials in place at a given time: a new version, as for a real secret.
 */
export class DemoCredentials implements CredentialsSource {
  readonly secretId: string;
  private next: { values: Record<string, string>; fromMs: number; announce: () => void } | undefined;

  constructor(
    provider: string,
    private values: Record<string, string>,
    private readonly clock: Clock,
    private readonly versionKey: Buffer,
  ) {
    this.secretId = `built-in demo credentials of ${provider}`;
  }

  replace(values: Record<string, string>, fromMs: number, announce: () => void): void {
    this.next = { values, fromMs, announce };
  }

  read(): Promise<Credentials> {
    if (this.next && this.clock.now() >= this.next.fromMs) {
      this.values = this.next.values;
      this.next.announce();
      this.next = undefined;
    }
    return Promise.resolve({
      versionId: credentialsVersion(this.versionKey, 'demo', this.values),
      values: { ...this.values },
    });
  }
}

/** The demo's secrets: never shown anywhere, and awkward on purpose. */
export const demoPassword = (provider: string, generation = 1) =>
  `demo "pässwörd" <${provider}> & 'x' 100%${generation > 1 ? ` #${generation}` : ''}`;
export const demoClientSecret = (provider: string) => `demo+secret/%3A:${provider} "ü" <&'>`;
export const DEMO_USERNAME = 'demo-user';
