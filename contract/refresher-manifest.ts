import * as z from 'zod/mini';

/**
 * What tools are told about each provider's refresher: the construct writes it to its manifest
 * parameter (`/<prefix>/<id>/manifest`, contract/naming.ts) in whatever stack it is in, and
 * `TokenRefresherStack` and `TokenRefresherFleet` also publish it as a stack output per provider
 * (`<ConstructId>Refresher`). The operator CLI reads both; names and ARNs only, never a secret.
 */
/**
 * The alarms of each provider, every one of them paging (docs/runbook.md "What pages" says why these
 * three): the token is about to expire, the credentials were rejected, the refresher stopped.
 * Everything else a run reports is shown on the dashboard and by `status`, not paged.
 */
export const ALARM_KINDS = ['tokenFreshness', 'credentialsRejected', 'refresherSilent'] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

/** Alarm name suffixes (contract/naming.ts puts the names together); the runbook has a section per suffix. */
export const ALARM_SUFFIX: Readonly<Record<AlarmKind, string>> = {
  tokenFreshness: 'TokenFreshness',
  credentialsRejected: 'CredentialsRejected',
  refresherSilent: 'RefresherSilent',
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
  /** The state's ledger (String parameter); absent in manifests of stacks deployed before it existed. */
  ledgerParameter: z.optional(z.string()),
  minValiditySeconds: z.number(),
  checkIntervalMinutes: z.number(),
  /** By kind; a record of strings, so that manifests of stacks with other alarm sets still parse. */
  alarms: z.record(z.string(), z.string()),
  /** The stage (absent: the default stage) and the namespace its metrics go to (absent: `TokenRefresher`). */
  stage: z.optional(z.string()),
  metricsNamespace: z.optional(z.string()),
  /** EventBridge Scheduler schedule (default group) and the stack's dead-letter queue, for the runbook commands. */
  scheduleName: z.optional(z.string()),
  deadLetterQueueName: z.optional(z.string()),
  /** The stack that deploys the refresher; only in the manifest parameter (an output knows its stack). */
  stack: z.optional(z.string()),
  /**
   * The KMS key that signs the provider's assertions, for `token-refresher public-key`; absent: none
   * (or a stack deployed before signing keys).
   */
  signingKey: z.optional(z.object({ keyArn: z.string(), keySpec: z.string(), alg: z.optional(z.string()) })),
});

export type RefresherManifest = z.infer<typeof refresherManifestSchema>;
