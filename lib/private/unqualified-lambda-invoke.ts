import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { LambdaInvoke, type ScheduleTargetBaseProps } from 'aws-cdk-lib/aws-scheduler-targets';

/**
 * `LambdaInvoke` that lets the schedule's role invoke the unqualified function only.
 *
 * The stock target calls `grantInvoke`, which also allows `<function arn>:*` (every version and
 * alias). The schedule only ever invokes `$LATEST`, so the wildcard would be a permission nobody uses
 * and an `AwsSolutions-IAM5` finding to explain away.
 */
export class UnqualifiedLambdaInvoke extends LambdaInvoke {
  private readonly invokedFunction: lambda.IFunction;

  constructor(func: lambda.IFunction, props: ScheduleTargetBaseProps) {
    super(func, props);
    this.invokedFunction = func;
  }

  protected override addTargetActionToRole(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.invokedFunction.functionArn] }),
    );
  }
}
