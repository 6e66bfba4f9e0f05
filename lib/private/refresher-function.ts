import { Duration, Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { RUNTIME_CONFIG_ENV, type RuntimeConfig } from '../../contract/provider-settings.js';
import { RUN_TIMEOUT_SECONDS } from '../../contract/schedule.js';
import { refresherCode } from './bundling.js';
import { maxEventAge } from './event-age.js';
import type { StackShared } from './stack-shared.js';

export interface RefresherFunctionProps {
  /** Checked by lib/private/runtime-config.ts; its provider settings describe the function. */
  readonly config: RuntimeConfig;
  readonly role: iam.IRole;
  /** What the stack's refreshers share: the log group and the dead-letter queue. */
  readonly shared: StackShared;
  /** See `ProviderTokenRefresherProps.functionEntry`. */
  readonly functionEntry?: string;
}

/** The function (`<scope>/Function`) that renews the provider's token and publishes it. */
export function createRefresherFunction(scope: Construct, props: RefresherFunctionProps): lambda.Function {
  const { config, shared } = props;
  const settings = config.provider;
  const store = config.resources.tokenStore.kind === 'secretsmanager' ? 'Secrets Manager' : 'Parameter Store';
  return new lambda.Function(scope, 'Function', {
    code: refresherCode(props.functionEntry),
    handler: 'index.handler',
    description: `Renews the OAuth access token of provider "${settings.id}" (${settings.preset}) and publishes it to ${store}`,
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: Duration.seconds(RUN_TIMEOUT_SECONDS),
    role: props.role,
    logGroup: shared.logGroup,
    // One refresher per provider at a time: two parallel password grants could trip a lockout, and
    // two parallel refresh_token grants could invalidate a rotating refresh token.
    reservedConcurrentExecutions: 1,
    // Classified failures return `outcome: "failed"` instead of throwing; whatever does throw is a
    // bug, and retrying it would only multiply login attempts. It goes to the dead-letter queue.
    retryAttempts: 0,
    maxEventAge: maxEventAge(settings.checkIntervalMinutes),
    deadLetterQueue: shared.deadLetterQueue,
    environment: {
      [RUNTIME_CONFIG_ENV]: Stack.of(scope).toJsonString(config),
      NODE_OPTIONS: '--enable-source-maps',
    },
  });
}
