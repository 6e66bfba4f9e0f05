/**
 * The construct side of the consumer reader: least-privilege read grants and one-call wiring of a
 * Lambda function or an ECS container to a provider's published token. The reader itself lives in
 * `consumer/`, which runs inside consumers and must not import aws-cdk-lib.
 */
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { TOKEN_SOURCE_ENV } from '../contract/token-source.js';
import type { ProviderTokenRefresher } from './provider-token-refresher.js';

/** How `wireLambdaConsumer` and `wireEcsContainer` hand the token's source to the consumer. */
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

/**
 * The AWS SDK client package a consumer of `refresher` never loads. Mark it external when bundling a
 * consumer (NodejsFunction `bundling.externalModules`) to leave it out: about 200 KiB minified for
 * `@aws-sdk/client-ssm`, 26 KiB for `@aws-sdk/client-secrets-manager`.
 */
export function unusedClientModule(refresher: ProviderTokenRefresher): string {
  return refresher.token.store === 'secretsmanager' ? '@aws-sdk/client-ssm' : '@aws-sdk/client-secrets-manager';
}
