import { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

export interface EmptySecretProps {
  readonly secretName: string;
  readonly description: string;
  /** @default - the account's `aws/secretsmanager` key */
  readonly encryptionKey?: kms.IKey;
}

/**
 * A Secrets Manager secret that CloudFormation creates without any value.
 *
 * The L2 `Secret` always renders either `SecretString` (a value we would have to put in the template)
 * or `GenerateSecretString` (a random password nobody needs, which also counts as a version). Deleting
 * `GenerateSecretString` makes CloudFormation create the secret with no version at all: operators (for
 * credentials) or the refresher function (for the published token) write the first value.
 *
 * Retained on stack deletion: it holds data that only people or the function can recreate.
 */
export function createEmptySecret(scope: Construct, id: string, props: EmptySecretProps): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, id, {
    secretName: props.secretName,
    description: props.description,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const cfn = secret.node.defaultChild as secretsmanager.CfnSecret;
  cfn.addPropertyDeletionOverride('GenerateSecretString');
  // Set on the L1 resource: the L2 `encryptionKey` prop would also add a key-policy statement letting
  // the whole account decrypt through Secrets Manager, which the stack key must not allow
  // (lib/private/refresher-key.ts decides who may use it).
  if (props.encryptionKey) cfn.kmsKeyId = props.encryptionKey.keyArn;
  return secret;
}
