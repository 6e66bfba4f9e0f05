import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { err, ok, type Result } from '../../base/result.js';
import { describeErrorName } from '../../contract/error-name.js';

/** DescribeAlarms takes at most 100 names per call. */
const NAMES_PER_CALL = 100;

export interface AlarmView {
  readonly name: string;
  /** `OK`, `ALARM` or `INSUFFICIENT_DATA`; undefined when it could not be read. */
  readonly state?: string;
  readonly error?: string;
}

/**
 * The provider's alarms as one: every one of them pages (contract/refresher-manifest.ts), so the
 * worst state is the one to show. Undefined when the manifest names none.
 */
export function pagingView(alarms: readonly AlarmView[]): AlarmView | undefined {
  const rank = (a: AlarmView) =>
    a.state === 'ALARM' ? 0 : a.state === undefined ? 1 : a.state === 'INSUFFICIENT_DATA' ? 2 : 3;
  return [...alarms].sort((a, b) => rank(a) - rank(b))[0];
}

/** Each existing alarm's state by name, or why they could not be read (an AWS error's name). */
export type AlarmStates = Result<ReadonlyMap<string, string>, string>;

/**
 * The state (`OK`, `ALARM`, `INSUFFICIENT_DATA`) of every named alarm that exists. Composite alarms
 * are asked for too: stacks deployed by earlier versions paged through one.
 */
export async function readAlarmStates(client: CloudWatchClient, names: readonly string[]): Promise<AlarmStates> {
  const states = new Map<string, string>();
  try {
    for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
      let nextToken: string | undefined;
      do {
        const page = await client.send(
          new DescribeAlarmsCommand({
            AlarmNames: names.slice(i, i + NAMES_PER_CALL),
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            NextToken: nextToken,
          }),
        );
        for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
          if (alarm.AlarmName && alarm.StateValue) states.set(alarm.AlarmName, alarm.StateValue);
        }
        nextToken = page.NextToken;
      } while (nextToken);
    }
  } catch (error) {
    return err(describeErrorName(error));
  }
  return ok(states);
}
