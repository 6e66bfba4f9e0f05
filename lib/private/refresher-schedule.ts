import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';
import type { ProviderSettings } from '../../contract/provider-settings.js';
import { scheduleCronFields } from '../../providers/schedule-offset.js';
import { maxEventAge } from './event-age.js';
import type { StackShared } from './stack-shared.js';
import { UnqualifiedLambdaInvoke } from './unqualified-lambda-invoke.js';

/** `source` of the events the schedule sends; the function treats them as "refresh if due". */
export const SCHEDULE_EVENT_SOURCE = 'token-refresher.schedule';

export interface RefresherScheduleProps {
  readonly settings: ProviderSettings;
  /** contract/naming.ts `providerResourceNames(...).scheduleName`. */
  readonly scheduleName: string;
  readonly refreshFunction: lambda.IFunction;
  /** What the stack's refreshers share: the scheduler's role and the dead-letter queue. */
  readonly shared: StackShared;
}

/** The EventBridge Scheduler schedule (`<scope>/Schedule`) that runs the function every check interval. */
export function createRefresherSchedule(scope: Construct, props: RefresherScheduleProps): scheduler.Schedule {
  const { settings, shared } = props;
  // At a minute of its own within the interval, so that a stage's runs do not all start together.
  const cron = scheduleCronFields(settings.id, settings.checkIntervalMinutes);
  return new scheduler.Schedule(scope, 'Schedule', {
    // Named, so the runbook can address it (`status --json` shows the name).
    scheduleName: props.scheduleName,
    schedule: cron
      ? scheduler.ScheduleExpression.cron(cron)
      : scheduler.ScheduleExpression.rate(Duration.minutes(settings.checkIntervalMinutes)),
    description: `Checks every ${settings.checkIntervalMinutes} min whether the token of provider "${settings.id}" is due`,
    target: new UnqualifiedLambdaInvoke(props.refreshFunction, {
      role: shared.scheduleRole,
      input: scheduler.ScheduleTargetInput.fromObject({
        source: SCHEDULE_EVENT_SOURCE,
        provider: settings.id,
        // The function stamps its metrics with it (see lib/private/alarm-specs.ts).
        scheduledTime: scheduler.ContextAttribute.scheduledTime,
      }),
      // The next tick is the retry; a late duplicate would only queue behind reserved concurrency 1.
      retryAttempts: 0,
      maxEventAge: maxEventAge(settings.checkIntervalMinutes),
      deadLetterQueue: shared.deadLetterQueue,
    }),
  });
}
