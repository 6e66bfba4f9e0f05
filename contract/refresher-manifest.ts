import * as z from 'zod/mini';

/**
 * What the stack tells tools about each provider's refresher, as one JSON stack output per provider
 * (`<ConstructId>Refresher`). The operator CLI reads it; names and ARNs only, never a secret.
 */
export const ALARM_KINDS = [
  'tokenFreshness',
  'credentialsRejected',
  'configurationError',
  'repeatedFailures',
  'functionErrors',
  'deadLetters',
  'refresherSilent',
  'paging',
] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

/** Alarm name suffixes: `<namePrefix>-<providerId>-<Suffix>`; the README runbook has a section per suffix. */
export const ALARM_SUFFIX: Readonly<Record<AlarmKind, string>> = {
  tokenFreshness: 'TokenFreshness',
  credentialsRejected: 'CredentialsRejected',
  configurationError: 'ConfigurationError',
  repeatedFailures: 'RepeatedFailures',
  functionErrors: 'FunctionErrors',
  deadLetters: 'DeadLetters',
  refresherSilent: 'RefresherSilent',
  paging: 'Paging',
};

export const MANIFEST_OUTPUT_SUFFIX = 'Refresher';

export const refresherManifestSchema = z.object({
  provider: z.string(),
  preset: z.string(),
  store: z.enum(['secretsmanager', 'parameterstore']),
  /** `secretsmanager:<arn>` or `ssm:<name>` */
  tokenSource: z.string(),
  functionName: z.string(),
  /** Name (or ARN when imported by ARN) to pass as `--secret-id`. */
  credentialsSecret: z.string(),
  stateParameter: z.string(),
  minValiditySeconds: z.number(),
  checkIntervalMinutes: z.number(),
  /** Partial, so that tools keep reading manifests of stacks deployed before an alarm was added. */
  alarms: z.partialRecord(z.enum(ALARM_KINDS), z.string()),
  /** EventBridge Scheduler schedule (default group) and dead-letter queue, for the runbook commands. */
  scheduleName: z.optional(z.string()),
  deadLetterQueueName: z.optional(z.string()),
});

export type RefresherManifest = z.infer<typeof refresherManifestSchema>;
