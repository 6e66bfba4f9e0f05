import type { ProviderSettings } from '../../contract/provider-settings.js';
import type { PublishedToken } from '../../contract/published-token.js';
import { settingsFingerprint } from '../fingerprint.js';
import type { GrantName, Log } from '../ports.js';
import { Redactor } from '../redactor.js';
import { type AwsCall, awsCaller } from './aws-call.js';
import { CredentialsPolicy } from './credentials-policy.js';
import { StateLedger } from './state-ledger.js';
import type { Attempt, RefreshDeps, RefreshInput } from './types.js';
import type { LogLine } from './vet.js';

/** What the run did so far, for its report. */
export interface Tally {
  /** The token consumers read: as the run found it, then as it published it. */
  published: PublishedToken | undefined;
  /** The grant that renewed the token in this run, once one did. */
  renewedWith: GrantName | undefined;
  tokenWrites: number;
  /** The token endpoint rejected the credentials in this run. */
  credentialsRejected: boolean;
  readonly attempts: Attempt[];
}

/** One run: its inputs, and the objects that own what it reads and changes. */
export interface RunContext {
  readonly deps: RefreshDeps;
  readonly input: RefreshInput;
  readonly settings: ProviderSettings;
  /** Every secret the run sees, removed from every log line, failure and note. */
  readonly redactor: Redactor;
  /** The run's log: every line goes through the redactor, one place whatever a field holds. */
  readonly log: Log;
  readonly aws: AwsCall;
  readonly ledger: StateLedger;
  readonly credentials: CredentialsPolicy;
  readonly tally: Tally;
  /**
   * The token endpoint the issuer's metadata named, once the run knows it, and whether it `failed`
   * (a network error, a 404) so that the next run reads the metadata again (core/run/discovery-step.ts).
   */
  readonly route: { tokenEndpoint?: string; failed?: boolean };
}

export function openRun(deps: RefreshDeps, input: RefreshInput): RunContext {
  const { settings, clock } = deps;
  const redactor = new Redactor();
  const redacted = (extra?: object) => (extra === undefined ? undefined : redactor.redactValue(extra));
  const log: Log = {
    info: (message, extra) => deps.log.info(redactor.redact(message), redacted(extra)),
    warn: (message, extra) => deps.log.warn(redactor.redact(message), redacted(extra)),
  };
  const aws = awsCaller(clock, input, deps.awsCallTimeoutMs);
  const ledger = new StateLedger(
    { store: deps.stateStore, aws, clock, log, redactor, grant: settings.grant },
    settingsFingerprint(settings),
  );
  const credentials = new CredentialsPolicy({
    source: deps.credentials,
    settings,
    ledger,
    aws,
    clock,
    redactor,
    force: Boolean(input.force),
    ...(settings.assertion?.signingKey === 'kms' && deps.signingKey ? { signingKey: deps.signingKey } : {}),
  });
  const tally: Tally = {
    published: undefined,
    renewedWith: undefined,
    tokenWrites: 0,
    credentialsRejected: false,
    attempts: [],
  };
  return { deps, input, settings, redactor, log, aws, ledger, credentials, tally, route: {} };
}

/** Writes lines that pure code returned (core/run/vet.ts) to the run's log. */
export function writeLog(run: RunContext, lines: readonly LogLine[]): void {
  for (const { level, message, extra } of lines) run.log[level](message, extra);
}
