import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { StoreKind } from '../../contract/store-choice.js';
import { createEmptySecret } from './empty-secret.js';
import { acknowledge, NAG_REASONS } from './nag-acknowledgements.js';
import type { ProviderResourceNames } from '../../contract/naming.js';
import { ssmParameterArn } from './ssm-parameter-arn.js';

/** Where one provider's token is published, and who may do what with it. */
export interface TokenStore {
  readonly kind: StoreKind;
  /** The secret (Secrets Manager only). */
  readonly secret?: secretsmanager.ISecret;
  /** The SecureString parameter name, starting with `/` (Parameter Store only). */
  readonly parameterName?: string;
  /** What the function passes to the SDK: the secret ARN or the parameter name. */
  readonly runtimeId: string;
  /** `secretsmanager:<arn>` or `ssm:<name>`, for consumers. */
  readonly source: string;
  /** What the refresher function needs: read the current token, write the new one. */
  readonly readWriteStatement: iam.PolicyStatement;
  /** Read access to the published token only. */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/**
 * Creates the token store chosen for the provider.
 *
 * Secrets Manager: an empty secret the function writes (retained: consumers may hold its ARN).
 * Parameter Store: nothing to create, since CloudFormation cannot create SecureString parameters;
 * the function creates the parameter on its first write, and IAM is scoped to its ARN.
 */
export function createTokenStore(
  scope: Construct,
  kind: StoreKind,
  providerId: string,
  names: ProviderResourceNames,
  key?: kms.IKey,
): TokenStore {
  const region = Stack.of(scope).region;
  /** Decrypt with the customer-managed key, only through the store's service and only for this token. */
  const keyGrant = (grantee: iam.IGrantable, service: string, context: Record<string, string>) =>
    key
      ? iam.Grant.addToPrincipal({
          grantee,
          actions: ['kms:Decrypt'],
          resourceArns: [key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `${service}.${region}.amazonaws.com`, ...context } },
        })
      : undefined;
  if (kind === 'secretsmanager') {
    const secret = createEmptySecret(scope, 'TokenSecret', {
      secretName: names.tokenSecretName,
      description: `OAuth access token of provider "${providerId}", published by the token-refresher function. Read-only for consumers.`,
      ...(key ? { encryptionKey: key } : {}),
    });
    acknowledge(secret, 'AwsSolutions-SMG4', NAG_REASONS.tokenSecretRotation);
    return {
      kind,
      secret,
      runtimeId: secret.secretArn,
      source: `secretsmanager:${secret.secretArn}`,
      readWriteStatement: new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
        resources: [secret.secretArn],
      }),
      // GetSecretValue only: consumers need neither DescribeSecret nor the version list.
      grantRead: (grantee) => {
        const grant = iam.Grant.addToPrincipal({
          grantee,
          actions: ['secretsmanager:GetSecretValue'],
          resourceArns: [secret.secretArn],
        });
        const decrypt = keyGrant(grantee, 'secretsmanager', { 'kms:EncryptionContext:SecretARN': secret.secretArn });
        return decrypt ? grant.combine(decrypt) : grant;
      },
    };
  }

  const parameterName = names.tokenParameterName;
  const parameterArn = ssmParameterArn(scope, parameterName);
  return {
    kind,
    parameterName,
    runtimeId: parameterName,
    source: `ssm:${parameterName}`,
    readWriteStatement: new iam.PolicyStatement({
      actions: ['ssm:GetParameter', 'ssm:PutParameter'],
      resources: [parameterArn],
    }),
    grantRead: (grantee) => {
      const grant = iam.Grant.addToPrincipal({ grantee, actions: ['ssm:GetParameter'], resourceArns: [parameterArn] });
      const decrypt = keyGrant(grantee, 'ssm', { 'kms:EncryptionContext:PARAMETER_ARN': parameterArn });
      return decrypt ? grant.combine(decrypt) : grant;
    },
  };
}
