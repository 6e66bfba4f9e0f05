import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { refresherCode } from './private/bundling.js';
import { credentialsSecret } from './private/credentials-secret.js';
import { refresherKeyStatements, refresherRolePath, stackKey } from './private/refresher-key.js';
import { maxEventAge } from './private/event-age.js';
import { DEFAULT_NAME_PREFIX, namePrefixProblem, providerResourceNames } from '../contract/naming.js';
import { createProviderAlarms, type ProviderAlarms } from './private/provider-alarms.js';
import { providerDashboardRows } from './private/provider-dashboard.js';
import { ssmParameterArn } from './private/ssm-parameter-arn.js';
import { createTokenStore, type TokenStore } from './private/token-store.js';
import { UnqualifiedLambdaInvoke } from './private/unqualified-lambda-invoke.js';
import { runPeriodSeconds } from '../contract/alarm-specs.js';
import {
  FAILED_METRIC,
  type FailureKind,
  GRANT_METRIC,
  METRIC,
  METRICS_NAMESPACE,
  PROVIDER_DIMENSION,
} from '../contract/metrics.js';
import { RUNTIME_CONFIG_ENV, type RuntimeConfig, runtimeConfigSchema } from '../contract/provider-settings.js';
import type { PrimaryGrant } from '../contract/presets.js';
import type { RefresherManifest } from '../contract/refresher-manifest.js';
import { RUN_TIMEOUT_SECONDS } from '../contract/schedule.js';
import type { ResolvedProvider } from '../contract/providers-file.js';

type ProviderResolvedSettings = ResolvedProvider['settings'] & { readonly store: ResolvedProvider['store'] };

/** `source` of the events the schedule sends; the function treats them as "refresh if due". */
export const SCHEDULE_EVENT_SOURCE = 'token-refresher.schedule';

export interface ProviderTokenRefresherProps {
  /**
   * The provider to keep a token fresh for, as returned by `parseProvidersFile` (settings with the
   * preset applied, the chosen store and the credentials reference).
   */
  readonly provider: ResolvedProvider;

  /**
   * First segment of every secret and parameter name (`<prefix>/<provider id>/credentials`,
   * `/<prefix>/<provider id>/token`, ...). Give each deployment in one account and region its own
   * prefix so that their names do not collide. Changing it replaces the secrets.
   * @default 'token-refresher'
   */
  readonly namePrefix?: string;

  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Path of the refresher function's TypeScript entry file, which must export `handler`. Meant for
   * tests and forks; the function reads its configuration from the `TOKEN_REFRESHER_CONFIG` variable.
   * @default - `lambda/index.ts` of this project
   */
  readonly functionEntry?: string;

  /**
   * Where the provider's paging alarm (a composite of all its alarms) sends ALARM and OK
   * notifications. The detailed alarms have no actions: they are for diagnosis.
   * @default - no notifications (the alarms still change state and show on the dashboard)
   */
  readonly alarmTopic?: sns.ITopic;

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
   * `ssm:GetParameter` on the private state can read the refresh token (README "Secrets").
   * @default false
   */
  readonly awsManagedKeys?: boolean;
}

/**
 * Keeps one OAuth provider's access token permanently fresh: an EventBridge schedule runs a Lambda
 * function every `checkIntervalMinutes`; the function renews the token when it is due and publishes
 * it to a Secrets Manager secret or an SSM SecureString parameter, where consumers read it.
 *
 * No secret value ever passes through CDK: the credentials secret is imported, or created empty for
 * operators to fill, and the published token and the private state are written by the function only.
 */
export class ProviderTokenRefresher extends Construct {
  /** The provider id this refresher serves. */
  public readonly providerId: string;
  /** The function that renews and publishes the token. */
  public readonly refreshFunction: lambda.IFunction;
  /** Secret holding the provider credentials (imported, or created empty for operators to fill). */
  public readonly credentialsSecret: secretsmanager.ISecret;
  /**
   * How to address the credentials secret with the AWS CLI or SDK (`--secret-id`): its name when it
   * was created here or imported by name, else its complete ARN.
   */
  public readonly credentialsSecretId: string;
  /** Secret the token is published to; only when the store is Secrets Manager. */
  public readonly tokenSecret?: secretsmanager.ISecret;
  /** SecureString parameter the token is published to (created by the function); only when the store is Parameter Store. */
  public readonly tokenParameterName?: string;
  /** Private SecureString parameter (refresh token, lockout guard), created and read by the function only. */
  public readonly stateParameterName: string;
  /** Receives scheduled invocations that failed unexpectedly (the function threw, or could not be invoked). */
  public readonly deadLetterQueue: sqs.IQueue;
  /** The EventBridge Scheduler schedule that runs the function. */
  public readonly schedule: scheduler.ISchedule;
  /**
   * Where consumers read the token: `secretsmanager:<secret arn>` or `ssm:<parameter name>`.
   * Hand it to the consumer library (for instance as an environment variable) together with `grantRead`.
   */
  public readonly tokenSource: string;

  /**
   * The provider's alarms: the detailed ones for diagnosis and `paging`, a composite of them all that
   * notifies `alarmTopic`. Each description names the provider and its runbook section.
   */
  public readonly alarms: ProviderAlarms;
  /** Paging alarm: in ALARM when any of the provider's alarms is. */
  public readonly pagingAlarm: cloudwatch.CompositeAlarm;
  /** The token has little time left and renewal failed twice in a row, or the refresher stopped running. */
  public readonly tokenFreshnessAlarm: cloudwatch.Alarm;
  /** The provider rejected the credentials; the lockout guard holds until the secret changes. */
  public readonly credentialsRejectedAlarm: cloudwatch.Alarm;
  /** The provider configuration or the credentials secret is wrong. */
  public readonly configurationErrorAlarm: cloudwatch.Alarm;
  /** Three runs in a row failed with a transient, invalid-response or store failure. */
  public readonly repeatedFailuresAlarm: cloudwatch.Alarm;
  /** The function threw: a bug, or a configuration it cannot start with. */
  public readonly functionErrorsAlarm: cloudwatch.Alarm;
  /** Invocations are waiting in the dead-letter queue. */
  public readonly deadLettersAlarm: cloudwatch.Alarm;
  /** What tools (the operator CLI) need to know about this refresher; published as a stack output. */
  public readonly manifest: RefresherManifest;

  private readonly tokenStore: TokenStore;
  private readonly settings: ProviderResolvedSettings;

  constructor(scope: Construct, id: string, props: ProviderTokenRefresherProps) {
    super(scope, id);
    const { provider } = props;
    const { settings } = provider;
    const prefix = props.namePrefix ?? DEFAULT_NAME_PREFIX;
    const prefixProblem = namePrefixProblem(prefix);
    if (prefixProblem) throw new Error(`${this.node.path}: ${prefixProblem}`);
    const names = providerResourceNames(prefix, settings.id);

    if (props.awsManagedKeys && props.encryptionKey) {
      throw new Error(`${this.node.path}: give either "encryptionKey" or "awsManagedKeys", not both`);
    }
    const key = props.awsManagedKeys ? undefined : (props.encryptionKey ?? stackKey(this, prefix));
    const credentials = credentialsSecret(this, provider, names.credentialsSecretName, key);
    const tokenStore = createTokenStore(this, provider.store, settings.id, names, key);
    this.providerId = settings.id;
    this.credentialsSecret = credentials.secret;
    this.credentialsSecretId = credentials.operatorId;
    this.tokenStore = tokenStore;
    this.tokenSecret = tokenStore.secret;
    this.tokenParameterName = tokenStore.parameterName;
    this.tokenSource = tokenStore.source;
    this.stateParameterName = names.stateParameterName;

    const config: RuntimeConfig = {
      provider: settings,
      resources: {
        credentialsSecretId: credentials.runtimeId,
        tokenStore: { kind: tokenStore.kind, id: tokenStore.runtimeId },
        stateParameterName: names.stateParameterName,
        ...(key ? { parameterKeyId: key.keyArn } : {}),
      },
    };
    this.checkRuntimeConfig(config);

    const eventAge = maxEventAge(settings.checkIntervalMinutes);
    // No AwsSolutions-SQS3 acknowledgement needed: cdk-nag sees the function's DeadLetterConfig.
    const deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    });
    this.deadLetterQueue = deadLetterQueue;

    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    });

    // An explicit role instead of AWSLambdaBasicExecutionRole, whose log permissions cover every log
    // group in the account. Every statement below names one resource of this provider.
    const role = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      // The stack key's policy admits refresher roles by this path (lib/private/refresher-key.ts).
      path: refresherRolePath(prefix),
      description: `token-refresher function of provider "${settings.id}"`,
    });
    // The log group's `Arn` attribute ends in `:*`: it means the streams of this one group.
    logGroup.grantWrite(role);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [credentials.policyResource] }),
    );
    role.addToPrincipalPolicy(tokenStore.readWriteStatement);
    // With the AWS-managed keys, every principal of the account may use them through SSM and Secrets
    // Manager: no KMS statement. A customer-managed key only for this provider's own names.
    if (key)
      for (const statement of refresherKeyStatements(this, key, prefix, settings.id))
        role.addToPrincipalPolicy(statement);
    credentials.restrictReadTo(role);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ssm:GetParameter', 'ssm:PutParameter'],
        resources: [ssmParameterArn(this, names.stateParameterName)],
      }),
    );

    const fn = new lambda.Function(this, 'Function', {
      code: refresherCode(props.functionEntry),
      handler: 'index.handler',
      description: `Renews the OAuth access token of provider "${settings.id}" (${settings.preset}) and publishes it to ${
        tokenStore.kind === 'secretsmanager' ? 'Secrets Manager' : 'Parameter Store'
      }`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(RUN_TIMEOUT_SECONDS),
      role,
      logGroup,
      // One refresher per provider at a time: two parallel password grants could trip a lockout, and
      // two parallel refresh_token grants could invalidate a rotating refresh token.
      reservedConcurrentExecutions: 1,
      // Classified failures return `outcome: "failed"` instead of throwing; whatever does throw is a
      // bug, and retrying it would only multiply login attempts. It goes to the dead-letter queue.
      retryAttempts: 0,
      maxEventAge: eventAge,
      deadLetterQueue,
      environment: {
        [RUNTIME_CONFIG_ENV]: Stack.of(this).toJsonString(config),
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    this.refreshFunction = fn;
    this.settings = { ...settings, store: tokenStore.kind };

    const alarmNamePrefix = `${prefix}-${settings.id}`;
    this.alarms = createProviderAlarms(this, {
      settings,
      alarmNamePrefix,
      refresherMetric: (name, options) => this.metric(name, options),
      refreshFunction: fn,
      deadLetterQueue,
    });
    this.pagingAlarm = this.alarms.paging;
    this.tokenFreshnessAlarm = this.alarms.tokenFreshness;
    this.credentialsRejectedAlarm = this.alarms.credentialsRejected;
    this.configurationErrorAlarm = this.alarms.configurationError;
    this.repeatedFailuresAlarm = this.alarms.repeatedFailures;
    this.functionErrorsAlarm = this.alarms.functionErrors;
    this.deadLettersAlarm = this.alarms.deadLetters;
    if (props.alarmTopic) {
      const action = new cloudwatchActions.SnsAction(props.alarmTopic);
      this.pagingAlarm.addAlarmAction(action);
      this.pagingAlarm.addOkAction(action);
    }

    this.manifest = {
      provider: settings.id,
      preset: settings.preset,
      store: tokenStore.kind,
      tokenSource: tokenStore.source,
      functionName: fn.functionName,
      credentialsSecret: credentials.operatorId,
      stateParameter: names.stateParameterName,
      minValiditySeconds: settings.minValiditySeconds,
      checkIntervalMinutes: settings.checkIntervalMinutes,
      scheduleName: `${prefix}-${settings.id}`,
      deadLetterQueueName: deadLetterQueue.queueName,
      alarms: Object.fromEntries(Object.entries(this.alarms).map(([kind, alarm]) => [kind, alarm.alarmName])),
    };

    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      // Named like the secrets and parameters, so the runbook can address it.
      scheduleName: `${prefix}-${settings.id}`,
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(settings.checkIntervalMinutes)),
      description: `Checks every ${settings.checkIntervalMinutes} min whether the token of provider "${settings.id}" is due`,
      target: new UnqualifiedLambdaInvoke(fn, {
        role: this.scheduleRole(settings.id),
        input: scheduler.ScheduleTargetInput.fromObject({
          source: SCHEDULE_EVENT_SOURCE,
          provider: settings.id,
          // The function stamps its metrics with it (see contract/alarm-specs.ts).
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
        }),
        // The next tick is the retry; a late duplicate would only queue behind reserved concurrency 1.
        retryAttempts: 0,
        maxEventAge: eventAge,
        deadLetterQueue,
      }),
    });
  }

  /**
   * A metric the refresher function emits (namespace `TokenRefresher`, dimension `Provider`), one
   * data point per run. Names are in `METRIC` (contract/metrics.ts).
   * @param metricName e.g. `TokenSecondsRemaining`
   * @param props statistic, period and the rest; the period defaults to one check interval
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { [PROVIDER_DIMENSION]: this.providerId },
      period: Duration.seconds(runPeriodSeconds(this.settings)),
      ...props,
    });
  }

  /** Seconds the published token has left after each run (Minimum by default). */
  public metricTokenSecondsRemaining(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC.tokenSecondsRemaining, { statistic: 'Minimum', ...props });
  }

  /** Runs that renewed the token (Sum). */
  public metricRefreshed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC.refreshed, { statistic: 'Sum', ...props });
  }

  /** Runs that found the token fresh and did nothing (Sum). */
  public metricFresh(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC.fresh, { statistic: 'Sum', ...props });
  }

  /** Failed runs (Sum), of one kind or of all. */
  public metricFailed(kind?: FailureKind, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(kind ? FAILED_METRIC[kind] : METRIC.failed, { statistic: 'Sum', ...props });
  }

  /** Runs whose token came from this grant (Sum). */
  public metricGrant(grant: PrimaryGrant | 'refresh_token', props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(GRANT_METRIC[grant], { statistic: 'Sum', ...props });
  }

  /** Runs in which the provider rejected the credentials (Sum). */
  public metricCredentialsRejected(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC.credentialsRejected, { statistic: 'Sum', ...props });
  }

  /** 1 while the lockout guard holds the current credentials (Maximum). */
  public metricLockoutGuardEngaged(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC.lockoutGuardEngaged, { statistic: 'Maximum', ...props });
  }

  /** Milliseconds per token request (p99 by default). */
  public metricTokenRequestLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC.tokenRequestLatency, { statistic: 'p99', ...props });
  }

  /** Writes of the published token (Sum). */
  public metricTokenWrites(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC.tokenWrites, { statistic: 'Sum', ...props });
  }

  /** This provider's rows for a dashboard: seconds remaining, outcomes, grants, latency, alarms. */
  public dashboardRows(): cloudwatch.IWidget[][] {
    return providerDashboardRows({
      settings: this.settings,
      store: this.settings.store === 'secretsmanager' ? 'Secrets Manager' : 'Parameter Store',
      metric: (name, options) => this.metric(name, options),
      alarms: this.alarms,
    });
  }

  /**
   * Lets `grantee` read the published token, and nothing else: neither the credentials nor the
   * private state. Pair it with `tokenSource`.
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.tokenStore.grantRead(grantee);
  }

  /**
   * Checks the configuration with the schema the function applies at cold start, so that a bad
   * provider fails synth rather than the first run. Unresolved ARNs are encoded as non-empty strings,
   * which the schema accepts where it expects ids.
   */
  private checkRuntimeConfig(config: RuntimeConfig): void {
    const checked = runtimeConfigSchema.safeParse(config);
    if (checked.success) return;
    const problems = checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`${this.node.path}: invalid runtime configuration: ${problems.join('; ')}`);
  }

  /**
   * The role EventBridge Scheduler assumes to invoke the function. Created here rather than left to
   * the target, which would put one at the stack root, outside this construct.
   */
  private scheduleRole(providerId: string): iam.IRole {
    const stack = Stack.of(this);
    return new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        // Only schedules of this account's default group may use the role (confused-deputy guard).
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': stack.formatArn({
              service: 'scheduler',
              resource: 'schedule-group',
              resourceName: 'default',
            }),
          },
        },
      }),
      description: `Lets EventBridge Scheduler run the token-refresher function of provider "${providerId}"`,
    });
  }
}
