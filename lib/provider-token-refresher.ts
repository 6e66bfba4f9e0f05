import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { refresherCode } from './private/bundling.js';
import { credentialsSecret } from './private/credentials-secret.js';
import { claimNames } from './private/name-claims.js';
import { refresherKeyStatements, stackKey } from './private/refresher-key.js';
import { maxEventAge } from './private/event-age.js';
import { stackShared } from './private/stack-shared.js';
import { namePrefixProblem, providerResourceNames, stageNames, stageProblem } from '../contract/naming.js';
import { createProviderAlarms, type ProviderAlarms } from './private/provider-alarms.js';
import { ssmParameterArn } from './private/ssm-parameter-arn.js';
import { createTokenStore, type TokenStore } from './private/token-store.js';
import { UnqualifiedLambdaInvoke } from './private/unqualified-lambda-invoke.js';
import { runPeriodSeconds } from '../contract/alarm-specs.js';
import { tokenEndpointProblem } from '../contract/loopback.js';
import { FAILED_METRIC, type FailureKind, METRIC, metricsNamespace, PROVIDER_DIMENSION } from '../contract/metrics.js';
import { RUNTIME_CONFIG_ENV, type RuntimeConfig, runtimeConfigSchema } from '../contract/provider-settings.js';
import type { RefresherManifest } from '../contract/refresher-manifest.js';
import { RUN_TIMEOUT_SECONDS } from '../contract/schedule.js';
import type { ResolvedProvider } from '../contract/providers-file.js';

/** `source` of the events the schedule sends; the function treats them as "refresh if due". */
export const SCHEDULE_EVENT_SOURCE = 'token-refresher.schedule';

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
   * A fleet keeps them in one stack that is never regrouped, so that moving a refresher between
   * stacks never touches the secret operators filled.
   * @default - this construct
   */
  readonly credentialsScope?: Construct;
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
  /** Secret the token is published to (created by the function); only when the store is Secrets Manager. */
  public readonly tokenSecretName?: string;
  /** SecureString parameter the token is published to (created by the function); only when the store is Parameter Store. */
  public readonly tokenParameterName?: string;
  /** Private SecureString parameter (the refresh token), created and read by the function only. */
  public readonly stateParameterName: string;
  /** Private String parameter (the state's ledger: lockout memory, blocks; no secret), created and read by the function only. */
  public readonly ledgerParameterName: string;
  /** The stack's queue for scheduled invocations that failed unexpectedly (shared by its refreshers). */
  public readonly deadLetterQueue: sqs.IQueue;
  /** The EventBridge Scheduler schedule that runs the function. */
  public readonly schedule: scheduler.ISchedule;
  /**
   * Where consumers read the token: `secretsmanager:<secret name>` or `ssm:<parameter name>`.
   * Hand it to the consumer library (for instance as an environment variable) together with `grantRead`.
   */
  public readonly tokenSource: string;
  /** The namespace the function's metrics go to. */
  public readonly metricsNamespace: string;
  /** The provider's alarms, each notifying `alarmTopic`. */
  public readonly alarms: ProviderAlarms;
  /** The token has little time left and renewal failed twice in a row, or the refresher stopped running. */
  public readonly tokenFreshnessAlarm: cloudwatch.Alarm;
  /** The provider rejected the credentials; the lockout guard holds until the secret changes. */
  public readonly credentialsRejectedAlarm: cloudwatch.Alarm;
  /** The refresher has not run for two periods. */
  public readonly refresherSilentAlarm: cloudwatch.Alarm;
  /** What tools (the operator CLI) need to know about this refresher; published as a stack output. */
  public readonly manifest: RefresherManifest;

  private readonly tokenStore: TokenStore;
  private readonly settings: ResolvedProvider['settings'];

  constructor(scope: Construct, id: string, props: ProviderTokenRefresherProps) {
    super(scope, id);
    const { provider } = props;
    const { settings } = provider;
    if (props.namePrefix === undefined && props.stage !== undefined) {
      const problem = stageProblem(props.stage);
      if (problem) throw new Error(`${this.node.path}: ${problem}, or give a "namePrefix"`);
    }
    const prefix = props.namePrefix ?? stageNames(props.stage).namePrefix;
    const prefixProblem = namePrefixProblem(prefix);
    if (prefixProblem) throw new Error(`${this.node.path}: ${prefixProblem}`);
    const names = providerResourceNames(prefix, settings.id);
    // Before anything is created: two refreshers that would deploy one name fail synth, not the deploy.
    claimNames(this, {
      ...(provider.credentials === undefined ? { 'credentials secret': names.credentialsSecretName } : {}),
      ...(provider.store === 'secretsmanager'
        ? { 'token secret': names.tokenSecretName }
        : { 'token parameter': names.tokenParameterName }),
      'state parameter': names.stateParameterName,
      'ledger parameter': names.ledgerParameterName,
      'role path': names.rolePath,
      schedule: names.scheduleName,
      ...Object.fromEntries(Object.entries(names.alarmNames).map(([kind, name]) => [`${kind} alarm`, name])),
    });
    const stack = Stack.of(this);

    if (props.awsManagedKeys && props.encryptionKey) {
      throw new Error(`${this.node.path}: give either "encryptionKey" or "awsManagedKeys", not both`);
    }
    const keyScope = props.credentialsScope ?? this;
    const key = props.awsManagedKeys ? undefined : (props.encryptionKey ?? stackKey(keyScope, prefix));
    const rolePath = names.rolePath;
    const credentials = credentialsSecret(
      this,
      provider,
      names.credentialsSecretName,
      {
        scope: keyScope,
        readerRoleArnPattern: stack.formatArn({
          service: 'iam',
          region: '',
          resource: 'role',
          resourceName: `${rolePath.slice(1)}*`,
        }),
      },
      key,
    );
    const tokenStore = createTokenStore(this, provider.store, names, key);
    this.providerId = settings.id;
    this.settings = settings;
    this.credentialsSecret = credentials.secret;
    this.credentialsSecretId = credentials.operatorId;
    this.tokenStore = tokenStore;
    this.tokenSecretName = provider.store === 'secretsmanager' ? names.tokenSecretName : undefined;
    this.tokenParameterName = tokenStore.parameterName;
    this.tokenSource = tokenStore.source;
    this.stateParameterName = names.stateParameterName;
    this.ledgerParameterName = names.ledgerParameterName;
    this.metricsNamespace = metricsNamespace(props.stage);

    const config: RuntimeConfig = {
      provider: settings,
      resources: {
        credentialsSecretId: credentials.runtimeId,
        tokenStore: { kind: tokenStore.kind, id: tokenStore.runtimeId },
        stateParameterName: names.stateParameterName,
        ledgerParameterName: names.ledgerParameterName,
        ...(key ? { parameterKeyId: key.keyArn } : {}),
        // Before the function created the token secret, the stack did (0.1.0), in the stack that holds
        // the credentials secrets: the stage's shared stack, or the construct's own. Given to every
        // refresher, whatever its store: an export only some stacks import could not be removed
        // when the last of them changes its store.
        legacyStackId: Stack.of(keyScope).stackId,
        ...(props.stage === undefined ? {} : { metricsNamespace: this.metricsNamespace }),
      },
    };
    this.checkRuntimeConfig(config);

    const shared = stackShared(this, props.logRetention ?? logs.RetentionDays.THREE_MONTHS);
    this.deadLetterQueue = shared.deadLetterQueue;
    const eventAge = maxEventAge(settings.checkIntervalMinutes);

    // An explicit role instead of AWSLambdaBasicExecutionRole, whose log permissions cover every log
    // group in the account. Every statement below names one resource of this provider, or the
    // stack's log group and queue. The path is how the key and the credentials secret know it.
    const role = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      path: rolePath,
      description: `token-refresher function of provider "${settings.id}"`,
    });
    // The log group's `Arn` attribute ends in `:*`: it means the streams of this one group.
    shared.logGroup.grantWrite(role);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [credentials.policyResource] }),
    );
    role.addToPrincipalPolicy(tokenStore.readWriteStatement);
    // With the AWS-managed keys, every principal of the account may use them through SSM and Secrets
    // Manager: no KMS statement. A customer-managed key only for this provider's own names.
    if (key) {
      for (const statement of refresherKeyStatements(this, key, prefix, settings.id))
        role.addToPrincipalPolicy(statement);
    }
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ssm:GetParameter', 'ssm:PutParameter'],
        resources: [ssmParameterArn(this, names.stateParameterName), ssmParameterArn(this, names.ledgerParameterName)],
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
      logGroup: shared.logGroup,
      // One refresher per provider at a time: two parallel password grants could trip a lockout, and
      // two parallel refresh_token grants could invalidate a rotating refresh token.
      reservedConcurrentExecutions: 1,
      // Classified failures return `outcome: "failed"` instead of throwing; whatever does throw is a
      // bug, and retrying it would only multiply login attempts. It goes to the dead-letter queue.
      retryAttempts: 0,
      maxEventAge: eventAge,
      deadLetterQueue: shared.deadLetterQueue,
      environment: {
        [RUNTIME_CONFIG_ENV]: stack.toJsonString(config),
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    this.refreshFunction = fn;

    this.alarms = createProviderAlarms(this, {
      settings,
      alarmNames: names.alarmNames,
      refresherMetric: (name, options) => this.metric(name, options),
      runbookUrl: props.runbookUrl ?? DEFAULT_RUNBOOK_URL,
      ...(props.alarmTopic ? { alarmTopic: props.alarmTopic } : {}),
    });
    this.tokenFreshnessAlarm = this.alarms.tokenFreshness;
    this.credentialsRejectedAlarm = this.alarms.credentialsRejected;
    this.refresherSilentAlarm = this.alarms.refresherSilent;

    this.manifest = {
      provider: settings.id,
      preset: settings.preset,
      store: tokenStore.kind,
      tokenSource: tokenStore.source,
      functionName: fn.functionName,
      credentialsSecret: credentials.operatorId,
      stateParameter: names.stateParameterName,
      ledgerParameter: names.ledgerParameterName,
      minValiditySeconds: settings.minValiditySeconds,
      checkIntervalMinutes: settings.checkIntervalMinutes,
      scheduleName: names.scheduleName,
      deadLetterQueueName: shared.deadLetterQueue.queueName,
      alarms: Object.fromEntries(Object.entries(this.alarms).map(([kind, alarm]) => [kind, alarm.alarmName])),
      ...(props.stage === undefined ? {} : { stage: props.stage }),
      metricsNamespace: this.metricsNamespace,
    };

    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      // Named, so the runbook can address it (`status --json` shows the name).
      scheduleName: names.scheduleName,
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(settings.checkIntervalMinutes)),
      description: `Checks every ${settings.checkIntervalMinutes} min whether the token of provider "${settings.id}" is due`,
      target: new UnqualifiedLambdaInvoke(fn, {
        role: shared.scheduleRole,
        input: scheduler.ScheduleTargetInput.fromObject({
          source: SCHEDULE_EVENT_SOURCE,
          provider: settings.id,
          // The function stamps its metrics with it (see contract/alarm-specs.ts).
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
        }),
        // The next tick is the retry; a late duplicate would only queue behind reserved concurrency 1.
        retryAttempts: 0,
        maxEventAge: eventAge,
        deadLetterQueue: shared.deadLetterQueue,
      }),
    });
  }

  /**
   * A metric the refresher function emits (dimension `Provider`, namespace `metricsNamespace`). The
   * heartbeat `TokenSecondsRemaining` comes once per run; the others only when they are not zero.
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

  /** Seconds the published token has left after each run (Minimum by default). */
  public metricTokenSecondsRemaining(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC.tokenSecondsRemaining, { statistic: 'Minimum', ...props });
  }

  /** Failed runs of one kind (Sum; no data while none fail). */
  public metricFailed(kind: FailureKind, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(FAILED_METRIC[kind], { statistic: 'Sum', ...props });
  }

  /** 1 while the lockout guard holds the current credentials (Maximum; no data while it does not). */
  public metricLockoutGuardEngaged(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC.lockoutGuardEngaged, { statistic: 'Maximum', ...props });
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
   * provider fails synth rather than the first run, and the token endpoint against what a deployed
   * function may call: the settings may come from a file read for local mode, or be built by hand.
   * Unresolved ARNs are encoded as non-empty strings, which the schema accepts where it expects ids.
   */
  private checkRuntimeConfig(config: RuntimeConfig): void {
    const checked = runtimeConfigSchema.safeParse(config);
    if (!checked.success) {
      const problems = checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
      throw new Error(`${this.node.path}: invalid runtime configuration: ${problems.join('; ')}`);
    }
    const { id, tokenEndpoint } = config.provider;
    const problem = tokenEndpointProblem(tokenEndpoint, 'aws');
    if (problem) {
      throw new Error(
        `${this.node.path}: provider "${id}", field "tokenEndpoint": got ${JSON.stringify(tokenEndpoint)}: ${problem}`,
      );
    }
  }
}
