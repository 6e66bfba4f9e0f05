import { parseArgs } from 'node:util';
import { namePrefixProblem, stageProblem } from '../../contract/naming.js';
import { providerIdSchema } from '../../contract/provider-settings.js';
// Functions only: cli/args.ts imports this module, so its constants are not there yet when this one loads.
import { guard, nonEmpty, onePositional } from '../common/arg-checks.js';
import { UsageError } from '../common/errors.js';
import { CLEANUP_HELP } from '../help.js';
import { type CleanupOptions, DEFAULT_RECOVERY_DAYS, MAX_RECOVERY_DAYS, MIN_RECOVERY_DAYS } from './command.js';

const string = { type: 'string' } as const;
const flag = { type: 'boolean' } as const;
const cleanupOptions = {
  stage: string,
  'name-prefix': string,
  'include-credentials': flag,
  'recovery-window-days': string,
  'force-delete-without-recovery': flag,
  yes: flag,
  'dry-run': flag,
  region: string,
  profile: string,
  json: flag,
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * `cleanup <provider>`: the names come from the stage or `--name-prefix`, as the construct builds them,
 * so both are checked as the construct checks them; no deployment option, since the command looks for
 * the provider in every stack and function of the region (cli/cleanup/still-deployed.ts).
 */
/** What `cleanup`'s arguments ask for: the command, or its help. */
export type CleanupCommand =
  ({ readonly name: 'cleanup' } & CleanupOptions) | { readonly name: 'help'; readonly text: string };

export function parseCleanup(rest: readonly string[]): CleanupCommand {
  const command = 'cleanup';
  const { values, positionals } = guard(command, () =>
    parseArgs({ args: [...rest], options: cleanupOptions, allowPositionals: true, strict: true }),
  );
  if (values.help) return { name: 'help', text: CLEANUP_HELP };
  const provider = onePositional(command, positionals);
  if (!providerIdSchema.safeParse(provider).success) {
    throw new UsageError(
      `<provider> ${JSON.stringify(provider)} is not a provider id: 1 to 40 lowercase letters, digits or hyphens, starting and ending with a letter or digit`,
      command,
    );
  }
  const stage = nonEmpty(command, 'stage', values.stage);
  const namePrefix = nonEmpty(command, 'name-prefix', values['name-prefix']);
  if (stage !== undefined && namePrefix !== undefined) {
    throw new UsageError('--name-prefix names everything, --stage only picks the prefix: pick one', command);
  }
  const problem = stage === undefined ? undefined : stageProblem(stage);
  if (problem) throw new UsageError(`--stage: ${problem}`, command);
  const prefixProblem = namePrefix === undefined ? undefined : namePrefixProblem(namePrefix);
  if (prefixProblem) throw new UsageError(`--name-prefix: ${prefixProblem}`, command);
  const force = values['force-delete-without-recovery'] ?? false;
  const daysText = values['recovery-window-days'];
  if (force && daysText !== undefined) {
    throw new UsageError(
      '--force-delete-without-recovery leaves no recovery window: drop --recovery-window-days',
      command,
    );
  }
  const days = daysText === undefined ? DEFAULT_RECOVERY_DAYS : /^\d{1,2}$/.test(daysText) ? Number(daysText) : NaN;
  if (!(days >= MIN_RECOVERY_DAYS && days <= MAX_RECOVERY_DAYS)) {
    throw new UsageError(
      `--recovery-window-days must be a whole number from ${MIN_RECOVERY_DAYS} to ${MAX_RECOVERY_DAYS} (Secrets Manager's bounds); got ${JSON.stringify(daysText)}`,
      command,
    );
  }
  const region = nonEmpty(command, 'region', values.region);
  const profile = nonEmpty(command, 'profile', values.profile);
  return {
    name: command,
    provider,
    ...(stage === undefined ? {} : { stage }),
    ...(namePrefix === undefined ? {} : { namePrefix }),
    includeCredentials: values['include-credentials'] ?? false,
    recoveryWindowDays: days,
    forceDeleteWithoutRecovery: force,
    yes: values.yes ?? false,
    dryRun: values['dry-run'] ?? false,
    json: values.json ?? false,
    ...(region === undefined ? {} : { region }),
    ...(profile === undefined ? {} : { profile }),
  };
}
