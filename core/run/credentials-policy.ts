import { err, ok, type Result } from '../../base/result.js';
import { type Failure, failure } from '../../contract/failure.js';
import { sameCredentialsVersion } from '../../contract/private-state.js';
import { type ProviderSettings, requiredCredentialKeys } from '../../contract/provider-settings.js';
import { guardStatus, primaryGrantHeldBack } from '../lockout.js';
import { type Clock, type Credentials, type CredentialsSource, CredentialsUnavailableError } from '../ports.js';
import type { Redactor } from '../redactor.js';
import { type AwsCall, errorName } from './aws-call.js';
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

  /** The version the run read, if it read the secret. */
  get version(): string | undefined {
    return this.seen;
  }

  /** Whether a warm container's copy of the working version may go out instead of a read of the secret. */
  private mayUseCache(sendsPassword: boolean): boolean {
    const { guard, pendingPrimary } = this.deps.ledger.state;
    return !sendsPassword && !this.deps.force && guard === undefined && pendingPrimary === undefined;
  }

  /** The credentials to send, every key the settings need present; every value but the username is redacted. */
  async load(send: { readonly sendsPassword: boolean }): Promise<Result<Credentials, Failure>> {
    const { source, aws, settings, redactor } = this.deps;
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
    redactor.add(
      ...Object.entries(creds.values)
        .filter(([k]) => k !== 'username')
        .map(([, v]) => v),
    );
    const needed = requiredCredentialKeys(settings);
    const missing = needed.filter((k) => !creds.values[k]);
    if (missing.length === 0) return ok(creds);
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
   * The secret's version, read for the lockout guard only (a refresh that sends no secret, a run that
   * renews nothing); undefined when it cannot be read, and a recorded rejection then holds.
   */
  async versionForGuard(): Promise<string | undefined> {
    try {
      const { versionId } = await this.deps.aws((signal) => this.deps.source.read(signal));
      this.saw(versionId);
      return versionId;
    } catch {
      return undefined;
    }
  }

  /** The lockout rules (core/lockout.ts) for a request with `versionId`: why it must not be sent, if it must not. */
  heldBack(versionId: string | undefined, grant: string): Failure | undefined {
    const version = { secretId: this.deps.source.secretId, versionId };
    return primaryGrantHeldBack(this.deps.ledger.state, version, grant, this.deps.clock.now());
  }

  /** The guard holds while the secret has the rejected version, or a changed one waits out the cooldown. */
  guardHolds(): boolean {
    return guardStatus(this.deps.ledger.state.guard, this.seen, this.deps.clock.now()) !== undefined;
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
