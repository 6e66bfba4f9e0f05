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
  alarms: z.record(z.enum(ALARM_KINDS), z.string()),
});

export type RefresherManifest = z.infer<typeof refresherManifestSchema>;
