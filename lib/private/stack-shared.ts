import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * What every refresher in one stack shares, created by the first refresher that needs it: the
 * dead-letter queue, the log group and the role EventBridge Scheduler assumes. Isolation does not
 * suffer: the queue holds only event payloads (no secret), a log line names its provider and never
 * holds a secret, and the scheduler role can only invoke the stack's refresher functions. Sharing
 * saves three to five resources per provider, which is what lets a stack hold a fleet.
 */
export interface StackShared {
  readonly deadLetterQueue: sqs.Queue;
  readonly logGroup: logs.LogGroup;
  readonly scheduleRole: iam.Role;
}

const ID = 'TokenRefresherShared';
const shared = new WeakMap<Stack, StackShared>();

export function stackShared(scope: Construct, logRetention: logs.RetentionDays): StackShared {
  const stack = Stack.of(scope);
  const existing = shared.get(stack);
  if (existing) return existing;
  const created: StackShared = {
    // No AwsSolutions-SQS3 acknowledgement needed: cdk-nag sees the functions' DeadLetterConfig.
    deadLetterQueue: new sqs.Queue(stack, `${ID}DeadLetterQueue`, {
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    }),
    logGroup: new logs.LogGroup(stack, `${ID}LogGroup`, { retention: logRetention }),
    scheduleRole: new iam.Role(stack, `${ID}ScheduleRole`, {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        // Only schedules of this account's default group may use the role (confused-deputy guard).
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': stack.formatArn({
              service: 'scheduler',
              resource: 'schedule-group',
              resourceName: 'default',
            }),
          },
        },
      }),
      description: 'Lets EventBridge Scheduler run the token-refresher functions of this stack',
    }),
  };
  shared.set(stack, created);
  return created;
}
