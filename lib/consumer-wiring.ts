/**
 * The construct side of the consumer library: least-privilege read grants and one-call wiring of a
 * Lambda function or an ECS container to a provider's published token, plus an example consumer.
 *
 * Kept apart from `lib/consumer/`, which runs inside consumers and must not import aws-cdk-lib.
 */
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { bundling } from './private/bundling';
import { TOKEN_SOURCE_ENV } from './consumer/constants';
import type { ProviderTokenRefresher } from './provider-token-refresher';

export interface WireConsumerOptions {
  /**
   * Environment variable that receives the refresher's `tokenSource`. The consumer library's
   * `getAccessToken()` and `tokenMiddleware()` read `TOKEN_SOURCE` by default.
   * @default 'TOKEN_SOURCE'
   */
  readonly envName?: string;
}

/**
 * Lets `grantee` read `refresher`'s published token and nothing else: not the credentials, not the
 * private state, not other providers' tokens. With a customer-managed key on the refresher, it also
 * may decrypt with it, only through the store's service and only for this token.
 */
export function grantTokenRead(refresher: ProviderTokenRefresher, grantee: iam.IGrantable): iam.Grant {
  return refresher.grantRead(grantee);
}

/** Grants `fn` read access to the token and sets `TOKEN_SOURCE` (or `envName`) to the refresher's `tokenSource`. */
export function wireLambdaConsumer(
  refresher: ProviderTokenRefresher,
  fn: lambda.Function,
  options: WireConsumerOptions = {},
): iam.Grant {
  const grant = grantTokenRead(refresher, fn);
  fn.addEnvironment(options.envName ?? TOKEN_SOURCE_ENV, refresher.tokenSource);
  return grant;
}

/**
 * Grants the task role read access to the token and sets `TOKEN_SOURCE` (or `envName`) on `container`.
 * The container reads the token at run time with the consumer library. It does not use the
 * container's `secrets`, which are read once at task start and would go stale with a short-lived token.
 */
export function wireEcsContainer(
  refresher: ProviderTokenRefresher,
  taskDefinition: ecs.TaskDefinition,
  container: ecs.ContainerDefinition,
  options: WireConsumerOptions = {},
): iam.Grant {
  if (container.taskDefinition !== taskDefinition) {
    throw new Error(
      `wireEcsContainer: container ${container.node.path} belongs to ${container.taskDefinition.node.path}, not to ${taskDefinition.node.path}`,
    );
  }
  const grant = grantTokenRead(refresher, taskDefinition.taskRole);
  container.addEnvironment(options.envName ?? TOKEN_SOURCE_ENV, refresher.tokenSource);
  return grant;
}

export interface ExampleConsumerProps {
  /** The refresher whose token the example reads. */
  readonly refresher: ProviderTokenRefresher;
}

/** Source of the example consumer, relative to this file. */
const EXAMPLE_CONSUMER_ENTRY = path.join(import.meta.dirname, '..', 'examples', 'lambda-consumer', 'index.ts');

/**
 * A small Lambda function that reads the provider's token with the consumer library and returns
 * `{ provider, expiresInSeconds }`, never the token. Invoke it after a deployment to check that
 * consumers can read the token. Its role may read this provider's token and write its own logs, nothing else.
 */
export class ExampleConsumer extends Construct {
  /** The example function. */
  public readonly consumerFunction: lambda.IFunction;
  /** Its execution role. */
  public readonly role: iam.IRole;

  constructor(scope: Construct, id: string, props: ExampleConsumerProps) {
    super(scope, id);
    const providerId = props.refresher.providerId;
    const logGroup = new logs.LogGroup(this, 'LogGroup', { retention: logs.RetentionDays.ONE_MONTH });
    // An explicit role instead of AWSLambdaBasicExecutionRole, whose log permissions cover every log group.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `token-refresher example consumer of provider "${providerId}"`,
    });
    logGroup.grantWrite(role);
    const fn = new NodejsFunction(this, 'Function', {
      entry: EXAMPLE_CONSUMER_ENTRY,
      handler: 'handler',
      description: `Example consumer: reads the token of provider "${providerId}" and reports how long it has left`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 128,
      timeout: Duration.seconds(10),
      role,
      logGroup,
      environment: { NODE_OPTIONS: '--enable-source-maps' },
      // The client of the other store stays out: the reader imports a client only for its store kind.
      bundling: bundling([unusedClientModule(props.refresher)]),
    });
    wireLambdaConsumer(props.refresher, fn);
    this.consumerFunction = fn;
    this.role = role;
  }
}

/**
 * The AWS SDK client package a consumer of `refresher` never loads. Mark it external when bundling a
 * consumer (NodejsFunction `bundling.externalModules`) to leave it out: about 200 KiB minified for
 * `@aws-sdk/client-ssm`, 26 KiB for `@aws-sdk/client-secrets-manager`.
 */
export function unusedClientModule(refresher: ProviderTokenRefresher): string {
  return refresher.tokenSecret ? '@aws-sdk/client-ssm' : '@aws-sdk/client-secrets-manager';
}
