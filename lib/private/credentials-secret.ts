import { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { requiredCredentialKeys } from '../../contract/provider-settings.js';
import type { ResolvedProvider } from '../../providers/providers-file.js';
import { createEmptySecret } from './empty-secret.js';
import { acknowledge, NAG_REASONS } from './nag-acknowledgements.js';
import { secretArnOfName } from './token-store.js';

export interface CredentialsSecret {
  readonly secret: secretsmanager.ISecret;
  /** What the function passes as `SecretId`: a name or a complete ARN, never a partial one. */
  readonly runtimeId: string;
  /** What operators pass as `--secret-id`: the name when it is known, else the complete ARN. */
  readonly operatorId: string;
  /** The IAM resource that matches exactly this secret. */
  readonly policyResource: string;
}

/**
 * The provider's credentials secret: imported when the providers file names one, else created empty
 * (with a description of the JSON keys operators must put in it).
 *
 * A secret imported by name has no complete ARN at synth time: Secrets Manager appends six random
 * characters. `secretArn` is then the partial ARN, which matches nothing in an IAM policy, so the
 * policy gets `<partial arn>-??????` (exactly six characters) and the function gets the name.
 */
export function credentialsSecret(
  scope: Construct,
  provider: ResolvedProvider,
  createdName: string,
  created: {
    /** Where a created secret lives (`<scope>/CredentialsSecret`): the refresher, or a stage's shared stack. */
    readonly scope: Construct;
    /** The ARN pattern of the one role that may read it. */
    readonly readerRoleArnPattern: string;
  },
  key?: kms.IKey,
): CredentialsSecret {
  const id = 'CredentialsSecret';
  const ref = provider.credentials;
  if (ref?.secretArn) {
    const secret = secretsmanager.Secret.fromSecretCompleteArn(scope, id, ref.secretArn);
    return {
      secret,
      runtimeId: ref.secretArn,
      operatorId: ref.secretArn,
      policyResource: ref.secretArn,
    };
  }
  if (ref?.secretName) {
    const secret = secretsmanager.Secret.fromSecretNameV2(scope, id, ref.secretName);
    const policyResource = secretArnOfName(scope, ref.secretName);
    return { secret, runtimeId: ref.secretName, operatorId: ref.secretName, policyResource };
  }

  const keys = requiredCredentialKeys(provider.settings);
  const shape = `{${keys.map((k) => `"${k}": "..."`).join(', ')}}`;
  const secret = createEmptySecret(created.scope, id, {
    secretName: createdName,
    description: `Credentials of OAuth provider "${provider.settings.id}" for token-refresher. Operators put this JSON: ${shape}`,
    ...(key ? { encryptionKey: key } : {}),
  });
  acknowledge(secret, 'AwsSolutions-SMG4', NAG_REASONS.credentialsSecretRotation);
  // Only the refresher reads the value; operators may still put a new one. The reader is named by its
  // IAM path, not by reference: the secret may live in another stack than its refresher.
  secret.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'OnlyTheRefresherReadsTheCredentials',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['secretsmanager:GetSecretValue'],
      resources: ['*'],
      conditions: { ArnNotLike: { 'aws:PrincipalArn': created.readerRoleArnPattern } },
    }),
  );
  // Retained like the secret: when the secret leaves a stack (docs/stage-layout.md moves it between
  // stacks), the deny must stay on it until the stack it moves to imports both.
  (secret.node.findChild('Policy') as secretsmanager.ResourcePolicy).applyRemovalPolicy(RemovalPolicy.RETAIN);
  // By name: a reference to the ARN would tie the refresher's stack to the secret's.
  return {
    secret,
    runtimeId: createdName,
    operatorId: createdName,
    policyResource: secretArnOfName(scope, createdName),
  };
}
