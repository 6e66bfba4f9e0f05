import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { credentialsSecret } from './private/credentials-secret';
import { maxEventAge } from './private/event-age';
import { DEFAULT_NAME_PREFIX, namePrefixProblem, providerResourceNames } from './private/naming';
import { ssmParameterArn } from './private/ssm-parameter-arn';
import { createTokenStore, type TokenStore } from './private/token-store';
import { UnqualifiedLambdaInvoke } from './private/unqualified-lambda-invoke';
import { RUNTIME_CONFIG_ENV, type RuntimeConfig, runtimeConfigSchema } from './schema/provider-settings';
import { RUN_TIMEOUT_SECONDS } from './schema/schedule';
import type { ResolvedProvider } from './schema/providers-file';

/** The refresher function's source, relative to this file. */
const DEFAULT_FUNCTION_ENTRY = path.join(import.meta.dirname, '..', 'lambda', 'index.ts');

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

  private readonly tokenStore: TokenStore;

  constructor(scope: Construct, id: string, props: ProviderTokenRefresherProps) {
    super(scope, id);
    const { provider } = props;
    const { settings } = provider;
    const prefix = props.namePrefix ?? DEFAULT_NAME_PREFIX;
    const prefixProblem = namePrefixProblem(prefix);
    if (prefixProblem) throw new Error(`${this.node.path}: ${prefixProblem}`);
    const names = providerResourceNames(prefix, settings.id);

    const credentials = credentialsSecret(this, provider, names.credentialsSecretName);
    const tokenStore = createTokenStore(this, provider.store, settings.id, names);
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
      description: `token-refresher function of provider "${settings.id}"`,
    });
    // The log group's `Arn` attribute ends in `:*`: it means the streams of this one group.
    logGroup.grantWrite(role);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [credentials.policyResource] }),
    );
    role.addToPrincipalPolicy(tokenStore.readWriteStatement);
    // SecureStrings and secrets use the default `aws/ssm` and `aws/secretsmanager` keys, whose key
    // policies let principals of the account use them through those services: no KMS statement needed.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ssm:GetParameter', 'ssm:PutParameter'],
        resources: [ssmParameterArn(this, names.stateParameterName)],
      }),
    );

    const fn = new NodejsFunction(this, 'Function', {
      entry: props.functionEntry ?? DEFAULT_FUNCTION_ENTRY,
      handler: 'handler',
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
        POWERTOOLS_SERVICE_NAME: 'token-refresher',
        POWERTOOLS_METRICS_NAMESPACE: 'TokenRefresher',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        minify: true,
        sourceMap: true,
        // Stack traces need the mappings only; embedding the sources would double the asset.
        sourcesContent: false,
        target: 'node24',
        format: OutputFormat.CJS,
        // Bundle the AWS SDK too: the pinned, tested version rather than whatever the runtime ships.
        externalModules: [],
      },
    });
    this.refreshFunction = fn;

    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(settings.checkIntervalMinutes)),
      description: `Checks every ${settings.checkIntervalMinutes} min whether the token of provider "${settings.id}" is due`,
      target: new UnqualifiedLambdaInvoke(fn, {
        role: this.scheduleRole(settings.id),
        input: scheduler.ScheduleTargetInput.fromObject({
          source: SCHEDULE_EVENT_SOURCE,
          provider: settings.id,
          // The function stamps its metrics with it (see lib/schema/alarms.ts).
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
