/**
 * Wiring consumers in your CDK app: one call per Lambda function or ECS container grants read access
 * to exactly one provider's token and sets TOKEN_SOURCE, which the consumer library reads.
 */
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { wireEcsContainer, wireLambdaConsumer } from '../../lib/consumer-wiring.js'; // in your project: '@token-refresher/cdk'
import type { ProviderTokenRefresher } from '../../lib/provider-token-refresher.js';

export function addConsumers(scope: Construct, refresher: ProviderTokenRefresher, code: lambda.Code): void {
  // A Lambda function: grant + TOKEN_SOURCE.
  const fn = new lambda.Function(scope, 'ApiClient', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code,
  });
  wireLambdaConsumer(refresher, fn);

  // An ECS container: the task role gets the grant, the container gets TOKEN_SOURCE. Do not put the
  // token in the container's `secrets`: those are read once, when the task starts.
  const task = new ecs.FargateTaskDefinition(scope, 'ApiClientTask');
  const container = task.addContainer('App', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:24-slim'),
  });
  wireEcsContainer(refresher, task, container);
}
