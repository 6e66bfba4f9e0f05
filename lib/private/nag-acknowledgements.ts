import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Every cdk-nag (AwsSolutions) finding this project acknowledges, with the reason. Kept in one place
 * so the list can be reviewed (and documented) as a whole; each is applied to the narrowest construct.
 *
 * `Validations.of(...).acknowledge` is core CDK API: it records metadata that cdk-nag 3 (and any other
 * policy-validation plugin) honours, so the library itself does not depend on cdk-nag.
 */
export const NAG_REASONS = {
  /** On the credentials secret. */
  credentialsSecretRotation:
    'The credentials are issued by the upstream OAuth provider and rotated by its operators, which Secrets Manager ' +
    'cannot do. When the provider rejects them, the refresher stops using that secret version (lockout guard) until operators update it.',
  /** On the stack's alarm topic. */
  alarmTopicEncryption:
    'Alarm notifications carry alarm names, states and descriptions, never a token or a credential. CloudWatch ' +
    'cannot publish to a topic encrypted with the AWS-managed aws/sns key; pass alarmTopic to use a topic encrypted ' +
    'with your own KMS key.',
} as const;

export function acknowledge(construct: IConstruct, id: string, reason: string): void {
  Validations.of(construct).acknowledge({ id, reason });
}
