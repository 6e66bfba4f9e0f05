import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { runPeriodSeconds } from './private/alarm-specs.js';
import {
  FAILED_METRIC,
  type FailureKind,
  METRIC,
  METRICS_NAMESPACE,
  metricsNamespace,
  PROVIDER_DIMENSION,
} from '../contract/metrics.js';
import type { ProviderSettings } from '../contract/provider-settings.js';
import type { ResolvedProvider } from '../providers/providers-file.js';
import type { RefresherManifest } from '../contract/refresher-manifest.js';
import { credentialsSecret } from './private/credentials-secret.js';
import { createManifestParameter } from './private/manifest-parameter.js';
import { createProviderAlarms, type ProviderAlarms } from './private/provider-alarms.js';
import { refresherEvents, type RefresherEventsProps } from './private/refresher-events.js';
import { createRefresherFunction } from './private/refresher-function.js';
import { refresherKey } from './private/refresher-key.js';
import { refresherManifest } from './private/refresher-manifest.js';
import { refresherNames } from './private/refresher-names.js';
import { createRefresherRole, rolesUnderPath } from './private/refresher-role.js';
import { createRefresherSchedule } from './private/refresher-schedule.js';
import { refresherRuntimeConfig } from './private/runtime-config.js';
import { refresherSigningKey } from './private/signing-key.js';
import { stackShared } from './private/stack-shared.js';
import { createTokenStore, type TokenLocation, type TokenStore } from './private/token-store.js';

export { SCHEDULE_EVENT_SOURCE } from './private/refresher-schedule.js';
export { ALARMS_NOTIFY_NOBODY } from './private/provider-alarms.js';
export type { RefresherEventsProps } from './private/refresher-events.js';

/** What `ProviderTokenRefresher` needs: the provider, and where its names, keys and alarms go. */
export interface ProviderTokenRefresherProps {
  /**
   * The provider to keep a token fresh for, as returned by `parseProvidersFile` (settings with the
   * preset applied, the chosen store and the credentials reference).
   */
  readonly provider: ResolvedProvider;

  /**
   * First segment of every name: secrets and parameters (`<prefix>/<provider id>/credentials`,
   * `/<prefix>/<provider id>/token`, ...), the role's IAM path, the schedule and the alarms
   * (contract/naming.ts builds them all). Two refreshers of one provider id with one prefix get the
   * same names: synth refuses that within an app, and across apps each deployment in one account and
   * region needs its own prefix. Changing it replaces the secrets.
   * @default - the stage's: `token-refresher` in the default stage, `token-refresher-<stage>` in another
   */
  readonly namePrefix?: string;

  /**
   * The stage this refresher belongs to (1 to 20 lowercase letters, digits or hyphens): its metrics
   * go to the namespace `TokenRefresher/<stage>`, and, unless `namePrefix` is given, its names start
   * with `token-refresher-<stage>`, so that two stages in one account never share a name or data.
   * @default - the default stage: namespace `TokenRefresher`, prefix `token-refresher`
   */
  readonly stage?: string;

  /**
   * How long the stack's refresher logs are kept (the first refresher in a stack decides).
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Path of the refresher function's TypeScript entry file, which must export `handler`. Meant for
   * tests and forks; the function reads its configuration from the `TOKEN_REFRESHER_CONFIG` variable.
   * @default - the refresher this package ships
   */
  readonly functionEntry?: string;

  /**
   * Where the provider's alarms send ALARM and OK notifications. Every alarm pages (three of them).
   * Without it synth warns (`ALARMS_NOTIFY_NOBODY`); acknowledge that warning on the refresher when
   * you watch the alarms another way.
   * @default - no notifications (the alarms still change state)
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Where the runbook lives; each alarm description ends with a link to its section
   * (`<runbookUrl>#tokenfreshness`). Point it at your copy if you keep one.
   * @default DEFAULT_RUNBOOK_URL
   */
  readonly runbookUrl?: string;

  /**
   * Your own KMS key for the published token, the private state and a credentials secret the
   * construct creates, instead of the stack's key. Its policy must let the account delegate use to
   * IAM: the function gets `kms:Decrypt`, `kms:Encrypt` and `kms:GenerateDataKey` limited to its own
   * names, through SSM and Secrets Manager only; `grantRead` adds `kms:Decrypt` for this token only.
   * @default - the stack's own key (one per stack; see lib/private/refresher-key.ts for its policy)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Use the account's AWS-managed `aws/ssm` and `aws/secretsmanager` keys instead of a
   * customer-managed one. Saves the key's $1 a month, but then any principal allowed
   * `ssm:GetParameter` on the private state can read the refresh token (docs/security.md).
   * @default false
   */
  readonly awsManagedKeys?: boolean;

  /**
   * Where a credentials secret the construct creates lives, as `<credentialsScope>/CredentialsSecret`.
   * A fleet of the `shared-stack` layout keeps them in its shared stack, where a single-stack
   * deployment had them.
   * @default - this construct
   */
  readonly credentialsScope?: Construct;

  /**
   * Where the refresher puts its lifecycle events on Amazon EventBridge (docs/events.md): one event
   * when renewal starts failing, recovers, the credentials are rejected, setup waits for
   * credentials or a person must reconnect; never on a healthy run.
   * @default - the account's default event bus; no event per renewal
   */
  readonly events?: RefresherEventsProps;
  /**
   * The stack that created this provider's Secrets Manager token secret in 0.1.0, which the function
   * keeps writing to (docs/security.md). A fleet names its shared stack, wherever its secrets live.
   * @default - the stack holding a created credentials secret (`credentialsScope`'s, else this construct's)
   */
  readonly legacyStack?: Stack;
}

/** The runbook this project ships; alarm descriptions link to its sections. */
export const DEFAULT_RUNBOOK_URL = 'https://github.com/token-refresher/token-refresher/blob/main/docs/runbook.md';

/**
 * Keeps one OAuth provider's access token permanently fresh: an EventBridge schedule runs a Lambda
 * function every `checkIntervalMinutes`; the function renews the token when it is due and publishes
 * it to a Secrets Manager secret or an SSM SecureString parameter, where consumers read it.
 *
 * No secret value ever passes through CDK: the credentials secret is imported, or created empty for
 * operators to fill, and the published token and the private state are written by the function only.
 * What every refresher of a stack can share (key, dead-letter queue, log group, scheduler role) is
 * created once per stack.
 *
 * @example
 * ```typescript
 * import { Stack } from 'aws-cdk-lib';
 * import * as lambda from 'aws-cdk-lib/aws-lambda';
 * import { parseProvidersFile, ProviderTokenRefresher } from '@token-refresher/cdk';
 *
 * declare const stack: Stack;
 * declare const api: lambda.Function;
 *
 * const [provider] = parseProvidersFile({ providers: [{ id: 'cv', preset: 'clickview', clientId: 'embed' }] });
 * const refresher = new ProviderTokenRefresher(stack, 'Cv', { provider: provider! });
 *
 * // The consumer may read the token, and nothing else; it finds the token where `tokenSource` says.
 * refresher.grantRead(api);
 * api.addEnvironment('TOKEN_SOURCE', refresher.tokenSource);
 * ```
 */
export class ProviderTokenRefresher extends Construct {
  /** The provider id this refresher serves (`provider.settings.id`). */
  public readonly providerId: string;
  /** The function that renews and publishes the token. */
  public readonly refreshFunction: lambda.IFunction;
  /** The EventBridge Scheduler schedule that runs the function every check interval. */
  public readonly schedule: scheduler.ISchedule;
  /** The stack's queue for scheduled invocations that failed unexpectedly (shared by its refreshers). */
  public readonly deadLetterQueue: sqs.IQueue;
  /**
   * Secret holding the provider credentials: imported when the providers file names one, else created
   * empty for operators to fill. How operators address it is `manifest.credentialsSecret`.
   */
  public readonly credentialsSecret: secretsmanager.ISecret;
  /**
   * The KMS asymmetric key that signs the provider's assertions (providers file `signingKey`): created
   * for it, or the one the file names; undefined when it has none. Only the refresher may sign with it;
   * `token-refresher public-key <provider>` prints its public key for the IdP.
   */
  public readonly signingKey?: kms.IKey;
  /**
   * Where the function publishes the token: the store and the secret's or parameter's name. The
   * function creates it on its first write.
   */
  public readonly token: TokenLocation;
  /**
   * Where consumers read the token: `secretsmanager:<secret name>` or `ssm:<parameter name>`.
   * Hand it to the consumer library (for instance as an environment variable) together with `grantRead`.
   */
  public readonly tokenSource: string;
  /**
   * The provider's paging alarms, by kind (`tokenFreshness`, `credentialsRejected`,
   * `refresherSilent`), each notifying `alarmTopic`. docs/runbook.md has a section for each.
   */
  public readonly alarms: ProviderAlarms;
  /**
   * What tools (the operator CLI) need to know about this refresher, names only: the construct writes
   * it to its manifest parameter (`/<prefix>/<id>/manifest`), in whatever stack it is. It also names what the construct keeps to itself: the private state and ledger
   * parameters and the metrics namespace.
   */
  public readonly manifest: RefresherManifest;

  private readonly tokenStore: TokenStore;
  private readonly settings: ProviderSettings;
  private readonly metricsNamespace: string;

  constructor(scope: Construct, id: string, props: ProviderTokenRefresherProps) {
    super(scope, id);
    const { provider } = props;
    const { settings } = provider;
    const { prefix, names } = refresherNames(this, provider, props);
    // A fleet keeps the credentials secrets it creates, and so the key, in its shared stack.
    const keyScope = props.credentialsScope ?? this;
    const key = refresherKey(this, props, keyScope, prefix);
    const placement = { scope: keyScope, readerRoleArnPattern: rolesUnderPath(this, names.rolePath) };
    const credentials = credentialsSecret(this, provider, names.credentialsSecretName, placement, key);
    const tokenStore = createTokenStore(this, provider.store, names, key);
    const signing = refresherSigningKey(this, provider, names, keyScope);
    const namespace = metricsNamespace(props.stage, props.namePrefix);
    const events = refresherEvents(this, props.events, props.stage);
    const config = refresherRuntimeConfig(this, {
      settings,
      credentialsSecretId: credentials.runtimeId,
      token: tokenStore,
      names,
      key,
      legacyStackId: (props.legacyStack ?? Stack.of(keyScope)).stackId,
      ...(namespace === METRICS_NAMESPACE ? {} : { metricsNamespace: namespace }),
      events: events.runtime,
      ...(signing ? { signingKey: signing.runtime } : {}),
    });
    // The template lists resources in the order they are created: role, function, alarms, schedule.
    const shared = stackShared(this, props.logRetention ?? logs.RetentionDays.THREE_MONTHS);
    const role = createRefresherRole(this, {
      providerId: settings.id,
      prefix,
      names,
      logGroup: shared.logGroup,
      credentialsResource: credentials.policyResource,
      tokenStore,
      key,
      eventsStatement: events.statement,
      ...(signing ? { signStatement: signing.signStatement } : {}),
    });
    const fn = createRefresherFunction(this, { config, role, shared, functionEntry: props.functionEntry });

    this.providerId = settings.id;
    this.settings = settings;
    this.metricsNamespace = namespace;
    this.tokenStore = tokenStore;
    this.refreshFunction = fn;
    this.deadLetterQueue = shared.deadLetterQueue;
    this.credentialsSecret = credentials.secret;
    if (signing) this.signingKey = signing.key;
    this.token = { store: tokenStore.store, name: tokenStore.name };
    this.tokenSource = tokenStore.source;
    this.alarms = createProviderAlarms(this, {
      settings,
      alarmNames: names.alarmNames,
      refresherMetric: (name, options) => this.metric(name, options),
      runbookUrl: props.runbookUrl ?? DEFAULT_RUNBOOK_URL,
      ...(props.alarmTopic ? { alarmTopic: props.alarmTopic } : {}),
    });
    this.schedule = createRefresherSchedule(this, {
      settings,
      scheduleName: names.scheduleName,
      refreshFunction: fn,
      shared,
    });
    this.manifest = refresherManifest({
      settings,
      names,
      tokenStore,
      functionName: fn.functionName,
      credentialsSecretId: credentials.operatorId,
      deadLetterQueueName: shared.deadLetterQueue.queueName,
      alarms: this.alarms,
      ...(props.stage === undefined ? {} : { stage: props.stage }),
      metricsNamespace: namespace,
      ...(signing ? { signingKey: signing.runtime } : {}),
    });
    createManifestParameter(this, names.manifestParameterName, this.manifest, props.stage);
  }

  /**
   * A metric the refresher function emits (dimension `Provider`, namespace `manifest.metricsNamespace`).
   * The heartbeat `TokenSecondsRemaining` comes once per run; the others only when they are not zero.
   * Names are in `METRIC` (contract/metrics.ts).
   * @param metricName e.g. `TokenSecondsRemaining`
   * @param props statistic, period and the rest; the period defaults to one check interval
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.metricsNamespace,
      metricName,
      dimensionsMap: { [PROVIDER_DIMENSION]: this.providerId },
      period: Duration.seconds(runPeriodSeconds(this.settings)),
      ...props,
    });
  }

  /**
   * Seconds the published token has left after each run (Minimum by default).
   * @param props statistic, period and the rest; the period defaults to one check interval
   */
  public metricTokenSecondsRemaining(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC.tokenSecondsRemaining, { statistic: 'Minimum', ...props });
  }

  /**
   * Failed runs of one kind (Sum; no data while none fail).
   * @param kind the failure kind, e.g. `credentials` (`FAILURE_KINDS` in contract/metrics.ts)
   * @param props statistic, period and the rest; the period defaults to one check interval
   */
  public metricFailed(kind: FailureKind, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(FAILED_METRIC[kind], { statistic: 'Sum', ...props });
  }

  /**
   * 1 while the lockout guard holds the current credentials (Maximum; no data while it does not).
   * @param props statistic, period and the rest; the period defaults to one check interval
   */
  public metricLockoutGuardEngaged(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC.lockoutGuardEngaged, { statistic: 'Maximum', ...props });
  }

  /**
   * Lets `grantee` read the published token, and nothing else: neither the credentials nor the
   * private state. With a customer-managed key, it may also decrypt with it, only through the store's
   * service and only for this token. Pair it with `tokenSource`.
   * @param grantee the consumer's function, role or task role
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.tokenStore.grantRead(grantee);
  }
}
