import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { ProviderResourceNames } from '../../contract/naming.js';
import { refresherKeyStatements } from './refresher-key.js';
import { ssmParameterArn } from './ssm-parameter-arn.js';
import type { TokenStore } from './token-store.js';

export interface RefresherRoleProps {
  readonly providerId: string;
  readonly prefix: string;
  readonly names: ProviderResourceNames;
  /** The stack's log group (lib/private/stack-shared.ts). */
  readonly logGroup: logs.ILogGroup;
  /** The IAM resource that matches exactly the credentials secret (lib/private/credentials-secret.ts). */
  readonly credentialsResource: string;
  readonly tokenStore: TokenStore;
  /** The customer-managed key; absent: the AWS-managed keys, which need no statement. */
  readonly key?: kms.IKey;
  /** PutEvents on the events bus (lib/private/refresher-events.ts). */
  readonly eventsStatement?: iam.PolicyStatement;
  /** `kms:Sign` on the provider's signing key (lib/private/signing-key.ts); absent: it has none. */
  readonly signStatement?: iam.PolicyStatement;
}

/**
 * The function's role (`<scope>/FunctionRole`): an explicit role instead of
 * AWSLambdaBasicExecutionRole, whose log permissions cover every log group in the account. Every
 * statement names one resource of this provider, or the stack's log group. The path is how the key and
 * the credentials secret know it.
 */
export function createRefresherRole(scope: Construct, props: RefresherRoleProps): iam.Role {
  const { names, key } = props;
  const role = new iam.Role(scope, 'FunctionRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    path: names.rolePath,
    description: `token-refresher function of provider "${props.providerId}"`,
  });
  // The log group's `Arn` attribute ends in `:*`: it means the streams of this one group.
  props.logGroup.grantWrite(role);
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [props.credentialsResource] }),
  );
  role.addToPrincipalPolicy(props.tokenStore.readWriteStatement);
  // With the AWS-managed keys, every principal of the account may use them through SSM and Secrets
  // Manager: no KMS statement. A customer-managed key only for this provider's own names.
  if (key) {
    for (const statement of refresherKeyStatements(scope, key, props.prefix, props.providerId)) {
      role.addToPrincipalPolicy(statement);
    }
  }
  if (props.signStatement) role.addToPrincipalPolicy(props.signStatement);
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['ssm:GetParameter', 'ssm:PutParameter'],
      resources: [ssmParameterArn(scope, names.stateParameterName), ssmParameterArn(scope, names.ledgerParameterName)],
    }),
  );
  if (props.eventsStatement) role.addToPrincipalPolicy(props.eventsStatement);
  return role;
}

/**
 * ARN pattern of every role under the IAM path `rolePath` (`/a/b/` matches `role/a/b/*`): the
 * refresher's role, named by path rather than by reference, since the credentials secret that admits
 * it may live in another stack.
 */
export function rolesUnderPath(scope: Construct, rolePath: string): string {
  return Stack.of(scope).formatArn({
    service: 'iam',
    region: '',
    resource: 'role',
    resourceName: `${rolePath.slice(1)}*`,
  });
}
