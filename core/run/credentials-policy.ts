import { err, ok, type Result } from '../../base/result.js';
import { type Failure, failure } from '../../contract/failure.js';
import { sameCredentialsVersion } from '../../contract/private-state.js';
import { type ProviderSettings, requiredCredentialKeys } from '../../contract/provider-settings.js';
import { guardStatus, primaryGrantHeldBack } from '../lockout.js';
import {
  type AssertionSigner,
  type Clock,
  type Credentials,
  type CredentialsSource,
  CredentialsUnavailableError,
} from '../ports.js';
import type { Redactor } from '../redactor.js';
import { isServiceAccountKey, SERVICE_ACCOUNT_PUBLIC_KEYS } from '../signers/credentials-key.js';
import { type AwsCall, errorName } from './aws-call.js';
import { SIGNING_KEY_MISSING } from './signers.js';
import type { StateLedger } from './state-ledger.js';

/** What the policy needs from the run. */
export interface CredentialsPolicyDeps {
  readonly source: CredentialsSource;
  readonly settings: ProviderSettings;
  readonly ledger: StateLedger;
  readonly aws: AwsCall;
  readonly clock: Clock;
  readonly redactor: Redactor;
  /** An operator's forced run: it always reads the secret. */
  readonly force: boolean;
  /** The KMS key that signs the run's assertions, when the settings put the key in KMS. */
  readonly signingKey?: AssertionSigner;
}

/** What a request sends from the credentials secret, and the identity of whatever authenticates it. */
export interface Authentication {
  /** What the lockout guard and the record of an unconfirmed attempt key on (CredentialsPolicy `identity`). */
  readonly identity: string;
  /** The credentials secret's version, when the run read the secret for this request. */
  readonly secretVersion?: string;
  readonly values: Readonly<Record<string, string>>;
}

/** Values of the secret that are no secret: a username, a service-account key file's names. */
function publicKeys(values: Readonly<Record<string, string>>): ReadonlySet<string> {
  return new Set(['username', ...(isServiceAccountKey(values) ? SERVICE_ACCOUNT_PUBLIC_KEYS : [])]);
}

/**
 * When the run reads the credentials secret and which version it holds, for the lockout guard. A
 * healthy renewal may send the copy a warm container read a few minutes ago, of the version the IdP
 * last accepted only. A password is always read from the secret (a changed password has no grace
 * period in which the old one still works), and so is everything the lockout rules look at: a
 * recorded rejection, an attempt not confirmed, an operator's forced run.
 */
export class CredentialsPolicy {
  /** The version of the credentials secret, once read in this run. */
  private seen: string | undefined;

  constructor(private readonly deps: CredentialsPolicyDeps) {}

  /** The KMS key that signs the run's assertions, if the settings put the key in KMS. */
  get signingKey(): AssertionSigner | undefined {
    return this.deps.signingKey;
  }

  /** The version the run read, if it read the secret. */
  get version(): string | undefined {
    return this.seen;
  }

  /** Whether a warm container's copy of the working version may go out instead of a read of the secret. */
  private mayUseCache(sendsPassword: boolean): boolean {
    const { guard, pendingPrimary } = this.deps.ledger.state;
    return !sendsPassword && !this.deps.force && guard === undefined && pendingPrimary === undefined;
  }

  /** Whether the provider sends anything from the credentials secret (with a KMS key it may send nothing). */
  private get sendsSecret(): boolean {
    return requiredCredentialKeys(this.deps.settings).length > 0;
  }

  /**
   * What the lockout guard keys on: the version of whatever authenticates (ARCHITECTURE section 10).
   * Without a KMS key that is the credentials secret's version, which also versions a client secret
   * or a private key kept in the secret. With a KMS key it is the key's version too: an assertion the
   * IdP rejected (a key it does not know, a wrong audience) is then never signed again with that key,
   * while a new key version, registered at the IdP, lifts the guard as new credentials do. The
   * secret's version joins it when the provider sends anything from the secret (a password), so a
   * rejection is also lifted by corrected credentials; a provider that sends nothing from the secret
   * keys on the key alone and never reads it. Undefined: the secret could not be read, and a recorded
   * rejection holds.
   */
  identity(secretVersion: string | undefined): string | undefined {
    const key = this.deps.signingKey;
    if (key === undefined) return secretVersion;
    if (!this.sendsSecret) return `kms:${key.version}`;
    return secretVersion === undefined ? undefined : `${secretVersion} kms:${key.version}`;
  }

  /** Credentials to send, every key the settings need present; every value that is a secret is redacted. */
  async load(send: { readonly sendsPassword: boolean }): Promise<Result<Authentication, Failure>> {
    const { source, aws, settings, redactor, signingKey } = this.deps;
    if (settings.assertion?.signingKey === 'kms' && signingKey === undefined) return err(SIGNING_KEY_MISSING);
    if (!this.sendsSecret) return ok({ identity: this.identity(undefined)!, values: {} });
    const cachedVersion = this.mayUseCache(send.sendsPassword)
      ? this.deps.ledger.state.workingCredentialsVersion
      : undefined;
    let creds: Credentials;
    try {
      creds = await aws((signal) => source.read(signal, cachedVersion === undefined ? {} : { cachedVersion }));
    } catch (e) {
      if (e instanceof CredentialsUnavailableError) return err(failure('configuration', e.code, e.message));
      const why = `could not read credentials secret "${source.secretId}" (${errorName(e)})`;
      return err(failure('store', 'credentials_read_failed', why));
    }
    this.saw(creds.versionId);
    const visible = publicKeys(creds.values);
    redactor.add(
      ...Object.entries(creds.values)
        .filter(([k]) => !visible.has(k))
        .map(([, v]) => v),
    );
    const needed = requiredCredentialKeys(settings);
    const missing = needed.filter((k) => !creds.values[k]);
    const { versionId, values } = creds;
    if (missing.length === 0) return ok({ identity: this.identity(versionId)!, secretVersion: versionId, values });
    const example = `{${needed.map((k) => `"${k}": "..."`).join(', ')}}`;
    return err(
      failure(
        'configuration',
        'credentials_missing_key',
        `credentials secret "${source.secretId}" has no ${missing.map((k) => `"${k}"`).join(', ')}; put ${example} into it`,
      ),
    );
  }

  /**
   * The identity the lockout guard keys on (`identity`), the secret read for it only (a refresh that
   * sends no secret, a run that renews nothing); undefined when the secret cannot be read, and a
   * recorded rejection then holds.
   */
  async versionForGuard(): Promise<string | undefined> {
    if (!this.sendsSecret) return this.identity(undefined);
    try {
      const { versionId } = await this.deps.aws((signal) => this.deps.source.read(signal));
      this.saw(versionId);
      return this.identity(versionId);
    } catch {
      return undefined;
    }
  }

  /** The lockout rules (core/lockout.ts) for a request with `identity`: why it must not be sent, if it must not. */
  heldBack(identity: string | undefined, grant: string): Failure | undefined {
    const key = this.deps.signingKey;
    const version = {
      ...(key === undefined || this.sendsSecret ? { secretId: this.deps.source.secretId } : {}),
      ...(key === undefined ? {} : { signingKey: key.version }),
      versionId: identity,
    };
    return primaryGrantHeldBack(this.deps.ledger.state, version, grant, this.deps.clock.now());
  }

  /** The guard holds while what authenticates has the rejected version, or a changed one waits out the cooldown. */
  guardHolds(): boolean {
    const { guard } = this.deps.ledger.state;
    return guardStatus(guard, this.identity(this.seen), this.deps.clock.now()) !== undefined;
  }

  /**
   * The secret holds another version than the one that last worked: operators put new credentials.
   * No warm function may send its copy of the old version any more, whichever container it is in.
   */
  private saw(versionId: string): void {
    this.seen = versionId;
    const { workingCredentialsVersion } = this.deps.ledger.state;
    if (workingCredentialsVersion === undefined || sameCredentialsVersion(workingCredentialsVersion, versionId)) return;
    this.deps.ledger.update({ workingCredentialsVersion: undefined });
  }
}
