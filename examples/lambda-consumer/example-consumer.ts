/**
 * The example consumer the app deploys with `--context exampleConsumer=true` (bin/app.ts): a small
 * Lambda function, bundled as a service team would bundle theirs, that reads one provider's token.
 */
import * as path from 'node:path';
import { CfnOutput, Duration, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PROVIDER_CHILD_SUFFIX } from '../../contract/naming.js';
import { type ProviderTokenRefresher, unusedClientModule, wireLambdaConsumer } from '../../lib/index.js'; // in your app: '@token-refresher/cdk'

export interface ExampleConsumerProps {
  /** The refresher whose token the example reads. */
  readonly refresher: ProviderTokenRefresher;
}

/** The function's source, beside this file. */
const EXAMPLE_CONSUMER_ENTRY = path.join(import.meta.dirname, 'index.ts');

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
      bundling: {
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: 'node24',
        format: OutputFormat.CJS,
        // The client of the other store stays out: the reader imports a client only for its store kind.
        externalModules: [unusedClientModule(props.refresher)],
      },
    });
    wireLambdaConsumer(props.refresher, fn);
    this.consumerFunction = fn;
    this.role = role;
  }
}

/**
 * Adds an example consumer next to `refresher` (construct id `<refresher id>ExampleConsumer`) and a
 * stack output naming its function: invoke it after a deploy to check that consumers can read the token.
 */
export function addExampleConsumer(stack: Stack, refresher: ProviderTokenRefresher): ExampleConsumer {
  const constructId = refresher.node.id;
  const example = new ExampleConsumer(stack, `${constructId}${PROVIDER_CHILD_SUFFIX.exampleConsumer}`, { refresher });
  new CfnOutput(stack, `${constructId}${PROVIDER_CHILD_SUFFIX.exampleConsumerFunction}`, {
    description: `Example consumer of provider "${refresher.providerId}": invoke it to check that consumers can read the token`,
    value: example.consumerFunction.functionName,
  });
  return example;
}
