import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { StoreKind } from '../../contract/token-stores.js';
import type { ProviderResourceNames } from '../../contract/naming.js';
import { ssmParameterArn } from './ssm-parameter-arn.js';

/** Where a refresher publishes its provider's token. */
export interface TokenLocation {
  /** The store the providers file chose (or the preset's lifetime decided). */
  readonly store: StoreKind;
  /**
   * The secret's name (Secrets Manager) or the SecureString parameter's name, starting with `/`
   * (Parameter Store); the function creates it on its first write and passes this name to the SDK.
   */
  readonly name: string;
}

/** Where one provider's token is published, and who may do what with it. */
export interface TokenStore extends TokenLocation {
  /** `secretsmanager:<name>` or `ssm:<name>`, for consumers. */
  readonly source: string;
  /** What the refresher function needs: read the current token, write the new one. */
  readonly readWriteStatement: iam.PolicyStatement;
  /** Read access to the published token only. */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/**
 * The token store chosen for the provider. Nothing is created here: the function creates the
 * secret or the SecureString parameter on its first write (CloudFormation cannot create SecureStrings
 * at all), and IAM is scoped to exactly its name. A Secrets Manager token of a stack deployed before
 * this worked the same way stays where it is: it has the same name.
 */
export function createTokenStore(
  scope: Construct,
  kind: StoreKind,
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
          conditions: {
            StringEquals: { 'kms:ViaService': `${service}.${region}.amazonaws.com` },
            // A secret's ARN ends in six random characters: by name, a pattern is all there is.
            StringLike: context,
          },
        })
      : undefined;
  if (kind === 'secretsmanager') {
    // Created by the function on its first write, like the parameter: a secret CloudFormation owned
    // would tie the token to one stack, and the token must outlive any regrouping of the stacks.
    const secretName = names.tokenSecretName;
    const secretArn = secretArnOfName(scope, secretName);
    return {
      store: kind,
      name: secretName,
      source: `secretsmanager:${secretName}`,
      // DescribeSecret and GetResourcePolicy: a secret the function finds under the name is checked
      // before it is used (lambda/adapters/token-secret-check.ts); someone else may have created it.
      readWriteStatement: new iam.PolicyStatement({
        actions: [
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:CreateSecret',
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetResourcePolicy',
        ],
        resources: [secretArn],
      }),
      // GetSecretValue only: consumers need neither DescribeSecret nor the version list.
      grantRead: (grantee) => {
        const grant = iam.Grant.addToPrincipal({
          grantee,
          actions: ['secretsmanager:GetSecretValue'],
          resourceArns: [secretArn],
        });
        const decrypt = keyGrant(grantee, 'secretsmanager', { 'kms:EncryptionContext:SecretARN': secretArn });
        return decrypt ? grant.combine(decrypt) : grant;
      },
    };
  }
  const parameterName = names.tokenParameterName;
  const parameterArn = ssmParameterArn(scope, parameterName);
  return {
    store: kind,
    name: parameterName,
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

/** The ARN pattern of a secret by name: Secrets Manager appends `-` and six random characters. */
export function secretArnOfName(scope: Construct, name: string): string {
  return Stack.of(scope).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${name}-??????`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}
