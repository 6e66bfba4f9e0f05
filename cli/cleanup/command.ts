import { DeleteSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { stageNames } from '../../contract/naming.js';
import type { AwsClients, AwsTarget } from '../common/aws-clients.js';
import { AwsCallError, awsCall, describeAwsFailure } from '../common/aws-failure.js';
import { CliError, errorMessage, UsageError } from '../common/errors.js';
import type { CliIo } from '../common/io.js';
import { regionOf } from '../common/stack-manifest.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { findLeftovers, type Leftover, leftoverNames } from './leftovers.js';
import { functionsUnderRolePath, stacksNamingState } from './still-deployed.js';

/** Secrets Manager's bounds on a recovery window, in days. */
export const MIN_RECOVERY_DAYS = 7;
export const MAX_RECOVERY_DAYS = 30;
export const DEFAULT_RECOVERY_DAYS = MIN_RECOVERY_DAYS;

export interface CleanupOptions extends AwsTarget {
  readonly provider: string;
  /** As `cdk deploy -c stage=<name>`; undefined: the default stage. Ignored when `namePrefix` is given. */
  readonly stage?: string;
  /** The construct's `namePrefix`, when the app gave one. */
  readonly namePrefix?: string;
  readonly includeCredentials: boolean;
  readonly recoveryWindowDays: number;
  readonly forceDeleteWithoutRecovery: boolean;
  readonly yes: boolean;
  readonly dryRun: boolean;
  readonly json: boolean;
}

type Result = 'deleted' | 'scheduled' | 'gone' | 'would-delete' | 'failed';

interface Outcome {
  readonly leftover: Leftover;
  readonly result: Result;
  /** A scheduled secret: when it goes for good. */
  readonly deletionDate?: string;
  readonly error?: string;
}

const SERVICE_LABEL = { ssm: 'parameter', secretsmanager: 'secret' } as const;

export async function runCleanup(
  options: CleanupOptions,
  io: CliIo,
  clients: Pick<AwsClients, 'cloudFormation' | 'lambda' | 'secretsManager' | 'ssm'>,
): Promise<ExitCode> {
  const { provider, includeCredentials } = options;
  if (!options.yes && !options.dryRun && !io.stdinIsTTY) {
    throw new UsageError('no terminal to confirm on: pass --yes to delete, or --dry-run to list only', 'cleanup');
  }
  const prefix = options.namePrefix ?? stageNames(options.stage).namePrefix;
  const { names } = leftoverNames(prefix, provider, includeCredentials);
  const region = await regionOf(clients.cloudFormation);
  const [found, functions, stacks] = await Promise.all([
    findLeftovers(clients, prefix, provider, includeCredentials),
    functionsUnderRolePath(clients.lambda, names.rolePath),
    stacksNamingState(clients.cloudFormation, names.stateParameterName),
  ]);
  const deployedIn = [
    ...(found.manifestParameter === undefined ? [] : [`manifest parameter ${found.manifestParameter}`]),
    ...functions.map((name) => `function ${name} (role path ${names.rolePath})`),
    ...stacks.map((name) => `stack ${name} (its outputs list the refresher)`),
  ];
  if (deployedIn.length > 0) {
    throw new CliError(
      `provider "${provider}" (prefix ${prefix}) is still deployed in ${region}: ${deployedIn.join('; ')}. ` +
        'Remove it from the providers file or your CDK app and run npx cdk deploy first; nothing was deleted',
      EXIT.failed,
      'still_deployed',
    );
  }

  const present = found.leftovers.filter((l) => l.exists);
  const pending = (l: Leftover): Outcome =>
    l.exists ? { leftover: l, result: 'would-delete' } : { leftover: l, result: 'gone', ...dateOf(l) };
  if (options.dryRun || present.length === 0) {
    report(options, io, { prefix, region, outcomes: found.leftovers.map(pending), credentials: names });
    return EXIT.ok;
  }
  if (!options.json) io.stdout(listing(provider, prefix, region, found.leftovers.map(pending)));
  if (!options.yes) {
    const answer = await io.prompt(`Type "${provider}" to delete these ${present.length}: `, { hidden: false });
    if (answer !== provider) {
      throw new CliError(
        `not confirmed ("${provider}" was not typed): nothing was deleted`,
        EXIT.failed,
        'not_confirmed',
      );
    }
  }
  const deleted = new Map<Leftover, Outcome>();
  for (const outcome of await deleteParameters(
    clients.ssm,
    present.filter((l) => l.service === 'ssm'),
  )) {
    deleted.set(outcome.leftover, outcome);
  }
  for (const secret of present.filter((l) => l.service === 'secretsmanager')) {
    deleted.set(secret, await deleteSecret(clients.secretsManager, secret, options));
  }
  const outcomes = found.leftovers.map((l) => deleted.get(l) ?? pending(l));
  report(options, io, { prefix, region, outcomes, credentials: names }, true);
  return outcomes.some((o) => o.result === 'failed') ? EXIT.aws : EXIT.ok;
}

const dateOf = (l: Leftover) => (l.deletionDate === undefined ? {} : { deletionDate: l.deletionDate });

/** One DeleteParameters call (at most 10 names; a provider has 3): deleted, or already gone. */
async function deleteParameters(client: SSMClient, parameters: readonly Leftover[]): Promise<Outcome[]> {
  if (parameters.length === 0) return [];
  try {
    const answer = await awsCall(client, 'DeleteParameters', () =>
      client.send(new DeleteParametersCommand({ Names: parameters.map((p) => p.name) })),
    );
    const deleted = new Set(answer.DeletedParameters ?? []);
    return parameters.map((p) => ({ leftover: p, result: deleted.has(p.name) ? 'deleted' : 'gone' }));
  } catch (error) {
    return parameters.map((p) => ({ leftover: p, result: 'failed', error: failureOf(error) }));
  }
}

async function deleteSecret(client: SecretsManagerClient, secret: Leftover, options: CleanupOptions): Promise<Outcome> {
  const force = options.forceDeleteWithoutRecovery;
  try {
    const answer = await awsCall(client, 'DeleteSecret', () =>
      client.send(
        new DeleteSecretCommand({
          SecretId: secret.arn ?? secret.name,
          ...(force ? { ForceDeleteWithoutRecovery: true } : { RecoveryWindowInDays: options.recoveryWindowDays }),
        }),
      ),
    );
    if (force) return { leftover: secret, result: 'deleted' };
    const deletionDate = answer.DeletionDate?.toISOString();
    return { leftover: secret, result: 'scheduled', ...(deletionDate === undefined ? {} : { deletionDate }) };
  } catch (error) {
    return { leftover: secret, result: 'failed', error: failureOf(error) };
  }
}

/** The AWS failure in one line: service, operation, status, error name; never a value. */
function failureOf(error: unknown): string {
  return error instanceof AwsCallError ? describeAwsFailure(error).message : errorMessage(error);
}

interface Report {
  readonly prefix: string;
  readonly region: string;
  readonly outcomes: readonly Outcome[];
  readonly credentials: { readonly credentialsSecretName: string };
}

const RESULT_WORD: Record<Result, string> = {
  deleted: 'deleted',
  scheduled: 'scheduled',
  gone: 'gone',
  'would-delete': 'delete',
  failed: 'FAILED',
};

function line(outcome: Outcome): string {
  const { leftover, result, deletionDate, error } = outcome;
  const what = `${RESULT_WORD[result].padEnd(9)} ${SERVICE_LABEL[leftover.service].padEnd(9)} ${leftover.name}`;
  if (result === 'scheduled') {
    return `${what} (deleted for good ${deletionDate ?? 'after the recovery window'}; until then: aws secretsmanager restore-secret --secret-id ${leftover.name})`;
  }
  if (result === 'gone' && deletionDate !== undefined)
    return `${what} (already scheduled for deletion: ${deletionDate})`;
  if (result === 'failed') return `${what} (${error ?? 'unknown error'})`;
  return what;
}

function listing(provider: string, prefix: string, region: string, outcomes: readonly Outcome[]): string {
  const header = `Provider "${provider}" (prefix ${prefix}, ${region}) is not deployed. Its leftovers:`;
  return `${[header, ...outcomes.map((o) => `  ${line(o)}`)].join('\n')}\n`;
}

function notes(options: CleanupOptions, report: Report): string[] {
  return [
    ...(options.includeCredentials
      ? []
      : [
          `kept: the credentials secret ${report.credentials.credentialsSecretName}, if the stack created one (its stack retains it); add --include-credentials to delete it too`,
        ]),
    'KMS keys are never deleted here: a signing key the stack created is retained (docs/provider-lifecycle.md, "KMS keys")',
  ];
}

function report(options: CleanupOptions, io: CliIo, report: Report, afterDeletion = false): void {
  const { outcomes } = report;
  if (options.json) {
    io.stdout(
      `${JSON.stringify({
        provider: options.provider,
        namePrefix: report.prefix,
        region: report.region,
        dryRun: options.dryRun,
        resources: outcomes.map((o) => ({
          kind: o.leftover.kind,
          service: o.leftover.service,
          name: o.leftover.name,
          result: o.result,
          ...(o.deletionDate === undefined ? {} : { deletionDate: o.deletionDate }),
          ...(o.error === undefined ? {} : { error: o.error }),
        })),
        notes: notes(options, report),
      })}\n`,
    );
    return;
  }
  const text = afterDeletion
    ? `Result:\n${outcomes.map((o) => `  ${line(o)}`).join('\n')}\n`
    : outcomes.some((o) => o.result === 'would-delete')
      ? listing(options.provider, report.prefix, report.region, outcomes) + 'Dry run: nothing was deleted.\n'
      : `Provider "${options.provider}" (prefix ${report.prefix}, ${report.region}): nothing to delete.\n` +
        `${outcomes.map((o) => `  ${line(o)}`).join('\n')}\n`;
  io.stdout(`${text}${notes(options, report).join('\n')}\n`);
}
