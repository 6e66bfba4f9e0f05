import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * ARN of an SSM parameter in the scope's account and region, for parameters the function creates
 * itself (CloudFormation cannot create SecureString parameters, so there is no resource to reference).
 *
 * Parameter ARNs carry the name without its leading slash: `/a/b` becomes `arn:...:parameter/a/b`.
 */
export function ssmParameterArn(scope: IConstruct, parameterName: string): string {
  return Stack.of(scope).formatArn({
    service: 'ssm',
    resource: 'parameter',
    resourceName: parameterName.replace(/^\/+/, ''),
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}
